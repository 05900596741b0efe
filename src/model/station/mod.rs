//! Stations: servers fed by one waiting line, FIFO or by priority.
//!
//! This file holds the configuration ([`Station`], [`Servers`],
//! [`Overflow`]), the compiled form ([`StationNode`]) and its compile step.
//! The runtime behaviour is beside it: the service cycle in `flow.rs`;
//! shifts and breakdowns in `capacity.rs`; finite rooms (reject or block)
//! in `room.rs`; reneging in `patience.rs`; per-run state and statistics
//! in `state.rs`. Delays ([`crate::Delay`]) compile into stations with
//! infinitely many servers and run on the same code.
//!
//! Invariants at run time: `busy + held <= capacity` except during
//! overtime after a shift change (a job in service is finished); `waiting`
//! equals the jobs in the priority lines; a job's wait is recorded when its
//! service starts.

mod capacity;
mod flow;
mod patience;
mod room;
mod state;

pub(crate) use capacity::BreakdownTimes;
pub use capacity::Breakdowns;
pub(crate) use patience::Patience;
pub(crate) use state::StationState;

use super::build::Registry;
use super::duration::DurationDist;
use super::{Limit, NodeId};
use crate::calendar::{Shift, WeeklyProfile};
use crate::dist::Dist;
use crate::error::{Error, Result};
use crate::rng::StreamId;
use crate::time::{SimTime, TimeUnit};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// How many jobs a station serves at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Servers {
    /// `c` identical servers sharing one queue (`c` >= 1).
    Finite(u32),
    /// Every job starts service on arrival; nothing ever queues (a pure delay).
    Infinite,
}

impl Servers {
    /// The number of servers, or `None` for infinitely many.
    #[must_use]
    pub const fn count(self) -> Option<u32> {
        match self {
            Servers::Finite(c) => Some(c),
            Servers::Infinite => None,
        }
    }
}

/// In files: a whole number, or the word `"infinite"`.
impl Serialize for Servers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Servers::Finite(c) => s.serialize_u32(*c),
            Servers::Infinite => s.serialize_str("infinite"),
        }
    }
}

impl<'de> Deserialize<'de> for Servers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Count(i64),
            Fraction(f64),
            Word(String),
        }
        match Repr::deserialize(d)
            .map_err(|_| D::Error::custom("servers: must be a whole number or \"infinite\""))?
        {
            Repr::Count(c) => u32::try_from(c)
                .ok()
                .filter(|n| *n <= Limit::MAX_FINITE)
                .map(Servers::Finite)
                .ok_or_else(|| {
                    D::Error::custom(format!(
                        "servers: must be between 1 and {}, got {c}",
                        Limit::MAX_FINITE
                    ))
                }),
            Repr::Fraction(x) => Err(D::Error::custom(format!(
                "servers: must be a whole number or \"infinite\", got {x}"
            ))),
            Repr::Word(w) if w == "infinite" => Ok(Servers::Infinite),
            Repr::Word(w) => Err(D::Error::custom(format!(
                "servers: must be a whole number or \"infinite\", got \"{w}\""
            ))),
        }
    }
}

/// What happens to an order that finds a finite waiting room full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Overflow {
    /// The order goes at once to the named node (usually a sink), counted
    /// as *rejected*. In files: `overflow = { reject_to = "turned_away" }`.
    RejectTo(String),
    /// The order stays where it is until room frees: the station (or
    /// delay) that just served it keeps its server busy (*blocked*)
    /// meanwhile, counted in that station's blocked time. Blocked orders
    /// enter in the order they were blocked. In files: `overflow = "block"`.
    ///
    /// Only a station's service can hold an order, so a blocking station
    /// may be fed only by stations and delays (through routers): a model
    /// where a source, a dispatch point, an overflow or a renege sends
    /// orders to it is refused, since those orders would wait outside
    /// counted in no queue, wait or blocked time. Put a station in front
    /// (its wait then counts them), or turn them away with `reject_to`.
    Block,
}

/// A queueing station: servers fed by one waiting line.
///
/// # Semantics
/// - An arriving job starts service at once if a server is free (on shift,
///   station up), otherwise it waits (and counts as *queued*).
/// - The waiting line is FIFO within a priority level; with `priorities`,
///   a freed server takes the oldest job of the most urgent level (0 first;
///   classes not listed come after every listed level). Priority is
///   **non-preemptive**: a job in service is never interrupted.
/// - When a service ends, the freed server takes the next job at that same
///   instant, before the finished job moves on.
/// - `shifts` set the number of servers by time of week (`servers` holds
///   outside every shift). When a shift ends, **a job in service is
///   finished** by its server, and the time past the shift end counts as
///   *overtime*; no new job starts until enough servers are on shift. When
///   servers come on shift, waiting jobs start at once. Utilisation is busy
///   time within shifts over server time on shift.
/// - `queue_capacity` limits the number waiting (not counting those in
///   service); what happens beyond is `overflow`.
/// - `patience_min`: a waiting job whose patience runs out before its
///   service starts leaves for `renege_to` (*reneged*).
/// - Service times are drawn from `service_time_min`, in minutes, from the
///   station's own random stream, when service starts.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Day, Dist, Shift, Station};
/// let review = Station::new(2, Dist::lognormal(10.0, 1.0)?, "pick_pack")
///     .with_shift(Shift::new(&Day::WEEKDAYS, "08:30", "17:30", 6)?)
///     .with_priority("express", 0)
///     .with_milestone("reviewed");
/// assert_eq!(review.servers.count(), Some(2));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Station {
    /// Number of servers (outside any shift).
    pub servers: Servers,
    /// Service time per job, in minutes.
    pub service_time_min: Dist,
    /// A numeric attribute that multiplies the service time: with
    /// `service_scaled_by = "items"`, `service_time_min` is the time per
    /// item and an order of 3 items takes 3 times one draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_scaled_by: Option<String>,
    /// The node a job goes to when its service ends.
    pub to: String,
    /// Milestone stamped on a job when it first enters this station.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
    /// Attribute incremented by 1 each time a job enters (an attempt counter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<String>,
    /// Servers by time of week; later shifts override earlier ones where they overlap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shifts: Vec<Shift>,
    /// Class name → priority level (0 is served first).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub priorities: BTreeMap<String, u8>,
    /// Most jobs that may wait (excluding those in service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_capacity: Option<u32>,
    /// What happens when the waiting room is full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overflow: Option<Overflow>,
    /// Station failures and repairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdowns: Option<Breakdowns>,
    /// How long a job waits before giving up, minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patience_min: Option<Dist>,
    /// Where jobs that give up go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renege_to: Option<String>,
}

impl Station {
    /// `servers` servers with the given service time (minutes), then on to `to`.
    #[must_use]
    pub fn new(servers: u32, service_time_min: Dist, to: impl Into<String>) -> Self {
        Station {
            servers: Servers::Finite(servers),
            service_time_min,
            service_scaled_by: None,
            to: to.into(),
            milestone: None,
            increment: None,
            shifts: Vec::new(),
            priorities: BTreeMap::new(),
            queue_capacity: None,
            overflow: None,
            breakdowns: None,
            patience_min: None,
            renege_to: None,
        }
    }

    /// Infinitely many servers: a pure delay of `service_time_min`.
    #[must_use]
    pub fn infinite(service_time_min: Dist, to: impl Into<String>) -> Self {
        Station {
            servers: Servers::Infinite,
            ..Station::new(1, service_time_min, to)
        }
    }

    /// Stamps the milestone `name` on jobs entering this station.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }

    /// Multiplies each service time by the order's numeric attribute `name`.
    #[must_use]
    pub fn with_service_scaled_by(mut self, name: impl Into<String>) -> Self {
        self.service_scaled_by = Some(name.into());
        self
    }

    /// Adds 1 to the attribute `name` of each job entering this station.
    #[must_use]
    pub fn with_increment(mut self, name: impl Into<String>) -> Self {
        self.increment = Some(name.into());
        self
    }

    /// Adds a shift rule.
    #[must_use]
    pub fn with_shift(mut self, shift: Shift) -> Self {
        self.shifts.push(shift);
        self
    }

    /// Serves class `class` at priority `level` (0 first).
    #[must_use]
    pub fn with_priority(mut self, class: impl Into<String>, level: u8) -> Self {
        self.priorities.insert(class.into(), level);
        self
    }

    /// At most `capacity` jobs wait; `overflow` says what happens to the next.
    #[must_use]
    pub fn with_queue_capacity(mut self, capacity: u32, overflow: Overflow) -> Self {
        self.queue_capacity = Some(capacity);
        self.overflow = Some(overflow);
        self
    }

    /// The station fails and is repaired.
    #[must_use]
    pub fn with_breakdowns(mut self, breakdowns: Breakdowns) -> Self {
        self.breakdowns = Some(breakdowns);
        self
    }

    /// Waiting jobs give up after `patience_min` minutes and go to `to`.
    #[must_use]
    pub fn with_patience(mut self, patience_min: Dist, to: impl Into<String>) -> Self {
        self.patience_min = Some(patience_min);
        self.renege_to = Some(to.into());
        self
    }
}

/// Service time: one draw, or the largest of several (a latest-of delay).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ServiceTime {
    One(DurationDist),
    LatestOf(Vec<DurationDist>),
}

impl ServiceTime {
    /// Whether every service takes no time (all draws are 0: the
    /// distributions are non-negative, so a mean of 0 means always 0).
    pub(crate) fn always_zero(&self) -> bool {
        match self {
            ServiceTime::One(d) => d.mean() == SimTime::ZERO,
            ServiceTime::LatestOf(parts) => parts.iter().all(|d| d.mean() == SimTime::ZERO),
        }
    }
}

/// Where an order goes when the waiting room is full.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum OverflowTarget {
    /// Unlimited room.
    None,
    Reject(NodeId),
    Block,
}

/// A station (or delay) compiled for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StationNode {
    pub(crate) name: String,
    pub(crate) node: NodeId,
    pub(crate) servers: Servers,
    /// Servers outside shifts.
    pub(crate) capacity: Limit,
    pub(crate) shifts: Option<WeeklyProfile>,
    pub(crate) service: ServiceTime,
    /// Attribute multiplying each service time, if any.
    pub(crate) scaled_by: Option<u16>,
    pub(crate) to: NodeId,
    /// One stream per service part.
    pub(crate) service_streams: Vec<StreamId>,
    /// Priority level of each class (index = class id).
    pub(crate) class_level: Vec<u8>,
    pub(crate) levels: usize,
    /// Most jobs waiting.
    pub(crate) queue_capacity: Limit,
    pub(crate) overflow: OverflowTarget,
    pub(crate) breakdowns: Option<BreakdownTimes>,
    pub(crate) patience: Option<Patience>,
    pub(crate) failure_stream: StreamId,
    pub(crate) repair_stream: StreamId,
    pub(crate) patience_stream: StreamId,
    /// Fixed servers, one FIFO line, no room limit, no patience, no
    /// failures: the simulation takes a shorter path for such stations.
    pub(crate) plain: bool,
}

impl StationNode {
    /// Checks station `name` and resolves its names.
    pub(crate) fn compile(reg: &Registry, name: &str, s: &Station) -> Result<Self> {
        let f = |x: &str| format!("stations.{name}.{x}");
        let capacity = match s.servers {
            Servers::Finite(0) if s.shifts.is_empty() => {
                return Err(Error::scenario(f("servers"), "must be at least 1, got 0"));
            }
            Servers::Finite(c) => reg.limit(&f("servers"), c)?,
            Servers::Infinite => Limit::NONE,
        };
        let infinite = s.servers == Servers::Infinite;
        let shifts = capacity::compile_shifts(&f("shifts"), s, infinite)?;
        let to = reg.target(&f("to"), &s.to)?;
        if infinite
            && (s.queue_capacity.is_some() || !s.priorities.is_empty() || s.patience_min.is_some())
        {
            let which = if s.queue_capacity.is_some() {
                "queue_capacity"
            } else if s.patience_min.is_some() {
                "patience_min"
            } else {
                "priorities"
            };
            return Err(Error::scenario(
                f(which),
                "a station with infinitely many servers never queues; remove it or give a number of servers",
            ));
        }
        let (class_level, levels) = priority_levels(reg, &f("priorities"), &s.priorities)?;
        let (queue_capacity, overflow) = room::compile(reg, name, s)?;
        let patience = patience::compile(reg, name, s)?;
        let breakdowns = capacity::compile_breakdowns(&f("breakdowns"), s.breakdowns.as_ref())?;
        let scaled_by = match &s.service_scaled_by {
            None => None,
            Some(a) => Some(reg.scale_attribute(&f("service_scaled_by"), a)?),
        };
        let plain = shifts.is_none()
            && levels == 1
            && overflow == OverflowTarget::None
            && breakdowns.is_none()
            && patience.is_none();
        Ok(StationNode {
            plain,
            name: name.to_string(),
            node: reg.node(name),
            servers: s.servers,
            capacity,
            shifts,
            service: ServiceTime::One(DurationDist::new(
                s.service_time_min.clone(),
                TimeUnit::Minutes,
            )),
            scaled_by,
            to,
            service_streams: vec![StreamId::named("station", name, "service")],
            class_level,
            levels,
            queue_capacity,
            overflow,
            breakdowns,
            patience,
            failure_stream: StreamId::named("station", name, "failures"),
            repair_stream: StreamId::named("station", name, "repairs"),
            patience_stream: StreamId::named("station", name, "patience"),
        })
    }

    /// A station with infinitely many servers and nothing else: what a
    /// delay compiles into. `kind` names the streams (`"delay"`).
    pub(crate) fn pure_delay(
        reg: &Registry,
        kind: &str,
        name: &str,
        service: ServiceTime,
        service_streams: Vec<StreamId>,
        to: NodeId,
    ) -> Self {
        StationNode {
            plain: true,
            name: name.to_string(),
            node: reg.node(name),
            servers: Servers::Infinite,
            capacity: Limit::NONE,
            shifts: None,
            service,
            scaled_by: None,
            to,
            service_streams,
            class_level: vec![0; reg.classes().len()],
            levels: 1,
            queue_capacity: Limit::NONE,
            overflow: OverflowTarget::None,
            breakdowns: None,
            patience: None,
            failure_stream: StreamId::named(kind, name, "failures"),
            repair_stream: StreamId::named(kind, name, "repairs"),
            patience_stream: StreamId::named(kind, name, "patience"),
        }
    }
}

/// The priority level of each class, renumbered densely (classes not
/// listed come last), and the number of levels.
pub(crate) fn priority_levels(
    reg: &Registry,
    field: &str,
    priorities: &BTreeMap<String, u8>,
) -> Result<(Vec<u8>, usize)> {
    let classes = reg.classes();
    let mut class_level = vec![0u8; classes.len()];
    if priorities.is_empty() {
        return Ok((class_level, 1));
    }
    for class in priorities.keys() {
        if reg.class(class).is_none() {
            return Err(reg.unknown_class(&format!("{field}.{class}"), class));
        }
    }
    let used: BTreeSet<u8> = priorities.values().copied().collect();
    let dense: Vec<u8> = used.into_iter().collect();
    for (i, c) in classes.iter().enumerate() {
        class_level[i] = match priorities.get(c) {
            Some(l) => dense.iter().position(|x| x == l).expect("collected") as u8,
            None => dense.len() as u8,
        };
    }
    Ok((class_level, dense.len() + 1))
}
