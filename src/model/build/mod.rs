//! [`ModelBuilder`]: the one description of a model, part by part. In
//! Rust it is a builder; in files it is what a scenario's TOML reads into
//! ([`Scenario`](crate::Scenario) is its serde face, adding where the file
//! lives). Here too is the compile driver: it checks the run length
//! (`run_length.rs`, the only place it is checked), compiles every part
//! against the name registry (`registry.rs`) in the order the nodes were
//! registered, and runs the graph checks. Bounds that keep a run from
//! stalling are in `limits.rs`.
//!
//! Each part's own compile step lives with the part (`SourceNode::compile`
//! in `source.rs`, `StationNode::compile` in `station/`, ...).

mod limits;
mod registry;
mod run_length;

pub(crate) use limits::{MAX_BATCH_DRAW, batch_mean, batch_spread, rate};
pub(crate) use registry::{Registry, cumulative};
pub use run_length::{Preroll, RunLength};

use super::dispatch::DispatchNode;
use super::pool::PoolNode;
use super::router::RouterNode;
use super::sink::SinkNode;
use super::source::SourceNode;
use super::station::{OverflowTarget, StationNode};
use super::tax::{CbecTax, CompiledTax};
use super::{
    Delay, Dispatch, Interval, Model, NodeInfo, NodeKind, Pool, ReportSpec, Router, Sink, Source,
    Station, Stock, delay,
};
use crate::calendar::StartTime;
use crate::error::Result;
use crate::time::SimTime;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A model described by named parts: the Rust builder, and the shape of a
/// scenario file; [`build`](ModelBuilder::build) checks every rule and
/// resolves the names.
///
/// Parts refer to each other by name (`to = "review"`), so they can be added
/// in any order. Node names are unique across all kinds of part. Nodes keep
/// the order in which they were added, and results list them in that order
/// (delays after stations).
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(50.0, "review"))
///     .with_station("review", Station::new(1, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(100.0))
///     .build()?;
/// assert_eq!(model.station_names().collect::<Vec<_>>(), ["review"]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
#[must_use]
pub struct ModelBuilder {
    /// Run length and calendar (the `[simulation]` table).
    #[serde(default)]
    pub simulation: RunLength,
    /// Sources by name.
    #[serde(default)]
    pub sources: IndexMap<String, Source>,
    /// Stations by name.
    #[serde(default)]
    pub stations: IndexMap<String, Station>,
    /// Delays by name.
    #[serde(default)]
    pub delays: IndexMap<String, Delay>,
    /// Routers by name.
    #[serde(default)]
    pub routers: IndexMap<String, Router>,
    /// Dispatch points by name.
    #[serde(default)]
    pub dispatches: IndexMap<String, Dispatch>,
    /// Credit pools by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub pools: IndexMap<String, Pool>,
    /// Stocks by name (units on hand restocked by lots).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub stocks: IndexMap<String, Stock>,
    /// Sinks by name.
    #[serde(default)]
    pub sinks: IndexMap<String, Sink>,
    /// Measured milestone intervals by name.
    #[serde(default)]
    pub intervals: IndexMap<String, Interval>,
    /// The composite CBEC tax, if assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<CbecTax>,
    /// Which parts the planner KPIs read, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportSpec>,
}

impl ModelBuilder {
    /// An empty model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the source `name`.
    pub fn with_source(mut self, name: impl Into<String>, source: Source) -> Self {
        self.sources.insert(name.into(), source);
        self
    }

    /// Adds (or replaces) the station `name`.
    pub fn with_station(mut self, name: impl Into<String>, station: Station) -> Self {
        self.stations.insert(name.into(), station);
        self
    }

    /// Adds (or replaces) the delay `name`.
    pub fn with_delay(mut self, name: impl Into<String>, delay: Delay) -> Self {
        self.delays.insert(name.into(), delay);
        self
    }

    /// Adds (or replaces) the router `name`.
    pub fn with_router(mut self, name: impl Into<String>, router: Router) -> Self {
        self.routers.insert(name.into(), router);
        self
    }

    /// Adds (or replaces) the dispatch point `name`.
    pub fn with_dispatch(mut self, name: impl Into<String>, dispatch: Dispatch) -> Self {
        self.dispatches.insert(name.into(), dispatch);
        self
    }

    /// Adds (or replaces) the credit pool `name`.
    pub fn with_pool(mut self, name: impl Into<String>, pool: Pool) -> Self {
        self.pools.insert(name.into(), pool);
        self
    }

    /// Adds (or replaces) the stock `name`.
    pub fn with_stock(mut self, name: impl Into<String>, stock: Stock) -> Self {
        self.stocks.insert(name.into(), stock);
        self
    }

    /// Adds (or replaces) the sink `name`.
    pub fn with_sink(mut self, name: impl Into<String>, sink: Sink) -> Self {
        self.sinks.insert(name.into(), sink);
        self
    }

    /// Measures the interval `name` between two milestones.
    pub fn with_interval(mut self, name: impl Into<String>, interval: Interval) -> Self {
        self.intervals.insert(name.into(), interval);
        self
    }

    /// Assesses the composite CBEC tax on each order (see [`CbecTax`]).
    pub fn with_tax(mut self, tax: CbecTax) -> Self {
        self.tax = Some(tax);
        self
    }

    /// Names the parts the planner KPIs read (see [`ReportSpec`]).
    pub fn with_report(mut self, report: ReportSpec) -> Self {
        self.report = Some(report);
        self
    }

    /// Stops each run at `horizon` (kept in hours, as in files). Without a
    /// horizon, every source needs a `max_arrivals` and a run goes on until
    /// the last order has left.
    pub fn with_horizon(mut self, horizon: SimTime) -> Self {
        self.simulation.horizon_h = Some(horizon.hours());
        self
    }

    /// Discards statistics gathered before `warmup` (counts for conservation
    /// are kept whole).
    pub fn with_warmup(mut self, warmup: SimTime) -> Self {
        self.simulation.warmup_h = warmup.hours();
        self
    }

    /// The local date and time of time zero (default Monday 2024-01-01 00:00).
    pub fn with_start(mut self, start: jiff::civil::DateTime) -> Self {
        self.simulation.start = StartTime(start);
        self
    }

    /// Records queue lengths every `interval`, for charts through a peak.
    pub fn with_time_series(mut self, interval: SimTime) -> Self {
        self.simulation.sample_every_min = Some(interval.minutes());
        self
    }

    /// Where an order's own draws come from (default
    /// [`Synchronisation::ByOrder`](crate::Synchronisation::ByOrder)); see
    /// [`crate::rng`].
    pub fn with_random_numbers(mut self, sync: crate::Synchronisation) -> Self {
        self.simulation.random_numbers = sync;
        self
    }

    /// Checks every rule and compiles the model.
    ///
    /// # Errors
    /// [`Error::Scenario`](crate::Error::Scenario) naming the first offending field, for example
    /// `stations.review.servers: must be at least 1, got 0`.
    pub fn build(self) -> Result<Model> {
        if self.simulation.preroll_h == Preroll::Auto {
            // The rule reads the compiled network: compile without a
            // pre-roll, take the rule's value, compile again with it.
            let mut trial = self.clone();
            trial.simulation.preroll_h = Preroll::Hours(0.0);
            let hours = trial.build()?.auto_preroll_hours();
            let mut b = self;
            b.simulation.preroll_h = Preroll::Hours(hours);
            let mut model = b.build().map_err(|e| match e {
                crate::Error::Scenario { field, reason } if field == "simulation.preroll_h" => {
                    crate::Error::scenario(
                        field,
                        format!(
                            "\"auto\" chose {hours} h (the longest path at each stage's 99th percentile, in whole days), which breaks a rule: {reason}; give a number of hours instead"
                        ),
                    )
                }
                other => other,
            })?;
            model.preroll_auto = true;
            return Ok(model);
        }
        let reg = Registry::new(&self)?;
        compile(reg, self)
    }
}

/// Compiles every part of `b` against the registry `reg`, in the order the
/// nodes were registered, then runs the graph checks.
fn compile(reg: Registry, b: ModelBuilder) -> Result<Model> {
    let run = b.simulation.compile()?;
    if run.horizon.is_none() {
        run_length::check_an_end(&b)?;
    }
    let mut nodes = Vec::new();
    let mut sources = Vec::new();
    for (name, s) in &b.sources {
        nodes.push(NodeInfo::new(NodeKind::Source(sources.len()), None, None));
        sources.push(SourceNode::compile(&reg, name, s, run.horizon)?);
    }
    let mut stations = Vec::new();
    for (name, s) in &b.stations {
        nodes.push(NodeInfo::new(
            NodeKind::Station(stations.len()),
            reg.milestone(&s.milestone),
            reg.increment(&s.increment),
        ));
        stations.push(StationNode::compile(&reg, name, s)?);
    }
    for (name, d) in &b.delays {
        nodes.push(NodeInfo::new(
            NodeKind::Station(stations.len()),
            reg.milestone(&d.milestone),
            reg.increment(&d.increment),
        ));
        stations.push(delay::compile(&reg, name, d)?);
    }
    if let (Some(every), Some(h)) = (run.sample_every, run.horizon) {
        limits::series((h.secs() / every.secs()).floor(), stations.len())?;
    }
    let mut routers = Vec::new();
    for (name, r) in &b.routers {
        nodes.push(NodeInfo::new(
            NodeKind::Router(routers.len()),
            reg.milestone(&r.milestone),
            reg.increment(&r.increment),
        ));
        routers.push(RouterNode::compile(&reg, name, r)?);
    }
    let mut dispatches = Vec::new();
    for (name, d) in &b.dispatches {
        nodes.push(NodeInfo::new(
            NodeKind::Dispatch(dispatches.len()),
            reg.milestone(&d.milestone),
            None,
        ));
        dispatches.push(DispatchNode::compile(&reg, name, d)?);
    }
    let mut pools = Vec::new();
    for (name, p) in &b.pools {
        nodes.push(NodeInfo::new(
            NodeKind::Pool(pools.len()),
            reg.milestone(&p.milestone),
            None,
        ));
        pools.push(PoolNode::compile(&reg, name, p)?);
    }
    for (name, s) in &b.stocks {
        nodes.push(NodeInfo::new(
            NodeKind::Pool(pools.len()),
            reg.milestone(&s.milestone),
            None,
        ));
        pools.push(PoolNode::compile_stock(&reg, name, s)?);
    }
    let mut sinks = Vec::new();
    for (name, s) in &b.sinks {
        nodes.push(NodeInfo::new(
            NodeKind::Sink(sinks.len()),
            reg.milestone(&s.milestone),
            None,
        ));
        sinks.push(SinkNode { name: name.clone() });
    }
    let mut intervals = Vec::new();
    let mut interval_ends = vec![Vec::new(); reg.milestones().len()];
    let mut interval_starts = vec![Vec::new(); reg.milestones().len()];
    let mut interval_milestones = Vec::new();
    for (name, iv) in &b.intervals {
        let from = reg.milestone_named(&format!("intervals.{name}.from"), &iv.from)?;
        let to = reg.milestone_named(&format!("intervals.{name}.to"), &iv.to)?;
        interval_ends[to as usize].push((intervals.len(), from));
        interval_starts[from as usize].push((intervals.len(), to));
        interval_milestones.push((from, to));
        intervals.push(name.clone());
    }
    if let Some(r) = &b.report {
        r.check(&b)?;
    }
    let tax = match &b.tax {
        Some(t) => Some(CompiledTax::compile(&reg, t)?),
        None => None,
    };
    let any_blocking = stations.iter().any(|s| s.overflow == OverflowTarget::Block);
    let (classes, milestones, attributes, calendar) = reg.into_tables();
    // Per class, the stock whose lots it carries (the first, if several).
    let lot_stock = (0..classes.len())
        .map(|c| {
            pools
                .iter()
                .position(|p| {
                    p.stock
                        .as_ref()
                        .is_some_and(|r| usize::from(r.lot_class) == c)
                })
                .map(|p| p as u16)
        })
        .collect();
    let model = Model {
        lot_stock,
        tax,
        report: b.report.clone(),
        any_blocking,
        nodes,
        sources,
        stations,
        routers,
        dispatches,
        pools,
        sinks,
        classes,
        attributes,
        calendar,
        sample_every: run.sample_every,
        by_order: run.random_numbers == crate::Synchronisation::ByOrder,
        milestones,
        intervals,
        interval_ends,
        interval_starts,
        interval_milestones,
        horizon: run.horizon,
        warmup: run.warmup,
        preroll: run.preroll,
        preroll_auto: false,
        drain: run.drain,
        description: b,
    };
    model.check_instant_cycles()?;
    model.check_exits()?;
    model.check_blocking_entries()?;
    Ok(model)
}
