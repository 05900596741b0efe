//! KPI estimates across replications and comparisons with common random numbers.

use cbec_sim::experiment::{
    KpiCatalogue, KpiEstimate, compare, differences, pooled_time_in_system,
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
    let runs = run_replications(&desk(2), 3, 0..4);
    let cat = KpiCatalogue::for_run(&runs[0]);
    let names: Vec<&str> = cat.names().collect();
    assert!(names.contains(&"desk.wait_mean_min") && names.contains(&"done.per_day"));
    assert_eq!(
        cat.value("desk.wait_mean_min", &runs[1]),
        runs[1].stations[0].wait_mean_min()
    );
    assert_eq!(
        cat.value("desk.utilization", &runs[2]),
        runs[2].stations[0].utilization()
    );
    assert_eq!(cat.value("no.such_kpi", &runs[0]), None);
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
    let crn = compare(&slower, &faster, 11, 0..20);
    let wait = crn.iter().find(|d| d.name == "desk.wait_mean_min").unwrap();
    // Independent streams: the variant under another master seed.
    let independent = differences(
        &run_replications(&slower, 11, 0..20),
        &run_replications(&faster, 999, 0..20),
    );
    let wait_indep = independent
        .iter()
        .find(|d| d.name == "desk.wait_mean_min")
        .unwrap();
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
    let entered = crn
        .iter()
        .find(|d| d.name == "network.entered_per_day")
        .unwrap();
    assert_eq!(entered.effect.max, Some(0.0));
    assert_eq!(entered.effect.min, Some(0.0));

    let (three, four) = (desk_at(3, 150.0, 1.0), desk_at(4, 150.0, 1.0));
    let crn = compare(&three, &four, 11, 0..20);
    let independent = differences(
        &run_replications(&three, 11, 0..20),
        &run_replications(&four, 999, 0..20),
    );
    let hw = |ds: &[cbec_sim::experiment::Difference]| {
        ds.iter()
            .find(|d| d.name == "desk.wait_mean_min")
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
