//! This example demonstrates: an operator's event log turned into a
//! calibrated scenario and checked on a week it did not see. The shipped
//! synthetic operator (`examples/data/operator/`: four weeks, a promotion
//! on 18 January, written by `truth.toml`) is cut at 22 January; the three
//! weeks before are fitted through the map (`events.toml`): each stage's
//! law with its intervals, the inspection share, the demand profile; the
//! values go into the template (`template.toml`) as calibrated [C]
//! numbers; then the last week is replayed through the fitted scenario
//! and compared with what the log observed.
//!
//! Run it with `cargo run --release --example calibrate_from_log`. The
//! command line does the same: `cbec-sim fit examples/data/operator/log.csv
//! --map examples/data/operator/events.toml --out fitted.toml --holdout last-week`.

use cbec_sim::calibrate::{
    Calibration, CalibrationOptions, EventLog, EventMap, HoldoutOptions, Window, check_holdout,
    fitted_scenario,
};

fn main() -> cbec_sim::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/operator");
    let map = EventMap::from_path(dir.join("events.toml"))?;
    let cut: jiff::civil::DateTime = "2024-01-22T00:00".parse().expect("a date-time");

    // Fit the weeks before the cut: stages censored at the cut are kept.
    let log = EventLog::from_path_in(dir.join("log.csv"), &map, Window::until(cut))?;
    let calibration = Calibration::from_log(&log, &map, &CalibrationOptions::default())?;
    println!("{calibration}");

    // Set the fitted values in the template, with their ranges tagged C.
    let text = std::fs::read_to_string(dir.join("template.toml")).expect("the template is shipped");
    let template: toml::Table = toml::from_str(&text).expect("the template parses");
    let values = calibration.calibrated(&map, &template)?;
    let fitted = fitted_scenario(
        &template,
        "fitted by examples/calibrate_from_log.rs",
        &values,
        None,
    )?;
    println!(
        "The fitted scenario sets {} values; its ranges:",
        values.len()
    );
    for a in fitted.assumptions.list.iter().take(6) {
        println!(
            "  {:<52} {:>10.4} to {:<10.4} [{}]",
            a.path, a.low, a.high, a.source
        );
    }

    // Replay the held-out week through the fitted scenario.
    let check = check_holdout(
        &fitted.scenario,
        &map,
        &dir.join("log.csv"),
        cut,
        &HoldoutOptions::default(),
    )?;
    println!("\n{check}");
    let lead = check
        .stage("lead_time")
        .expect("the map has a lead_time stage");
    println!(
        "lead time p50 {:.1} min observed, {:.1} simulated; p95 {:.1} observed, {:.1} simulated",
        lead.observed[0].estimate,
        lead.simulated[0].estimate,
        lead.observed[1].estimate,
        lead.simulated[1].estimate
    );
    Ok(())
}
