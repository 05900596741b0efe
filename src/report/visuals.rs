//! Which charts each command draws: the lead-time distribution, queues
//! over time at the key stations (on calendar dates), utilisation in the
//! baseline and every variant, effects with their intervals, a sweep's
//! curve with its band and target. The first chart of each command is the
//! one its report's summary shows. The HTML reports around them are in
//! [`pages`](super::pages). Behind the `report` feature.

use crate::error::Result;
use crate::experiment::{Difference, KpiEstimate};
use crate::model::RunSummary;
use crate::report::chart_data::{ChartData, QueueSums, cdf_series};
use crate::report::charts::{self, BandPoint, Bar, Series};
use crate::report::document::{
    CapacityReport, FactorialKpi, RobustnessReport, SensitivityReport, SweepReport,
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
}

/// The x-axis of queues over time: its description, and the calendar
/// labels when `data` knows the model's calendar.
fn time_axis(data: &ChartData) -> (String, Vec<charts::Tick>) {
    data.time_axis().unwrap_or_else(|| {
        (
            "time from the opening of the observed window (hours)".to_string(),
            Vec::new(),
        )
    })
}

/// Utilisation by key station in each of `groups` (name, data), with
/// 95% intervals: the stations are the first group's.
fn utilization_chart(title: &str, groups: &[(&str, &ChartData)]) -> Result<String> {
    let stations: Vec<String> = groups
        .first()
        .map(|(_, d)| d.utilization_bars().into_iter().map(|b| b.label).collect())
        .unwrap_or_default();
    let bars: Vec<(String, Vec<Option<Bar>>)> = groups
        .iter()
        .map(|(name, data)| {
            let mut bars = data.utilization_bars();
            let row = stations
                .iter()
                .map(|s| {
                    let i = bars.iter().position(|b| &b.label == s)?;
                    Some(bars.swap_remove(i))
                })
                .collect();
            (name.to_string(), row)
        })
        .collect();
    charts::grouped_bars(title, "utilisation (busy / on duty)", &stations, &bars)
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

/// A KPI's name in words, lower case, and the axis description of a
/// change in it, with its unit (shares change in percentage points).
fn in_words(kpi: &str) -> (String, String) {
    let (label, unit, scale) = crate::report::summary::kpi_words(kpi);
    let axis = match (scale == 100.0, unit.is_empty()) {
        (true, _) => "change (percentage points)".to_string(),
        (false, true) => "change".to_string(),
        (false, false) => format!("change ({unit})"),
    };
    (label.to_lowercase(), axis)
}

/// Effects on `kpi` in the units of [`in_words`] (shares times 100).
fn scaled(kpi: &str, bars: Vec<Bar>) -> Vec<Bar> {
    let (_, _, scale) = crate::report::summary::kpi_words(kpi);
    bars.into_iter()
        .map(|b| Bar {
            value: b.value * scale,
            half_width: b.half_width.map(|h| h * scale),
            ..b
        })
        .collect()
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
        let (axis, ticks) = time_axis(data);
        v.push(
            "queues_over_time",
            "Orders waiting at each key station, averaged over replications at each sample time.",
            charts::lines_on(
                "Queue length over time",
                &axis,
                "orders waiting",
                &queues,
                &ticks,
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
            charts::lines_on(
                "Orders per day",
                "day of the observed window",
                "orders",
                &daily,
                &data.day_ticks(),
            ),
        )?;
    }
    v.push(
        "utilization",
        "Share of the servers on duty kept busy, with 95% confidence intervals.",
        utilization_chart("Utilisation by resource", &[("this scenario", data)]),
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
    let names: Vec<&str> = headline.iter().map(String::as_str).collect();
    for (i, kpi) in crate::report::summary::headline(&names)
        .into_iter()
        .take(4)
        .enumerate()
    {
        let bars = effect_bars(variants.iter().filter_map(|(name, _, diffs)| {
            let d = diffs.iter().find(|d| d.name == kpi)?;
            Some((name.clone(), &d.effect))
        }));
        v.push(
            &format!("effect_{i}_{kpi}"),
            &format!("Effect of each variant on {kpi} (variant − baseline, paired replications), with 95% confidence intervals."),
            {
                let (label, unit) = in_words(kpi);
                charts::bars(&format!("Effect on {label}"), &unit, &scaled(kpi, bars))
            },
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
            {
                let (axis, ticks) = time_axis(baseline);
                charts::lines_on(&format!("Queue at {label} over time"), &axis, "orders waiting", &lines, &ticks)
            },
        )?;
    }
    let groups: Vec<(&str, &ChartData)> = std::iter::once(("baseline", baseline))
        .chain(variants.iter().map(|(name, data, _)| (name.as_str(), data)))
        .collect();
    v.push(
        "utilization",
        "Share of the servers on duty kept busy in the baseline and each variant, with 95% confidence intervals.",
        utilization_chart("Utilisation by resource", &groups),
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
        {
            let (label, unit, scale) = crate::report::summary::kpi_words(&sweep.kpi);
            let unit = if scale == 100.0 {
                "share, 0 to 1"
            } else {
                unit
            };
            let y = if unit.is_empty() {
                label.clone()
            } else {
                format!("{label} ({unit})")
            };
            charts::curve_with_band(
                &format!("{label} as {param} varies"),
                param,
                &y,
                &points,
                target,
            )
        },
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
                {
                    let (label, axis) = in_words(&e.kpi);
                    let (_, _, scale) = crate::report::summary::kpi_words(&e.kpi);
                    let points = points.into_iter().map(|(x, y)| (x, y * scale)).collect();
                    charts::scatter(
                        &format!("{}: effect on {label}", variant.variant),
                        &driver.factor,
                        &axis,
                        &[Series::new(variant.variant.clone(), points)],
                    )
                },
            )?;
        }
    }
    Ok(v)
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
            {
                let (label, unit) = in_words(&f.kpi);
                charts::bars(&format!("Effects on {label}"), &unit, &scaled(&f.kpi, bars))
            },
        )?;
    }
    Ok(v)
}
