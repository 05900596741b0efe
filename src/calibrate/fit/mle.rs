//! Censored maximum likelihood for one family, with Wald intervals from
//! the observed information.
//!
//! # Formula
//! The log-likelihood of completed durations `x_i` and right-censored
//! ages `c_j` is `ℓ = Σ ln f(x_i) + Σ ln S(c_j)`. It is maximised over the
//! logs of the reported parameters, `θ = (ln mean, ln cv)` (lognormal,
//! gamma), `(ln shape, ln scale)` (Weibull), `ln mean` (exponential), so
//! the search is unconstrained and the interval of each parameter is
//! `exp(θ̂ ± z·se)`, positive and with no delta method, where `se²` is the
//! diagonal of the inverse observed information `-∇²ℓ(θ̂)` (central
//! differences, step 10⁻³ on the log scale).
//!
//! - exponential: `mean = (Σ x + Σ c) / n_completed`, closed form;
//! - Weibull: the scale has a closed form given the shape,
//!   `λ^k = (Σ x^k + Σ c^k) / n_completed`, and the profile score
//!   `1/k + mean(ln x) - Σ t^k ln t / Σ t^k` (over every `t`, completed or
//!   censored) decreases in `k`: solved by Newton steps kept inside a
//!   bracket, one O(n) pass each;
//! - lognormal and gamma: Nelder–Mead ([`super::simplex`]) from the method
//!   of moments on the completed durations. The completed part of `ℓ` is
//!   computed from sums kept once (`n`, `Σ x`, `Σ ln x`, `Σ (ln x - mean)²`),
//!   so an evaluation costs O(1) plus one survival per censored age.
//!
//! # Complexity
//! Building the sample is O(n). An exponential fit is O(1), a Weibull fit
//! O(n) per Newton step (about ten), a lognormal or gamma fit O(n_censored)
//! per evaluation (a few hundred).

use super::family::{Family, Law};
use super::simplex;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// Durations of one stage, in the fit's unit, with the sums the
/// likelihoods read.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    completed: Vec<f64>,
    /// Censored ages above 0 (an age of 0 adds `ln S(0) = 0`).
    censored: Vec<f64>,
    n: f64,
    sum: f64,
    sum_ln: f64,
    mean_ln: f64,
    ss_ln: f64,
    ss: f64,
    sum_censored: f64,
    /// The largest duration, completed or censored.
    max: f64,
}

impl Sample {
    /// The sample of `completed` durations (each > 0) and `censored` ages
    /// (each >= 0).
    pub(crate) fn new(completed: Vec<f64>, mut censored: Vec<f64>) -> Sample {
        censored.retain(|c| *c > 0.0);
        let n = completed.len() as f64;
        let sum: f64 = completed.iter().sum();
        let sum_ln: f64 = completed.iter().map(|x| x.ln()).sum();
        let (mean, mean_ln) = if n > 0.0 {
            (sum / n, sum_ln / n)
        } else {
            (0.0, 0.0)
        };
        let ss_ln = completed.iter().map(|x| (x.ln() - mean_ln).powi(2)).sum();
        let ss = completed.iter().map(|x| (x - mean).powi(2)).sum();
        let max = completed
            .iter()
            .chain(&censored)
            .copied()
            .fold(0.0, f64::max);
        Sample {
            sum_censored: censored.iter().sum(),
            completed,
            censored,
            n,
            sum,
            sum_ln,
            mean_ln,
            ss_ln,
            ss,
            max,
        }
    }

    /// The log-likelihood of the law with log-parameters `theta`
    /// (`-inf` where the law is not defined).
    pub(crate) fn loglik(&self, family: Family, theta: &[f64]) -> f64 {
        let params: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
        let Ok(law) = Law::new(family, &params) else {
            return f64::NEG_INFINITY;
        };
        let n = self.n;
        match family {
            Family::Exponential => -n * theta[0] - (self.sum + self.sum_censored) / params[0],
            Family::Weibull => {
                let (k, ln_scale) = (params[0], theta[1]);
                let (ln_t, ..) = self.power_sums(k);
                n * k.ln() - n * k * ln_scale + (k - 1.0) * self.sum_ln
                    - (ln_t - k * ln_scale).exp()
            }
            Family::Lognormal | Family::Gamma => {
                let done = match family {
                    Family::Lognormal => {
                        let cv = params[1];
                        let s2 = cv.mul_add(cv, 1.0).ln();
                        let mu = theta[0] - s2 / 2.0;
                        -self.sum_ln
                            - n * 0.5 * (2.0 * std::f64::consts::PI * s2).ln()
                            - (self.ss_ln + n * (self.mean_ln - mu).powi(2)) / (2.0 * s2)
                    }
                    _ => {
                        let cv = params[1];
                        let a = 1.0 / (cv * cv);
                        let scale = params[0] * cv * cv;
                        (a - 1.0) * self.sum_ln
                            - self.sum / scale
                            - n * a * scale.ln()
                            - n * statrs::function::gamma::ln_gamma(a)
                    }
                };
                done + self.censored.iter().map(|c| law.ln_sf(*c)).sum::<f64>()
            }
        }
    }

    /// For the Weibull shape `k`, over every duration `t` (completed or
    /// censored): `ln Σ t^k`, and the weighted mean and variance of `ln t`
    /// with weights `t^k` (scaled by the largest `t` so nothing overflows).
    fn power_sums(&self, k: f64) -> (f64, f64, f64) {
        let ln_max = self.max.ln();
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for t in self.completed.iter().chain(&self.censored) {
            let l = t.ln();
            let w = (k * (l - ln_max)).exp();
            s0 += w;
            s1 += w * l;
            s2 += w * l * l;
        }
        let m1 = s1 / s0;
        (s0.ln() + k * ln_max, m1, (s2 / s0 - m1 * m1).max(0.0))
    }

    /// The maximum-likelihood log-parameters of `family`, or `None` when
    /// the likelihood has no interior maximum (no completed duration, all
    /// completed durations equal) or the search did not find one.
    pub(crate) fn mle(&self, family: Family) -> Option<Vec<f64>> {
        if self.n == 0.0 {
            return None;
        }
        let theta = match family {
            Family::Exponential => vec![((self.sum + self.sum_censored) / self.n).ln()],
            Family::Weibull => self.weibull_mle()?,
            Family::Lognormal | Family::Gamma => {
                if self.ss_ln <= 0.0 {
                    return None;
                }
                let start = match family {
                    Family::Lognormal => {
                        let s2 = self.ss_ln / self.n;
                        vec![self.mean_ln + s2 / 2.0, 0.5 * s2.exp_m1().ln()]
                    }
                    _ => {
                        let mean = self.sum / self.n;
                        vec![mean.ln(), 0.5 * (self.ss / self.n).ln() - mean.ln()]
                    }
                };
                let m = simplex::minimise(|t| -self.loglik(family, t), &start, 0.3, 1200);
                m.f.is_finite().then_some(m.x)?
            }
        };
        let ll = self.loglik(family, &theta);
        // A cv or shape at the edge of what f64 holds is a degenerate fit.
        (ll.is_finite() && theta.iter().all(|t| t.abs() < 30.0)).then_some(theta)
    }

    /// The Weibull MLE `(ln k, ln λ)` by the profile score in `ln k`.
    fn weibull_mle(&self) -> Option<Vec<f64>> {
        let mean_ln_done = self.sum_ln / self.n;
        // g(k) = 1/k + mean ln x - E_w[ln t]; dg/d ln k = -1/k - k Var_w[ln t].
        let score = |u: f64| {
            let k = u.exp();
            let (_, m1, var) = self.power_sums(k);
            (1.0 / k + mean_ln_done - m1, -1.0 / k - k * var)
        };
        let cv = (self.ss / self.n).sqrt() / (self.sum / self.n);
        let mut u = if cv > 0.0 { -1.086 * cv.ln() } else { 0.0 };
        u = u.clamp(-5.0, 5.0);
        let (mut lo, mut hi) = (u, u);
        // Bracket the root: g > 0 at lo, g < 0 at hi (g decreases).
        while score(lo).0 <= 0.0 {
            lo -= 1.0;
            if lo < -12.0 {
                return None;
            }
        }
        while score(hi).0 >= 0.0 {
            hi += 1.0;
            if hi > 12.0 {
                return None;
            }
        }
        u = 0.5 * (lo + hi);
        for _ in 0..100 {
            let (g, dg) = score(u);
            if g > 0.0 {
                lo = u;
            } else {
                hi = u;
            }
            let newton = u - g / dg;
            let next = if newton > lo && newton < hi && dg < 0.0 {
                newton
            } else {
                0.5 * (lo + hi)
            };
            let done = (next - u).abs() < 1e-12 || hi - lo < 1e-12;
            u = next;
            if done {
                break;
            }
        }
        let k = u.exp();
        let (ln_t, ..) = self.power_sums(k);
        Some(vec![u, (ln_t - self.n.ln()) / k])
    }
}

/// One parameter of a fitted law, with its Wald interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Param {
    /// Its name in the [`DistSpec`](crate::DistSpec): `mean`, `cv`, `shape`, `scale`.
    pub name: &'static str,
    /// The maximum-likelihood estimate.
    pub estimate: f64,
    /// The interval's lower end, `exp(ln θ̂ - z·se)`; `None` when the
    /// observed information is not positive definite (a flat likelihood).
    pub low: Option<f64>,
    /// The interval's upper end, `exp(ln θ̂ + z·se)`.
    pub high: Option<f64>,
    /// The interval's confidence level, such as 0.95.
    pub level: f64,
}

/// The fitted law's parameters with their Wald intervals at `level`,
/// from the observed information at the log-parameters `theta`.
pub(crate) fn wald(sample: &Sample, family: Family, theta: &[f64], level: f64) -> Vec<Param> {
    let se = standard_errors(sample, family, theta);
    let z = Normal::standard().inverse_cdf(0.5 + level / 2.0);
    family
        .params()
        .iter()
        .zip(theta)
        .enumerate()
        .map(|(i, (name, t))| {
            let se = se.as_ref().map(|s| s[i]);
            Param {
                name,
                estimate: t.exp(),
                low: se.map(|s| (t - z * s).exp()),
                high: se.map(|s| (t + z * s).exp()),
                level,
            }
        })
        .collect()
}

/// Step of the central differences, on the log scale.
const H: f64 = 1e-3;

/// The standard errors of the log-parameters: the square roots of the
/// diagonal of the inverse of `-∇²ℓ`; `None` unless that is positive
/// definite.
fn standard_errors(sample: &Sample, family: Family, theta: &[f64]) -> Option<Vec<f64>> {
    let f = |d: &[f64]| {
        let t: Vec<f64> = theta.iter().zip(d).map(|(a, b)| a + b).collect();
        sample.loglik(family, &t)
    };
    let dim = theta.len();
    let f0 = f(&vec![0.0; dim]);
    let unit = |i: usize, s: f64| {
        let mut d = vec![0.0; dim];
        d[i] = s;
        d
    };
    let mut info = vec![vec![0.0; dim]; dim];
    for i in 0..dim {
        info[i][i] = -(f(&unit(i, H)) - 2.0 * f0 + f(&unit(i, -H))) / (H * H);
        for j in 0..i {
            let at = |a: f64, b: f64| {
                let mut d = vec![0.0; dim];
                d[i] = a;
                d[j] = b;
                f(&d)
            };
            let v = -(at(H, H) - at(H, -H) - at(-H, H) + at(-H, -H)) / (4.0 * H * H);
            info[i][j] = v;
            info[j][i] = v;
        }
    }
    let var = match dim {
        1 => vec![1.0 / info[0][0]],
        _ => {
            let det = info[0][0] * info[1][1] - info[0][1] * info[1][0];
            if det.is_nan() || det <= 0.0 {
                return None;
            }
            vec![info[1][1] / det, info[0][0] / det]
        }
    };
    var.iter()
        .all(|v| v.is_finite() && *v > 0.0)
        .then(|| var.iter().map(|v| v.sqrt()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_mean_is_total_time_over_completed() {
        let s = Sample::new(vec![1.0, 2.0, 3.0], vec![4.0, 0.0]);
        let t = s.mle(Family::Exponential).unwrap();
        assert!((t[0].exp() - 10.0 / 3.0).abs() < 1e-12);
        // Observed information of ln(mean) is the number completed.
        let p = wald(&s, Family::Exponential, &t, 0.95);
        let se = (p[0].high.unwrap() / p[0].estimate).ln() / 1.959_963_984_540_054;
        assert!((se - 1.0 / 3f64.sqrt()).abs() < 1e-5, "{se}");
    }

    #[test]
    fn weibull_profile_matches_the_full_likelihood() {
        let s = Sample::new(vec![0.5, 1.2, 2.0, 2.2, 3.1, 0.9], vec![2.5, 1.0]);
        let t = s.mle(Family::Weibull).unwrap();
        let best = s.loglik(Family::Weibull, &t);
        for d in [[1e-3, 0.0], [-1e-3, 0.0], [0.0, 1e-3], [0.0, -1e-3]] {
            let near = [t[0] + d[0], t[1] + d[1]];
            assert!(s.loglik(Family::Weibull, &near) < best);
        }
    }

    #[test]
    fn identical_values_have_no_two_parameter_fit() {
        let s = Sample::new(vec![2.0; 10], vec![]);
        for f in [Family::Lognormal, Family::Gamma, Family::Weibull] {
            assert_eq!(s.mle(f), None, "{f}");
        }
        assert!(s.mle(Family::Exponential).is_some());
    }
}
