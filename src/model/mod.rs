//! The network: its parts, the model they compile into, and the
//! simulation that moves orders through it.
//!
//! Parts are plain data ([`Source`], [`Station`], [`Delay`], [`Router`],
//! [`Dispatch`], [`Pool`], [`Sink`], [`Interval`]) put together by a [`ModelBuilder`]
//! into a checked [`Model`]. A [`Simulation`] runs one replication of a
//! model and yields a [`RunSummary`].
//!
//! # Where things are
//! One file (or folder) per part, holding the part's configuration (the
//! public, serde type a user writes), its compile step (checks with field
//! paths, names resolved to ids, units converted to [`SimTime`]) and its
//! runtime behaviour (methods of [`Simulation`] for the events it handles):
//!
//! | file | part |
//! |---|---|
//! | `source.rs` | sources: Poisson, rate tables, timetables, replay; classes and attributes drawn at arrival |
//! | `arrivals.rs` | the arrival processes behind sources: rate profiles sampled by inversion, timetables, order logs |
//! | `station/` | stations: servers, FIFO and priority lines, service (`mod.rs`, `flow.rs`), shifts and breakdowns (`capacity.rs`), finite rooms with reject or block (`room.rs`), reneging (`patience.rs`), per-run state (`state.rs`) |
//! | `delay.rs` | delays: infinitely many servers, the latest of several parts (run by the station code) |
//! | `router.rs` | routers: rules over attributes, probabilities by class, routing at run time |
//! | `dispatch.rs` | dispatch points: vehicles at scheduled times or full loads |
//! | `pool.rs` | credit pools: a balance drawn by an order attribute, restored by settlements or top-ups; orders that would overdraw it wait in line |
//! | `stock.rs` | stocks: units on hand drawn by orders, restocked by lots that travel the network (a reorder-point rule creates them); orders wait or cancel on a stock-out. The line is the pool's |
//! | `cohort.rs` | each interval's cohort (orders that started it in the observed window, followed to the end of the run) and its window flows |
//! | `daily.rs` | the daily series and the hourly count of orders in the system; the window's dates |
//! | `preroll.rs` | the `"auto"` pre-roll: the longest path at each stage's 99th percentile |
//! | `sink.rs` | sinks: where orders leave the system |
//! | `interval.rs`, `order.rs` | milestones and the intervals between them; the live orders |
//! | `tax.rs`, `report.rs` | the CBEC tax per order; the planner report spec |
//! | `build/` | [`ModelBuilder`], the name registry and its checks (`registry.rs`: node names, replayed values), the run length (`run_length.rs`: horizon, warm-up, sampling, the calendar covering the run), bounds on what inputs can make a run do or hold (`limits.rs`), the compile driver |
//! | `graph.rs` | graph checks: unreachable parts, sources silent within the horizon (warnings); traps, cycles that take no time, blocking rooms fed without a holding server (errors) |
//! | `sim/` | [`Simulation`]: per-run state, the event loop and the same-time rule (`mod.rs`), the order's moves between nodes (`flow.rs`), observation: warm-up, sampling and the summary (`observe.rs`) |
//! | `summary.rs` | [`RunSummary`] and its parts |
//! | `load.rs` | the offered load, computed from the inputs |
//! | `duration.rs` | durations in a unit, converted to [`SimTime`] at compile time |

mod arrivals;
mod build;
mod cohort;
mod daily;
mod delay;
mod dispatch;
mod duration;
mod graph;
mod interval;
mod load;
mod order;
mod order_log;
mod pool;
mod preroll;
mod report;
mod router;
mod sim;
mod sink;
mod source;
mod station;
mod stock;
mod summary;
mod summary_text;
mod tax;
mod trace;

pub use arrivals::{CalendarDate, DatedFactor, RateProfile, ScheduledBatch};
pub use build::{ModelBuilder, Preroll, RunLength};
pub use cohort::Cohort;
pub use daily::{DayCount, DayStation, DaySummary, Hourly};
pub use delay::Delay;
pub use dispatch::{Dispatch, WeeklyTime};
pub use interval::Interval;
pub use load::{Capacity, NodeLoad, OfferedLoad};
pub(crate) use order_log::MAX_LOG_BYTES;
pub use order_log::OrderLog;
pub use pool::{Pool, TopUp};
pub use report::ReportSpec;
pub use router::{Comparison, Route, Router, Rule, RuleValue};
pub use sim::{MemoryUse, Simulation, StopReason};
pub use sink::Sink;
pub use source::{DEFAULT_CLASS, Source};
pub use station::{Breakdowns, Overflow, Servers, Station};
pub use stock::{Lots, RaisedReorder, Reorder, Stock};
pub use summary::{
    ClassTimes, Conservation, DispatchSummary, IntervalSummary, NetworkSummary, PoolSummary,
    RunSummary, SinkSummary, StationSeries, StationSummary, StockSummary, TaxSummary, TimeSeries,
};
pub use tax::{CategoryRates, CbecTax, FreightInsurance};
pub use trace::{Observer, OrderEvent, OrderRecord, ResourceRecord};

use crate::calendar::Calendar;
use crate::error::Result;
use crate::time::SimTime;
use dispatch::DispatchNode;
use pool::PoolNode;
use router::RouterNode;
use sink::SinkNode;
use source::SourceNode;
use station::StationNode;

/// Index of a node in a [`Model`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u16);

/// What a node is, with its index among the parts of its kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NodeKind {
    Source(usize),
    /// Stations and delays.
    Station(usize),
    Router(usize),
    Dispatch(usize),
    Pool(usize),
    Sink(usize),
}

/// What every node has: its kind, and what entering it marks on an order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeInfo {
    pub(crate) kind: NodeKind,
    pub(crate) milestone: Option<u16>,
    /// Attribute incremented on entry.
    pub(crate) increment: Option<u16>,
    /// Whether entering stamps a milestone or bumps a counter (fast path).
    pub(crate) marks: bool,
}

impl NodeInfo {
    pub(crate) fn new(kind: NodeKind, milestone: Option<u16>, increment: Option<u16>) -> Self {
        NodeInfo {
            kind,
            milestone,
            increment,
            marks: milestone.is_some() || increment.is_some(),
        }
    }
}

/// A per-order attribute: numeric, or categorical with its category names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AttributeInfo {
    pub(crate) name: String,
    pub(crate) categories: Option<Vec<String>>,
}

/// (cumulative share, category or class id), the last share being +∞.
pub(crate) type Shares = Vec<(f64, u16)>;

/// A count that may have no limit: servers on shift, waiting-room places,
/// places on a vehicle.
///
/// "No limit" is the named value [`Limit::NONE`], not a number a user can
/// write: the compile step refuses finite counts that would collide with it
/// (see [`build::Registry::limit`]). Comparisons cost what a `u32`
/// comparison costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limit(u32);

impl Limit {
    /// No limit.
    pub(crate) const NONE: Limit = Limit(u32::MAX);
    /// Nothing fits.
    pub(crate) const ZERO: Limit = Limit(0);
    /// The largest finite limit.
    pub(crate) const MAX_FINITE: u32 = u32::MAX - 1;

    /// At most `n` (`n` <= [`Limit::MAX_FINITE`], checked when compiling).
    pub(crate) fn at_most(n: u32) -> Limit {
        debug_assert!(n <= Self::MAX_FINITE, "finite limit {n} collides with NONE");
        Limit(n.min(Self::MAX_FINITE))
    }

    /// Whether one more fits when `n` are taken.
    #[inline(always)]
    pub(crate) fn admits(self, n: u32) -> bool {
        n < self.0
    }

    /// How far `n` goes past the limit (0 without one).
    #[inline(always)]
    pub(crate) fn excess(self, n: u32) -> u32 {
        n.saturating_sub(self.0)
    }

    /// The limit, or `None` without one.
    pub(crate) fn finite(self) -> Option<u32> {
        (self != Limit::NONE).then_some(self.0)
    }

    /// `n`, capped at the limit.
    pub(crate) fn cap(self, n: usize) -> usize {
        match self.finite() {
            Some(k) => n.min(k as usize),
            None => n,
        }
    }
}

/// A checked network, ready to simulate.
///
/// Built by [`ModelBuilder::build`] or from a scenario file with
/// [`Scenario::build`](crate::Scenario::build); both paths give equal models
/// for equal descriptions. A `Model` is immutable and `Sync`: replications on
/// many threads share it.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub(crate) nodes: Vec<NodeInfo>,
    pub(crate) sources: Vec<SourceNode>,
    pub(crate) stations: Vec<StationNode>,
    pub(crate) routers: Vec<RouterNode>,
    pub(crate) dispatches: Vec<DispatchNode>,
    pub(crate) pools: Vec<PoolNode>,
    /// Per class, the stock (a pool index) whose lots it carries, if any:
    /// an order of such a class arriving at any stock is a lot.
    pub(crate) lot_stock: Vec<Option<u16>>,
    pub(crate) sinks: Vec<SinkNode>,
    pub(crate) classes: Vec<String>,
    pub(crate) attributes: Vec<AttributeInfo>,
    pub(crate) calendar: Calendar,
    pub(crate) sample_every: Option<SimTime>,
    /// Whether orders draw from their own keys
    /// ([`crate::Synchronisation::ByOrder`]).
    pub(crate) by_order: bool,
    /// Whether any station blocks when full (a fast path skips the check).
    pub(crate) any_blocking: bool,
    pub(crate) milestones: Vec<String>,
    pub(crate) intervals: Vec<String>,
    /// Per milestone: the intervals ending there, with their starting milestone.
    pub(crate) interval_ends: Vec<Vec<(usize, u16)>>,
    /// Per milestone: the intervals starting there, with their ending milestone.
    pub(crate) interval_starts: Vec<Vec<(usize, u16)>>,
    /// Per interval: its (from, to) milestones.
    pub(crate) interval_milestones: Vec<(u16, u16)>,
    /// End of the window on the run clock (pre-roll included).
    pub(crate) horizon: Option<SimTime>,
    /// Opening of the window on the run clock (pre-roll included).
    pub(crate) warmup: SimTime,
    /// The calendar start on the run clock.
    pub(crate) preroll: SimTime,
    /// Whether the pre-roll was chosen by the `"auto"` rule.
    pub(crate) preroll_auto: bool,
    /// The longest drain after the horizon.
    pub(crate) drain: SimTime,
    pub(crate) tax: Option<tax::CompiledTax>,
    pub(crate) report: Option<ReportSpec>,
    pub(crate) description: ModelBuilder,
}

impl Model {
    /// Starts describing a model.
    pub fn builder() -> ModelBuilder {
        ModelBuilder::new()
    }

    /// The description the model was built from.
    pub fn description(&self) -> &ModelBuilder {
        &self.description
    }

    /// The horizon, from the calendar start (`simulation.horizon_h`), if
    /// the model has one. On the run clock the window ends at
    /// [`Model::preroll`] plus this.
    #[must_use]
    pub fn horizon(&self) -> Option<SimTime> {
        self.horizon.map(|h| h - self.preroll)
    }

    /// Whose random numbers the orders' own draws use
    /// (`simulation.random_numbers`).
    #[must_use]
    pub fn random_numbers(&self) -> crate::Synchronisation {
        if self.by_order {
            crate::Synchronisation::ByOrder
        } else {
            crate::Synchronisation::ByNode
        }
    }

    /// The warm-up after the calendar start (`simulation.warmup_h`), after
    /// which statistics restart.
    #[must_use]
    pub fn warmup(&self) -> SimTime {
        self.warmup - self.preroll
    }

    /// The pre-roll: how long each run goes before the calendar start
    /// (time zero of the run clock is the start less this).
    #[must_use]
    pub fn preroll(&self) -> SimTime {
        self.preroll
    }

    /// Whether [`Model::preroll`] was chosen by the `"auto"` rule (see
    /// [`Preroll`](crate::model::Preroll)).
    #[must_use]
    pub fn preroll_is_auto(&self) -> bool {
        self.preroll_auto
    }

    /// The longest drain after the horizon (`simulation.drain_h`).
    #[must_use]
    pub fn drain(&self) -> SimTime {
        self.drain
    }

    /// The observed window on the run clock: from the end of the pre-roll
    /// and warm-up to the horizon (`None` without a horizon).
    #[must_use]
    pub fn window(&self) -> Option<std::ops::Range<SimTime>> {
        Some(self.warmup..self.horizon?)
    }

    /// Station names, in the order results list them.
    pub fn station_names(&self) -> impl Iterator<Item = &str> {
        self.stations.iter().map(|s| s.name.as_str())
    }

    /// Dispatch point names, in the order results list them.
    pub fn dispatch_names(&self) -> impl Iterator<Item = &str> {
        self.dispatches.iter().map(|s| s.name.as_str())
    }

    /// Credit pool names, in the order results list them (stocks are
    /// listed by [`Model::stock_names`]).
    pub fn pool_names(&self) -> impl Iterator<Item = &str> {
        self.pools
            .iter()
            .filter(|s| s.stock.is_none())
            .map(|s| s.name.as_str())
    }

    /// Stock names, in the order results list them.
    pub fn stock_names(&self) -> impl Iterator<Item = &str> {
        self.pools
            .iter()
            .filter(|s| s.stock.is_some())
            .map(|s| s.name.as_str())
    }

    /// Attribute names.
    pub fn attribute_names(&self) -> impl Iterator<Item = &str> {
        self.attributes.iter().map(|a| a.name.as_str())
    }

    /// The calendar: the date and time of time zero of the run clock (the
    /// calendar start less the pre-roll).
    #[must_use]
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Sink names, in the order results list them.
    pub fn sink_names(&self) -> impl Iterator<Item = &str> {
        self.sinks.iter().map(|s| s.name.as_str())
    }

    /// Class names, sorted.
    #[must_use]
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// A copy of the model with a different horizon and warm-up.
    ///
    /// # Errors
    /// As [`ModelBuilder::build`], if the new run length breaks a rule.
    pub fn with_run_length(&self, horizon: Option<SimTime>, warmup: SimTime) -> Result<Model> {
        let mut b = self.description.clone();
        b.simulation.horizon_h = horizon.map(SimTime::hours);
        b.simulation.warmup_h = warmup.hours();
        if self.preroll_auto {
            b.simulation.preroll_h = crate::model::Preroll::Auto;
        }
        b.build()
    }
}

#[cfg(test)]
mod tests {
    use super::Limit;

    #[test]
    fn limit_admits_below_and_none_admits_all() {
        let two = Limit::at_most(2);
        assert!(two.admits(0) && two.admits(1) && !two.admits(2));
        assert!(!Limit::ZERO.admits(0));
        assert!(Limit::NONE.admits(Limit::MAX_FINITE));
        assert_eq!(two.finite(), Some(2));
        assert_eq!(Limit::NONE.finite(), None);
    }

    #[test]
    fn limit_excess_and_cap() {
        assert_eq!(Limit::at_most(3).excess(5), 2);
        assert_eq!(Limit::at_most(3).excess(2), 0);
        assert_eq!(Limit::NONE.excess(u32::MAX - 1), 0);
        assert_eq!(Limit::at_most(3).cap(10), 3);
        assert_eq!(Limit::NONE.cap(10), 10);
    }
}
