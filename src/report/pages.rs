//! The HTML report of each command, all in one layout: the warnings at
//! the very top; a summary a manager reads in a minute (the question, the
//! headline results in words and readable numbers, one chart); then the
//! details (how to read the results, the other charts); the full result
//! tables and the network folded away in `<details>` at the end; a footer
//! saying how the report was made (crate version, command line, seed,
//! replications, date). Behind the `report` feature.
//!
//! # Examples
//! ```
//! # fn main() -> cbec_sim::Result<()> {
//! use cbec_sim::experiment::{Experiment, Replications, Seed};
//! use cbec_sim::report::document::{RunReport, Setup};
//! use cbec_sim::report::{ChartData, Provenance, pages, visuals};
//! use cbec_sim::Scenario;
//! let scenario = Scenario::from_toml_str(r#"
//! [simulation]
//! horizon_h = 20
//! sample_every_min = 30
//! [sources.orders]
//! rate_per_hour = 30
//! to = "desk"
//! [stations.desk]
//! servers = 1
//! service_time_min = { dist = "exponential", mean = 1.0 }
//! to = "out"
//! [sinks.out]
//! "#)?;
//! let model = scenario.build()?;
//! let reps = Replications::first(4);
//! let mut charts = ChartData::new(&scenario).with_calendar(*model.calendar());
//! let result = Experiment::new(&model)
//!     .with_seed(Seed(7))
//!     .with_replications(reps.clone())
//!     .run_folding(|_, run| charts.add(run))?;
//! let doc = RunReport::new(&result.shard, Setup::new(&model, Seed(7), &reps));
//! let made = Provenance::new(["cbec-sim", "run", "desk.toml"], "2026-11-11 08:00 UTC");
//! let html = pages::run_html(&doc, &model, &[], visuals::run_visuals(&charts)?, &made);
//! let at = |s: &str| html.find(s).unwrap();
//! assert!(at("<h2>Summary</h2>") < at("<h2>Details</h2>"));
//! assert!(at("<h2>Details</h2>") < at("<details>") && at("<details>") < at("<footer>"));
//! assert!(html.contains("<dt>command</dt><dd>cbec-sim run desk.toml</dd>"));
//! assert!(html.contains("<td>Network: time in system, mean</td><td>minutes</td>"));
//! # Ok(()) }
//! ```

use crate::model::Model;
use crate::report::describe::{LOAD_HEADERS, load_table};
use crate::report::document::{
    CONFIRM_HEADERS, CapacityReport, CompareReport, EFFECT_HEADERS, FACTORIAL_HEADERS,
    FactorialKpi, FactorialReport, MORRIS_HEADERS, PLAN_HEADERS, ROBUSTNESS_HEADERS,
    RobustnessReport, RunReport, SensitivityReport, Setup, SweepReport,
};
use crate::report::summary;
use crate::report::visuals::Visuals;
use crate::report::{HtmlReport, Provenance};

/// A table of a report: caption, column names, rows.
type Captioned = (String, Vec<String>, Vec<Vec<String>>);

/// A table from column names given as `&str`.
fn captioned(caption: impl Into<String>, headers: &[&str], rows: Vec<Vec<String>>) -> Captioned {
    (
        caption.into(),
        headers.iter().map(|h| (*h).to_string()).collect(),
        rows,
    )
}

/// What a report says, in the order it says it.
struct Page<'a> {
    title: String,
    /// The warnings (a partial run's note first).
    warnings: Vec<String>,
    /// The scenario file, its model and how the results were made.
    scenario: &'a str,
    model: &'a Model,
    setup: &'a Setup,
    /// What was asked, beyond the scenario and its dates: each variant
    /// and what it changes, the parameter swept...
    asked: Vec<String>,
    /// The headline results, a table a manager reads first.
    headline: Option<Captioned>,
    /// A sentence on the headline results (a sweep's verdict).
    verdict: Option<String>,
    /// How the results were made and how to read them.
    method: String,
    /// The full result tables, folded under this name (none: no fold).
    results: &'a str,
    tables: Vec<Captioned>,
}

/// The note that opens a partial report's warnings.
fn partial_warning(partial: bool) -> Option<String> {
    partial.then(|| {
        "PARTIAL RESULTS: interrupted before every replication finished; only those finished are included".to_string()
    })
}

/// A report's warnings: a partial run's note first, then its flags.
fn warnings(partial: bool, flags: &[String]) -> Vec<String> {
    partial_warning(partial)
        .into_iter()
        .chain(flags.iter().cloned())
        .collect()
}

impl Page<'_> {
    /// The whole report, with `visuals` (the first chart in the summary)
    /// and a footer from `provenance`.
    fn render(self, visuals: Visuals, provenance: &Provenance) -> String {
        let mut r = HtmlReport::new(self.title);
        r.warnings(&self.warnings);
        r.heading("Summary");
        r.paragraph(summary::question(self.scenario, self.setup));
        if !self.asked.is_empty() {
            r.list(self.asked);
        }
        if let Some(v) = self.verdict {
            r.paragraph(v);
        }
        if let Some((caption, headers, rows)) = self.headline {
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            r.table(caption, &headers, rows);
        }
        let mut charts = visuals.charts.into_iter().zip(visuals.captions);
        if let Some(((_, svg), caption)) = charts.next() {
            r.chart(caption, svg);
        }
        r.heading("Details");
        r.paragraph(self.method);
        for ((_, svg), caption) in charts {
            r.chart(caption, svg);
        }
        if !self.tables.is_empty() {
            let mut results = HtmlReport::new("");
            for (caption, headers, rows) in self.tables {
                let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
                results.table(caption, &headers, rows);
            }
            r.details(self.results, results);
        }
        let mut network = HtmlReport::new("");
        network.paragraph(format!("Scenario file: {}.", self.scenario));
        network.table(
            "The network and the load its inputs offer (router rules not followed)",
            &LOAD_HEADERS,
            load_table(self.model).into_rows(),
        );
        r.details("The network and the load its inputs offer", network);
        footer(&mut r, self.setup, provenance);
        r.to_html()
    }
}

/// The footer: crate version, command line, seed, replications, date.
fn footer(r: &mut HtmlReport, setup: &Setup, p: &Provenance) {
    let reps = &setup.replications;
    r.footer("cbec-sim version", &setup.crate_version);
    r.footer("command", &p.command_line);
    r.footer("seed", setup.seed.value().to_string());
    r.footer(
        "replications",
        format!("{} (indices {}..{})", reps.len(), reps.start(), reps.end()),
    );
    r.footer("date of the run", &p.date);
}

/// The HTML report of a run of `model`: the measures applied with what
/// each `changes` (measure name, what it changes), the headline KPIs
/// first, the charts, every KPI and the network at the end.
#[must_use]
pub fn run_html(
    doc: &RunReport,
    model: &Model,
    changes: &[(String, String)],
    visuals: Visuals,
    provenance: &Provenance,
) -> String {
    let scenario = doc.scenario.as_deref().unwrap_or("-");
    let table = doc.table(None);
    let headers = table.headers();
    let warnings = warnings(doc.partial, &doc.flags);
    let asked = doc
        .measures
        .iter()
        .map(|name| match changes.iter().find(|(n, _)| n == name) {
            Some((_, what)) if !what.is_empty() => format!("Measure {name}: {what}"),
            _ => format!("Measure {name}."),
        })
        .collect();
    Page {
        title: format!("cbec-sim: {scenario}"),
        warnings,
        scenario,
        model,
        setup: &doc.setup,
        asked,
        headline: Some(captioned(
            "Headline results (mean over replications)",
            &summary::RUN_HEADERS,
            summary::run_rows(&doc.estimates()),
        )),
        verdict: None,
        method: format!(
            "Replications {}..{} with seed {}{}. Each interval is the 95% confidence interval of the mean over replications: had the study been repeated with other seeds, 95 in 100 such intervals would contain the true mean of this model.",
            doc.replications.start(),
            doc.replications.end(),
            doc.seed,
            doc.warmup.as_ref().map_or(String::new(), |w| format!("; {w}"))
        ),
        results: "Every KPI over the replications",
        tables: vec![captioned("KPIs over replications", &headers, table.rows().to_vec())],
    }
    .render(visuals, provenance)
}

/// The HTML report of a comparison: the baseline and each variant with
/// what it `changes` (variant name, what it changes) side by side on the
/// headline KPIs, the charts, one effects table per variant for the KPIs
/// `shown` and the baseline's network at the end.
#[must_use]
pub fn compare_html(
    doc: &CompareReport,
    shown: &[String],
    model: &Model,
    changes: &[(String, String)],
    visuals: Visuals,
    provenance: &Provenance,
) -> String {
    let warnings = warnings(doc.partial, &doc.flags);
    let asked = doc
        .variants
        .iter()
        .map(|v| {
            let what = changes
                .iter()
                .find(|(n, _)| n == &v.name)
                .map_or("", |(_, c)| c.as_str());
            if what.is_empty() {
                format!("Variant {}.", v.name)
            } else {
                format!("Variant {}: {what}", v.name)
            }
        })
        .collect();
    let (headers, rows) = summary::compare_table(doc);
    Page {
        title: format!("cbec-sim compare: {}", doc.scenario),
        warnings,
        scenario: &doc.scenario,
        model,
        setup: &doc.setup,
        asked,
        headline: Some((
            "Headline results: baseline, and each variant with its change (variant − baseline) and whether the change is clear at 95%".to_string(),
            headers,
            rows,
        )),
        verdict: None,
        method: format!(
            "Replications 0..{} with seed {}; every variant runs the same replications on the same random streams (common random numbers). An effect is variant − baseline, paired replication by replication, with its 95% confidence interval; \"~0\" marks an effect whose interval contains zero, \"=0\" one that is exactly zero in every replication.",
            doc.replications, doc.seed
        ),
        results: "Every effect, variant by variant",
        tables: doc
            .variants
            .iter()
            .map(|v| captioned(format!("Variant: {}", v.name), &EFFECT_HEADERS, v.rows(shown)))
            .collect(),
    }
    .render(visuals, provenance)
}

/// The HTML report of a sweep: the curve's table and the target's verdict
/// first, the chart, the network at the end.
#[must_use]
pub fn sweep_html(
    doc: &SweepReport,
    model: &Model,
    visuals: Visuals,
    provenance: &Provenance,
) -> String {
    let table = doc.table();
    let warnings = warnings(doc.partial, &doc.flags);
    Page {
        title: format!("cbec-sim sweep: {}", doc.scenario),
        warnings,
        scenario: &doc.scenario,
        model,
        setup: &doc.setup,
        asked: vec![format!(
            "How {} changes as {} takes {} values.",
            doc.sweep.kpi,
            doc.param,
            doc.sweep.points.len()
        )],
        headline: Some(captioned(
            format!("{} at each value of {}", doc.sweep.kpi, doc.param),
            &table.headers(),
            table.rows().to_vec(),
        )),
        verdict: Some(doc.verdict_text()),
        method: doc.intro(),
        results: "",
        tables: Vec::new(),
    }
    .render(visuals, provenance)
}

/// The HTML report of a factorial design: the effects on each KPI
/// `shown`, the charts, the network at the end.
#[must_use]
pub fn factorial_html(
    doc: &FactorialReport,
    shown: &[&FactorialKpi],
    model: &Model,
    visuals: Visuals,
    provenance: &Provenance,
) -> String {
    let warnings = warnings(doc.partial, &doc.flags);
    let names: Vec<&str> = shown.iter().map(|f| f.kpi.as_str()).collect();
    let first = summary::headline(&names).first().copied();
    let headline = first
        .and_then(|k| shown.iter().find(|f| f.kpi == k))
        .map(|f| {
            captioned(
                format!("Effects on {}", f.kpi),
                &FACTORIAL_HEADERS,
                f.rows(),
            )
        });
    Page {
        title: format!("cbec-sim factorial: {}", doc.scenario),
        warnings,
        scenario: &doc.scenario,
        model,
        setup: &doc.setup,
        asked: vec![format!(
            "What each of {} does, alone and together (2^{} design points).",
            doc.factors.join(", "),
            doc.factors.len()
        )],
        headline,
        verdict: None,
        method: doc.intro(),
        results: "The effects on every KPI shown",
        tables: shown
            .iter()
            .map(|f| {
                captioned(
                    format!("Effects on {}", f.kpi),
                    &FACTORIAL_HEADERS,
                    f.rows(),
                )
            })
            .collect(),
    }
    .render(visuals, provenance)
}

/// The HTML report of a sensitivity study: each KPI's ranking, the
/// tornado charts, the network at the end.
#[must_use]
pub fn sensitivity_html(
    doc: &SensitivityReport,
    model: &Model,
    limit: usize,
    visuals: Visuals,
    provenance: &Provenance,
) -> String {
    Page {
        title: format!("cbec-sim sensitivity: {}", doc.scenario),
        warnings: warnings(doc.partial, &doc.flags),
        scenario: &doc.scenario,
        model,
        setup: &doc.setup,
        asked: vec![format!(
            "Which of the ranged assumptions of {} drive the headline KPIs.",
            doc.assumptions
        )],
        headline: doc.study.kpis.first().map(|k| {
            captioned(
                SensitivityReport::kpi_line(k),
                &MORRIS_HEADERS,
                SensitivityReport::rows(k, limit),
            )
        }),
        verdict: None,
        method: doc.intro(),
        results: "What drives each KPI",
        tables: doc
            .study
            .kpis
            .iter()
            .map(|k| {
                captioned(
                    SensitivityReport::kpi_line(k),
                    &MORRIS_HEADERS,
                    SensitivityReport::rows(k, limit),
                )
            })
            .collect(),
    }
    .render(visuals, provenance)
}

/// The HTML report of a robustness study: each variant's table, the
/// charts, the network at the end.
#[must_use]
pub fn robustness_html(
    doc: &RobustnessReport,
    model: &Model,
    visuals: Visuals,
    provenance: &Provenance,
) -> String {
    let tables: Vec<Captioned> = doc
        .study
        .variants
        .iter()
        .map(|v| {
            captioned(
                v.variant.clone(),
                &ROBUSTNESS_HEADERS,
                RobustnessReport::table(v).into_rows(),
            )
        })
        .collect();
    Page {
        title: format!("cbec-sim robustness: {}", doc.scenario),
        warnings: warnings(doc.partial, &doc.flags),
        scenario: &doc.scenario,
        model,
        setup: &doc.setup,
        asked: vec![format!(
            "Whether each measure's effect holds across the plausible values of the assumptions of {}.",
            doc.assumptions
        )],
        headline: tables.first().cloned(),
        verdict: None,
        method: doc.intro(),
        results: "How each effect holds across the assumptions",
        tables,
    }
    .render(visuals, provenance)
}

/// The HTML report of a capacity search: the plan and its verdict first,
/// the chart, the confirmation and the network at the end.
#[must_use]
pub fn capacity_html(
    doc: &CapacityReport,
    model: &Model,
    visuals: Visuals,
    provenance: &Provenance,
) -> String {
    Page {
        title: format!("cbec-sim capacity: {}", doc.scenario),
        warnings: warnings(doc.partial, &doc.flags),
        scenario: &doc.scenario,
        model,
        setup: &doc.setup,
        asked: Vec::new(),
        headline: Some(captioned(
            "Units of each resource",
            &PLAN_HEADERS,
            doc.plan_rows(),
        )),
        verdict: None,
        method: doc.intro(),
        results: "The plan and each plan one unit cheaper, on fresh replications",
        tables: vec![captioned(
            "The plan and each plan one unit cheaper, on fresh replications",
            &CONFIRM_HEADERS,
            doc.confirmation_rows(),
        )],
    }
    .render(visuals, provenance)
}
