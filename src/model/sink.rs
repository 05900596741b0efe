//! Sinks: where orders leave the system, each counted with its time in
//! system. The configuration ([`Sink`]), its compiled form, per-run state
//! and the runtime step that removes an order.

use super::NodeKind;
use super::sim::Simulation;
use super::summary::ClassTimes;
use super::trace::OrderEvent;
use crate::engine::EntityId;
use crate::stats::OnlineMoments;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// A terminal state: orders that reach it leave the system and are counted.
///
/// Each sink records how many orders reached it and their time in system.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Sink {
    /// Milestone stamped on orders reaching this sink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
}

impl Sink {
    /// A plain sink.
    #[must_use]
    pub fn new() -> Self {
        Sink::default()
    }

    /// Stamps the milestone `name` on orders reaching this sink.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }
}

/// A sink compiled for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SinkNode {
    pub(crate) name: String,
}

/// A sink during one replication.
#[derive(Debug)]
pub(crate) struct SinkState {
    /// Orders absorbed over the whole run (for conservation).
    pub(crate) total: u64,
    /// Orders absorbed since the warm-up.
    pub(crate) count: u64,
    pub(crate) time_in_system: OnlineMoments,
    /// Per class, when the model has more than one.
    pub(crate) by_class: Vec<ClassTimes>,
}

impl SinkState {
    /// An empty sink counting `classes` apart (none for a one-class model).
    pub(crate) fn new(classes: &[ClassTimes]) -> Self {
        SinkState {
            total: 0,
            count: 0,
            time_in_system: OnlineMoments::new(),
            by_class: classes.to_vec(),
        }
    }

    /// Forgets what was counted since the warm-up (not the total).
    pub(crate) fn restart(&mut self) {
        self.count = 0;
        self.time_in_system = OnlineMoments::new();
        for c in &mut self.by_class {
            *c = ClassTimes::new(&c.class);
        }
    }
}

impl Simulation<'_> {
    /// Order `id` reaches sink `k` and leaves the system.
    #[inline(always)]
    pub(crate) fn absorb(&mut self, k: usize, id: EntityId, now: SimTime) {
        self.trace(OrderEvent::Leave, NodeKind::Sink(k), id, now);
        let order = &self.orders[id];
        let tis = now - order.created;
        let sink = &mut self.sinks[k];
        sink.total += 1;
        if self.tallying {
            sink.count += 1;
            sink.time_in_system.push(tis.secs());
            if !sink.by_class.is_empty() {
                sink.by_class[order.class as usize].time.push(tis.secs());
            }
            if !self.model.interval_milestones.is_empty() {
                self.leave_intervals(id, now);
            }
            let net = &mut self.network;
            net.time_in_system.push(tis.secs());
            net.hist.record(tis);
        }
        self.orders.remove(id);
        self.note_in_system(now);
    }
}
