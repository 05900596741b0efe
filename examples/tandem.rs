//! This example demonstrates: loading a scenario file (default
//! `scenarios/tandem.toml`, or the path given as the first argument),
//! running 20 replications in parallel, and reading each station's KPIs with
//! 95% confidence intervals.
//!
//! Run it with `cargo run --release --example tandem [SCENARIO.toml]`.
use cbec_sim::report::table::{Column, Table};
use cbec_sim::stats::OnlineMoments;
use cbec_sim::{Replications, RunSummary, Scenario, Seed, run_replications};

const REPLICATIONS: u64 = 20;
const SEED: Seed = Seed(2024);

fn across(runs: &[RunSummary], kpi: impl Fn(&RunSummary) -> Option<f64>) -> OnlineMoments {
    runs.iter().filter_map(kpi).collect()
}

fn cell(m: &OnlineMoments) -> String {
    match (m.mean(), m.confidence_half_width(0.95)) {
        (Some(mean), Some(hw)) => format!("{mean:>8.3} ± {hw:<7.3}"),
        (Some(mean), None) => format!("{mean:>8.3}          "),
        _ => format!("{:>8}          ", "-"),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/tandem.toml").to_string()
    });
    let model = Scenario::from_path(&path)?.build()?;
    let started = std::time::Instant::now();
    let runs = run_replications(&model, SEED, Replications::first(REPLICATIONS))?;
    let elapsed = started.elapsed();

    println!("scenario: {path}");
    println!(
        "{REPLICATIONS} replications, seed {SEED}, horizon {:.0} h, warm-up {:.0} h, {:.2} s wall clock",
        model.horizon().map_or(0.0, |h| h.hours()),
        model.warmup().hours(),
        elapsed.as_secs_f64()
    );
    println!(
        "values are means over replications ± the half-width of their 95% confidence interval\n"
    );
    let mut table = Table::new(vec![
        Column::left("station").width(16),
        Column::right("arrivals/h").width(18),
        Column::right("utilisation").width(18),
        Column::right("wait mean (min)").width(18),
        Column::right("wait p95 (min)").width(18),
        Column::right("in station").width(18),
    ]);
    for name in model.station_names() {
        let st = |r: &RunSummary| r.station(name).cloned();
        table.push([
            name.to_string(),
            cell(&across(&runs, |r| st(r)?.arrival_rate_per_hour())),
            cell(&across(&runs, |r| st(r)?.utilization())),
            cell(&across(&runs, |r| st(r)?.wait_mean_min())),
            cell(&across(&runs, |r| st(r)?.wait_quantile_min(0.95))),
            cell(&across(&runs, |r| st(r)?.in_station.mean())),
        ]);
    }
    print!("{table}");
    println!();
    let tis = across(&runs, |r| r.network.time_in_system.mean().map(|s| s / 60.0));
    let tis95 = across(&runs, |r| {
        r.network
            .time_in_system_hist
            .quantile(0.95)
            .map(|t| t.minutes())
    });
    println!("time in system, mean (min)   {}", cell(&tis));
    println!("time in system, p95 (min)    {}", cell(&tis95));
    println!(
        "orders in system, mean       {}",
        cell(&across(&runs, |r| r.network.in_system.mean()))
    );
    for (i, iv) in runs[0].intervals.iter().enumerate() {
        let m = across(&runs, |r| r.intervals[i].duration.mean().map(|s| s / 60.0));
        println!("interval {:<12} mean (min) {}", iv.name, cell(&m));
    }
    for (k, sink) in runs[0].sinks.iter().enumerate() {
        let per_day = across(&runs, |r| {
            let days = r.network.in_system.duration / 86_400.0;
            Some(r.sinks[k].count as f64 / days)
        });
        println!("sink {:<16} per day    {}", sink.name, cell(&per_day));
    }

    // Running the example is a test: these must hold in every replication.
    for r in &runs {
        assert!(
            r.conservation.holds(),
            "conservation broken: {:?}",
            r.conservation
        );
        for s in &r.stations {
            assert!(
                s.wait.min().unwrap_or(0.0) >= 0.0,
                "negative wait at {}",
                s.name
            );
        }
    }
    Ok(())
}
