//! Numbers a planner can defend (issue 13): throughput at the exit,
//! cohort lead times that count the orders still inside, the window's
//! flows conserving orders, the daily series and the peak day, and the
//! start-up check on the shipped weeks.

use crate::support::Z;
use cbec_sim::experiment::{
    Difference, KpiCatalogue, KpiEstimate, Replications, Seed, compare, result_flags, startup_check,
};
use cbec_sim::{Measure, Model, RunSummary, Scenario, Simulation, run_replications};

/// One desk behind a fast release step: orders placed at 10/h, released at
/// once (a 1-minute check with many servers), served by a picker whose
/// capacity is 70% of demand (7/h), then leaving the zone.
fn overloaded(horizon_h: f64, drain_h: f64) -> Model {
    Scenario::from_toml_str(&format!(
        r#"
        [simulation]
        start = "2024-10-14T00:00"
        preroll_h = 24
        horizon_h = {horizon_h}
        drain_h = {drain_h}

        [sources.orders]
        rate_per_hour = 10
        to = "release"

        [stations.release]
        servers = "infinite"
        service_time_min = {{ dist = "deterministic", value = 1 }}
        milestone = "placed"
        to = "pick"

        [stations.pick]
        servers = 1
        service_time_min = {{ dist = "exponential", mean = 8.571428571428571 }}
        milestone = "released"
        to = "left_zone"

        [sinks.left_zone]
        milestone = "left"

        [intervals.order_to_exit]
        from = "placed"
        to = "left"
        [intervals.clearance]
        from = "placed"
        to = "released"

        [report]
        released = "clearance"
        lead_time = "order_to_exit"
        clearance = "clearance"
        utilization = {{ pickers = "pick" }}
        "#
    ))
    .unwrap()
    .build()
    .unwrap()
}

fn estimates(runs: &[RunSummary]) -> Vec<KpiEstimate> {
    let cat = KpiCatalogue::for_run(&runs[0]);
    cat.ids()
        .map(|id| KpiEstimate::from_values(cat.name(id), runs.iter().map(|r| cat.get(id, r))))
        .collect()
}

fn kpi(estimates: &[KpiEstimate], name: &str) -> KpiEstimate {
    KpiEstimate::find(estimates, name).unwrap().clone()
}

/// At 70% capacity the picker is busy all the time, so orders leave at
/// its capacity, 7 an hour (168 a day), while releases follow demand.
#[test]
fn exits_per_day_equal_capacity_when_demand_exceeds_it() {
    let runs = run_replications(&overloaded(96.0, 0.0), Seed(5), Replications::first(20)).unwrap();
    let e = estimates(&runs);
    let exits = kpi(&e, "orders_exited_per_day");
    let se = exits.std_dev.unwrap() / (exits.n as f64).sqrt();
    assert!(
        (exits.mean.unwrap() - 168.0).abs() <= Z * se,
        "exits {:?} ± {se} against 168",
        exits.mean
    );
    // Release is stamped as an order reaches the picker, a minute after it
    // is placed: releases follow demand (240 a day), exits the picker.
    let released = kpi(&e, "orders_released_per_day");
    let placed = kpi(&e, "orders_placed_per_day").mean.unwrap();
    let se = released.std_dev.unwrap() / (released.n as f64).sqrt();
    assert!(
        (released.mean.unwrap() - placed).abs() <= 1.0 + Z * se,
        "released {:?}, placed {placed}",
        released.mean
    );
    assert!(
        (placed - 240.0).abs() <= Z * (240.0 / 4.0 / 20.0f64).sqrt(),
        "placed {placed}"
    );
}

/// Orders still inside count at their age: the cohort's p95 grows with the
/// window (the queue grows by 3 an hour), and the figures are flagged as
/// lower bounds.
#[test]
fn cohort_lead_times_grow_with_the_window_and_are_marked_lower_bounds() {
    let p95 = |h: f64| {
        let runs = run_replications(&overloaded(h, 0.0), Seed(5), Replications::first(10)).unwrap();
        let e = estimates(&runs);
        let inside = kpi(&e, "lead_time_still_inside_share").mean.unwrap();
        assert!(inside > 0.1, "{h} h: still inside {inside}");
        let flags = result_flags(&e);
        assert!(
            flags.iter().any(|f| f.contains("lower bounds")),
            "{flags:?}"
        );
        kpi(&e, "lead_time_p95_h").mean.unwrap()
    };
    let (short, long) = (p95(48.0), p95(96.0));
    // The oldest order of a window of length T has waited about 3T/7 h
    // of queue (24 h pre-roll included): p95 roughly doubles.
    assert!(
        long > 1.5 * short,
        "p95 {short} h over 48 h, {long} h over 96 h"
    );
}

/// A drain lets the cohort finish: nothing is left inside, and the cohort
/// of a stable system is the same with or without the drain when nothing
/// was left inside anyway.
#[test]
fn a_drain_empties_the_cohort() {
    let model = overloaded(24.0, 200.0);
    let r = Simulation::new(&model, 9, 0).run();
    let lead = r.interval("order_to_exit").unwrap();
    assert_eq!(lead.cohort.inside.count(), 0);
    assert_eq!(
        lead.cohort.done.count() + lead.cohort.left_without,
        lead.cohort.started
    );
    let drained = r.drained_to.unwrap();
    assert!(
        drained.hours() > 48.0 && drained.hours() <= 248.0,
        "{drained:?}"
    );
    // The window's own figures stop at the horizon.
    assert_eq!(r.end_time.hours(), 48.0);
}

/// Releases and exits differ when the picker falls behind, and each
/// interval's flows conserve orders, as does the network.
#[test]
fn releases_and_exits_each_conserve_orders() {
    // Trade growth on the baseline week: the pickers cannot keep up, so
    // customs releases run ahead of exits.
    let path = format!(
        "{}/scenarios/hongqiao_baseline.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let growth = Measure::builtin();
    let growth = Measure::find(&growth, "trade_growth").unwrap();
    let model = Scenario::from_path(&path)
        .unwrap()
        .with_measures([growth])
        .unwrap()
        .build()
        .unwrap();
    let r = Simulation::new(&model, 1, 0).run();
    for iv in &r.intervals {
        assert!(iv.conserves(), "{}: {iv:?}", iv.name);
    }
    let n = &r.network;
    assert_eq!(
        n.in_system_at_start + n.entered,
        n.left + r.conservation.in_system,
        "the network over the window"
    );
    let released = r.interval("clearance").unwrap().duration.count();
    let exited = r.interval("order_to_exit").unwrap().duration.count();
    assert!(
        released > exited + 10_000,
        "releases {released} should run well ahead of exits {exited}"
    );
}

/// Three days by hand: 10 orders at 10:30 every day and 30 more on
/// Tuesday; one picker, exactly 60 minutes an order.
fn hand_worked() -> Model {
    Scenario::from_toml_str(
        r#"
        [simulation]
        start = "2024-10-14T00:00"   # a Monday
        horizon_h = 96

        [sources.daily]
        to = "pick"
        timetable = [
          { at = "10:30", batch = { dist = "deterministic", value = 10 } },
          { days = ["tue"], at = "10:30", batch = { dist = "deterministic", value = 30 } },
        ]

        [stations.pick]
        servers = 1
        service_time_min = { dist = "deterministic", value = 60 }
        milestone = "placed"
        to = "out"

        [sinks.out]
        milestone = "left"

        [intervals.order_to_exit]
        from = "placed"
        to = "left"

        [report]
        released = "order_to_exit"
        lead_time = "order_to_exit"
        clearance = "order_to_exit"
        utilization = { pickers = "pick" }
        "#,
    )
    .unwrap()
    .build()
    .unwrap()
}

#[test]
fn the_daily_series_and_the_peak_day_match_a_hand_worked_case() {
    let r = Simulation::new(&hand_worked(), 1, 0).run();
    let days: Vec<(&str, u64, u64, u64)> = r
        .days
        .iter()
        .map(|d| (d.date.as_str(), d.entered, d.left, d.in_system_at_end))
        .collect();
    // Mon: 10 in, served 10:30-20:30. Tue: 40 in, 13 served by 23:30, 27
    // left. Wed: 10 in, 24 served, 13 left. Thu: 10 in, 23 served (the
    // last at 22:30), none left.
    assert_eq!(
        days,
        [
            ("2024-10-14", 10, 10, 0),
            ("2024-10-15", 40, 13, 27),
            ("2024-10-16", 10, 24, 13),
            ("2024-10-17", 10, 23, 0)
        ]
    );
    // The days add up exactly to the window.
    assert_eq!(
        r.days.iter().map(|d| d.entered).sum::<u64>(),
        r.network.entered
    );
    assert_eq!(r.days.iter().map(|d| d.left).sum::<u64>(), r.network.left);
    let starts: u64 = r.days.iter().map(|d| d.intervals[0].started).sum();
    assert_eq!(starts, r.interval("order_to_exit").unwrap().cohort.started);
    let busy: Vec<f64> = r.days.iter().map(|d| d.stations[0].busy_h).collect();
    for (got, want) in busy.iter().zip([10.0, 13.5, 24.0, 22.5]) {
        assert!((got - want).abs() < 1e-9, "{busy:?}");
    }
    let cat = KpiCatalogue::for_run(&r);
    let get = |name: &str| cat.get(cat.kpi(name).unwrap(), &r);
    assert_eq!(get("peak_day_orders_placed"), Some(40.0));
    assert_eq!(get("peak_day_orders_exited"), Some(13.0));
    assert_eq!(get("peak_day_backlog_at_end"), Some(27.0));
    assert_eq!(get("peak_day_utilization_pickers"), Some(13.5 / 24.0));
    // Empty again at Thursday 23:00, 47 h after Tuesday ended.
    assert_eq!(get("peak_backlog_clear_h"), Some(47.0));
    assert_eq!(get("peak_backlog_cleared"), Some(1.0));
    // Exits in the window: every order, 70 over 4 days.
    assert_eq!(get("orders_exited_per_day"), Some(70.0 / 4.0));
}

/// The shipped weeks: doubling the pre-roll moves no headline KPI, and
/// e-payment does not raise exit throughput in the ordinary week (in the
/// Double 11 week its exit effect is the backlog it moves across the
/// window's ends, which the flows account for exactly).
#[test]
fn the_shipped_weeks_start_without_bias() {
    for file in ["hongqiao_baseline.toml", "hongqiao_double11.toml"] {
        let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        let scenario = Scenario::from_path(&path).unwrap();
        let model = scenario.build().unwrap();
        let check = startup_check(&model, Seed(11), Replications::first(4)).unwrap();
        assert!(check.passed, "{file}: {}", check.summary());
        assert!(check.kpis.iter().any(|k| k.name == "orders_exited_per_day"));
    }
    let path = format!(
        "{}/scenarios/hongqiao_baseline.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let scenario = Scenario::from_path(&path).unwrap();
    let measures = Measure::builtin();
    let epay = Measure::find(&measures, "electronic_bills_and_payments").unwrap();
    let variant = scenario
        .clone()
        .with_measures([epay])
        .unwrap()
        .build()
        .unwrap();
    let diffs = compare(
        &scenario.build().unwrap(),
        &variant,
        Seed(1),
        Replications::first(6),
    )
    .unwrap();
    let exits = Difference::find(&diffs, "orders_exited_per_day").unwrap();
    let (m, h) = (
        exits.effect.mean.unwrap(),
        exits.effect.half_width_95.unwrap(),
    );
    assert!(m.abs() <= h, "e-payment exit effect {m} ± {h}");
}

/// Orders that start or leave exactly as the window opens or closes are
/// counted once: in the flows that open it, or in the cohort, never both;
/// and every flow still conserves orders. (A review found the cohort
/// counting such an order twice, and a drain then running to its end.)
#[test]
fn window_edges_count_each_order_once() {
    let model = |simulation: &str, at: &str, to: &str| {
        Scenario::from_toml_str(&format!(
            r#"
            [simulation]
            start = "2024-10-14T00:00"
            {simulation}

            [sources.daily]
            to = "pick"
            timetable = [ {{ at = "{at}", batch = {{ dist = "deterministic", value = 5 }} }} ]

            [stations.pick]
            servers = 1
            service_time_min = {{ dist = "deterministic", value = 60 }}
            milestone = "placed"
            to = "{to}"

            [routers.split]
            routes = [ {{ to = "out", prob = 0.5 }}, {{ to = "reject", prob = 0.5 }} ]

            [sinks.out]
            milestone = "left"
            [sinks.reject]

            [intervals.order_to_exit]
            from = "placed"
            to = "left"
            "#
        ))
        .unwrap()
        .build()
        .unwrap()
    };
    let cases = [
        // A batch arriving exactly at the horizon.
        ("horizon_h = 34.5", "10:30", "out"),
        // An order leaving through the reject sink exactly at the horizon.
        ("horizon_h = 35.5", "10:30", "split"),
        // A batch arriving exactly as the warm-up ends.
        ("horizon_h = 72\nwarmup_h = 10.5", "10:30", "out"),
        // A batch arriving exactly as the pre-roll ends.
        ("horizon_h = 72\npreroll_h = 24", "00:00", "out"),
        // The same with a drain.
        (
            "horizon_h = 72\npreroll_h = 24\ndrain_h = 48",
            "00:00",
            "split",
        ),
        // A window opening at time zero.
        ("horizon_h = 72", "00:00", "split"),
    ];
    for (simulation, at, to) in cases {
        let m = model(simulation, at, to);
        for seed in 0..3 {
            let r = Simulation::new(&m, seed, 0).run();
            let iv = r.interval("order_to_exit").unwrap();
            assert!(iv.conserves(), "{simulation} / {at}: {iv:?}");
            let c = &iv.cohort;
            assert_eq!(
                c.done.count() + c.left_without + c.inside.count(),
                c.started,
                "{simulation} / {at}: {c:?}"
            );
            if let Some(t) = r.drained_to {
                assert!(
                    t < m.window().unwrap().end + m.drain(),
                    "{simulation}: the cohort emptied, yet the drain ran to its end ({t:?})"
                );
            }
        }
    }
}

/// The tandem line (at 100 orders an hour every stage is at utilisation
/// 0.83) run for `horizon_h` after a warm-up of `warmup_h`, with `rate`
/// orders an hour.
fn tandem_line(horizon_h: f64, warmup_h: f64, rate: f64) -> Model {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/tandem.toml");
    Scenario::from_path(path)
        .unwrap()
        .with_value("simulation.horizon_h", horizon_h)
        .unwrap()
        .with_value("simulation.warmup_h", warmup_h)
        .unwrap()
        .with_value("sources.orders.rate_per_hour", rate)
        .unwrap()
        .build()
        .unwrap()
}

/// Whether a 10-replication study under `seed` is flagged as a growing
/// backlog.
fn flagged(model: &Model, seed: u64) -> bool {
    let result = cbec_sim::Experiment::new(model)
        .with_seed(Seed(seed))
        .with_replications(Replications::first(10))
        .run()
        .unwrap();
    cbec_sim::experiment::growing_backlog(&result.shard.estimates()).is_some()
}

#[test]
fn a_stable_line_is_not_flagged_as_a_growing_backlog_across_100_seeds() {
    // The test is one-sided at 99% with a variance bounded from above:
    // at most 1% of studies of a stable line are flagged, about 1 in 100;
    // more than 5 would happen with probability 0.06% at a 1% rate.
    // Measured: none of the 100 in either case.
    for (horizon, warmup, what) in [(200.0, 20.0, "warmed up"), (30.0, 0.0, "from empty")] {
        let stable = tandem_line(horizon, warmup, 100.0);
        let alarms = (1..=100).filter(|&s| flagged(&stable, s)).count();
        assert!(
            alarms <= 5,
            "{alarms} of 100 stable studies ({what}) flagged"
        );
    }
    // The same line offered 1.08 times its capacity over 200 h is flagged
    // every time (over 30 h from empty, the test misses 2 in 20: its
    // bound on the variance costs power on short runs).
    let over = tandem_line(200.0, 20.0, 130.0);
    let missed = (1..=20).filter(|&s| !flagged(&over, s)).count();
    assert_eq!(missed, 0, "{missed} of 20 overloaded studies not flagged");
}

#[test]
fn quantiles_that_mislead_are_flagged() {
    let est = |name: &str, values: &[f64]| {
        KpiEstimate::from_values(name, values.iter().copied().map(Some))
    };
    let flags = cbec_sim::experiment::quantile_flags(&[
        est("clearance_mean_min", &[55.0, 61.0, 57.7]),
        est("clearance_p95_min", &[1.2, 4.5, 0.1]),
        est("direct_mail_9610_p50_h", &[25.4268, 25.4268, 25.4268]),
        est("direct_mail_9610_p95_h", &[25.4268, 25.4268, 25.4268]),
        est("direct_mail_9610_mean_h", &[20.1, 20.3, 19.9]),
        est("lead_time_p50_h", &[3.0, 3.1, 2.9]),
    ]);
    assert_eq!(flags.len(), 2, "{flags:#?}");
    assert!(
        flags[0].starts_with("clearance_p95_min (1.933) is below clearance_mean_min (57.900): more than 5% of the orders"),
        "{}",
        flags[0]
    );
    // One flag for the figure, however many of its quantiles are pinned.
    assert!(
        flags[1].starts_with(
            "direct_mail_9610_p50_h is 25.427 in all 3 replications while its mean varies: it is pinned to a schedule (a departure or a cut-off), or the replications differ by less than the 0.149 h bucket"
        ),
        "{}",
        flags[1]
    );
    // One replication has no spread to speak of: nothing to flag.
    assert!(cbec_sim::experiment::quantile_flags(&[est("x_p95_h", &[2.0])]).is_empty());
}

/// A constant 30-minute delay: every order takes exactly its mean, and the
/// p95, read from a histogram bucket, may sit a little below it. That is
/// within the bucket, not a heavy tail; and a constant is what it says,
/// not a quantile pinned by a schedule.
#[test]
fn a_constant_duration_is_not_flagged() {
    let model = cbec_sim::Model::builder()
        .with_source("orders", cbec_sim::Source::poisson(10.0, "hold"))
        .with_station(
            "hold",
            cbec_sim::Station::infinite(cbec_sim::Dist::deterministic(30.0).unwrap(), "done"),
        )
        .with_sink("done", cbec_sim::Sink::new())
        .with_horizon(cbec_sim::SimTime::from_hours(100.0))
        .build()
        .unwrap();
    let result = cbec_sim::Experiment::new(&model)
        .with_replications(Replications::first(5))
        .run()
        .unwrap();
    let estimates = result.shard.estimates();
    let sojourn = KpiEstimate::find(&estimates, "network.time_in_system_p95_min").unwrap();
    assert_eq!(sojourn.std_dev, Some(0.0), "pinned: {sojourn:?}");
    let flags = cbec_sim::experiment::quantile_flags(&estimates);
    assert!(
        flags
            .iter()
            .all(|f| !f.starts_with("network.time_in_system")),
        "{flags:#?}"
    );
    assert!(flags.iter().all(|f| !f.contains("is below")), "{flags:#?}");
}
