//! [`RobustnessReport`], the `cbec-sim/robustness/1` document: how each
//! measure's effect holds across plausible assumption values.

use super::{Document, Setup, sig};
use crate::experiment::{EffectRobustness, Robustness};
use crate::report::table::{Column, Table};
use serde::{Deserialize, Serialize};

/// The result of `cbec-sim robustness`: schema `cbec-sim/robustness/1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobustnessReport {
    /// `cbec-sim/robustness/1`.
    pub schema: String,
    /// The baseline scenario.
    pub scenario: String,
    /// The file of its ranged assumptions.
    pub assumptions: String,
    /// The study.
    pub study: Robustness,
    /// Whether a signal stopped the study (fewer draws).
    #[serde(default)]
    pub partial: bool,
    /// Warnings about the models studied (an overloaded station, a part no
    /// order reaches), as every command gives them, named by variant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// How the results were made (the undrawn baseline's horizon and warm-up).
    pub setup: Setup,
}

/// The column names of the robustness table and of `robustness.csv`
/// (after `variant`).
pub const ROBUSTNESS_HEADERS: [&str; 9] = [
    "kpi",
    "mean effect",
    "5%..95%",
    "up",
    "down",
    "~0",
    "beyond",
    "driver (rank corr.)",
    "what flips it",
];

impl Document for RobustnessReport {
    const SCHEMA: &'static str = "cbec-sim/robustness/1";
}

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

impl RobustnessReport {
    /// The document of `study` on `scenario` with ranges from `assumptions`.
    #[must_use]
    pub fn new(
        scenario: impl Into<String>,
        assumptions: impl Into<String>,
        setup: Setup,
        study: Robustness,
    ) -> Self {
        RobustnessReport {
            flags: Vec::new(),
            schema: Self::SCHEMA.to_string(),
            scenario: scenario.into(),
            assumptions: assumptions.into(),
            partial: study.interrupted,
            study,
            setup,
        }
    }

    /// One row of the table.
    #[must_use]
    pub fn row(e: &EffectRobustness) -> Vec<String> {
        let driver = e.drivers.first().map_or(String::new(), |d| {
            format!("{} ({:+.2})", d.factor, d.rank_correlation)
        });
        let flip = e
            .split
            .as_ref()
            .map_or("no split separates the verdicts".to_string(), |s| {
                format!(
                    "{} <= {}: {} up, {} down (n={}); above: {} up, {} down (n={})",
                    s.factor,
                    sig(s.at),
                    pct(s.below.1),
                    pct(s.below.2),
                    s.below.0,
                    pct(s.above.1),
                    pct(s.above.2),
                    s.above.0
                )
            });
        vec![
            e.kpi.clone(),
            sig(e.mean),
            format!("{} .. {}", sig(e.percentiles[0]), sig(e.percentiles[2])),
            pct(e.share_up),
            pct(e.share_down),
            pct(e.share_neither),
            match (e.threshold, e.share_beyond) {
                (Some(t), Some(s)) => {
                    format!("{} {}", if t >= 0.0 { ">=" } else { "<=" }, sig(t))
                        + &format!(": {}", pct(s))
                }
                _ => String::new(),
            },
            driver,
            flip,
        ]
    }

    /// The table of one variant.
    #[must_use]
    pub fn table(v: &crate::experiment::VariantRobustness) -> Table {
        let columns = ROBUSTNESS_HEADERS
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if i == 0 || i >= 6 {
                    Column::left(*h)
                } else {
                    Column::right(*h)
                }
            })
            .collect();
        Table::new(columns).with_rows(v.kpis.iter().map(Self::row))
    }

    /// What the study did, in one paragraph.
    #[must_use]
    pub fn intro(&self) -> String {
        let s = &self.study;
        format!(
            "{} draws (Latin hypercube) of the {} ranged assumptions of {} ({}); at each draw the baseline and every variant ran {} replications with seed {} (common random numbers). \"up\" and \"down\" count draws whose paired effect's 95% interval lies wholly above or below zero; \"~0\" the rest (indistinguishable, identical, or within a quantile's resolution). The driver is the assumption whose value the effect follows most (Spearman); \"what flips it\" is the one split of one assumption that best separates the verdicts.",
            s.values.len(),
            s.factors.len(),
            self.scenario,
            self.assumptions,
            s.replications,
            self.setup.seed.value(),
        )
    }

    /// The text `cbec-sim robustness` prints.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        if self.partial {
            s.push_str("PARTIAL RESULTS: the study was interrupted; only the finished draws are analysed\n");
        }
        s.push_str(&self.intro());
        s.push_str("\n\n");
        for v in &self.study.variants {
            s.push_str(&format!("== {}\n{}\n", v.variant, Self::table(v)));
        }
        for f in &self.flags {
            s.push_str(&format!("warning: {f}\n"));
        }
        s
    }
}
