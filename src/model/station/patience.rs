//! Reneging: a waiting order whose patience runs out before its service
//! starts leaves for another node, counted as reneged.
//!
//! Patience is drawn when the order starts to wait, from the station's own
//! stream; a timeout event at the deadline removes the order if it is
//! still waiting. A timeout is stale when the order started service (its
//! deadline was cleared) or its slot now holds another order (whose
//! deadline differs), and is then ignored.

use super::Station;
use crate::engine::{EntityId, EventClass};
use crate::error::{Error, Result};
use crate::model::NodeId;
use crate::model::NodeKind;
use crate::model::build::Registry;
use crate::model::duration::DurationDist;
use crate::model::sim::{Event, Simulation};
use crate::model::trace::OrderEvent;
use crate::time::{SimTime, TimeUnit};

/// How long orders wait before giving up, and where they go then.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Patience {
    pub(crate) time: DurationDist,
    pub(crate) to: NodeId,
}

/// The station's patience, if it has one.
pub(super) fn compile(reg: &Registry, name: &str, s: &Station) -> Result<Option<Patience>> {
    let f = |x: &str| format!("stations.{name}.{x}");
    match (&s.patience_min, &s.renege_to) {
        (None, None) => Ok(None),
        (Some(p), Some(to)) => Ok(Some(Patience {
            time: DurationDist::new(p.clone(), TimeUnit::Minutes),
            to: reg.target(&f("renege_to"), to)?,
        })),
        (Some(_), None) => Err(Error::scenario(
            f("renege_to"),
            "is required with patience_min",
        )),
        (None, Some(_)) => Err(Error::scenario(
            f("patience_min"),
            "is required with renege_to",
        )),
    }
}

impl Simulation<'_> {
    /// Order `id` starts to wait at station `s`, which has patience: its
    /// timeout is scheduled.
    #[inline(never)]
    pub(crate) fn start_patience(&mut self, s: usize, id: EntityId, now: SimTime) {
        let p = self.model.stations[s]
            .patience
            .as_ref()
            .expect("patience checked by the caller");
        let deadline = now
            + if self.model.by_order {
                let stream = self.model.stations[s].patience_stream;
                p.time.sample(&mut self.orders.keyed_rng(id, stream))
            } else {
                p.time.sample(&mut self.stations[s].patience_rng)
            };
        self.orders[id].set_renege_at(Some(deadline));
        self.calendar.schedule(
            deadline,
            EventClass::Release,
            Event::Renege {
                station: s as u16,
                order: id,
            },
        );
    }

    /// The patience of order `id` at station `s` runs out.
    #[inline(never)]
    pub(crate) fn renege(&mut self, s: usize, id: EntityId, now: SimTime) {
        if self.orders[id].renege_at() != Some(now) {
            return;
        }
        let node = &self.model.stations[s];
        let level = node.class_level[self.orders[id].class as usize] as usize;
        let st = &mut self.stations[s];
        let Some(pos) = st.queues[level].iter().position(|x| *x == id) else {
            return;
        };
        st.queues[level].remove(pos);
        st.waiting -= 1;
        st.stats.reneged += 1;
        st.stats.queue_length.update(now, f64::from(st.waiting));
        st.note_in_station();
        self.orders[id].set_renege_at(None);
        let to = node.patience.as_ref().expect("reneging needs patience").to;
        self.trace(OrderEvent::Renege, NodeKind::Station(s), id, now);
        let target = self.resolve(to, id, now);
        self.fill(s, now);
        self.moving.push_back((target, id));
    }
}
