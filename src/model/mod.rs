//! The network: sources, stations, routers and sinks, and the simulation
//! that moves orders through them.
//!
//! Parts are plain data ([`Source`], [`Station`], [`Router`], [`Sink`],
//! [`Interval`]) put together by a [`ModelBuilder`] into a checked [`Model`].
//! A [`Simulation`] runs one replication of a model and yields a
//! [`RunSummary`].

mod arrivals;
mod builder;
mod delay;
mod dispatch;
mod interval;
mod load;
mod order;
mod report;
mod router;
mod simulation;
mod sink;
mod source;
mod station;
mod summary;
mod tax;

pub use arrivals::{CalendarDate, DatedFactor, RateProfile, ScheduledBatch};
pub use builder::ModelBuilder;
pub use delay::Delay;
pub use dispatch::{Dispatch, WeeklyTime};
pub use interval::Interval;
pub use load::{Capacity, NodeLoad, OfferedLoad};
pub use report::ReportSpec;
pub use router::{Comparison, Route, Router, Rule, RuleValue};
pub use simulation::{Simulation, StopReason};
pub use sink::Sink;
pub use source::{DEFAULT_CLASS, Source};
pub use station::{Breakdowns, Overflow, Servers, Station};
pub use summary::{
    Conservation, DispatchSummary, IntervalSummary, NetworkSummary, RunSummary, SinkSummary,
    StationSeries, StationSummary, TaxSummary, TimeSeries,
};
pub use tax::{CategoryRates, CbecTax};

use crate::calendar::{Calendar, WeeklyProfile};
use crate::dist::Dist;
use crate::error::{Error, Result};
use crate::rng::StreamId;
use crate::time::SimTime;
use arrivals::ArrivalProcess;

/// Index of a node in a [`Model`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u16);

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NodeKind {
    Source(usize),
    /// Stations and delays.
    Station(usize),
    Router(usize),
    Dispatch(usize),
    Sink(usize),
}

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

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SourceNode {
    pub(crate) name: String,
    pub(crate) process: ArrivalProcess,
    /// (cumulative share, class), the last share being +∞.
    pub(crate) class_cum: Vec<(f64, u16)>,
    pub(crate) to: NodeId,
    pub(crate) max_arrivals: u64,
    pub(crate) arrivals_stream: StreamId,
    pub(crate) classes_stream: StreamId,
    /// Numeric attributes: (attribute, distribution, stream).
    pub(crate) attribute_draws: Vec<(u16, Dist, StreamId)>,
    /// Categorical attributes: (attribute, cumulative shares → category, stream).
    pub(crate) category_draws: Vec<(u16, Shares, StreamId)>,
}

/// Service time: one draw, or the largest of several (a latest-of delay).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ServiceTime {
    One(Dist),
    LatestOf(Vec<Dist>),
}

/// Where an order goes when the waiting room is full.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum OverflowTarget {
    /// Unlimited room.
    None,
    Reject(NodeId),
    Block,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StationNode {
    pub(crate) name: String,
    pub(crate) node: NodeId,
    pub(crate) servers: Servers,
    /// Servers outside shifts; `u32::MAX` for infinitely many.
    pub(crate) capacity: u32,
    pub(crate) shifts: Option<WeeklyProfile>,
    pub(crate) service: ServiceTime,
    /// Seconds per unit of `service`.
    pub(crate) service_scale: f64,
    /// Attribute multiplying each service time, if any.
    pub(crate) scaled_by: Option<u16>,
    pub(crate) to: NodeId,
    /// One stream per service part.
    pub(crate) service_streams: Vec<StreamId>,
    /// Priority level of each class (index = class id).
    pub(crate) class_level: Vec<u8>,
    pub(crate) levels: usize,
    /// Most jobs waiting; `u32::MAX` without a limit.
    pub(crate) queue_capacity: u32,
    pub(crate) overflow: OverflowTarget,
    /// (up-time in hours, repair time in minutes).
    pub(crate) breakdowns: Option<(Dist, Dist)>,
    /// (patience in minutes, where reneging jobs go).
    pub(crate) patience: Option<(Dist, NodeId)>,
    pub(crate) failure_stream: StreamId,
    pub(crate) repair_stream: StreamId,
    pub(crate) patience_stream: StreamId,
    /// Fixed servers, one FIFO line, no room limit, no patience, no
    /// failures: the simulation takes a shorter path for such stations.
    pub(crate) plain: bool,
}

/// (cumulative share, category or class id), the last share being +∞.
pub(crate) type Shares = Vec<(f64, u16)>;

/// (cumulative probability, target), the last probability being +∞.
pub(crate) type Branches = Vec<(f64, NodeId)>;

/// A routing rule with its attribute terms resolved: the order goes to
/// `to` when the sum of `terms` compared with `value` holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledRule {
    pub(crate) terms: Vec<u16>,
    pub(crate) op: Comparison,
    pub(crate) value: f64,
    pub(crate) to: NodeId,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RouterNode {
    pub(crate) name: String,
    /// Rules tried in order.
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) default: Branches,
    /// Per class id: its own branches, if any.
    pub(crate) by_class: Vec<Option<Branches>>,
    pub(crate) stream: StreamId,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DispatchNode {
    pub(crate) name: String,
    /// Departure times as week offsets in seconds, sorted.
    pub(crate) slots: Vec<f64>,
    pub(crate) batch_size: Option<u32>,
    /// Most parcels per scheduled vehicle; `u32::MAX` without a limit.
    pub(crate) capacity: u32,
    pub(crate) to: NodeId,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SinkNode {
    pub(crate) name: String,
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
    pub(crate) sinks: Vec<SinkNode>,
    pub(crate) classes: Vec<String>,
    pub(crate) attributes: Vec<AttributeInfo>,
    pub(crate) calendar: Calendar,
    pub(crate) sample_every: Option<SimTime>,
    /// Whether any station blocks when full (a fast path skips the check).
    pub(crate) any_blocking: bool,
    pub(crate) milestones: Vec<String>,
    pub(crate) intervals: Vec<String>,
    /// Per milestone: the intervals ending there, with their starting milestone.
    pub(crate) interval_ends: Vec<Vec<(usize, u16)>>,
    pub(crate) horizon: Option<SimTime>,
    pub(crate) warmup: SimTime,
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

    /// The run length, if the model has one.
    #[must_use]
    pub fn horizon(&self) -> Option<SimTime> {
        self.horizon
    }

    /// The warm-up after which statistics restart.
    #[must_use]
    pub fn warmup(&self) -> SimTime {
        self.warmup
    }

    /// Station names, in the order results list them.
    pub fn station_names(&self) -> impl Iterator<Item = &str> {
        self.stations.iter().map(|s| s.name.as_str())
    }

    /// Dispatch point names, in the order results list them.
    pub fn dispatch_names(&self) -> impl Iterator<Item = &str> {
        self.dispatches.iter().map(|s| s.name.as_str())
    }

    /// Attribute names.
    pub fn attribute_names(&self) -> impl Iterator<Item = &str> {
        self.attributes.iter().map(|a| a.name.as_str())
    }

    /// The calendar: the date and time of time zero.
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
        b.horizon = horizon;
        b.warmup = warmup;
        b.build()
    }

    /// The nodes an order at node `i` can go to next; with
    /// `zero_routes`, routes of probability 0 count too.
    fn successors(&self, i: usize, zero_routes: bool) -> Vec<usize> {
        let id = |n: NodeId| n.0 as usize;
        match self.nodes[i].kind {
            NodeKind::Source(k) => vec![id(self.sources[k].to)],
            NodeKind::Station(s) => {
                let st = &self.stations[s];
                let mut v = vec![id(st.to)];
                if let OverflowTarget::Reject(to) = st.overflow {
                    v.push(id(to));
                }
                if let Some((_, to)) = &st.patience {
                    v.push(id(*to));
                }
                v
            }
            NodeKind::Router(r) => {
                let router = &self.routers[r];
                let mut v: Vec<usize> = router.rules.iter().map(|rule| id(rule.to)).collect();
                for branches in
                    std::iter::once(&router.default).chain(router.by_class.iter().flatten())
                {
                    let mut prev = 0.0;
                    for &(cum, to) in branches {
                        let c = if cum.is_infinite() { 1.0 } else { cum };
                        if zero_routes || c - prev > 0.0 {
                            v.push(id(to));
                        }
                        prev = c;
                    }
                }
                v
            }
            NodeKind::Dispatch(d) => vec![id(self.dispatches[d].to)],
            NodeKind::Sink(_) => Vec::new(),
        }
    }

    /// The scenario field that names node `i`, such as `stations.review`.
    fn node_field(&self, i: usize) -> String {
        let b = &self.description;
        let name = match self.nodes[i].kind {
            NodeKind::Source(k) => return format!("sources.{}", self.sources[k].name),
            NodeKind::Station(s) => &self.stations[s].name,
            NodeKind::Router(r) => return format!("routers.{}", self.routers[r].name),
            NodeKind::Dispatch(d) => return format!("dispatches.{}", self.dispatches[d].name),
            NodeKind::Sink(k) => return format!("sinks.{}", self.sinks[k].name),
        };
        if b.delays.contains_key(name) {
            format!("delays.{name}")
        } else {
            format!("stations.{name}")
        }
    }

    /// Parts no order can reach, as warnings: a typo in a route, most
    /// likely, or a path a measure switched off.
    #[must_use]
    pub fn warnings(&self) -> Vec<String> {
        let n = self.nodes.len();
        let mut reached = vec![false; n];
        let mut stack: Vec<usize> = (0..n)
            .filter(|i| matches!(self.nodes[*i].kind, NodeKind::Source(_)))
            .collect();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut reached[i], true) {
                stack.extend(self.successors(i, true));
            }
        }
        (0..n)
            .filter(|i| !reached[*i])
            .map(|i| {
                format!(
                    "{}: no order can reach it: no `to`, route, rule, overflow or renege target leads here",
                    self.node_field(i)
                )
            })
            .collect()
    }

    /// A sink must be reachable from every node an order can get to, or
    /// orders would be trapped in a cycle with no exit.
    fn check_exits(&self) -> Result<()> {
        let n = self.nodes.len();
        let mut pred = vec![Vec::new(); n];
        for i in 0..n {
            for j in self.successors(i, false) {
                pred[j].push(i);
            }
        }
        let mut exits = vec![false; n];
        let mut stack: Vec<usize> = (0..n)
            .filter(|i| matches!(self.nodes[*i].kind, NodeKind::Sink(_)))
            .collect();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut exits[i], true) {
                stack.extend(&pred[i]);
            }
        }
        let mut reached = vec![false; n];
        let mut stack: Vec<usize> = (0..n)
            .filter(|i| matches!(self.nodes[*i].kind, NodeKind::Source(_)))
            .collect();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut reached[i], true) {
                stack.extend(self.successors(i, false));
            }
        }
        // Name a station or delay of the trap if there is one: that is
        // where the orders pile up.
        let trapped = |i: &usize| reached[*i] && !exits[*i];
        let first = (0..n)
            .filter(trapped)
            .find(|i| matches!(self.nodes[*i].kind, NodeKind::Station(_)))
            .or_else(|| (0..n).find(trapped));
        if let Some(i) = first {
            return Err(Error::scenario(
                self.node_field(i),
                "orders that get here can never leave: no route from it leads to a sink (a cycle with no exit)",
            ));
        }
        Ok(())
    }

    /// Every cycle must pass through a station, or an order could loop
    /// forever without time passing.
    fn check_router_cycles(&self) -> Result<()> {
        // 0 = unvisited, 1 = on the current path, 2 = done.
        let mut mark = vec![0u8; self.routers.len()];
        fn visit(m: &Model, r: usize, mark: &mut [u8], path: &mut Vec<usize>) -> Result<()> {
            mark[r] = 1;
            path.push(r);
            let router = &m.routers[r];
            let targets = router
                .default
                .iter()
                .chain(router.by_class.iter().flatten().flatten());
            for &(_, to) in targets {
                if let NodeKind::Router(next) = m.nodes[to.0 as usize].kind {
                    if mark[next] == 1 {
                        let names: Vec<&str> =
                            path.iter().map(|i| m.routers[*i].name.as_str()).collect();
                        return Err(Error::scenario(
                            format!("routers.{}", m.routers[r].name),
                            format!(
                                "routes form a cycle through routers only ({} -> {}); every cycle must pass through a station",
                                names.join(" -> "),
                                m.routers[next].name
                            ),
                        ));
                    }
                    if mark[next] == 0 {
                        visit(m, next, mark, path)?;
                    }
                }
            }
            path.pop();
            mark[r] = 2;
            Ok(())
        }
        for r in 0..self.routers.len() {
            if mark[r] == 0 {
                visit(self, r, &mut mark, &mut Vec::new())?;
            }
        }
        Ok(())
    }
}
