//! Goodness of fit: the Kolmogorov–Smirnov distance between the
//! Kaplan–Meier estimate and the fitted CDF, with a p-value from a
//! parametric bootstrap that refits the parameters on every replicate
//! (so it accounts for their being fitted, as Lilliefors' test does).

use super::family::{Family, Law};
use super::km::KaplanMeier;
use super::mle::Sample;
use crate::rng::{StreamId, stream_rng};
use rand::RngExt;
use serde::Serialize;

/// The outcome of the goodness-of-fit test of one fitted family.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GoodnessOfFit {
    /// The family tested (the best by the information criterion).
    pub family: Family,
    /// The Kolmogorov–Smirnov distance `D = sup |F̂(t) - F(t)|` over the
    /// observed range, `F̂` the Kaplan–Meier estimate.
    pub statistic: f64,
    /// `(1 + #{D* >= D}) / (B + 1)` over the bootstrap replicates.
    pub p_value: f64,
    /// Bootstrap replicates `B` that gave a distance (a replicate whose
    /// refit fails is left out).
    pub replicates: usize,
    /// Durations the test used: all of them, or a subsample of
    /// [`FitOptions::gof_max_n`](super::FitOptions::gof_max_n).
    pub n: usize,
}

/// What the bootstrap needs besides the data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) family: Family,
    pub(crate) replicates: usize,
    pub(crate) max_n: usize,
    pub(crate) seed: u64,
    /// When the data had zero durations: the value (in the fit's unit) a
    /// zero was read as, and the clock's resolution. A draw below the
    /// resolution is recorded as that value, as the log would record it.
    pub(crate) zero: Option<(f64, f64)>,
}

/// The replicate index of the subsample's stream (a replicate never has it).
const SUBSAMPLE: u64 = u64::MAX;

/// The test of `plan.family` on `completed` durations and `censored` ages
/// (the fit's unit). `None` when the family cannot be fitted to the
/// (sub)sample.
pub(crate) fn test(completed: &[f64], censored: &[f64], plan: Plan) -> Option<GoodnessOfFit> {
    let (completed, censored) = subsample(completed, censored, plan);
    let law = fit(plan.family, &completed, &censored)?;
    let statistic = KaplanMeier::new(&completed, &censored).ks_distance(&law);
    let censoring = KaplanMeier::censoring(&completed, &censored);
    let one = |b: usize| replicate(&law, &censoring, &completed, &censored, plan, b as u64);
    #[cfg(feature = "parallel")]
    let distances: Vec<Option<f64>> = {
        use rayon::prelude::*;
        (0..plan.replicates).into_par_iter().map(one).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let distances: Vec<Option<f64>> = (0..plan.replicates).map(one).collect();
    let distances: Vec<f64> = distances.into_iter().flatten().collect();
    let beyond = distances.iter().filter(|d| **d >= statistic).count();
    Some(GoodnessOfFit {
        family: plan.family,
        statistic,
        p_value: (1 + beyond) as f64 / (distances.len() + 1) as f64,
        replicates: distances.len(),
        n: completed.len() + censored.len(),
    })
}

/// At most `plan.max_n` of the durations: all of them, or a subsample
/// drawn without replacement (a partial Fisher–Yates shuffle on the stream
/// of `(seed, SUBSAMPLE)`), each keeping whether it was censored.
fn subsample(completed: &[f64], censored: &[f64], plan: Plan) -> (Vec<f64>, Vec<f64>) {
    let total = completed.len() + censored.len();
    if total <= plan.max_n {
        return (completed.to_vec(), censored.to_vec());
    }
    let mut rng = stream_rng(plan.seed, SUBSAMPLE, stream("subsample"));
    let mut index: Vec<usize> = (0..total).collect();
    for i in 0..plan.max_n {
        let j = rng.random_range(i..total);
        index.swap(i, j);
    }
    let (mut done, mut open) = (Vec::new(), Vec::new());
    for &i in &index[..plan.max_n] {
        match completed.get(i) {
            Some(x) => done.push(*x),
            None => open.push(censored[i - completed.len()]),
        }
    }
    (done, open)
}

fn stream(purpose: &str) -> StreamId {
    StreamId::named("calibrate", "fit", purpose)
}

/// The fitted law of `family`, if the likelihood has a maximum.
fn fit(family: Family, completed: &[f64], censored: &[f64]) -> Option<Law> {
    let sample = Sample::new(completed.to_vec(), censored.to_vec());
    let theta = sample.mle(family)?;
    let params: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
    Law::new(family, &params).ok()
}

/// Replicate `b`, drawn on the stream `(seed, b)`: for each duration a
/// draw `T` from `law` and a censoring time `C`, observed as `min(T, C)`,
/// censored when `T > C`. For a censored age `c`, `C = c`; for a completed
/// duration `x`, `C` is drawn from the reverse Kaplan–Meier estimate
/// conditioned on `C > x` (its censoring time was unseen but later than
/// `x`), or is beyond the observed range. Then the family refitted and
/// its distance.
///
/// Keeping completed durations uncensored would give replicates less
/// censoring than the data, hence smaller distances and p-values that are
/// too small; the conditional draw (Davison and Hinkley's conditional
/// bootstrap for censored data) keeps the censoring pattern.
fn replicate(
    law: &Law,
    censoring: &KaplanMeier,
    completed: &[f64],
    censored: &[f64],
    plan: Plan,
    b: u64,
) -> Option<f64> {
    let mut rng = stream_rng(plan.seed, b, stream("bootstrap"));
    let draw = |rng: &mut crate::rng::SimRng| {
        let t = law.sample(rng).max(f64::MIN_POSITIVE);
        match plan.zero {
            Some((zero, resolution)) if t < resolution => zero,
            _ => t,
        }
    };
    let (mut done, mut open) = (Vec::new(), Vec::new());
    for x in completed {
        let t = draw(&mut rng);
        let u = 1.0 - rng.random::<f64>();
        match censoring.draw_above(*x, u) {
            Some(c) if t > c => open.push(c),
            _ => done.push(t),
        }
    }
    for c in censored {
        let t = draw(&mut rng);
        if t > *c {
            open.push(*c);
        } else {
            done.push(t);
        }
    }
    let refit = fit(plan.family, &done, &open)?;
    Some(KaplanMeier::new(&done, &open).ks_distance(&refit))
}
