//! Logistics parts against theory: finite rooms, blocking, reneging,
//! priorities, breakdowns, latest-of delays, attribute rules.

use crate::support::{across, assert_matches, replicate};
use cbec_sim::experiment::{Replications, Seed};
use cbec_sim::theory::{ErlangA, MMcK, cobham_waits, erlang_b};
use cbec_sim::{
    Breakdowns, Comparison, Delay, Dist, Model, Overflow, Route, Router, Rule, RunSummary, SimTime,
    Sink, Source, Station, run_replications,
};

fn finite_room(lambda_per_min: f64, servers: u32, room: u32) -> Model {
    Model::builder()
        .with_source("arrivals", Source::poisson(lambda_per_min * 60.0, "queue"))
        .with_station(
            "queue",
            Station::new(servers, Dist::exponential(1.0).unwrap(), "done")
                .with_queue_capacity(room, Overflow::RejectTo("turned_away".into())),
        )
        .with_sink("done", Sink::new())
        .with_sink("turned_away", Sink::new())
        .with_horizon(SimTime::from_hours(500.0))
        .with_warmup(SimTime::from_hours(10.0))
        .build()
        .unwrap()
}

fn blocking_share(r: &RunSummary) -> f64 {
    r.station("queue").unwrap().blocking_probability().unwrap()
}

#[test]
fn mmck_blocking_matches_formula() {
    let runs = replicate(&finite_room(2.5, 2, 3), 21);
    let q = MMcK {
        lambda: 2.5,
        mu: 1.0,
        servers: 2,
        capacity: 5,
    };
    assert_matches(
        "M/M/2/5 P(block)",
        &across(&runs, blocking_share),
        q.blocking(),
        0.0,
    );
    assert_matches(
        "M/M/2/5 L",
        &across(&runs, |r| {
            r.station("queue").unwrap().mean_in_station().unwrap()
        }),
        q.mean_in_system(),
        0.0,
    );
    // Little's law at the station, W = L / λ_admitted, per replication
    // with the same observed span: W from the sojourn moments.
    assert_matches(
        "M/M/2/5 W (min)",
        &across(&runs, |r| {
            r.station("queue").unwrap().sojourn_mean_min().unwrap()
        }),
        q.mean_in_system() / (2.5 * (1.0 - q.blocking())),
        0.0,
    );
    // Rejected orders end in the named sink.
    assert!(
        runs.iter()
            .all(|r| r.sink("turned_away").unwrap().count > 0 && r.conservation.holds())
    );
}

#[test]
fn mmcc_loss_matches_erlang_b() {
    let runs = replicate(&finite_room(2.0, 3, 0), 22);
    assert_matches(
        "M/M/3/3 P(block)",
        &across(&runs, blocking_share),
        erlang_b(3, 2.0),
        0.0,
    );
    assert!(runs.iter().all(|r| r.station("queue").unwrap().queued == 0));
}

/// Two exponential stations in series with no room between them and a
/// saturated first station: the classic blocking line, throughput 2μ/3,
/// the first station blocked a third of the time.
#[test]
fn two_station_line_with_blocking_matches_markov_chain() {
    let model = Model::builder()
        .with_source("flood", Source::poisson(600.0, "first"))
        .with_station(
            "first",
            Station::new(1, Dist::exponential(1.0).unwrap(), "second"),
        )
        .with_station(
            "second",
            Station::new(1, Dist::exponential(1.0).unwrap(), "done")
                .with_queue_capacity(0, Overflow::Block),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(100.0))
        .with_warmup(SimTime::from_hours(5.0))
        .build()
        .unwrap();
    let runs = replicate(&model, 23);
    assert_matches(
        "blocking line throughput (per min)",
        &across(&runs, |r| {
            r.station("second").unwrap().throughput_per_hour().unwrap() / 60.0
        }),
        2.0 / 3.0,
        0.0,
    );
    assert_matches(
        "first station blocked share",
        &across(&runs, |r| {
            r.station("first").unwrap().blocked.mean().unwrap()
        }),
        1.0 / 3.0,
        0.0,
    );
    assert!(
        runs.iter()
            .all(|r| r.conservation.holds() && r.station("second").unwrap().queued == 0)
    );
}

#[test]
fn reneging_matches_erlang_a() {
    let model = Model::builder()
        .with_source("arrivals", Source::poisson(60.0, "queue"))
        .with_station(
            "queue",
            Station::new(1, Dist::exponential(1.0).unwrap(), "done")
                .with_patience(Dist::exponential(2.0).unwrap(), "gave_up"),
        )
        .with_sink("done", Sink::new())
        .with_sink("gave_up", Sink::new())
        .with_horizon(SimTime::from_hours(500.0))
        .with_warmup(SimTime::from_hours(10.0))
        .build()
        .unwrap();
    let runs = replicate(&model, 24);
    let a = ErlangA {
        lambda: 1.0,
        mu: 1.0,
        servers: 1,
        theta: 0.5,
    };
    assert_matches(
        "M/M/1+M abandonment",
        &across(&runs, |r| {
            let q = r.station("queue").unwrap();
            q.reneged as f64 / q.arrivals as f64
        }),
        a.abandonment(),
        0.0,
    );
    assert_matches(
        "M/M/1+M mean queue",
        &across(&runs, |r| {
            r.station("queue").unwrap().queue_length.mean().unwrap()
        }),
        a.mean_queue(),
        0.0,
    );
    assert!(
        runs.iter()
            .all(|r| r.sink("gave_up").unwrap().count > 0 && r.conservation.holds())
    );
}

#[test]
fn two_class_priority_matches_cobham() {
    let model = Model::builder()
        .with_source(
            "arrivals",
            Source::poisson(0.8 * 60.0, "queue")
                .with_class("express", 0.375)
                .with_class("standard", 0.625),
        )
        .with_station(
            "queue",
            Station::new(1, Dist::exponential(1.0).unwrap(), "by_class")
                .with_priority("express", 0)
                .with_priority("standard", 1),
        )
        .with_router(
            "by_class",
            Router::new(vec![Route::new("standard_done", 1.0)])
                .with_class_routes("express", vec![Route::new("express_done", 1.0)]),
        )
        .with_sink("express_done", Sink::new())
        .with_sink("standard_done", Sink::new())
        .with_horizon(SimTime::from_hours(2000.0))
        .with_warmup(SimTime::from_hours(50.0))
        .build()
        .unwrap();
    let runs = replicate(&model, 25);
    let w = cobham_waits(&[(0.3, 1.0, 2.0), (0.5, 1.0, 2.0)]).unwrap();
    // Orders enter the queue on arrival, so time in system = wait + service (mean 1 min).
    for (sink, wait) in [("express_done", w[0]), ("standard_done", w[1])] {
        assert_matches(
            &format!("Cobham {sink} time in system (min)"),
            &across(&runs, |r| {
                r.sink(sink).unwrap().time_in_system.mean().unwrap() / 60.0
            }),
            wait + 1.0,
            0.0,
        );
    }
    // The same figures per class at the station and at a shared sink, without
    // routing each class to its own sink. Classes are listed sorted:
    // express (0), standard (1).
    for (class, wait) in [(0, w[0]), (1, w[1])] {
        let station = |r: &RunSummary| r.station("queue").unwrap().by_class[class].clone();
        assert_eq!(station(&runs[0]).class, ["express", "standard"][class]);
        assert_matches(
            &format!("Cobham class {class} wait at the station (min)"),
            &across(&runs, |r| station(r).wait_mean_min().unwrap()),
            wait,
            0.0,
        );
        assert_matches(
            &format!("Cobham class {class} time at the station (min)"),
            &across(&runs, |r| station(r).time_mean_min().unwrap()),
            wait + 1.0,
            0.0,
        );
    }
}

#[test]
fn per_class_times_partition_the_station_and_sink_figures() {
    // One sink for both classes: its per-class counts and means must add
    // up to its own, exactly (same orders, same seconds).
    let model = Model::builder()
        .with_source(
            "arrivals",
            Source::poisson(40.0, "queue")
                .with_class("a", 0.5)
                .with_class("b", 0.5),
        )
        .with_station(
            "queue",
            Station::new(1, Dist::exponential(1.0).unwrap(), "done").with_priority("a", 0),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(200.0))
        .with_warmup(SimTime::from_hours(10.0))
        .build()
        .unwrap();
    let run = &run_replications(&model, Seed(3), Replications::first(1)).unwrap()[0];
    let st = run.station("queue").unwrap();
    let sink = run.sink("done").unwrap();
    assert_eq!(st.by_class.len(), 2);
    assert_eq!(
        st.by_class.iter().map(|c| c.wait.count()).sum::<u64>(),
        st.wait.count()
    );
    assert_eq!(
        st.by_class.iter().map(|c| c.time.count()).sum::<u64>(),
        st.sojourn.count()
    );
    assert_eq!(
        sink.by_class.iter().map(|c| c.time.count()).sum::<u64>(),
        sink.count
    );
    let total: f64 = sink.by_class.iter().map(|c| c.time.sum()).sum();
    let mean = sink.time_in_system.mean().unwrap();
    assert!(
        (total / sink.count as f64 - mean).abs() < 1e-9 * mean,
        "{total} vs {mean}"
    );
    // The urgent class waits less.
    assert!(st.by_class[0].wait_mean_min() < st.by_class[1].wait_mean_min());
    // The catalogue offers them by name.
    let cat = cbec_sim::experiment::KpiCatalogue::for_run(run);
    let a_wait = cat.kpi("queue.by_class.a.wait_mean_min").unwrap();
    assert_eq!(cat.get(a_wait, run), st.by_class[0].wait_mean_min());
    let b_tis = cat.kpi("done.by_class.b.time_in_system_mean_min").unwrap();
    assert_eq!(cat.get(b_tis, run), sink.by_class[1].time_mean_min());
    // A one-class model keeps no per-class copy.
    let one = Model::builder()
        .with_source("arrivals", Source::poisson(40.0, "queue"))
        .with_station(
            "queue",
            Station::new(1, Dist::exponential(1.0).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(10.0))
        .build()
        .unwrap();
    let run = &run_replications(&one, Seed(3), Replications::first(1)).unwrap()[0];
    assert!(run.station("queue").unwrap().by_class.is_empty());
    assert!(run.sink("done").unwrap().by_class.is_empty());
}

#[test]
fn availability_matches_up_and_repair_means() {
    let model = Model::builder()
        .with_source("arrivals", Source::poisson(30.0, "review"))
        .with_station(
            "review",
            Station::infinite(Dist::exponential(0.1).unwrap(), "done").with_breakdowns(
                Breakdowns::new(
                    Dist::exponential(10.0).unwrap(),
                    Dist::exponential(60.0).unwrap(),
                ),
            ),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(2000.0))
        .build()
        .unwrap();
    let runs = replicate(&model, 26);
    // Up 10 h on average, down 1 h: availability 10/11.
    assert_matches(
        "availability",
        &across(&runs, |r| {
            r.station("review").unwrap().availability().unwrap()
        }),
        10.0 / 11.0,
        0.0,
    );
    // Orders that arrive during an outage wait for the repair; others do not.
    assert!(runs.iter().all(|r| r.station("review").unwrap().queued > 0));
}

#[test]
fn latest_of_delay_mean_is_mean_of_maximum() {
    let (a, b, c) = (1.0f64, 2.0f64, 4.0f64);
    let model = Model::builder()
        .with_source("orders", Source::poisson(60.0, "documents"))
        .with_delay(
            "documents",
            Delay::latest_of("done")
                .with_part("order", Dist::exponential(a).unwrap())
                .with_part("payment", Dist::exponential(b).unwrap())
                .with_part("waybill", Dist::exponential(c).unwrap()),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(200.0))
        .build()
        .unwrap();
    let runs = replicate(&model, 27);
    // E[max] by inclusion–exclusion over the rates.
    let (la, lb, lc) = (1.0 / a, 1.0 / b, 1.0 / c);
    let expected =
        a + b + c - 1.0 / (la + lb) - 1.0 / (la + lc) - 1.0 / (lb + lc) + 1.0 / (la + lb + lc);
    assert_matches(
        "latest-of-three delay (min)",
        &across(&runs, |r| {
            r.station("documents").unwrap().sojourn_mean_min().unwrap()
        }),
        expected,
        0.0,
    );
    assert!(
        runs.iter()
            .all(|r| r.station("documents").unwrap().queued == 0)
    );
}

#[test]
fn attribute_rule_share_matches_the_distribution_tail() {
    use statrs::distribution::{ContinuousCDF, LogNormal};
    let model = Model::builder()
        .with_source(
            "orders",
            Source::poisson(600.0, "limit")
                .with_attribute("basket_value_cny", Dist::lognormal(2000.0, 1.5).unwrap()),
        )
        .with_router(
            "limit",
            Router::new(vec![Route::new("accepted", 1.0)]).with_rule(Rule::new(
                "basket_value_cny",
                Comparison::Greater,
                5000.0,
                "over_limit",
            )),
        )
        .with_sink("accepted", Sink::new())
        .with_sink("over_limit", Sink::new())
        .with_horizon(SimTime::from_hours(20.0))
        .build()
        .unwrap();
    let runs = replicate(&model, 28);
    let s2 = (1.0f64 + 1.5 * 1.5).ln();
    let tail = 1.0
        - LogNormal::new(2000f64.ln() - s2 / 2.0, s2.sqrt())
            .unwrap()
            .cdf(5000.0);
    assert_matches(
        "share over 5,000 CNY",
        &across(&runs, |r| {
            r.sink("over_limit").unwrap().count as f64 / r.network.entered as f64
        }),
        tail,
        0.0,
    );
}

/// A rework loop bounded by an attempt counter: after the third attempt the
/// order is cancelled, so a quarter of orders (fail, fail) end cancelled.
#[test]
fn attempt_counter_bounds_rework_loop() {
    let model = Model::builder()
        .with_source("orders", Source::poisson(60.0, "check"))
        .with_station(
            "check",
            Station::infinite(Dist::exponential(1.0).unwrap(), "outcome")
                .with_increment("attempts"),
        )
        .with_router(
            "outcome",
            Router::new(vec![Route::new("check", 0.5), Route::new("released", 0.5)]).with_rule(
                Rule::new("attempts", Comparison::GreaterOrEqual, 3.0, "cancelled"),
            ),
        )
        .with_sink("released", Sink::new())
        .with_sink("cancelled", Sink::new())
        .with_horizon(SimTime::from_hours(100.0))
        .build()
        .unwrap();
    let runs = replicate(&model, 29);
    assert_matches(
        "cancelled share",
        &across(&runs, |r| {
            let (rel, can) = (
                r.sink("released").unwrap().count,
                r.sink("cancelled").unwrap().count,
            );
            can as f64 / (rel + can) as f64
        }),
        0.25,
        0.0,
    );
    // Visits per order: 1 + 0.5 + 0.25 = 1.75 on average.
    assert_matches(
        "visits per order",
        &across(&runs, |r| {
            r.station("check").unwrap().arrivals as f64 / r.network.entered as f64
        }),
        1.75,
        0.0,
    );
}
