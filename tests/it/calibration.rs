//! Calibration from an operator's log, end to end (issue 17): the
//! shipped synthetic operator log (`examples/data/operator/`), its window
//! reads, the holdout check, and `cbec-sim fit`'s scenario.

use cbec_sim::Scenario;
use cbec_sim::calibrate::{
    Calibration, CalibrationOptions, Choice, EventLog, EventLogWriter, EventMap, Family,
    FitOptions, HoldoutOptions, Window, check_holdout,
};
use jiff::civil::DateTime;

fn manifest(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn operator_map() -> EventMap {
    EventMap::from_path(manifest("examples/data/operator/events.toml")).unwrap()
}

fn cut() -> DateTime {
    "2024-01-22T00:00".parse().unwrap()
}

#[test]
fn a_window_splits_the_log_at_the_cut_without_losing_an_order() {
    let map = operator_map();
    let log = manifest("examples/data/operator/log.csv");
    let whole = EventLog::from_path(&log, &map).unwrap();
    let before = EventLog::from_path_in(&log, &map, Window::until(cut())).unwrap();
    let after = EventLog::from_path_in(&log, &map, Window::from(cut())).unwrap();
    assert_eq!(
        before.end(),
        cut(),
        "the part before is censored at the cut"
    );
    assert_eq!(
        before.arrivals().len() + after.arrivals().len(),
        whole.arrivals().len(),
        "every arrival is on one side of the cut"
    );
    assert_eq!(before.orders() + after.orders(), whole.orders());
    // Stages open at the cut are censored at it, and only there: each
    // censored age is at most the time from the first row to the cut.
    let span = cut().duration_since(whole.start()).as_secs_f64();
    let lead = before.stage("lead_time").unwrap();
    assert!(
        !lead.censored().is_empty(),
        "orders were inside at midnight"
    );
    assert!(lead.censored().iter().all(|c| c.secs() <= span));
    // The orders of the week after: all arrive from the cut.
    let offset = cut().duration_since(after.start()).as_secs_f64();
    assert!(after.arrivals().iter().all(|t| t.secs() >= offset));
}

#[test]
fn the_true_scenario_reproduces_its_own_held_out_week() {
    // The scenario that wrote the log, checked on its own last week: every
    // stage's simulated p50 and p95 must lie within the observed ones'
    // 95% intervals, except by chance. Over the 8 stages x 2 quantiles
    // the chance that a correct check misses one is bounded by the
    // intervals' 5% each plus the simulated mean's own error; we allow
    // at most 3 misses of 16 (Binomial(16, 0.05): P(X >= 4) = 0.007).
    let map = operator_map();
    let truth = Scenario::from_path(manifest("examples/data/operator/truth.toml")).unwrap();
    let check = check_holdout(
        &truth,
        &map,
        manifest("examples/data/operator/log.csv").as_ref(),
        cut(),
        &HoldoutOptions {
            replications: 10,
            ..HoldoutOptions::default()
        },
    )
    .unwrap();
    assert_eq!(check.stages.len(), 8, "{:?}", check.notes);
    let misses: usize = check
        .stages
        .iter()
        .map(|s| s.quantiles_agree().iter().filter(|ok| !**ok).count())
        .sum();
    assert!(misses <= 3, "{misses} misses: {:#?}", check.stages);
    eprintln!("{check}");
    let lead = check.stage("lead_time").unwrap();
    assert!(
        lead.observed_n > 1000,
        "a week of orders: {}",
        lead.observed_n
    );
    assert_eq!(
        check.orders as usize,
        lead.observed_n + lead.observed_censored
    );
    assert_eq!(lead.qq.len(), 99);
}

/// The operator's truth (`examples/data/operator/truth.toml`): each
/// calibrated stage's family and parameters in the fit's order.
const TRUTH: [(&str, Family, [f64; 2]); 5] = [
    ("documents", Family::Lognormal, [20.0, 0.8]),
    ("document_check", Family::Exponential, [6.0, f64::NAN]),
    ("customs_review", Family::Lognormal, [15.0, 1.2]),
    ("inspection", Family::Weibull, [1.8, 90.0]),
    ("pick_pack", Family::Gamma, [12.0, 0.5]),
];

/// A four-week log of the operator's truth under `seed`, fitted whole
/// (no goodness-of-fit bootstrap: the intervals do not depend on it).
fn fitted_truth(seed: u64) -> Calibration {
    let map = operator_map();
    let model = Scenario::from_path(manifest("examples/data/operator/truth.toml"))
        .unwrap()
        .build()
        .unwrap();
    let mut writer = EventLogWriter::new(&model, &map, Vec::new()).unwrap();
    let _ = writer.write_run(seed, 0);
    let csv = writer.finish().unwrap();
    let log = EventLog::from_reader(&csv[..], &map, "truth.csv").unwrap();
    let options = CalibrationOptions {
        fit: FitOptions::default().with_bootstrap(0),
        ..CalibrationOptions::default()
    };
    Calibration::from_log(&log, &map, &options).unwrap()
}

#[test]
fn fits_of_the_operators_logs_cover_every_known_parameter() {
    // 30 logs of the truth (seeds 100..130). Each 95% interval should
    // cover its true value in about 28.5 of them: Binomial(30, 0.95)
    // gives P(X <= 23) = 0.00057, so a correct fit fails one parameter's
    // check below with probability 0.00057, and any of the 12 with less
    // than 0.007.
    const SEEDS: u64 = 30;
    const AT_LEAST: usize = 24;
    let fits: Vec<Calibration> = {
        use rayon::prelude::*;
        (100..100 + SEEDS)
            .into_par_iter()
            .map(fitted_truth)
            .collect()
    };
    let mut covered: Vec<(String, usize)> = Vec::new();
    let mut count = |name: String, hit: bool| match covered.iter_mut().find(|(n, _)| *n == name) {
        Some((_, k)) => *k += usize::from(hit),
        None => covered.push((name, usize::from(hit))),
    };
    let mut wrong_family = Vec::new();
    for c in &fits {
        for (stage, family, truth) in TRUTH {
            let fit = c.stage(stage).unwrap().fit.as_ref().unwrap();
            let cand = fit.candidate(family).unwrap();
            for (p, t) in cand.params.iter().zip(truth) {
                let (low, high) = (p.low.unwrap(), p.high.unwrap());
                count(format!("{stage}.{}", p.name), low <= t && t <= high);
            }
            // Where the families are not nested, a family other than the
            // truth may be chosen only when the fit says the two cannot be
            // told apart (the truth within 2 AIC units). The exponential
            // is nested in the gamma and the Weibull: a larger family wins
            // when twice the gain in log-likelihood, chi-squared with 1 df
            // under the truth, beats the penalty of 2; the truth then lags
            // by chi2 - 2, above 13.1 with probability 1e-4 per log.
            if fit.chosen != Choice::Family(family) {
                wrong_family.push((stage, cand.delta));
                if family == Family::Exponential {
                    assert!(cand.delta <= 13.1, "{stage}: {}", cand.delta);
                } else {
                    assert!(
                        cand.delta < 2.0
                            && fit.notes.iter().any(|n| n.contains("cannot be told apart")),
                        "{stage}: {:?} chosen, the truth {family} {} AIC units behind: {:?}",
                        fit.chosen,
                        cand.delta,
                        fit.notes
                    );
                }
            }
        }
        let share = c.routes[0].share.unwrap();
        count(
            "route inspection".into(),
            share.low <= 0.08 && 0.08 <= share.high,
        );
        let demand = c.demand.as_ref().unwrap();
        assert_eq!(demand.promotions.len(), 1, "{:?}", demand.promotions);
        let promo = &demand.promotions[0];
        assert_eq!(promo.date.0.to_string(), "2024-01-18");
        count("promotion factor".into(), promo.factor.covers(3.0));
    }
    for (name, k) in &covered {
        assert!(*k >= AT_LEAST, "{name}: covered in {k} of {SEEDS} logs");
    }
    eprintln!(
        "coverage over {SEEDS} logs: {covered:?}; nested-family choices: {}",
        wrong_family.len()
    );
}

#[test]
fn a_log_cut_while_orders_are_in_long_stages_is_fitted_without_bias_only_when_censored_orders_are_kept()
 {
    // Orders held for a lognormal time of mean 24 h (cv 1), with servers
    // enough that nobody waits, logged for 4 days only: most holds that
    // began in the last day or two are still open at the cut, and they
    // are the long ones. Kept as censored, the fit is unbiased (its mean
    // within 4 standard errors of the truth, |z| < 4 with probability
    // 0.99994 for a correct fit); dropped, the completed holds alone are
    // the short ones and the mean falls more than 4 standard errors low.
    let scenario = Scenario::from_toml_str(
        r#"
        [simulation]
        horizon_h = 96
        [sources.orders]
        rate_per_hour = 20
        to = "hold"
        [stations.hold]
        servers = 100000
        service_time_min = { dist = "lognormal", mean = 1440.0, cv = 1.0 }
        to = "out"
        [sinks.out]
        "#,
    )
    .unwrap();
    let map = EventMap::from_toml_str(
        r#"
        arrival = "placed"
        [events]
        placed = { once = true, sim = { node = "orders" } }
        started = { once = true, sim = { node = "hold", on = "start" } }
        ended = { once = true, sim = { node = "hold", on = "end" } }
        left = { once = true, end = true, sim = { node = "out", on = "leave" } }
        [stages.hold]
        kind = "service"
        from = "started"
        to = "ended"
        "#,
    )
    .unwrap();
    let model = scenario.build().unwrap();
    let mut writer = EventLogWriter::new(&model, &map, Vec::new()).unwrap();
    let _ = writer.write_run(5, 0);
    let csv = writer.finish().unwrap();
    let log = EventLog::from_reader(&csv[..], &map, "hold.csv").unwrap();
    let hold = log.stage("hold").unwrap();
    let censored = hold.censored().len();
    assert!(
        censored * 5 > censored + hold.durations().len(),
        "many holds open at the cut: {censored} censored, {} completed",
        hold.durations().len()
    );
    let options = FitOptions::default()
        .with_bootstrap(0)
        .with_families(&[Family::Lognormal]);
    let kept = hold.fit(&options).unwrap();
    let secs: Vec<f64> = hold.durations().iter().map(|d| d.secs()).collect();
    let dropped = cbec_sim::calibrate::fit_durations(&secs, &[], &options).unwrap();
    let mean = |f: &cbec_sim::calibrate::DurationFit| {
        let p = &f.candidates[0].params[0];
        assert_eq!(p.name, "mean");
        // The standard error from the Wald interval on the log scale.
        let se = (p.high.unwrap() / p.low.unwrap()).ln() / (2.0 * 1.959_964) * p.estimate;
        (p.estimate, se)
    };
    let (k, k_se) = mean(&kept);
    let (d, d_se) = mean(&dropped);
    assert!(
        (k - 1440.0).abs() < 4.0 * k_se,
        "kept: mean {k:.0} min (se {k_se:.0}) against 1440"
    );
    assert!(
        1440.0 - d > 4.0 * d_se,
        "dropped: mean {d:.0} min (se {d_se:.0}) should be far below 1440"
    );
    eprintln!(
        "censoring: {censored} censored of {}; kept mean {k:.0} (se {k_se:.0}), dropped mean {d:.0} (se {d_se:.0}), truth 1440",
        censored + hold.durations().len()
    );
}

#[test]
fn a_loop_taken_again_is_counted_and_calibrated_with_an_exact_interval() {
    // Orders reviewed, then sent back for another review with probability
    // 0.2 (attempts geometric): the share of reviews followed by another
    // estimates 0.2. Over 30 logs its exact 95% interval covers 0.2 in at
    // least 24 (Binomial(30, 0.95): P(X <= 23) = 0.00057); the first log's
    // value is written into the template with the complement rebalanced.
    let text = r#"
        [simulation]
        horizon_h = 168
        [sources.orders]
        rate_per_hour = 20
        to = "review"
        [stations.review]
        servers = 50
        service_time_min = { dist = "exponential", mean = 5.0 }
        to = "redo"
        [routers.redo]
        routes = [{ to = "review", prob = 0.2 }, { to = "out", prob = 0.8 }]
        [sinks.out]
        "#;
    let template = text.replace(
        "prob = 0.2 }, { to = \"out\", prob = 0.8",
        "prob = 0.5 }, { to = \"out\", prob = 0.5",
    );
    let map = EventMap::from_toml_str(
        r#"
        arrival = "placed"
        [events]
        placed = { once = true, sim = { node = "orders" } }
        review_started = { sim = { node = "review", on = "start" } }
        left = { once = true, end = true, sim = { node = "out", on = "leave" } }
        [routes.review]
        event = "review_started"
        among = "placed"
        repeat_calibrates = "routers.redo.routes[to=review].prob"
        repeat_rebalance = "routers.redo.routes[to=out].prob"
        "#,
    )
    .unwrap();
    let model = Scenario::from_toml_str(text).unwrap().build().unwrap();
    let options = CalibrationOptions {
        fit: FitOptions::default().with_bootstrap(0),
        ..CalibrationOptions::default()
    };
    let mut covered = 0;
    for seed in 0..30 {
        let mut writer = EventLogWriter::new(&model, &map, Vec::new()).unwrap();
        let _ = writer.write_run(seed, 0);
        let csv = writer.finish().unwrap();
        let log = EventLog::from_reader(&csv[..], &map, "loop.csv").unwrap();
        let c = Calibration::from_log(&log, &map, &options).unwrap();
        let again = c.routes[0].repeat.unwrap();
        covered += usize::from(again.low <= 0.2 && 0.2 <= again.high);
        if seed == 0 {
            let doc: toml::Table = toml::from_str(&template).unwrap();
            let values = c.calibrated(&map, &doc).unwrap();
            let fitted = cbec_sim::calibrate::fitted_scenario(&doc, "", &values, None).unwrap();
            let out = fitted.scenario.to_document().unwrap();
            let routes = out["routers"]["redo"]["routes"].as_array().unwrap();
            let p = routes[0]["prob"].as_float().unwrap();
            assert!((p - again.estimate).abs() < 1e-5, "{p} against {again:?}");
            assert!((routes[1]["prob"].as_float().unwrap() - (1.0 - p)).abs() < 1e-9);
        }
    }
    assert!(covered >= 24, "covered in {covered} of 30 logs");
}

#[test]
fn runaway_bootstrap_and_replication_counts_are_refused() {
    let map = operator_map();
    let log = EventLog::from_path(manifest("examples/data/operator/log.csv"), &map).unwrap();
    let options = CalibrationOptions {
        fit: FitOptions::default().with_bootstrap(cbec_sim::calibrate::MAX_BOOTSTRAP + 1),
        ..CalibrationOptions::default()
    };
    let err = Calibration::from_log(&log, &map, &options)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("fit.bootstrap: must be at most 9999 replicates"),
        "{err}"
    );
    let truth = Scenario::from_path(manifest("examples/data/operator/truth.toml")).unwrap();
    let err = check_holdout(
        &truth,
        &map,
        std::path::Path::new(&manifest("examples/data/operator/log.csv")),
        cut(),
        &HoldoutOptions {
            replications: u64::MAX,
            ..HoldoutOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("replications: the holdout check needs from 2"),
        "{err}"
    );
}

#[test]
fn cancelled_orders_are_censored_and_orders_gone_the_other_way_are_decided() {
    let map = EventMap::from_toml_str(
        r#"
        arrival = "placed"
        [events]
        placed = { once = true }
        declared = { once = true }
        inspected = { once = true }
        picked = { once = true }
        cancelled = { end = true }
        left = { once = true, end = true }
        [stages.stay]
        from = "declared"
        to = "left"
        [routes.inspection]
        event = "inspected"
        among = "declared"
        decided_by = ["picked"]
        "#,
    )
    .unwrap();
    let log = "order,event,time
A,placed,2024-11-11T08:00:00
A,declared,2024-11-11T08:00:00
B,placed,2024-11-11T08:01:00
B,declared,2024-11-11T08:01:00
C,placed,2024-11-11T08:02:00
C,declared,2024-11-11T08:02:00
A,cancelled,2024-11-11T08:10:00
B,picked,2024-11-11T08:20:00
C,picked,2024-11-11T08:21:00
C,left,2024-11-11T08:30:00
D,placed,2024-11-11T08:31:00
D,declared,2024-11-11T08:32:00
";
    let parsed = EventLog::from_reader(log.as_bytes(), &map, "log.csv").unwrap();
    let stay = parsed.stage("stay").unwrap();
    // A left after 10 minutes, cancelled: censored there, not dropped.
    assert_eq!(
        stay.exits().iter().map(|t| t.secs()).collect::<Vec<_>>(),
        [600.0]
    );
    assert_eq!(stay.exited(), 1);
    // B (picked, still inside) went the other way: decided; D is not.
    let route = parsed.route("inspection").unwrap();
    assert_eq!((route.trials, route.successes, route.undecided), (4, 0, 1));
    // The fit reads A's exit as censored with B's and D's open stays.
    let fit = stay
        .fit(
            &FitOptions::default()
                .with_bootstrap(0)
                .with_families(&[Family::Exponential]),
        )
        .unwrap();
    assert_eq!((fit.completed, fit.censored), (1, 3));
}
