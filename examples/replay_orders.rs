//! A CSV order log through the model: the 3,000 orders of
//! `examples/data/orders.csv` replayed at their recorded times (with their
//! class, basket value and items) through the line of
//! `examples/data/replay.toml`; the arrivals are the log's, only service
//! times are random, so the replications differ in service alone.
//!
//! Run it with `cargo run --release --example replay_orders`.

use cbec_sim::experiment::{KpiCatalogue, KpiEstimate};
use cbec_sim::report::table::{Column, Table};
use cbec_sim::{Replications, Scenario, Seed, run_replications};

fn main() -> cbec_sim::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/replay.toml");
    let scenario = Scenario::from_path(&path)?;
    let model = scenario.build()?;
    let runs = run_replications(&model, Seed(7), Replications::first(20))?;
    // Every replication replays the same log.
    assert!(
        runs.iter()
            .all(|r| r.conservation.entered == runs[0].conservation.entered)
    );
    println!(
        "{} orders replayed from examples/data/orders.csv, 20 replications (only service times differ)",
        runs[0].conservation.entered
    );
    let catalogue = KpiCatalogue::for_run(&runs[0]);
    let estimates = catalogue.estimate(&runs);
    let mut table = Table::new(vec![
        Column::left("KPI").width(36),
        Column::right("mean").width(12),
        Column::right("± 95% CI").width(10),
    ]);
    for name in [
        "order_to_exit.mean_min",
        "order_to_exit.p95_min",
        "clearance.mean_min",
        "review.wait_mean_min",
        "review.utilization",
        "pick.wait_mean_min",
        "pick.utilization",
        "trucks.vehicles",
        "over_limit.per_day",
    ] {
        let e = KpiEstimate::find(&estimates, name)?;
        table.push([
            name.to_string(),
            format!("{:.3}", e.mean.unwrap_or(f64::NAN)),
            format!("{:.3}", e.half_width_95.unwrap_or(f64::NAN)),
        ]);
        // Service times differ between replications, so do the KPIs.
        assert!(e.half_width_95.is_none_or(|h| h >= 0.0), "{name}");
    }
    print!("{table}");
    assert!(runs.iter().all(|r| r.conservation.holds()));
    println!(
        "left the zone in the last replication: {}",
        runs[19].sink("left_zone").map_or(0, |s| s.count)
    );
    Ok(())
}
