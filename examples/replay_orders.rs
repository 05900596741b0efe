//! A CSV order log through the model: the 3,000 orders of
//! `examples/data/orders.csv` replayed at their recorded times (with their
//! class, basket value and items) through the line of
//! `examples/data/replay.toml`; the arrivals are the log's, only service
//! times are random, so the replications differ in service alone.
//!
//! Run it with `cargo run --release --example replay_orders`.

use cbec_sim::experiment::{KpiCatalogue, KpiEstimate};
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
    println!("{:<36} {:>12} {:>10}", "KPI", "mean", "± 95% CI");
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
        println!(
            "{name:<36} {:>12.3} {:>10.3}",
            e.mean.unwrap_or(f64::NAN),
            e.half_width_95.unwrap_or(f64::NAN)
        );
    }
    println!(
        "left the zone in the last replication: {}",
        runs[19].sink("left_zone").map_or(0, |s| s.count)
    );
    Ok(())
}
