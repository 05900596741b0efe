//! # cbec-sim
//!
//! Discrete-event Monte Carlo simulation of cross-border e-commerce (CBEC)
//! import orders moving through a bonded logistics centre and the customs
//! clearance queues around it.
//!
//! Describe a network of sources, stations, routers and sinks (in Rust or in a
//! TOML scenario file), run independent replications in parallel, and read
//! waiting times, queue lengths, utilisation and lead times with their
//! spread. The engine reproduces queueing theory (Erlang B and C,
//! Pollaczek–Khinchine, Jackson networks, Little's law); the proofs are the
//! integration tests.
//!
//! ```text
//!  Source ──> Station ──> Router ──p──> Station ──> Sink
//!  (Poisson,  (c servers,   │ (by class,  (inspection)  (released)
//!   classes)   FIFO queue)  │  probability)
//!                           └──1-p────────────────────> Sink
//! ```
//!
//! ## Quick start
//!
//! ```
#![doc = include_str!("../examples/quickstart.rs")]
//! ```
//!
//! ## Concepts
//!
//! - **dist**: [`Dist`], a validated distribution read from `{ dist = "...", ... }`.
//! - **engine**: the event calendar and the arena of orders (internal).
//! - **calendar**: the start date and time of a run, weekdays, clock times
//!   and shift rules ([`calendar`]); local port time, no daylight saving.
//! - **model**: the parts, each documented with its exact semantics:
//!   - [`Source`]: Poisson, a rate table by hour, weekday and date
//!     ([`RateProfile`], sampled exactly), a timetable of batches
//!     ([`ScheduledBatch`]), or the replay of a CSV order log; class mix,
//!     numeric and categorical attributes drawn at arrival;
//!   - [`Station`]: `c` or infinitely many servers, FIFO or non-preemptive
//!     priority classes, shifts ([`Shift`]), a finite waiting room with an
//!     [`Overflow`] rule (reject to a node, or block upstream), breakdowns
//!     ([`Breakdowns`]), reneging after a patience time;
//!   - [`Delay`]: infinitely many servers, the latest of several parts;
//!   - [`Router`]: attribute [`Rule`]s, then probabilities by class; attempt
//!     counters bound rework loops;
//!   - [`Dispatch`]: vehicles at scheduled times and/or full loads, with a capacity;
//!   - [`Pool`]: a credit balance drawn by an order attribute (a tax guarantee), restored by settlements or top-ups; orders that would overdraw it wait;
//!   - [`Sink`] and milestone [`Interval`]s;
//!   - [`CbecTax`]: the composite CBEC tax per order, summed per run;
//!   - [`ReportSpec`]: the parts the planner KPIs read;
//!
//!   put together by a [`ModelBuilder`] into a checked [`Model`]. A
//!   [`Simulation`] is one replication; it yields a [`RunSummary`].
//! - **scenario**: [`Scenario`], the TOML form of a model; [`Measure`], a
//!   named set of [`Patch`]es on a scenario by parameter path (the October
//!   2024 Hongqiao measures are built in: [`Measure::builtin`]).
//!
//! ## The Hongqiao model
//!
//! `scenarios/hongqiao_baseline.toml` and `scenarios/hongqiao_double11.toml`
//! describe the Hongqiao Bonded Logistics Center (1210 bonded import, 9610
//! direct mail at the airport, the exhibition outflow and the general-trade
//! conformity path) as data: the same parts any other port would use.
//!
//! ```
//! # fn main() -> cbec_sim::Result<()> {
//! use cbec_sim::experiment::{Difference, differences};
//! use cbec_sim::{Measure, Replications, Scenario, Seed, run_replications};
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/hongqiao_baseline.toml");
//! let baseline = Scenario::from_path(path)?;
//! let measures = Measure::builtin();
//! let seven_by_24 = Measure::find(&measures, "expedited_clearance_7x24")?;
//! let variant = baseline.with_measures([seven_by_24])?;
//! // Same seed and replications: common random numbers.
//! let (seed, reps) = (Seed(1), Replications::first(2));
//! let b = run_replications(&baseline.build()?, seed, reps.clone())?;
//! let v = run_replications(&variant.build()?, seed, reps)?;
//! let diffs = differences(&b, &v);
//! let clearance = Difference::find(&diffs, "clearance_mean_min")?;
//! assert!(clearance.effect.mean.unwrap() < 0.0, "7x24 review shortens clearance");
//! # Ok(()) }
//! ```
//! - **experiment**: [`Experiment`], replications of a model with a [`Seed`]
//!   and a range of [`Replications`], parallel and reproducible; shards,
//!   precision stopping and interruption are its options
//!   ([`experiment`]); [`run_replications`] is its shortest form.
//! - **stats**: streaming, mergeable statistics ([`stats`]).
//! - **theory**: closed-form queueing results ([`theory`]).
//! - **calibrate**: operators' event logs read in one streaming pass
//!   against an event map (stage durations with censoring, route counts,
//!   arrivals), and synthetic logs written from a simulation ([`calibrate`]).
//!
//! ## Reproducibility guarantees
//!
//! - A replication is a pure function of (model, master seed, replication
//!   index). Each random source (a source's arrivals, its class draws, a
//!   station's service, a router's decisions) has its own stream, seeded from
//!   (master seed, replication, stream id) as documented in [`rng`]. The
//!   stream id comes from the node's name, so adding or reordering other
//!   nodes does not change a node's draws.
//! - Replications are merged in index order: the same inputs give the same
//!   numbers, bit for bit, on one thread or many.
//! - The generator is `Xoshiro256PlusPlus`, a named portable algorithm.
//!
//! ## Same-time event ordering
//!
//! Events are ordered by time, then by [`EventClass`], then by the order in
//! which they were scheduled (FIFO). At one instant `t`:
//!
//! 1. every **completion** at `t` happens (the server is freed and takes the
//!    head of its queue), in scheduling order;
//! 2. every **capacity change** at `t` happens;
//! 3. the orders that completed at `t` **move on** to their next node, in the
//!    order they completed, passing through routers and into sinks at once;
//! 4. new **arrivals** from sources at `t` enter, in scheduling order;
//! 5. **observations** at `t` (end of warm-up) see the result.
//!
//! So a departure at `t` frees its server before any arrival at `t`, whether
//! that arrival comes from outside or from another station: an order never
//! queues behind one that leaves at the same instant. Events at exactly the
//! horizon are processed.
//!
//! ## Time
//!
//! The clock is in seconds ([`SimTime`]); files carry their unit in the field
//! name (`horizon_h`, `service_time_min`, `rate_per_hour`).
//!
//! ## Feature flags
//!
//! - `parallel` (default): replications run on rayon. Without it they run on
//!   the calling thread, with identical results.
//! - `cli` (default): the `cbec-sim` command-line program.
//! - `report` (default, with `cli`): SVG charts and the HTML report. The
//!   [`report`] module's documents, text tables and CSV are always there.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

pub mod calendar;
pub mod calibrate;
mod dist;
mod engine;
mod error;
mod excerpt;
pub mod experiment;
mod model;
pub mod presets;
pub mod report;
pub mod rng;
mod scenario;
pub mod stats;
mod suggest;
pub mod theory;
mod time;

pub use calendar::{Calendar, ClockTime, Day, Shift, StartTime};
pub use dist::{Dist, DistSpec, PROB_SUM_TOLERANCE};
pub use engine::EventClass;
pub use error::{DistError, Error, IoAction, ParseError, Result};
pub use experiment::{Experiment, ExperimentResult, Replications, Seed, run_replications};
pub use model::{
    Breakdowns, CalendarDate, Capacity, CategoryRates, CbecTax, ClassTimes, Cohort, Comparison,
    Conservation, DEFAULT_CLASS, DatedFactor, DayCount, DayStation, DaySummary, Delay, Dispatch,
    DispatchSummary, FreightInsurance, Hourly, Interval, IntervalSummary, Lots, MemoryUse, Model,
    ModelBuilder, NetworkSummary, NodeId, NodeLoad, Observer, OfferedLoad, OrderEvent, OrderLog,
    OrderRecord, Overflow, Pool, PoolSummary, Preroll, RaisedReorder, RateProfile, Reorder,
    ReportSpec, ResourceRecord, Route, Router, Rule, RuleValue, RunLength, RunSummary,
    ScheduledBatch, Servers, Simulation, Sink, SinkSummary, Source, Station, StationSeries,
    StationSummary, Stock, StockSummary, StopReason, TaxSummary, TimeSeries, TopUp, WeeklyTime,
};
pub use rng::{KeyedRng, StreamId, Synchronisation};
pub use scenario::{
    Assumption, AssumptionValue, Assumptions, Measure, MeasureKind, Patch, PatchOp, RangeShape,
    Scenario,
};
pub use time::{SimTime, TimeUnit};
