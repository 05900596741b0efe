//! Invariants on randomly generated valid networks (proptest): conservation,
//! no negative waits, FIFO within a class at FIFO stations, a clock that
//! never goes back, the same result for the same seed, on 1 and 2 threads,
//! and from merged shards.

use cbec_sim::experiment::{Experiment, Replications, Seed, ShardResult};
use cbec_sim::{
    Dist, Model, Overflow, Route, Router, SimTime, Simulation, Sink, Source, Station,
    run_replications,
};
use proptest::prelude::*;

/// One station of a random network.
#[derive(Debug, Clone)]
struct StationSpec {
    servers: u32,
    mean_min: f64,
    lognormal: bool,
    /// A finite waiting room that rejects to the sink.
    room: Option<u32>,
    /// Probability of going back to station 0 (rework).
    back: f64,
    /// Probability of leaving the network after this station.
    leave: f64,
    priority_express: bool,
}

#[derive(Debug, Clone)]
struct NetworkSpec {
    rate_per_hour: f64,
    express_share: f64,
    stations: Vec<StationSpec>,
    horizon_h: f64,
}

fn station_spec() -> impl Strategy<Value = StationSpec> {
    (
        1u32..4,
        0.2f64..3.0,
        any::<bool>(),
        prop::option::of(0u32..20),
        0.0f64..0.3,
        0.0f64..0.5,
        any::<bool>(),
    )
        .prop_map(
            |(servers, mean_min, lognormal, room, back, leave, priority_express)| StationSpec {
                servers,
                mean_min,
                lognormal,
                room,
                back,
                leave,
                priority_express,
            },
        )
}

fn network_spec() -> impl Strategy<Value = NetworkSpec> {
    (
        5.0f64..120.0,
        0.0f64..0.5,
        prop::collection::vec(station_spec(), 1..5),
        5.0f64..40.0,
    )
        .prop_map(
            |(rate_per_hour, express_share, stations, horizon_h)| NetworkSpec {
                rate_per_hour,
                express_share,
                stations,
                horizon_h,
            },
        )
}

/// Station i is followed by router i: back to station 0, out, or on to
/// station i + 1 (the last station's "on" is the sink).
fn build(spec: &NetworkSpec) -> Model {
    let n = spec.stations.len();
    let mut b = Model::builder()
        .with_source(
            "orders",
            Source::poisson(spec.rate_per_hour, "s0")
                .with_class("standard", 1.0 - spec.express_share)
                .with_class("express", spec.express_share),
        )
        .with_sink("done", Sink::new())
        .with_sink("turned_away", Sink::new())
        .with_horizon(SimTime::from_hours(spec.horizon_h));
    for (i, s) in spec.stations.iter().enumerate() {
        let service = if s.lognormal {
            Dist::lognormal(s.mean_min, 1.2).unwrap()
        } else {
            Dist::exponential(s.mean_min).unwrap()
        };
        let mut st = Station::new(s.servers, service, format!("r{i}"));
        if let Some(k) = s.room {
            st = st.with_queue_capacity(k, Overflow::RejectTo("turned_away".into()));
        }
        if s.priority_express {
            st = st.with_priority("express", 0);
        }
        b = b.with_station(format!("s{i}"), st);
        let next = if i + 1 < n {
            format!("s{}", i + 1)
        } else {
            "done".into()
        };
        let on = 1.0 - s.back - s.leave;
        b = b.with_router(
            format!("r{i}"),
            Router::new(vec![
                Route::new("s0", s.back),
                Route::new("done", s.leave),
                Route::new(next, on),
            ]),
        );
    }
    b.build().expect("generated networks are valid")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn orders_are_conserved_and_waits_are_never_negative(spec in network_spec(), seed in 0u64..1000) {
        let model = build(&spec);
        let run = Simulation::new(&model, seed, 0).run();
        prop_assert!(run.conservation.holds(), "{:?}", run.conservation);
        for s in &run.stations {
            if let Some(min) = s.wait.min() {
                prop_assert!(min >= 0.0, "{}: wait {min}", s.name);
            }
            if let Some(min) = s.sojourn.min() {
                prop_assert!(min >= 0.0, "{}: sojourn {min}", s.name);
            }
            prop_assert!(s.departures <= s.arrivals, "{}", s.name);
        }
    }

    #[test]
    fn fifo_stations_serve_each_class_in_arrival_order(spec in network_spec(), seed in 0u64..1000) {
        let model = build(&spec);
        let mut sim = Simulation::new(&model, seed, 0);
        sim.record_service_starts();
        sim.run_until(SimTime::from_hours(spec.horizon_h));
        let mut checked = 0;
        for (i, st) in spec.stations.iter().enumerate() {
            let starts = sim.service_starts(&format!("s{i}")).expect("recording");
            if st.priority_express {
                continue;
            }
            for class in 0..model.classes().len() as u16 {
                let entered: Vec<f64> = starts.iter().filter(|s| s.0 == class).map(|s| s.1).collect();
                checked += entered.len();
                prop_assert!(
                    entered.windows(2).all(|w| w[0] <= w[1]),
                    "s{i}, class {class}: a later arrival started first"
                );
            }
        }
        // The check saw orders whenever a FIFO station exists.
        prop_assert!(checked > 0 || spec.stations.iter().all(|s| s.priority_express));
    }

    #[test]
    fn the_clock_never_goes_back(spec in network_spec(), seed in 0u64..1000) {
        let model = build(&spec);
        let mut sim = Simulation::new(&model, seed, 0);
        let horizon = SimTime::from_hours(spec.horizon_h);
        let mut last = SimTime::ZERO;
        let mut events = 0u64;
        // `step` ignores the horizon (stepping is manual): step past it once.
        while let Some(t) = sim.step() {
            prop_assert!(t >= last, "{t:?} after {last:?}");
            prop_assert_eq!(sim.now(), t);
            last = t;
            events += 1;
            if t > horizon {
                break;
            }
        }
        prop_assert!(events > 0);
    }

    #[test]
    fn same_seed_same_result_on_any_thread_count_and_any_sharding(spec in network_spec(), seed in 0u64..1000) {
        let model = build(&spec);
        let a = Simulation::new(&model, seed, 3).run();
        let b = Simulation::new(&model, seed, 3).run();
        prop_assert_eq!(&a, &b);
        let pool = |t| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
        let one = pool(1).install(|| run_replications(&model, Seed(seed), Replications::first(4)).unwrap());
        let two = pool(2).install(|| run_replications(&model, Seed(seed), Replications::first(4)).unwrap());
        prop_assert_eq!(&one, &two);
        prop_assert_eq!(&one[3], &a);
        let whole = Experiment::new(&model).with_seed(Seed(seed)).with_replications(Replications::new(0..4).unwrap()).run().map(|r| r.shard).unwrap();
        let merged = ShardResult::merge(vec![
            Experiment::new(&model).with_seed(Seed(seed)).with_replications(Replications::new(2..4).unwrap()).run().map(|r| r.shard).unwrap(),
            Experiment::new(&model).with_seed(Seed(seed)).with_replications(Replications::new(0..1).unwrap()).run().map(|r| r.shard).unwrap(),
            Experiment::new(&model).with_seed(Seed(seed)).with_replications(Replications::new(1..2).unwrap()).run().map(|r| r.shard).unwrap(),
        ])
        .unwrap();
        prop_assert_eq!(whole, merged);
    }
}
