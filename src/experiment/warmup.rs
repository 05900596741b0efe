//! Choosing a warm-up automatically: MSER-5.
//!
//! [`mser5`] is a pure function of a series; [`suggest_warmup`] runs pilot
//! replications `0..pilot` (the first replications of the study, under its
//! seed) with a time series and no warm-up, and applies it to their mean.

/// The MSER-5 truncation point of an output series.
///
/// The series is cut into batches of 5 consecutive values and the batch
/// means `y_1..y_m` are formed. For each candidate `d` (batches deleted),
/// `MSER(d) = Σ_{j>d} (y_j - ȳ_d)² / (m - d)²`, where `ȳ_d` is the mean of
/// the batches kept. The chosen `d` minimises it over the first half of the
/// series (a minimum in the second half means the run is too short to tell,
/// and `None` is returned). Returns the number of **values** to delete
/// (`5·d`), or `None` for a series too short (fewer than 4 batches) or a
/// minimum in its second half.
///
/// White, K. P. (1997), *An effective truncation heuristic for bias
/// reduction in simulation output*, Simulation 69(6).
///
/// ```
/// use cbec_sim::experiment::mser5;
/// // A transient of 50 values decaying from 10, then noise-free 1.0.
/// let series: Vec<f64> = (0..500).map(|i| if i < 50 { 10.0 - 0.18 * i as f64 } else { 1.0 }).collect();
/// let cut = mser5(&series).unwrap();
/// assert!((45..=55).contains(&cut), "{cut}");
/// ```
#[must_use]
pub fn mser5(series: &[f64]) -> Option<usize> {
    const B: usize = 5;
    let means: Vec<f64> = series
        .chunks_exact(B)
        .map(|c| c.iter().sum::<f64>() / B as f64)
        .collect();
    let m = means.len();
    if m < 4 {
        return None;
    }
    // Suffix sums let every candidate be scored in O(1).
    let mut sum = vec![0.0; m + 1];
    let mut sq = vec![0.0; m + 1];
    for j in (0..m).rev() {
        sum[j] = sum[j + 1] + means[j];
        sq[j] = sq[j + 1] + means[j] * means[j];
    }
    let mut best = (f64::INFINITY, 0);
    for d in 0..m - 1 {
        let k = (m - d) as f64;
        let mean = sum[d] / k;
        let sse = (sq[d] - k * mean * mean).max(0.0);
        let score = sse / (k * k);
        if score < best.0 {
            best = (score, d);
        }
    }
    (best.1 <= m / 2).then_some(best.1 * B)
}

use super::replications::{Replications, Seed};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::time::SimTime;

/// A warm-up for `model` chosen by MSER-5 on the number of orders in the
/// system, averaged over `pilot` replications (indices `0..pilot` under
/// `seed`) sampled at 1,000 points of the horizon.
///
/// Returns `None` when MSER-5 finds no truncation point in the first half
/// of the horizon: the run is too short, or the system never settles (a
/// backlog that keeps growing).
///
/// # Errors
/// [`Error::Scenario`] at `simulation.horizon_h` if the model has no
/// horizon; [`Error::Experiment`] at `warmup.pilot` if `pilot` is 0.
pub fn suggest_warmup(model: &Model, seed: Seed, pilot: u64) -> Result<Option<SimTime>> {
    let horizon = model.horizon().ok_or_else(|| {
        Error::scenario(
            "simulation.horizon_h",
            "an automatic warm-up needs a horizon",
        )
    })?;
    if pilot == 0 {
        return Err(Error::experiment(
            "warmup.pilot",
            "must be at least 1, got 0",
        ));
    }
    // A thousand samples over the horizon, at most one a second (the
    // sampling bound of the model).
    let step = SimTime::from_secs((horizon.secs() / 1000.0).max(1.0));
    let pilot_model = model
        .description()
        .clone()
        .with_warmup(SimTime::ZERO)
        .with_time_series(step)
        .build()?;
    let runs = super::run_replications(&pilot_model, seed, Replications::first(pilot))?;
    let series: Vec<&crate::model::TimeSeries> =
        runs.iter().filter_map(|r| r.series.as_ref()).collect();
    let len = series.iter().map(|s| s.in_system.len()).min().unwrap_or(0);
    let mean: Vec<f64> = (0..len)
        .map(|i| {
            series
                .iter()
                .map(|s| f64::from(s.in_system[i]))
                .sum::<f64>()
                / series.len() as f64
        })
        .collect();
    Ok(mser5(&mean).map(|cut| SimTime::from_secs(cut as f64 * step.secs())))
}
