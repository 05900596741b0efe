//! Whether a measure's effect survives its assumptions: the baseline and
//! each variant run on the same Latin-hypercube draws of the ranged
//! assumptions and, within a draw, on the same random numbers; for each
//! variant and KPI, the effect's distribution over the draws, the share of
//! draws where it is clearly up, clearly down or indistinguishable from
//! zero, the share beyond a threshold, the assumptions it follows (rank
//! correlation) and the split of one assumption that best separates its
//! signs (a one-level classification tree).

use super::{Difference, Experiment, Replications, Seed, Verdict, differences_of_shards};
use crate::error::{Error, Result};
use crate::rng::SimRng;
use crate::scenario::{Assumptions, Measure, Scenario};
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

/// The options of a [`robustness`] study.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RobustnessOptions {
    /// Latin-hypercube draws of the assumptions (at least 2).
    pub draws: usize,
    /// The KPIs to report.
    pub kpis: Vec<String>,
    /// Thresholds on effects, by KPI: a positive one counts draws whose
    /// effect is at least it, a negative one draws whose effect is at most it.
    pub thresholds: Vec<(String, f64)>,
    /// Master seed (the draws and every run).
    pub seed: Seed,
    /// Replications of the baseline and each variant at every draw.
    pub replications: Replications,
}

impl RobustnessOptions {
    /// 20 draws, 4 replications each, seed 1, no thresholds.
    #[must_use]
    pub fn new(kpis: Vec<String>) -> Self {
        RobustnessOptions {
            draws: 20,
            kpis,
            thresholds: Vec::new(),
            seed: Seed(1),
            replications: Replications::first(4),
        }
    }
}

/// A one-level split of the draws on one assumption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Split {
    /// The assumption's path.
    pub factor: String,
    /// The split value: draws with the assumption at most this go left.
    pub at: f64,
    /// Left: (draws, share up, share down).
    pub below: (usize, f64, f64),
    /// Right: (draws, share up, share down).
    pub above: (usize, f64, f64),
}

/// An assumption and the Spearman rank correlation of the effect with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Driver {
    /// The assumption's path.
    pub factor: String,
    /// Rank correlation, -1 to 1.
    pub rank_correlation: f64,
}

/// One variant's effect on one KPI across the draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EffectRobustness {
    /// The KPI.
    pub kpi: String,
    /// The mean paired effect at each draw (NaN where undefined).
    pub effects: Vec<f64>,
    /// How each draw's effect reads against zero (its own 95% interval
    /// and, for a quantile, the histogram's resolution).
    pub verdicts: Vec<Verdict>,
    /// Mean effect over the draws.
    pub mean: f64,
    /// 5th, 50th and 95th percentiles of the effect over the draws.
    pub percentiles: [f64; 3],
    /// Share of draws clearly up.
    pub share_up: f64,
    /// Share of draws clearly down.
    pub share_down: f64,
    /// Share of draws indistinguishable from zero (or identical, or below
    /// the instrument's resolution, or undefined).
    pub share_neither: f64,
    /// The threshold named for this KPI, if any.
    pub threshold: Option<f64>,
    /// Share of draws beyond it.
    pub share_beyond: Option<f64>,
    /// The three assumptions with the largest rank correlation with the effect.
    pub drivers: Vec<Driver>,
    /// The split that best separates the draws' verdicts (up, down,
    /// neither), when they are not all the same.
    pub split: Option<Split>,
}

/// One variant across the draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VariantRobustness {
    /// The variant's name.
    pub variant: String,
    /// Per KPI, in the order asked.
    pub kpis: Vec<EffectRobustness>,
}

/// The result of a [`robustness`] study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Robustness {
    /// The assumptions drawn (paths), in file order.
    pub factors: Vec<String>,
    /// The value of each assumption at each finished draw.
    pub values: Vec<Vec<f64>>,
    /// Per variant.
    pub variants: Vec<VariantRobustness>,
    /// Replications at each draw.
    pub replications: u64,
    /// Whether a stop cut the study short (fewer draws).
    pub interrupted: bool,
}

/// A Latin hypercube of `n` points in `k` dimensions: each dimension's
/// values fall one in each of `n` equal strata, in a random order.
#[must_use]
pub fn latin_hypercube(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = SimRng::seed_from_u64(seed);
    let mut points = vec![vec![0.0; k]; n];
    for d in 0..k {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            strata.swap(i, rng.random_range(0..=i));
        }
        for (p, s) in points.iter_mut().zip(strata) {
            p[d] = (s as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    points
}

/// Runs the baseline and each variant of `variants` (a name and the
/// measures it applies) at `options.draws` Latin-hypercube draws of the
/// assumptions of `ranges`: the measures are applied to each drawn
/// scenario, and within a draw every run uses the same seed and
/// replications (common random numbers). `progress` is called once per
/// finished draw; `stop` ends the study early, keeping the finished draws.
/// Draws run in parallel with the `parallel` feature; the result does not
/// depend on the thread count (after a stop, which draws had finished
/// does).
///
/// # Errors
/// [`Error::Experiment`] for fewer than 2 draws, no variants or no KPIs;
/// as [`Assumptions::check`]; a measure that does not fit a drawn
/// scenario (naming the draw); an unknown KPI; [`Error::Interrupted`] if
/// fewer than two draws finished.
pub fn robustness(
    scenario: &Scenario,
    ranges: &Assumptions,
    variants: &[(String, Vec<Measure>)],
    options: &RobustnessOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn() + Sync),
) -> Result<Robustness> {
    if options.draws < 2 {
        return Err(Error::experiment(
            "draws",
            format!("must be at least 2, got {}", options.draws),
        ));
    }
    if variants.is_empty() {
        return Err(Error::experiment("measure", "name at least one variant"));
    }
    if options.kpis.is_empty() {
        return Err(Error::experiment("kpi", "name at least one KPI"));
    }
    if ranges.is_empty() {
        return Err(Error::experiment(
            "assumptions",
            "there are no ranged assumptions to draw",
        ));
    }
    let checked = ranges.check(scenario)?;
    let k = ranges.len();
    let unit = latin_hypercube(options.draws, k, options.seed.value());
    let run = |model: &crate::Model| {
        Experiment::new(model)
            .with_seed(options.seed)
            .with_replications(options.replications.clone())
            .with_stop_flag(stop)
            .run()
    };
    // Per draw: the effects (variant, KPI) as paired differences.
    let one = |(d, u): (usize, &Vec<f64>)| -> Result<Option<Vec<Vec<Difference>>>> {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let drawn = ranges.at_unit(scenario, u)?;
        let base = match run(&drawn.build()?) {
            Err(Error::Interrupted { .. }) => return Ok(None),
            other => other?,
        };
        if base.interrupted() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(variants.len());
        for (name, measures) in variants {
            let model = drawn
                .with_measures(measures)
                .and_then(|s| s.build())
                .map_err(|e| {
                    Error::experiment(format!("variant {name} at draw {d}"), e.to_string())
                })?;
            let v = match run(&model) {
                Err(Error::Interrupted { .. }) => return Ok(None),
                other => other?,
            };
            if v.interrupted() {
                return Ok(None);
            }
            let all = differences_of_shards(&base.shard, &v.shard);
            let picked = options
                .kpis
                .iter()
                .map(|name| Difference::find(&all, name).cloned())
                .collect::<Result<Vec<_>>>()?;
            out.push(picked);
        }
        progress();
        Ok(Some(out))
    };
    #[cfg(feature = "parallel")]
    let per_draw: Vec<Result<Option<Vec<Vec<Difference>>>>> = {
        use rayon::prelude::*;
        unit.par_iter().enumerate().map(one).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let per_draw: Vec<Result<Option<Vec<Vec<Difference>>>>> =
        unit.iter().enumerate().map(one).collect();
    let per_draw = per_draw.into_iter().collect::<Result<Vec<_>>>()?;
    let finished: Vec<usize> = (0..options.draws)
        .filter(|&d| per_draw[d].is_some())
        .collect();
    if finished.len() < 2 {
        return Err(Error::Interrupted {
            finished: finished.len() as u64,
            requested: options.draws as u64,
        });
    }
    let values: Vec<Vec<f64>> = finished
        .iter()
        .map(|&d| ranges.values_at(&checked, &unit[d]))
        .collect();
    let factors: Vec<String> = ranges.list.iter().map(|a| a.path.clone()).collect();
    let variants = variants
        .iter()
        .enumerate()
        .map(|(vi, (name, _))| VariantRobustness {
            variant: name.clone(),
            kpis: options
                .kpis
                .iter()
                .enumerate()
                .map(|(ki, kpi)| {
                    let diffs: Vec<&Difference> = finished
                        .iter()
                        .map(|&d| &per_draw[d].as_ref().expect("finished")[vi][ki])
                        .collect();
                    let threshold = options
                        .thresholds
                        .iter()
                        .find(|(n, _)| n == kpi)
                        .map(|t| t.1);
                    summarise(kpi, &diffs, threshold, &factors, &values)
                })
                .collect(),
        })
        .collect();
    Ok(Robustness {
        factors,
        values,
        variants,
        replications: options.replications.len(),
        interrupted: finished.len() < options.draws,
    })
}

/// The class of a verdict for the shares and the split: 0 up, 1 down, 2
/// neither.
fn class(v: Verdict) -> usize {
    match v {
        Verdict::Increase => 0,
        Verdict::Decrease => 1,
        _ => 2,
    }
}

fn summarise(
    kpi: &str,
    diffs: &[&Difference],
    threshold: Option<f64>,
    factors: &[String],
    values: &[Vec<f64>],
) -> EffectRobustness {
    let effects: Vec<f64> = diffs
        .iter()
        .map(|d| d.effect.mean.unwrap_or(f64::NAN))
        .collect();
    let verdicts: Vec<Verdict> = diffs.iter().map(|d| d.verdict()).collect();
    let n = effects.len() as f64;
    let share = |c: usize| verdicts.iter().filter(|v| class(**v) == c).count() as f64 / n;
    let defined: Vec<f64> = effects.iter().copied().filter(|x| x.is_finite()).collect();
    let mut sorted = defined.clone();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if sorted.is_empty() {
            return f64::NAN;
        }
        // Linear interpolation between order statistics (type 7).
        let h = p * (sorted.len() - 1) as f64;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
    };
    let mean = if defined.is_empty() {
        f64::NAN
    } else {
        defined.iter().sum::<f64>() / defined.len() as f64
    };
    let share_beyond = threshold.map(|t| {
        effects
            .iter()
            .filter(|&&e| if t >= 0.0 { e >= t } else { e <= t })
            .count() as f64
            / n
    });
    let mut drivers: Vec<Driver> = factors
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let x: Vec<f64> = values.iter().map(|v| v[i]).collect();
            let rho = spearman(&x, &effects)?;
            Some(Driver {
                factor: f.clone(),
                rank_correlation: rho,
            })
        })
        .collect();
    drivers.sort_by(|a, b| {
        b.rank_correlation
            .abs()
            .total_cmp(&a.rank_correlation.abs())
    });
    drivers.truncate(3);
    let classes: Vec<usize> = verdicts.iter().map(|v| class(*v)).collect();
    EffectRobustness {
        kpi: kpi.to_string(),
        mean,
        percentiles: [pct(0.05), pct(0.5), pct(0.95)],
        share_up: share(0),
        share_down: share(1),
        share_neither: share(2),
        threshold,
        share_beyond,
        drivers,
        split: best_split(&classes, factors, values),
        effects,
        verdicts,
    }
}

/// Spearman's rank correlation (average ranks for ties) over the pairs
/// where both are finite; `None` if fewer than 3 or a side is constant.
fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    let (x, y): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .unzip();
    if x.len() < 3 {
        return None;
    }
    let (rx, ry) = (ranks(&x), ranks(&y));
    let n = rx.len() as f64;
    let mean = (n + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mean) * (b - mean);
        sxx += (a - mean) * (a - mean);
        syy += (b - mean) * (b - mean);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Ranks from 1, ties sharing their average rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// The split on one assumption that most lowers the Gini impurity of the
/// verdict classes (at least one draw a side); `None` if every draw has
/// the same class or no split helps.
fn best_split(classes: &[usize], factors: &[String], values: &[Vec<f64>]) -> Option<Split> {
    let n = classes.len();
    let gini = |counts: &[usize; 3], m: usize| {
        if m == 0 {
            return 0.0;
        }
        1.0 - counts
            .iter()
            .map(|&c| (c as f64 / m as f64).powi(2))
            .sum::<f64>()
    };
    let mut total = [0usize; 3];
    for &c in classes {
        total[c] += 1;
    }
    let root = gini(&total, n);
    if root == 0.0 {
        return None;
    }
    let mut best: Option<(f64, usize, f64)> = None;
    for (f, _) in factors.iter().enumerate() {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| values[a][f].total_cmp(&values[b][f]));
        let mut left = [0usize; 3];
        for s in 0..n - 1 {
            left[classes[order[s]]] += 1;
            let (x, next) = (values[order[s]][f], values[order[s + 1]][f]);
            if x == next {
                continue;
            }
            let right = [total[0] - left[0], total[1] - left[1], total[2] - left[2]];
            let m = s + 1;
            let impurity =
                (m as f64 * gini(&left, m) + (n - m) as f64 * gini(&right, n - m)) / n as f64;
            if best.is_none_or(|b| impurity < b.0 - 1e-12) {
                best = Some((impurity, f, x + (next - x) / 2.0));
            }
        }
    }
    let (impurity, f, at) = best?;
    if impurity >= root - 1e-12 {
        return None;
    }
    let side = |keep: &dyn Fn(f64) -> bool| {
        let picked: Vec<usize> = (0..n).filter(|&d| keep(values[d][f])).collect();
        let m = picked.len();
        let up = picked.iter().filter(|&&d| classes[d] == 0).count();
        let down = picked.iter().filter(|&&d| classes[d] == 1).count();
        (m, up as f64 / m as f64, down as f64 / m as f64)
    };
    Some(Split {
        factor: factors[f].clone(),
        at,
        below: side(&|x| x <= at),
        above: side(&|x| x > at),
    })
}
