//! How many replications to run: a fixed range, or until a KPI is precise
//! enough ([`Precision`], an option of [`Experiment`](super::Experiment)).
//!
//! Invariant: a precision rule is checked only between batches of indices
//! fixed by the rule (`initial`, then `batch` at a time), never by timing,
//! so the number of replications it chooses depends on the results alone,
//! never on the number of threads.

use super::kpi::KpiEstimate;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Run until the 95% confidence half-width of a KPI is at most a relative
/// target of its mean.
///
/// The [`Experiment`](super::Experiment)'s replication range gives the
/// first index and the most replications; the rule runs `initial`
/// replications, then checks after every `batch` more.
///
/// ```
/// use cbec_sim::experiment::Precision;
/// let rule = Precision::new("customs_review.wait_mean_min", 0.05).with_initial(5).with_batch(5);
/// assert_eq!((rule.kpi(), rule.relative(), rule.initial(), rule.batch()),
///            ("customs_review.wait_mean_min", 0.05, 5, 5));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[must_use]
pub struct Precision {
    kpi: String,
    relative: f64,
    initial: u64,
    batch: u64,
}

impl Precision {
    /// Until `kpi`'s relative half-width is at most `relative` (0.05 for
    /// ±5%), with 10 initial replications and batches of 10.
    pub fn new(kpi: impl Into<String>, relative: f64) -> Self {
        Precision {
            kpi: kpi.into(),
            relative,
            initial: 10,
            batch: 10,
        }
    }

    /// Replications before the first check (at least 2).
    pub fn with_initial(mut self, initial: u64) -> Self {
        self.initial = initial;
        self
    }

    /// Replications added between checks (at least 1).
    pub fn with_batch(mut self, batch: u64) -> Self {
        self.batch = batch;
        self
    }

    /// The KPI watched, as named in the [`KpiCatalogue`](super::KpiCatalogue).
    #[must_use]
    pub fn kpi(&self) -> &str {
        &self.kpi
    }

    /// The target relative half-width.
    #[must_use]
    pub fn relative(&self) -> f64 {
        self.relative
    }

    /// Replications before the first check.
    #[must_use]
    pub fn initial(&self) -> u64 {
        self.initial
    }

    /// Replications added between checks.
    #[must_use]
    pub fn batch(&self) -> u64 {
        self.batch
    }

    /// Checks the rule against the most replications it may run.
    ///
    /// # Errors
    /// [`Error::Experiment`] at `precision`, `precision.initial`,
    /// `precision.batch` or `replications`.
    pub(crate) fn validate(&self, max: u64) -> Result<()> {
        let (relative, initial) = (self.relative, self.initial);
        if !(relative.is_finite() && relative > 0.0) {
            return Err(Error::experiment(
                "precision",
                format!("must be finite and greater than 0, got {relative}"),
            ));
        }
        if initial < 2 {
            return Err(Error::experiment(
                "precision.initial",
                format!("must be at least 2, got {initial}"),
            ));
        }
        if self.batch == 0 {
            return Err(Error::experiment(
                "precision.batch",
                "must be at least 1, got 0",
            ));
        }
        if max < initial {
            return Err(Error::experiment(
                "replications",
                format!("a precision rule needs at least its initial {initial}, got {max}"),
            ));
        }
        Ok(())
    }

    /// Whether `estimate` meets the target.
    pub(crate) fn met_by(&self, estimate: &KpiEstimate) -> bool {
        estimate
            .relative_half_width()
            .is_some_and(|r| r <= self.relative)
    }
}

/// Why a precision rule stopped, and how many replications ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StopDecision {
    /// Replications run.
    pub replications: u64,
    /// Whether the precision target was reached.
    pub target_met: bool,
    /// The estimate of the KPI the rule watched, at the stop.
    pub watched: Option<KpiEstimate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(rule: &Precision, max: u64) -> String {
        rule.validate(max).unwrap_err().to_string()
    }

    #[test]
    fn precision_ok() {
        assert!(Precision::new("k", 0.05).validate(10).is_ok());
        assert!(
            Precision::new("k", 1.0)
                .with_initial(2)
                .with_batch(1)
                .validate(2)
                .is_ok()
        );
    }

    #[test]
    fn precision_err() {
        let rule = Precision::new("k", 0.05);
        assert_eq!(
            message(&Precision::new("k", 0.0), 10),
            "precision: must be finite and greater than 0, got 0"
        );
        assert_eq!(
            message(&Precision::new("k", f64::NAN), 10),
            "precision: must be finite and greater than 0, got NaN"
        );
        assert_eq!(
            message(&rule.clone().with_initial(1), 10),
            "precision.initial: must be at least 2, got 1"
        );
        assert_eq!(
            message(&rule.clone().with_batch(0), 10),
            "precision.batch: must be at least 1, got 0"
        );
        assert_eq!(
            message(&rule, 9),
            "replications: a precision rule needs at least its initial 10, got 9"
        );
    }

    #[test]
    fn target_is_met_at_or_below_the_relative_half_width() {
        let e = KpiEstimate::from_values("k", [9.0, 10.0, 11.0].map(Some));
        let r = e.relative_half_width().unwrap();
        assert!(Precision::new("k", r).met_by(&e));
        assert!(!Precision::new("k", r * 0.99).met_by(&e));
        let undefined = KpiEstimate::from_values("k", [Some(1.0)]);
        assert!(!Precision::new("k", 1e9).met_by(&undefined));
    }
}
