//! Orders simulated per second in the Double 11 week scenario
//! (`scenarios/hongqiao_double11.toml`, every stage on), on one thread and
//! on two. Each iteration runs the same two replications, so the work is
//! fixed; the throughput counts the orders that entered them (about
//! 750,000 each, the pre-roll's included). After the criterion group, the
//! bench times the same work on one thread and on two in alternation and
//! prints the parallel efficiency (orders per second on two threads over
//! twice that on one; the target is 95%), then the same for eight
//! replications, four per thread, as a study runs them. Run with
//! `cargo bench --bench hongqiao`.
use cbec_sim::{Replications, Scenario, Seed, run_replications};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const REPLICATIONS: u64 = 2;
const SEED: Seed = Seed(1);

fn double11_week(c: &mut Criterion) {
    let scenario = Scenario::from_path(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hongqiao_double11.toml"),
    )
    .unwrap();
    let model = scenario.build().unwrap();
    let orders = orders_entered(&model, REPLICATIONS);
    let mut group = c.benchmark_group("double11_week");
    group
        .throughput(Throughput::Elements(orders))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(15));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| {
                pool.install(|| {
                    black_box(run_replications(
                        &model,
                        SEED,
                        Replications::first(REPLICATIONS),
                    ))
                })
            })
        });
    }
    group.finish();
    // The bench's own work: one replication per thread, so the longer of
    // the two sets the time on two threads.
    efficiency(&model, REPLICATIONS, orders, 5);
    // A study's: eight replications, four per thread, shared by rayon's
    // work stealing as `run` shares a planner's twenty.
    efficiency(&model, 8, orders_entered(&model, 8), 3);
}

/// Orders that entered the first `replications` replications.
fn orders_entered(model: &cbec_sim::Model, replications: u64) -> u64 {
    run_replications(model, SEED, Replications::first(replications))
        .unwrap()
        .iter()
        .map(|r| r.conservation.entered)
        .sum()
}

/// Times `replications` replications (`orders` orders in all) on one
/// thread and on two, in alternation, `rounds` rounds, and prints the
/// median orders per second of each and the parallel efficiency (orders
/// per second on two threads over twice that on one).
fn efficiency(model: &cbec_sim::Model, replications: u64, orders: u64, rounds: usize) {
    let work = || Replications::first(replications);
    let pools = [1, 2].map(|threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    });
    let mut secs = [Vec::new(), Vec::new()];
    for _ in 0..rounds {
        for (pool, times) in pools.iter().zip(&mut secs) {
            let start = std::time::Instant::now();
            let runs = pool.install(|| run_replications(model, SEED, work()));
            let _ = black_box(runs);
            times.push(start.elapsed().as_secs_f64());
        }
    }
    let [one, two] = secs.map(|mut v| {
        v.sort_by(f64::total_cmp);
        orders as f64 / v[v.len() / 2]
    });
    println!(
        "double11_week, {replications} replications: {:.0} K orders/s on 1 thread, {:.0} K on 2: parallel efficiency {:.1}% (target 95%)",
        one / 1e3,
        two / 1e3,
        100.0 * two / (2.0 * one)
    );
}

criterion_group!(benches, double11_week);
criterion_main!(benches);
