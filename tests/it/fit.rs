//! Fitting a stage's durations (issue 17): censored maximum likelihood
//! recovers each family's parameters with Wald intervals that cover at
//! their level; AIC tells the families apart; keeping censored durations
//! removes the bias that dropping them causes; the bootstrap test holds
//! its size and rejects a wrong family; degenerate data give clear notes
//! or errors; and the result does not depend on the thread count.

use cbec_sim::calibrate::{Choice, DurationFit, Family, FitOptions, fit_durations};
use cbec_sim::rng::{StreamId, stream_rng};
use cbec_sim::{Dist, DistSpec, Error};

/// Seeds per coverage or size check.
const SEEDS: u64 = 40;

/// The fewest of [`SEEDS`] 95% intervals that may cover the truth: the
/// Binomial(40, 0.95) lower 0.1% quantile. P(X <= 32) = 0.00071 < 0.001
/// <= P(X <= 33) = 0.0034, so a correct interval fails this check with
/// probability 0.0007.
const MIN_COVERED: usize = 33;

/// The most of [`SEEDS`] tests at 5% that may reject a true model: the
/// Binomial(40, 0.05) upper 0.1% quantile. P(X >= 8) = 0.00071.
const MAX_REJECTED: usize = 7;

/// Draws of `law` (parameters in minutes) in seconds: `n` durations, and
/// independent exponential censoring times of mean `censor_mean_min`
/// (none when 0). Returns (completed, censored ages).
fn draw(law: &Dist, n: usize, censor_mean_min: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = stream_rng(seed, 0, StreamId::named("test", "fit", "durations"));
    let censor = (censor_mean_min > 0.0).then(|| Dist::exponential(censor_mean_min).unwrap());
    let (mut done, mut open) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let t = law.sample(&mut rng) * 60.0;
        match censor.as_ref().map(|c| c.sample(&mut rng) * 60.0) {
            Some(c) if c < t => open.push(c),
            _ => done.push(t),
        }
    }
    (done, open)
}

fn no_test() -> FitOptions {
    FitOptions::default().with_bootstrap(0)
}

/// The truths of the four families (minutes) in [`Family::params`] order.
fn cases() -> [(Family, Dist, Vec<f64>); 4] {
    [
        (
            Family::Exponential,
            Dist::exponential(10.0).unwrap(),
            vec![10.0],
        ),
        (
            Family::Lognormal,
            Dist::lognormal(10.0, 1.5).unwrap(),
            vec![10.0, 1.5],
        ),
        (
            Family::Gamma,
            Dist::gamma(10.0, 0.5).unwrap(),
            vec![10.0, 0.5],
        ),
        (
            Family::Weibull,
            Dist::weibull(2.0, 10.0).unwrap(),
            vec![2.0, 10.0],
        ),
    ]
}

#[test]
fn wald_intervals_cover_the_truth_under_censoring() {
    for (family, law, truth) in cases() {
        let mut covered = vec![0; truth.len()];
        let mut censored_share = 0.0;
        for seed in 0..SEEDS {
            // Censoring mean 40 min: about 20% censored (exactly 1/5 for the
            // exponential of mean 10).
            let (done, open) = draw(&law, 500, 40.0, seed);
            censored_share += open.len() as f64 / 500.0 / SEEDS as f64;
            let fit = fit_durations(&done, &open, &no_test().with_families(&[family])).unwrap();
            let cand = fit.candidate(family).unwrap();
            for (i, p) in cand.params.iter().enumerate() {
                if p.low.unwrap() <= truth[i] && truth[i] <= p.high.unwrap() {
                    covered[i] += 1;
                }
            }
        }
        assert!(
            (0.1..0.3).contains(&censored_share),
            "{family}: {censored_share}"
        );
        for (i, c) in covered.iter().enumerate() {
            assert!(
                *c >= MIN_COVERED,
                "{family} {}: covered in {c} of {SEEDS}",
                family.params()[i]
            );
        }
    }
}

#[test]
fn aic_picks_the_true_family() {
    for (family, law, _) in cases() {
        let (done, _) = draw(&law, 2000, 0.0, 7);
        let fit = fit_durations(&done, &[], &no_test()).unwrap();
        if family == Family::Exponential {
            // Nested in gamma (cv = 1) and Weibull (shape = 1): AIC prefers
            // a larger family whenever its likelihood-ratio statistic LR
            // (chi-squared, 1 df) exceeds 2, which happens with probability
            // 0.16, so the pair is not far enough apart to demand the
            // exponential. Instead: its ΔAIC is LR - 2 < 10.83 - 2 (the
            // chi-squared 0.999 quantile) against both.
            let exp = fit.candidate(Family::Exponential).unwrap();
            assert!(exp.delta < 10.83 - 2.0, "{fit}");
        } else {
            // The other three differ in shape; their ΔAIC grows as 2n times
            // the Kullback-Leibler divergence, and at n = 2000 the runner-up
            // is far behind (asserted as more than 10 units).
            assert_eq!(fit.chosen, Choice::Family(family), "{fit}");
            assert!(fit.candidates[1].delta > 10.0, "{fit}");
        }
    }
}

#[test]
fn keeping_censored_durations_removes_the_bias_of_dropping_them() {
    // Exponential of mean 10 min, censored at exponential times of mean
    // 15 min: 40% censored. The completed durations alone are
    // min(T, C) given T < C, exponential of mean 1/(1/10 + 1/15) = 6 min.
    let law = Dist::exponential(10.0).unwrap();
    let (done, open) = draw(&law, 2000, 15.0, 3);
    let share = open.len() as f64 / 2000.0;
    assert!((0.35..0.45).contains(&share), "{share}");
    let opts = no_test().with_families(&[Family::Exponential]);
    // The standard error of the mean from its 95% Wald interval on the log
    // scale: se(ln mean) = ln(high / estimate) / 1.96.
    let mean_and_se = |fit: &DurationFit| {
        let p = &fit.candidates[0].params[0];
        (
            p.estimate,
            p.estimate * (p.high.unwrap() / p.estimate).ln() / 1.959_964,
        )
    };
    let (kept, se_kept) = mean_and_se(&fit_durations(&done, &open, &opts).unwrap());
    let (dropped, se_dropped) = mean_and_se(&fit_durations(&done, &[], &opts).unwrap());
    assert!((kept - 10.0).abs() < 3.0 * se_kept, "{kept} ± {se_kept}");
    assert!(
        10.0 - dropped > 5.0 * se_dropped,
        "{dropped} ± {se_dropped}"
    );
}

#[test]
fn bootstrap_test_holds_its_size_and_rejects_a_wrong_family() {
    // Under the null: KS with a fitted scale is pivotal for a scale
    // family, so the Monte Carlo p-value with B = 99 is exact:
    // P(p <= 0.05) = 5/100.
    let law = Dist::exponential(10.0).unwrap();
    let opts = FitOptions::default()
        .with_families(&[Family::Exponential])
        .with_bootstrap(99);
    let rejected = (0..SEEDS)
        .filter(|seed| {
            let (done, _) = draw(&law, 300, 0.0, 100 + seed);
            let fit = fit_durations(&done, &[], &opts.clone().with_seed(*seed)).unwrap();
            fit.gof.unwrap().p_value <= 0.05
        })
        .count();
    assert!(rejected <= MAX_REJECTED, "{rejected} of {SEEDS} rejected");

    // With 20% censoring the statistic is no longer exactly pivotal (the
    // censoring law is estimated), but the conditional bootstrap is
    // asymptotically valid: the same bound.
    let rejected = (0..SEEDS)
        .filter(|seed| {
            let (done, open) = draw(&law, 300, 40.0, 200 + seed);
            let fit = fit_durations(&done, &open, &opts.clone().with_seed(*seed)).unwrap();
            fit.gof.unwrap().p_value <= 0.05
        })
        .count();
    assert!(
        rejected <= MAX_REJECTED,
        "censored: {rejected} of {SEEDS} rejected"
    );

    // Weibull of shape 3 is far from exponential: with B = 199 the
    // smallest p-value is 1/200, which no replicate distance reaching
    // the data's gives.
    let (done, open) = draw(&Dist::weibull(3.0, 10.0).unwrap(), 300, 40.0, 5);
    let opts = opts.with_bootstrap(199);
    let fit = fit_durations(&done, &open, &opts).unwrap();
    let gof = fit.gof.as_ref().unwrap();
    assert!(gof.p_value < 0.01, "{fit}");
    assert_eq!(fit.chosen, Choice::Empirical);
    assert!(matches!(fit.spec, DistSpec::Empirical { .. }));
    assert!(
        fit.notes.iter().any(|n| n.contains("none fits well")),
        "{fit}"
    );
}

#[test]
fn degenerate_durations_give_notes_or_errors() {
    let opts = FitOptions::default().with_bootstrap(19);
    let err = fit_durations(&[], &[], &opts).unwrap_err();
    assert!(matches!(err, Error::Scenario { .. }));
    assert!(
        err.to_string().starts_with("completed_secs: no durations"),
        "{err}"
    );

    let err = fit_durations(&[], &[30.0, 60.0], &opts).unwrap_err();
    assert!(
        err.to_string().contains("all 2 durations are censored"),
        "{err}"
    );

    let err = fit_durations(&[1.0, 2.0, -3.0], &[], &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "completed_secs[2]: a duration must be finite and at least 0, got -3"
    );
    let err = fit_durations(&[1.0], &[f64::NAN], &opts).unwrap_err();
    assert!(err.to_string().starts_with("censored_secs[0]: "), "{err}");
    let err = fit_durations(&[1.0], &[], &opts.clone().with_level(1.0)).unwrap_err();
    assert_eq!(err.to_string(), "fit.level: must lie in (0, 1), got 1");

    // All identical: deterministic, the single-point empirical law.
    let fit = fit_durations(&[90.0; 50], &[30.0], &opts).unwrap();
    assert_eq!(fit.chosen, Choice::Empirical);
    assert_eq!(fit.spec, DistSpec::Empirical { samples: vec![1.5] });
    assert!(
        fit.notes.iter().any(|n| n.contains("deterministic")),
        "{fit}"
    );
    assert_eq!(fit.candidates.len(), 1, "only the exponential: {fit}");

    // One value: the exponential, no test.
    let fit = fit_durations(&[120.0], &[], &opts).unwrap();
    assert_eq!(fit.chosen, Choice::Family(Family::Exponential));
    assert_eq!(fit.spec, DistSpec::Exponential { mean: 2.0 });
    assert!(fit.gof.is_none());
    assert!(fit.notes.iter().any(|n| n.contains("too few")), "{fit}");

    // Zeros: read as half a second, noted; every fit stays finite.
    let mut secs: Vec<f64> = (0..200).map(|i| f64::from(i % 40) * 7.0).collect();
    secs.extend([0.0; 10]);
    let fit = fit_durations(&secs, &[0.0, 100.0], &opts).unwrap();
    assert_eq!(fit.zeros, 15);
    assert!(
        fit.notes.iter().any(|n| n.contains("read as 0.5 s")),
        "{fit}"
    );
    assert!(fit.candidates.len() == 4, "{fit}");
    for c in &fit.candidates {
        assert!(c.loglik.is_finite() && c.params.iter().all(|p| p.estimate > 0.0));
    }
    let fit = fit_durations(&[0.0; 5], &[], &opts).unwrap();
    assert_eq!(fit.chosen, Choice::Empirical);

    // The longest duration censored: the empirical law is truncated.
    let fit = fit_durations(&[60.0, 120.0, 180.0], &[600.0], &opts).unwrap();
    assert!(fit.notes.iter().any(|n| n.contains("truncated")), "{fit}");
}

#[test]
fn same_seed_same_fit_on_one_or_two_threads() {
    let (done, open) = draw(&Dist::gamma(10.0, 0.7).unwrap(), 400, 40.0, 11);
    let opts = FitOptions::default().with_bootstrap(39).with_seed(9);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let fit = pool.install(|| fit_durations(&done, &open, &opts).unwrap());
        serde_json::to_string(&fit).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_ne!(
        one,
        serde_json::to_string(&fit_durations(&done, &open, &opts.clone().with_seed(10)).unwrap())
            .unwrap(),
        "the seed drives the bootstrap"
    );
}

#[test]
fn a_million_durations_fit_in_seconds() {
    // One likelihood evaluation is O(n) only for the Weibull and the
    // censored ages; the test runs on a subsample of gof_max_n.
    // Censoring at exponential times of mean 10^4 min: about 0.1%.
    let (done, open) = draw(&Dist::lognormal(10.0, 1.0).unwrap(), 1_001_000, 1e4, 1);
    assert!((500..2000).contains(&open.len()), "{}", open.len());
    let fit = fit_durations(&done, &open, &FitOptions::default().with_bootstrap(19)).unwrap();
    assert_eq!(fit.chosen, Choice::Family(Family::Lognormal), "{fit}");
    assert_eq!(fit.gof.as_ref().unwrap().n, 2000);
    let mean = &fit.candidates[0].params[0];
    assert!(
        mean.low.unwrap() < 10.0 && 10.0 < mean.high.unwrap(),
        "{fit}"
    );
}

#[test]
fn stage_sample_fits_through_the_log() {
    use cbec_sim::calibrate::{EventLog, EventMap};
    let map = EventMap::from_toml_str(
        r#"
        arrival = "placed"
        [events]
        placed = { once = true }
        released = { once = true, end = true }
        [stages.review]
        from = "placed"
        to = "released"
        "#,
    )
    .unwrap();
    let mut log = String::from("order,event,time\n");
    for i in 0..20u32 {
        log += &format!("A{i},placed,2024-11-11T08:{i:02}:00\n");
    }
    for i in 0..20u32 {
        log += &format!("A{i},released,2024-11-11T09:{i:02}:{:02}\n", (i * 7) % 60);
    }
    log += "B,placed,2024-11-11T09:30:00\n";
    let parsed = EventLog::from_reader(log.as_bytes(), &map, "log.csv").unwrap();
    let fit = parsed
        .stage("review")
        .unwrap()
        .fit(&FitOptions::default().with_bootstrap(19))
        .unwrap();
    assert_eq!((fit.completed, fit.censored), (20, 1));
    let text = fit.to_string();
    assert!(
        text.starts_with("fitted by maximum likelihood: 20 completed"),
        "{text}"
    );
    let err = parsed
        .stage("review")
        .unwrap()
        .fit(&FitOptions::default().with_alpha(0.0))
        .unwrap_err();
    assert_eq!(err.to_string(), "fit.alpha: must lie in (0, 1), got 0");
}
