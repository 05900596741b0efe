//! The first screen of a report, what a manager reads in a minute: the
//! question asked (scenario, dates simulated, variants and what each
//! changes) and the headline KPIs in words and readable numbers.

use crate::experiment::KpiEstimate;
use crate::report::document::{CompareReport, Setup};
use crate::report::table::readable;

/// The KPIs a summary shows, in this order, when the results have them:
/// the planner KPIs a manager asks about first.
const HEADLINE: [&str; 6] = [
    "orders_released_per_day",
    "lead_time_mean_h",
    "lead_time_p95_h",
    "lead_time_within_24h_share",
    "backlog_at_end",
    "tax_collected_cny",
];

/// The network's KPIs a summary falls back on without planner KPIs.
const NETWORK: [&str; 3] = [
    "network.time_in_system_mean_min",
    "network.time_in_system_p95_min",
    "network.in_system_mean",
];

/// At most 6 headline KPIs among `available`: the planner KPIs of
/// [`HEADLINE`], else the network's time in system and the utilisation
/// of the stations, else the first of `available`.
pub(crate) fn headline<'a>(available: &[&'a str]) -> Vec<&'a str> {
    let pick = |names: &[&str]| -> Vec<&'a str> {
        names
            .iter()
            .filter_map(|n| available.iter().find(|a| *a == n).copied())
            .collect()
    };
    let planner = pick(&HEADLINE);
    if !planner.is_empty() {
        return planner;
    }
    let mut network = pick(&NETWORK);
    network.extend(available.iter().filter(|a| a.ends_with(".utilization")));
    if network.is_empty() {
        network = available.to_vec();
    }
    network.truncate(6);
    network
}

/// A KPI in words: a label, its unit in words, and the factor its values
/// are shown multiplied by (100 for shares, shown as percentages).
///
/// ```text
/// lead_time_p95_h             -> "Lead time, 95th percentile", "hours"
/// lead_time_within_24h_share  -> "Lead time within 24h", "% of orders", 100
/// desk.utilization            -> "Desk: utilisation", "% of time busy", 100
/// ```
pub(crate) fn kpi_words(name: &str) -> (String, &'static str, f64) {
    let stem = ["_share", "_per_day", "_per_hour", "_h", "_min", "_cny"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .filter(|_| !(name.ends_with("utilization") || name.contains("utilization_")))
        .unwrap_or(name);
    let (unit, scale) = match crate::experiment::kpi_unit(name) {
        "share of orders" => ("% of orders", 100.0),
        "share of time busy" => ("% of time busy", 100.0),
        other => (other, 1.0),
    };
    let mut words = stem
        .replace('.', ": ")
        .replace("utilization", "utilisation")
        .replace('_', " ");
    for (short, long) in [
        (" p50", ", median"),
        (" p90", ", 90th percentile"),
        (" p95", ", 95th percentile"),
        (" p99", ", 99th percentile"),
        (" mean", ", mean"),
    ] {
        words = words.replace(short, long);
    }
    let mut c = words.chars();
    let label = c
        .next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect());
    (label, unit, scale)
}

/// A value of KPI `name` as the summary shows it (`71.6%`, `20,306`).
pub(crate) fn value(name: &str, v: Option<f64>) -> String {
    let (_, _, scale) = kpi_words(name);
    let text = readable(v.map(|x| x * scale));
    if scale == 100.0 && text != "-" {
        format!("{text}%")
    } else {
        text
    }
}

/// A change of KPI `name` with its sign (`+3`, `-0.0079`); a share's in
/// percentage points (`-30.8 pp`).
fn change(name: &str, v: Option<f64>) -> String {
    let (_, _, scale) = kpi_words(name);
    let text = readable(v.map(|x| x * scale));
    let text = match v {
        Some(x) if x > 0.0 && text != "0" => format!("+{text}"),
        _ => text,
    };
    if scale == 100.0 && text != "-" {
        format!("{text} pp")
    } else {
        text
    }
}

/// What an effect's verdict means, in words.
fn verdict_words(verdict: &str) -> &'static str {
    match verdict {
        "up" => "higher",
        "down" => "lower",
        "=0" => "no change",
        _ => "no clear change",
    }
}

/// The headline table of a run: the KPI in words, its unit, the estimate
/// and the range within which the mean lies with 95% confidence.
pub(crate) fn run_rows(kpis: &[KpiEstimate]) -> Vec<Vec<String>> {
    let available: Vec<&str> = kpis.iter().map(|k| k.name.as_str()).collect();
    headline(&available)
        .into_iter()
        .filter_map(|name| kpis.iter().find(|k| k.name == name))
        .map(|k| {
            let (label, unit, _) = kpi_words(&k.name);
            let range = match (k.mean, k.half_width_95) {
                (Some(m), Some(h)) => format!(
                    "{} to {}",
                    value(&k.name, Some(m - h)),
                    value(&k.name, Some(m + h))
                ),
                _ => "-".to_string(),
            };
            vec![label, unit.to_string(), value(&k.name, k.mean), range]
        })
        .collect()
}

/// The column names of [`run_rows`].
pub(crate) const RUN_HEADERS: [&str; 4] = ["KPI", "unit", "estimate", "95% range of the mean"];

/// The headline table of a comparison: the KPI in words, its unit, the
/// baseline, and each variant's value with the change and what it means
/// (`3.1 (-0.0079; no clear change)`, shares in percentage points); with
/// the column names.
pub(crate) fn compare_table(doc: &CompareReport) -> (Vec<String>, Vec<Vec<String>>) {
    let mut headers = vec![
        "KPI".to_string(),
        "unit".to_string(),
        "baseline".to_string(),
    ];
    headers.extend(doc.variants.iter().map(|v| v.name.clone()));
    let Some(first) = doc.variants.first() else {
        return (headers, Vec::new());
    };
    let available: Vec<&str> = first.differences.iter().map(|d| d.kpi.as_str()).collect();
    let rows = headline(&available)
        .into_iter()
        .filter_map(|name| {
            let base = first.differences.iter().find(|d| d.kpi == name)?;
            let (label, unit, _) = kpi_words(name);
            let mut row = vec![label, unit.to_string(), value(name, base.baseline.kpi.mean)];
            for v in &doc.variants {
                row.push(v.differences.iter().find(|d| d.kpi == name).map_or_else(
                    || "-".to_string(),
                    |d| {
                        format!(
                            "{} ({}; {})",
                            value(name, d.variant.kpi.mean),
                            change(name, d.effect.kpi.mean),
                            verdict_words(&d.verdict.to_string())
                        )
                    },
                ));
            }
            Some(row)
        })
        .collect();
    (headers, rows)
}

/// A local date and time of a [`Setup`] window (`2024-11-11T00:00`) as a
/// reader writes it (`Mon 11 Nov 2024, 00:00`).
fn when(text: &str) -> String {
    text.parse::<jiff::civil::DateTime>().map_or_else(
        |_| text.to_string(),
        |d| d.strftime("%a %-d %b %Y, %H:%M").to_string(),
    )
}

/// The question of a report in one sentence: the scenario, the dates
/// simulated and how many replications with which seed.
pub(crate) fn question(scenario: &str, setup: &Setup) -> String {
    let dates = match &setup.window {
        Some((from, to)) => format!(
            ", observed from {} to {} (local time; the warm-up before it is left out)",
            when(from),
            when(to)
        ),
        None => String::new(),
    };
    let n = setup.replications.len();
    format!(
        "Scenario {scenario}{dates}. {n} replication{} with seed {}.",
        if n == 1 { "" } else { "s" },
        setup.seed.value()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpis_read_as_words_with_units() {
        assert_eq!(
            kpi_words("lead_time_p95_h"),
            ("Lead time, 95th percentile".to_string(), "hours", 1.0)
        );
        assert_eq!(
            kpi_words("lead_time_within_24h_share"),
            ("Lead time within 24h".to_string(), "% of orders", 100.0)
        );
        assert_eq!(kpi_words("desk.utilization").1, "% of time busy");
        assert_eq!(kpi_words("utilization_officers").0, "Utilisation officers");
        assert_eq!(kpi_words("orders_released_per_day").1, "orders a day");
        assert_eq!(kpi_words("tax_collected_cny").1, "CNY");
        assert_eq!(
            kpi_words("network.time_in_system_mean_min").0,
            "Network: time in system, mean"
        );
        assert_eq!(value("desk.utilization", Some(0.71604)), "71.6%");
        assert_eq!(change("backlog_at_end", Some(3.0)), "+3");
        assert_eq!(change("backlog_at_end", Some(-151.0)), "-151");
        assert_eq!(change("desk.utilization", Some(-0.308)), "-30.8 pp");
        assert_eq!(change("lead_time_within_24h_share", Some(0.0)), "0 pp");
    }

    #[test]
    fn the_headline_prefers_planner_kpis_then_the_network() {
        assert_eq!(
            headline(&["x", "lead_time_p95_h", "orders_released_per_day"]),
            ["orders_released_per_day", "lead_time_p95_h"]
        );
        assert_eq!(
            headline(&["desk.utilization", "network.time_in_system_mean_min"]),
            ["network.time_in_system_mean_min", "desk.utilization"]
        );
        assert_eq!(headline(&["a", "b"]), ["a", "b"]);
    }
}
