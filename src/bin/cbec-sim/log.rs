//! `cbec-sim log`: a synthetic operator event log of one replication of a
//! scenario, named through an event map (the library's
//! [`EventLogWriter`] does the work; the format is in `docs/event-log.md`),
//! then read back against the same map and summarised.

use crate::common::{Failure, check_paths, failed, invalid, load, print};
use cbec_sim::SimTime;
use cbec_sim::calibrate::{EventLog, EventLogWriter, EventMap};
use cbec_sim::report::output::{OutputKind, StreamedOutput};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Options of `cbec-sim log`.
#[derive(Debug, clap::Args)]
pub(crate) struct LogArgs {
    /// The scenario file.
    scenario: PathBuf,
    /// The event map (TOML): the log's event names, stages and routes, and
    /// the node and order event (`sim = { node, on }`) that write each.
    #[arg(long, value_name = "MAP.toml")]
    map: PathBuf,
    /// Write the log to this CSV file.
    #[arg(long, value_name = "LOG.csv")]
    out: PathBuf,
    /// Simulate this many weeks from the calendar start (default: the
    /// scenario's horizon).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = crate::common::whole_number)]
    weeks: Option<u64>,
    /// Master seed.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = crate::common::whole_number)]
    seed: u64,
    /// The replication whose events are written.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = crate::common::whole_number)]
    replication: u64,
}

/// Writes the log, reads it back, prints what a fit would read.
pub(crate) fn log_command(args: &LogArgs) -> Result<(), Failure> {
    check_paths(&[("--out", Some(args.out.as_path()), OutputKind::File)])?;
    let (_, model) = load(&args.scenario)?;
    let map = EventMap::from_path(&args.map).map_err(|e| invalid(format!("--map {e}")))?;
    let model = match args.weeks {
        None => model,
        Some(0) => return Err(invalid("--weeks: must be at least 1, got 0")),
        Some(w) => model
            .with_run_length(Some(SimTime::from_hours(168.0 * w as f64)), model.warmup())
            .map_err(|e| invalid(format!("--weeks {w}: {e}")))?,
    };
    let out = StreamedOutput::create(&args.out).map_err(|e| failed(format!("--out: {e}")))?;
    let mut writer = EventLogWriter::new(&model, &map, out)
        .map_err(|e| invalid(format!("--map {}: {e}", args.map.display())))?;
    let _ = writer.write_run(args.seed, args.replication);
    let rows = writer.rows();
    let out = writer
        .finish()
        .map_err(|e| failed(format!("--out {}: {e}", args.out.display())))?;
    out.commit().map_err(failed)?;
    let log = EventLog::from_path(&args.out, &map).map_err(|e| {
        invalid(format!(
            "--map {}: the log written to {} breaks the map's rules: {e}",
            args.map.display(),
            args.out.display()
        ))
    })?;
    print(&summary(&log, rows, &args.out))
}

/// The log's rows, orders, stages and routes, as text.
fn summary(log: &EventLog, rows: u64, path: &std::path::Path) -> String {
    let mut s = format!(
        "{rows} rows, {} orders, from {} to {}, written to {}\n",
        log.orders(),
        log.start(),
        log.end(),
        path.display()
    );
    let _ = writeln!(
        s,
        "{:<24} {:>10} {:>10} {:>8} {:>14}",
        "stage", "completed", "censored", "exited", "mean_min"
    );
    for st in log.stages() {
        let mean = st
            .completed_mean()
            .map_or_else(|| "-".to_string(), |m| format!("{:.3}", m.minutes()));
        let _ = writeln!(
            s,
            "{:<24} {:>10} {:>10} {:>8} {:>14}",
            st.name(),
            st.durations().len(),
            st.censored().len(),
            st.exited(),
            mean
        );
    }
    for (name, r) in log.routes() {
        let _ = writeln!(
            s,
            "route {name}: {} of {} ({} undecided)",
            r.successes, r.trials, r.undecided
        );
    }
    s
}
