//! Engine throughput, in customers per second, on one core.
//!
//! `mmc` and `tandem` run the general engine with all its statistics;
//! `reference_*` run a minimal hand-written binary-heap loop of the same
//! model (rand + rand_distr, no statistics beyond a mean wait). After the
//! criterion groups, the bench times each engine model against its
//! reference in alternation (so that both see the same machine) and prints
//! the ratio of their speeds; the target is 0.9 or more.
//!
//! Run with `cargo bench --bench engine`.
use cbec_sim::{Dist, Model, Simulation, Sink, Source, Station, presets};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp, LogNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;
use std::time::Duration;

const CUSTOMERS: u64 = 1_000_000;

/// M/M/10 at rho = 0.9: 540 arrivals per hour, 1 minute mean service.
fn mmc_model() -> Model {
    Model::builder()
        .with_source(
            "arrivals",
            Source::poisson(540.0, "servers").with_max_arrivals(CUSTOMERS),
        )
        .with_station(
            "servers",
            Station::new(10, Dist::exponential(1.0).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .build()
        .unwrap()
}

/// The tandem network of the issue: 100 per hour through four stations.
fn tandem_model() -> Model {
    presets::tandem()
        .with_source(
            "orders",
            Source::poisson(100.0, "document_check").with_max_arrivals(CUSTOMERS),
        )
        .build()
        .unwrap()
}

#[derive(PartialEq, Clone, Copy)]
struct T(f64);
impl Eq for T {}
impl PartialOrd for T {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for T {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

/// The minimal loop: one heap of (time, kind, station, arrival time) events.
fn reference_loop(
    stations: &[(u32, Sample)],
    route_to_inspection: Option<(usize, f64)>,
    rate_per_min: f64,
    seed: u64,
) -> f64 {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let inter = Exp::new(rate_per_min).unwrap();
    let mut heap: BinaryHeap<Reverse<(T, u8, usize, T)>> = BinaryHeap::new();
    let mut busy = vec![0u32; stations.len()];
    let mut queues: Vec<VecDeque<f64>> = vec![VecDeque::new(); stations.len()];
    let (mut generated, mut wait_sum, mut waits) = (1u64, 0.0, 0u64);
    heap.push(Reverse((T(inter.sample(&mut rng)), 0, 0, T(0.0))));
    while let Some(Reverse((T(now), kind, st, _))) = heap.pop() {
        let target = if kind == 0 {
            if generated < CUSTOMERS {
                generated += 1;
                heap.push(Reverse((T(now + inter.sample(&mut rng)), 0, 0, T(0.0))));
            }
            Some(0)
        } else {
            if let Some(arrived) = queues[st].pop_front() {
                wait_sum += now - arrived;
                waits += 1;
                heap.push(Reverse((
                    T(now + stations[st].1.draw(&mut rng)),
                    1,
                    st,
                    T(now),
                )));
            } else {
                busy[st] -= 1;
            }
            let mut next = st + 1;
            if let Some((after, p)) = route_to_inspection
                && st == after
            {
                next = if rng.random::<f64>() < p {
                    after + 1
                } else {
                    after + 2
                };
            }
            (next < stations.len()).then_some(next)
        };
        if let Some(t) = target {
            if busy[t] < stations[t].0 {
                busy[t] += 1;
                waits += 1;
                heap.push(Reverse((
                    T(now + stations[t].1.draw(&mut rng)),
                    1,
                    t,
                    T(now),
                )));
            } else {
                queues[t].push_back(now);
            }
        }
    }
    wait_sum / waits as f64
}

#[derive(Clone, Copy)]
enum Sample {
    Exp(Exp<f64>),
    Log(LogNormal<f64>),
}
impl Sample {
    fn draw(&self, rng: &mut Xoshiro256PlusPlus) -> f64 {
        match self {
            Sample::Exp(d) => d.sample(rng),
            Sample::Log(d) => d.sample(rng),
        }
    }
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group
        .throughput(Throughput::Elements(CUSTOMERS))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    let mmc = mmc_model();
    group.bench_function(BenchmarkId::new("mmc", "c10_rho0.9"), |b| {
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            black_box(Simulation::new(&mmc, seed, 0).run())
        })
    });
    let tandem = tandem_model();
    group.bench_function(BenchmarkId::new("tandem", "4_stations"), |b| {
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            black_box(Simulation::new(&tandem, seed, 0).run())
        })
    });
    // The references for the two benches above.
    let e = |mean: f64| Sample::Exp(Exp::new(1.0 / mean).unwrap());
    group.bench_function(BenchmarkId::new("reference_mmc", "c10_rho0.9"), |b| {
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            black_box(reference_loop(&[(10, e(1.0))], None, 9.0, seed))
        })
    });
    let stations = [
        (2, e(1.0)),
        (3, Sample::Log(LogNormal::from_mean_cv(1.5, 1.0).unwrap())),
        (2, e(20.0)),
        (4, e(2.0)),
    ];
    group.bench_function(BenchmarkId::new("reference_tandem", "4_stations"), |b| {
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            black_box(reference_loop(
                &stations,
                Some((1, 0.05)),
                100.0 / 60.0,
                seed,
            ))
        })
    });
    group.finish();
    ratio_to_reference(
        "mmc",
        &|seed| {
            let _ = black_box(Simulation::new(&mmc, seed, 0).run());
        },
        &|seed| {
            black_box(reference_loop(&[(10, e(1.0))], None, 9.0, seed));
        },
    );
    ratio_to_reference(
        "tandem",
        &|seed| {
            let _ = black_box(Simulation::new(&tandem, seed, 0).run());
        },
        &|seed| {
            black_box(reference_loop(
                &stations,
                Some((1, 0.05)),
                100.0 / 60.0,
                seed,
            ));
        },
    );
}

/// Times `engine` and `reference` (one run of [`CUSTOMERS`] customers
/// each) in alternation, 11 rounds with the same seeds, and prints their
/// median speeds and the ratio of the medians.
fn ratio_to_reference(name: &str, engine: &dyn Fn(u64), reference: &dyn Fn(u64)) {
    let time = |f: &dyn Fn(u64), seed: u64| {
        let start = std::time::Instant::now();
        f(seed);
        start.elapsed().as_secs_f64()
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for seed in 1..=11 {
        a.push(time(engine, seed));
        b.push(time(reference, seed));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut a), median(&mut b));
    let speed = |secs: f64| CUSTOMERS as f64 / secs / 1e6;
    println!(
        "engine/{name}: {:.2} M customers/s, minimal loop {:.2} M/s: ratio {:.2} (target 0.9)",
        speed(a),
        speed(b),
        b / a
    );
}

criterion_group!(benches, engine);
criterion_main!(benches);
