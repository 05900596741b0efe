//! Calibration from an operator's log, end to end (issue 17): the
//! shipped synthetic operator log (`examples/data/operator/`), its window
//! reads, the holdout check, and `cbec-sim fit`'s scenario.

use cbec_sim::Scenario;
use cbec_sim::calibrate::{EventLog, EventMap, HoldoutOptions, Window, check_holdout};
use jiff::civil::DateTime;

fn manifest(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn operator_map() -> EventMap {
    EventMap::from_path(manifest("examples/data/operator/events.toml")).unwrap()
}

fn cut() -> DateTime {
    "2024-01-22T00:00".parse().unwrap()
}

#[test]
fn a_window_splits_the_log_at_the_cut_without_losing_an_order() {
    let map = operator_map();
    let log = manifest("examples/data/operator/log.csv");
    let whole = EventLog::from_path(&log, &map).unwrap();
    let before = EventLog::from_path_in(&log, &map, Window::until(cut())).unwrap();
    let after = EventLog::from_path_in(&log, &map, Window::from(cut())).unwrap();
    assert_eq!(
        before.end(),
        cut(),
        "the part before is censored at the cut"
    );
    assert_eq!(
        before.arrivals().len() + after.arrivals().len(),
        whole.arrivals().len(),
        "every arrival is on one side of the cut"
    );
    assert_eq!(before.orders() + after.orders(), whole.orders());
    // Stages open at the cut are censored at it, and only there: each
    // censored age is at most the time from the first row to the cut.
    let span = cut().duration_since(whole.start()).as_secs_f64();
    let lead = before.stage("lead_time").unwrap();
    assert!(
        !lead.censored().is_empty(),
        "orders were inside at midnight"
    );
    assert!(lead.censored().iter().all(|c| c.secs() <= span));
    // The orders of the week after: all arrive from the cut.
    let offset = cut().duration_since(after.start()).as_secs_f64();
    assert!(after.arrivals().iter().all(|t| t.secs() >= offset));
}

#[test]
fn the_true_scenario_reproduces_its_own_held_out_week() {
    // The scenario that wrote the log, checked on its own last week: every
    // stage's simulated p50 and p95 must lie within the observed ones'
    // 95% intervals, except by chance. Over the 8 stages x 2 quantiles
    // the chance that a correct check misses one is bounded by the
    // intervals' 5% each plus the simulated mean's own error; we allow
    // at most 3 misses of 16 (Binomial(16, 0.05): P(X >= 4) = 0.007).
    let map = operator_map();
    let truth = Scenario::from_path(manifest("examples/data/operator/truth.toml")).unwrap();
    let check = check_holdout(
        &truth,
        &map,
        manifest("examples/data/operator/log.csv").as_ref(),
        cut(),
        &HoldoutOptions {
            replications: 10,
            ..HoldoutOptions::default()
        },
    )
    .unwrap();
    assert_eq!(check.stages.len(), 8, "{:?}", check.notes);
    let misses: usize = check
        .stages
        .iter()
        .map(|s| s.quantiles_agree().iter().filter(|ok| !**ok).count())
        .sum();
    assert!(misses <= 3, "{misses} misses: {:#?}", check.stages);
    let lead = check.stage("lead_time").unwrap();
    assert!(
        lead.observed_n > 1000,
        "a week of orders: {}",
        lead.observed_n
    );
    assert_eq!(
        check.orders as usize,
        lead.observed_n + lead.observed_censored
    );
    assert_eq!(lead.qq.len(), 99);
}
