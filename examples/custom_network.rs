//! A researcher's own network in Rust: a bonded line built with the
//! `ModelBuilder` API, with a custom routing rule (orders whose basket plus
//! the consumer's spend so far this year pass 26,000 CNY are blocked; costly
//! baskets go to a second check), class priorities and shifts; then two
//! designs compared on common random numbers and one station checked
//! against Erlang C.
//!
//! Run it with `cargo run --release --example custom_network`.

use cbec_sim::experiment::{Difference, Verdict, compare};
use cbec_sim::report::table::{Column, Table, number};
use cbec_sim::theory::MMc;
use cbec_sim::{
    Comparison, Dist, Interval, Model, Replications, Route, Router, Rule, Seed, Shift, SimTime,
    Sink, Source, Station,
};

/// The network, with `checkers` officers at the value check.
fn network(checkers: u32) -> cbec_sim::Result<Model> {
    Model::builder()
        .with_source(
            "orders",
            Source::poisson(300.0, "gate")
                .with_class("standard", 0.9)
                .with_class("express", 0.1)
                .with_attribute("basket_value_cny", Dist::lognormal(300.0, 1.2)?)
                .with_attribute("annual_spent_cny", Dist::gamma(5000.0, 1.0)?),
        )
        // The custom rules: an annual-quota block, then a value threshold.
        .with_router(
            "gate",
            Router::new(vec![Route::new("review", 1.0)])
                .with_milestone("ordered")
                .with_rule(Rule::new(
                    "annual_spent_cny + basket_value_cny",
                    Comparison::Greater,
                    26_000.0,
                    "blocked",
                ))
                .with_rule(Rule::new(
                    "basket_value_cny",
                    Comparison::GreaterOrEqual,
                    1_000.0,
                    "value_check",
                )),
        )
        .with_station(
            "value_check",
            Station::new(checkers, Dist::exponential(6.0)?, "review").with_priority("express", 0),
        )
        // Review: M/M/c with c = 6, checked against Erlang C below.
        .with_station(
            "review",
            Station::new(6, Dist::exponential(1.0)?, "pack").with_milestone("declared"),
        )
        .with_station(
            "pack",
            Station::new(0, Dist::lognormal(0.5, 0.3)?, "left")
                .with_shift(Shift::new(&cbec_sim::Day::ALL, "06:00", "02:00", 4)?)
                .with_milestone("released"),
        )
        .with_sink("left", Sink::new().with_milestone("left"))
        .with_sink("blocked", Sink::new())
        .with_interval("order_to_exit", Interval::new("ordered", "left"))
        .with_horizon(SimTime::from_hours(24.0 * 14.0))
        .with_warmup(SimTime::from_hours(24.0))
        .build()
}

fn main() -> cbec_sim::Result<()> {
    let (few, more) = (network(3)?, network(4)?);
    let diffs = compare(&few, &more, Seed(42), Replications::first(20))?;
    println!(
        "A fourth officer at the value check, 20 paired replications (common random numbers):"
    );
    let mut table = Table::new(vec![
        Column::left("KPI"),
        Column::right("3 officers"),
        Column::right("4 officers"),
        Column::right("effect"),
        Column::right("± 95% CI"),
        Column::right("verdict"),
    ])
    .separator("  ");
    for kpi in [
        "value_check.wait_mean_min",
        "value_check.utilization",
        "order_to_exit.mean_min",
        "review.wait_mean_min",
    ] {
        let d = Difference::find(&diffs, kpi)?;
        table.push([
            kpi.to_string(),
            number(d.baseline.mean),
            number(d.variant.mean),
            number(d.effect.mean),
            number(d.effect.half_width_95),
            d.verdict().to_string(),
        ]);
    }
    print!("{table}");
    let check = Difference::find(&diffs, "value_check.wait_mean_min")?;
    assert_eq!(
        check.verdict(),
        Verdict::Decrease,
        "a fourth officer cuts the wait"
    );

    // Review sees Poisson arrivals at the rate of the orders not blocked:
    // compare its mean wait with Erlang C at the simulated arrival rate.
    let runs = cbec_sim::run_replications(&few, Seed(42), Replications::first(20))?;
    let lambda = runs
        .iter()
        .map(|r| {
            r.station("review")
                .unwrap()
                .arrival_rate_per_hour()
                .unwrap()
        })
        .sum::<f64>()
        / 20.0;
    let theory = MMc {
        lambda: lambda / 60.0,
        mu: 1.0,
        servers: 6,
    };
    let sim = runs
        .iter()
        .map(|r| r.station("review").unwrap().wait_mean_min().unwrap())
        .sum::<f64>()
        / 20.0;
    println!(
        "review: {lambda:.1} orders/h into 6 officers; mean wait {sim:.3} min simulated, {:.3} min by Erlang C",
        theory.mean_wait().expect("stable")
    );
    Ok(())
}
