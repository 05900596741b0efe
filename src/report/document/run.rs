//! [`RunReport`], the `cbec-sim/summary/1` document: every KPI of a run's
//! replications with its 95% confidence interval, the pooled time in
//! system, flags, and how the run was made.

use super::{Document, Estimate, Replications, Setup};
use crate::experiment::{KpiEstimate, ShardResult, StartupCheck, StopDecision, result_flags};
use crate::report::table::{Column, Table, number};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The result of `cbec-sim run` (and `merge`): schema `cbec-sim/summary/1`.
///
/// # Examples
/// ```
/// use cbec_sim::experiment::{Experiment, Replications, Seed};
/// use cbec_sim::report::document::{Document, RunReport, Setup};
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(30.0, "desk"))
///     .with_station("desk", Station::new(1, Dist::exponential(1.0)?, "out"))
///     .with_sink("out", Sink::new())
///     .with_horizon(SimTime::from_hours(10.0))
///     .build()?;
/// let reps = Replications::first(3);
/// let shard = Experiment::new(&model).with_seed(Seed(7)).with_replications(reps.clone()).run()?.shard;
/// let doc = RunReport::new(&shard, Setup::new(&model, Seed(7), &reps));
/// let json: serde_json::Value = serde_json::from_str(&doc.to_json()).unwrap();
/// assert_eq!(json["schema"], "cbec-sim/summary/1");
/// assert_eq!(json["setup"]["horizon_h"], 10.0);
/// assert!(doc.to_text(None).contains("replications 0..3 (seed 7)"));
/// # Ok::<(), cbec_sim::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// `cbec-sim/summary/1`.
    pub schema: String,
    /// The scenario file, if the run came from one.
    pub scenario: Option<String>,
    /// The measures applied, in order.
    pub measures: Vec<String>,
    /// The master seed.
    pub seed: u64,
    /// The replications summarised.
    pub replications: Replications,
    /// The stopping rule's decision, for a run to a precision target.
    pub precision: Option<Precision>,
    /// How the warm-up was chosen, when it was chosen automatically.
    pub warmup: Option<String>,
    /// Every KPI over the replications.
    pub kpis: Vec<Estimate>,
    /// The time in system over every order of every replication.
    pub pooled: Pooled,
    /// Whether the run was interrupted before all replications finished.
    pub partial: bool,
    /// The replications inside `replications` that did not finish
    /// (`[a, b)` ranges), when an interruption left gaps; left out of the
    /// JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<(u64, u64)>,
    /// Warnings about the results (a backlog that grew through the run,
    /// lead times that are lower bounds, a failed start-up check).
    pub flags: Vec<String>,
    /// The start-up check (`--check-startup`), when it was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_check: Option<StartupCheck>,
    /// The highest offered load on one day of the window, per station with
    /// a known load (work offered that day over its server-hours, from the
    /// inputs alone: see `cbec-sim explain`), highest first; above 1, a
    /// backlog builds that day. Left out of the JSON when not known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peak_offered_load: Vec<(String, f64)>,
    /// How the results were made.
    pub setup: Setup,
}

/// What a run to a precision target decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    /// Whether the watched KPI reached the target.
    pub target_met: bool,
    /// The watched KPI's final estimate.
    pub watched: Option<Estimate>,
    /// The replications run.
    pub replications: u64,
}

impl From<&StopDecision> for Precision {
    fn from(d: &StopDecision) -> Self {
        Precision {
            target_met: d.target_met,
            watched: d.watched.as_ref().map(Estimate::from),
            replications: d.replications,
        }
    }
}

/// Quantiles of the time in system over every order of every replication,
/// from the merged histograms (within 1%), in minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pooled {
    /// Orders counted.
    pub orders: u64,
    /// Median time in system.
    pub time_in_system_p50_min: Option<f64>,
    /// 95th percentile.
    pub time_in_system_p95_min: Option<f64>,
    /// 99th percentile.
    pub time_in_system_p99_min: Option<f64>,
}

impl Document for RunReport {
    const SCHEMA: &'static str = "cbec-sim/summary/1";
}

impl RunReport {
    /// The document of `shard`'s replications, made as `setup` says; no
    /// scenario, measures, precision target or warm-up note yet (set the
    /// fields), partial if replications are missing inside its range.
    #[must_use]
    pub fn new(shard: &ShardResult, setup: Setup) -> Self {
        let estimates = shard.estimates();
        let q = |p: f64| shard.time_in_system.quantile(p).map(|t| t.minutes());
        RunReport {
            schema: Self::SCHEMA.to_string(),
            scenario: None,
            measures: Vec::new(),
            seed: shard.seed,
            replications: Replications::new(shard.start..shard.end)
                .unwrap_or_else(|_| setup.replications.clone()),
            precision: None,
            warmup: None,
            flags: result_flags(&estimates),
            startup_check: None,
            peak_offered_load: Vec::new(),
            kpis: estimates.into_iter().map(Estimate::from).collect(),
            pooled: Pooled {
                orders: shard.time_in_system.count(),
                time_in_system_p50_min: q(0.5),
                time_in_system_p95_min: q(0.95),
                time_in_system_p99_min: q(0.99),
            },
            partial: shard.is_partial(),
            missing: shard.missing.clone(),
            setup,
        }
    }

    /// The document of `shard`, a run of `model` (what `cbec-sim run
    /// --json` prints, and the Python package's `run(...).to_json()`):
    /// its setup from the model, the model's warnings (overload,
    /// unreachable parts) first among the flags, and the peak offered
    /// load of each station.
    #[must_use]
    pub fn of_model(shard: &ShardResult, model: &crate::Model) -> Self {
        let done =
            Replications::new(shard.start..shard.end).unwrap_or_else(|_| Replications::first(0));
        let seed = crate::experiment::Seed(shard.seed);
        let mut doc = RunReport::new(shard, Setup::new(model, seed, &done));
        doc.set_peak_offered_load(model);
        doc.flags
            .splice(0..0, crate::report::describe::model_flags(model));
        doc
    }

    /// The note on a warm-up chosen automatically (MSER-5): its length,
    /// or that none was found.
    #[must_use]
    pub fn auto_warmup_note(chosen: Option<SimTime>) -> String {
        match chosen {
            Some(t) => format!("warm-up chosen by MSER-5: {:.2} h", t.hours()),
            None => {
                "MSER-5 found no warm-up in the first half of the horizon; none deleted".to_string()
            }
        }
    }

    /// Records the highest one-day offered load of each of `model`'s
    /// stations (those whose load is known), highest first.
    pub fn set_peak_offered_load(&mut self, model: &crate::Model) {
        let mut loads: Vec<(String, f64)> = model
            .offered_load()
            .nodes
            .into_iter()
            .filter_map(|n| Some((n.name, n.peak_day_utilization?)))
            .filter(|(_, u)| u.is_finite())
            .collect();
        loads.sort_by(|a, b| b.1.total_cmp(&a.1));
        self.peak_offered_load = loads;
    }

    /// Records a start-up check; a failed one is also a flag.
    pub fn set_startup_check(&mut self, check: StartupCheck) {
        if !check.passed {
            self.flags.push(check.summary());
        }
        self.startup_check = Some(check);
    }

    /// The KPI estimates, without their standard errors.
    #[must_use]
    pub fn estimates(&self) -> Vec<KpiEstimate> {
        self.kpis.iter().map(|e| e.kpi.clone()).collect()
    }

    /// The KPI table: name, mean, half-width, min and max of each KPI in
    /// `shown` (every KPI if `None`).
    #[must_use]
    pub fn table(&self, shown: Option<&[String]>) -> Table {
        let mut t = Table::new(vec![
            Column::left("KPI").width(44),
            Column::right("mean").width(14),
            Column::right("± 95% CI").width(12),
            Column::right("min").width(12),
            Column::right("max").width(12),
        ]);
        for e in &self.kpis {
            if shown.is_none_or(|names| names.contains(&e.kpi.name)) {
                t.push([e.kpi.name.clone()].into_iter().chain(e.cells(number)));
            }
        }
        t
    }

    /// The text `cbec-sim run` prints: how the run was made, the KPI table
    /// (only the KPIs in `shown`, if given), flags and the pooled time in
    /// system.
    #[must_use]
    pub fn to_text(&self, shown: Option<&[String]>) -> String {
        let mut s = String::new();
        let mut line = |text: &str| {
            s.push_str(text);
            s.push('\n');
        };
        if self.partial {
            line("PARTIAL RESULTS: the run was interrupted; only the replications below finished");
            if !self.missing.is_empty() {
                let gaps: Vec<String> = self
                    .missing
                    .iter()
                    .map(|g| format!("{}..{}", g.0, g.1))
                    .collect();
                line(&format!("missing replications: {}", gaps.join(", ")));
            }
        }
        if let Some(p) = &self.scenario {
            line(&format!("scenario: {p}"));
        }
        if !self.measures.is_empty() {
            line(&format!("measures: {}", self.measures.join(" + ")));
        }
        line(&format!(
            "replications {}..{} (seed {}); 95% confidence intervals over replications",
            self.replications.start(),
            self.replications.end(),
            self.seed
        ));
        if let Some(note) = &self.warmup {
            line(note);
        }
        if let Some(d) = &self.precision {
            line(&format!(
                "precision target {} after {} replications",
                if d.target_met { "met" } else { "NOT met" },
                d.replications
            ));
        }
        line("");
        let table = self.table(shown);
        let rows = table.rows().len();
        let _ = write!(s, "{table}");
        let mut line = |text: &str| {
            s.push_str(text);
            s.push('\n');
        };
        for flag in &self.flags {
            line(&format!("warning: {flag}"));
        }
        if let Some(c) = self.startup_check.as_ref().filter(|c| c.passed) {
            line(&c.summary());
        }
        let over: Vec<String> = self
            .peak_offered_load
            .iter()
            .filter(|(_, u)| *u > 1.0)
            .map(|(n, u)| format!("{n} {u:.2}"))
            .collect();
        if !over.is_empty() {
            line(&format!(
                "offered more than its capacity on its busiest day (work over server-hours, from the inputs): {}",
                over.join(", ")
            ));
        }
        if rows < self.kpis.len() {
            line(&format!(
                "({} more KPIs per station, dispatch point, interval and sink: --all, --json or --csv DIR)",
                self.kpis.len() - rows
            ));
        }
        line("");
        let p = &self.pooled;
        line(&format!(
            "time in system over all {} orders of all replications (pooled): p50 {} min, p95 {} min, p99 {} min",
            p.orders,
            number(p.time_in_system_p50_min),
            number(p.time_in_system_p95_min),
            number(p.time_in_system_p99_min)
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Seed;
    use crate::scenario::Scenario;

    fn report() -> RunReport {
        let model = Scenario::from_toml_str(crate::report::tests::TINY)
            .unwrap()
            .build()
            .unwrap();
        let reps = Replications::first(3);
        let shard = crate::experiment::Experiment::new(&model)
            .with_seed(Seed(3))
            .with_replications(reps.clone())
            .run()
            .unwrap()
            .shard;
        RunReport::new(&shard, Setup::new(&model, Seed(3), &reps))
    }

    #[test]
    fn the_text_says_what_was_run_and_what_is_hidden() {
        let mut doc = report();
        doc.partial = true;
        doc.measures = vec!["a".into(), "b".into()];
        let shown = vec![doc.kpis[0].kpi.name.clone()];
        let text = doc.to_text(Some(&shown));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("PARTIAL RESULTS"));
        assert_eq!(lines[1], "measures: a + b");
        assert!(lines[2].starts_with("replications 0..3 (seed 3)"));
        assert!(text.contains(&format!("({} more KPIs", doc.kpis.len() - 1)));
        assert!(text.ends_with(" min\n") && text.contains("(pooled): p50 "));
    }

    #[test]
    fn the_setup_and_precision_are_in_the_json() {
        let doc = report();
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["setup"]["warmup_h"], 1.0);
        assert_eq!(json["setup"]["horizon_h"], 20.0);
        assert_eq!(json["setup"]["crate_version"], super::super::CRATE_VERSION);
        assert!(json["precision"].is_null() && json["partial"] == false);
        assert_eq!(
            RunReport::auto_warmup_note(None),
            "MSER-5 found no warm-up in the first half of the horizon; none deleted"
        );
    }
}
