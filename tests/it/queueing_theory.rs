//! The engine against closed-form queueing results. Tolerances: see `support`.

use crate::support::{HISTOGRAM_REL_ERROR, across, assert_matches, replicate};
use cbec_sim::theory::{MMc, jackson_flows, pollaczek_khinchine_wait};
use cbec_sim::{Dist, Model, Route, Router, RunSummary, SimTime, Sink, Source, Station};

/// A single station fed by Poisson arrivals (`lambda` per minute).
fn single_station(lambda_per_min: f64, servers: u32, service_min: Dist, hours: f64) -> Model {
    Model::builder()
        .with_source("arrivals", Source::poisson(lambda_per_min * 60.0, "queue"))
        .with_station("queue", Station::new(servers, service_min, "done"))
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(hours))
        .with_warmup(SimTime::from_hours(hours / 20.0))
        .build()
        .unwrap()
}

fn wait_min(r: &RunSummary) -> f64 {
    r.stations[0].wait_mean_min().unwrap()
}

#[test]
fn mm1_mean_wait_matches_formula() {
    let model = single_station(0.8, 1, Dist::exponential(1.0).unwrap(), 2000.0);
    let runs = replicate(&model, 1);
    let q = MMc {
        lambda: 0.8,
        mu: 1.0,
        servers: 1,
    };
    assert_matches(
        "M/M/1 Wq (min)",
        &across(&runs, wait_min),
        q.mean_wait().unwrap(),
        0.0,
    );
    assert_matches(
        "M/M/1 utilisation",
        &across(&runs, |r| r.stations[0].utilization().unwrap()),
        q.utilization(),
        0.0,
    );
    assert_matches(
        "M/M/1 L",
        &across(&runs, |r| r.stations[0].in_station.mean().unwrap()),
        q.mean_in_system().unwrap(),
        0.0,
    );
}

#[test]
fn mm1_wait_quantiles_match_exact_distribution() {
    let model = single_station(0.8, 1, Dist::exponential(1.0).unwrap(), 2000.0);
    let runs = replicate(&model, 2);
    let q = MMc {
        lambda: 0.8,
        mu: 1.0,
        servers: 1,
    };
    for p in [0.5, 0.9, 0.95, 0.99] {
        let exact = q.wait_quantile(p).unwrap();
        let sim = across(&runs, |r| r.stations[0].wait_quantile_min(p).unwrap());
        assert_matches(
            &format!("M/M/1 wait p{p}"),
            &sim,
            exact,
            HISTOGRAM_REL_ERROR * exact,
        );
    }
}

#[test]
fn mmc_mean_wait_and_prob_wait_match_erlang_c() {
    let model = single_station(2.4, 3, Dist::exponential(1.0).unwrap(), 1000.0);
    let runs = replicate(&model, 3);
    let q = MMc {
        lambda: 2.4,
        mu: 1.0,
        servers: 3,
    };
    assert_matches(
        "M/M/3 P(wait)",
        &across(&runs, |r| r.stations[0].prob_wait().unwrap()),
        q.prob_wait().unwrap(),
        0.0,
    );
    assert_matches(
        "M/M/3 Wq (min)",
        &across(&runs, wait_min),
        q.mean_wait().unwrap(),
        0.0,
    );
    assert_matches(
        "M/M/3 Lq",
        &across(&runs, |r| r.stations[0].queue_length.mean().unwrap()),
        2.4 * q.mean_wait().unwrap(),
        0.0,
    );
}

#[test]
fn mmc_ten_servers_high_load_matches_erlang_c() {
    let model = single_station(9.0, 10, Dist::exponential(1.0).unwrap(), 500.0);
    let runs = replicate(&model, 4);
    let q = MMc {
        lambda: 9.0,
        mu: 1.0,
        servers: 10,
    };
    assert_matches(
        "M/M/10 P(wait)",
        &across(&runs, |r| r.stations[0].prob_wait().unwrap()),
        q.prob_wait().unwrap(),
        0.0,
    );
    assert_matches(
        "M/M/10 Wq (min)",
        &across(&runs, wait_min),
        q.mean_wait().unwrap(),
        0.0,
    );
}

#[test]
fn infinite_servers_mean_number_is_offered_load() {
    let model = Model::builder()
        .with_source("arrivals", Source::poisson(120.0, "delay"))
        .with_station(
            "delay",
            Station::infinite(Dist::lognormal(5.0, 0.7).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(500.0))
        .with_warmup(SimTime::from_hours(5.0))
        .build()
        .unwrap();
    let runs = replicate(&model, 5);
    // M/G/∞: L = λ E[S] whatever the service distribution; nobody waits.
    assert_matches(
        "M/G/inf L",
        &across(&runs, |r| r.stations[0].in_station.mean().unwrap()),
        2.0 * 5.0,
        0.0,
    );
    assert!(
        runs.iter()
            .all(|r| r.stations[0].queued == 0 && r.stations[0].wait.max() == Some(0.0))
    );
    assert_eq!(runs[0].stations[0].utilization(), None);
}

/// M/G/1 mean wait by Pollaczek–Khinchine, for every service family.
#[test]
fn mg1_mean_wait_matches_pollaczek_khinchine_for_each_family() {
    let lambda = 0.6;
    let families = [
        ("M/D/1", Dist::deterministic(1.0).unwrap()),
        ("M/lognormal/1", Dist::lognormal(1.0, 1.5).unwrap()),
        ("M/gamma/1", Dist::gamma(1.0, 0.5).unwrap()),
        ("M/uniform/1", Dist::uniform(0.25, 1.75).unwrap()),
        ("M/triangular/1", Dist::triangular(0.2, 0.6, 2.2).unwrap()),
        ("M/weibull/1", Dist::weibull(2.0, 1.1).unwrap()),
        ("M/truncnormal/1", Dist::truncated_normal(0.8, 0.6).unwrap()),
        (
            "M/empirical/1",
            Dist::empirical(vec![0.2, 0.5, 0.9, 1.0, 1.4, 2.0]).unwrap(),
        ),
        (
            "M/discrete/1",
            Dist::discrete(vec![0.5, 1.0, 3.0], vec![0.5, 0.4, 0.1]).unwrap(),
        ),
    ];
    for (i, (name, service)) in families.into_iter().enumerate() {
        let exact = pollaczek_khinchine_wait(lambda, service.mean(), service.scv()).unwrap();
        let model = single_station(lambda, 1, service, 1500.0);
        let runs = replicate(&model, 100 + i as u64);
        assert_matches(
            &format!("{name} Wq (min)"),
            &across(&runs, wait_min),
            exact,
            0.0,
        );
    }
}

/// An open Jackson network with a feedback loop:
/// source → a (2 servers) → b (1 server) → 25% back to a, 15% to c, 60% out.
#[test]
fn jackson_network_with_feedback_matches_product_form() {
    let model = Model::builder()
        .with_source("arrivals", Source::poisson(60.0, "a"))
        .with_station("a", Station::new(2, Dist::exponential(1.0).unwrap(), "b"))
        .with_station(
            "b",
            Station::new(1, Dist::exponential(0.4).unwrap(), "after_b"),
        )
        .with_router(
            "after_b",
            Router::new(vec![
                Route::new("a", 0.25),
                Route::new("c", 0.15),
                Route::new("out", 0.6),
            ]),
        )
        .with_station("c", Station::new(1, Dist::exponential(2.0).unwrap(), "out"))
        .with_sink("out", Sink::new())
        .with_horizon(SimTime::from_hours(1000.0))
        .with_warmup(SimTime::from_hours(50.0))
        .build()
        .unwrap();
    let flows = jackson_flows(
        &[1.0, 0.0, 0.0],
        &[
            vec![0.0, 1.0, 0.0],
            vec![0.25, 0.0, 0.15],
            vec![0.0, 0.0, 0.0],
        ],
    )
    .unwrap();
    let stations = [("a", 1.0, 2), ("b", 2.5, 1), ("c", 0.5, 1)];
    let runs = replicate(&model, 6);
    let mut total_l = 0.0;
    for ((name, mu, c), lambda) in stations.iter().zip(&flows) {
        let q = MMc {
            lambda: *lambda,
            mu: *mu,
            servers: *c,
        };
        let l = q.mean_in_system().unwrap();
        total_l += l;
        let sim = across(&runs, |r| {
            r.station(name).unwrap().in_station.mean().unwrap()
        });
        assert_matches(&format!("Jackson L at {name}"), &sim, l, 0.0);
        let rate = across(&runs, |r| {
            r.station(name).unwrap().arrival_rate_per_hour().unwrap() / 60.0
        });
        assert_matches(&format!("Jackson flow at {name}"), &rate, *lambda, 0.0);
    }
    assert_matches(
        "Jackson L network",
        &across(&runs, |r| r.network.in_system.mean().unwrap()),
        total_l,
        0.0,
    );
    // Little's law for the network: W = L / γ.
    assert_matches(
        "Jackson W network (min)",
        &across(&runs, |r| r.network.time_in_system.mean().unwrap() / 60.0),
        total_l / 1.0,
        0.0,
    );
}

/// Little's law L = λW at every station and for the network, in the tandem
/// network of the benchmarks (which has no closed form for its lognormal
/// stage).
#[test]
fn littles_law_holds_at_every_station() {
    let model = cbec_sim::presets::tandem()
        .with_horizon(SimTime::from_hours(1000.0))
        .with_warmup(SimTime::from_hours(20.0))
        .build()
        .unwrap();
    let runs = replicate(&model, 7);
    for name in model.station_names() {
        // Per replication: L - λW, whose expectation is 0 (up to the orders
        // present at the ends of the observed span, a vanishing effect).
        let gap = across(&runs, |r| {
            let s = r.station(name).unwrap();
            let lambda = s.arrival_rate_per_hour().unwrap() / 3600.0;
            s.in_station.mean().unwrap() - lambda * s.sojourn.mean().unwrap()
        });
        let l = across(&runs, |r| {
            r.station(name).unwrap().in_station.mean().unwrap()
        });
        let mean_gap = gap.mean().unwrap();
        let tol = crate::support::Z * gap.std_error().unwrap();
        assert!(
            mean_gap.abs() <= tol,
            "{name}: L - λW = {mean_gap} beyond {tol}"
        );
        assert!(
            tol < 0.05 * l.mean().unwrap(),
            "{name}: tolerance {tol} too wide"
        );
        // Queue part too: Lq = λ Wq.
        let gap_q = across(&runs, |r| {
            let s = r.station(name).unwrap();
            let lambda = s.arrival_rate_per_hour().unwrap() / 3600.0;
            s.queue_length.mean().unwrap() - lambda * s.wait.mean().unwrap()
        });
        assert!(
            gap_q.mean().unwrap().abs() <= crate::support::Z * gap_q.std_error().unwrap() + 1e-12,
            "{name}: Lq - λWq"
        );
    }
    let net_gap = across(&runs, |r| {
        let lambda = r.network.entered as f64 / r.network.in_system.duration;
        r.network.in_system.mean().unwrap() - lambda * r.network.time_in_system.mean().unwrap()
    });
    assert!(net_gap.mean().unwrap().abs() <= crate::support::Z * net_gap.std_error().unwrap());
}
