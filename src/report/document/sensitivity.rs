//! [`SensitivityReport`], the `cbec-sim/sensitivity/1` document: which
//! ranged assumptions drive each KPI (Morris screening over all, Sobol
//! indices on the top factors), and how much of each KPI's spread is
//! simulation noise.

use super::{Document, Setup, sig};
use crate::experiment::sensitivity::{KpiSensitivity, Sensitivity};
use crate::report::table::{Column, Table};
use serde::{Deserialize, Serialize};

/// The result of `cbec-sim sensitivity`: schema `cbec-sim/sensitivity/1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityReport {
    /// `cbec-sim/sensitivity/1`.
    pub schema: String,
    /// The scenario studied.
    pub scenario: String,
    /// The file of its ranged assumptions.
    pub assumptions: String,
    /// Morris grid levels.
    pub levels: usize,
    /// The study.
    pub study: Sensitivity,
    /// Whether a signal stopped the study (fewer trajectories, or no
    /// Sobol stage).
    #[serde(default)]
    pub partial: bool,
    /// Warnings about the models studied (an overloaded station, a part no
    /// order reaches), as every command gives them, named by variant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// How the results were made (the unvaried model's horizon and warm-up).
    pub setup: Setup,
}

/// The column names of the ranking table and of `morris.csv` (after `kpi`).
pub const MORRIS_HEADERS: [&str; 9] = [
    "rank",
    "factor",
    "mu*",
    "± 95%",
    "mu",
    "sigma",
    "noise",
    "S1 ± 95%",
    "ST ± 95%",
];

impl Document for SensitivityReport {
    const SCHEMA: &'static str = "cbec-sim/sensitivity/1";
}

impl SensitivityReport {
    /// The document of `study` on `scenario` with ranges from `assumptions`.
    #[must_use]
    pub fn new(
        scenario: impl Into<String>,
        assumptions: impl Into<String>,
        levels: usize,
        setup: Setup,
        study: Sensitivity,
    ) -> Self {
        SensitivityReport {
            flags: Vec::new(),
            schema: Self::SCHEMA.to_string(),
            scenario: scenario.into(),
            assumptions: assumptions.into(),
            levels,
            partial: study.interrupted,
            study,
            setup,
        }
    }

    /// The ranking rows of one KPI, largest `mu*` first (at most `limit`).
    #[must_use]
    pub fn rows(k: &KpiSensitivity, limit: usize) -> Vec<Vec<String>> {
        k.morris
            .iter()
            .take(limit)
            .enumerate()
            .map(|(i, r)| {
                let sobol = k.sobol.iter().find(|s| s.factor == r.factor);
                let pair = |v: Option<(f64, f64)>| {
                    v.map_or(String::new(), |(x, h)| format!("{} ± {}", sig(x), sig(h)))
                };
                vec![
                    (i + 1).to_string(),
                    r.factor.clone(),
                    sig(r.index.mu_star),
                    sig(r.index.mu_star_half_width),
                    sig(r.index.mu),
                    sig(r.index.sigma),
                    if r.within_noise { "noise" } else { "" }.to_string(),
                    pair(sobol.map(|s| (s.index.first, s.index.first_half_width))),
                    pair(sobol.map(|s| (s.index.total, s.index.total_half_width))),
                ]
            })
            .collect()
    }

    /// The ranking table of one KPI.
    #[must_use]
    pub fn table(k: &KpiSensitivity, limit: usize) -> Table {
        let widths = [4, 0, 10, 10, 10, 10, 5, 16, 16];
        let columns = MORRIS_HEADERS
            .iter()
            .zip(widths)
            .map(|(h, w)| {
                if *h == "factor" {
                    Column::left(*h)
                } else {
                    Column::right(*h).width(w)
                }
            })
            .collect();
        Table::new(columns).with_rows(Self::rows(k, limit))
    }

    /// One line on a KPI: its mean over the design points, the noise share
    /// and the `mu*` noise alone gives.
    #[must_use]
    pub fn kpi_line(k: &KpiSensitivity) -> String {
        let sobol = match k.sobol_noise_share {
            Some(s) if k.sobol.is_empty() => format!(
                "; no Sobol indices: noise is {:.0}% of its variance over the top factors",
                100.0 * s
            ),
            _ => String::new(),
        };
        format!(
            "{}: mean {} over the design points; simulation noise is {:.1}% of its variance there; noise alone gives mu* about {}{sobol}",
            k.kpi,
            sig(k.mean),
            100.0 * k.noise_share,
            sig(k.noise_mu_star)
        )
    }

    /// What the study did, in one paragraph.
    #[must_use]
    pub fn intro(&self) -> String {
        let s = &self.study;
        let sobol = if s.top.is_empty() {
            "no Sobol stage".to_string()
        } else {
            format!("Sobol indices on the top {} factors", s.top.len())
        };
        format!(
            "{} ranged assumptions of {} ({}) screened by Morris elementary effects ({} trajectories on {} levels), then {sobol}; {} design points, each {} replications with seed {} (common random numbers across points); the noise from {} replications at the scenario's own values. mu* is the mean absolute change in the KPI when a factor moves over its whole range; \"noise\" marks a factor whose mu* is within twice what simulation noise alone gives. S1 and ST are the shares of the KPI's variance over the top factors' ranges (the others at the scenario's values).",
            s.factors.len(),
            self.scenario,
            self.assumptions,
            s.trajectories,
            self.levels,
            s.design_points,
            s.replications,
            self.setup.seed.value(),
            s.noise_replications,
        )
    }

    /// The text `cbec-sim sensitivity` prints: the top `limit` factors of
    /// each KPI.
    #[must_use]
    pub fn to_text(&self, limit: usize) -> String {
        let mut s = String::new();
        if self.partial {
            s.push_str("PARTIAL RESULTS: the study was interrupted; only the finished trajectories are analysed\n");
        }
        s.push_str(&self.intro());
        s.push_str("\n\n");
        for k in &self.study.kpis {
            s.push_str(&Self::kpi_line(k));
            s.push('\n');
            s.push_str(&Self::table(k, limit).to_string());
            if k.morris.len() > limit {
                s.push_str(&format!(
                    "  ({} more factors; --top-rows N or --json for all)\n",
                    k.morris.len() - limit
                ));
            }
            s.push('\n');
        }
        for f in &self.flags {
            s.push_str(&format!("warning: {f}\n"));
        }
        s
    }
}
