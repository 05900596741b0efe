//! Replications per second of the tandem line on 1 and on 2 threads.
//!
//! Compare `threads/2` with `threads/1`: parallel efficiency is
//! (rate on 2) / (2 × rate on 1); the target is at least 90% on this
//! 2-core machine. Run with `cargo bench --bench experiment`.
use cbec_sim::{Replications, Seed, SimTime, presets, run_replications};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const REPLICATIONS: u64 = 32;

fn monte_carlo(c: &mut Criterion) {
    // 200 hours of the line: about 20,000 orders per replication.
    let model = presets::tandem()
        .with_horizon(SimTime::from_hours(200.0))
        .build()
        .unwrap();
    let mut group = c.benchmark_group("monte_carlo");
    group
        .throughput(Throughput::Elements(REPLICATIONS))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            let mut seed = 0;
            b.iter(|| {
                seed += 1;
                pool.install(|| {
                    black_box(run_replications(
                        &model,
                        Seed(seed),
                        Replications::first(REPLICATIONS),
                    ))
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, monte_carlo);
criterion_main!(benches);
