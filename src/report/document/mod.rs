//! Result documents: what a run, a comparison, a sweep or a factorial
//! design found, as serializable data with a schema name and version
//! (`"schema": "cbec-sim/summary/1"`) and the setup that produced it
//! (crate version, horizon, warm-up, seed, replications).
//!
//! The `cbec-sim` command prints these documents with `--json`, renders
//! them as text tables, and writes them as CSV ([`crate::report::csv`]); a
//! researcher embedding the crate builds the same documents from the same
//! results and gets the same JSON, tables and CSV.
//!
//! Within a schema version, fields are only ever added; a field removed or
//! changed in meaning bumps the version.

mod capacity;
mod compare;
mod factorial;
mod robustness;
mod run;
mod sensitivity;
mod sweep;

pub use capacity::{CONFIRM_HEADERS, CapacityReport, PLAN_HEADERS};
pub use compare::{CompareReport, EFFECT_HEADERS, KpiDifference, VariantEffects};
pub use factorial::{FACTORIAL_HEADERS, FactorEffect, FactorialKpi, FactorialReport};
pub use robustness::{ROBUSTNESS_HEADERS, RobustnessReport};
pub use run::{Pooled, Precision, RunReport};
pub use sensitivity::{MORRIS_HEADERS, SensitivityReport};
pub use sweep::{SWEEP_HEADERS, SweepCurve, SweepPointReport, SweepReport};

use crate::error::Result;
use crate::experiment::{KpiEstimate, Replications, Seed, planner_kpi_names};
use crate::model::Model;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// A result document: serializable, with a schema name and version.
pub trait Document: Serialize {
    /// The schema name and version, such as `cbec-sim/summary/1`; it is
    /// also the document's `schema` field.
    const SCHEMA: &'static str;

    /// The document as pretty-printed JSON (what `--json` prints).
    fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a document serializes to JSON")
    }
}

/// A number with 4 significant digits (`-` if not finite), for the
/// study documents' tables.
pub(crate) fn sig(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
    format!("{x:.digits$}")
}

/// The version of the crate that wrote a document.
pub const CRATE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How a document's results were made: enough to run them again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    /// The version of `cbec-sim` that ran the replications.
    pub crate_version: String,
    /// The run's horizon in hours (`None`: the run ends when its sources
    /// are exhausted, or the model is not known, as after a merge).
    pub horizon_h: Option<f64>,
    /// The warm-up deleted from each run, in hours, however it was chosen
    /// (`None` when the model is not known).
    pub warmup_h: Option<f64>,
    /// The hours simulated before the calendar start (`simulation.preroll_h`),
    /// however chosen (`None` when the model is not known).
    pub preroll_h: Option<f64>,
    /// Whether the pre-roll was chosen by the `"auto"` rule.
    #[serde(default)]
    pub preroll_auto: bool,
    /// The longest drain after the horizon, hours.
    pub drain_h: Option<f64>,
    /// The observed window's opening and end, local date and time
    /// (`YYYY-MM-DDTHH:MM`), when the model has a horizon.
    pub window: Option<(String, String)>,
    /// The master seed.
    pub seed: Seed,
    /// The replication indices, `{ "start": a, "end": b }` in JSON.
    pub replications: Replications,
    /// Whose random numbers the orders' own draws used
    /// (`simulation.random_numbers`; `None` when the model is not known).
    #[serde(default)]
    pub random_numbers: Option<crate::Synchronisation>,
}

impl Setup {
    /// The setup of `replications` of `model` under master `seed`.
    #[must_use]
    pub fn new(model: &Model, seed: Seed, replications: &Replications) -> Self {
        Setup {
            crate_version: CRATE_VERSION.to_string(),
            horizon_h: model.horizon().map(|t| t.hours()),
            warmup_h: Some(model.warmup().hours()),
            preroll_h: Some(model.preroll().hours()),
            preroll_auto: model.preroll_is_auto(),
            drain_h: Some(model.drain().hours()),
            window: model.window().map(|w| {
                let at = |t| {
                    model
                        .calendar()
                        .datetime(t)
                        .strftime("%Y-%m-%dT%H:%M")
                        .to_string()
                };
                (at(w.start), at(w.end))
            }),
            seed,
            replications: replications.clone(),
            random_numbers: Some(model.random_numbers()),
        }
    }

    /// The setup of `replications` under master `seed` when the model is
    /// not at hand (results merged from shard files).
    #[must_use]
    pub fn without_model(seed: Seed, replications: &Replications) -> Self {
        Setup {
            crate_version: CRATE_VERSION.to_string(),
            horizon_h: None,
            warmup_h: None,
            preroll_h: None,
            preroll_auto: false,
            drain_h: None,
            window: None,
            seed,
            replications: replications.clone(),
            random_numbers: None,
        }
    }
}

/// A KPI estimate over replications with its standard error beside the
/// half-width: the fields of [`KpiEstimate`] plus `std_error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate.
    #[serde(flatten)]
    pub kpi: KpiEstimate,
    /// The standard error of the mean, `std_dev / sqrt(n)`.
    pub std_error: Option<f64>,
}

impl From<KpiEstimate> for Estimate {
    fn from(kpi: KpiEstimate) -> Self {
        let std_error = match (kpi.std_dev, kpi.n) {
            (Some(s), n) if n > 0 => Some(s / (n as f64).sqrt()),
            _ => None,
        };
        Estimate { kpi, std_error }
    }
}

impl Estimate {
    /// Mean, half-width, min and max, each written by `number` (the
    /// table's [`number`](crate::report::table::number) or the CSV's
    /// [`number`](crate::report::csv::number)).
    pub fn cells(&self, number: impl Fn(Option<f64>) -> String) -> [String; 4] {
        let e = &self.kpi;
        [e.mean, e.half_width_95, e.min, e.max].map(number)
    }
}

impl From<&KpiEstimate> for Estimate {
    fn from(kpi: &KpiEstimate) -> Self {
        kpi.clone().into()
    }
}

/// The KPI a sweep follows when none is named: the p95 lead time if the
/// scenario has planner KPIs (a `[report]` table), else the network's mean
/// time in system.
#[must_use]
pub fn headline_kpi(scenario: &Scenario) -> &'static str {
    if scenario.report.is_some() {
        "lead_time_p95_h"
    } else {
        "network.time_in_system_mean_min"
    }
}

/// The KPIs a table shows: those `requested` (each must be `available`),
/// else the planner KPIs of the scenario's `[report]` table, else every
/// available KPI.
///
/// # Errors
/// [`Error::UnknownKpi`](crate::Error::UnknownKpi) at `--kpi` naming a
/// requested KPI that is not available, with the closest ones.
pub fn shown_kpis(
    scenario: &Scenario,
    available: &[&str],
    requested: &[String],
) -> Result<Vec<String>> {
    if requested.is_empty() {
        return Ok(match &scenario.report {
            Some(r) => planner_kpi_names(r, scenario.tax.is_some()),
            None => available.iter().map(|s| s.to_string()).collect(),
        });
    }
    for k in requested {
        crate::experiment::kpi_index("--kpi", k, available.iter().copied())?;
    }
    Ok(requested.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_error_is_the_std_dev_over_root_n() {
        let e = Estimate::from(KpiEstimate::from_values(
            "x",
            [Some(1.0), Some(3.0), Some(5.0), Some(7.0)],
        ));
        let sd = e.kpi.std_dev.unwrap();
        assert_eq!(e.std_error, Some(sd / 2.0));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["name"], "x");
        assert_eq!(json["n"], 4);
        assert!(json["std_error"].as_f64().unwrap() > 0.0);
        let back: Estimate = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        let none = Estimate::from(KpiEstimate::from_values("y", []));
        assert_eq!(none.std_error, None);
    }

    #[test]
    fn unknown_requested_kpis_are_named() {
        let s = Scenario::from_toml_str(crate::report::tests::TINY).unwrap();
        let known = ["desk.wait_mean_min", "desk.utilization"];
        let err = shown_kpis(&s, &known, &["desk.wiat_mean_min".to_string()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--kpi: unknown KPI \"desk.wiat_mean_min\"; did you mean \"desk.wait_mean_min\"?"
        );
        assert_eq!(shown_kpis(&s, &known, &[]).unwrap(), known);
    }
}
