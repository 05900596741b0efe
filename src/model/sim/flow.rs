//! An order's moves between nodes: through routers (zero time) to the next
//! station, dispatch point or sink, stamping milestones and counters on
//! entry, with the CBEC tax and the intervals that a milestone closes.
//!
//! An order that finishes at a station is not moved here at once: it waits
//! in `moving` until every completion and capacity change at the same
//! instant is done (see the module docs of `sim`).

use super::Simulation;
use crate::engine::EntityId;
use crate::model::trace::OrderEvent;
use crate::model::{NodeId, NodeInfo, NodeKind};
use crate::time::SimTime;

impl Simulation<'_> {
    /// Stamps milestones and bumps counters for an order entering `node`.
    #[inline(always)]
    pub(crate) fn on_entry(&mut self, node: NodeId, id: EntityId, now: SimTime) {
        let model = self.model;
        self.mark(&model.nodes[node.0 as usize], id, now);
    }

    #[inline(always)]
    fn mark(&mut self, info: &NodeInfo, id: EntityId, now: SimTime) {
        if !info.marks {
            return;
        }
        if let Some(m) = info.milestone {
            self.stamp(id, m, now);
        }
        if let Some(a) = info.increment {
            *self.orders.attribute_mut(id, a) += 1.0;
        }
    }

    /// Follows routers (zero time) from `node` to a station, dispatch point or sink.
    #[inline(always)]
    pub(crate) fn resolve(&mut self, mut node: NodeId, id: EntityId, now: SimTime) -> NodeId {
        while let NodeKind::Router(r) = self.model.nodes[node.0 as usize].kind {
            self.on_entry(node, id, now);
            self.trace(OrderEvent::Route, NodeKind::Router(r), id, now);
            node = self.route(r, id);
        }
        node
    }

    /// Order `id` arrives at `node` (never a router) from outside a station.
    #[inline(always)]
    pub(crate) fn arrive(&mut self, node: NodeId, id: EntityId, now: SimTime) {
        let model = self.model;
        let info = &model.nodes[node.0 as usize];
        match info.kind {
            NodeKind::Station(s) => {
                // With blocking anywhere, a plain station may hold servers
                // for blocked orders, so it takes the general path.
                if model.stations[s].plain && !model.any_blocking {
                    self.mark(info, id, now);
                    self.trace(OrderEvent::Arrive, info.kind, id, now);
                    self.accept_plain(s, id, now);
                } else if self.has_room(s) {
                    self.mark(info, id, now);
                    self.trace(OrderEvent::Arrive, info.kind, id, now);
                    self.accept(s, id, now);
                } else {
                    self.overflow(s, id, now, None);
                }
            }
            NodeKind::Sink(k) => {
                self.mark(info, id, now);
                self.absorb(k, id, now);
            }
            NodeKind::Dispatch(d) => {
                self.mark(info, id, now);
                self.trace(OrderEvent::Arrive, info.kind, id, now);
                self.dispatch_arrival(d, id, now);
            }
            NodeKind::Pool(p) => {
                self.mark(info, id, now);
                self.trace(OrderEvent::Arrive, info.kind, id, now);
                self.pool_arrival(p, id, now);
            }
            NodeKind::Router(_) | NodeKind::Source(_) => unreachable!("resolved before arriving"),
        }
    }

    /// Stamps milestone `m` on order `id` if it is new: the tax is due at
    /// the tax milestone, and every interval ending at `m` is measured.
    #[inline(never)]
    fn stamp(&mut self, id: EntityId, m: u16, now: SimTime) {
        if self.orders.stamp(id, m, now) {
            if let Some(tax) = &self.model.tax
                && self.tallying
                && tax.milestone == m
            {
                self.tax.orders += 1;
                self.tax.total_cny += tax.assess(|a| self.orders.attribute(id, a));
            }
            for &(iv, from) in &self.model.interval_ends[m as usize] {
                if let Some(start) = self.orders.milestone(id, from) {
                    self.complete_interval(iv, start, now);
                }
            }
            if !self.model.interval_starts[m as usize].is_empty() {
                self.start_intervals(id, m, now);
            }
        }
    }
}
