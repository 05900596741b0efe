//! Finite waiting rooms: `queue_capacity` places, and what happens to the
//! next order ([`Overflow`]): it goes to another node, counted as
//! rejected, or it stays where it is (blocked), holding the server that
//! served it upstream until room frees.
//!
//! Rules: blocked orders enter in the order they were blocked; an order
//! let in releases the server it held at once, and that server takes its
//! own next job at the same instant.

use super::{Overflow, OverflowTarget, Station};
use crate::engine::EntityId;
use crate::error::{Error, Result};
use crate::model::build::Registry;
use crate::model::sim::Simulation;
use crate::model::trace::OrderEvent;
use crate::model::{Limit, NodeId, NodeKind};
use crate::time::SimTime;

/// The room's places and its overflow rule.
pub(super) fn compile(reg: &Registry, name: &str, s: &Station) -> Result<(Limit, OverflowTarget)> {
    let f = |x: &str| format!("stations.{name}.{x}");
    Ok(match (&s.queue_capacity, &s.overflow) {
        (None, None) => (Limit::NONE, OverflowTarget::None),
        (Some(k), Some(o)) => (
            reg.limit(&f("queue_capacity"), *k)?,
            match o {
                Overflow::Block => OverflowTarget::Block,
                Overflow::RejectTo(to) => {
                    OverflowTarget::Reject(reg.target(&f("overflow.reject_to"), to)?)
                }
            },
        ),
        (Some(_), None) => {
            return Err(Error::scenario(
                f("overflow"),
                "is required with queue_capacity: \"block\" or { reject_to = \"node\" }",
            ));
        }
        (None, Some(_)) => {
            return Err(Error::scenario(
                f("queue_capacity"),
                "is required with overflow",
            ));
        }
    })
}

impl Simulation<'_> {
    /// Whether station `s` can take one more order now.
    #[inline(always)]
    pub(crate) fn has_room(&self, s: usize) -> bool {
        let st = &self.stations[s];
        st.server_free() || self.model.stations[s].queue_capacity.admits(st.waiting)
    }

    /// Whether an order sent to `node` now would be blocked there.
    #[inline(always)]
    pub(crate) fn blocks(&self, node: NodeId) -> bool {
        match self.model.nodes[node.0 as usize].kind {
            NodeKind::Station(s) => {
                self.model.stations[s].overflow == OverflowTarget::Block && !self.has_room(s)
            }
            _ => false,
        }
    }

    /// Order `id` finds station `s` full; `upstream` holds a server for it
    /// if it comes straight from one.
    #[inline(never)]
    pub(crate) fn overflow(&mut self, s: usize, id: EntityId, now: SimTime, upstream: Option<u16>) {
        match self.model.stations[s].overflow {
            OverflowTarget::Reject(to) => {
                self.stations[s].stats.rejected += 1;
                self.trace(OrderEvent::Reject, NodeKind::Station(s), id, now);
                let target = self.resolve(to, id, now);
                self.arrive(target, id, now);
            }
            OverflowTarget::Block => {
                self.trace_block(s, id, now);
                self.stations[s].blocked.push_back((id, upstream));
            }
            OverflowTarget::None => unreachable!("a station without a limit always has room"),
        }
    }

    /// Order `id`, just served at `s`, is blocked outside full station `b`:
    /// its server at `s` is held until `b` lets it in.
    #[inline(never)]
    pub(crate) fn hold_blocked(&mut self, s: usize, b: usize, id: EntityId, now: SimTime) {
        let st = &mut self.stations[s];
        st.busy -= 1;
        st.held += 1;
        st.stats.busy.update(now, f64::from(st.busy));
        st.stats
            .overtime
            .update(now, f64::from(st.on_shift.excess(st.busy)));
        st.stats.blocked.update(now, f64::from(st.held));
        self.trace_block(b, id, now);
        self.stations[b].blocked.push_back((id, Some(s as u16)));
    }

    /// Lets orders blocked outside `s` in while there is room, releasing
    /// the servers they held upstream.
    #[inline(never)]
    pub(crate) fn admit_blocked(&mut self, s: usize, now: SimTime) {
        while !self.stations[s].blocked.is_empty() && self.has_room(s) {
            let (id, upstream) = self.stations[s].blocked.pop_front().expect("non-empty");
            self.on_entry(self.model.stations[s].node, id, now);
            self.trace_free(id);
            self.trace(OrderEvent::Arrive, NodeKind::Station(s), id, now);
            self.accept(s, id, now);
            if let Some(u) = upstream {
                self.release_held(u as usize, now);
            }
        }
    }

    /// A server of `s` held by a blocked order is let go.
    #[inline(never)]
    fn release_held(&mut self, s: usize, now: SimTime) {
        let st = &mut self.stations[s];
        st.held -= 1;
        st.stats.blocked.update(now, f64::from(st.held));
        self.fill(s, now);
    }
}
