//! Descriptions of inputs before any run: a scenario's network with the
//! load its inputs offer (`cbec-sim explain`), the verdict of
//! `cbec-sim validate`, the overload warnings every command gives, and the
//! list of measures (`cbec-sim measures`).

use crate::model::{Capacity, Model, NodeLoad, OfferedLoad};
use crate::report::table::{Column, Table};
use crate::scenario::{AssumptionValue, Assumptions, Measure, RangeShape, Scenario};

/// Column names of [`load_table`].
pub const LOAD_HEADERS: [&str; 7] = [
    "node",
    "capacity",
    "arrivals/h",
    "peak-day arrivals",
    "busy servers",
    "utilisation",
    "peak-day utilisation",
];

/// One row per node: name, capacity, arrivals/h, peak-day arrivals, busy
/// servers, utilisation, peak-day utilisation.
#[must_use]
pub fn load_table(model: &Model) -> Table {
    let f = |v: Option<f64>, d: usize| v.map_or_else(|| "-".to_string(), |x| format!("{x:.d$}"));
    let columns = LOAD_HEADERS
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if i == 0 {
                Column::left(*h)
            } else {
                Column::right(*h)
            }
        })
        .collect();
    Table::new(columns)
        .separator("  ")
        .with_rows(model.offered_load().nodes.iter().map(|n| {
            let capacity = match &n.capacity {
                Capacity::Servers { mean, max } => format!("{mean:.1} servers (max {max})"),
                Capacity::Unlimited => "unlimited".to_string(),
                Capacity::Vehicles { per_day: Some(c) } => format!("{c:.0} parcels/day"),
                Capacity::Vehicles { per_day: None } => "any load".to_string(),
                _ => "-".to_string(),
            };
            [
                n.name.clone(),
                capacity,
                format!("{:.1}", n.arrivals_per_hour),
                format!("{:.0}", n.peak_day_arrivals),
                f(n.busy_servers, 2),
                f(n.utilization, 3),
                f(n.peak_day_utilization, 3),
            ]
        }))
}

/// Lines about stations whose offered load reaches their capacity (over
/// the run, or on the busiest day), and loops whose load is unknown.
#[must_use]
pub fn load_warnings(load: &OfferedLoad) -> Vec<String> {
    let mut out: Vec<String> = load
        .overloaded()
        .map(|n| overload_warning(n, " over the run"))
        .collect();
    out.extend(load_notes(load));
    out
}

/// Notes on a load under capacity over the run: stations offered more
/// than their capacity on the busiest day, and loops whose load is unknown.
fn load_notes(load: &OfferedLoad) -> Vec<String> {
    let mut out = Vec::new();
    for n in &load.nodes {
        if n.utilization.is_some_and(|u| u < 1.0) && n.peak_day_utilization.is_some_and(|u| u > 1.0)
        {
            let servers = n
                .peak_day_servers()
                .map_or_else(String::new, |s| format!("; {s}"));
            // e.g. "...drains later; it needs more than 23.1 servers on duty
            // on average that day, it has 20.0"
            out.push(format!(
                "note: {} is offered {:.2} times its capacity on its busiest day ({:.0} orders): a backlog builds and drains later{servers}",
                n.name,
                n.peak_day_utilization.unwrap_or(f64::NAN),
                n.peak_day_arrivals
            ));
        }
    }
    if !load.unbounded.is_empty() {
        out.push(format!(
            "note: only a rule leaves the loop through {}; their load cannot be computed from the inputs",
            load.unbounded.join(", ")
        ));
    }
    out
}

/// The warnings given before a run: the model's own, and every station
/// offered more than its capacity (each line starts `warning: `).
#[must_use]
pub fn pre_run_warnings(model: &Model) -> Vec<String> {
    model
        .warnings()
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect()
}

/// [`pre_run_warnings`] without the `warning: ` prefix, as the flags of a
/// study document (a comparison's variants, a sweep's values).
#[must_use]
pub fn model_flags(model: &Model) -> Vec<String> {
    pre_run_warnings(model)
        .into_iter()
        .map(|w| w.strip_prefix("warning: ").map(str::to_string).unwrap_or(w))
        .collect()
}

/// The warning for a node offered more than its capacity (`when`: `" over
/// the run"` or nothing): what becomes of the excess depends on its room,
/// and breakdowns are named when they are what tips it over.
#[must_use]
pub fn overload_warning(n: &NodeLoad, when: &str) -> String {
    format!("warning: {}", n.overload_text(when))
}

/// Appends each line of `lines` to `s`.
fn push_lines(s: &mut String, lines: impl IntoIterator<Item = String>) {
    for l in lines {
        s.push_str(&l);
        s.push('\n');
    }
}

/// The model's warnings (overload included) and the load notes, one per line.
fn all_warnings(s: &mut String, model: &Model) {
    push_lines(s, pre_run_warnings(model));
    push_lines(s, load_notes(&model.offered_load()));
}

/// What `cbec-sim validate` prints for a scenario (called `name`) that built.
#[must_use]
pub fn validate_text(name: &str, scenario: &Scenario, model: &Model) -> String {
    let pools = match scenario.pools.len() {
        0 => String::new(),
        n => format!("{n} credit pools, "),
    };
    let pools = match scenario.stocks.len() {
        0 => pools,
        n => format!("{pools}{n} stocks, "),
    };
    let mut s = format!(
        "{name}: valid: {} sources, {} stations and delays, {} routers, {} dispatch points, {pools}{} sinks\n",
        scenario.sources.len(),
        scenario.stations.len() + scenario.delays.len(),
        scenario.routers.len(),
        scenario.dispatches.len(),
        scenario.sinks.len()
    );
    all_warnings(&mut s, model);
    s
}

/// What `cbec-sim explain` prints: the sources, the network with the load
/// its inputs offer, and the warnings.
#[must_use]
pub fn explain_text(name: &str, scenario: &Scenario, model: &Model) -> String {
    let load = model.offered_load();
    let mut s = format!(
        "{name}: the network, with the load its inputs offer\n\
         over the {:.0} h of the observed window; router rules are not followed (loads behind a limit are slight over-estimates)\n",
        load.span_h
    );
    s.push_str(&run_clock_line(model));
    s.push('\n');
    push_lines(
        &mut s,
        scenario.sources.iter().map(|(name, src)| {
            let how = if let Some(r) = src.rate_per_hour {
                format!("Poisson, {r} orders/h")
            } else if src.profile.is_some() {
                "rate table by hour, weekday and date".to_string()
            } else if !src.timetable.is_empty() {
                format!(
                    "timetable of {} batches a week",
                    src.timetable.iter().map(|b| b.days.len()).sum::<usize>()
                )
            } else {
                "replayed order log".to_string()
            };
            format!("source {name}: {how} -> {}", src.to)
        }),
    );
    s.push('\n');
    s.push_str(&load_table(model).to_string());
    s.push('\n');
    all_warnings(&mut s, model);
    s
}

/// The window, pre-roll and drain of a model, in one line, with the
/// longest path the `"auto"` pre-roll reads.
#[must_use]
pub fn run_clock_line(model: &Model) -> String {
    let cal = model.calendar();
    let at = |t: crate::SimTime| cal.datetime(t).strftime("%Y-%m-%d %H:%M").to_string();
    let window = match model.window() {
        Some(w) => format!("window {} to {}", at(w.start), at(w.end)),
        None => format!(
            "window from {} until the last order leaves",
            at(model.warmup() + model.preroll())
        ),
    };
    format!(
        "{window}; pre-roll {:.0} h{} from {}; drain up to {:.0} h; longest path at each stage's 99th percentile {:.1} h\n",
        model.preroll().hours(),
        if model.preroll_is_auto() {
            " (auto)"
        } else {
            ""
        },
        at(crate::SimTime::ZERO),
        model.drain().hours(),
        model.longest_path_p99().hours(),
    )
}

/// What `cbec-sim assumptions` prints: each ranged assumption with the
/// scenario's value, its range, shape, source and note, then a count by
/// source tag.
#[must_use]
pub fn assumptions_text(file: &str, ranges: &Assumptions, values: &[AssumptionValue]) -> String {
    let mut s = format!(
        "{file}: {} ranged assumptions (value in the scenario, then the range)
",
        ranges.len()
    );
    let width = ranges.list.iter().map(|a| a.path.len()).max().unwrap_or(0);
    for (a, v) in ranges.list.iter().zip(values) {
        let shape = match a.shape {
            RangeShape::Uniform => "uniform",
            RangeShape::Triangular => "triangular",
            RangeShape::LogUniform => "log-uniform",
        };
        s.push_str(&format!(
            "  {:width$}  {:>10}  {} to {}  {shape}  [{}]  {}\n",
            a.path, v.value, a.low, a.high, a.source, a.note,
        ));
        for t in &a.together {
            s.push_str(&format!(
                "  {:width$}  (scaled with it)\n",
                format!("  + {t}")
            ));
        }
        if let Some(r) = &a.rebalance {
            s.push_str(&format!(
                "  {:width$}  (takes up the change)\n",
                format!("  - {r}")
            ));
        }
    }
    let mut tags: Vec<(&str, usize)> = Vec::new();
    for a in &ranges.list {
        match tags.iter_mut().find(|t| t.0 == a.source) {
            Some(t) => t.1 += 1,
            None => tags.push((&a.source, 1)),
        }
    }
    let tags: Vec<String> = tags.iter().map(|(t, n)| format!("[{t}] {n}")).collect();
    s.push_str(&format!("by source: {}\n", tags.join(", ")));
    s
}

/// What `cbec-sim measures` prints: each measure with its press-release
/// sentence, how it is modelled and its patches.
#[must_use]
pub fn measures_text(measures: &[Measure]) -> String {
    let mut s = String::new();
    for m in measures {
        s.push_str(&format!("{}: {}\n", m.name, m.title));
        s.push_str(&format!("  kind: {}\n", m.kind.label()));
        s.push_str(&format!("  press release: \"{}\"\n", m.press_release));
        if !m.acts_on.is_empty() {
            s.push_str(&format!("  acts on: {}\n", m.acts_on));
        }
        if !m.notes.is_empty() {
            s.push_str(&format!("  how it is modelled: {}\n", m.notes));
        }
        for p in &m.patches {
            s.push_str(&format!("  - {} {}\n", p.path, p.op));
            s.push_str(&format!("      assumption: {}\n", p.assumption));
        }
        s.push('\n');
    }
    s.push_str("Use one with: cbec-sim run SCENARIO --measure NAME (repeatable)\n");
    s
}

/// What `cbec-sim measures --json` prints: each measure's name, title,
/// press-release sentence, the stage it acts on, notes and patches (path,
/// change, assumption).
#[must_use]
pub fn measures_json(measures: &[Measure]) -> serde_json::Value {
    measures
        .iter()
        .map(|m| {
            serde_json::json!({
                "name": m.name,
                "title": m.title,
                "kind": m.kind,
                "press_release": m.press_release,
                "acts_on": m.acts_on,
                "notes": m.notes,
                "patches": m.patches.iter().map(|p| serde_json::json!({
                    "path": p.path,
                    "change": p.op.to_string(),
                    "assumption": p.assumption,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_lists_every_node_with_aligned_columns() {
        let s = Scenario::from_toml_str(crate::report::tests::TINY).unwrap();
        let m = s.build().unwrap();
        let text = explain_text("tiny", &s, &m);
        assert!(text.contains("source orders: Poisson, 30 orders/h -> desk"));
        let table = load_table(&m).to_string();
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("node"));
        assert!(lines.iter().any(|l| l.starts_with("desk")));
        let width = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == width));
        assert!(validate_text("tiny", &s, &m).starts_with("tiny: valid: 1 sources"));
    }

    #[test]
    fn overload_warnings_say_what_becomes_of_the_excess() {
        let text = |extra: &str| {
            let s = Scenario::from_toml_str(&format!(
                "simulation = {{ horizon_h = 48 }}\n\
                 sources.orders = {{ rate_per_hour = 120, to = \"desk\" }}\n\
                 stations.desk = {{ servers = 1, service_time_min = {{ dist = \"deterministic\", value = 1 }}, to = \"done\"{extra} }}\n\
                 sinks.done = {{}}\n"
            ))
            .unwrap();
            pre_run_warnings(&s.build().unwrap()).join("\n")
        };
        let open = text("");
        assert!(
            open.starts_with("warning: desk is offered 2.00 times its capacity (120.0 orders/h): its queue grows without bound"),
            "{open}"
        );
        let reject = text(", queue_capacity = 5, overflow = { reject_to = \"done\" }");
        // 120 orders/h at 1 min keep 2 servers busy: it needs more than 2.
        assert!(
            reject.ends_with(
                "its room of 5 stays full and about 50% of the orders offered are turned away; below 1 it needs more than 2.0 servers on duty on average, it has 1.0"
            ),
            "{reject}"
        );
        let down = text(
            ", breakdowns = { time_between_failures_h = { dist = \"deterministic\", value = 3 }, repair_time_min = { dist = \"deterministic\", value = 60 } }",
        );
        assert!(
            down.contains("offered 2.67 times its capacity, counting breakdowns that leave it up 75% of the time"),
            "{down}"
        );
        // Up 75% of the time: 2 busy servers need more than 2 / 0.75.
        assert!(
            down.ends_with("below 1 it needs more than 2.7 servers on duty on average, it has 1.0"),
            "{down}"
        );
    }

    #[test]
    fn measures_are_listed_with_their_patches() {
        let ms = Measure::builtin();
        let text = measures_text(&ms);
        assert!(text.contains(&format!("{}: {}", ms[0].name, ms[0].title)));
        assert_eq!(measures_json(&ms).as_array().unwrap().len(), ms.len());
    }
}
