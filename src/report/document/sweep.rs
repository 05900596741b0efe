//! [`SweepReport`], the `cbec-sim/sweep/1` document: one KPI against the
//! values of one parameter, on common random numbers, and where a target
//! on it is first met and first missed.

use super::{Document, Estimate, Setup};
use crate::experiment::{Sweep, Target};
use crate::report::table::{Column, Table, number};
use serde::{Deserialize, Serialize};

/// The result of `cbec-sim sweep`: schema `cbec-sim/sweep/1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    /// `cbec-sim/sweep/1`.
    pub schema: String,
    /// The scenario swept.
    pub scenario: String,
    /// The parameter swept, by its path in the scenario.
    pub param: String,
    /// The master seed.
    pub seed: u64,
    /// Replications at each value (indices `0..replications`).
    pub replications: u64,
    /// The curve.
    pub sweep: SweepCurve,
    /// Whether a signal stopped the sweep: the curve then holds only the
    /// values whose replications all finished.
    #[serde(default)]
    pub partial: bool,
    /// How the results were made (the unswept model's horizon and warm-up).
    pub setup: Setup,
    /// Warnings of the swept models before they ran (a station offered
    /// more than its capacity, with the servers it would need), each
    /// naming its value; left out of the JSON when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

/// The fields of [`Sweep`], with standard errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepCurve {
    /// The KPI on the curve.
    pub kpi: String,
    /// The target on the KPI's mean, if any.
    pub target: Option<Target>,
    /// One point per value, in the order given.
    pub points: Vec<SweepPointReport>,
    /// The first value (in the order given) whose mean misses the target.
    pub breaks_at: Option<f64>,
    /// The first value whose mean meets the target.
    pub meets_at: Option<f64>,
}

/// One value of the swept parameter and the KPIs there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPointReport {
    /// The parameter's value.
    pub value: f64,
    /// The swept KPI.
    pub estimate: Estimate,
    /// Every KPI.
    pub all: Vec<Estimate>,
}

/// The column names of the sweep table and of `sweep.csv`.
pub const SWEEP_HEADERS: [&str; 6] = ["value", "mean", "± 95% CI", "min", "max", "target"];

impl Document for SweepReport {
    const SCHEMA: &'static str = "cbec-sim/sweep/1";
}

impl SweepReport {
    /// The document of `curve`, a sweep of `param` in `scenario`, made as
    /// `setup` says.
    #[must_use]
    pub fn new(
        scenario: impl Into<String>,
        param: impl Into<String>,
        setup: Setup,
        curve: &Sweep,
    ) -> Self {
        SweepReport {
            schema: Self::SCHEMA.to_string(),
            scenario: scenario.into(),
            param: param.into(),
            seed: setup.seed.value(),
            replications: setup.replications.end(),
            sweep: SweepCurve {
                kpi: curve.kpi.clone(),
                target: curve.target,
                points: curve
                    .points
                    .iter()
                    .map(|p| SweepPointReport {
                        value: p.value,
                        estimate: (&p.estimate).into(),
                        all: p.all.iter().map(Estimate::from).collect(),
                    })
                    .collect(),
                breaks_at: curve.breaks_at,
                meets_at: curve.meets_at,
            },
            partial: curve.interrupted,
            setup,
            flags: Vec::new(),
        }
    }

    /// Whether each point meets the target: `meets`, `misses`, or blank
    /// without a target or a mean.
    fn meets(&self, p: &SweepPointReport) -> &'static str {
        match (self.sweep.target, p.estimate.kpi.mean) {
            (Some(t), Some(m)) if t.met_by(m) => "meets",
            (Some(_), Some(_)) => "misses",
            _ => "",
        }
    }

    /// One row per value: the value, the KPI's mean, half-width, min and
    /// max (each written by `number`), and whether the target is met.
    pub fn rows(&self, number: impl Fn(Option<f64>) -> String + Copy) -> Vec<Vec<String>> {
        self.sweep
            .points
            .iter()
            .map(|p| {
                let mut row = vec![p.value.to_string()];
                row.extend(p.estimate.cells(number));
                row.push(self.meets(p).to_string());
                row
            })
            .collect()
    }

    /// The sweep table: value, mean, half-width, min, max and whether the
    /// target is met, one row per value.
    #[must_use]
    pub fn table(&self) -> Table {
        let w = [12, 14, 12, 12, 12, 8];
        let columns = SWEEP_HEADERS
            .iter()
            .zip(w)
            .map(|(h, w)| Column::right(*h).width(w))
            .collect();
        Table::new(columns).with_rows(self.rows(number))
    }

    /// Where the target is first met and first missed, in words.
    #[must_use]
    pub fn verdict_text(&self) -> String {
        let Some(t) = self.sweep.target else {
            return "No target given (--target KPI<=X or KPI>=X).".to_string();
        };
        let meets = self
            .sweep
            .meets_at
            .map_or("no value meets it".to_string(), |v| {
                format!("first met at {v}")
            });
        let breaks = self
            .sweep
            .breaks_at
            .map_or("no value misses it".to_string(), |v| {
                format!("first missed at {v}")
            });
        format!(
            "Target {} {t}: {meets}; {breaks} (in the order of the values).",
            self.sweep.kpi
        )
    }

    /// The text `cbec-sim sweep` prints.
    #[must_use]
    pub fn to_text(&self) -> String {
        let note = if self.partial {
            "PARTIAL RESULTS: the sweep was interrupted; only the values below finished\n"
        } else {
            ""
        };
        let warnings: String = self
            .flags
            .iter()
            .map(|f| format!("warning: {f}\n"))
            .collect();
        format!(
            "{note}{}: {} against {}\nreplications 0..{} (seed {}) at every value, common random numbers\n\n{}\n{}\n{warnings}",
            self.scenario,
            self.sweep.kpi,
            self.param,
            self.replications,
            self.seed,
            self.table(),
            self.verdict_text()
        )
    }

    /// The introduction of the sweep's HTML report: how the sweep was
    /// run and where the target is met (its warnings open the report).
    #[must_use]
    pub fn intro(&self) -> String {
        format!(
            "{} swept over {} values, {} replications each with seed {} (common random numbers). {}",
            self.param,
            self.sweep.points.len(),
            self.replications,
            self.seed,
            self.verdict_text()
        )
    }
}
