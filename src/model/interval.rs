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
///
/// Each span is recorded in one histogram only: `hist` holds completions
/// of orders outside the cohort (they started before the window opened),
/// `shared` the cohort's completions inside the window, and the cohort's
/// own `done_hist` its completions in the drain after the window. The
/// window's distribution is `hist + shared`, the cohort's `shared +
/// done_hist`, merged when a summary is written.
#[derive(Debug)]
pub(crate) struct IntervalState {
    pub(crate) duration: OnlineMoments,
    pub(crate) hist: DurationHistogram,
    pub(crate) shared: DurationHistogram,
    pub(crate) cohort: CohortState,
}

impl IntervalState {
    pub(crate) fn new() -> Self {
        IntervalState {
            duration: OnlineMoments::new(),
            hist: DurationHistogram::new(),
            shared: DurationHistogram::new(),
            cohort: CohortState::default(),
        }
    }

    /// Records one span completed at `now`; `cohort` says whether its
    /// order is in the cohort, `in_window` whether `now` is inside the
    /// window.
    #[inline]
    pub(crate) fn record(&mut self, span: SimTime, cohort: bool, in_window: bool) {
        self.duration.push(span.secs());
        match (cohort, in_window) {
            (false, _) => self.hist.record(span),
            (true, true) => {
                self.shared.record(span);
                self.cohort.cohort.done.push(span.secs());
            }
            (true, false) => self.cohort.done(span),
        }
    }

    /// The window's completions: every span completed in it.
    pub(crate) fn window_hist(&self) -> DurationHistogram {
        let mut h = self.hist.clone();
        h.merge(&self.shared);
        h
    }

    /// The cohort's completions, in the window and after it.
    pub(crate) fn cohort_done_hist(&self) -> DurationHistogram {
        let mut h = self.shared.clone();
        h.merge(&self.cohort.cohort.done_hist);
        h
    }

    /// Forgets what was counted before the window opened; `open` orders
    /// have started the interval and not finished it.
    pub(crate) fn restart(&mut self, open: u64) {
        self.duration = OnlineMoments::new();
        self.hist.reset();
        self.shared.reset();
        self.cohort.restart(open);
    }
}
