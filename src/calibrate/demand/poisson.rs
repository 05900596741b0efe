//! The exact Poisson pieces of a demand fit: Garwood's interval for a
//! count, the two-sided exact test of a count against its mean, and the
//! likelihood-ratio (G) statistic's terms and tail.

use statrs::distribution::{
    Binomial, ChiSquared, ContinuousCDF, DiscreteCDF, Gamma, Normal, Poisson,
};

/// Garwood's exact interval for the mean of a Poisson count `n` at
/// `level`: the `(1 - level)/2` quantile of Gamma(n, 1) (0 for n = 0) and
/// the `(1 + level)/2` quantile of Gamma(n + 1, 1) (the chi-squared form
/// halved). It covers the mean with probability at least `level`.
pub(super) fn garwood(n: u64, level: f64) -> (f64, f64) {
    let tail = (1.0 - level) / 2.0;
    let quantile = |shape: f64, p: f64| {
        Gamma::new(shape, 1.0)
            .expect("a shape of at least 1 and rate 1 are valid")
            .inverse_cdf(p)
    };
    let nf = n as f64;
    let low = if n == 0 { 0.0 } else { quantile(nf, tail) };
    (low, quantile(nf + 1.0, 1.0 - tail))
}

/// The two-sided exact Poisson test of a count `n` against a mean
/// `mean`: twice the smaller tail, at most 1. A mean of 0 gives 1 for no
/// arrival and 0 otherwise.
pub(super) fn poisson_test(n: u64, mean: f64) -> f64 {
    if mean.is_nan() || mean <= 0.0 {
        return if n == 0 { 1.0 } else { 0.0 };
    }
    let Ok(p) = Poisson::new(mean) else {
        return 0.0;
    };
    let lower = p.cdf(n);
    let upper = if n == 0 { 1.0 } else { p.sf(n - 1) };
    (2.0 * lower.min(upper)).min(1.0)
}

/// One cell's term of the G statistic, `2 (n ln(n/μ) - (n - μ))`: the
/// Poisson deviance of a count `n` against a fitted mean `mu`. Infinite
/// for arrivals where the fit has none.
/// The exact two-sided p-value of a day's count `n` against others'
/// `n_other` when their expected counts stand in the ratio `mu` to
/// `mu_other` (the same rate, both estimated): given the total
/// `n + n_other`, `n` is Binomial(total, mu / (mu + mu_other)) (the
/// conditional test of two Poisson rates, Przyborowski and Wilenski).
/// Doubles the smaller tail, capped at 1.
pub(super) fn conditional_test(n: u64, mu: f64, n_other: u64, mu_other: f64) -> f64 {
    let total = n + n_other;
    if total == 0 || !(mu > 0.0 && mu_other > 0.0) {
        return 1.0;
    }
    let Ok(b) = Binomial::new(mu / (mu + mu_other), total) else {
        return 1.0;
    };
    let below = b.cdf(n);
    let above = if n == 0 { 1.0 } else { b.sf(n - 1) };
    (2.0 * below.min(above)).min(1.0)
}

pub(super) fn deviance(n: f64, mu: f64) -> f64 {
    if n == 0.0 {
        2.0 * mu
    } else if mu <= 0.0 {
        f64::INFINITY
    } else {
        2.0 * (n * (n / mu).ln() - (n - mu))
    }
}

/// The upper tail of the chi-squared distribution with `df` degrees of
/// freedom at `x` (the p-value of a G statistic); `df` at least 1.
pub(super) fn chi2_sf(x: f64, df: u64) -> f64 {
    if !x.is_finite() {
        return 0.0;
    }
    ChiSquared::new(df as f64)
        .expect("at least one degree of freedom")
        .sf(x.max(0.0))
}

/// The standard normal quantile for a two-sided interval at `level`.
pub(super) fn z(level: f64) -> f64 {
    Normal::standard().inverse_cdf(1.0 - (1.0 - level) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garwood_matches_reference_values() {
        // R: poisson.test(x)$conf.int.
        let (lo, hi) = garwood(0, 0.95);
        assert_eq!(lo, 0.0);
        assert!((hi - 3.688_879).abs() < 1e-5, "{hi}");
        let (lo, hi) = garwood(10, 0.95);
        assert!((lo - 4.795_389).abs() < 1e-5, "{lo}");
        assert!((hi - 18.390_356).abs() < 1e-5, "{hi}");
    }

    #[test]
    fn exact_test_matches_reference_values() {
        // Twice the smaller tail: 2 P(X >= 10 | 4) = 2 × 0.008_132_...
        let p = poisson_test(10, 4.0);
        assert!((p - 0.016_265).abs() < 1e-5, "{p}");
        assert_eq!(poisson_test(0, 0.0), 1.0);
        assert_eq!(poisson_test(3, 0.0), 0.0);
        assert_eq!(poisson_test(4, 4.0), 1.0);
    }

    #[test]
    fn deviance_and_tail() {
        assert_eq!(deviance(5.0, 5.0), 0.0);
        assert_eq!(deviance(0.0, 2.0), 4.0);
        assert_eq!(deviance(1.0, 0.0), f64::INFINITY);
        assert!((chi2_sf(3.841_459, 1) - 0.05).abs() < 1e-6);
        assert_eq!(chi2_sf(f64::INFINITY, 3), 0.0);
        assert!((z(0.95) - 1.959_964).abs() < 1e-6);
    }
}
