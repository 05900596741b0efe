//! KPI estimates across replications and comparisons with common random numbers.

use cbec_sim::experiment::{
    Difference, KpiCatalogue, KpiEstimate, Replications, Seed, compare, differences,
    pooled_time_in_system,
};
use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station, run_replications};
use statrs::distribution::{ContinuousCDF, StudentsT};

fn desk(servers: u32) -> Model {
    desk_at(servers, 100.0, 1.0)
}

fn desk_at(servers: u32, rate_per_hour: f64, service_min: f64) -> Model {
    Model::builder()
        .with_source("orders", Source::poisson(rate_per_hour, "desk"))
        .with_station(
            "desk",
            Station::new(servers, Dist::exponential(service_min).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(300.0))
        .with_warmup(SimTime::from_hours(10.0))
        .build()
        .unwrap()
}

#[test]
fn kpi_estimate_is_the_student_t_interval() {
    let values = [4.0, 5.5, 3.2, 6.1, 4.4, 5.0];
    let e = KpiEstimate::from_values("x", values.iter().map(|v| Some(*v)));
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .unwrap()
        .inverse_cdf(0.975);
    assert_eq!(e.n, 6);
    assert!((e.mean.unwrap() - mean).abs() < 1e-12);
    assert!((e.std_dev.unwrap() - sd).abs() < 1e-12);
    assert!((e.half_width_95.unwrap() - t * sd / n.sqrt()).abs() < 1e-12);
    assert_eq!((e.min, e.max), (Some(3.2), Some(6.1)));
    // Undefined values are skipped, not counted as zero.
    let partial = KpiEstimate::from_values("y", [Some(1.0), None, Some(3.0)]);
    assert_eq!((partial.n, partial.mean), (2, Some(2.0)));
}

#[test]
fn catalogue_reads_the_same_values_as_the_summary() {
    let runs = run_replications(&desk(2), Seed(3), Replications::first(4)).unwrap();
    let cat = KpiCatalogue::for_run(&runs[0]);
    let names: Vec<&str> = cat.names().collect();
    assert!(names.contains(&"desk.wait_mean_min") && names.contains(&"done.per_day"));
    let (wait, util) = (
        cat.kpi("desk.wait_mean_min").unwrap(),
        cat.kpi("desk.utilization").unwrap(),
    );
    assert_eq!(cat.name(wait), "desk.wait_mean_min");
    assert_eq!(cat.get(wait, &runs[1]), runs[1].stations[0].wait_mean_min());
    assert_eq!(cat.get(util, &runs[2]), runs[2].stations[0].utilization());
    let unknown = cat.kpi("desk.utilisation").unwrap_err().to_string();
    assert_eq!(
        unknown, "kpi: unknown KPI \"desk.utilisation\"; did you mean \"desk.utilization\"?",
        "the suggestion, not every KPI"
    );
    // The queueing researcher's figures: L, W, quantiles, blocking.
    let st = &runs[1].stations[0];
    let read = |name: &str| cat.get(cat.kpi(name).unwrap(), &runs[1]);
    assert_eq!(read("desk.in_station_mean"), st.mean_in_station());
    assert_eq!(read("desk.sojourn_mean_min"), st.sojourn_mean_min());
    assert_eq!(read("desk.wait_p90_min"), st.wait_quantile_min(0.90));
    assert_eq!(read("desk.blocking_probability"), Some(0.0));
    assert!(read("desk.wait_p50_min") <= read("desk.wait_p99_min"));
    assert_eq!(
        read("network.time_in_system_p99_min"),
        runs[1]
            .network
            .time_in_system_hist
            .quantile(0.99)
            .map(|t| t.minutes())
    );
    // One class: no per-class KPIs.
    assert!(!names.iter().any(|n| n.contains(".by_class.")));
    let estimates = cat.estimate(&runs);
    assert_eq!(estimates.len(), names.len());
    assert_eq!(cat.rows(&runs).len(), 4);
    let pooled = pooled_time_in_system(&runs);
    assert_eq!(
        pooled.count(),
        runs.iter()
            .map(|r| r.network.time_in_system_hist.count())
            .sum::<u64>()
    );
}

/// A capacity change (officers 5% faster) compared on common random numbers
/// gives a much narrower interval than the same comparison on independent
/// streams.
///
/// How much pairing can help is bounded by the two variances:
/// `Var(d) >= (sd_a - sd_b)²`. Against a nearly idle variant (a fourth
/// officer at 63% load has a hundredth of the variance of three at 83%)
/// common random numbers still help, but little; the second half checks that.
#[test]
fn common_random_numbers_narrow_a_capacity_comparison() {
    let (slower, faster) = (desk_at(3, 150.0, 1.0), desk_at(3, 150.0, 0.95));
    let crn = compare(&slower, &faster, Seed(11), Replications::first(20)).unwrap();
    let wait = Difference::find(&crn, "desk.wait_mean_min").unwrap();
    // Independent streams: the variant under another master seed.
    let independent = differences(
        &run_replications(&slower, Seed(11), Replications::first(20)).unwrap(),
        &run_replications(&faster, Seed(999), Replications::first(20)).unwrap(),
    );
    let wait_indep = Difference::find(&independent, "desk.wait_mean_min").unwrap();
    let (hw_crn, hw_indep) = (
        wait.effect.half_width_95.unwrap(),
        wait_indep.effect.half_width_95.unwrap(),
    );
    assert!(
        hw_crn < 0.5 * hw_indep,
        "CRN half-width {hw_crn} vs independent {hw_indep}"
    );
    assert!(
        wait.variance_reduction.unwrap() > 0.5,
        "{:?}",
        wait.variance_reduction
    );
    assert!(
        wait.effect.mean.unwrap() < 0.0,
        "faster officers shorten the wait"
    );
    // The arrivals are the very same draws in both scenarios.
    let entered = Difference::find(&crn, "network.entered_per_day").unwrap();
    assert_eq!(entered.effect.max, Some(0.0));
    assert_eq!(entered.effect.min, Some(0.0));

    let (three, four) = (desk_at(3, 150.0, 1.0), desk_at(4, 150.0, 1.0));
    let crn = compare(&three, &four, Seed(11), Replications::first(20)).unwrap();
    let independent = differences(
        &run_replications(&three, Seed(11), Replications::first(20)).unwrap(),
        &run_replications(&four, Seed(999), Replications::first(20)).unwrap(),
    );
    let hw = |ds: &[Difference]| {
        Difference::find(ds, "desk.wait_mean_min")
            .unwrap()
            .effect
            .half_width_95
            .unwrap()
    };
    assert!(
        hw(&crn) < hw(&independent),
        "{} vs {}",
        hw(&crn),
        hw(&independent)
    );
}

mod stopping_and_warmup {
    use super::desk_at;
    use cbec_sim::experiment::{
        Experiment, ExperimentResult, Precision, Replications, Seed, mser5, suggest_warmup,
    };
    use cbec_sim::rng::{StreamId, stream_rng};
    use cbec_sim::{Error, Model, SimTime};
    use rand::RngExt;

    fn until(
        model: &Model,
        seed: u64,
        rule: Precision,
        max: u64,
    ) -> cbec_sim::Result<ExperimentResult> {
        Experiment::new(model)
            .with_seed(Seed(seed))
            .with_replications(Replications::first(max))
            .with_precision(rule)
            .run()
    }

    fn precision(kpi: &str, relative: f64) -> Precision {
        Precision::new(kpi, relative).with_initial(4).with_batch(3)
    }

    #[test]
    fn precision_rule_stops_at_the_same_count_on_any_thread_count() {
        let model = desk_at(3, 150.0, 1.0);
        let rule = precision("desk.wait_mean_min", 0.03);
        let on = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| until(&model, 5, rule.clone(), 60).unwrap())
        };
        let (r1, r2) = (on(1), on(2));
        let (d1, d2) = (r1.precision.clone().unwrap(), r2.precision.clone().unwrap());
        assert_eq!(d1, d2);
        assert!(
            r1.shard == r2.shard,
            "results differ between 1 and 2 threads"
        );
        assert!(d1.target_met);
        let w = d1.watched.unwrap();
        assert!(w.relative_half_width().unwrap() <= 0.03);
        // It stopped at the first batch boundary that met the target.
        assert!(
            d1.replications > 4 && (d1.replications - 4) % 3 == 0,
            "{}",
            d1.replications
        );
    }

    #[test]
    fn precision_rule_reports_a_missed_target_at_max() {
        let model = desk_at(3, 150.0, 1.0);
        let rule = Precision::new("desk.wait_mean_min", 1e-6)
            .with_initial(4)
            .with_batch(4);
        let result = until(&model, 5, rule, 10).unwrap();
        let d = result.precision.unwrap();
        assert_eq!(
            (result.shard.rows.len(), d.replications, d.target_met),
            (10, 10, false)
        );
    }

    #[test]
    fn invalid_stopping_rules_are_errors() {
        let model = desk_at(1, 30.0, 1.0);
        let msg = |rule: Precision, max: u64| match until(&model, 1, rule, max) {
            Err(e @ (Error::Experiment { .. } | Error::UnknownKpi { .. })) => e.to_string(),
            other => panic!("accepted: {other:?}"),
        };
        assert_eq!(
            msg(precision("desk.wait_mean_min", 0.5), 0),
            "replications: the range 0..0 is empty; at least 1 is needed"
        );
        assert_eq!(
            msg(precision("desk.wait_mean_min", 0.0), 60),
            "precision: must be finite and greater than 0, got 0"
        );
        assert_eq!(
            msg(precision("desk.wiat_mean_min", 0.1), 60),
            "precision: unknown KPI \"desk.wiat_mean_min\"; did you mean \"desk.wait_mean_min\"?"
        );
    }

    #[test]
    fn mser5_finds_a_noisy_transient() {
        let mut rng = stream_rng(1, 0, StreamId(9));
        let series: Vec<f64> = (0..2000)
            .map(|i| {
                let noise: f64 = rng.random::<f64>() - 0.5;
                let transient = if i < 200 {
                    20.0 * (1.0 - i as f64 / 200.0)
                } else {
                    0.0
                };
                5.0 + transient + noise
            })
            .collect();
        let cut = mser5(&series).unwrap();
        assert!((150..=260).contains(&cut), "cut at {cut}");
        assert_eq!(mser5(&series[..15]), None, "fewer than 4 batches");
        let ramp: Vec<f64> = (0..500).map(f64::from).collect();
        assert_eq!(
            mser5(&ramp),
            None,
            "a series that never settles has no truncation point"
        );
    }

    #[test]
    fn suggested_warmup_cuts_the_empty_start_of_a_busy_queue() {
        // 95% load starting empty: the queue takes a long time to fill.
        let model = desk_at(1, 57.0, 1.0)
            .with_run_length(Some(SimTime::from_hours(400.0)), SimTime::ZERO)
            .unwrap();
        let warm = suggest_warmup(&model, Seed(3), 10)
            .unwrap()
            .expect("a truncation point");
        assert!(
            warm > SimTime::ZERO && warm < SimTime::from_hours(200.0),
            "{warm}"
        );
        let no_horizon = cbec_sim::presets::tandem()
            .with_source(
                "orders",
                cbec_sim::Source::poisson(100.0, "document_check").with_max_arrivals(10),
            )
            .build()
            .unwrap();
        assert!(suggest_warmup(&no_horizon, Seed(3), 10).is_err());
    }
}

mod shards {
    use cbec_sim::experiment::{Experiment, KpiCatalogue, Replications, Seed, ShardResult};
    use cbec_sim::{Model, SimTime, run_replications};
    use std::ops::Range;

    /// Replications `range` of `m` under `seed`, as a shard.
    fn shard(m: &Model, seed: u64, range: Range<u64>) -> cbec_sim::Result<ShardResult> {
        Experiment::new(m)
            .with_seed(Seed(seed))
            .with_replications(Replications::new(range)?)
            .run()
            .map(|r| r.shard)
    }

    fn model() -> cbec_sim::Model {
        cbec_sim::presets::tandem()
            .with_horizon(SimTime::from_hours(100.0))
            .build()
            .unwrap()
    }

    /// More replications than one chunk: folding chunk by chunk changes nothing.
    #[test]
    fn chunked_runs_equal_one_batch() {
        let m = model();
        let n = cbec_sim::experiment::CHUNK + 5;
        let chunked = shard(&m, 8, 0..n).unwrap();
        let runs = run_replications(&m, Seed(8), Replications::first(n)).unwrap();
        let at_once = ShardResult::from_runs(&m, Seed(8), Replications::first(n), &runs);
        assert!(chunked == at_once, "chunked result differs");
    }

    #[test]
    fn merging_shards_equals_one_run() {
        let m = model();
        let whole = shard(&m, 42, 0..12).unwrap();
        // Shards handed over in any order, through their files.
        let parts = [7..12, 0..3, 3..7].map(|r| shard(&m, 42, r).unwrap().to_json().unwrap());
        let merged = ShardResult::merge(
            parts
                .iter()
                .map(|j| ShardResult::from_json(j).unwrap())
                .collect(),
        )
        .unwrap();
        // (assert! rather than assert_eq!: a failure would print whole histograms.)
        assert!(merged.rows == whole.rows, "per-replication rows differ");
        assert!(
            merged.time_in_system == whole.time_in_system,
            "pooled histograms differ"
        );
        assert!(merged == whole, "metadata differ");
        assert_eq!(merged.estimates(), whole.estimates());
        // And both equal the estimates straight from the runs.
        let runs = run_replications(&m, Seed(42), Replications::first(12)).unwrap();
        assert_eq!(
            whole.estimates(),
            KpiCatalogue::for_run(&runs[0]).estimate(&runs)
        );
    }

    #[test]
    fn shards_that_do_not_fit_together_are_refused() {
        let m = model();
        let a = shard(&m, 1, 0..3).unwrap();
        let err = |shards: Vec<ShardResult>| ShardResult::merge(shards).unwrap_err().to_string();
        assert_eq!(
            err(vec![a.clone(), shard(&m, 1, 2..4).unwrap()]),
            "shard 2..4: overlaps replications 0..3"
        );
        assert_eq!(
            err(vec![a.clone(), shard(&m, 1, 4..5).unwrap()]),
            "shard 4..5: leaves a gap after replications 0..3"
        );
        assert_eq!(
            err(vec![a.clone(), shard(&m, 2, 3..4).unwrap()]),
            "shard 3..4: has seed 2, the others 1"
        );
        let other = cbec_sim::presets::tandem()
            .with_horizon(SimTime::from_hours(50.0))
            .build()
            .unwrap();
        assert_eq!(
            err(vec![a.clone(), shard(&other, 1, 3..4).unwrap()]),
            "shard 3..4: comes from a different scenario"
        );
        assert_eq!(err(vec![]), "shards: nothing to merge");
        let mut future = a;
        future.format_version = 99;
        assert_eq!(
            err(vec![future]),
            "shard 0..3: format version 99 cannot be read by this version (expects 2)"
        );
        assert!(ShardResult::from_json("{ not json").is_err());
        assert!(shard(&m, 1, 3..3).is_err());
    }

    #[test]
    fn merging_files_names_the_file_at_fault() {
        use std::error::Error as _;
        let m = model();
        let dir = std::env::temp_dir().join(format!("cbec-sim-shard-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b, broken) = (
            dir.join("a.json"),
            dir.join("b.json"),
            dir.join("broken.json"),
        );
        std::fs::write(&a, shard(&m, 4, 0..2).unwrap().to_json().unwrap()).unwrap();
        std::fs::write(&b, shard(&m, 4, 2..3).unwrap().to_json().unwrap()).unwrap();
        std::fs::write(&broken, "{ not json").unwrap();
        assert_eq!(
            ShardResult::merge_files(&[&b, &a]).unwrap(),
            shard(&m, 4, 0..3).unwrap()
        );
        let gap = ShardResult::merge_files(&[&b]).unwrap();
        assert_eq!(
            (gap.start, gap.end),
            (2, 3),
            "a single shard merges on its own"
        );
        let other_seed = dir.join("c.json");
        std::fs::write(&other_seed, shard(&m, 5, 2..3).unwrap().to_json().unwrap()).unwrap();
        let err = ShardResult::merge_files(&[&a, &other_seed]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: shard 2..3: has seed 5, the others 4",
                other_seed.display()
            )
        );
        let err = ShardResult::merge_files(&[&a, &broken]).unwrap_err();
        assert!(matches!(err, cbec_sim::Error::Shard { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("{}: shard: ", broken.display())),
            "{err}"
        );
        assert!(err.source().unwrap().is::<serde_json::Error>());
        let missing = dir.join("missing.json");
        let err = ShardResult::merge_files(&[&missing]).unwrap_err();
        assert!(matches!(err, cbec_sim::Error::Io { .. }), "{err}");
        assert!(err.source().unwrap().is::<std::io::Error>());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

mod designs {
    use crate::support::Z;
    use cbec_sim::experiment::{Replications, Seed, factorial, sweep};
    use cbec_sim::{Delay, Dist, Model, SimTime, Sink, Source, Station};

    /// Time in system through pure delays is the sum of the delays, so the
    /// effects are known: +1 min for a slower check (A), +1 min for an
    /// extra step (B), and no interaction.
    #[test]
    fn factorial_recovers_additive_effects() {
        let build = |levels: &[bool]| {
            let check_min = if levels[0] { 3.0 } else { 2.0 };
            let after_check = if levels[1] { "extra_step" } else { "done" };
            Model::builder()
                .with_source("orders", Source::poisson(120.0, "check"))
                .with_station(
                    "check",
                    Station::infinite(Dist::exponential(check_min).unwrap(), after_check),
                )
                .with_delay(
                    "extra_step",
                    Delay::latest_of("done").with_part("step", Dist::deterministic(1.0).unwrap()),
                )
                .with_sink("done", Sink::new())
                .with_horizon(SimTime::from_hours(50.0))
                .build()
        };
        let f = factorial(
            &["slower_check", "extra_step"],
            build,
            "network.time_in_system_mean_min",
            Seed(3),
            Replications::first(20),
        )
        .unwrap();
        let check = |what: &str, e: &cbec_sim::experiment::KpiEstimate, expected: f64| {
            let (mean, hw) = (e.mean.unwrap(), e.half_width_95.unwrap());
            let se = e.std_dev.unwrap() / (e.n as f64).sqrt();
            assert!(
                (mean - expected).abs() <= Z * se + 1e-12,
                "{what}: {mean} ± {hw}, expected {expected}"
            );
        };
        check("main A", &f.main[0].estimate, 1.0);
        check("main B", &f.main[1].estimate, 1.0);
        check("A x B", &f.interactions[0].estimate, 0.0);
        assert_eq!(f.interactions[0].factors, ["slower_check", "extra_step"]);
        // The extra step is deterministic and shares every draw: its effect is exact.
        assert!(
            f.main[1].estimate.std_dev.unwrap() < 0.02,
            "{:?}",
            f.main[1].estimate
        );
    }

    #[test]
    fn sweep_finds_where_the_target_breaks() {
        let desk = |rate: f64| {
            Model::builder()
                .with_source("orders", Source::poisson(rate, "desk"))
                .with_station(
                    "desk",
                    Station::new(2, Dist::exponential(1.0).unwrap(), "done"),
                )
                .with_sink("done", Sink::new())
                .with_horizon(SimTime::from_hours(300.0))
                .build()
        };
        let curve = sweep(
            &[60.0, 80.0, 100.0, 110.0],
            desk,
            "desk.wait_mean_min",
            Some(cbec_sim::experiment::Target::AtMost(2.0)),
            Seed(5),
            Replications::first(10),
        )
        .unwrap();
        let means: Vec<f64> = curve
            .points
            .iter()
            .map(|p| p.estimate.mean.unwrap())
            .collect();
        assert!(
            means.windows(2).all(|w| w[0] < w[1]),
            "waits rise with demand: {means:?}"
        );
        // M/M/2: Wq = 0.33 min at 60/h, 0.76 at 80/h, 2.27 at 100/h.
        assert_eq!(curve.breaks_at, Some(100.0));
        assert_eq!(curve.meets_at, Some(60.0));
        // Every KPI is kept at each point, the swept one among them.
        let p = &curve.points[2];
        assert!(p.all.iter().any(|e| e == &p.estimate));
        let two = || Replications::first(2);
        assert!(sweep(&[], desk, "desk.wait_mean_min", None, Seed(5), two()).is_err());
        let nope = sweep(&[60.0], desk, "desk.wiat_mean_min", None, Seed(5), two()).unwrap_err();
        assert!(
            nope.to_string()
                .contains("did you mean \"desk.wait_mean_min\"?"),
            "{nope}"
        );
    }
}

#[test]
fn designs_refuse_an_empty_replication_range() {
    use cbec_sim::experiment::{factorial, sweep};
    let err = sweep(
        &[60.0],
        |r| Ok(desk_at(2, r, 1.0)),
        "desk.wait_mean_min",
        None,
        Seed(1),
        Replications::new(3..3).unwrap(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "replications: the range 3..3 is empty; at least 1 is needed"
    );
    assert!(
        factorial(
            &["a"],
            |_| Ok(desk(2)),
            "desk.wait_mean_min",
            Seed(1),
            Replications::first(0)
        )
        .is_err()
    );
}

/// The crate's front page shows `examples/quickstart.rs` (a doctest runs
/// it): a confidence interval and a paired effect, in at most 25 lines.
#[test]
fn the_front_page_example_is_short_and_shows_an_interval_and_an_effect() {
    let root = env!("CARGO_MANIFEST_DIR");
    let example = std::fs::read_to_string(format!("{root}/examples/quickstart.rs")).unwrap();
    assert!(
        example.lines().count() <= 25,
        "{} lines",
        example.lines().count()
    );
    assert!(example.contains("compare(") && example.contains(".std_error()"));
    assert!(
        example.contains("println!(\"{wait}\")"),
        "prints the paired effect"
    );
    let lib = std::fs::read_to_string(format!("{root}/src/lib.rs")).unwrap();
    let quick = lib.find("## Quick start").expect("a quick start");
    let include = lib
        .find("include_str!(\"../examples/quickstart.rs\")")
        .unwrap();
    assert!(quick < include && include < lib.find("## Concepts").unwrap());
}
