//! An M/M/2 desk's mean wait with its 95% interval, and a third officer's paired effect (CRN).
use cbec_sim::experiment::{Difference, compare};
use cbec_sim::{Dist, Model, Replications, Seed, SimTime, Sink, Source, Station};

fn main() -> cbec_sim::Result<()> {
    let desk = |officers| -> cbec_sim::Result<Model> {
        Model::builder()
            .with_source("orders", Source::poisson(90.0, "desk"))
            .with_station(
                "desk",
                Station::new(officers, Dist::exponential(1.0)?, "done"),
            )
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(500.0))
            .with_warmup(SimTime::from_hours(10.0))
            .build()
    };
    let third = compare(&desk(2)?, &desk(3)?, Seed(2024), Replications::first(20))?;
    let wait = Difference::find(&third, "desk.wait_mean_min")?;
    let two = &wait.baseline;
    println!("two officers, mean wait (min): {two}; Erlang C: 1.286");
    assert!((two.mean.unwrap() - 1.2857).abs() < 3.0 * two.std_error().unwrap());
    println!("{wait}");
    Ok(())
}
