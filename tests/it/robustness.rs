//! Robustness of a measure's effect across its assumptions: a case built
//! to flip (the effect's sign depends on one assumption) names that
//! assumption and where it flips; the Latin hypercube stratifies; the
//! study is the same on any thread count.

use cbec_sim::experiment::{
    Replications, RobustnessOptions, Seed, Verdict, latin_hypercube, robustness,
};
use cbec_sim::{Assumptions, Measure, Scenario};
use std::sync::atomic::AtomicBool;

#[test]
fn a_latin_hypercube_puts_one_point_in_each_stratum() {
    let p = latin_hypercube(10, 3, 5);
    for d in 0..3 {
        let mut strata: Vec<usize> = p.iter().map(|x| (x[d] * 10.0).floor() as usize).collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..10).collect::<Vec<_>>());
    }
}

/// Half the orders go to desk a (service 2 min), half to desk b; the
/// measure sends 80% to b. It shortens the time in system when b is the
/// faster desk and lengthens it when b is slower: the sign flips where b's
/// mean service crosses a's, 2 min. The sampling interval changes nothing
/// and the arrival rate little.
#[test]
fn a_flipping_effect_names_the_assumption_that_flips_it() {
    let scenario = Scenario::from_toml_str(
        r#"
        [simulation]
        horizon_h = 400
        warmup_h = 10
        sample_every_min = 60
        [sources.orders]
        rate_per_hour = 30
        to = "split"
        [routers.split]
        routes = [{ to = "a", prob = 0.5 }, { to = "b", prob = 0.5 }]
        [stations.a]
        servers = 2
        service_time_min = { dist = "exponential", mean = 2.0 }
        to = "out"
        [stations.b]
        servers = 2
        service_time_min = { dist = "exponential", mean = 2.0 }
        to = "out"
        [sinks.out]
        "#,
    )
    .unwrap();
    let ranges = Assumptions::from_toml_str(
        r#"
        [[assumption]]
        path = "simulation.sample_every_min"
        low = 30
        high = 120
        [[assumption]]
        path = "stations.b.service_time_min.mean"
        low = 1.0
        high = 3.0
        [[assumption]]
        path = "sources.orders.rate_per_hour"
        low = 28
        high = 32
        "#,
    )
    .unwrap();
    let measure = Measure::list_from_toml_str(
        r#"
        [[measure]]
        name = "more_to_b"
        title = "Send most orders to desk b"
        press_release = "(a test)"
        patches = [{ path = "routers.split.routes[to=b].prob", set = 0.8, assumption = "test" },
                   { path = "routers.split.routes[to=a].prob", set = 0.2, assumption = "test" }]
        "#,
    )
    .unwrap();
    let mut options = RobustnessOptions::new(vec!["network.time_in_system_mean_min".into()]);
    options.draws = 16;
    options.thresholds = vec![("network.time_in_system_mean_min".into(), -0.2)];
    options.seed = Seed(8);
    options.replications = Replications::first(4);
    let never = AtomicBool::new(false);
    let variants = vec![("more_to_b".to_string(), measure)];
    let r = robustness(&scenario, &ranges, &variants, &options, &never, &|| {}).unwrap();
    assert_eq!(r.values.len(), 16);
    let e = &r.variants[0].kpis[0];
    assert!(e.share_up > 0.2 && e.share_down > 0.2, "{e:?}");
    assert!((e.share_up + e.share_down + e.share_neither - 1.0).abs() < 1e-12);
    let split = e.split.as_ref().expect("the verdicts differ");
    assert_eq!(split.factor, "stations.b.service_time_min.mean");
    assert!((split.at - 2.0).abs() < 0.4, "{split:?}");
    // Below the split the effect is never up, above it never down (draws
    // near 2 min are indistinguishable from zero).
    assert_eq!((split.below.1, split.above.2), (0.0, 0.0), "{split:?}");
    assert!(split.below.2 > 0.5 && split.above.1 > 0.5, "{split:?}");
    assert_eq!(e.drivers[0].factor, "stations.b.service_time_min.mean");
    assert!(e.drivers[0].rank_correlation > 0.9, "{:?}", e.drivers);
    // Every draw below the split is a decrease of more than 0.2 min or
    // not: the threshold share counts the effects at most -0.2.
    let beyond = e.effects.iter().filter(|&&x| x <= -0.2).count() as f64 / 16.0;
    assert_eq!(e.share_beyond, Some(beyond));
    assert!(e.verdicts.contains(&Verdict::Decrease));
    let [p5, p50, p95] = e.percentiles;
    assert!(p5 < 0.0 && p95 > 0.0 && p5 <= p50 && p50 <= p95);
    // The same on one thread and on three.
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let again = pool
            .install(|| robustness(&scenario, &ranges, &variants, &options, &never, &|| {}))
            .unwrap();
        assert_eq!(again, r, "{threads} threads");
    }
}
