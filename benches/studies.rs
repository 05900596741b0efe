//! Design points per second of the assumption studies on the tandem line
//! with its shipped ranges (`scenarios/tandem.assumptions.toml`, 11
//! factors): a Morris screening (2 trajectories, 24 points plus the noise
//! estimate, no Sobol stage) and a capacity search over two stations. The
//! Double 11 figures (minutes, on the full model) are in the README's
//! "How sure is this answer?"; run with `cargo bench --bench studies`.
use cbec_sim::experiment::sensitivity::{SensitivityOptions, sensitivity};
use cbec_sim::experiment::{
    CapacityOptions, Replications, Resource, Seed, ServiceTarget, capacity,
};
use cbec_sim::{Assumptions, Scenario};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn studies(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let scenario = Scenario::from_path(format!("{dir}/tandem.toml"))
        .unwrap()
        .with_value("simulation.horizon_h", 200.0)
        .unwrap();
    let ranges = Assumptions::from_path(format!("{dir}/tandem.assumptions.toml")).unwrap();
    let never = AtomicBool::new(false);
    let mut options = SensitivityOptions::new(vec!["network.time_in_system_mean_min".into()]);
    options.trajectories = 2;
    options.top = 0;
    options.replications = Replications::first(1);
    options.noise_replications = 4;
    let points = options.design_points(ranges.len()) as u64;
    let mut group = c.benchmark_group("studies");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(points));
    group.bench_function("morris_tandem_points", |b| {
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            options.seed = Seed(seed);
            black_box(sensitivity(&scenario, &ranges, &options, &never, &|| {}).unwrap())
        })
    });
    let mut cap = CapacityOptions::new();
    cap.replications = 4;
    cap.confirm_replications = 4;
    group.throughput(Throughput::Elements(1));
    group.bench_function("capacity_tandem_search", |b| {
        b.iter(|| {
            black_box(
                capacity(
                    &scenario,
                    &[
                        Resource::new("stations.customs_review.servers").with_bounds(1, 10),
                        Resource::new("stations.pick_pack.servers").with_bounds(1, 10),
                    ],
                    &[
                        ServiceTarget::parse("customs_review.wait_mean_min<=1").unwrap(),
                        ServiceTarget::parse("pick_pack.wait_mean_min<=1").unwrap(),
                    ],
                    &cap,
                    &never,
                    &|| {},
                )
                .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, studies);
criterion_main!(benches);
