//! Fitting a stage's durations: 100,000 lognormal durations (mean 10 min,
//! cv 1.5), about 20% censored at exponential times, fitted across the
//! four families; `mle_only` without the goodness-of-fit test, `with_gof`
//! with the default test (199 replicates on a 2,000-duration subsample).
//! The difference of the two is the cost of the test.
//!
//! Run with `cargo bench --bench fit`.
use cbec_sim::Dist;
use cbec_sim::calibrate::{FitOptions, fit_durations};
use cbec_sim::rng::{StreamId, stream_rng};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 100_000;

fn durations() -> (Vec<f64>, Vec<f64>) {
    let law = Dist::lognormal(600.0, 1.5).unwrap();
    let censor = Dist::exponential(2400.0).unwrap();
    let mut rng = stream_rng(1, 0, StreamId::named("bench", "fit", "durations"));
    let (mut done, mut open) = (Vec::new(), Vec::new());
    for _ in 0..N {
        let (t, c) = (law.sample(&mut rng), censor.sample(&mut rng));
        if c < t { open.push(c) } else { done.push(t) }
    }
    (done, open)
}

fn fit(c: &mut Criterion) {
    let (done, open) = durations();
    let mut g = c.benchmark_group("fit");
    g.throughput(Throughput::Elements(N as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    let mle = FitOptions::default().with_bootstrap(0);
    g.bench_function("mle_only", |b| {
        b.iter(|| fit_durations(black_box(&done), black_box(&open), &mle).unwrap())
    });
    let gof = FitOptions::default();
    g.bench_function("with_gof", |b| {
        b.iter(|| fit_durations(black_box(&done), black_box(&open), &gof).unwrap())
    });
    g.finish();
}

criterion_group!(benches, fit);
criterion_main!(benches);
