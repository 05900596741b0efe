//! The parametric families a duration is fitted to, in the crate's own
//! parametrisation of [`DistSpec`]: log-density (for a completed
//! duration), log-survival (for a right-censored one), CDF and sampling.

use crate::dist::{Dist, DistSpec};
use crate::error::DistError;
use crate::rng::SimRng;
use serde::Serialize;
use statrs::function::erf::erfc;
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur, ln_gamma};
use std::f64::consts::{PI, SQRT_2};
use std::fmt;

/// A parametric family of durations a fit considers.
///
/// The parameters are those of the family's [`DistSpec`]:
///
/// | family | parameters |
/// |---|---|
/// | `exponential` | `mean` |
/// | `lognormal` | `mean`, `cv` |
/// | `gamma` | `mean`, `cv` |
/// | `weibull` | `shape`, `scale` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Family {
    /// Exponential: one parameter, the mean.
    Exponential,
    /// Lognormal by its mean and coefficient of variation.
    Lognormal,
    /// Gamma by its mean and coefficient of variation (shape `1/cv²`).
    Gamma,
    /// Weibull by its shape `k` and scale `λ`.
    Weibull,
}

impl Family {
    /// Every family, in the order a fit tries them.
    pub const ALL: [Family; 4] = [
        Family::Exponential,
        Family::Lognormal,
        Family::Gamma,
        Family::Weibull,
    ];

    /// The family's name as a scenario file writes it (`lognormal`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Family::Exponential => "exponential",
            Family::Lognormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
        }
    }

    /// The names of its parameters, in the order [`Law::new`] takes them.
    #[must_use]
    pub fn params(self) -> &'static [&'static str] {
        match self {
            Family::Exponential => &["mean"],
            Family::Lognormal | Family::Gamma => &["mean", "cv"],
            Family::Weibull => &["shape", "scale"],
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One member of a [`Family`]: the family with its parameters, checked,
/// with the constants its density needs computed once.
///
/// # Examples
/// ```
/// use cbec_sim::calibrate::{Family, Law};
/// let law = Law::new(Family::Weibull, &[2.0, 10.0])?;
/// assert!((law.cdf(10.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
/// assert_eq!(law.ln_sf(20.0), -4.0);
/// # Ok::<(), cbec_sim::DistError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Law {
    family: Family,
    params: Vec<f64>,
    /// Lognormal (μ, σ) of the log; gamma (shape a, scale θ, lnΓ(a));
    /// Weibull (k, λ); exponential (mean).
    c: [f64; 3],
    dist: Dist,
}

impl Law {
    /// The member of `family` with `params` (see [`Family`] for their
    /// order), each finite and greater than 0.
    ///
    /// # Errors
    /// [`DistError`] naming the parameter when one is missing, not finite
    /// or not above 0, or when the parameters give a law that cannot be
    /// sampled (a cv so large that the gamma shape underflows).
    pub fn new(family: Family, params: &[f64]) -> Result<Law, DistError> {
        let names: &[&'static str] = match family {
            Family::Exponential => &["exponential.mean"],
            Family::Lognormal => &["lognormal.mean", "lognormal.cv"],
            Family::Gamma => &["gamma.mean", "gamma.cv"],
            Family::Weibull => &["weibull.shape", "weibull.scale"],
        };
        if params.len() != names.len() {
            return Err(DistError::new(
                names[0],
                "wrong number of parameters for the family",
                params.len(),
            ));
        }
        for (name, v) in names.iter().zip(params) {
            if !(v.is_finite() && *v > 0.0) {
                return Err(DistError::new(name, "must be finite and greater than 0", v));
            }
        }
        let (c, spec) = match family {
            Family::Exponential => (
                [params[0], 0.0, 0.0],
                DistSpec::Exponential { mean: params[0] },
            ),
            Family::Lognormal => {
                let (mean, cv) = (params[0], params[1]);
                let s2 = cv.mul_add(cv, 1.0).ln();
                let c = [mean.ln() - s2 / 2.0, s2.sqrt(), 0.0];
                (c, DistSpec::Lognormal { mean, cv })
            }
            Family::Gamma => {
                let (mean, cv) = (params[0], params[1]);
                let a = 1.0 / (cv * cv);
                let c = [a, mean * cv * cv, ln_gamma(a)];
                (c, DistSpec::Gamma { mean, cv })
            }
            Family::Weibull => (
                [params[0], params[1], 0.0],
                DistSpec::Weibull {
                    shape: params[0],
                    scale: params[1],
                },
            ),
        };
        if c.iter().any(|v| !v.is_finite()) || c[1] == 0.0 && family != Family::Exponential {
            return Err(DistError::new(
                names[names.len() - 1],
                "gives a law whose constants are not finite",
                params[params.len() - 1],
            ));
        }
        let dist = Dist::try_from(spec)?;
        Ok(Law {
            family,
            params: params.to_vec(),
            c,
            dist,
        })
    }

    /// Its family.
    #[must_use]
    pub fn family(&self) -> Family {
        self.family
    }

    /// Its parameters, in the order of [`Family::params`].
    #[must_use]
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// The law as a scenario's distribution, in the unit of its parameters.
    #[must_use]
    pub fn spec(&self) -> DistSpec {
        self.dist.spec().clone()
    }

    /// `ln f(x)`, the log-density at `x` (`-inf` at or below 0).
    #[must_use]
    pub fn ln_pdf(&self, x: f64) -> f64 {
        if x.is_nan() || x <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let [a, b, g] = self.c;
        match self.family {
            Family::Exponential => -a.ln() - x / a,
            Family::Lognormal => {
                let z = (x.ln() - a) / b;
                -x.ln() - b.ln() - 0.5 * (2.0 * PI).ln() - 0.5 * z * z
            }
            Family::Gamma => (a - 1.0) * x.ln() - x / b - a * b.ln() - g,
            Family::Weibull => {
                let r = x / b;
                a.ln() - b.ln() + (a - 1.0) * r.ln() - r.powf(a)
            }
        }
    }

    /// `ln S(x) = ln P(X > x)`, the log-survival at `x`: what a duration
    /// censored at age `x` adds to the log-likelihood. Accurate in the far
    /// right tail (an asymptotic form where the survival underflows).
    #[must_use]
    pub fn ln_sf(&self, x: f64) -> f64 {
        if x.is_nan() || x <= 0.0 {
            return 0.0;
        }
        let [a, b, g] = self.c;
        match self.family {
            Family::Exponential => -x / a,
            Family::Weibull => -(x / b).powf(a),
            Family::Lognormal => ln_normal_sf((x.ln() - a) / b),
            Family::Gamma => {
                let y = x / b;
                match checked_gamma_ur(a, y) {
                    Ok(q) if q > 0.0 => q.ln(),
                    // Q(a, y) ~ y^(a-1) e^(-y) / Γ(a) for y >> a.
                    _ => (a - 1.0) * y.ln() - y - g,
                }
            }
        }
    }

    /// `F(x) = P(X <= x)`.
    #[must_use]
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() || x <= 0.0 {
            return 0.0;
        }
        let [a, b, _] = self.c;
        match self.family {
            Family::Exponential => -(-x / a).exp_m1(),
            Family::Weibull => -(-(x / b).powf(a)).exp_m1(),
            Family::Lognormal => 0.5 * erfc(-(x.ln() - a) / (b * SQRT_2)),
            Family::Gamma => checked_gamma_lr(a, x / b).unwrap_or(1.0),
        }
    }

    /// Draws one duration (the crate's own sampler for the [`DistSpec`]).
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        self.dist.sample(rng)
    }
}

/// `ln(1 - Φ(z))`, with the Mills-ratio expansion where it underflows.
fn ln_normal_sf(z: f64) -> f64 {
    let s = 0.5 * erfc(z / SQRT_2);
    if s > 1e-300 {
        s.ln()
    } else {
        // 1 - Φ(z) ~ φ(z)/z · (1 - 1/z² + 3/z⁴) for large z.
        let z2 = z * z;
        -0.5 * z2 - 0.5 * (2.0 * PI).ln() - z.ln() + (1.0 - 1.0 / z2 + 3.0 / (z2 * z2)).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Continuous, ContinuousCDF, Gamma, LogNormal};

    #[test]
    fn densities_match_statrs() {
        let ln = Law::new(Family::Lognormal, &[10.0, 1.5]).unwrap();
        let s2 = (1.0f64 + 2.25).ln();
        let r = LogNormal::new(10f64.ln() - s2 / 2.0, s2.sqrt()).unwrap();
        let g = Law::new(Family::Gamma, &[10.0, 0.5]).unwrap();
        let rg = Gamma::new(4.0, 4.0 / 10.0).unwrap();
        for x in [0.3, 1.0, 7.5, 40.0] {
            assert!((ln.ln_pdf(x) - r.ln_pdf(x)).abs() < 1e-12, "{x}");
            assert!((ln.cdf(x) - r.cdf(x)).abs() < 1e-12, "{x}");
            assert!((ln.ln_sf(x) - r.sf(x).ln()).abs() < 1e-10, "{x}");
            assert!((g.ln_pdf(x) - rg.ln_pdf(x)).abs() < 1e-12, "{x}");
            assert!((g.cdf(x) - rg.cdf(x)).abs() < 1e-12, "{x}");
            assert!((g.ln_sf(x) - rg.sf(x).ln()).abs() < 1e-10, "{x}");
        }
    }

    #[test]
    fn far_tails_stay_finite() {
        let ln = Law::new(Family::Lognormal, &[1.0, 0.1]).unwrap();
        let g = Law::new(Family::Gamma, &[1.0, 0.1]).unwrap();
        for law in [ln, g] {
            let (a, b) = (law.ln_sf(50.0), law.ln_sf(100.0));
            assert!(
                a.is_finite() && b.is_finite() && b < a && a < -100.0,
                "{a} {b}"
            );
        }
    }

    #[test]
    fn bad_parameters_are_named() {
        let e = Law::new(Family::Gamma, &[1.0, -1.0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "gamma.cv: must be finite and greater than 0, got -1"
        );
        assert!(Law::new(Family::Weibull, &[1.0]).is_err());
    }
}
