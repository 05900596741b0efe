//! Sensitivity analysis checked on functions with known indices (the same
//! design and analysis code the simulator's study uses), then on a small
//! scenario: a Morris screening ranks the factors, a factor without
//! effect gets exactly zero on common random numbers, and the Sobol stage
//! runs on the top factors.

use cbec_sim::experiment::sensitivity::{
    MorrisDesign, SaltelliDesign, SensitivityOptions, sensitivity,
};
use cbec_sim::experiment::{Replications, Seed};
use cbec_sim::{Assumptions, Scenario};
use std::f64::consts::PI;
use std::sync::atomic::AtomicBool;

/// Every trajectory moves each factor once by ±delta on the grid, inside
/// the unit cube.
#[test]
fn morris_trajectories_move_each_factor_once_on_the_grid() {
    let d = MorrisDesign::new(5, 20, 4, 7);
    assert_eq!(d.points.len(), 20 * 6);
    assert!((d.delta - 2.0 / 3.0).abs() < 1e-15);
    for t in 0..20 {
        let mut moved = [0; 5];
        for j in 0..5 {
            let (a, b) = (&d.points[t * 6 + j], &d.points[t * 6 + j + 1]);
            let changed: Vec<usize> = (0..5).filter(|&i| a[i] != b[i]).collect();
            assert_eq!(changed.len(), 1);
            let i = changed[0];
            assert_eq!(d.moves[t * 5 + j].0, i);
            assert!(((b[i] - a[i]).abs() - d.delta).abs() < 1e-12);
            moved[i] += 1;
        }
        assert_eq!(moved, [1; 5]);
        for p in &d.points[t * 6..t * 6 + 6] {
            for &x in p {
                assert!((0.0..=1.0).contains(&x));
                let level = x * 3.0;
                assert!((level - level.round()).abs() < 1e-12, "{x} is off the grid");
            }
        }
    }
}

/// y = 3 x0 - 2 x1 (x2 unused): every elementary effect is exactly the
/// coefficient, so mu = (3, -2, 0), mu* = (3, 2, 0), sigma = 0; with y =
/// x0 x1 the effects vary with the other factor (sigma > 0) and x2 stays 0.
#[test]
fn morris_indices_of_linear_and_interacting_functions_are_exact() {
    let d = MorrisDesign::new(3, 12, 4, 3);
    let y: Vec<f64> = d.points.iter().map(|x| 3.0 * x[0] - 2.0 * x[1]).collect();
    let m = d.analyze(&y, &d.unit_steps(), 200, 1);
    for (i, (mu, star)) in [(3.0, 3.0), (-2.0, 2.0), (0.0, 0.0)].iter().enumerate() {
        assert!((m[i].mu - mu).abs() < 1e-12, "{i}: {:?}", m[i]);
        assert!((m[i].mu_star - star).abs() < 1e-12);
        assert!(m[i].sigma.abs() < 1e-12);
        assert!(m[i].mu_star_half_width.abs() < 1e-12);
    }
    let y: Vec<f64> = d.points.iter().map(|x| x[0] * x[1]).collect();
    let m = d.analyze(&y, &d.unit_steps(), 200, 1);
    assert!(m[0].sigma > 0.1 && m[1].sigma > 0.1, "{m:?}");
    assert_eq!((m[2].mu_star, m[2].sigma), (0.0, 0.0));
}

fn check(name: &str, est: f64, half: f64, truth: f64) {
    // The half-width is 1.96 bootstrap standard errors: 2 half-widths is
    // about 4 standard errors.
    assert!(
        (est - truth).abs() <= 2.0 * half,
        "{name}: {est} ± {half}, analytic {truth}"
    );
    assert!(half < 0.05, "{name}: interval {half} too wide to test");
}

/// Ishigami (a = 7, b = 0.1) on [-pi, pi]^3: S1 = (0.3139, 0.4424, 0),
/// ST = (0.5576, 0.4424, 0.2437) (Ishigami and Homma 1990; Saltelli et
/// al. 2008).
#[test]
fn sobol_indices_of_the_ishigami_function() {
    let d = SaltelliDesign::new(3, 4096, 11).unwrap();
    let y: Vec<f64> = d
        .points
        .iter()
        .map(|u| {
            let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
            x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
        })
        .collect();
    let s = d.analyze(&y, 300, 5);
    let (a, b) = (7.0f64, 0.1f64);
    let v = a * a / 8.0 + b * PI.powi(4) / 5.0 + b * b * PI.powi(8) / 18.0 + 0.5;
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    for (i, (s1, st)) in [(v1 / v, (v1 + v13) / v), (v2 / v, v2 / v), (0.0, v13 / v)]
        .iter()
        .enumerate()
    {
        check(&format!("S1[{i}]"), s[i].first, s[i].first_half_width, *s1);
        check(&format!("ST[{i}]"), s[i].total, s[i].total_half_width, *st);
    }
}

/// Sobol's g-function with a = (0, 1, 4.5, 9): V_i = 1 / (3 (1 + a_i)^2),
/// V = prod(1 + V_i) - 1, S_i = V_i / V, ST_i = V_i prod_{j != i}(1 + V_j) / V.
#[test]
fn sobol_indices_of_the_g_function() {
    let a = [0.0, 1.0, 4.5, 9.0];
    let d = SaltelliDesign::new(4, 16384, 3).unwrap();
    let y: Vec<f64> = d
        .points
        .iter()
        .map(|u| {
            u.iter()
                .zip(a)
                .map(|(x, ai)| ((4.0 * x - 2.0).abs() + ai) / (1.0 + ai))
                .product()
        })
        .collect();
    let s = d.analyze(&y, 300, 9);
    let vi: Vec<f64> = a
        .iter()
        .map(|ai| 1.0 / (3.0 * (1.0 + ai) * (1.0 + ai)))
        .collect();
    let v = vi.iter().map(|x| 1.0 + x).product::<f64>() - 1.0;
    for i in 0..4 {
        let others: f64 = (0..4).filter(|&j| j != i).map(|j| 1.0 + vi[j]).product();
        check(
            &format!("S1[{i}]"),
            s[i].first,
            s[i].first_half_width,
            vi[i] / v,
        );
        check(
            &format!("ST[{i}]"),
            s[i].total,
            s[i].total_half_width,
            vi[i] * others / v,
        );
    }
}

const DESK: &str = r#"
[simulation]
horizon_h = 200
warmup_h = 20
sample_every_min = 60

[sources.orders]
rate_per_hour = 50
to = "desk"

[stations.desk]
servers = 2
service_time_min = { dist = "exponential", mean = 2.0 }
to = "out"

[sinks.out]
"#;

/// Two officers at a desk: the service mean drives the wait; the
/// sampling interval changes no order's path, so on common random numbers
/// its elementary effects are exactly 0.
#[test]
fn a_study_ranks_the_driver_first_and_an_inert_factor_exactly_zero() {
    let scenario = Scenario::from_toml_str(DESK).unwrap();
    let ranges = Assumptions::from_toml_str(
        r#"
        [[assumption]]
        path = "simulation.sample_every_min"
        low = 30
        high = 120
        [[assumption]]
        path = "stations.desk.service_time_min.mean"
        low = 1.5
        high = 2.2
        [[assumption]]
        path = "sources.orders.rate_per_hour"
        low = 45
        high = 52
        "#,
    )
    .unwrap();
    let mut options = SensitivityOptions::new(vec!["desk.wait_mean_min".into()]);
    options.trajectories = 4;
    options.top = 2;
    options.sobol_rows = 8;
    options.seed = Seed(3);
    options.replications = Replications::first(2);
    let never = AtomicBool::new(false);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let s = sensitivity(&scenario, &ranges, &options, &never, &|| {
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    // The noise estimate, 4 trajectories of 4 points, 8 rows of 4 points.
    assert_eq!(s.design_points, 1 + 4 * 4 + 8 * 4);
    assert_eq!(done.into_inner(), s.design_points);
    let k = &s.kpis[0];
    assert_eq!(k.morris[0].factor, "stations.desk.service_time_min.mean");
    assert!(k.morris[0].index.mu > 0.0, "a slower desk, a longer wait");
    let inert = k
        .morris
        .iter()
        .find(|r| r.factor == "simulation.sample_every_min")
        .unwrap();
    assert_eq!((inert.index.mu_star, inert.index.sigma), (0.0, 0.0));
    assert!(inert.within_noise);
    assert!(!k.morris[0].within_noise);
    assert!((0.0..=1.0).contains(&k.noise_share));
    assert_eq!(s.top.len(), 2);
    assert!(!s.top.contains(&"simulation.sample_every_min".to_string()));
    assert_eq!(k.sobol.len(), 2);
    // Bit for bit again, on one thread and on three.
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let again = pool
            .install(|| sensitivity(&scenario, &ranges, &options, &never, &|| {}))
            .unwrap();
        assert_eq!(again, s, "{threads} threads");
    }
}

#[test]
fn study_options_out_of_range_name_the_option() {
    let scenario = Scenario::from_toml_str(DESK).unwrap();
    let ranges = Assumptions::from_toml_str(
        "[[assumption]]\npath = \"stations.desk.servers\"\nlow = 2\nhigh = 3\n",
    )
    .unwrap();
    let never = AtomicBool::new(false);
    let run = |f: &dyn Fn(&mut SensitivityOptions)| {
        let mut o = SensitivityOptions::new(vec!["desk.wait_mean_min".into()]);
        f(&mut o);
        sensitivity(&scenario, &ranges, &o, &never, &|| {})
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        run(&|o| o.levels = 3).unwrap_err(),
        "levels: must be even and at least 2, got 3"
    );
    assert_eq!(
        run(&|o| o.trajectories = 1).unwrap_err(),
        "trajectories: must be at least 2 (an interval needs two), got 1"
    );
    assert!(
        run(&|o| o.kpis = vec!["desk.wiat_mean_min".into()])
            .unwrap_err()
            .contains("desk.wait_mean_min")
    );
    let stop = AtomicBool::new(true);
    let o = SensitivityOptions::new(vec!["desk.wait_mean_min".into()]);
    let e = sensitivity(&scenario, &ranges, &o, &stop, &|| {}).unwrap_err();
    assert!(e.to_string().contains("interrupted"), "{e}");
}
