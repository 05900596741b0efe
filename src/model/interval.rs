//! Intervals: measured spans between two milestones (clearance time,
//! declaration to release). The configuration ([`Interval`]) and the
//! per-run state that records each span; the spans are measured when a
//! milestone is first stamped (`sim/flow.rs`).

use super::cohort::CohortState;
use crate::stats::{DurationHistogram, OnlineMoments};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// A measured span between two milestones, such as clearance time
/// (`declared` → `released`).
///
/// # Semantics
/// A milestone records the **first** time an order enters a node carrying it.
/// When an order first reaches the `to` milestone having passed `from`, the
/// difference is recorded; orders that reach `to` without `from` are not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    /// Starting milestone.
    pub from: String,
    /// Ending milestone.
    pub to: String,
}

impl Interval {
    /// The span from milestone `from` to milestone `to`.
    #[must_use]
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Interval {
            from: from.into(),
            to: to.into(),
        }
    }
}

/// One interval's spans during one replication: those completed in the
/// window, and its cohort (see [`super::cohort`]).
#[derive(Debug)]
pub(crate) struct IntervalState {
    pub(crate) duration: OnlineMoments,
    pub(crate) hist: DurationHistogram,
    pub(crate) cohort: CohortState,
}

impl IntervalState {
    pub(crate) fn new() -> Self {
        IntervalState {
            duration: OnlineMoments::new(),
            hist: DurationHistogram::new(),
            cohort: CohortState::default(),
        }
    }

    /// Records one span.
    #[inline]
    pub(crate) fn record(&mut self, span: SimTime) {
        self.duration.push(span.secs());
        self.hist.record(span);
    }

    /// Forgets what was counted before the window opened; `open` orders
    /// have started the interval and not finished it.
    pub(crate) fn restart(&mut self, open: u64) {
        self.duration = OnlineMoments::new();
        self.hist.reset();
        self.cohort.restart(open);
    }
}
