//! This example demonstrates: a synthetic operator event log written from
//! a known scenario (`scenarios/tandem.toml`, through the event map
//! `examples/data/tandem_events.toml`) to a file, then read back in one
//! streaming pass: the stage durations, the censored stages at the log's
//! end, the inspection share and the arrivals, with the parser's speed
//! and the most orders it held open at once.
//!
//! Run it with `cargo run --release --example event_log [HOURS]` (default
//! 240 hours, about 216,000 rows; 2,300 hours give about two million).

use cbec_sim::calibrate::{EventLog, EventLogWriter, EventMap};
use cbec_sim::{Scenario, SimTime};
use std::time::Instant;

fn main() -> cbec_sim::Result<()> {
    let hours: f64 = std::env::args()
        .nth(1)
        .map_or(240.0, |h| h.parse().expect("HOURS is a number"));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/tandem.toml"))
        .expect("the tandem scenario is shipped");
    let text = text.replace("horizon_h = 1000", &format!("horizon_h = {hours}"));
    let model = Scenario::from_toml_str(&text)?.build()?;
    let map = EventMap::from_path(root.join("examples/data/tandem_events.toml"))?;

    let path = std::env::temp_dir().join(format!("cbec-sim-event-log-{}.csv", std::process::id()));
    let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("a temporary file"));
    let started = Instant::now();
    let mut writer = EventLogWriter::new(&model, &map, file)?;
    let _ = writer.write_run(1, 0);
    let rows = writer.rows();
    drop(writer.finish()?);
    let written_in = started.elapsed();

    let started = Instant::now();
    let log = EventLog::from_path(&path, &map)?;
    let read_in = started.elapsed();
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    std::fs::remove_file(&path).ok();
    assert_eq!(log.rows(), rows);

    println!(
        "{rows} rows ({:.1} MB) written in {:.2} s, read in {:.2} s: {:.2} million rows/s",
        bytes as f64 / 1e6,
        written_in.as_secs_f64(),
        read_in.as_secs_f64(),
        rows as f64 / read_in.as_secs_f64() / 1e6
    );
    println!(
        "{} orders; at most {} open at once; {} open at the log's end",
        log.orders(),
        log.peak_live_orders(),
        log.live_at_end()
    );
    println!(
        "{:<16} {:>9} {:>9} {:>14}",
        "stage", "completed", "censored", "mean (min)"
    );
    for s in log.stages() {
        println!(
            "{:<16} {:>9} {:>9} {:>14.3}",
            s.name(),
            s.durations().len(),
            s.censored().len(),
            s.completed_mean().map_or(f64::NAN, SimTime::minutes)
        );
    }
    let r = log.route("inspection").expect("the map has it");
    println!(
        "inspection: {} of {} reviewed orders ({:.4}), {} undecided",
        r.successes,
        r.trials,
        r.successes as f64 / r.trials as f64,
        r.undecided
    );
    let a = log.arrivals();
    let per_hour = (a.len() - 1) as f64 / (a[a.len() - 1] - a[0]).hours();
    println!("arrivals: {} at {per_hour:.2} per hour", a.len());
    // The parser's state is bounded by the orders in the system.
    assert!((log.peak_live_orders() as u64) * 100 < log.orders());
    Ok(())
}
