//! The engine's side of a trace: the observer, each live order's number,
//! which server serves it, and the last resources reported per station.
//!
//! The engine counts busy servers, it does not name them; a trace names
//! them here: a job that starts takes the free server with the lowest
//! number, and gives it back when its service ends (or, if it is blocked
//! downstream, when it gets in there). Without an observer none of this
//! exists, and each hook costs one test of an `Option`.

use super::Simulation;
use crate::engine::EntityId;
use crate::model::NodeKind;
use crate::model::trace::{Observer, OrderEvent, OrderRecord, ResourceRecord};
use crate::time::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Numbers of a station's servers: the free ones below `next`.
#[derive(Debug, Default)]
struct Servers {
    free: BinaryHeap<Reverse<u32>>,
    next: u32,
}

impl Servers {
    fn take(&mut self) -> u32 {
        match self.free.pop() {
            Some(Reverse(k)) => k,
            None => {
                self.next += 1;
                self.next - 1
            }
        }
    }
}

/// What a station reported last: (busy, held, on shift, up, waiting, blocked).
type Seen = (u32, u32, Option<u32>, bool, u32, u32);

/// A traced run's observer and book-keeping.
pub(crate) struct Tracer<'m> {
    observer: Box<dyn Observer + 'm>,
    /// By order slot: the order's number.
    number: Vec<u64>,
    /// By order slot: (station, server) it holds, if any.
    holds: Vec<Option<(u32, u32)>>,
    servers: Vec<Servers>,
    seen: Vec<Option<Seen>>,
}

impl Tracer<'_> {
    /// Bytes of the tables kept per order slot (capacities).
    pub(super) fn bytes(&self) -> usize {
        self.number.capacity() * std::mem::size_of::<u64>()
            + self.holds.capacity() * std::mem::size_of::<Option<(u32, u32)>>()
    }
}

impl std::fmt::Debug for Tracer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracer").finish_non_exhaustive()
    }
}

impl<'m> Simulation<'m> {
    /// Calls `observer` for every order event and every change of a
    /// station's resources from now on (see [`Observer`]). Tracing changes
    /// no number of the run. A second call replaces the first observer.
    ///
    /// Orders created before the call have no number (`u64::MAX`) and
    /// their servers are not named; call it before the first step for a
    /// complete trace.
    pub fn observe(&mut self, observer: impl Observer + 'm) {
        let n = self.model.stations.len();
        self.tracer = Some(Box::new(Tracer {
            observer: Box::new(observer),
            number: Vec::new(),
            holds: Vec::new(),
            servers: (0..n).map(|_| Servers::default()).collect(),
            seen: vec![None; n],
        }));
        self.trace_resources(self.now());
    }

    /// Order `id` was just created at `at` (a source or a stock).
    #[inline(always)]
    pub(crate) fn trace_created(&mut self, at: NodeKind, id: EntityId, now: SimTime) {
        if self.tracer.is_some() {
            self.trace_new(id);
            self.trace_order(OrderEvent::Arrive, at, id, now, None);
        }
    }

    /// Something other than a service start or end happened to `id` at `at`.
    #[inline(always)]
    pub(crate) fn trace(&mut self, event: OrderEvent, at: NodeKind, id: EntityId, now: SimTime) {
        if self.tracer.is_some() {
            self.trace_order(event, at, id, now, None);
        }
    }

    /// A server of station `s` took `id`.
    #[inline(always)]
    pub(crate) fn trace_start(&mut self, s: usize, id: EntityId, now: SimTime) {
        if let Some(t) = self.tracer.as_deref_mut() {
            let k = t.servers[s].take();
            t.hold(id, Some((s as u32, k)));
            self.trace_order(OrderEvent::Start, NodeKind::Station(s), id, now, Some(k));
        }
    }

    /// The service of `id` at station `s` ended; with `free`, its server is
    /// free again (otherwise it holds it, blocked).
    #[inline(always)]
    pub(crate) fn trace_end(&mut self, s: usize, id: EntityId, now: SimTime) {
        if let Some(t) = self.tracer.as_deref_mut() {
            let server = t.held(id).map(|(_, k)| k);
            self.trace_order(OrderEvent::End, NodeKind::Station(s), id, now, server);
        }
    }

    /// `id` blocked outside station `b` holding its server, if it holds one.
    #[inline(always)]
    pub(crate) fn trace_block(&mut self, b: usize, id: EntityId, now: SimTime) {
        if let Some(t) = self.tracer.as_deref_mut() {
            let server = t.held(id).map(|(_, k)| k);
            self.trace_order(OrderEvent::Block, NodeKind::Station(b), id, now, server);
        }
    }

    /// `id` lets go of the server it holds, if any.
    #[inline(always)]
    pub(crate) fn trace_free(&mut self, id: EntityId) {
        if let Some(t) = self.tracer.as_deref_mut()
            && let Some((s, k)) = t.held(id)
        {
            t.servers[s as usize].free.push(Reverse(k));
            t.hold(id, None);
        }
    }

    /// Reports each station whose resources changed since it was last
    /// reported.
    #[inline(always)]
    pub(crate) fn trace_resources(&mut self, now: SimTime) {
        if self.tracer.is_some() {
            self.report_resources(now);
        }
    }

    #[inline(never)]
    fn trace_new(&mut self, id: EntityId) {
        let number = self.orders.created_count() - 1;
        let t = self.tracer.as_deref_mut().expect("tracing");
        let i = id.index();
        if t.number.len() <= i {
            t.number.resize(i + 1, u64::MAX);
        }
        t.number[i] = number;
        t.hold(id, None);
    }

    #[inline(never)]
    fn trace_order(
        &mut self,
        event: OrderEvent,
        at: NodeKind,
        id: EntityId,
        now: SimTime,
        server: Option<u32>,
    ) {
        let model = self.model;
        let node = match at {
            NodeKind::Source(k) => &model.sources[k].name,
            NodeKind::Station(s) => &model.stations[s].name,
            NodeKind::Router(r) => &model.routers[r].name,
            NodeKind::Dispatch(d) => &model.dispatches[d].name,
            NodeKind::Pool(p) => &model.pools[p].name,
            NodeKind::Sink(k) => &model.sinks[k].name,
        };
        let t = self.tracer.as_deref_mut().expect("tracing");
        let order = t.number.get(id.index()).copied().unwrap_or(u64::MAX);
        let record = OrderRecord {
            replication: self.replication,
            time: now,
            order,
            event,
            node,
            server,
            class: &model.classes[self.orders[id].class as usize],
            attributes: self.orders.attributes_of(id),
        };
        t.observer.order(&record);
    }

    #[inline(never)]
    fn report_resources(&mut self, now: SimTime) {
        let model = self.model;
        let t = self.tracer.as_deref_mut().expect("tracing");
        for (s, st) in self.stations.iter().enumerate() {
            let on_shift = st.on_shift.finite();
            let state = (
                st.busy,
                st.held,
                on_shift,
                st.up,
                st.waiting,
                st.blocked.len() as u32,
            );
            if t.seen[s] == Some(state) {
                continue;
            }
            t.seen[s] = Some(state);
            t.observer.resource(&ResourceRecord {
                replication: self.replication,
                time: now,
                node: &model.stations[s].name,
                busy: state.0,
                held: state.1,
                on_shift: state.2,
                up: state.3,
                waiting: state.4,
                blocked: state.5,
            });
        }
    }
}

impl Tracer<'_> {
    fn held(&self, id: EntityId) -> Option<(u32, u32)> {
        self.holds.get(id.index()).copied().flatten()
    }

    fn hold(&mut self, id: EntityId, what: Option<(u32, u32)>) {
        let i = id.index();
        if self.holds.len() <= i {
            self.holds.resize(i + 1, None);
        }
        self.holds[i] = what;
    }
}
