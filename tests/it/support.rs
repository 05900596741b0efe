//! Shared tolerances and helpers. Every statistical tolerance in the suite is
//! derived here from the replications' standard error.

use cbec_sim::stats::OnlineMoments;
use cbec_sim::{Model, Replications, RunSummary, Seed, run_replications};

/// How many standard errors a replication mean may lie from theory.
///
/// With independent replications the mean is close to normal, so a correct
/// engine fails a single check with probability about 6e-5; the seeds are
/// fixed, so a passing suite passes every time.
pub(crate) const Z: f64 = 4.0;

/// Relative error bound of the histogram quantiles (documented in
/// `DurationHistogram`), added to the statistical tolerance of quantile checks.
pub(crate) const HISTOGRAM_REL_ERROR: f64 = 0.01;

/// Replications per analytic check.
pub(crate) const REPLICATIONS: u64 = 40;

pub(crate) fn replicate(model: &Model, seed: u64) -> Vec<RunSummary> {
    run_replications(model, Seed(seed), Replications::first(REPLICATIONS)).unwrap()
}

/// Mean and standard error of `kpi` across replications.
pub(crate) fn across(runs: &[RunSummary], kpi: impl Fn(&RunSummary) -> f64) -> OnlineMoments {
    runs.iter().map(kpi).collect()
}

/// Asserts that the replication mean of a KPI lies within `Z` standard
/// errors (plus `extra`, a documented deterministic error bound) of `expected`.
#[track_caller]
pub(crate) fn assert_matches(what: &str, m: &OnlineMoments, expected: f64, extra: f64) {
    let mean = m.mean().expect("replications");
    let se = m.std_error().expect("at least two replications");
    let tol = Z * se + extra;
    // The figures of docs/validation.md: `cargo test --release --test it -- --nocapture --test-threads 1`.
    println!("VALIDATION\t{what}\t{mean}\t{se}\t{expected}\t{tol}");
    assert!(
        (mean - expected).abs() <= tol,
        "{what}: simulated {mean:.5} ± {se:.5} (se), theory {expected:.5}, tolerance {tol:.5}"
    );
    // A tolerance wider than the effect it checks would make the test toothless.
    assert!(
        tol < 0.1 * expected.abs().max(1e-9) || expected == 0.0,
        "{what}: tolerance {tol} too wide for {expected}"
    );
}
