//! Probability distributions: serde descriptions turned into validated samplers.
//!
//! # The file form
//!
//! A distribution is a small inline table whose `dist` key names the family.
//! Its parameters are plain numbers **in the unit of the field that holds
//! the distribution**: the unit is written once, in that field's name.
//!
//! ```toml
//! service_time_min = { dist = "lognormal", mean = 1.5, cv = 1.0 }   # minutes
//! basket_value_cny = { dist = "gamma", mean = 250, cv = 0.8 }       # CNY
//! ```
//!
//! | `dist` | parameters | meaning |
//! |---|---|---|
//! | `exponential` | `mean` > 0 | memoryless, cv = 1 |
//! | `deterministic` | `value` >= 0 | always `value` |
//! | `uniform` | 0 <= `low` <= `high` | flat on `[low, high]` |
//! | `triangular` | 0 <= `low` <= `mode` <= `high`, `low` < `high` | |
//! | `truncated_normal` | `mean` > 0, `sd` >= 0 | normal(`mean`, `sd`) conditioned on being >= 0 (draws below 0 are redrawn); `mean` and `sd` are the parent normal's |
//! | `lognormal` | `mean` > 0, `cv` >= 0 | given by its own mean and coefficient of variation |
//! | `gamma` | `mean` > 0, `cv` >= 0 | shape `1/cv²`, scale `mean·cv²` |
//! | `weibull` | `shape` > 0, `scale` > 0 | |
//! | `empirical` | `samples`: non-empty, each >= 0 | piecewise-linear between the sorted samples: a uniform draw `u` lands at position `u·(n-1)` and is interpolated between its two neighbours |
//! | `discrete` | `values` (>= 0), `probs` in [0, 1] summing to 1 (±1e-9) | one of the values |
//!
//! Every family takes non-negative values only, since durations, money and
//! counts are never negative. Unknown keys are errors. A `cv` of 0 gives the
//! deterministic value `mean`.

use crate::error::DistError;
use rand::RngExt;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Normal, Triangular, Weibull};
use serde::{Deserialize, Serialize};
use statrs::function::erf::erfc;
use statrs::function::gamma::gamma as gamma_fn;

/// The serde form of a distribution: what a file says, not yet validated.
///
/// Turn it into a [`Dist`] with `Dist::try_from(spec)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum DistSpec {
    /// Exponential with the given mean.
    Exponential {
        /// Mean, > 0.
        mean: f64,
    },
    /// Always the same value.
    Deterministic {
        /// The value, >= 0.
        value: f64,
    },
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower bound, >= 0.
        low: f64,
        /// Upper bound, >= `low`.
        high: f64,
    },
    /// Triangular on `[low, high]` with peak at `mode`.
    Triangular {
        /// Lower bound, >= 0.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound, > `low`.
        high: f64,
    },
    /// Normal truncated at zero (values below zero are redrawn).
    TruncatedNormal {
        /// Mean of the parent normal, > 0.
        mean: f64,
        /// Standard deviation of the parent normal, >= 0.
        sd: f64,
    },
    /// Lognormal given by its mean and coefficient of variation.
    Lognormal {
        /// Mean, > 0.
        mean: f64,
        /// Coefficient of variation (sd / mean), >= 0.
        cv: f64,
    },
    /// Gamma given by its mean and coefficient of variation.
    Gamma {
        /// Mean, > 0.
        mean: f64,
        /// Coefficient of variation, >= 0.
        cv: f64,
    },
    /// Weibull with shape `k` and scale `λ`.
    Weibull {
        /// Shape `k`, > 0.
        shape: f64,
        /// Scale `λ`, > 0.
        scale: f64,
    },
    /// Piecewise-linear interpolation between observed values.
    Empirical {
        /// Observed values, at least one, each >= 0.
        samples: Vec<f64>,
    },
    /// One of finitely many values.
    Discrete {
        /// The values, each >= 0.
        values: Vec<f64>,
        /// Their probabilities, summing to 1.
        probs: Vec<f64>,
    },
}

/// How close to 1 the probabilities of a discrete choice must sum.
pub const PROB_SUM_TOLERANCE: f64 = 1e-9;

#[derive(Debug, Clone)]
enum Sampler {
    Exponential(Exp<f64>),
    Deterministic(f64),
    Uniform {
        low: f64,
        width: f64,
    },
    Triangular(Triangular<f64>),
    TruncatedNormal(Normal<f64>),
    Lognormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    Weibull(Weibull<f64>),
    Empirical(Vec<f64>),
    Discrete {
        values: Vec<f64>,
        index: WeightedAliasIndex<f64>,
    },
}

/// A validated distribution over non-negative values, ready to sample.
///
/// Built from a [`DistSpec`] (as read from a file) or with the constructors
/// below, which check their parameters. Two `Dist`s are equal when their
/// specs are equal.
///
/// # Examples
///
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::Dist;
/// let review = Dist::lognormal(1.5, 1.0)?;
/// assert_eq!(review.mean(), 1.5);
/// assert!(Dist::exponential(-1.0).is_err());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "DistSpec", into = "DistSpec")]
pub struct Dist {
    spec: DistSpec,
    sampler: Sampler,
}

impl PartialEq for Dist {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

fn positive(param: &'static str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(DistError::new(
            param,
            "must be finite and greater than 0",
            v,
        ))
    }
}

fn non_negative(param: &'static str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(DistError::new(param, "must be finite and at least 0", v))
    }
}

fn list(values: &[f64]) -> String {
    format!("{values:?}")
}

impl TryFrom<DistSpec> for Dist {
    type Error = DistError;

    fn try_from(spec: DistSpec) -> Result<Self, DistError> {
        let sampler =
            match &spec {
                DistSpec::Exponential { mean } => {
                    let mean = positive("exponential.mean", *mean)?;
                    Sampler::Exponential(Exp::new(1.0 / mean).map_err(|_| {
                        DistError::new("exponential.mean", "must give a finite rate", mean)
                    })?)
                }
                DistSpec::Deterministic { value } => {
                    Sampler::Deterministic(non_negative("deterministic.value", *value)?)
                }
                DistSpec::Uniform { low, high } => {
                    let low = non_negative("uniform.low", *low)?;
                    let high = non_negative("uniform.high", *high)?;
                    if high < low {
                        return Err(DistError::new("uniform.high", "must be at least low", high));
                    }
                    Sampler::Uniform {
                        low,
                        width: high - low,
                    }
                }
                DistSpec::Triangular { low, mode, high } => {
                    let low = non_negative("triangular.low", *low)?;
                    let mode = non_negative("triangular.mode", *mode)?;
                    let high = non_negative("triangular.high", *high)?;
                    if high <= low {
                        return Err(DistError::new(
                            "triangular.high",
                            "must be greater than low",
                            high,
                        ));
                    }
                    if mode < low || mode > high {
                        return Err(DistError::new(
                            "triangular.mode",
                            "must lie between low and high",
                            mode,
                        ));
                    }
                    Sampler::Triangular(Triangular::new(low, high, mode).map_err(|_| {
                        DistError::new("triangular.mode", "must lie between low and high", mode)
                    })?)
                }
                DistSpec::TruncatedNormal { mean, sd } => {
                    let mean = positive("truncated_normal.mean", *mean)?;
                    let sd = non_negative("truncated_normal.sd", *sd)?;
                    if sd == 0.0 {
                        Sampler::Deterministic(mean)
                    } else {
                        Sampler::TruncatedNormal(Normal::new(mean, sd).map_err(|_| {
                            DistError::new("truncated_normal.sd", "must be finite", sd)
                        })?)
                    }
                }
                DistSpec::Lognormal { mean, cv } => {
                    let mean = positive("lognormal.mean", *mean)?;
                    let cv = non_negative("lognormal.cv", *cv)?;
                    if cv == 0.0 {
                        Sampler::Deterministic(mean)
                    } else {
                        Sampler::Lognormal(LogNormal::from_mean_cv(mean, cv).map_err(|_| {
                            DistError::new("lognormal.cv", "must give a finite sigma", cv)
                        })?)
                    }
                }
                DistSpec::Gamma { mean, cv } => {
                    let mean = positive("gamma.mean", *mean)?;
                    let cv = non_negative("gamma.cv", *cv)?;
                    if cv == 0.0 {
                        Sampler::Deterministic(mean)
                    } else {
                        let shape = 1.0 / (cv * cv);
                        Sampler::Gamma(Gamma::new(shape, mean / shape).map_err(|_| {
                            DistError::new("gamma.cv", "must give a finite shape", cv)
                        })?)
                    }
                }
                DistSpec::Weibull { shape, scale } => {
                    let shape = positive("weibull.shape", *shape)?;
                    let scale = positive("weibull.scale", *scale)?;
                    Sampler::Weibull(
                        Weibull::new(scale, shape).map_err(|_| {
                            DistError::new("weibull.shape", "must be finite", shape)
                        })?,
                    )
                }
                DistSpec::Empirical { samples } => {
                    if samples.is_empty() {
                        return Err(DistError::new(
                            "empirical.samples",
                            "must not be empty",
                            "[]",
                        ));
                    }
                    if let Some(bad) = samples.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                        return Err(DistError::new(
                            "empirical.samples",
                            "every sample must be finite and at least 0",
                            bad,
                        ));
                    }
                    let mut sorted = samples.clone();
                    sorted.sort_by(f64::total_cmp);
                    Sampler::Empirical(sorted)
                }
                DistSpec::Discrete { values, probs } => {
                    if values.is_empty() {
                        return Err(DistError::new("discrete.values", "must not be empty", "[]"));
                    }
                    if probs.len() != values.len() {
                        return Err(DistError::new(
                            "discrete.probs",
                            "must have one probability per value",
                            list(probs),
                        ));
                    }
                    if let Some(bad) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                        return Err(DistError::new(
                            "discrete.values",
                            "every value must be finite and at least 0",
                            bad,
                        ));
                    }
                    if let Some(bad) = probs
                        .iter()
                        .find(|p| !(p.is_finite() && (0.0..=1.0).contains(*p)))
                    {
                        return Err(DistError::new(
                            "discrete.probs",
                            "every probability must lie in [0, 1]",
                            bad,
                        ));
                    }
                    let sum: f64 = probs.iter().sum();
                    if (sum - 1.0).abs() > PROB_SUM_TOLERANCE {
                        return Err(DistError::new("discrete.probs", "must sum to 1", sum));
                    }
                    let index = WeightedAliasIndex::new(probs.clone())
                        .map_err(|_| DistError::new("discrete.probs", "must sum to 1", sum))?;
                    Sampler::Discrete {
                        values: values.clone(),
                        index,
                    }
                }
            };
        Ok(Dist { spec, sampler })
    }
}

impl From<Dist> for DistSpec {
    fn from(d: Dist) -> DistSpec {
        d.spec
    }
}

impl Dist {
    /// Exponential with the given mean.
    ///
    /// # Errors
    /// [`DistError`] unless `mean` is finite and > 0.
    pub fn exponential(mean: f64) -> Result<Self, DistError> {
        DistSpec::Exponential { mean }.try_into()
    }

    /// Always `value`.
    ///
    /// # Errors
    /// [`DistError`] unless `value` is finite and >= 0.
    pub fn deterministic(value: f64) -> Result<Self, DistError> {
        DistSpec::Deterministic { value }.try_into()
    }

    /// Uniform on `[low, high]`.
    ///
    /// # Errors
    /// [`DistError`] unless `0 <= low <= high`, both finite.
    pub fn uniform(low: f64, high: f64) -> Result<Self, DistError> {
        DistSpec::Uniform { low, high }.try_into()
    }

    /// Triangular on `[low, high]` with its peak at `mode`.
    ///
    /// # Errors
    /// [`DistError`] unless `0 <= low <= mode <= high` and `low < high`.
    pub fn triangular(low: f64, mode: f64, high: f64) -> Result<Self, DistError> {
        DistSpec::Triangular { low, mode, high }.try_into()
    }

    /// Normal(`mean`, `sd`) truncated at zero.
    ///
    /// # Errors
    /// [`DistError`] unless `mean > 0` and `sd >= 0`.
    pub fn truncated_normal(mean: f64, sd: f64) -> Result<Self, DistError> {
        DistSpec::TruncatedNormal { mean, sd }.try_into()
    }

    /// Lognormal with the given mean and coefficient of variation.
    ///
    /// # Errors
    /// [`DistError`] unless `mean > 0` and `cv >= 0`.
    pub fn lognormal(mean: f64, cv: f64) -> Result<Self, DistError> {
        DistSpec::Lognormal { mean, cv }.try_into()
    }

    /// Gamma with the given mean and coefficient of variation.
    ///
    /// # Errors
    /// [`DistError`] unless `mean > 0` and `cv >= 0`.
    pub fn gamma(mean: f64, cv: f64) -> Result<Self, DistError> {
        DistSpec::Gamma { mean, cv }.try_into()
    }

    /// Weibull with shape `k` and scale `λ`.
    ///
    /// # Errors
    /// [`DistError`] unless both are finite and > 0.
    pub fn weibull(shape: f64, scale: f64) -> Result<Self, DistError> {
        DistSpec::Weibull { shape, scale }.try_into()
    }

    /// Piecewise-linear empirical distribution through the given samples.
    ///
    /// # Errors
    /// [`DistError`] if `samples` is empty or holds a negative or non-finite value.
    pub fn empirical(samples: Vec<f64>) -> Result<Self, DistError> {
        DistSpec::Empirical { samples }.try_into()
    }

    /// `values[i]` with probability `probs[i]`.
    ///
    /// # Errors
    /// [`DistError`] if the lists are empty or of different lengths, a value is
    /// negative, a probability lies outside `[0, 1]`, or they do not sum to 1.
    pub fn discrete(values: Vec<f64>, probs: Vec<f64>) -> Result<Self, DistError> {
        DistSpec::Discrete { values, probs }.try_into()
    }

    /// The description this distribution was built from.
    #[must_use]
    pub fn spec(&self) -> &DistSpec {
        &self.spec
    }

    /// Draws one value, from any generator (the crate's streams are
    /// [`SimRng`](crate::rng::SimRng)).
    #[inline]
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.sampler {
            Sampler::Exponential(d) => d.sample(rng),
            Sampler::Deterministic(v) => *v,
            Sampler::Uniform { low, width } => low + width * rng.random::<f64>(),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::TruncatedNormal(d) => loop {
                let x = d.sample(rng);
                if x >= 0.0 {
                    break x;
                }
            },
            Sampler::Lognormal(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::Empirical(xs) => {
                if xs.len() == 1 {
                    return xs[0];
                }
                let pos = rng.random::<f64>() * (xs.len() - 1) as f64;
                let i = (pos as usize).min(xs.len() - 2);
                let frac = pos - i as f64;
                xs[i] + frac * (xs[i + 1] - xs[i])
            }
            Sampler::Discrete { values, index } => values[index.sample(rng)],
        }
    }

    /// Whether a draw is exactly 0 with positive probability: a
    /// deterministic 0, a discrete 0 of positive probability, an empirical
    /// distribution with a flat stretch at 0.
    pub(crate) fn can_be_zero(&self) -> bool {
        match &self.spec {
            DistSpec::Deterministic { value } => *value == 0.0,
            DistSpec::Uniform { low, high } => *high == 0.0 && *low == 0.0,
            DistSpec::Discrete { values, probs } => {
                values.iter().zip(probs).any(|(v, p)| *v == 0.0 && *p > 0.0)
            }
            DistSpec::Empirical { samples } => {
                let zeros = samples.iter().filter(|x| **x == 0.0).count();
                zeros >= 2 || (zeros == 1 && samples.len() == 1)
            }
            _ => false,
        }
    }

    /// The exact mean.
    ///
    /// # Formula
    /// Truncated normal with parent `(μ, σ)`: `μ + σ·λ` with `α = -μ/σ`,
    /// `λ = φ(α)/(1-Φ(α))`. Weibull: `λ·Γ(1+1/k)`. Empirical: the mean of the
    /// piecewise-linear density, `Σ (x_i + x_{i+1}) / (2(n-1))`.
    #[must_use]
    pub fn mean(&self) -> f64 {
        self.moments().0
    }

    /// The exact variance (see [`Dist::mean`] for the formulas used).
    #[must_use]
    pub fn variance(&self) -> f64 {
        let (m, m2) = self.moments();
        (m2 - m * m).max(0.0)
    }

    /// The squared coefficient of variation, `variance / mean²` (0 when the mean is 0).
    #[must_use]
    pub fn scv(&self) -> f64 {
        let m = self.mean();
        if m == 0.0 {
            0.0
        } else {
            self.variance() / (m * m)
        }
    }

    /// (E\[X\], E\[X²\]).
    fn moments(&self) -> (f64, f64) {
        let from_mv = |m: f64, var: f64| (m, var + m * m);
        match &self.spec {
            DistSpec::Exponential { mean } => from_mv(*mean, mean * mean),
            DistSpec::Deterministic { value } => from_mv(*value, 0.0),
            DistSpec::Uniform { low, high } => {
                from_mv((low + high) / 2.0, (high - low).powi(2) / 12.0)
            }
            DistSpec::Triangular {
                low: a,
                mode: c,
                high: b,
            } => from_mv(
                (a + b + c) / 3.0,
                (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
            ),
            DistSpec::TruncatedNormal { mean, sd } => {
                if *sd == 0.0 {
                    return from_mv(*mean, 0.0);
                }
                let alpha = -mean / sd;
                let phi = (-0.5 * alpha * alpha).exp() / (2.0 * std::f64::consts::PI).sqrt();
                let tail = 0.5 * erfc(alpha / std::f64::consts::SQRT_2);
                let lambda = phi / tail;
                from_mv(
                    mean + sd * lambda,
                    sd * sd * (1.0 + alpha * lambda - lambda * lambda),
                )
            }
            DistSpec::Lognormal { mean, cv } | DistSpec::Gamma { mean, cv } => {
                from_mv(*mean, (mean * cv).powi(2))
            }
            DistSpec::Weibull { shape, scale } => {
                let g1 = gamma_fn(1.0 + 1.0 / shape);
                let g2 = gamma_fn(1.0 + 2.0 / shape);
                (scale * g1, scale * scale * g2)
            }
            DistSpec::Empirical { .. } => {
                let Sampler::Empirical(xs) = &self.sampler else {
                    unreachable!("empirical spec always has an empirical sampler")
                };
                if xs.len() == 1 {
                    return from_mv(xs[0], 0.0);
                }
                let segments = (xs.len() - 1) as f64;
                let (mut m1, mut m2) = (0.0, 0.0);
                for w in xs.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    m1 += (a + b) / 2.0;
                    m2 += (a * a + a * b + b * b) / 3.0;
                }
                (m1 / segments, m2 / segments)
            }
            DistSpec::Discrete { values, probs } => values
                .iter()
                .zip(probs)
                .fold((0.0, 0.0), |(m1, m2), (v, p)| (m1 + p * v, m2 + p * v * v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! rejects {
        ($($name:ident: $spec:expr => $param:literal;)*) => {$(
            #[test]
            fn $name() {
                let err = Dist::try_from($spec).unwrap_err();
                assert_eq!(err.param, $param, "{err}");
            }
        )*};
    }

    rejects! {
        exponential_negative_mean_err: DistSpec::Exponential { mean: -1.0 } => "exponential.mean";
        exponential_nan_mean_err: DistSpec::Exponential { mean: f64::NAN } => "exponential.mean";
        deterministic_negative_err: DistSpec::Deterministic { value: -0.5 } => "deterministic.value";
        uniform_inverted_err: DistSpec::Uniform { low: 2.0, high: 1.0 } => "uniform.high";
        triangular_mode_outside_err: DistSpec::Triangular { low: 1.0, mode: 5.0, high: 3.0 } => "triangular.mode";
        triangular_degenerate_err: DistSpec::Triangular { low: 1.0, mode: 1.0, high: 1.0 } => "triangular.high";
        truncated_normal_negative_sd_err: DistSpec::TruncatedNormal { mean: 1.0, sd: -1.0 } => "truncated_normal.sd";
        lognormal_negative_cv_err: DistSpec::Lognormal { mean: 90.0, cv: -0.1 } => "lognormal.cv";
        lognormal_zero_mean_err: DistSpec::Lognormal { mean: 0.0, cv: 1.0 } => "lognormal.mean";
        gamma_infinite_mean_err: DistSpec::Gamma { mean: f64::INFINITY, cv: 1.0 } => "gamma.mean";
        weibull_zero_shape_err: DistSpec::Weibull { shape: 0.0, scale: 1.0 } => "weibull.shape";
        empirical_empty_err: DistSpec::Empirical { samples: vec![] } => "empirical.samples";
        empirical_negative_err: DistSpec::Empirical { samples: vec![1.0, -2.0] } => "empirical.samples";
        discrete_sum_err: DistSpec::Discrete { values: vec![1.0, 2.0], probs: vec![0.5, 0.6] } => "discrete.probs";
        discrete_length_err: DistSpec::Discrete { values: vec![1.0, 2.0], probs: vec![1.0] } => "discrete.probs";
        discrete_prob_range_err: DistSpec::Discrete { values: vec![1.0, 2.0], probs: vec![1.5, -0.5] } => "discrete.probs";
    }

    #[test]
    fn error_message_names_parameter_rule_and_value() {
        let err = Dist::exponential(-1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "exponential.mean: must be finite and greater than 0, got -1"
        );
    }

    #[test]
    fn long_values_in_messages_are_short() {
        let e = Dist::exponential(-1e300).unwrap_err().to_string();
        assert_eq!(
            e,
            "exponential.mean: must be finite and greater than 0, got -1e300"
        );
        let e = Dist::discrete(vec![1.0; 50], vec![0.02; 49])
            .unwrap_err()
            .to_string();
        assert!(e.len() < 200 && e.ends_with("..."), "{e}");
    }

    #[test]
    fn valid_constructors_ok() {
        assert!(Dist::exponential(1.0).is_ok());
        assert!(Dist::deterministic(0.0).is_ok());
        assert!(Dist::uniform(1.0, 1.0).is_ok());
        assert!(Dist::triangular(0.0, 0.0, 1.0).is_ok());
        assert!(Dist::truncated_normal(1.0, 3.0).is_ok());
        assert!(Dist::lognormal(1.0, 0.0).is_ok());
        assert!(Dist::gamma(1.0, 2.0).is_ok());
        assert!(Dist::weibull(1.5, 2.0).is_ok());
        assert!(Dist::empirical(vec![3.0]).is_ok());
        assert!(Dist::discrete(vec![1.0, 2.0], vec![0.25, 0.75]).is_ok());
    }

    #[test]
    fn parses_from_toml_with_tag() {
        #[derive(Deserialize)]
        struct Holder {
            service_time_min: Dist,
        }
        let h: Holder =
            toml::from_str(r#"service_time_min = { dist = "lognormal", mean = 90, cv = 1.0 }"#)
                .expect("valid");
        assert_eq!(h.service_time_min, Dist::lognormal(90.0, 1.0).unwrap());
        let bad = toml::from_str::<Holder>(
            r#"service_time_min = { dist = "lognormal", mean = 90, cv = -1.0 }"#,
        );
        let msg = bad.err().expect("rejected").to_string();
        assert!(
            msg.contains("lognormal.cv: must be finite and at least 0, got -1"),
            "{msg}"
        );
        let unknown = toml::from_str::<Holder>(
            r#"service_time_min = { dist = "lognormal", mean = 90, cv = 1.0, sd = 2 }"#,
        );
        assert!(unknown.is_err());
    }

    #[test]
    fn closed_form_moments() {
        let e = Dist::empirical(vec![0.0, 2.0]).unwrap();
        assert_eq!(e.mean(), 1.0);
        assert!((e.variance() - 4.0 / 12.0).abs() < 1e-12);
        let w = Dist::weibull(1.0, 3.0).unwrap();
        assert!((w.mean() - 3.0).abs() < 1e-9, "weibull k=1 is exponential");
        assert!((w.variance() - 9.0).abs() < 1e-9);
        let t = Dist::truncated_normal(1e6, 1.0).unwrap();
        assert!(
            (t.mean() - 1e6).abs() < 1e-6,
            "far from zero the truncation does nothing"
        );
        let d = Dist::discrete(vec![1.0, 3.0], vec![0.5, 0.5]).unwrap();
        assert_eq!((d.mean(), d.variance()), (2.0, 1.0));
    }
}
