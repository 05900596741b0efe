//! [`CompareReport`], the `cbec-sim/compare/1` document: a baseline against
//! variants on common random numbers, each KPI's paired effect with its
//! 95% confidence interval.

use super::{Document, Estimate, Setup};
use crate::experiment::{Difference, StartupCheck, Verdict, result_flags};
use crate::report::table::{Column, Table, number};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The result of `cbec-sim compare`: schema `cbec-sim/compare/1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareReport {
    /// `cbec-sim/compare/1`.
    pub schema: String,
    /// The baseline scenario.
    pub scenario: String,
    /// The master seed.
    pub seed: u64,
    /// Replications per scenario (indices `0..replications`).
    pub replications: u64,
    /// Each variant with its effects.
    pub variants: Vec<VariantEffects>,
    /// Whether a signal stopped the comparison: the last variant's effects
    /// then cover the replications it finished (each paired with the
    /// baseline's), and the variants after it are left out.
    #[serde(default)]
    pub partial: bool,
    /// How the results were made (the baseline model's horizon and warm-up).
    pub setup: Setup,
    /// Start-up checks (`--check-startup`): the baseline's and each
    /// variant's, by name; left out of the JSON when none was run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub startup_checks: Vec<(String, StartupCheck)>,
    /// Warnings: start-up checks that failed, lead times that are lower
    /// bounds in the baseline or a variant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

/// One variant of a comparison and its effect on every KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantEffects {
    /// The variant's name (a measure, measures joined by `+`, or a file stem).
    pub name: String,
    /// The effect on each KPI.
    pub differences: Vec<KpiDifference>,
}

/// A KPI in the baseline and in a variant, and the paired effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiDifference {
    /// The KPI.
    pub kpi: String,
    /// The KPI in the baseline.
    pub baseline: Estimate,
    /// The KPI in the variant.
    pub variant: Estimate,
    /// Variant minus baseline, replication by replication.
    pub effect: Estimate,
    /// What the effect's interval says.
    pub verdict: Verdict,
    /// The variance of the paired effect against that of independent runs.
    pub variance_reduction: Option<f64>,
}

impl KpiDifference {
    /// Baseline mean, variant mean, effect and the effect's half-width,
    /// each written by `number`.
    pub fn cells(&self, number: impl Fn(Option<f64>) -> String) -> [String; 4] {
        [
            self.baseline.kpi.mean,
            self.variant.kpi.mean,
            self.effect.kpi.mean,
            self.effect.kpi.half_width_95,
        ]
        .map(number)
    }
}

impl From<&Difference> for KpiDifference {
    fn from(d: &Difference) -> Self {
        KpiDifference {
            kpi: d.name.clone(),
            baseline: (&d.baseline).into(),
            variant: (&d.variant).into(),
            effect: (&d.effect).into(),
            verdict: d.verdict(),
            variance_reduction: d.variance_reduction,
        }
    }
}

/// The column names of a variant's effects table (and of the HTML report's).
pub const EFFECT_HEADERS: [&str; 6] = [
    "KPI",
    "baseline",
    "variant",
    "effect",
    "± 95% CI",
    "verdict",
];

impl Document for CompareReport {
    const SCHEMA: &'static str = "cbec-sim/compare/1";
}

impl CompareReport {
    /// The document of a comparison of `scenario` with `variants` (name and
    /// differences), made as `setup` says.
    #[must_use]
    pub fn new(
        scenario: impl Into<String>,
        setup: Setup,
        variants: &[(String, Vec<Difference>)],
    ) -> Self {
        // Each flag once, with every run it holds for: the baseline's and
        // a variant's same figure is one line, not two.
        let mut runs: Vec<(&str, Vec<String>)> = Vec::new();
        if let Some((_, first)) = variants.first() {
            let base: Vec<_> = first.iter().map(|d| d.baseline.clone()).collect();
            runs.push(("baseline", result_flags(&base)));
        }
        for (name, diffs) in variants {
            let v: Vec<_> = diffs.iter().map(|d| d.variant.clone()).collect();
            runs.push((name.as_str(), result_flags(&v)));
        }
        let mut grouped: Vec<(String, Vec<&str>)> = Vec::new();
        for (who, texts) in runs {
            for text in texts {
                match grouped.iter_mut().find(|g| g.0 == text) {
                    Some(g) => g.1.push(who),
                    None => grouped.push((text, vec![who])),
                }
            }
        }
        let flags: Vec<String> = grouped
            .into_iter()
            .map(|(text, who)| format!("{}: {text}", who.join(", ")))
            .collect();
        CompareReport {
            schema: Self::SCHEMA.to_string(),
            scenario: scenario.into(),
            seed: setup.seed.value(),
            replications: setup.replications.end(),
            variants: variants
                .iter()
                .map(|(name, diffs)| VariantEffects {
                    name: name.clone(),
                    differences: diffs.iter().map(KpiDifference::from).collect(),
                })
                .collect(),
            partial: false,
            setup,
            startup_checks: Vec::new(),
            flags,
        }
    }

    /// Records the warnings of the baseline's or a variant's (`name`)
    /// model before it ran (an unreachable part, a station offered more
    /// than its capacity with the servers it would need) as flags.
    pub fn add_model_warnings(&mut self, name: &str, model: &crate::model::Model) {
        self.flags.extend(
            crate::report::describe::model_flags(model)
                .into_iter()
                .map(|w| format!("{name}: {w}")),
        );
    }

    /// Records the start-up check of the baseline or a variant (`name`);
    /// a failed one is also a flag.
    pub fn add_startup_check(&mut self, name: &str, check: StartupCheck) {
        if !check.passed {
            self.flags.push(format!("{name}: {}", check.summary()));
        }
        self.startup_checks.push((name.to_string(), check));
    }
}

impl VariantEffects {
    /// Rows of the effects table for the KPIs in `shown`, in that order:
    /// KPI, baseline mean, variant mean, effect, half-width, verdict.
    #[must_use]
    pub fn rows(&self, shown: &[String]) -> Vec<Vec<String>> {
        shown
            .iter()
            .filter_map(|k| self.differences.iter().find(|d| &d.kpi == k))
            .map(|d| {
                let mut row = vec![d.kpi.clone()];
                row.extend(d.cells(number));
                row.push(d.verdict.to_string());
                row
            })
            .collect()
    }

    /// The effects table for the KPIs in `shown`.
    #[must_use]
    pub fn table(&self, shown: &[String]) -> Table {
        let w = [44, 14, 14, 14, 12, 7];
        let columns = EFFECT_HEADERS
            .iter()
            .zip(w)
            .enumerate()
            .map(|(i, (h, w))| {
                // The verdict column has no header in the text table.
                let h = if i == 5 { "" } else { h };
                if i == 0 {
                    Column::left(h).width(w)
                } else {
                    Column::right(h).width(w)
                }
            })
            .collect();
        Table::new(columns).with_rows(self.rows(shown))
    }
}

impl CompareReport {
    /// The text `cbec-sim compare` prints: how the comparison was made and
    /// one effects table per variant, for the KPIs in `shown`.
    #[must_use]
    pub fn to_text(&self, shown: &[String]) -> String {
        let mut s = String::new();
        if self.partial {
            s.push_str("PARTIAL RESULTS: the comparison was interrupted; the last variant covers only the replications it finished\n");
        }
        let _ = write!(
            s,
            "baseline: {}\nreplications 0..{} (seed {}), common random numbers; effect = variant - baseline with its 95% CI\n\
             \"~0\": the interval contains 0; \"=0\": exactly 0 in every replication; up/down: the whole interval is above/below 0;\n\
             \"<res\": a quantile that moved by no more than one bucket of the histogram it is read from\n",
            self.scenario, self.replications, self.seed
        );
        for v in &self.variants {
            let _ = write!(s, "\n== {}\n{}", v.name, v.table(shown));
        }
        if !self.flags.is_empty() || !self.startup_checks.is_empty() {
            s.push('\n');
        }
        for f in &self.flags {
            let _ = writeln!(s, "warning: {f}");
        }
        for (name, c) in self.startup_checks.iter().filter(|(_, c)| c.passed) {
            let _ = writeln!(s, "{name}: {}", c.summary());
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{Replications, Seed, differences};
    use crate::report::document::Setup;
    use crate::run_replications;
    use crate::scenario::Scenario;

    #[test]
    fn each_variant_gets_a_table_of_the_shown_kpis_in_their_order() {
        let base = Scenario::from_toml_str(crate::report::tests::TINY).unwrap();
        let model = base.build().unwrap();
        let faster = base.with_value("stations.desk.servers", 2.0).unwrap();
        let reps = Replications::first(3);
        let a = run_replications(&model, Seed(1), reps.clone()).unwrap();
        let b = run_replications(&faster.build().unwrap(), Seed(1), reps.clone()).unwrap();
        let doc = CompareReport::new(
            "tiny",
            Setup::new(&model, Seed(1), &reps),
            &[("two_desks".to_string(), differences(&a, &b))],
        );
        assert_eq!((doc.seed, doc.replications), (1, 3));
        let shown = [
            "desk.utilization".to_string(),
            "desk.wait_mean_min".to_string(),
        ];
        let rows = doc.variants[0].rows(&shown);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], "desk.utilization");
        assert_eq!(rows[1][5], "down", "a second desk cuts the wait");
        let text = doc.to_text(&shown);
        assert!(text.starts_with("baseline: tiny\n"));
        assert!(text.contains("\n== two_desks\nKPI "));
    }
}
