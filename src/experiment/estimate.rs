//! Reading an estimate: its standard error and interval, a KPI's estimate
//! from a result by checked name, and the text of an estimate and of a
//! paired effect ([`std::fmt::Display`]), rounded to what the interval
//! resolves.

use super::compare::{Difference, Verdict};
use super::kpi::KpiEstimate;
use super::runner::ExperimentResult;
use crate::error::Result;
use std::fmt;
use std::ops::RangeInclusive;

impl KpiEstimate {
    /// The standard error of the mean: the standard deviation over
    /// replications divided by √n (`None` below two replications).
    #[must_use]
    pub fn std_error(&self) -> Option<f64> {
        match (self.std_dev, self.n) {
            (Some(sd), n) if n >= 2 => Some(sd / (n as f64).sqrt()),
            _ => None,
        }
    }

    /// The 95% confidence interval of the mean, `mean ± half_width_95`
    /// (`None` below two replications).
    #[must_use]
    pub fn interval(&self) -> Option<RangeInclusive<f64>> {
        let (m, h) = (self.mean?, self.half_width_95?);
        Some(m - h..=m + h)
    }
}

impl ExperimentResult {
    /// The estimate of KPI `name` over the replications that finished.
    ///
    /// # Errors
    /// [`Error::UnknownKpi`](crate::Error::UnknownKpi) at `kpi`, with the
    /// closest valid names.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// use cbec_sim::{Dist, Experiment, Model, Replications, SimTime, Sink, Source, Station};
    /// let model = Model::builder()
    ///     .with_source("orders", Source::poisson(30.0, "desk"))
    ///     .with_station("desk", Station::new(1, Dist::exponential(1.0)?, "done"))
    ///     .with_sink("done", Sink::new())
    ///     .with_horizon(SimTime::from_hours(100.0))
    ///     .build()?;
    /// let result = Experiment::new(&model).with_replications(Replications::first(10)).run()?;
    /// let u = result.estimate("desk.utilization")?;
    /// // rho = 0.5, within four standard errors (a check that fails one
    /// // time in 16,000, where "the interval holds 0.5" fails one in 20).
    /// let se = u.std_dev.unwrap() / (u.n as f64).sqrt();
    /// assert!((u.mean.unwrap() - 0.5).abs() < 4.0 * se, "{u}");
    /// assert!(result.estimate("desk.utilisation").is_err());
    /// # Ok(()) }
    /// ```
    pub fn estimate(&self, name: &str) -> Result<KpiEstimate> {
        Ok(self.shard.estimate(self.shard.kpi(name)?))
    }
}

/// Decimals that show `x` to two significant digits (0 to 9).
fn decimals_for(x: f64) -> usize {
    if !x.is_finite() || x <= 0.0 {
        return 2;
    }
    (1 - x.log10().floor() as i64).clamp(0, 9) as usize
}

/// `x` to six significant digits (a larger whole number in full), without
/// trailing zeros.
fn plain(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let d = if x == 0.0 {
        0
    } else {
        (5 - x.abs().log10().floor() as i64).clamp(0, 9) as usize
    };
    let s = format!("{x:.d$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `mean ± half` with the mean to the decimals the half-width resolves.
fn with_interval(mean: f64, half: f64) -> String {
    if half > 0.0 && half.is_finite() {
        let d = decimals_for(half);
        format!("{mean:.d$} ± {half:.d$}")
    } else {
        format!("{} ± 0", plain(mean))
    }
}

/// An estimate as `mean ± half-width (95% CI, n = N)`, both to the
/// decimals that give the half-width two significant digits.
///
/// # Examples
/// ```
/// use cbec_sim::experiment::KpiEstimate;
/// let wait = KpiEstimate::from_values("desk.wait_mean_min", [1.21, 1.35, 1.28, 1.30].map(Some));
/// assert_eq!(wait.to_string(), "1.285 ± 0.092 (95% CI, n = 4)");
/// let one = KpiEstimate::from_values("desk.wait_mean_min", [Some(1.21)]);
/// assert_eq!(one.to_string(), "1.21 (n = 1, no interval)");
/// ```
impl fmt::Display for KpiEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.mean, self.half_width_95) {
            (Some(m), Some(h)) => write!(f, "{} (95% CI, n = {})", with_interval(m, h), self.n),
            (Some(m), None) => write!(f, "{} (n = {}, no interval)", plain(m), self.n),
            (None, _) => write!(f, "undefined (no replication gave a value)"),
        }
    }
}

/// A paired effect: the two means, the effect with its interval, what the
/// interval says and how much common random numbers cut its variance.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{compare, Difference};
/// use cbec_sim::{Dist, Model, Replications, Seed, SimTime, Sink, Source, Station};
/// let desk = |servers| Model::builder()
///     .with_source("orders", Source::poisson(90.0, "desk"))
///     .with_station("desk", Station::new(servers, Dist::exponential(1.0).unwrap(), "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(200.0))
///     .build();
/// let diffs = compare(&desk(2)?, &desk(3)?, Seed(1), Replications::first(10))?;
/// let text = Difference::find(&diffs, "desk.wait_mean_min")?.to_string();
/// assert!(text.starts_with("desk.wait_mean_min: "), "{text}");
/// assert!(text.contains(": a decrease; common random numbers cut its variance by "), "{text}");
/// # Ok(()) }
/// ```
impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The means to the decimals the effect's interval resolves.
        let d = self
            .effect
            .half_width_95
            .filter(|h| *h > 0.0 && h.is_finite())
            .map(decimals_for);
        let mean = |e: &KpiEstimate| match (e.mean, d) {
            (Some(m), Some(d)) => format!("{m:.d$}"),
            (Some(m), None) => plain(m),
            (None, _) => "undefined".into(),
        };
        write!(
            f,
            "{}: {} → {}, effect ",
            self.name,
            mean(&self.baseline),
            mean(&self.variant)
        )?;
        match (self.effect.mean, self.effect.half_width_95) {
            (Some(m), Some(h)) => write!(f, "{}", with_interval(m, h))?,
            (Some(m), None) => write!(f, "{}", plain(m))?,
            (None, _) => write!(f, "undefined")?,
        }
        write!(
            f,
            " (95% CI, {} paired replications): {}",
            self.effect.n,
            match self.verdict() {
                Verdict::Identical => "identical",
                Verdict::Indistinguishable => "not distinguishable from no effect",
                Verdict::Increase => "an increase",
                Verdict::Decrease => "a decrease",
                Verdict::BelowResolution =>
                    "within the resolution of the histogram it is read from",
                Verdict::Undefined => "too few paired values to tell",
            }
        )?;
        match self.variance_reduction {
            Some(r) if r.is_finite() && r > 0.0 => write!(
                f,
                "; common random numbers cut its variance by {:.0}%",
                100.0 * r
            ),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_what_the_interval_resolves() {
        assert_eq!(with_interval(20_152.6, 31.7), "20153 ± 32");
        assert_eq!(with_interval(0.43219, 0.0213), "0.432 ± 0.021");
        assert_eq!(with_interval(5.0, 0.0), "5 ± 0");
        assert_eq!(plain(5_863_225.293_9), "5863225");
        assert_eq!(plain(57.912_345), "57.9123");
        assert_eq!(plain(0.001_234_567), "0.00123457");
        assert_eq!(plain(0.0), "0");
    }

    #[test]
    fn std_error_and_interval() {
        let e = KpiEstimate::from_values("x", [1.0, 2.0, 3.0, 4.0].map(Some));
        let se = e.std_error().unwrap();
        assert!((se - (5.0_f64 / 3.0).sqrt() / 2.0).abs() < 1e-12);
        let i = e.interval().unwrap();
        assert!((i.end() - i.start() - 2.0 * e.half_width_95.unwrap()).abs() < 1e-12);
        let one = KpiEstimate::from_values("x", [Some(1.0)]);
        assert_eq!((one.std_error(), one.interval()), (None, None));
        let none = KpiEstimate::from_values("x", [None]);
        assert_eq!(none.to_string(), "undefined (no replication gave a value)");
    }
}
