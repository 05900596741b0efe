//! [`FactorialReport`], the `cbec-sim/factorial/1` document: a 2^k full
//! factorial over measures, with each KPI's main effects and two-factor
//! interactions.

use super::{Document, Estimate, Setup};
use crate::error::Result;
use crate::experiment::{Effect, Factorial, planner_kpi_names};
use crate::report::table::{Column, Table, number};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The result of `cbec-sim factorial`: schema `cbec-sim/factorial/1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorialReport {
    /// `cbec-sim/factorial/1`.
    pub schema: String,
    /// The scenario (every factor off).
    pub scenario: String,
    /// The factors: measures, on or off.
    pub factors: Vec<String>,
    /// The master seed.
    pub seed: u64,
    /// Replications per design point (indices `0..replications`); in a
    /// partial document, those asked for (`n` in each estimate says how
    /// many finished at every point).
    pub replications: u64,
    /// The effects on each KPI.
    pub kpis: Vec<FactorialKpi>,
    /// Whether a signal stopped the design: the effects then cover only
    /// the replications that finished at every design point (`n` in each
    /// estimate). Left out of the JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// How the results were made (the scenario's horizon and warm-up).
    pub setup: Setup,
    /// Warnings of the design points' models before they ran (a station
    /// offered more than its capacity, with the servers it would need),
    /// each naming its point; left out of the JSON when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

/// The effects on one KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorialKpi {
    /// The KPI.
    pub kpi: String,
    /// Main effects, one per factor.
    pub main: Vec<FactorEffect>,
    /// Two-factor interactions.
    pub interactions: Vec<FactorEffect>,
}

/// One effect: the factors involved and the estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorEffect {
    /// One factor (a main effect) or two (an interaction).
    pub factors: Vec<String>,
    /// The effect over replications.
    pub estimate: Estimate,
}

impl From<&Effect> for FactorEffect {
    fn from(e: &Effect) -> Self {
        FactorEffect {
            factors: e.factors.clone(),
            estimate: (&e.estimate).into(),
        }
    }
}

/// The column names of a KPI's effects table.
pub const FACTORIAL_HEADERS: [&str; 4] = ["effect of", "mean", "± 95% CI", ""];

impl FactorialKpi {
    /// One row per effect, main effects first: factors (joined by ` x `),
    /// mean, half-width, and `~0` when the interval contains 0 (`n/a`
    /// when undefined).
    #[must_use]
    pub fn rows(&self) -> Vec<Vec<String>> {
        self.main
            .iter()
            .chain(&self.interactions)
            .map(|e| {
                let est = &e.estimate.kpi;
                vec![
                    e.factors.join(" x "),
                    number(est.mean),
                    number(est.half_width_95),
                    match (est.mean, est.half_width_95) {
                        (Some(m), Some(h)) if m.abs() <= h => "~0".to_string(),
                        (Some(_), Some(_)) => String::new(),
                        _ => "n/a".to_string(),
                    },
                ]
            })
            .collect()
    }

    /// The effects table.
    #[must_use]
    pub fn table(&self) -> Table {
        Table::new(vec![
            Column::left(FACTORIAL_HEADERS[0]).width(60),
            Column::right(FACTORIAL_HEADERS[1]).width(14),
            Column::right(FACTORIAL_HEADERS[2]).width(12),
            Column::right(FACTORIAL_HEADERS[3]).width(4),
        ])
        .with_rows(self.rows())
    }
}

impl Document for FactorialReport {
    const SCHEMA: &'static str = "cbec-sim/factorial/1";
}

impl FactorialReport {
    /// The document of a factorial design over `factors` in `scenario`,
    /// made as `setup` says.
    #[must_use]
    pub fn new(
        scenario: impl Into<String>,
        factors: &[String],
        setup: Setup,
        all: &[Factorial],
    ) -> Self {
        FactorialReport {
            schema: Self::SCHEMA.to_string(),
            scenario: scenario.into(),
            factors: factors.to_vec(),
            seed: setup.seed.value(),
            replications: setup.replications.end(),
            kpis: all
                .iter()
                .map(|f| FactorialKpi {
                    kpi: f.kpi.clone(),
                    main: f.main.iter().map(FactorEffect::from).collect(),
                    interactions: f.interactions.iter().map(FactorEffect::from).collect(),
                })
                .collect(),
            partial: false,
            setup,
            flags: Vec::new(),
        }
    }

    /// The KPIs to show: those `requested`, in that order; else the
    /// scenario's planner KPIs; else every KPI.
    ///
    /// # Errors
    /// [`Error::UnknownKpi`](crate::Error::UnknownKpi) at `--kpi` naming a
    /// requested KPI the design did not estimate, with the closest one.
    pub fn shown(&self, scenario: &Scenario, requested: &[String]) -> Result<Vec<&FactorialKpi>> {
        if requested.is_empty() {
            let planner = scenario
                .report
                .as_ref()
                .map(|r| planner_kpi_names(r, scenario.tax.is_some()));
            return Ok(self
                .kpis
                .iter()
                .filter(|f| planner.as_ref().is_none_or(|n| n.contains(&f.kpi)))
                .collect());
        }
        let names = self.kpis.iter().map(|f| f.kpi.as_str());
        requested
            .iter()
            .map(|k| {
                Ok(&self.kpis[crate::experiment::kpi_index("--kpi", k, names.clone())?.index()])
            })
            .collect()
    }

    /// The opening words of a partial document's text (`end` after them)
    /// and report.
    fn partial_note(&self, end: &str) -> String {
        if self.partial {
            format!(
                "PARTIAL RESULTS: the design was interrupted; the effects cover only the replications that finished at every design point (n in each estimate){end}"
            )
        } else {
            String::new()
        }
    }

    /// The introduction of the HTML report.
    #[must_use]
    pub fn intro(&self) -> String {
        format!(
            "2^{} full factorial over {}, {} replications per design point with seed {} (common random numbers). A main effect is the mean KPI with the measure on minus off, averaged over the other factors; an interaction is half the difference between one factor's effect with the other on and off.",
            self.factors.len(),
            self.factors.join(", "),
            self.replications,
            self.seed
        )
    }

    /// The text `cbec-sim factorial` prints, for the KPIs `shown`.
    #[must_use]
    pub fn to_text(&self, shown: &[&FactorialKpi]) -> String {
        let mut s = format!(
            "{}{}: 2^{} factorial over {} ({} replications per point, seed {}, common random numbers)\n",
            self.partial_note("\n"),
            self.scenario,
            self.factors.len(),
            self.factors.join(", "),
            self.replications,
            self.seed
        );
        for f in shown {
            let _ = write!(s, "\n== {}\n{}", f.kpi, f.table());
        }
        if !self.flags.is_empty() {
            s.push('\n');
        }
        for f in &self.flags {
            let _ = writeln!(s, "warning: {f}");
        }
        s
    }
}
