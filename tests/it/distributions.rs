//! Kolmogorov–Smirnov tests of every continuous sampler against its exact
//! CDF, and a chi-square test of the discrete one. Critical values are for a
//! significance level of 0.001; the seeds are fixed.

use cbec_sim::rng::{StreamId, stream_rng};
use cbec_sim::{Dist, DistSpec};
use statrs::distribution::{
    ContinuousCDF, Exp, Gamma, LogNormal, Normal, Triangular, Uniform, Weibull,
};

const N: usize = 20_000;
/// KS critical value at α = 0.001: 1.949 / √n.
fn ks_critical() -> f64 {
    1.949 / (N as f64).sqrt()
}

fn samples(d: &Dist, seed: u64) -> Vec<f64> {
    let mut rng = stream_rng(seed, 0, StreamId(1));
    let mut xs: Vec<f64> = (0..N).map(|_| d.sample(&mut rng)).collect();
    xs.sort_by(f64::total_cmp);
    xs
}

fn ks_statistic(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let f = cdf(*x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

#[track_caller]
fn assert_ks(name: &str, d: &Dist, cdf: impl Fn(f64) -> f64) {
    let xs = samples(d, 99);
    let stat = ks_statistic(&xs, cdf);
    assert!(
        stat < ks_critical(),
        "{name}: KS statistic {stat} ≥ {}",
        ks_critical()
    );
    // The sample mean also agrees with the exact mean (4 standard errors).
    let mean = xs.iter().sum::<f64>() / N as f64;
    let se = (d.variance() / N as f64).sqrt();
    assert!(
        (mean - d.mean()).abs() <= 4.0 * se + 1e-12,
        "{name}: mean {mean} vs {}",
        d.mean()
    );
}

#[test]
fn exponential_ks() {
    let e = Exp::new(1.0 / 2.5).unwrap();
    assert_ks("exponential", &Dist::exponential(2.5).unwrap(), |x| {
        e.cdf(x)
    });
}

#[test]
fn uniform_ks() {
    let u = Uniform::new(1.0, 4.0).unwrap();
    assert_ks("uniform", &Dist::uniform(1.0, 4.0).unwrap(), |x| u.cdf(x));
}

#[test]
fn triangular_ks() {
    let t = Triangular::new(1.0, 6.0, 2.0).unwrap();
    assert_ks(
        "triangular",
        &Dist::triangular(1.0, 2.0, 6.0).unwrap(),
        |x| t.cdf(x),
    );
}

#[test]
fn truncated_normal_ks() {
    // Parent normal(1, 2) conditioned on x >= 0: F(x) = (Φ(x) - Φ(0)) / (1 - Φ(0)).
    let n = Normal::new(1.0, 2.0).unwrap();
    let p0 = n.cdf(0.0);
    assert_ks(
        "truncated normal",
        &Dist::truncated_normal(1.0, 2.0).unwrap(),
        |x| (n.cdf(x) - p0) / (1.0 - p0),
    );
}

#[test]
fn lognormal_ks() {
    // mean m, cv c: σ² = ln(1 + c²), μ = ln m - σ²/2.
    let (m, c) = (90.0f64, 1.0f64);
    let s2 = (1.0 + c * c).ln();
    let l = LogNormal::new(m.ln() - s2 / 2.0, s2.sqrt()).unwrap();
    assert_ks("lognormal", &Dist::lognormal(m, c).unwrap(), |x| l.cdf(x));
}

#[test]
fn gamma_ks() {
    // mean 4, cv 0.5: shape 4, rate 1.
    let g = Gamma::new(4.0, 1.0).unwrap();
    assert_ks("gamma", &Dist::gamma(4.0, 0.5).unwrap(), |x| g.cdf(x));
}

#[test]
fn weibull_ks() {
    let w = Weibull::new(1.7, 3.0).unwrap();
    assert_ks("weibull", &Dist::weibull(1.7, 3.0).unwrap(), |x| w.cdf(x));
}

#[test]
fn empirical_ks() {
    // Samples 0, 1, 3: the CDF rises linearly by 1/2 on [0, 1] and on [1, 3].
    let cdf = |x: f64| {
        if x <= 0.0 {
            0.0
        } else if x <= 1.0 {
            0.5 * x
        } else if x <= 3.0 {
            0.5 + 0.25 * (x - 1.0)
        } else {
            1.0
        }
    };
    assert_ks(
        "empirical",
        &Dist::empirical(vec![3.0, 0.0, 1.0]).unwrap(),
        cdf,
    );
}

#[test]
fn deterministic_is_constant() {
    let xs = samples(&Dist::deterministic(4.2).unwrap(), 1);
    assert!(xs.iter().all(|x| *x == 4.2));
}

#[test]
fn discrete_chi_square() {
    let values = vec![1.0, 2.0, 5.0, 10.0];
    let probs = vec![0.1, 0.2, 0.3, 0.4];
    let d = Dist::discrete(values.clone(), probs.clone()).unwrap();
    let xs = samples(&d, 7);
    let chi2: f64 = values
        .iter()
        .zip(&probs)
        .map(|(v, p)| {
            let observed = xs.iter().filter(|x| *x == v).count() as f64;
            let expected = p * N as f64;
            (observed - expected).powi(2) / expected
        })
        .sum();
    // χ² with 3 degrees of freedom, α = 0.001: 16.27.
    assert!(chi2 < 16.27, "chi-square {chi2}");
    assert!(xs.iter().all(|x| values.contains(x)));
}

#[test]
fn spec_round_trips() {
    let d = Dist::gamma(4.0, 0.5).unwrap();
    let spec: DistSpec = d.clone().into();
    assert_eq!(Dist::try_from(spec).unwrap(), d);
}
