//! The Kaplan–Meier estimate of a duration's CDF from completed and
//! right-censored durations (the empirical CDF when none is censored),
//! its Kolmogorov–Smirnov distance to a fitted law, and its quantiles as
//! an empirical law.

use super::family::Law;

/// The Kaplan–Meier estimate `F̂(t) = 1 - Π (1 - d_i / r_i)` over the
/// distinct completed durations `t_i <= t`, with `d_i` completed at `t_i`
/// and `r_i` at risk (durations and censored ages `>= t_i`; a duration
/// censored at a completion time is still at risk then).
#[derive(Debug, Clone)]
pub(crate) struct KaplanMeier {
    /// Distinct completed durations, increasing.
    times: Vec<f64>,
    /// `F̂` at each of them.
    cdf: Vec<f64>,
    /// The largest duration, completed or censored.
    pub(crate) last: f64,
}

impl KaplanMeier {
    /// The estimate from `completed` durations and `censored` ages.
    ///
    /// # Complexity
    /// O(n log n): one sort.
    pub(crate) fn new(completed: &[f64], censored: &[f64]) -> KaplanMeier {
        let mut all: Vec<(f64, bool)> = completed
            .iter()
            .map(|x| (*x, true))
            .chain(censored.iter().map(|c| (*c, false)))
            .collect();
        // Completions before censorings at equal times.
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut at_risk = all.len() as f64;
        let (mut times, mut cdf) = (Vec::new(), Vec::new());
        let mut survival = 1.0;
        let mut i = 0;
        while i < all.len() {
            let t = all[i].0;
            let (mut died, mut left) = (0.0, 0.0);
            while i < all.len() && all[i].0 == t {
                if all[i].1 {
                    died += 1.0;
                } else {
                    left += 1.0;
                }
                i += 1;
            }
            if died > 0.0 {
                survival *= 1.0 - died / at_risk;
                times.push(t);
                cdf.push(1.0 - survival);
            }
            at_risk -= died + left;
        }
        let last = all.last().map_or(0.0, |p| p.0);
        KaplanMeier { times, cdf, last }
    }

    /// The reverse Kaplan–Meier estimate: that of the censoring times,
    /// with the censored ages as the events and the completed durations
    /// as censored (a completed duration's censoring time is later).
    pub(crate) fn censoring(completed: &[f64], censored: &[f64]) -> KaplanMeier {
        KaplanMeier::new(censored, completed)
    }

    /// A draw from the estimate conditioned on exceeding `t`, by inversion
    /// at `u` in (0, 1]; `None` when it lands beyond the last step (the
    /// estimate's mass past the largest time: no censoring in range).
    pub(crate) fn draw_above(&self, t: f64, u: f64) -> Option<f64> {
        let below = self.times.partition_point(|x| *x <= t);
        let at = if below == 0 { 0.0 } else { self.cdf[below - 1] };
        let target = at + u * (1.0 - at);
        let j = below + self.cdf[below..].partition_point(|c| *c < target);
        (at < 1.0).then(|| self.times.get(j).copied()).flatten()
    }

    /// `F̂` at the largest duration: below 1 when that one is censored.
    pub(crate) fn end(&self) -> f64 {
        self.cdf.last().copied().unwrap_or(0.0)
    }

    /// The Kolmogorov–Smirnov distance `sup |F̂(t) - F(t)|` over
    /// `[0, last]`. `F̂` is a step function and `F` increases, so the
    /// supremum is at a step (from either side) or at `last`.
    pub(crate) fn ks_distance(&self, law: &Law) -> f64 {
        let mut d: f64 = 0.0;
        let mut before = 0.0;
        for (t, f) in self.times.iter().zip(&self.cdf) {
            let fitted = law.cdf(*t);
            d = d.max((before - fitted).abs()).max((f - fitted).abs());
            before = *f;
        }
        d.max((before - law.cdf(self.last)).abs())
    }

    /// At most `points` quantiles of `F̂` at equally spaced probabilities
    /// from 0 to [`KaplanMeier::end`]: the smallest completed duration `t`
    /// with `F̂(t) >= p`. Without censoring and with at most `points`
    /// durations, these are the sorted durations themselves.
    pub(crate) fn quantiles(&self, points: usize, completed: usize) -> Vec<f64> {
        let m = points
            .min(completed)
            .min(if self.times.len() == 1 { 1 } else { usize::MAX });
        if self.times.is_empty() || m == 0 {
            return Vec::new();
        }
        if m == 1 {
            return vec![self.times[0]];
        }
        let end = self.end();
        let mut j = 0;
        (0..m)
            .map(|i| {
                let p = end * i as f64 / (m - 1) as f64;
                while j + 1 < self.times.len() && self.cdf[j] < p - 1e-12 {
                    j += 1;
                }
                self.times[j]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::fit::family::Family;

    #[test]
    fn without_censoring_it_is_the_ecdf() {
        let km = KaplanMeier::new(&[3.0, 1.0, 2.0, 2.0], &[]);
        assert_eq!(km.times, [1.0, 2.0, 3.0]);
        assert_eq!(km.cdf, [0.25, 0.75, 1.0]);
        assert_eq!(km.quantiles(99, 4), [1.0, 2.0, 2.0, 3.0]);
    }

    #[test]
    fn censoring_matches_the_textbook_example() {
        // Completed 1, 3; censored 2, 4: S(1) = 3/4, S(3) = 3/4 · 1/2.
        let km = KaplanMeier::new(&[1.0, 3.0], &[2.0, 4.0]);
        assert_eq!(km.cdf, [0.25, 1.0 - 0.375]);
        assert_eq!(km.last, 4.0);
        assert!(km.end() < 1.0);
    }

    #[test]
    fn conditional_censoring_draws_lie_above() {
        // Censorings at 2 and 4, completions at 1 and 3: G jumps at 2
        // (risk set 3) and at 4 (risk set 1).
        let g = KaplanMeier::censoring(&[1.0, 3.0], &[2.0, 4.0]);
        assert!((g.cdf[0] - 1.0 / 3.0).abs() < 1e-15 && g.cdf[1] == 1.0);
        assert_eq!(g.draw_above(0.5, 0.3), Some(2.0));
        assert_eq!(g.draw_above(0.5, 0.5), Some(4.0));
        assert_eq!(g.draw_above(3.0, 0.01), Some(4.0));
        let none = KaplanMeier::censoring(&[1.0, 3.0], &[]);
        assert_eq!(none.draw_above(0.5, 1.0), None);
    }

    #[test]
    fn ks_distance_of_a_single_point() {
        let law = Law::new(Family::Exponential, &[1.0]).unwrap();
        let km = KaplanMeier::new(&[1.0], &[]);
        let f = law.cdf(1.0);
        assert!((km.ks_distance(&law) - f.max(1.0 - f)).abs() < 1e-15);
    }
}
