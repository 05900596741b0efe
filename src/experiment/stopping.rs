//! How many replications to run: a fixed number, or until a KPI is precise enough.

use super::kpi::{KpiEstimate, find_kpi};
use super::shard::ShardResult;
use crate::error::{Error, Result};
use crate::model::Model;
use serde::{Deserialize, Serialize};

/// When to stop adding replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum StoppingRule {
    /// Exactly this many replications.
    Fixed(u64),
    /// Until the 95% confidence half-width of `kpi` is at most `relative`
    /// times its mean, checked after each batch, with at most `max`
    /// replications.
    Precision {
        /// KPI name, as in the [`KpiCatalogue`](super::KpiCatalogue).
        kpi: String,
        /// Target relative half-width (0.05 for ±5%).
        relative: f64,
        /// Replications before the first check (at least 2).
        initial: u64,
        /// Replications added per batch.
        batch: u64,
        /// Never more than this many.
        max: u64,
    },
}

/// Why replications stopped, and how many ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StopDecision {
    /// Replications run.
    pub replications: u64,
    /// Whether the precision target was reached (always true for a fixed number).
    pub target_met: bool,
    /// The estimate of the KPI the rule watched, if any, at the stop.
    pub watched: Option<KpiEstimate>,
}

/// Runs replications of `model` under `seed` until `rule` says stop, and
/// returns them folded into a [`ShardResult`] (memory stays flat).
///
/// Replications are added in fixed batches of indices (`0..initial`, then
/// `initial..initial+batch`, ...), and the rule is checked only between
/// batches, so the number chosen depends on the results alone, never on
/// the number of threads.
///
/// # Errors
/// [`Error::Scenario`] if the rule is invalid (a relative target not above
/// 0, fewer than 2 initial replications, a batch of 0, `max < initial`) or
/// names an unknown KPI.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{run_until, StoppingRule};
/// let model = cbec_sim::presets::tandem().with_horizon(cbec_sim::SimTime::from_hours(100.0)).build()?;
/// let rule = StoppingRule::Precision {
///     kpi: "customs_review.wait_mean_min".into(), relative: 0.10, initial: 5, batch: 5, max: 100,
/// };
/// let (result, decision) = run_until(&model, 7, &rule)?;
/// assert_eq!(result.rows.len() as u64, decision.replications);
/// assert!(decision.target_met);
/// # Ok(()) }
/// ```
pub fn run_until(
    model: &Model,
    seed: u64,
    rule: &StoppingRule,
) -> Result<(ShardResult, StopDecision)> {
    match rule {
        StoppingRule::Fixed(n) => {
            if *n == 0 {
                return Err(Error::scenario("replications", "must be at least 1, got 0"));
            }
            let result = ShardResult::run(model, seed, 0..*n)?;
            let decision = StopDecision {
                replications: *n,
                target_met: true,
                watched: None,
            };
            Ok((result, decision))
        }
        StoppingRule::Precision {
            kpi,
            relative,
            initial,
            batch,
            max,
        } => {
            if !(relative.is_finite() && *relative > 0.0) {
                return Err(Error::scenario(
                    "precision",
                    format!("must be finite and greater than 0, got {relative}"),
                ));
            }
            if *initial < 2 {
                return Err(Error::scenario(
                    "precision.initial",
                    format!("must be at least 2, got {initial}"),
                ));
            }
            if *batch == 0 {
                return Err(Error::scenario(
                    "precision.batch",
                    "must be at least 1, got 0",
                ));
            }
            if max < initial {
                return Err(Error::scenario(
                    "precision.max",
                    format!("must be at least initial ({initial}), got {max}"),
                ));
            }
            let mut result = ShardResult::run(model, seed, 0..*initial)?;
            let k = find_kpi("precision", kpi, result.kpis.iter().map(String::as_str))?;
            loop {
                let estimate =
                    KpiEstimate::from_values(kpi.clone(), result.rows.iter().map(|row| row[k]));
                let met = estimate
                    .relative_half_width()
                    .is_some_and(|r| r <= *relative);
                let n = result.end;
                if met || n >= *max {
                    let decision = StopDecision {
                        replications: n,
                        target_met: met,
                        watched: Some(estimate),
                    };
                    return Ok((result, decision));
                }
                let next = ShardResult::run(model, seed, n..(n + batch).min(*max))?;
                result = ShardResult::merge(vec![result, next])?;
            }
        }
    }
}
