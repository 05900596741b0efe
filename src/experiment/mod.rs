//! Replications of a model: independent, reproducible, run in parallel.
//!
//! Replication `i` of a model under master seed `s` is a pure function of
//! (model, `s`, `i`) (see [`crate::rng`] for the stream derivation), and
//! results come back in replication order, so the numbers are the same bit
//! for bit on any thread count.
//!
//! - [`Experiment`]: the one entry point. A [`Seed`], a range of
//!   [`Replications`] (a whole study or a shard), and options: a
//!   [`Precision`] stopping rule, a stop flag (Ctrl-C), an observer
//!   (progress), keeping every [`RunSummary`]. It returns an
//!   [`ExperimentResult`], and [`Experiment::run_folding`] also hands each
//!   summary in index order to a fold (for charts) so none has to be
//!   kept; [`run_replications`] is its shortest form;
//! - [`KpiCatalogue`], [`KpiId`] and [`KpiEstimate`]: every KPI of a run,
//!   looked up by checked name, with its 95% Student-t interval over
//!   replications;
//! - [`compare`]: paired effects of a variant on common random numbers,
//!   from runs ([`differences`]) or from the KPI rows of two shards
//!   ([`differences_of_shards`]);
//! - [`sweep`] and [`factorial`]: designed experiments, each stoppable
//!   ([`sweep_with_stop`], [`factorial_with_stop`]);
//! - [`mser5`] and [`suggest_warmup`]: an automatic warm-up;
//! - [`ShardResult`]: results of a replication range that merge exactly.

mod capacity;
mod compare;
mod designs;
mod estimate;
mod kpi;
mod planner;
mod replications;
mod resource_spec;
mod robustness;
mod runner;
pub mod sensitivity;
mod shard;
mod startup;
mod stopping;
mod unit;
mod warmup;

pub use capacity::{
    Capacity, CapacityOptions, Confirmation, PlanResult, Resource, ServiceTarget, TargetResult,
    capacity,
};
pub use compare::{
    Difference, Verdict, compare, differences, differences_of_shards, quantile_resolution,
};
pub use designs::{
    Effect, Factorial, FactorialDesign, Sweep, SweepPoint, Target, factorial, factorial_all,
    factorial_with_stop, sweep, sweep_of_shards, sweep_with_stop,
};
pub(crate) use kpi::kpi_index;
pub use kpi::{KpiCatalogue, KpiEstimate, KpiId, growing_backlog, pooled_time_in_system};
pub use planner::{daily_kpi_names, planner_kpi_names, quantile_flags, result_flags};
pub use replications::{Replications, Seed};
pub use robustness::{
    Driver, EffectRobustness, Robustness, RobustnessOptions, Split, VariantRobustness,
    latin_hypercube, robustness,
};
pub use runner::{Experiment, ExperimentResult};
pub use shard::{
    CHUNK, MAX_SHARD_FILE_BYTES, MAX_SHARD_ITEMS, SHARD_FORMAT_VERSION, ShardResult,
    model_fingerprint,
};
pub use startup::{StartupCheck, StartupKpi, headline_kpis, startup_check};
pub use stopping::{Precision, StopDecision};
pub use unit::kpi_unit;
pub use warmup::{mser5, suggest_warmup};

use crate::error::Result;
use crate::model::{Model, RunSummary};

/// The summaries of replications `replications` of `model` under `seed`,
/// in index order: `Experiment::new(model).with_seed(seed).with_replications(replications).run_summaries()`,
/// in parallel when the `parallel` feature is on.
///
/// # Errors
/// [`Error::Experiment`](crate::Error::Experiment) if the range is empty.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{Replications, Seed};
/// use cbec_sim::{run_replications, Dist, Model, SimTime, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(30.0, "desk"))
///     .with_station("desk", Station::new(1, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(50.0))
///     .build()?;
/// let runs = run_replications(&model, Seed(42), Replications::first(8))?;
/// assert_eq!(runs.len(), 8);
/// assert_eq!(runs[3].replication, 3);
/// # Ok(()) }
/// ```
pub fn run_replications(
    model: &Model,
    seed: Seed,
    replications: Replications,
) -> Result<Vec<RunSummary>> {
    Experiment::new(model)
        .with_seed(seed)
        .with_replications(replications)
        .run_summaries()
}
