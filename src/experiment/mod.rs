//! Replications of a model: independent, reproducible, run in parallel.
//!
//! Replication `i` of a model under master seed `s` is a pure function of
//! (model, `s`, `i`) (see [`crate::rng`] for the stream derivation), and
//! results come back in replication order, so the numbers are the same bit
//! for bit on any thread count.
//!
//! On top of that:
//! - [`KpiCatalogue`] and [`KpiEstimate`]: every KPI of a run, with its 95%
//!   Student-t interval over replications;
//! - [`compare`]: paired effects of a variant on common random numbers;
//! - [`sweep`] and [`factorial`]: designed experiments;
//! - [`run_until`]: a fixed count, or until a KPI is precise enough;
//! - [`mser5`] and [`suggest_warmup`]: an automatic warm-up;
//! - [`ShardResult`]: results of a replication range that merge exactly.

mod compare;
mod designs;
mod kpi;
mod shard;
mod stopping;
mod warmup;

pub use compare::{Difference, Verdict, compare, differences};
pub use designs::{Effect, Factorial, Sweep, SweepPoint, Target, factorial, factorial_all, sweep};
pub use kpi::{
    KpiCatalogue, KpiEstimate, growing_backlog, planner_kpi_names, pooled_time_in_system,
};
pub use shard::{CHUNK, SHARD_FORMAT_VERSION, ShardResult, model_fingerprint};
pub use stopping::{StopDecision, StoppingRule, run_until};
pub use warmup::{mser5, suggest_warmup};

use crate::model::{Model, RunSummary, Simulation};

/// Runs replications `range` of `model` under `seed`, in parallel when the
/// `parallel` feature is on, and returns their summaries in index order.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{run_replications, Dist, Model, SimTime, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(30.0, "desk"))
///     .with_station("desk", Station::new(1, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(50.0))
///     .build()?;
/// let runs = run_replications(&model, 42, 0..8);
/// assert_eq!(runs.len(), 8);
/// assert_eq!(runs[3].replication, 3);
/// # Ok(()) }
/// ```
pub fn run_replications(model: &Model, seed: u64, range: std::ops::Range<u64>) -> Vec<RunSummary> {
    run_replications_observed(model, seed, range, |_| {})
}

/// [`run_replications_observed`] that skips every replication not yet
/// started once `go_on` returns false (`None` in its place).
pub(crate) fn run_replications_observed_while(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    done: impl Fn(u64) + Sync,
    go_on: impl Fn() -> bool + Sync,
) -> Vec<Option<RunSummary>> {
    let one = |i: u64| {
        if !go_on() {
            return None;
        }
        let r = Simulation::new(model, seed, i).run();
        done(i);
        Some(r)
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        range.into_par_iter().map(one).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        range.map(one).collect()
    }
}

/// [`run_replications`], calling `done(index)` as each replication
/// finishes (from whichever thread ran it, in no particular order): for
/// progress bars. The results are the same as without an observer.
pub fn run_replications_observed(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    done: impl Fn(u64) + Sync,
) -> Vec<RunSummary> {
    let one = |i: u64| {
        let r = Simulation::new(model, seed, i).run();
        done(i);
        r
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        range.into_par_iter().map(one).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        range.map(one).collect()
    }
}
