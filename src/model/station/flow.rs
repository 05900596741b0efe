//! The service cycle at a station: a job enters, waits in its priority
//! line or starts at once, is served, and leaves, the freed server taking
//! the next job at that same instant.
//!
//! Two paths give the same numbers bit for bit (a test checks it): the
//! general one, and a shorter one for *plain* stations (fixed servers, one
//! FIFO line, no room limit, no patience, no failures) in a model where
//! nothing blocks. The short path pays: with it switched off, one run of
//! the engine bench's models executes 5.2% (M/M/10) and 7.8% (tandem) more
//! instructions (callgrind; see the README's Performance section).

use super::{ServiceTime, StationNode, StationState};
use crate::engine::{EntityId, EventCalendar, EventClass};
use crate::model::NodeKind;
use crate::model::order::Orders;
use crate::model::sim::{Event, Simulation};
use crate::time::SimTime;
use std::collections::VecDeque;

/// A service that starts now.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start {
    /// Index of the station.
    pub(crate) station: usize,
    /// The order served.
    pub(crate) order: EntityId,
    /// The time the service starts.
    pub(crate) now: SimTime,
    /// How long the order waited for it.
    pub(crate) wait: SimTime,
}

/// A service time of `order` at `node`: from the order's own key at each
/// of the station's streams when `by_order`, else from the streams
/// themselves (see [`crate::rng`]).
#[inline(always)]
fn draw_service(
    node: &StationNode,
    st: &mut StationState,
    orders: &Orders,
    order: EntityId,
    by_order: bool,
) -> SimTime {
    match (&node.service, by_order) {
        (ServiceTime::One(dist), false) => dist.sample(&mut st.service_rngs[0]),
        (ServiceTime::One(dist), true) => {
            dist.sample(&mut orders.keyed_rng(order, node.service_streams[0]))
        }
        (ServiceTime::LatestOf(parts), false) => parts
            .iter()
            .zip(&mut st.service_rngs)
            .map(|(p, rng)| p.sample(rng))
            .fold(SimTime::ZERO, SimTime::max),
        (ServiceTime::LatestOf(parts), true) => parts
            .iter()
            .zip(&node.service_streams)
            .map(|(p, &s)| p.sample(&mut orders.keyed_rng(order, s)))
            .fold(SimTime::ZERO, SimTime::max),
    }
}

/// Starts a service: the wait is recorded, the start logged if recording,
/// and the service end scheduled after a service time multiplied by the
/// order's `scaled_by` attribute, if any.
#[inline(always)]
fn serve(
    calendar: &mut EventCalendar<Event>,
    node: &StationNode,
    st: &mut StationState,
    orders: &Orders,
    start: Start,
    by_order: bool,
) {
    let units = node
        .scaled_by
        .map_or(1.0, |a| orders.attribute(start.order, a));
    st.log_start(orders, start.order);
    st.stats.record_wait(orders, start.order, start.wait);
    let d = draw_service(node, st, orders, start.order, by_order) * units;
    calendar.schedule(
        start.now + d,
        EventClass::Release,
        Event::ServiceEnd {
            station: start.station as u16,
            order: start.order,
        },
    );
}

impl Simulation<'_> {
    /// Order `id` enters a plain station `s` (fixed servers, FIFO, no
    /// limit, no patience, no failures) in a model where nothing blocks:
    /// the general rules, with every check that cannot apply left out.
    #[inline(always)]
    pub(crate) fn accept_plain(&mut self, s: usize, id: EntityId, now: SimTime) {
        if self.model.by_order {
            self.orders.next_key(id);
        }
        let node = &self.model.stations[s];
        let st = &mut self.stations[s];
        self.orders[id].entered = now;
        st.stats.arrivals += 1;
        if node.capacity.admits(st.busy) {
            st.busy += 1;
            st.stats.busy.update(now, f64::from(st.busy));
            let start = Start {
                station: s,
                order: id,
                now,
                wait: SimTime::ZERO,
            };
            serve(
                &mut self.calendar,
                node,
                st,
                &self.orders,
                start,
                self.model.by_order,
            );
            st.note_in_station();
            self.trace_start(s, id, now);
        } else {
            st.queues[0].push_back(id);
            st.waiting += 1;
            st.stats.queued += 1;
            st.stats.queue_length.update(now, f64::from(st.waiting));
            st.note_in_station();
        }
    }

    /// A service ends at a plain station `s` (see [`Self::accept_plain`]).
    #[inline(always)]
    fn service_end_plain(&mut self, s: usize, id: EntityId, now: SimTime) {
        self.trace_end(s, id, now);
        self.trace_free(id);
        let node = &self.model.stations[s];
        let st = &mut self.stations[s];
        st.stats.record_sojourn(&self.orders, id, now);
        if let Some(next) = st.queues[0].pop_front() {
            st.waiting -= 1;
            st.stats.queue_length.update(now, f64::from(st.waiting));
            let start = Start {
                station: s,
                order: next,
                now,
                wait: now - self.orders[next].entered,
            };
            serve(
                &mut self.calendar,
                node,
                st,
                &self.orders,
                start,
                self.model.by_order,
            );
            self.trace_start(s, next, now);
        } else {
            st.busy -= 1;
            st.stats.busy.update(now, f64::from(st.busy));
        }
        let target = self.resolve(node.to, id, now);
        self.moving.push_back((target, id));
    }

    /// Order `id` enters station `s`, which has room.
    #[inline(always)]
    pub(crate) fn accept(&mut self, s: usize, id: EntityId, now: SimTime) {
        if self.model.by_order {
            self.orders.next_key(id);
        }
        self.orders[id].entered = now;
        let st = &mut self.stations[s];
        st.stats.arrivals += 1;
        if st.server_free() {
            self.start_service(s, id, now, SimTime::ZERO);
        } else {
            let node = &self.model.stations[s];
            let st = &mut self.stations[s];
            let level = node.class_level[self.orders[id].class as usize] as usize;
            st.queues[level].push_back(id);
            st.waiting += 1;
            st.stats.queued += 1;
            st.stats.queue_length.update(now, f64::from(st.waiting));
            if node.patience.is_some() {
                self.start_patience(s, id, now);
            }
        }
        self.stations[s].note_in_station();
    }

    /// A free server of `s` takes order `id`, which waited `wait`.
    #[inline(always)]
    fn start_service(&mut self, s: usize, id: EntityId, now: SimTime, wait: SimTime) {
        let st = &mut self.stations[s];
        st.busy += 1;
        st.stats.busy.update(now, f64::from(st.busy));
        let over = st.on_shift.excess(st.busy);
        if over > 0 {
            st.stats.overtime.update(now, f64::from(over));
        }
        self.begin_service(s, id, now, wait);
    }

    /// Order `id` starts service at `s` on a server already counted busy.
    #[inline(always)]
    fn begin_service(&mut self, s: usize, id: EntityId, now: SimTime, wait: SimTime) {
        let node = &self.model.stations[s];
        if node.patience.is_some() {
            self.orders[id].set_renege_at(None);
        }
        let start = Start {
            station: s,
            order: id,
            now,
            wait,
        };
        serve(
            &mut self.calendar,
            node,
            &mut self.stations[s],
            &self.orders,
            start,
            self.model.by_order,
        );
        self.trace_start(s, id, now);
    }

    /// The next waiting job of `s`, most urgent level first.
    #[inline]
    fn pop_waiting(&mut self, s: usize) -> Option<EntityId> {
        let st = &mut self.stations[s];
        let id = if st.queues.len() == 1 {
            st.queues[0].pop_front()?
        } else {
            st.queues.iter_mut().find_map(VecDeque::pop_front)?
        };
        st.waiting -= 1;
        Some(id)
    }

    /// Starts waiting jobs on free servers, then lets blocked orders in
    /// while there is room.
    #[inline(never)]
    pub(crate) fn fill(&mut self, s: usize, now: SimTime) {
        while self.stations[s].server_free() {
            let Some(next) = self.pop_waiting(s) else {
                break;
            };
            let st = &mut self.stations[s];
            st.stats.queue_length.update(now, f64::from(st.waiting));
            let wait = now - self.orders[next].entered;
            self.start_service(s, next, now, wait);
        }
        self.admit_blocked(s, now);
        self.stations[s].note_in_station();
    }

    /// A service ends at station `s`: the order moves on (or is blocked),
    /// and the freed server takes the next waiting job at once, unless it
    /// is off shift or the station is down.
    #[inline]
    pub(crate) fn service_end(&mut self, s: usize, id: EntityId, now: SimTime) {
        if self.model.stations[s].plain && !self.model.any_blocking {
            return self.service_end_plain(s, id, now);
        }
        self.trace_end(s, id, now);
        let st = &mut self.stations[s];
        st.stats.record_sojourn(&self.orders, id, now);
        let target = self.resolve(self.model.stations[s].to, id, now);
        if self.model.any_blocking && self.blocks(target) {
            let NodeKind::Station(b) = self.model.nodes[target.0 as usize].kind else {
                unreachable!("only stations block")
            };
            self.hold_blocked(s, b, id, now);
            return;
        }
        self.trace_free(id);
        let st = &self.stations[s];
        let next = if st.capacity().admits(st.busy + st.held - 1) {
            self.pop_waiting(s)
        } else {
            None
        };
        let st = &mut self.stations[s];
        if let Some(next) = next {
            st.stats.queue_length.update(now, f64::from(st.waiting));
            let wait = now - self.orders[next].entered;
            self.begin_service(s, next, now, wait);
        } else {
            let was_overtime = st.on_shift.excess(st.busy) > 0;
            st.busy -= 1;
            st.stats.busy.update(now, f64::from(st.busy));
            if was_overtime {
                st.stats
                    .overtime
                    .update(now, f64::from(st.on_shift.excess(st.busy)));
            }
        }
        if !self.stations[s].blocked.is_empty() {
            self.admit_blocked(s, now);
        }
        self.stations[s].note_in_station();
        self.moving.push_back((target, id));
    }
}
