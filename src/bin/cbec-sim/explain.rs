//! `cbec-sim validate` and `cbec-sim explain`: check a scenario without
//! running it, and describe its network with the load its inputs offer.

use crate::common::{Failure, build, failed, load_scenario};
use cbec_sim::{Capacity, Model, OfferedLoad};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn validate(args: &ValidateArgs) -> Result<(), Failure> {
    let scenario = load_scenario(&args.scenario)?;
    let model = build(&scenario, &args.scenario)?;
    let load = model.offered_load();
    out!(
        "{}: valid: {} sources, {} stations and delays, {} routers, {} dispatch points, {} sinks",
        args.scenario.display(),
        scenario.sources.len(),
        scenario.stations.len() + scenario.delays.len(),
        scenario.routers.len(),
        scenario.dispatches.len(),
        scenario.sinks.len()
    );
    for w in model.warnings() {
        out!("warning: {w}");
    }
    warnings(&load);
    Ok(())
}

/// Prints the stations whose offered load reaches their capacity.
pub(crate) fn warnings(load: &OfferedLoad) {
    for n in load.overloaded() {
        out!(
            "warning: {} is offered {:.2} times its capacity over the run ({:.1} orders/h): its queue grows without bound",
            n.name,
            n.utilization.unwrap_or(f64::NAN),
            n.arrivals_per_hour
        );
    }
    for n in &load.nodes {
        if n.utilization.is_some_and(|u| u < 1.0) && n.peak_day_utilization.is_some_and(|u| u > 1.0)
        {
            out!(
                "note: {} is offered {:.2} times its capacity on its busiest day ({:.0} orders): a backlog builds and drains later",
                n.name,
                n.peak_day_utilization.unwrap_or(f64::NAN),
                n.peak_day_arrivals
            );
        }
    }
    if !load.unbounded.is_empty() {
        out!(
            "note: only a rule leaves the loop through {}; their load cannot be computed from the inputs",
            load.unbounded.join(", ")
        );
    }
}

/// One row per node: name, capacity, arrivals/h, peak day, busy servers,
/// utilisation, peak-day utilisation.
pub(crate) fn load_rows(model: &Model) -> Vec<Vec<String>> {
    let f = |v: Option<f64>, d: usize| v.map_or_else(|| "-".to_string(), |x| format!("{x:.d$}"));
    model
        .offered_load()
        .nodes
        .iter()
        .map(|n| {
            let capacity = match &n.capacity {
                Capacity::Servers { mean, max } => format!("{mean:.1} servers (max {max})"),
                Capacity::Unlimited => "unlimited".to_string(),
                Capacity::Vehicles { per_day: Some(c) } => format!("{c:.0} parcels/day"),
                Capacity::Vehicles { per_day: None } => "any load".to_string(),
                _ => "-".to_string(),
            };
            vec![
                n.name.clone(),
                capacity,
                format!("{:.1}", n.arrivals_per_hour),
                format!("{:.0}", n.peak_day_arrivals),
                f(n.busy_servers, 2),
                f(n.utilization, 3),
                f(n.peak_day_utilization, 3),
            ]
        })
        .collect()
}

/// Column names of [`load_rows`].
pub(crate) const LOAD_HEADERS: [&str; 7] = [
    "node",
    "capacity",
    "arrivals/h",
    "peak-day arrivals",
    "busy servers",
    "utilisation",
    "peak-day utilisation",
];

pub(crate) fn explain(args: &ExplainArgs) -> Result<(), Failure> {
    let scenario = load_scenario(&args.scenario)?;
    let model = build(&scenario, &args.scenario)?;
    let load = model.offered_load();
    if args.json {
        out!("{}", serde_json::to_string_pretty(&load).map_err(failed)?);
        return Ok(());
    }
    out!(
        "{}: the network, with the load its inputs offer",
        args.scenario.display()
    );
    out!(
        "over {:.0} h; router rules are not followed (loads behind a limit are slight over-estimates)",
        load.span_h
    );
    out!();
    for (name, s) in &scenario.sources {
        let how = if let Some(r) = s.rate_per_hour {
            format!("Poisson, {r} orders/h")
        } else if s.profile.is_some() {
            "rate table by hour, weekday and date".to_string()
        } else if !s.timetable.is_empty() {
            format!(
                "timetable of {} batches a week",
                s.timetable.iter().map(|b| b.days.len()).sum::<usize>()
            )
        } else {
            "replayed order log".to_string()
        };
        out!("source {name}: {how} -> {}", s.to);
    }
    out!();
    let rows = load_rows(&model);
    let w: Vec<usize> = (0..LOAD_HEADERS.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([LOAD_HEADERS[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let mut s = format!("{:<w0$}", cells[0], w0 = w[0]);
        for (c, cell) in cells.iter().enumerate().skip(1) {
            s.push_str(&format!("  {:>wc$}", cell, wc = w[c]));
        }
        s
    };
    out!("{}", line(LOAD_HEADERS.to_vec()));
    for r in &rows {
        out!("{}", line(r.iter().map(String::as_str).collect()));
    }
    out!();
    for w in model.warnings() {
        out!("warning: {w}");
    }
    warnings(&load);
    Ok(())
}

/// The same warnings, on stderr, before a run.
pub(crate) fn warn_before_run(model: &Model) {
    for w in model.warnings() {
        eprintln!("warning: {w}");
    }
    for n in model.offered_load().overloaded() {
        eprintln!(
            "warning: {} is offered {:.2} times its capacity ({:.1} orders/h): its queue grows without bound",
            n.name,
            n.utilization.unwrap_or(f64::NAN),
            n.arrivals_per_hour
        );
    }
}
