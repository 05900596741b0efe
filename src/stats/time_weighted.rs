//! Time averages of piecewise-constant quantities (queue lengths, busy
//! servers, orders in the system), accumulated exactly as sums of
//! rectangles; restartable at the end of a warm-up.

use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// The time average of a piecewise-constant quantity, such as a queue length.
///
/// Call [`update`](TimeWeighted::update) whenever the quantity changes; the
/// value holds from that time until the next update.
///
/// # Formula
/// `mean = ∫ v(t) dt / (t_end - t_start)`, accumulated exactly as a sum of
/// rectangles.
///
/// # Examples
/// ```
/// use cbec_sim::{stats::TimeWeighted, SimTime};
/// let mut q = TimeWeighted::new(SimTime::ZERO, 0.0);
/// q.update(SimTime::from_secs(2.0), 3.0); // 0 for 2 s
/// let avg = q.finish(SimTime::from_secs(4.0)); // then 3 for 2 s
/// assert_eq!(avg.mean(), Some(1.5));
/// assert_eq!(avg.max(), 3.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeWeighted {
    start: f64,
    last: f64,
    value: f64,
    area: f64,
    max: f64,
}

impl TimeWeighted {
    /// Starts tracking at `now` with the current `value`.
    #[must_use]
    pub fn new(now: SimTime, value: f64) -> Self {
        TimeWeighted {
            start: now.secs(),
            last: now.secs(),
            value,
            area: 0.0,
            max: value,
        }
    }

    /// The quantity takes `value` from `now` on.
    #[inline]
    pub fn update(&mut self, now: SimTime, value: f64) {
        let now = now.secs();
        debug_assert!(now >= self.last, "time went backwards");
        self.area += self.value * (now - self.last);
        self.last = now;
        self.value = value;
        if value > self.max {
            self.max = value;
        }
    }

    /// Forgets the past: averaging restarts at `now` from the current value.
    pub fn restart(&mut self, now: SimTime) {
        *self = TimeWeighted::new(now, self.value);
    }

    /// The current value.
    #[must_use]
    pub const fn value(&self) -> f64 {
        self.value
    }

    /// The average from the start (or last restart) until `now`.
    #[must_use]
    pub fn finish(&self, now: SimTime) -> TimeAverage {
        let now = now.secs().max(self.last);
        TimeAverage {
            area: self.area + self.value * (now - self.last),
            duration: now - self.start,
            max: self.max,
        }
    }
}

/// A finished time average: the integral, the time span and the maximum.
///
/// Merging adds integrals and spans, which gives the average over the
/// combined time (for replications, the average weighted by run length).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TimeAverage {
    /// `∫ v(t) dt` over the span, in value·seconds.
    pub area: f64,
    /// Length of the span, in seconds.
    pub duration: f64,
    /// The largest value seen.
    pub max: f64,
}

impl TimeAverage {
    /// The time average, or `None` over an empty span.
    #[must_use]
    pub fn mean(&self) -> Option<f64> {
        (self.duration > 0.0).then(|| self.area / self.duration)
    }

    /// The largest value seen.
    #[must_use]
    pub const fn max(&self) -> f64 {
        self.max
    }

    /// Combines two spans.
    pub fn merge(&mut self, other: &TimeAverage) {
        self.area += other.area;
        self.duration += other.duration;
        self.max = self.max.max(other.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_discards_the_past() {
        let mut q = TimeWeighted::new(SimTime::ZERO, 10.0);
        q.update(SimTime::from_secs(5.0), 1.0);
        q.restart(SimTime::from_secs(5.0));
        let avg = q.finish(SimTime::from_secs(10.0));
        assert_eq!(avg.mean(), Some(1.0));
        assert_eq!(avg.duration, 5.0);
    }

    #[test]
    fn merge_weights_by_duration() {
        let mut a = TimeAverage {
            area: 10.0,
            duration: 10.0,
            max: 2.0,
        };
        a.merge(&TimeAverage {
            area: 30.0,
            duration: 10.0,
            max: 5.0,
        });
        assert_eq!(a.mean(), Some(2.0));
        assert_eq!(a.max, 5.0);
    }

    #[test]
    fn empty_span_has_no_mean() {
        let q = TimeWeighted::new(SimTime::from_secs(3.0), 1.0);
        assert_eq!(q.finish(SimTime::from_secs(3.0)).mean(), None);
    }
}
