//! The planner KPIs: what a port planner reads first, each saying exactly
//! what it counts, read from the parts the model's [`ReportSpec`] names.
//!
//! - **Throughput at the exit.** `orders_exited_per_day` counts orders
//!   that completed the lead-time interval (left the zone) in the window;
//!   customs releases are `orders_released_per_day`, a separate KPI.
//! - **Cohort lead times.** Lead-time and clearance figures follow the
//!   orders that *started* the interval in the window until they finish
//!   it (with `simulation.drain_h`, after the window too). Orders still
//!   inside when the run stops count at their age so far, so the figures
//!   are lower bounds whenever `lead_time_still_inside_share` is above 0.
//! - **The peak day.** `peak_day_*` describe one calendar day: the
//!   report's `peak_day`, or each replication's busiest whole day by
//!   orders placed.

use super::kpi::{Reader, minutes, observed_days};
use crate::model::{Cohort, DaySummary, ReportSpec, RunSummary};
use crate::time::SimTime;

/// The planner KPI names for `spec`, in catalogue order.
///
/// - `orders_exited_per_day`: orders that left the zone (completed the
///   `lead_time` interval) in the window, per day;
/// - `orders_placed_per_day`: orders that started the `lead_time`
///   interval in the window (its cohort), per day;
/// - `orders_released_per_day`: completions of the `released` interval
///   per day;
/// - `lead_time_mean_h`, `lead_time_p50_h`, `lead_time_p95_h`,
///   `lead_time_p99_h`, `lead_time_within_24h_share`,
///   `lead_time_within_48h_share`: the lead-time cohort (every order
///   placed in the window, those still inside at their age so far; the
///   shares count those as not within);
/// - `lead_time_still_inside_share`: the share of the cohort still inside
///   when the run stopped (above 0, the lead-time figures are lower bounds);
/// - `clearance_mean_min`, `clearance_p95_min`: the clearance cohort;
///   `clearance_still_inside_share` as for the lead time;
/// - `backlog_at_start`, `backlog_at_end`: orders in the system as the
///   window opens and closes;
/// - `tax_collected_cny`: the CBEC tax assessed in the window, if the model
///   has a [`CbecTax`](crate::CbecTax): the sum over the orders that first
///   reach its milestone `at` in the window of dutiable value (with freight
///   and insurance) × rate (the composite CBEC rate, or the full
///   general-trade rate for a single-item order over the single limit).
///   Orders that never reach `at` are not counted: in the Hongqiao
///   scenarios (`at = "released"`, the 1210 release) it **excludes 9610
///   parcels**, which clear at the airport site, and exhibition and
///   general-trade flows;
/// - `utilization_<label>` per resource; `rejected_<cause>` and
///   `cancelled_<cause>`: orders that reached each cause's sink in the
///   window;
/// - per further lead time `<label>`: `<label>_per_day` (completions),
///   `<label>_p95_h` and `<label>_within_24h_share` (its cohort),
///   `<label>_still_inside_share`;
/// - the peak day: `peak_day_orders_placed`, `peak_day_orders_exited`,
///   `peak_day_backlog_at_end`, `peak_day_utilization_<label>` per
///   resource, `peak_backlog_clear_h` (hours from the end of the peak day
///   until the orders in the system first fall back to their pre-peak
///   level, the fewest at the window's opening or at a midnight before the
///   peak day, at whole hours; undefined if not within the window) and
///   `peak_backlog_cleared` (1 if they did, else 0: its mean is the share
///   of replications).
#[must_use]
pub fn planner_kpi_names(spec: &ReportSpec, with_tax: bool) -> Vec<String> {
    let mut names: Vec<String> = [
        "orders_exited_per_day",
        "orders_placed_per_day",
        "orders_released_per_day",
        "lead_time_mean_h",
        "lead_time_p50_h",
        "lead_time_p95_h",
        "lead_time_p99_h",
        "lead_time_within_24h_share",
        "lead_time_within_48h_share",
        "lead_time_still_inside_share",
        "clearance_mean_min",
        "clearance_p95_min",
        "clearance_still_inside_share",
        "backlog_at_start",
        "backlog_at_end",
    ]
    .map(String::from)
    .to_vec();
    if with_tax {
        names.push("tax_collected_cny".into());
    }
    names.extend(spec.utilization.keys().map(|l| format!("utilization_{l}")));
    names.extend(spec.rejects.keys().map(|l| format!("rejected_{l}")));
    names.extend(spec.cancellations.keys().map(|l| format!("cancelled_{l}")));
    for l in spec.lead_times.keys() {
        names.push(format!("{l}_per_day"));
        names.push(format!("{l}_p95_h"));
        names.push(format!("{l}_within_24h_share"));
        names.push(format!("{l}_still_inside_share"));
    }
    names.extend(
        [
            "peak_day_orders_placed",
            "peak_day_orders_exited",
            "peak_day_backlog_at_end",
        ]
        .map(String::from),
    );
    names.extend(
        spec.utilization
            .keys()
            .map(|l| format!("peak_day_utilization_{l}")),
    );
    names.push("peak_backlog_clear_h".into());
    names.push("peak_backlog_cleared".into());
    names
}

/// The daily planner KPIs for the window's `dates`, day by day:
/// `day.<date>.orders_placed`, `.orders_exited`, `.orders_released`,
/// `.backlog_at_end` (orders in the system at the day's end), and per
/// resource `.utilization_<label>` (busy over on-shift server-hours that
/// day) and `.at_<label>_at_end` (orders waiting or in service there at
/// the day's end: the backlog by stage).
#[must_use]
pub fn daily_kpi_names(spec: &ReportSpec, dates: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    for d in dates {
        for what in [
            "orders_placed",
            "orders_exited",
            "orders_released",
            "backlog_at_end",
        ] {
            names.push(format!("day.{d}.{what}"));
        }
        for l in spec.utilization.keys() {
            names.push(format!("day.{d}.utilization_{l}"));
        }
        for l in spec.utilization.keys() {
            names.push(format!("day.{d}.at_{l}_at_end"));
        }
    }
    names
}

/// Readers of [`daily_kpi_names`], in the same order.
pub(super) fn daily_entries(spec: &ReportSpec, dates: &[String]) -> Vec<(String, Reader)> {
    let names = daily_kpi_names(spec, dates);
    let mut readers: Vec<Reader> = Vec::with_capacity(names.len());
    let day = |r: &RunSummary, date: &str| r.days.iter().position(|d| d.date == date);
    for d in dates {
        for (interval, started) in [
            (spec.lead_time.clone(), true),
            (spec.lead_time.clone(), false),
            (spec.released.clone(), false),
        ] {
            let d = d.clone();
            readers.push(Box::new(move |r| {
                let (i, iv) = (day(r, &d)?, interval_index(r, &interval)?);
                let c = r.days[i].intervals.get(iv)?;
                Some(if started { c.started } else { c.completed } as f64)
            }));
        }
        let dd = d.clone();
        readers.push(Box::new(move |r| {
            Some(r.days[day(r, &dd)?].in_system_at_end as f64)
        }));
        for station in spec.utilization.values() {
            let (d, s) = (d.clone(), station.clone());
            readers.push(Box::new(move |r| {
                let k = r.stations.iter().position(|x| x.name == s)?;
                r.days[day(r, &d)?].stations.get(k)?.utilization()
            }));
        }
        for station in spec.utilization.values() {
            let (d, s) = (d.clone(), station.clone());
            readers.push(Box::new(move |r| {
                let k = r.stations.iter().position(|x| x.name == s)?;
                Some(f64::from(
                    r.days[day(r, &d)?].stations.get(k)?.in_station_at_end,
                ))
            }));
        }
    }
    debug_assert_eq!(names.len(), readers.len());
    names.into_iter().zip(readers).collect()
}

/// Warnings about results, from their estimates: a backlog that grew
/// through the run ([`growing_backlog`](super::growing_backlog)),
/// lead-time figures that are lower bounds because orders of the cohort
/// were still inside when the run stopped, orders larger than a credit
/// pool's whole balance (they pass without drawing), and quantiles that
/// need a comment ([`quantile_flags`]).
#[must_use]
pub fn result_flags(estimates: &[super::KpiEstimate]) -> Vec<String> {
    let mut flags: Vec<String> = super::growing_backlog(estimates).into_iter().collect();
    flags.extend(quantile_flags(estimates));
    for e in estimates {
        if let Some(pool) = e.name.strip_suffix(".oversize")
            && e.mean.is_some_and(|m| m > 0.0)
        {
            flags.push(format!(
                "{:.1} orders a replication on average drew more than the whole balance of pool {pool} and passed without drawing: size the pool (or its draw) so that no single order exceeds it",
                e.mean.unwrap_or(0.0)
            ));
        }
        let Some(what) = e.name.strip_suffix("_still_inside_share") else {
            continue;
        };
        if let Some(share) = e.mean.filter(|s| *s > 0.0) {
            let share = if share < 1e-4 {
                "fewer than 0.01%".to_string()
            } else {
                format!("{:.2}%", 100.0 * share)
            };
            let kpis = if what == "lead_time" {
                "the lead_time_* KPIs".to_string()
            } else {
                format!("the {what}_* KPIs")
            };
            flags.push(format!(
                "{share} of the orders that started {what} in the window were still inside when the run stopped: {kpis} count them at their age so far and are lower bounds (lengthen simulation.drain_h to measure them)"
            ));
        }
    }
    flags
}

/// Quantiles that would mislead without a comment, one flag per figure:
/// - a figure whose quantile is the same in every replication (two or
///   more) while its mean is not: it is pinned to a schedule (a
///   departure, a cut-off), or its replications differ by less than the
///   bucket of the histogram it is read from
///   ([`quantile_resolution`](super::quantile_resolution)); an interval of
///   ± 0 then says no spread could be measured. A constant duration (its
///   mean the same in every replication too, within the bucket) is what
///   it says, and is not flagged;
/// - a p95 below the mean of the same figure by more than that bucket:
///   more than 5% of the orders take far longer than the rest, and the
///   mean is theirs.
#[must_use]
pub fn quantile_flags(estimates: &[super::KpiEstimate]) -> Vec<String> {
    let mut flags = Vec::new();
    // Figures already flagged as pinned: `<head>_<unit>` of `<head>_pNN_<unit>`.
    let mut pinned: Vec<String> = Vec::new();
    for e in estimates {
        let Some(m) = e.mean.filter(|m| *m > 0.0) else {
            continue;
        };
        let Some(bucket) = super::quantile_resolution(&e.name, m) else {
            continue;
        };
        let Some((head, q, tail)) = ["_p50_", "_p90_", "_p95_", "_p99_"]
            .iter()
            .find_map(|q| e.name.split_once(q).map(|(h, t)| (h, *q, t)))
        else {
            continue;
        };
        let figure = format!("{head}_{tail}");
        let mean_name = format!("{head}_mean_{tail}");
        let mean = estimates.iter().find(|x| x.name == mean_name);
        let constant = mean.is_some_and(|x| {
            x.std_dev == Some(0.0) && x.mean.is_some_and(|avg| (avg - m).abs() <= bucket)
        });
        if e.n >= 2 && e.std_dev == Some(0.0) && !constant && !pinned.contains(&figure) {
            let unit = if tail == "h" { "h" } else { "min" };
            flags.push(format!(
                "{} is {m:.3} in all {} replications while its mean varies: it is pinned to a schedule (a departure or a cut-off), or the replications differ by less than the {bucket:.3} {unit} bucket of the histogram it is read from; its \u{b1} 0 says no spread could be measured",
                e.name, e.n
            ));
            pinned.push(figure);
        }
        if q != "_p95_" {
            continue;
        }
        if let Some(avg) = mean.and_then(|x| x.mean).filter(|avg| avg - m > bucket) {
            flags.push(format!(
                "{} ({m:.3}) is below {mean_name} ({avg:.3}): more than 5% of the orders take far longer than the rest and make the mean; read the p99 or the share over a target as well",
                e.name
            ));
        }
    }
    flags
}

/// The cohort of interval `name`.
fn cohort<'a>(r: &'a RunSummary, name: &str) -> Option<&'a Cohort> {
    Some(&r.interval(name)?.cohort)
}

/// Completions of an interval per observed day.
fn interval_per_day(r: &RunSummary, name: &str) -> Option<f64> {
    Some(r.interval(name)?.duration.count() as f64 / observed_days(r)?)
}

/// The position of interval `name` among the run's intervals.
fn interval_index(r: &RunSummary, name: &str) -> Option<usize> {
    r.intervals.iter().position(|i| i.name == name)
}

/// The peak day of run `r`: the named date, or the whole day with the
/// most starts of interval `placed` (the first of equals). With its index.
pub(crate) fn peak_day<'a>(
    r: &'a RunSummary,
    spec: &ReportSpec,
    placed: usize,
) -> Option<(usize, &'a DaySummary)> {
    if let Some(day) = spec.peak_day {
        let date = day.0.to_string();
        return r.days.iter().enumerate().find(|(_, d)| d.date == date);
    }
    let whole = |d: &&DaySummary| (d.to - d.from).hours() >= 24.0 - 1e-9;
    let any_whole = r.days.iter().any(|d| whole(&d));
    r.days
        .iter()
        .enumerate()
        .filter(|(_, d)| !any_whole || whole(d))
        .rev()
        .max_by_key(|(_, d)| d.intervals.get(placed).map_or(0, |c| c.started))
}

/// Hours from the end of day `i` until the orders in the system first fall
/// back to their pre-peak level (at whole hours, within the window): the
/// fewest in the system at the window's opening or at any midnight before
/// day `i` (a wave that opens the evening before the peak day leaves the
/// peak day's own start already high).
fn clear_hours(r: &RunSummary, i: usize) -> Option<f64> {
    let day = &r.days[i];
    let level = r.days[..i]
        .iter()
        .map(|d| d.in_system_at_end)
        .fold(r.network.in_system_at_start, u64::min);
    r.hourly
        .times
        .iter()
        .zip(&r.hourly.in_system)
        .find(|(t, n)| **t >= day.to && **n <= level)
        .map(|(t, _)| (*t - day.to).hours())
}

pub(super) fn planner_entries(spec: &ReportSpec, example: &RunSummary) -> Vec<(String, Reader)> {
    let names = planner_kpi_names(spec, example.tax.is_some());
    let mut readers: Vec<Reader> = Vec::with_capacity(names.len());
    let (released, lead, clearance) = (
        spec.released.clone(),
        spec.lead_time.clone(),
        spec.clearance.clone(),
    );
    let l = lead.clone();
    readers.push(Box::new(move |r| interval_per_day(r, &l)));
    let l = lead.clone();
    readers.push(Box::new(move |r| {
        Some(cohort(r, &l)?.started as f64 / observed_days(r)?)
    }));
    readers.push(Box::new(move |r| interval_per_day(r, &released)));
    let l = lead.clone();
    readers.push(Box::new(move |r| Some(cohort(r, &l)?.mean()? / 3600.0)));
    for q in [0.5, 0.95, 0.99] {
        let l = lead.clone();
        readers.push(Box::new(move |r| Some(cohort(r, &l)?.quantile(q)?.hours())));
    }
    for h in [24.0, 48.0] {
        let l = lead.clone();
        readers.push(Box::new(move |r| {
            cohort(r, &l)?.share_within(SimTime::from_hours(h))
        }));
    }
    let l = lead.clone();
    readers.push(Box::new(move |r| cohort(r, &l)?.inside_share()));
    let c = clearance.clone();
    readers.push(Box::new(move |r| minutes(cohort(r, &c)?.mean())));
    let c = clearance.clone();
    readers.push(Box::new(move |r| {
        Some(cohort(r, &c)?.quantile(0.95)?.minutes())
    }));
    readers.push(Box::new(move |r| cohort(r, &clearance)?.inside_share()));
    readers.push(Box::new(|r| Some(r.network.in_system_at_start as f64)));
    readers.push(Box::new(|r| Some(r.conservation.in_system as f64)));
    if example.tax.is_some() {
        readers.push(Box::new(|r| Some(r.tax?.total_cny)));
    }
    for station in spec.utilization.values() {
        let s = station.clone();
        readers.push(Box::new(move |r| r.station(&s)?.utilization()));
    }
    for sink in spec.rejects.values().chain(spec.cancellations.values()) {
        let k = sink.clone();
        readers.push(Box::new(move |r| Some(r.sink(&k)?.count as f64)));
    }
    for interval in spec.lead_times.values() {
        let (a, b, c) = (interval.clone(), interval.clone(), interval.clone());
        readers.push(Box::new(move |r| interval_per_day(r, &a)));
        readers.push(Box::new(move |r| {
            Some(cohort(r, &b)?.quantile(0.95)?.hours())
        }));
        readers.push(Box::new(move |r| {
            cohort(r, &c)?.share_within(SimTime::from_hours(24.0))
        }));
        let d = interval.clone();
        readers.push(Box::new(move |r| cohort(r, &d)?.inside_share()));
    }
    // The peak day: each reader finds it again (a few days to scan).
    let peak = |spec: &ReportSpec, lead: &str| {
        let (spec, lead) = (spec.clone(), lead.to_string());
        move |r: &RunSummary| -> Option<(usize, usize)> {
            let placed = interval_index(r, &lead)?;
            let (i, _) = peak_day(r, &spec, placed)?;
            Some((i, placed))
        }
    };
    let p = peak(spec, &lead);
    readers.push(Box::new(move |r| {
        let (i, iv) = p(r)?;
        Some(r.days[i].intervals[iv].started as f64)
    }));
    let p = peak(spec, &lead);
    readers.push(Box::new(move |r| {
        let (i, iv) = p(r)?;
        Some(r.days[i].intervals[iv].completed as f64)
    }));
    let p = peak(spec, &lead);
    readers.push(Box::new(move |r| {
        let (i, _) = p(r)?;
        Some(r.days[i].in_system_at_end as f64)
    }));
    for station in spec.utilization.values() {
        let (p, s) = (peak(spec, &lead), station.clone());
        readers.push(Box::new(move |r| {
            let (i, _) = p(r)?;
            let k = r.stations.iter().position(|x| x.name == s)?;
            r.days[i].stations.get(k)?.utilization()
        }));
    }
    let p = peak(spec, &lead);
    readers.push(Box::new(move |r| clear_hours(r, p(r)?.0)));
    let p = peak(spec, &lead);
    readers.push(Box::new(move |r| {
        let (i, _) = p(r)?;
        Some(if clear_hours(r, i).is_some() {
            1.0
        } else {
            0.0
        })
    }));
    debug_assert_eq!(names.len(), readers.len());
    names.into_iter().zip(readers).collect()
}
