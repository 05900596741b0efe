//! The charts and HTML reports of each command, from its runs.

use crate::common::{Failure, failed, num, write_charts, write_file};
use crate::explain::{LOAD_HEADERS, load_rows};
use cbec_sim::experiment::{Difference, KpiCatalogue, KpiEstimate, ShardResult, Sweep};
use cbec_sim::report::charts::{self, BandPoint, Bar, Series};
use cbec_sim::report::{HtmlReport, interval_cdf, mean_queue_series};
use cbec_sim::{Model, RunSummary, Scenario};
use std::path::Path;

/// A table for a report: caption, column names, rows.
pub(crate) type Table<'a> = (String, Vec<&'a str>, Vec<Vec<String>>);

/// Charts as (file stem, SVG), with a caption each.
pub(crate) struct Visuals {
    pub(crate) charts: Vec<(String, String)>,
    pub(crate) captions: Vec<String>,
}

impl Visuals {
    /// No charts yet.
    pub(crate) fn new() -> Self {
        Visuals {
            charts: Vec::new(),
            captions: Vec::new(),
        }
    }

    /// Adds a chart.
    pub(crate) fn push(
        &mut self,
        name: &str,
        caption: &str,
        svg: cbec_sim::Result<String>,
    ) -> Result<(), Failure> {
        self.charts.push((name.to_string(), svg.map_err(failed)?));
        self.captions.push(caption.to_string());
        Ok(())
    }

    fn into_report(self, report: &mut HtmlReport) {
        report.heading("Charts");
        for ((_, svg), caption) in self.charts.into_iter().zip(self.captions) {
            report.chart(caption, svg);
        }
    }
}

/// The stations a planner watches: the scenario's `[report]` resources,
/// or every station.
fn key_stations(scenario: &Scenario) -> Vec<(String, String)> {
    match &scenario.report {
        Some(r) if !r.utilization.is_empty() => r
            .utilization
            .iter()
            .map(|(label, station)| (label.clone(), station.clone()))
            .collect(),
        _ => scenario
            .stations
            .keys()
            .map(|s| (s.clone(), s.clone()))
            .collect(),
    }
}

/// Lead-time CDF series for one set of runs.
fn lead_time(scenario: &Scenario, label: &str, runs: &[RunSummary]) -> Series {
    match &scenario.report {
        Some(r) => interval_cdf(label, runs, &r.lead_time),
        None => {
            let mut h = cbec_sim::stats::DurationHistogram::new();
            for run in runs {
                h.merge(&run.network.time_in_system_hist);
            }
            Series::new(
                label,
                h.cdf().into_iter().map(|(t, s)| (t.hours(), s)).collect(),
            )
        }
    }
}

fn lead_time_axis(scenario: &Scenario) -> &'static str {
    if scenario.report.is_some() {
        "lead time, order placed to leaving the zone (hours)"
    } else {
        "time in system (hours)"
    }
}

/// Utilisation by resource, with 95% intervals.
fn utilization_bars(scenario: &Scenario, runs: &[RunSummary]) -> Vec<Bar> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let catalogue = KpiCatalogue::for_run(first);
    key_stations(scenario)
        .into_iter()
        .filter_map(|(label, station)| {
            let id = catalogue.kpi(&format!("{station}.utilization")).ok()?;
            let e = KpiEstimate::from_values("u", runs.iter().map(|r| catalogue.get(id, r)));
            Some(Bar {
                label,
                value: e.mean?,
                half_width: e.half_width_95,
            })
        })
        .collect()
}

pub(crate) fn run_visuals(scenario: &Scenario, runs: &[RunSummary]) -> Result<Visuals, Failure> {
    let mut v = Visuals::new();
    v.push(
        "lead_time_cdf",
        "Share of orders out within a given time, pooled over replications.",
        charts::lines(
            "Lead-time distribution",
            lead_time_axis(scenario),
            "share of orders (cumulative)",
            &[lead_time(scenario, "this scenario", runs)],
        ),
    )?;
    let queues: Vec<Series> = key_stations(scenario)
        .iter()
        .map(|(label, station)| mean_queue_series(label, runs, station))
        .filter(|s| !s.points.is_empty())
        .collect();
    if !queues.is_empty() {
        v.push(
            "queues_over_time",
            "Orders waiting at each key station, averaged over replications at each sample time.",
            charts::lines(
                "Queue length over time",
                "time from the start (hours)",
                "orders waiting",
                &queues,
            ),
        )?;
    }
    v.push(
        "utilization",
        "Share of the servers on duty kept busy, with 95% confidence intervals.",
        charts::bars(
            "Utilisation by resource",
            "utilisation (busy / on duty)",
            &utilization_bars(scenario, runs),
        ),
    )?;
    Ok(v)
}

fn summary_rows(estimates: &[KpiEstimate]) -> Vec<Vec<String>> {
    estimates
        .iter()
        .map(|e| {
            vec![
                e.name.clone(),
                num(e.mean),
                num(e.half_width_95),
                num(e.min),
                num(e.max),
            ]
        })
        .collect()
}

fn scenario_section(report: &mut HtmlReport, path: &Path, model: &Model) {
    report.heading("Scenario");
    report.paragraph(format!("Scenario file: {}.", path.display()));
    report.table(
        "The network and the load its inputs offer (router rules not followed)",
        &LOAD_HEADERS,
        load_rows(model),
    );
}

pub(crate) fn run_report(
    path: &Path,
    measures: &[String],
    model: &Model,
    shard: &ShardResult,
    visuals: Visuals,
) -> String {
    let mut r = HtmlReport::new(format!("cbec-sim: {}", path.display()));
    r.paragraph(format!(
        "Replications {}..{} with seed {}{}. Each interval is the 95% confidence interval of the mean over replications: had the study been repeated with other seeds, 95 in 100 such intervals would contain the true mean of this model.",
        shard.start,
        shard.end,
        shard.seed,
        if measures.is_empty() { String::new() } else { format!(", measures {}", measures.join(" + ")) }
    ));
    scenario_section(&mut r, path, model);
    r.heading("Results");
    r.table(
        "KPIs over replications",
        &["KPI", "mean", "± 95% CI", "min", "max"],
        summary_rows(&shard.estimates()),
    );
    visuals.into_report(&mut r);
    r.to_html()
}

/// Writes the charts into `--plot DIR` and the HTML report made by
/// `report` into `--report FILE`, when asked for; `make` draws the charts
/// only then.
pub(crate) fn write_visuals(
    plot: Option<&Path>,
    report: Option<&Path>,
    make: impl FnOnce() -> Result<Visuals, Failure>,
    html: impl FnOnce(Visuals) -> String,
) -> Result<(), Failure> {
    if plot.is_none() && report.is_none() {
        return Ok(());
    }
    let v = make()?;
    if let Some(dir) = plot {
        write_charts(dir, &v.charts)?;
    }
    if let Some(file) = report {
        write_file(file, &html(v))?;
    }
    Ok(())
}

/// Charts of a comparison: lead-time CDFs, effects with intervals for the
/// headline KPIs, queues at the busiest key station, utilisation.
pub(crate) fn compare_visuals(
    scenario: &Scenario,
    baseline: &[RunSummary],
    variants: &[(String, Vec<RunSummary>, Vec<Difference>)],
    headline: &[String],
) -> Result<Visuals, Failure> {
    let mut v = Visuals::new();
    let mut cdfs = vec![lead_time(scenario, "baseline", baseline)];
    cdfs.extend(
        variants
            .iter()
            .map(|(name, runs, _)| lead_time(scenario, name, runs)),
    );
    v.push(
        "lead_time_cdf",
        "Share of orders out within a given time, baseline and each variant, pooled over replications.",
        charts::lines("Lead-time distribution", lead_time_axis(scenario), "share of orders (cumulative)", &cdfs),
    )?;
    for (i, kpi) in headline.iter().take(4).enumerate() {
        let bars: Vec<Bar> = variants
            .iter()
            .filter_map(|(name, _, diffs)| {
                let d = diffs.iter().find(|d| &d.name == kpi)?;
                Some(Bar {
                    label: name.clone(),
                    value: d.effect.mean?,
                    half_width: d.effect.half_width_95,
                })
            })
            .collect();
        v.push(
            &format!("effect_{i}_{kpi}"),
            &format!("Effect of each variant on {kpi} (variant − baseline, paired replications), with 95% confidence intervals."),
            charts::bars(&format!("Effect on {kpi}"), &format!("change in {kpi}"), &bars),
        )?;
    }
    // The key station with the longest mean queue in the baseline.
    let busiest = key_stations(scenario)
        .into_iter()
        .map(|(label, station)| {
            let s = mean_queue_series(&label, baseline, &station);
            let mean = s.points.iter().map(|p| p.1).sum::<f64>() / s.points.len().max(1) as f64;
            (mean, label, station)
        })
        .filter(|x| x.0 > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, label, station)) = busiest {
        let mut lines = vec![mean_queue_series("baseline", baseline, &station)];
        lines.extend(
            variants
                .iter()
                .map(|(name, runs, _)| mean_queue_series(name, runs, &station)),
        );
        v.push(
            "queues_over_time",
            &format!("Orders waiting at {label} ({station}), averaged over replications at each sample time."),
            charts::lines(&format!("Queue at {label} over time"), "time from the start (hours)", "orders waiting", &lines),
        )?;
    }
    v.push(
        "utilization",
        "Baseline: share of the servers on duty kept busy, with 95% confidence intervals.",
        charts::bars(
            "Utilisation by resource (baseline)",
            "utilisation (busy / on duty)",
            &utilization_bars(scenario, baseline),
        ),
    )?;
    Ok(v)
}

pub(crate) fn compare_report(
    path: &Path,
    model: &Model,
    seed: u64,
    replications: u64,
    tables: Vec<(String, Vec<Vec<String>>)>,
    visuals: Visuals,
) -> String {
    let mut r = HtmlReport::new(format!("cbec-sim compare: {}", path.display()));
    r.paragraph(format!(
        "Replications 0..{replications} with seed {seed}; every variant runs the same replications on the same random streams (common random numbers). An effect is variant − baseline, paired replication by replication, with its 95% confidence interval; \"~0\" marks an effect whose interval contains zero, \"=0\" one that is exactly zero in every replication."
    ));
    scenario_section(&mut r, path, model);
    r.heading("Effects");
    for (name, rows) in tables {
        r.table(
            format!("Variant: {name}"),
            &[
                "KPI",
                "baseline",
                "variant",
                "effect",
                "± 95% CI",
                "verdict",
            ],
            rows,
        );
    }
    visuals.into_report(&mut r);
    r.to_html()
}

pub(crate) fn sweep_visuals(sweep: &Sweep, param: &str) -> Result<Visuals, Failure> {
    let mut v = Visuals::new();
    let points: Vec<BandPoint> = sweep
        .points
        .iter()
        .filter_map(|p| {
            Some(BandPoint {
                x: p.value,
                mean: p.estimate.mean?,
                half_width: p.estimate.half_width_95.unwrap_or(0.0),
            })
        })
        .collect();
    let target = sweep
        .target
        .map(|t| (format!("target {} {t}", sweep.kpi), t.limit()));
    v.push(
        "sweep",
        &format!(
            "{} against {param}: mean over replications with its 95% confidence band.",
            sweep.kpi
        ),
        charts::curve_with_band(
            &format!("{} as {param} varies", sweep.kpi),
            param,
            &sweep.kpi,
            &points,
            target,
        ),
    )?;
    Ok(v)
}

pub(crate) fn simple_report(
    title: &str,
    intro: &str,
    path: &Path,
    model: &Model,
    tables: Vec<Table<'_>>,
    visuals: Visuals,
) -> String {
    let mut r = HtmlReport::new(title);
    r.paragraph(intro);
    scenario_section(&mut r, path, model);
    r.heading("Results");
    for (caption, headers, rows) in tables {
        r.table(caption, &headers, rows);
    }
    visuals.into_report(&mut r);
    r.to_html()
}
