//! Traces: what an [`Observer`] sees of one replication, event by event.
//!
//! A traced run calls the observer once for each thing that happens to an
//! order ([`OrderRecord`]) and once for each change of a station's
//! resources ([`ResourceRecord`]), in the order the engine processes them.
//! The records borrow from the run and live only for the call: an observer
//! that keeps them copies what it needs, or streams them out (as
//! [`report::TraceWriter`](crate::report::TraceWriter) does, in constant
//! memory).
//!
//! Tracing changes no number of the run: a traced replication gives the
//! same summary, bit for bit, as the same replication untraced (a test
//! checks it). It covers the whole run, warm-up and drain included; the
//! statistics of the summary cover the observed window only.

use crate::time::SimTime;
use serde::Serialize;

/// What happened to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OrderEvent {
    /// The order was created at a source (the node is the source, or the
    /// stock that ordered a lot), or entered a station, delay, dispatch
    /// point or pool.
    Arrive,
    /// A server of a station (or a delay) took the order; `server` says
    /// which one.
    Start,
    /// The order's service ended; `server` says which server served it.
    End,
    /// A router sent the order on (the node is the router; the order's
    /// next row says where it went).
    Route,
    /// The order could not enter a full station (the node): it waits
    /// outside, holding the server that served it upstream, if any.
    Block,
    /// A full station (the node) turned the order away to its overflow
    /// target.
    Reject,
    /// The order's patience ran out while it waited at a station or a
    /// stock (the node), and it left for the patience target.
    Renege,
    /// The order left a dispatch point on a vehicle, or a pool or stock
    /// with what it drew.
    Release,
    /// The order reached a sink (the node) and left the system.
    Leave,
}

impl OrderEvent {
    /// The event's name in trace files: `arrive`, `start`, `end`, `route`,
    /// `block`, `reject`, `renege`, `release` or `leave`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            OrderEvent::Arrive => "arrive",
            OrderEvent::Start => "start",
            OrderEvent::End => "end",
            OrderEvent::Route => "route",
            OrderEvent::Block => "block",
            OrderEvent::Reject => "reject",
            OrderEvent::Renege => "renege",
            OrderEvent::Release => "release",
            OrderEvent::Leave => "leave",
        }
    }
}

impl std::fmt::Display for OrderEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One thing that happened to one order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderRecord<'a> {
    /// The replication.
    pub replication: u64,
    /// When, on the run clock (from the start of the run, pre-roll
    /// included).
    pub time: SimTime,
    /// The order's number in the run: 0 for the first order created, in
    /// creation order (lots a stock orders are numbered with the orders);
    /// `u64::MAX` for an order created before the observer was set.
    pub order: u64,
    /// What happened.
    pub event: OrderEvent,
    /// Where: the node's name.
    pub node: &'a str,
    /// For [`OrderEvent::Start`], [`OrderEvent::End`] and
    /// [`OrderEvent::Block`] after a service: the server, numbered from 0
    /// at its station. A free server with the lowest number takes the next
    /// job, so numbers stay below the most servers ever busy at once.
    pub server: Option<u32>,
    /// The order's class.
    pub class: &'a str,
    /// The order's attribute values now, in the order of
    /// [`Model::attribute_names`](crate::Model::attribute_names)
    /// (a categorical attribute as its category's index).
    pub attributes: &'a [f64],
}

/// The resources of one station after a change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResourceRecord<'a> {
    /// The replication.
    pub replication: u64,
    /// When, on the run clock.
    pub time: SimTime,
    /// The station (or delay).
    pub node: &'a str,
    /// Servers serving an order.
    pub busy: u32,
    /// Servers holding an order that is blocked downstream.
    pub held: u32,
    /// Servers on shift (`None`: no limit, as at a delay).
    pub on_shift: Option<u32>,
    /// Whether the station is working (false while it is broken down).
    pub up: bool,
    /// Orders waiting in its lines.
    pub waiting: u32,
    /// Orders blocked outside it, waiting for room.
    pub blocked: u32,
}

/// What watches a traced replication: see
/// [`Simulation::observe`](crate::Simulation::observe).
///
/// Both methods are called from the engine's loop, so they should be quick;
/// a writer buffers. An observer cannot stop the run: one that fails (a
/// full disk) records the error and ignores later records, and the caller
/// asks for the error after the run.
///
/// # Examples
/// Counting the orders that left, and the most servers ever busy:
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Dist, Model, Observer, OrderEvent, OrderRecord, ResourceRecord};
/// use cbec_sim::{SimTime, Simulation, Sink, Source, Station};
/// #[derive(Default)]
/// struct Count { left: u64, most_busy: u32 }
/// impl Observer for Count {
///     fn order(&mut self, r: &OrderRecord<'_>) {
///         if r.event == OrderEvent::Leave { self.left += 1; }
///     }
///     fn resource(&mut self, r: &ResourceRecord<'_>) {
///         self.most_busy = self.most_busy.max(r.busy);
///     }
/// }
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(30.0, "desk"))
///     .with_station("desk", Station::new(2, Dist::exponential(2.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(10.0))
///     .build()?;
/// let mut count = Count::default();
/// let mut sim = Simulation::new(&model, 7, 0);
/// sim.observe(&mut count);
/// let summary = sim.run();
/// assert_eq!(count.left, summary.sinks[0].count);
/// assert!(count.most_busy <= 2);
/// # Ok(()) }
/// ```
pub trait Observer {
    /// Something happened to an order.
    fn order(&mut self, record: &OrderRecord<'_>);

    /// A station's resources changed (called once at the start for every
    /// station, then after each event that changed them).
    fn resource(&mut self, record: &ResourceRecord<'_>) {
        let _ = record;
    }
}

impl<T: Observer + ?Sized> Observer for &mut T {
    fn order(&mut self, record: &OrderRecord<'_>) {
        (**self).order(record);
    }

    fn resource(&mut self, record: &ResourceRecord<'_>) {
        (**self).resource(record);
    }
}

impl<T: Observer + ?Sized> Observer for Box<T> {
    fn order(&mut self, record: &OrderRecord<'_>) {
        (**self).order(record);
    }

    fn resource(&mut self, record: &ResourceRecord<'_>) {
        (**self).resource(record);
    }
}
