//! Cohorts: the orders that start an interval inside the observed window,
//! followed until they finish it, during the window or the drain after it.
//!
//! Lead times taken over the orders that *finished* in the window leave
//! out the slowest ones whenever the centre falls behind (they are still
//! inside at the end). A cohort keeps them: an order still inside when
//! the run stops counts at its age so far, and every figure that includes
//! such an order is a lower bound ([`Cohort::is_censored`]).
//!
//! Alongside, each interval counts its window flows (orders open at the
//! window's opening, started, completed, left without completing, open at
//! its end), which conserve orders exactly:
//! `open_at_start + started = completed + left_without + open_at_end`.

use super::sim::Simulation;
use crate::engine::EntityId;
use crate::stats::{DurationHistogram, OnlineMoments};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// The orders that reached an interval's `from` milestone inside the
/// observed window (and had not reached `to` before), followed to the end
/// of the run, drain included.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cohort {
    /// Orders in the cohort.
    pub started: u64,
    /// Spans (seconds) of the cohort's orders that reached `to`.
    pub done: OnlineMoments,
    /// Distribution of those spans.
    pub done_hist: DurationHistogram,
    /// Ages (seconds since `from`) of the cohort's orders still inside
    /// when the run stopped: their spans are at least these.
    pub inside: OnlineMoments,
    /// Distribution of those ages.
    pub inside_hist: DurationHistogram,
    /// Cohort orders that left the system without reaching `to` (rejected,
    /// cancelled or sent another way): not part of the lead time.
    pub left_without: u64,
}

impl Cohort {
    /// Orders whose span is measured or bounded: done plus still inside.
    #[must_use]
    pub fn measured(&self) -> u64 {
        self.done.count() + self.inside.count()
    }

    /// Whether some orders were still inside when the run stopped: means,
    /// quantiles and shares above a duration are then lower bounds.
    #[must_use]
    pub fn is_censored(&self) -> bool {
        self.inside.count() > 0
    }

    /// Share of the measured orders still inside when the run stopped.
    #[must_use]
    pub fn inside_share(&self) -> Option<f64> {
        let n = self.measured();
        (n > 0).then(|| self.inside.count() as f64 / n as f64)
    }

    /// Mean span, seconds, with the orders still inside at their age so
    /// far (a lower bound when [`Cohort::is_censored`]).
    #[must_use]
    pub fn mean(&self) -> Option<f64> {
        let mut all = self.done;
        all.merge(&self.inside);
        all.mean()
    }

    /// The `q`-quantile of the span, with the orders still inside at their
    /// age so far (a lower bound when [`Cohort::is_censored`]).
    #[must_use]
    pub fn quantile(&self, q: f64) -> Option<SimTime> {
        if !self.is_censored() {
            return self.done_hist.quantile(q);
        }
        let mut all = self.done_hist.clone();
        all.merge(&self.inside_hist);
        all.quantile(q)
    }

    /// Share of the measured orders whose span was at most `d`: orders
    /// still inside count as not within (a lower bound when censored,
    /// exact once each of them is older than `d`).
    #[must_use]
    pub fn share_within(&self, d: SimTime) -> Option<f64> {
        let n = self.measured();
        (n > 0).then(|| self.done_hist.count_at_or_below(d) as f64 / n as f64)
    }
}

/// One interval's cohort and window flows during a replication.
#[derive(Debug, Default)]
pub(crate) struct CohortState {
    pub(crate) cohort: Cohort,
    /// Orders open (`from` reached, `to` not) when the window opened.
    pub(crate) open_at_start: u64,
    /// Orders that left without reaching `to`, during the window.
    pub(crate) left_without: u64,
}

impl CohortState {
    /// Forgets everything (at the opening of the window), then counts the
    /// orders open now.
    pub(crate) fn restart(&mut self, open: u64) {
        *self = CohortState {
            open_at_start: open,
            ..CohortState::default()
        };
    }

    /// A cohort order reached `to` after `span`.
    #[inline]
    pub(crate) fn done(&mut self, span: SimTime) {
        self.cohort.done.push(span.secs());
        self.cohort.done_hist.record(span);
    }

    /// A cohort order is still inside, `age` after `from`, as the run stops.
    pub(crate) fn inside(&mut self, age: SimTime) {
        self.cohort.inside.push(age.secs());
        self.cohort.inside_hist.record(age);
    }
}

impl Simulation<'_> {
    /// Whether `t` falls inside the observed window, `(opening, end]`:
    /// what happens at the opening instant happens before the restart
    /// there (an observation event runs after everything else at its
    /// time) and counts as open at the start; what happens at the end
    /// instant is inside (the run processes every event up to the
    /// horizon). A window that opens at time zero, with no restart,
    /// includes time zero.
    #[inline(always)]
    pub(crate) fn in_window(&self, t: SimTime) -> bool {
        // Before a warm-up's restart no window is open yet.
        self.tallying
            && (t > self.observed_from || (self.window_from_zero && t == SimTime::ZERO))
            && t <= self.window_end
    }

    /// Order `id` reached milestone `m` at `now` for the first time: it
    /// joins the cohort of every interval starting at `m` (unless it has
    /// already passed that interval's end).
    #[inline(always)]
    pub(crate) fn start_intervals(&mut self, id: EntityId, m: u16, now: SimTime) {
        if !self.in_window(now) {
            return;
        }
        for &(iv, to) in &self.model.interval_starts[m as usize] {
            if self.orders.milestone(id, to).is_none() {
                self.intervals[iv].cohort.cohort.started += 1;
                self.cohort_open += 1;
            }
        }
    }

    /// Order `id` completed interval `iv` at `now`, having started it at
    /// `start`: one record, in the window's or the cohort's histograms.
    #[inline(always)]
    pub(crate) fn complete_interval(&mut self, iv: usize, start: SimTime, now: SimTime) {
        if !self.tallying {
            return;
        }
        let cohort = self.in_window(start);
        self.intervals[iv].record(now - start, cohort, now <= self.window_end);
        if cohort {
            self.cohort_open -= 1;
        }
    }

    /// Order `id` leaves the system at `now`: every interval it started and
    /// did not finish counts it as left without completing. Called only
    /// while tallying (a sink's tallies include it).
    #[inline]
    pub(crate) fn leave_intervals(&mut self, id: EntityId, now: SimTime) {
        for (iv, &(from, to)) in self.model.interval_milestones.iter().enumerate() {
            let Some(start) = self.orders.milestone(id, from) else {
                continue;
            };
            if self.orders.milestone(id, to).is_some() {
                continue;
            }
            if now <= self.window_end {
                self.intervals[iv].cohort.left_without += 1;
            }
            if self.in_window(start) {
                self.intervals[iv].cohort.cohort.left_without += 1;
                self.cohort_open -= 1;
            }
        }
    }

    /// Per interval: orders in the system that reached `from` and not `to`.
    pub(crate) fn open_intervals(&self) -> Vec<u64> {
        let mut open = vec![0u64; self.model.interval_milestones.len()];
        for id in self.orders.live_ids() {
            for (n, &(from, to)) in open.iter_mut().zip(&self.model.interval_milestones) {
                if self.orders.milestone(id, from).is_some()
                    && self.orders.milestone(id, to).is_none()
                {
                    *n += 1;
                }
            }
        }
        open
    }

    /// Each interval's cohort as it stands at `now`: the orders still
    /// inside counted at their age.
    pub(crate) fn cohorts(&self, now: SimTime) -> Vec<Cohort> {
        let mut out: Vec<CohortState> = self
            .intervals
            .iter()
            .map(|i| CohortState {
                cohort: Cohort {
                    done_hist: i.cohort_done_hist(),
                    ..i.cohort.cohort.clone()
                },
                ..CohortState::default()
            })
            .collect();
        for id in self.orders.live_ids() {
            for (c, &(from, to)) in out.iter_mut().zip(&self.model.interval_milestones) {
                if let Some(start) = self.orders.milestone(id, from)
                    && self.in_window(start)
                    && self.orders.milestone(id, to).is_none()
                {
                    c.inside(now - start);
                }
            }
        }
        out.into_iter().map(|c| c.cohort).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cohort(done: &[f64], inside: &[f64]) -> Cohort {
        let mut s = CohortState::default();
        for d in done {
            s.done(SimTime::from_hours(*d));
        }
        for a in inside {
            s.inside(SimTime::from_hours(*a));
        }
        s.cohort.started = (done.len() + inside.len()) as u64;
        s.cohort
    }

    #[test]
    fn orders_still_inside_count_at_their_age_and_mark_a_lower_bound() {
        let c = cohort(&[1.0, 2.0, 3.0], &[30.0]);
        assert!(c.is_censored());
        assert_eq!(c.inside_share(), Some(0.25));
        assert_eq!(c.mean(), Some(9.0 * 3600.0));
        let p99 = c.quantile(0.99).unwrap().hours();
        assert!((p99 - 30.0).abs() < 30.0 / 128.0, "{p99}");
        // Within 24 h: the three done, not the one inside.
        assert_eq!(c.share_within(SimTime::from_hours(24.0)), Some(0.75));
    }

    #[test]
    fn a_cohort_that_finished_is_exact() {
        let c = cohort(&[1.0, 2.0], &[]);
        assert!(!c.is_censored());
        assert_eq!(c.inside_share(), Some(0.0));
        assert_eq!(c.share_within(SimTime::from_hours(1.5)), Some(0.5));
        assert_eq!(Cohort::default().quantile(0.5), None);
        assert_eq!(Cohort::default().share_within(SimTime::ZERO), None);
    }
}
