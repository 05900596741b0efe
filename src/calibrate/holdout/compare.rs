//! One stage's observed and simulated durations side by side: p50 and p95
//! with their intervals, a two-sample Kolmogorov-Smirnov test and the
//! points of a quantile-quantile chart.

use serde::Serialize;
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, StudentsT};

/// A quantile with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantileEstimate {
    /// The probability (0.5 for the median).
    pub q: f64,
    /// The estimate, in minutes.
    pub estimate: f64,
    /// The interval's lower end, in minutes (`NaN` when it cannot be
    /// given).
    pub low: f64,
    /// Its upper end; `+∞` for an observed quantile with too few values
    /// above it to bound it (written `null` in JSON).
    pub high: f64,
}

/// How one stage of the held-out weeks compares, observed against
/// simulated.
///
/// Durations are those **completed** within the window by orders that
/// arrived in it, in the log and in each simulated log alike: both are
/// cut at the same instant, so both lose the same long durations to
/// censoring, and the counts of censored stages are given beside them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageComparison {
    /// The stage's name in the map.
    pub stage: String,
    /// Its kind in the map (`service`, `wait` or `sojourn`).
    pub kind: String,
    /// Completed durations in the log.
    pub observed_n: usize,
    /// Censored stages in the log at the window's end.
    pub observed_censored: usize,
    /// Completed durations over all simulated replications.
    pub simulated_n: usize,
    /// Censored stages per simulated replication, on average.
    pub simulated_censored: f64,
    /// Observed p50 and p95 (minutes), each with its distribution-free
    /// interval from order statistics (binomial).
    pub observed: [QuantileEstimate; 2],
    /// Simulated p50 and p95: the mean over replications of each
    /// replication's quantile, with a Student t interval over them.
    pub simulated: [QuantileEstimate; 2],
    /// Two-sample Kolmogorov-Smirnov distance between the observed and the
    /// pooled simulated durations.
    pub ks_distance: f64,
    /// Its asymptotic p-value. Durations within a week are correlated
    /// (orders share queues), which the test does not know: read it as a
    /// screen, with the quantiles as the evidence.
    pub ks_p_value: f64,
    /// (observed, simulated) quantiles at 1%, 2%, ..., 99%, minutes: the
    /// points of a quantile-quantile chart.
    pub qq: Vec<(f64, f64)>,
}

impl StageComparison {
    /// Whether each simulated quantile (p50, p95) lies within the observed
    /// one's interval.
    #[must_use]
    pub fn quantiles_agree(&self) -> [bool; 2] {
        [0, 1].map(|i| {
            let (o, s) = (&self.observed[i], &self.simulated[i]);
            s.estimate >= o.low && s.estimate <= o.high
        })
    }
}

/// The `q` quantile of sorted data (type 7, as R's default).
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

/// The `q` quantile of sorted data with its distribution-free interval at
/// `level`: order statistics `l` and `u` with `P(l <= B < u) >= level`
/// for `B ~ Binomial(n, q)`.
pub(crate) fn observed_quantile(sorted: &[f64], q: f64, level: f64) -> QuantileEstimate {
    let n = sorted.len();
    let estimate = quantile_sorted(sorted, q);
    let (mut low, mut high) = (f64::NAN, f64::NAN);
    if n > 0
        && let Ok(b) = Binomial::new(q, n as u64)
    {
        let tail = (1.0 - level) / 2.0;
        let l = b.inverse_cdf(tail) as usize;
        let u = b.inverse_cdf(1.0 - tail) as usize + 1;
        // Below the smallest value: durations are never negative. Above
        // the largest: too few values to bound the quantile from above.
        low = if l >= 1 { sorted[l - 1] } else { 0.0 };
        high = if u <= n { sorted[u - 1] } else { f64::INFINITY };
    }
    QuantileEstimate {
        q,
        estimate,
        low,
        high,
    }
}

/// The mean of per-replication quantiles with a t interval at `level`.
pub(crate) fn replicated_quantile(per_rep: &[f64], q: f64, level: f64) -> QuantileEstimate {
    let vals: Vec<f64> = per_rep.iter().copied().filter(|v| v.is_finite()).collect();
    let n = vals.len();
    let mean = if n == 0 {
        f64::NAN
    } else {
        vals.iter().sum::<f64>() / n as f64
    };
    let (mut low, mut high) = (f64::NAN, f64::NAN);
    if n >= 2 {
        let var = vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        if let Ok(t) = StudentsT::new(0.0, 1.0, (n - 1) as f64) {
            let half = t.inverse_cdf(0.5 + level / 2.0) * (var / n as f64).sqrt();
            // A duration is never negative.
            low = (mean - half).max(0.0);
            high = mean + half;
        }
    }
    QuantileEstimate {
        q,
        estimate: mean,
        low,
        high,
    }
}

/// Two-sample Kolmogorov-Smirnov distance of sorted samples and its
/// asymptotic p-value (Stephens' correction, as in Numerical Recipes'
/// `kstwo`).
pub(crate) fn ks_two_sample(a: &[f64], b: &[f64]) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    let ne = (na * nb / (na + nb)).sqrt();
    let lambda = (ne + 0.12 + 0.11 / ne) * d;
    (d, kolmogorov_q(lambda))
}

/// `Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²)`, the Kolmogorov distribution's
/// upper tail.
fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    let mut sign = 1.0;
    for k in 1..=100 {
        let term = sign * (-2.0 * (k as f64 * lambda).powi(2)).exp();
        sum += term;
        if term.abs() < 1e-12 {
            break;
        }
        sign = -sign;
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statistic_intervals_match_r() {
        // R: n = 100, q = 0.5, 95%: qbinom(0.025, 100, 0.5) = 40,
        // qbinom(0.975, 100, 0.5) + 1 = 61: the 40th and 61st values.
        let data: Vec<f64> = (1..=100).map(f64::from).collect();
        let m = observed_quantile(&data, 0.5, 0.95);
        assert_eq!((m.low, m.high), (40.0, 61.0));
        assert_eq!(m.estimate, 50.5);
        let few = observed_quantile(&[1.0, 2.0], 0.95, 0.95);
        assert_eq!(
            few.high,
            f64::INFINITY,
            "two values cannot bound a p95: {few:?}"
        );
    }

    #[test]
    fn ks_matches_its_definition_and_tail() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [3.5, 5.0, 6.0, 7.0];
        let (d, _) = ks_two_sample(&a, &b);
        assert_eq!(d, 0.75);
        // Q(1.36) = 0.049 (the 5% critical value of the Kolmogorov law).
        assert!((kolmogorov_q(1.358) - 0.05).abs() < 1e-3);
        let same: Vec<f64> = (0..200).map(f64::from).collect();
        assert_eq!(ks_two_sample(&same, &same), (0.0, 1.0));
    }
}
