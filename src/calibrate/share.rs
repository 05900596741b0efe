//! A route's share with its exact (Clopper–Pearson) confidence interval:
//! the routing probability a fit writes into a scenario, with the range
//! the sensitivity and robustness tools draw from.

use super::log::RouteCount;
use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF};

/// A share estimated from counts, with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Share {
    /// Successes over decided trials.
    pub estimate: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
    /// The interval's confidence level, such as 0.95.
    pub level: f64,
    /// Decided trials: the route's trials less the undecided ones.
    pub trials: u64,
    /// Trials that took the route.
    pub successes: u64,
}

impl RouteCount {
    /// The share of the decided trials that took the route, with its exact
    /// Clopper–Pearson interval at `level` (such as 0.95): it covers the
    /// true share in at least that share of logs, whatever the counts.
    /// `None` without a decided trial, or for a level outside (0, 1).
    ///
    /// Undecided orders (still open without the event when the log ends)
    /// are left out. That is unbiased when whether an order is still open
    /// does not depend on the route it will take; a log cut while the
    /// routed orders are held longer than the others keeps the ones routed
    /// soonest, and the share reads low.
    ///
    /// # Examples
    /// ```
    /// use cbec_sim::calibrate::RouteCount;
    /// let inspected = RouteCount { trials: 104, successes: 5, undecided: 4, repeats: 0, repeats_undecided: 0 };
    /// let s = inspected.share(0.95).unwrap();
    /// assert_eq!((s.trials, s.estimate), (100, 0.05));
    /// assert!((s.low - 0.016_43).abs() < 1e-4 && (s.high - 0.112_84).abs() < 1e-4);
    /// ```
    #[must_use]
    pub fn share(&self, level: f64) -> Option<Share> {
        let n = self.trials.checked_sub(self.undecided)?;
        clopper_pearson(self.successes.min(n), n, level)
    }

    /// The share of the route's events followed by another of the same
    /// order (a rework loop taken again: a second inspection, a list
    /// declared again), with its exact interval at `level`: the repeats
    /// over the events whose order could still repeat and had ended or
    /// repeated by the log's end. Under a loop taken again with a fixed
    /// probability (attempts geometric), this estimates it. `None`
    /// without a decided event, or for a level outside (0, 1).
    ///
    /// # Examples
    /// ```
    /// use cbec_sim::calibrate::RouteCount;
    /// // 100 orders inspected, 25 of them twice and 5 of those three
    /// // times: 130 inspections, 30 followed by another; 2 orders still
    /// // inside after their last inspection.
    /// let inspected = RouteCount { trials: 400, successes: 100, undecided: 0, repeats: 30, repeats_undecided: 2 };
    /// let again = inspected.repeat_share(0.95).unwrap();
    /// assert_eq!((again.successes, again.trials), (30, 128));
    /// ```
    #[must_use]
    pub fn repeat_share(&self, level: f64) -> Option<Share> {
        let events = self.successes + self.repeats;
        let n = events.checked_sub(self.repeats_undecided)?;
        clopper_pearson(self.repeats.min(n), n, level)
    }
}

/// `k` of `n` with the exact Clopper–Pearson interval at `level`.
fn clopper_pearson(k: u64, n: u64, level: f64) -> Option<Share> {
    if n == 0 || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let tail = (1.0 - level) / 2.0;
    let (kf, nf) = (k as f64, n as f64);
    let low = if k == 0 {
        0.0
    } else {
        Beta::new(kf, nf - kf + 1.0).ok()?.inverse_cdf(tail)
    };
    let high = if k == n {
        1.0
    } else {
        Beta::new(kf + 1.0, nf - kf).ok()?.inverse_cdf(1.0 - tail)
    };
    Some(Share {
        estimate: kf / nf,
        low,
        high,
        level,
        trials: n,
        successes: k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(trials: u64, successes: u64) -> Share {
        RouteCount {
            trials,
            successes,
            undecided: 0,
            repeats: 0,
            repeats_undecided: 0,
        }
        .share(0.95)
        .unwrap()
    }

    #[test]
    fn the_interval_is_clopper_pearsons() {
        // Reference values (R: binom.test(x, n)$conf.int).
        let s = share(10, 0);
        assert_eq!(s.low, 0.0);
        assert!((s.high - 0.308_45).abs() < 1e-4, "{s:?}");
        let s = share(10, 10);
        assert!((s.low - 0.691_55).abs() < 1e-4 && s.high == 1.0, "{s:?}");
        let s = share(20, 7);
        assert!((s.low - 0.153_92).abs() < 1e-4, "{s:?}");
        assert!((s.high - 0.592_18).abs() < 1e-4, "{s:?}");
    }

    #[test]
    fn no_decided_trial_no_share() {
        let open = RouteCount {
            trials: 3,
            successes: 0,
            undecided: 3,
            repeats: 0,
            repeats_undecided: 0,
        };
        assert_eq!(open.share(0.95), None);
        assert_eq!(share(5, 1).estimate, 0.2);
        assert_eq!(
            RouteCount {
                trials: 5,
                successes: 1,
                undecided: 0,
                repeats: 0,
                repeats_undecided: 0
            }
            .share(1.0),
            None
        );
    }
}
