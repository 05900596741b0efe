//! The Double 11 week at the Hongqiao Bonded Logistics Center: the
//! baseline against each October 2024 measure alone and against all of
//! them together, with common random numbers, as a table of effects on the
//! planner KPIs with 95% confidence intervals.
//!
//! Run it with `cargo run --release --example hongqiao_measures`; add a
//! number of replications (`-- 40`) for narrower intervals, and `by_node`
//! after it (`-- 20 by_node`) to draw every random number from the nodes'
//! streams, as the crate did before orders kept their own
//! ([`cbec_sim::Synchronisation`]): the `CRN` column then shows what
//! synchronising by order gains. The measures and their assumed effect
//! sizes are in `measures/hongqiao.toml`.

use cbec_sim::experiment::{Difference, Experiment, ShardResult, Verdict, differences_of_shards};
use cbec_sim::report::table::{Column, Table};
use cbec_sim::{Measure, MeasureKind, Replications, Scenario, Seed, Synchronisation};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The KPIs the table shows, in planner words. Throughput is counted at
/// the exit; lead times follow the orders placed in the week until they
/// leave (the scenario's drain lets them); see `planner_kpi_names`.
const HEADLINE: [(&str, &str); 17] = [
    (
        "orders_exited_per_day",
        "1210 orders out of the zone per day",
    ),
    ("orders_released_per_day", "1210 orders released per day"),
    ("lead_time_p50_h", "1210 lead time p50 (h)"),
    ("lead_time_p95_h", "1210 lead time p95 (h)"),
    ("lead_time_within_24h_share", "1210 share out within 24 h"),
    ("clearance_mean_min", "1210 clearance mean (min)"),
    ("backlog_at_end", "backlog at the week's end (orders)"),
    ("peak_day_backlog_at_end", "backlog at the end of 11 Nov"),
    (
        "peak_day_utilization_pickers",
        "pickers' utilisation on 11 Nov",
    ),
    ("utilization_officers", "review officers' utilisation"),
    (
        "direct_mail_9610_within_24h_share",
        "9610 share to carrier within 24 h",
    ),
    ("exhibition_outflow_per_day", "exhibition outflows per day"),
    (
        "general_trade_conformity_p95_h",
        "general-trade conformity p95 (h)",
    ),
    ("stock_air.fill_rate", "air SKUs served from stock at once"),
    ("stock_air.on_hand_mean", "air SKUs on hand (items, mean)"),
    (
        "inbound_air_lot_p95_h",
        "air lots, landing to stock p95 (h)",
    ),
    ("inbound_sea_lot_p95_h", "sea lots, port to stock p95 (h)"),
];

fn main() -> cbec_sim::Result<()> {
    let replications: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("the argument is a number of replications"))
        .unwrap_or(20);
    let sync = match std::env::args().nth(2).as_deref() {
        None | Some("by_order") => Synchronisation::ByOrder,
        Some("by_node") => Synchronisation::ByNode,
        Some(other) => panic!("the second argument is by_order or by_node, not {other:?}"),
    };
    let seed = Seed(2024);
    let started = Instant::now();
    let scenario = Scenario::from_path(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hongqiao_double11.toml"),
    )?;
    let measures = Measure::builtin();
    let policies: Vec<&Measure> = measures
        .iter()
        .filter(|m| m.kind == MeasureKind::Policy)
        .collect();

    // Every variant runs the same replication indices under the same seed:
    // streams follow node names, so each sees the baseline's orders. Only
    // each replication's KPI row is kept (the shard), and every run is
    // checked to conserve orders as it finishes.
    let (mut runs, mut orders) = (0u64, 0u64);
    let variants_total = measures.len() as u64 + 2;
    let mut variant = 0u64;
    let mut run = |label: &str, s: &Scenario| -> cbec_sim::Result<ShardResult> {
        variant += 1;
        // Progress on stderr: one line per variant, counting replications
        // as they finish (from any thread) on a terminal.
        let done = AtomicU64::new(0);
        let live = std::io::stderr().is_terminal();
        let line = |d: u64| {
            format!(
                "[{variant}/{variants_total}] {label}: {d}/{replications} replications, {:.0} s elapsed",
                started.elapsed().as_secs_f64()
            )
        };
        let model = s.to_builder()?.with_random_numbers(sync).build()?;
        let result = Experiment::new(&model)
            .with_seed(seed)
            .with_replications(Replications::first(replications))
            .with_observer(|_| {
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                if live {
                    eprint!("\r{}", line(d));
                }
            })
            .run_folding(|i, r| {
                assert!(r.conservation.holds(), "{label}, replication {i}");
                runs += 1;
                orders += r.conservation.entered;
            })?;
        eprintln!(
            "{}{}",
            if live { "\r" } else { "" },
            line(done.into_inner())
        );
        Ok(result.shard)
    };
    let baseline = run("baseline", &scenario)?;
    let mut variants: Vec<(String, Vec<Difference>)> = Vec::new();
    for m in &measures {
        let label = match m.kind {
            MeasureKind::Demand => format!("{} (demand scenario)", m.name),
            _ => m.name.clone(),
        };
        let shard = run(&label, &scenario.with_measures([m])?)?;
        variants.push((label, differences_of_shards(&baseline, &shard)));
    }
    let label = "all policy measures together";
    let all = run(label, &scenario.with_measures(policies.iter().copied())?)?;
    variants.push((label.to_string(), differences_of_shards(&baseline, &all)));

    println!(
        "Hongqiao BLC, Double 11 week (scenarios/hongqiao_double11.toml), {replications} replications, seed {seed}, random numbers {sync}"
    );
    println!(
        "Effects are variant - baseline over paired replications (common random numbers), with 95% CIs."
    );
    println!("\"~0\" marks an effect not distinguishable from zero (its interval contains 0);");
    println!(
        "\"=0\" an effect that is exactly zero in every replication: the measure does not reach the KPI;"
    );
    println!(
        "\"<res\" a quantile that moved by no more than one bucket of its histogram (below resolution)."
    );
    println!(
        "CRN: the variance reduction of the paired effect, 1 - Var(effect) / (Var(baseline) + Var(variant))."
    );
    for (label, diffs) in &variants {
        println!();
        println!("== {label}");
        let mut table = Table::new(vec![
            Column::left("KPI").width(36),
            Column::right("baseline").width(14),
            Column::right("effect ± 95% CI").width(26),
            Column::right("").width(9),
            Column::right("CRN").width(5),
        ]);
        for (kpi, words) in HEADLINE {
            let Ok(d) = Difference::find(diffs, kpi) else {
                continue;
            };
            // Shares and hours get more decimals than counts.
            let digits = if d.baseline.mean.is_some_and(|m| m.abs() < 100.0) {
                4
            } else {
                1
            };
            let base = d
                .baseline
                .mean
                .map_or("-".into(), |m| format!("{m:.digits$}"));
            let verdict = d.verdict();
            let effect = match (verdict, d.effect.mean, d.effect.half_width_95) {
                (Verdict::Identical, _, _) => "0".to_string(),
                (_, Some(m), Some(h)) => format!("{m:+.digits$} ± {h:.digits$}"),
                _ => "-".to_string(),
            };
            let verdict = match verdict {
                Verdict::Identical
                | Verdict::Indistinguishable
                | Verdict::Undefined
                | Verdict::BelowResolution => verdict.to_string(),
                _ => String::new(),
            };
            // What common random numbers saved: the share of the variance
            // of independent runs that pairing removed.
            let crn = d
                .variance_reduction
                .map_or("-".into(), |r| format!("{:.0}%", 100.0 * r));
            table.push([words.to_string(), base, effect, verdict, crn]);
        }
        print!("{table}");
    }
    println!();
    println!(
        "{runs} scenario runs of {} orders on average (pre-roll included), in {:.1} s",
        orders / runs.max(1),
        started.elapsed().as_secs_f64()
    );

    // Running the example is a test of what it prints.
    assert_eq!(runs, (variants.len() as u64 + 1) * replications);
    for (label, diffs) in &variants {
        for d in diffs {
            // An interval is never negative.
            let h = d.effect.half_width_95;
            assert!(h.is_none_or(|h| h >= 0.0), "{label}: {}", d.name);
        }
        // A mean, share or count in the table that the measure moves moves
        // by a different amount in each replication: its interval has a
        // width. (A quantile may move by the same histogram step in every
        // replication, so quantiles are left out.)
        let quantile = |k: &str| k.contains("_p50_") || k.contains("_p95_");
        for (kpi, _) in HEADLINE.iter().filter(|(k, _)| !quantile(k)) {
            let d = diffs
                .iter()
                .find(|d| &d.name == kpi)
                .expect("a planner KPI");
            if replications > 1 && d.verdict() != Verdict::Identical {
                assert!(d.effect.half_width_95 > Some(0.0), "{label}: {kpi}");
            }
        }
    }
    let effect = |label: &str, kpi: &str| {
        let (_, diffs) = variants
            .iter()
            .find(|(l, _)| l == label)
            .expect("a variant");
        let d = diffs.iter().find(|d| d.name == kpi).expect("a planner KPI");
        d.effect.mean.expect("defined")
    };
    // Review around the clock shortens clearance; trade growth (a demand
    // scenario, not a policy) lengthens the p95 lead time.
    assert!(effect("expedited_clearance_7x24", "clearance_mean_min") < 0.0);
    assert!(effect("trade_growth (demand scenario)", "lead_time_p95_h") > 0.0);
    // The airport measure's S1 channel: air lots reach stock sooner, so
    // more air SKUs are on hand; e-B/L does the same for sea lots.
    assert!(effect("airport_cbec_capability", "stock_air.on_hand_mean") > 0.0);
    assert!(effect("electronic_bills_and_payments", "inbound_sea_lot_p95_h") < 0.0);
    Ok(())
}
