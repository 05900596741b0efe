//! Orders simulated per second in the Double 11 week scenario
//! (`scenarios/hongqiao_double11.toml`, every stage on), on one thread and
//! on two. Each iteration runs the same two replications, so the work is
//! fixed; the throughput counts the orders that entered them (about
//! 480,000 each). Run with `cargo bench --bench hongqiao`.
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
    let orders: u64 = run_replications(&model, SEED, Replications::first(REPLICATIONS))
        .unwrap()
        .iter()
        .map(|r| r.conservation.entered)
        .sum();
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
}

criterion_group!(benches, double11_week);
criterion_main!(benches);
