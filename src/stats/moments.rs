//! Streaming moments: count, mean, variance, minimum and maximum in
//! constant memory, mergeable (Chan et al.), so per-replication and
//! per-shard results combine exactly in a fixed order.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Count, mean, variance, minimum and maximum of a stream of values.
///
/// # Formula
/// Welford's update `δ = x - m; m += δ/n; M2 += δ·(x - m)`; merging two
/// summaries uses Chan et al.'s pairwise formula
/// `M2 = M2_a + M2_b + δ²·n_a·n_b/n`. The sample variance is `M2/(n-1)`.
///
/// # Examples
/// ```
/// use cbec_sim::stats::OnlineMoments;
/// let mut m = OnlineMoments::new();
/// for x in [1.0, 2.0, 3.0, 4.0] { m.push(x); }
/// assert_eq!(m.mean(), Some(2.5));
/// assert_eq!(m.variance(), Some(5.0 / 3.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OnlineMoments {
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Default for OnlineMoments {
    fn default() -> Self {
        Self::new()
    }
}

impl OnlineMoments {
    /// An empty summary.
    #[must_use]
    pub const fn new() -> Self {
        OnlineMoments {
            count: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Adds every observation summarised by `other`.
    pub fn merge(&mut self, other: &OnlineMoments) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let n = self.count + other.count;
        let delta = other.mean - self.mean;
        let (na, nb) = (self.count as f64, other.count as f64);
        self.mean += delta * nb / n as f64;
        self.m2 += other.m2 + delta * delta * na * nb / n as f64;
        self.count = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of observations.
    #[must_use]
    pub const fn count(&self) -> u64 {
        self.count
    }

    /// Mean, or `None` without observations.
    #[must_use]
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then_some(self.mean)
    }

    /// Sample variance (divisor `n - 1`), or `None` with fewer than two observations.
    #[must_use]
    pub fn variance(&self) -> Option<f64> {
        (self.count > 1).then(|| self.m2 / (self.count - 1) as f64)
    }

    /// Sample standard deviation, or `None` with fewer than two observations.
    #[must_use]
    pub fn std_dev(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }

    /// Standard error of the mean, `sd/√n`, or `None` with fewer than two observations.
    #[must_use]
    pub fn std_error(&self) -> Option<f64> {
        self.std_dev().map(|s| s / (self.count as f64).sqrt())
    }

    /// Half-width of the two-sided Student-t confidence interval for the
    /// mean at `level` (0.95 for 95%), or `None` with fewer than two
    /// observations or a level outside (0, 1).
    ///
    /// # Formula
    /// `t_{(1+level)/2, n-1} · sd / √n`.
    ///
    /// ```
    /// use cbec_sim::stats::OnlineMoments;
    /// let m: OnlineMoments = [1.0, 2.0, 3.0, 4.0, 5.0].into_iter().collect();
    /// // t(0.975, 4) = 2.776, sd = 1.581, n = 5
    /// assert!((m.confidence_half_width(0.95).unwrap() - 1.963).abs() < 1e-3);
    /// ```
    #[must_use]
    pub fn confidence_half_width(&self, level: f64) -> Option<f64> {
        if !(level > 0.0 && level < 1.0) {
            return None;
        }
        let se = self.std_error()?;
        let t = StudentsT::new(0.0, 1.0, (self.count - 1) as f64).ok()?;
        Some(t.inverse_cdf(0.5 + level / 2.0) * se)
    }

    /// Smallest observation, or `None` without observations.
    #[must_use]
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// Largest observation, or `None` without observations.
    #[must_use]
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }
}

impl FromIterator<f64> for OnlineMoments {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut m = OnlineMoments::new();
        for x in iter {
            m.push(x);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_has_no_statistics() {
        let m = OnlineMoments::new();
        assert_eq!(
            (m.mean(), m.variance(), m.min(), m.max()),
            (None, None, None, None)
        );
    }

    #[test]
    fn merge_equals_single_pass() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1013) as f64 / 10.0)
            .collect();
        let all: OnlineMoments = xs.iter().copied().collect();
        let mut a: OnlineMoments = xs[..333].iter().copied().collect();
        let b: OnlineMoments = xs[333..].iter().copied().collect();
        a.merge(&b);
        assert_eq!(a.count(), all.count());
        assert!((a.mean().unwrap() - all.mean().unwrap()).abs() < 1e-12);
        assert!((a.variance().unwrap() - all.variance().unwrap()).abs() < 1e-9);
        assert_eq!((a.min(), a.max()), (all.min(), all.max()));
    }

    #[test]
    fn variance_matches_two_pass() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let m: OnlineMoments = xs.iter().copied().collect();
        let mean = xs.iter().sum::<f64>() / 8.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 7.0;
        assert!((m.variance().unwrap() - var).abs() < 1e-12);
    }
}
