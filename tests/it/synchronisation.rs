//! Whose random numbers an order uses (`simulation.random_numbers`): by
//! default its own, so a measure that reorders the orders at a shared node
//! leaves the other orders' draws alone.

use cbec_sim::{Scenario, Simulation, Synchronisation};

/// Air and sea lots share a review (an infinite-server delay of two parts,
/// each with a random time) and a router where both draw; `sea_docs_min`
/// is the sea lots' own document time before it, the lever a measure such
/// as e-B/L moves.
fn shared_review(sea_docs_min: f64, sync: &str) -> cbec_sim::Model {
    let text = format!(
        r#"
[simulation]
horizon_h = 200
random_numbers = "{sync}"

[sources.air]
rate_per_hour = 3
to = "air_docs"
classes = {{ air = 1.0 }}

[sources.sea]
rate_per_hour = 2
to = "sea_docs"
classes = {{ sea = 1.0 }}

[delays.air_docs]
latest_of_min = {{ docs = {{ dist = "lognormal", mean = 120, cv = 1.0 }} }}
to = "review"

[delays.sea_docs]
latest_of_min = {{ docs = {{ dist = "lognormal", mean = {sea_docs_min}, cv = 0.6 }} }}
to = "review"

[delays.review]
latest_of_min = {{ review = {{ dist = "gamma", mean = 600, cv = 0.5 }}, sampling = {{ dist = "uniform", low = 60, high = 900 }} }}
to = "sampling"

[routers.sampling]
by_class = {{ air = [{{ to = "air_in", prob = 0.9 }}, {{ to = "lab", prob = 0.1 }}], sea = [{{ to = "sea_in", prob = 0.8 }}, {{ to = "sea_held", prob = 0.2 }}] }}
routes = [{{ to = "sea_in", prob = 1.0 }}]

[stations.lab]
servers = 1
service_time_min = {{ dist = "exponential", mean = 5 }}
to = "air_in"

[sinks.air_in]
[sinks.sea_in]
[sinks.sea_held]
"#
    );
    Scenario::from_toml_str(&text).unwrap().build().unwrap()
}

#[test]
fn a_measure_on_other_orders_leaves_an_orders_draws_alone() {
    // Sea lots' documents at a quarter of the time: they reach the shared
    // review and router in a different order among the air lots.
    let run = |docs, sync| Simulation::new(&shared_review(docs, sync), 7, 0).run();
    let (base, measure) = (run(2880.0, "by_order"), run(720.0, "by_order"));
    let air = |r: &cbec_sim::RunSummary| r.sink("air_in").unwrap().clone();
    // The air lots' review times (both parts), lab choices and lab times
    // are their own: everything about them is the same, to the bit, though
    // the sea lots drew at the same review and router in between.
    assert_eq!(air(&base), air(&measure));
    assert_eq!(base.station("lab"), measure.station("lab"));
    // The sea lots did move.
    assert_ne!(
        base.sink("sea_in").unwrap().time_in_system.mean(),
        measure.sink("sea_in").unwrap().time_in_system.mean()
    );
    // From the nodes' streams, the shared review and router hand the air
    // lots other numbers: the measure reaches them.
    let (base, measure) = (run(2880.0, "by_node"), run(720.0, "by_node"));
    assert_ne!(air(&base), air(&measure));
}

#[test]
fn an_order_that_comes_back_draws_afresh() {
    // Half the orders go round again (a router back to the station): with
    // keys that did not move on after a draw, an order sent back would be
    // sent back for ever, and one let through would never come back. The
    // visits per order are geometric with mean 2 and variance 2.
    let text = r#"
[simulation]
horizon_h = 2000

[sources.orders]
rate_per_hour = 10
to = "check"

[stations.check]
servers = 2
service_time_min = { dist = "exponential", mean = 3 }
to = "again"

[routers.again]
routes = [{ to = "check", prob = 0.5 }, { to = "done", prob = 0.5 }]

[sinks.done]
"#;
    let model = Scenario::from_toml_str(text).unwrap().build().unwrap();
    let r = Simulation::new(&model, 3, 0).run();
    let orders = r.sink("done").unwrap().count as f64;
    let visits = r.station("check").unwrap().departures as f64;
    // Visits of the orders that left, within 4 standard errors of 2 (the
    // few orders inside at the end shift it by far less).
    let se = (2.0 / orders).sqrt();
    let mean = visits / orders;
    assert!(
        (mean - 2.0).abs() < 4.0 * se + 0.01,
        "{mean} visits per order, se {se}"
    );
}

#[test]
fn the_scenario_field_and_the_builder_agree() {
    let from_file = shared_review(2880.0, "by_node");
    let built = shared_review(2880.0, "by_order")
        .description()
        .clone()
        .with_random_numbers(Synchronisation::ByNode)
        .build()
        .unwrap();
    assert_eq!(
        Simulation::new(&from_file, 1, 0).run(),
        Simulation::new(&built, 1, 0).run()
    );
    // And the two choices give different numbers.
    assert_ne!(
        Simulation::new(&from_file, 1, 0).run(),
        Simulation::new(&shared_review(2880.0, "by_order"), 1, 0).run()
    );
}

#[test]
fn whether_an_order_waited_does_not_change_its_service() {
    // With patience, an order that waits draws its patience; one served at
    // once does not. Its service time at the station must not depend on
    // it: one server (most orders wait) and fifty (none waits) give the
    // same service times, so the same mean service time up to the
    // rounding of the two means' sums.
    let model = |servers: u32| {
        let text = format!(
            r#"
[sources.orders]
rate_per_hour = 50
max_arrivals = 3000
to = "desk"

[stations.desk]
servers = {servers}
service_time_min = {{ dist = "exponential", mean = 1.0 }}
patience_min = {{ dist = "exponential", mean = 1e9 }}
renege_to = "gave_up"
to = "done"

[sinks.done]
[sinks.gave_up]
"#
        );
        Scenario::from_toml_str(&text).unwrap().build().unwrap()
    };
    let service = |servers| {
        let r = Simulation::new(&model(servers), 11, 0).run();
        let desk = r.station("desk").unwrap();
        assert_eq!(r.sink("gave_up").unwrap().count, 0);
        assert_eq!(desk.departures, 3000);
        (
            desk.sojourn.mean().unwrap() - desk.wait.mean().unwrap(),
            desk.wait.mean().unwrap(),
        )
    };
    let ((one, waited), (fifty, none)) = (service(1), service(50));
    assert!(waited > 0.0 && none == 0.0, "{waited} {none}");
    assert!((one - fifty).abs() < 1e-9 * fifty, "{one} {fifty}");
}
