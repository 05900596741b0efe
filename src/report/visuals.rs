//! Which charts each command draws, and the HTML report around them: the
//! lead-time distribution, queues over time at the key stations,
//! utilisation, effects with their intervals, a sweep's curve with its
//! band. Behind the `report` feature.

use crate::error::Result;
use crate::experiment::{Difference, KpiEstimate};
use crate::model::{Model, RunSummary};
use crate::report::HtmlReport;
use crate::report::chart_data::{ChartData, QueueSums, cdf_series};
use crate::report::charts::{self, BandPoint, Bar, Series};
use crate::report::describe::{LOAD_HEADERS, load_table};
use crate::report::document::{
    CONFIRM_HEADERS, CapacityReport, CompareReport, EFFECT_HEADERS, FACTORIAL_HEADERS,
    FactorialKpi, FactorialReport, MORRIS_HEADERS, PLAN_HEADERS, ROBUSTNESS_HEADERS,
    RobustnessReport, RunReport, SensitivityReport, SweepReport,
};
use crate::stats::DurationHistogram;

/// Charts as (file stem, SVG), each with a caption.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Visuals {
    /// (file stem, SVG document), in order.
    pub charts: Vec<(String, String)>,
    /// One caption per chart.
    pub captions: Vec<String>,
}

impl Visuals {
    /// No charts yet.
    #[must_use]
    pub fn new() -> Self {
        Visuals::default()
    }

    /// Adds a chart called `name` (its file stem) with a caption.
    ///
    /// # Errors
    /// The chart's error, if it could not be drawn.
    pub fn push(&mut self, name: &str, caption: &str, svg: Result<String>) -> Result<()> {
        self.charts.push((name.to_string(), svg?));
        self.captions.push(caption.to_string());
        Ok(())
    }

    /// Adds the charts to `report` under a "Charts" heading.
    fn into_report(self, report: &mut HtmlReport) {
        report.heading("Charts");
        for ((_, svg), caption) in self.charts.into_iter().zip(self.captions) {
            report.chart(caption, svg);
        }
    }
}

/// The distribution of interval `interval` over every order of every run,
/// as CDF points (hours, share at or below), for [`charts::lines`].
/// Empty if no run has the interval. [`ChartData`] folds the same
/// histogram one run at a time.
#[must_use]
pub fn interval_cdf(label: &str, runs: &[RunSummary], interval: &str) -> Series {
    let mut pooled = DurationHistogram::new();
    for r in runs {
        if let Some(iv) = r.interval(interval) {
            pooled.merge(&iv.duration_hist);
        }
    }
    cdf_series(label, &pooled)
}

/// The queue length at `station` over time, averaged over runs at each
/// sample time (hours from the start), for [`charts::lines`]. Empty if the
/// runs were not sampled (`sample_every_min`) or have no such station.
/// [`ChartData`] folds the same sums one run at a time.
#[must_use]
pub fn mean_queue_series(label: &str, runs: &[RunSummary], station: &str) -> Series {
    let mut sums = QueueSums::new(station);
    for r in runs {
        sums.add(r);
    }
    sums.series(label)
}

fn lead_time_axis(data: &ChartData) -> &'static str {
    if data.lead_is_interval() {
        "lead time, order placed to leaving the zone (hours)"
    } else {
        "time in system (hours)"
    }
}

/// Bars of effects with their half-widths; effects without a mean are left out.
fn effect_bars<'a>(effects: impl Iterator<Item = (String, &'a KpiEstimate)>) -> Vec<Bar> {
    effects
        .filter_map(|(label, e)| {
            Some(Bar {
                label,
                value: e.mean?,
                half_width: e.half_width_95,
            })
        })
        .collect()
}

/// The charts of a run, from its replications folded into `data`:
/// lead-time CDF, queues over time at the key stations (if sampled),
/// utilisation.
///
/// # Errors
/// A chart that could not be drawn.
pub fn run_visuals(data: &ChartData) -> Result<Visuals> {
    let mut v = Visuals::new();
    v.push(
        "lead_time_cdf",
        "Share of orders out within a given time, pooled over replications.",
        charts::lines(
            "Lead-time distribution",
            lead_time_axis(data),
            "share of orders (cumulative)",
            &[data.lead_time("this scenario")],
        ),
    )?;
    let queues: Vec<Series> = data
        .stations()
        .map(|(label, station)| data.mean_queue(label, station))
        .filter(|s| !s.points.is_empty())
        .collect();
    if !queues.is_empty() {
        v.push(
            "queues_over_time",
            "Orders waiting at each key station, averaged over replications at each sample time.",
            charts::lines(
                "Queue length over time",
                "time from the opening of the observed window (hours)",
                "orders waiting",
                &queues,
            ),
        )?;
    }
    let (daily, dates) = data.daily();
    if !daily.is_empty() {
        v.push(
            "daily",
            &format!(
                "Orders per day of the observed window, averaged over replications: day 1 is {}, day {} is {}.",
                dates[0],
                dates.len(),
                dates[dates.len() - 1]
            ),
            charts::lines(
                "Orders per day",
                "day of the observed window",
                "orders",
                &daily,
            ),
        )?;
    }
    v.push(
        "utilization",
        "Share of the servers on duty kept busy, with 95% confidence intervals.",
        charts::bars(
            "Utilisation by resource",
            "utilisation (busy / on duty)",
            &data.utilization_bars(),
        ),
    )?;
    Ok(v)
}

/// The charts of a comparison: lead-time CDFs, effects with intervals on
/// the first four `headline` KPIs, queues at the busiest key station,
/// utilisation. `variants` are (name, replications folded, differences);
/// every [`ChartData`] is made for the baseline's scenario.
///
/// # Errors
/// A chart that could not be drawn.
pub fn compare_visuals(
    baseline: &ChartData,
    variants: &[(String, ChartData, Vec<Difference>)],
    headline: &[String],
) -> Result<Visuals> {
    let mut v = Visuals::new();
    let mut cdfs = vec![baseline.lead_time("baseline")];
    cdfs.extend(variants.iter().map(|(name, data, _)| data.lead_time(name)));
    v.push(
        "lead_time_cdf",
        "Share of orders out within a given time, baseline and each variant, pooled over replications.",
        charts::lines("Lead-time distribution", lead_time_axis(baseline), "share of orders (cumulative)", &cdfs),
    )?;
    for (i, kpi) in headline.iter().take(4).enumerate() {
        let bars = effect_bars(variants.iter().filter_map(|(name, _, diffs)| {
            let d = diffs.iter().find(|d| &d.name == kpi)?;
            Some((name.clone(), &d.effect))
        }));
        v.push(
            &format!("effect_{i}_{kpi}"),
            &format!("Effect of each variant on {kpi} (variant − baseline, paired replications), with 95% confidence intervals."),
            charts::bars(&format!("Effect on {kpi}"), &format!("change in {kpi}"), &bars),
        )?;
    }
    // The key station with the longest mean queue in the baseline.
    let busiest = baseline
        .stations()
        .map(|(label, station)| {
            let s = baseline.mean_queue(label, station);
            let mean = s.points.iter().map(|p| p.1).sum::<f64>() / s.points.len().max(1) as f64;
            (mean, label, station)
        })
        .filter(|x| x.0 > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, label, station)) = busiest {
        let mut lines = vec![baseline.mean_queue("baseline", station)];
        lines.extend(
            variants
                .iter()
                .map(|(name, data, _)| data.mean_queue(name, station)),
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
            &baseline.utilization_bars(),
        ),
    )?;
    Ok(v)
}

/// The chart of a sweep: the KPI against the parameter with its 95% band
/// and the target line.
///
/// # Errors
/// A chart that could not be drawn.
pub fn sweep_visuals(doc: &SweepReport) -> Result<Visuals> {
    let (sweep, param) = (&doc.sweep, &doc.param);
    let mut v = Visuals::new();
    let points: Vec<BandPoint> = sweep
        .points
        .iter()
        .filter_map(|p| {
            Some(BandPoint {
                x: p.value,
                mean: p.estimate.kpi.mean?,
                half_width: p.estimate.kpi.half_width_95.unwrap_or(0.0),
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

/// The tornado charts of a sensitivity study: each KPI's factors by
/// `mu*` with their intervals (the first `limit` factors).
///
/// # Errors
/// A chart that could not be drawn.
pub fn sensitivity_visuals(doc: &SensitivityReport, limit: usize) -> Result<Visuals> {
    let mut v = Visuals::new();
    for (i, k) in doc.study.kpis.iter().enumerate() {
        let bars: Vec<Bar> = k
            .morris
            .iter()
            .take(limit)
            .map(|r| Bar {
                label: r.factor.clone(),
                value: r.index.mu_star,
                half_width: Some(r.index.mu_star_half_width),
            })
            .collect();
        v.push(
            &format!("tornado_{i}_{}", k.kpi),
            &format!(
                "What drives {}: mean absolute change over each assumption's whole range (Morris mu*), with 95% bootstrap intervals; noise alone gives about {:.3}.",
                k.kpi, k.noise_mu_star
            ),
            charts::tornado(
                &format!("What drives {}", k.kpi),
                &format!("mu*: change in {} over the range", k.kpi),
                &bars,
            ),
        )?;
    }
    Ok(v)
}

/// The HTML report of a sensitivity study: the network, each KPI's
/// ranking, the tornado charts.
#[must_use]
pub fn sensitivity_html(
    doc: &SensitivityReport,
    model: &Model,
    limit: usize,
    visuals: Visuals,
) -> String {
    report_with(
        format!("cbec-sim sensitivity: {}", doc.scenario),
        format!("{}{}", partial_note(doc.partial), doc.intro()),
        &doc.scenario,
        model,
        "What drives each KPI",
        doc.study
            .kpis
            .iter()
            .map(|k| {
                (
                    SensitivityReport::kpi_line(k),
                    MORRIS_HEADERS.to_vec(),
                    SensitivityReport::rows(k, limit),
                )
            })
            .collect(),
        visuals,
    )
}

/// The charts of a robustness study: for each variant and the first
/// four KPIs, the effect at each draw against the value of the
/// assumption it follows most.
///
/// # Errors
/// A chart that could not be drawn.
pub fn robustness_visuals(doc: &RobustnessReport) -> Result<Visuals> {
    let mut v = Visuals::new();
    let study = &doc.study;
    for (vi, variant) in study.variants.iter().enumerate() {
        for (ki, e) in variant.kpis.iter().take(4).enumerate() {
            let Some(driver) = e.drivers.first() else {
                continue;
            };
            let Some(f) = study.factors.iter().position(|x| *x == driver.factor) else {
                continue;
            };
            let points: Vec<(f64, f64)> = study
                .values
                .iter()
                .zip(&e.effects)
                .filter(|(_, y)| y.is_finite())
                .map(|(x, y)| (x[f], *y))
                .collect();
            v.push(
                &format!("robustness_{vi}_{ki}_{}", e.kpi),
                &format!(
                    "Effect of {} on {} at each assumption draw, against {} (rank correlation {:+.2}); the other assumptions vary too.",
                    variant.variant, e.kpi, driver.factor, driver.rank_correlation
                ),
                charts::scatter(
                    &format!("{}: effect on {}", variant.variant, e.kpi),
                    &driver.factor,
                    &format!("effect on {}", e.kpi),
                    &[Series::new(variant.variant.clone(), points)],
                ),
            )?;
        }
    }
    Ok(v)
}

/// The HTML report of a robustness study: the network, each variant's
/// table, the charts.
#[must_use]
pub fn robustness_html(doc: &RobustnessReport, model: &Model, visuals: Visuals) -> String {
    report_with(
        format!("cbec-sim robustness: {}", doc.scenario),
        format!("{}{}", partial_note(doc.partial), doc.intro()),
        &doc.scenario,
        model,
        "How each effect holds across the assumptions",
        doc.study
            .variants
            .iter()
            .map(|v| {
                let t = RobustnessReport::table(v);
                (
                    v.variant.clone(),
                    ROBUSTNESS_HEADERS.to_vec(),
                    t.into_rows(),
                )
            })
            .collect(),
        visuals,
    )
}

/// The chart of a capacity search: each plan evaluated, its cost against
/// the smallest share of replications meeting a target, with the required
/// share as a line.
///
/// # Errors
/// A chart that could not be drawn.
pub fn capacity_visuals(doc: &CapacityReport) -> Result<Visuals> {
    let s = &doc.search;
    let share = |p: &crate::experiment::PlanResult| {
        p.targets
            .iter()
            .map(crate::experiment::TargetResult::share)
            .fold(1.0f64, f64::min)
    };
    let (ok, not): (Vec<_>, Vec<_>) = s.evaluated.iter().partition(|p| p.feasible);
    let points =
        |v: &[&crate::experiment::PlanResult]| v.iter().map(|p| (p.cost, share(p))).collect();
    let mut v = Visuals::new();
    v.push(
        "capacity_search",
        &format!(
            "Every plan the search ran: its cost against the smallest share of the {} replications meeting a target; the targets hold at {:.0}% or more.",
            doc.setup.replications.len(),
            100.0 * s.probability
        ),
        charts::scatter(
            "Capacity search: cost against the share of replications meeting the targets",
            "cost of the plan",
            "smallest share meeting a target",
            &[
                Series::new("meets the targets", points(&ok)),
                Series::new("misses a target", points(&not)),
            ],
        ),
    )?;
    Ok(v)
}

/// The HTML report of a capacity search: the network, the plan, the
/// confirmation, the chart.
#[must_use]
pub fn capacity_html(doc: &CapacityReport, model: &Model, visuals: Visuals) -> String {
    report_with(
        format!("cbec-sim capacity: {}", doc.scenario),
        format!("{}{}", partial_note(doc.partial), doc.intro()),
        &doc.scenario,
        model,
        "The plan",
        vec![
            (
                "Units of each resource".to_string(),
                PLAN_HEADERS.to_vec(),
                doc.plan_rows(),
            ),
            (
                "The plan and each plan one unit cheaper, on fresh replications".to_string(),
                CONFIRM_HEADERS.to_vec(),
                doc.confirmation_rows(),
            ),
        ],
        visuals,
    )
}

/// The charts of a factorial design: effects with intervals on the first
/// four KPIs `shown`.
///
/// # Errors
/// A chart that could not be drawn.
pub fn factorial_visuals(shown: &[&FactorialKpi]) -> Result<Visuals> {
    let mut v = Visuals::new();
    for (i, f) in shown.iter().take(4).enumerate() {
        let bars = effect_bars(
            f.main
                .iter()
                .chain(&f.interactions)
                .map(|e| (e.factors.join(" x "), &e.estimate.kpi)),
        );
        v.push(
            &format!("factorial_{i}_{}", f.kpi),
            &format!(
                "Main effects and two-factor interactions on {}, with 95% confidence intervals.",
                f.kpi
            ),
            charts::bars(
                &format!("Effects on {}", f.kpi),
                &format!("change in {}", f.kpi),
                &bars,
            ),
        )?;
    }
    Ok(v)
}

/// The report's scenario section: the file and the network's load table.
fn scenario_section(report: &mut HtmlReport, scenario: &str, model: &Model) {
    report.heading("Scenario");
    report.paragraph(format!("Scenario file: {scenario}."));
    report.table(
        "The network and the load its inputs offer (router rules not followed)",
        &LOAD_HEADERS,
        load_table(model).into_rows(),
    );
}

/// A table of a report: caption, column names, rows.
type Captioned<'a> = (String, Vec<&'a str>, Vec<Vec<String>>);

/// A report with a title, an introduction, the scenario section, result
/// tables (caption, table) and the charts.
fn report_with(
    title: String,
    intro: String,
    scenario: &str,
    model: &Model,
    results: &str,
    tables: Vec<Captioned<'_>>,
    visuals: Visuals,
) -> String {
    let mut r = HtmlReport::new(title);
    r.paragraph(intro);
    scenario_section(&mut r, scenario, model);
    r.heading(results);
    for (caption, headers, rows) in tables {
        r.table(caption, &headers, rows);
    }
    visuals.into_report(&mut r);
    r.to_html()
}

/// The opening words of a partial report's introduction.
fn partial_note(partial: bool) -> &'static str {
    if partial {
        "PARTIAL RESULTS: interrupted before every replication finished; only those finished are included. "
    } else {
        ""
    }
}

/// The HTML report of a run of `model`: the network, every KPI, the charts.
#[must_use]
pub fn run_html(doc: &RunReport, model: &Model, visuals: Visuals) -> String {
    let scenario = doc.scenario.as_deref().unwrap_or("-");
    let table = doc.table(None);
    report_with(
        format!("cbec-sim: {scenario}"),
        format!(
            "{}Replications {}..{} with seed {}{}. Each interval is the 95% confidence interval of the mean over replications: had the study been repeated with other seeds, 95 in 100 such intervals would contain the true mean of this model.",
            partial_note(doc.partial),
            doc.replications.start(),
            doc.replications.end(),
            doc.seed,
            if doc.measures.is_empty() {
                String::new()
            } else {
                format!(", measures {}", doc.measures.join(" + "))
            }
        ),
        scenario,
        model,
        "Results",
        vec![(
            "KPIs over replications".to_string(),
            table.headers(),
            table.rows().to_vec(),
        )],
        visuals,
    )
}

/// The HTML report of a comparison: the baseline network, one effects
/// table per variant for the KPIs `shown`, the charts.
#[must_use]
pub fn compare_html(
    doc: &CompareReport,
    shown: &[String],
    model: &Model,
    visuals: Visuals,
) -> String {
    report_with(
        format!("cbec-sim compare: {}", doc.scenario),
        format!(
            "{}{}Replications 0..{} with seed {}; every variant runs the same replications on the same random streams (common random numbers). An effect is variant − baseline, paired replication by replication, with its 95% confidence interval; \"~0\" marks an effect whose interval contains zero, \"=0\" one that is exactly zero in every replication.",
            partial_note(doc.partial),
            crate::report::document::warnings_first(&doc.flags),
            doc.replications,
            doc.seed
        ),
        &doc.scenario,
        model,
        "Effects",
        doc.variants
            .iter()
            .map(|v| {
                (
                    format!("Variant: {}", v.name),
                    EFFECT_HEADERS.to_vec(),
                    v.rows(shown),
                )
            })
            .collect(),
        visuals,
    )
}

/// The HTML report of a sweep: the network, the curve's table, the chart.
#[must_use]
pub fn sweep_html(doc: &SweepReport, model: &Model, visuals: Visuals) -> String {
    let table = doc.table();
    report_with(
        format!("cbec-sim sweep: {}", doc.scenario),
        format!("{}{}", partial_note(doc.partial), doc.intro()),
        &doc.scenario,
        model,
        "Results",
        vec![(
            format!("{} at each value of {}", doc.sweep.kpi, doc.param),
            table.headers(),
            table.rows().to_vec(),
        )],
        visuals,
    )
}

/// The HTML report of a factorial design: the network, the effects on each
/// KPI `shown`, the charts.
#[must_use]
pub fn factorial_html(
    doc: &FactorialReport,
    shown: &[&FactorialKpi],
    model: &Model,
    visuals: Visuals,
) -> String {
    report_with(
        format!("cbec-sim factorial: {}", doc.scenario),
        doc.intro(),
        &doc.scenario,
        model,
        "Results",
        shown
            .iter()
            .map(|f| {
                (
                    format!("Effects on {}", f.kpi),
                    FACTORIAL_HEADERS.to_vec(),
                    f.rows(),
                )
            })
            .collect(),
        visuals,
    )
}
