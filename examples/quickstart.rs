//! This example demonstrates: an M/M/2 desk built in Rust, eight
//! replications with a fixed seed, and the mean wait checked against Erlang C.
use cbec_sim::theory::MMc;
use cbec_sim::{Dist, Model, Replications, Seed, SimTime, Sink, Source, Station, run_replications};

fn main() -> cbec_sim::Result<()> {
    // 90 orders per hour, two officers, 1 minute per order on average.
    let model = Model::builder()
        .with_source("orders", Source::poisson(90.0, "desk"))
        .with_station("desk", Station::new(2, Dist::exponential(1.0)?, "released"))
        .with_sink("released", Sink::new())
        .with_horizon(SimTime::from_hours(500.0))
        .with_warmup(SimTime::from_hours(10.0))
        .build()?;
    let runs = run_replications(&model, Seed(2024), Replications::first(8))?;
    let waits: Vec<f64> = runs
        .iter()
        .map(|r| r.stations[0].wait_mean_min().unwrap())
        .collect();
    let mean = waits.iter().sum::<f64>() / waits.len() as f64;
    let exact = MMc {
        lambda: 1.5,
        mu: 1.0,
        servers: 2,
    }
    .mean_wait()
    .unwrap();
    println!("mean wait {mean:.3} min (Erlang C: {exact:.3} min)");
    assert!((mean - exact).abs() < 0.15 * exact);
    assert!(runs.iter().all(|r| r.conservation.holds()));
    Ok(())
}
