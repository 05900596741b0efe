//! Which assumptions drive a KPI: a Morris screening over every ranged
//! assumption of a scenario, then Sobol indices on the top factors, each
//! design point run on common random numbers (the same seed and
//! replications at every point), with the share of the output variance
//! that simulation noise accounts for.
//!
//! - [`MorrisDesign`] and [`SaltelliDesign`]: the designs and their
//!   analysis, on any function of the unit hypercube;
//! - [`sensitivity`]: the whole study on a scenario and its
//!   [`Assumptions`], returning a [`Sensitivity`].

mod morris;
mod sobol;

pub use morris::{MorrisDesign, MorrisIndex};
pub use sobol::{MAX_SOBOL_FACTORS, MAX_SOBOL_ROWS, SaltelliDesign, SobolIndex};

use super::{Experiment, Replications, Seed};
use crate::error::{Error, Result};
use crate::scenario::{Assumptions, Scenario};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

/// The options of a [`sensitivity`] study.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SensitivityOptions {
    /// Morris trajectories (at least 2).
    pub trajectories: usize,
    /// Morris grid levels (even, at least 2).
    pub levels: usize,
    /// Factors that go on to the Sobol stage (0: none).
    pub top: usize,
    /// Base rows of the Saltelli design (at least 2 when `top > 0`).
    pub sobol_rows: usize,
    /// The KPIs to rank the factors for.
    pub kpis: Vec<String>,
    /// Master seed, the same at every design point.
    pub seed: Seed,
    /// Replications at every design point.
    pub replications: Replications,
    /// Bootstrap resamples for the intervals.
    pub resamples: usize,
    /// Replications of the scenario at its own values from which the
    /// simulation noise is estimated (at least 2).
    pub noise_replications: u64,
}

impl SensitivityOptions {
    /// 10 trajectories on 4 levels, the top 4 factors to a Saltelli
    /// design of 32 rows, 2 replications a point, seed 1, 1,000
    /// bootstrap resamples, the noise from 8 replications.
    #[must_use]
    pub fn new(kpis: Vec<String>) -> Self {
        SensitivityOptions {
            trajectories: 10,
            levels: 4,
            top: 4,
            sobol_rows: 32,
            kpis,
            seed: Seed(1),
            replications: Replications::first(2),
            resamples: 1000,
            noise_replications: 8,
        }
    }

    /// Design points the study runs for `factors` factors (each runs
    /// every replication), the noise estimate counted as one.
    #[must_use]
    pub fn design_points(&self, factors: usize) -> usize {
        let top = self.top.min(factors);
        1 + self.trajectories * (factors + 1)
            + if top > 0 {
                self.sobol_rows * (top + 2)
            } else {
                0
            }
    }

    fn check(&self, factors: usize) -> Result<()> {
        let bad = |option: &str, reason: String| Err(Error::experiment(option, reason));
        if factors == 0 {
            return bad(
                "assumptions",
                "there are no ranged assumptions to screen".into(),
            );
        }
        if self.trajectories < 2 {
            return bad(
                "trajectories",
                format!(
                    "must be at least 2 (an interval needs two), got {}",
                    self.trajectories
                ),
            );
        }
        if self.levels < 2 || !self.levels.is_multiple_of(2) {
            return bad(
                "levels",
                format!("must be even and at least 2, got {}", self.levels),
            );
        }
        if self.top > MAX_SOBOL_FACTORS {
            return bad(
                "top",
                format!("must be at most {MAX_SOBOL_FACTORS}, got {}", self.top),
            );
        }
        if self.top > 0 && self.sobol_rows < 2 {
            return bad(
                "sobol-rows",
                format!(
                    "must be at least 2 with a Sobol stage, got {}",
                    self.sobol_rows
                ),
            );
        }
        if self.kpis.is_empty() {
            return bad("kpi", "name at least one KPI".into());
        }
        if self.noise_replications < 2 {
            return bad(
                "noise-replications",
                format!("must be at least 2, got {}", self.noise_replications),
            );
        }
        Ok(())
    }
}

/// One factor's Morris indices for one KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MorrisRow {
    /// The assumption's path.
    pub factor: String,
    /// Its indices, in KPI units per whole range of the factor.
    pub index: MorrisIndex,
    /// Whether `mu*` is within twice the `mu*` that noise alone would give.
    pub within_noise: bool,
}

/// One factor's Sobol indices for one KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SobolRow {
    /// The assumption's path.
    pub factor: String,
    /// Its indices (shares of the variance over the top factors' ranges).
    pub index: SobolIndex,
}

/// What drives one KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KpiSensitivity {
    /// The KPI.
    pub kpi: String,
    /// Its mean over the Morris design points where it is defined.
    pub mean: f64,
    /// The factors by `mu*`, largest first.
    pub morris: Vec<MorrisRow>,
    /// The standard error of one design point's estimate: the standard
    /// deviation over the noise replications at the scenario's own
    /// values, over the square root of the replications a point runs.
    pub noise_se: f64,
    /// The `mu*` that simulation noise alone would give on independent
    /// streams, `2 se / (delta sqrt(pi))` (common random numbers make the
    /// real figure smaller, so this errs towards calling effects noise).
    pub noise_mu_star: f64,
    /// The share of the KPI's variance over the design points that the
    /// simulation noise accounts for (`se^2` over the variance of the
    /// points' estimates; 1 if that is larger).
    pub noise_share: f64,
    /// The top factors' Sobol indices, in the order of the Sobol stage;
    /// empty when noise is at least half the KPI's variance over that
    /// stage's points (the indices would measure noise).
    pub sobol: Vec<SobolRow>,
    /// The share of the KPI's variance over the Sobol stage's points that
    /// noise accounts for, when the stage ran.
    pub sobol_noise_share: Option<f64>,
}

/// The result of a [`sensitivity`] study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sensitivity {
    /// The factors screened (assumption paths), in file order.
    pub factors: Vec<String>,
    /// Per KPI, in the order asked.
    pub kpis: Vec<KpiSensitivity>,
    /// The factors of the Sobol stage, by overall importance.
    pub top: Vec<String>,
    /// Morris trajectories analysed (fewer than asked if interrupted).
    pub trajectories: usize,
    /// Design points run.
    pub design_points: usize,
    /// Replications at each point.
    pub replications: u64,
    /// Replications at the scenario's own values for the noise estimate.
    pub noise_replications: u64,
    /// Whether a stop cut the study short (the Sobol stage is then
    /// missing or the trajectories fewer).
    pub interrupted: bool,
}

/// At one design point: each KPI's mean and its standard error.
type Output = (Vec<f64>, Vec<f64>);

/// Runs the design points (in parallel with the `parallel` feature; the
/// results do not depend on it). A point the stop flag kept from finishing
/// is `None`.
fn evaluate(
    scenario: &Scenario,
    ranges: &Assumptions,
    points: &[Vec<f64>],
    options: &SensitivityOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Option<Output>>> {
    let one = |point: &Vec<f64>| -> Result<Option<Output>> {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let model = ranges.at_unit(scenario, point)?.build()?;
        let result = match Experiment::new(&model)
            .with_seed(options.seed)
            .with_replications(options.replications.clone())
            .with_stop_flag(stop)
            .run()
        {
            Err(Error::Interrupted { .. }) => return Ok(None),
            other => other?,
        };
        if result.interrupted() {
            return Ok(None);
        }
        let all = result.shard.estimates();
        let mut means = Vec::with_capacity(options.kpis.len());
        let mut errors = Vec::with_capacity(options.kpis.len());
        for name in &options.kpis {
            let e = &all[result.shard.kpi(name)?.index()];
            means.push(e.mean.unwrap_or(f64::NAN));
            errors.push(match (e.std_dev, e.n) {
                (Some(sd), n) if n > 0 => sd / (n as f64).sqrt(),
                _ => f64::NAN,
            });
        }
        progress();
        Ok(Some((means, errors)))
    };
    #[cfg(feature = "parallel")]
    let out: Vec<Result<Option<Output>>> = {
        use rayon::prelude::*;
        points.par_iter().map(one).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let out: Vec<Result<Option<Output>>> = points.iter().map(one).collect();
    out.into_iter().collect()
}

/// Which assumptions drive each KPI of `options.kpis`: a Morris screening
/// over every assumption of `ranges`, then a Saltelli design over the
/// `options.top` factors with the largest `mu*` (relative to each KPI's
/// largest, the best over the KPIs), the other factors held at the
/// scenario's values. Every design point runs the same seed and
/// replications (common random numbers). `progress` is called once per
/// design point done; `stop` ends the study early, keeping the finished
/// trajectories. Points run in parallel with the `parallel` feature; the
/// result is the same on any thread count (after a stop, which
/// trajectories had finished is not).
///
/// # Errors
/// [`Error::Experiment`] for options out of range; an assumption that does
/// not fit the scenario (as [`Assumptions::check`]); an unknown KPI
/// ([`Error::UnknownKpi`]); [`Error::Interrupted`] if fewer than two
/// trajectories finished.
pub fn sensitivity(
    scenario: &Scenario,
    ranges: &Assumptions,
    options: &SensitivityOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn() + Sync),
) -> Result<Sensitivity> {
    let k = ranges.len();
    options.check(k)?;
    let checked = ranges.check(scenario)?;
    let seed = options.seed.value();
    let noise = noise_se(scenario, options, stop)?;
    progress();
    let design = MorrisDesign::new(k, options.trajectories, options.levels, seed);
    let outputs = evaluate(scenario, ranges, &design.points, options, stop, progress)?;
    // Only whole trajectories count: a stop keeps those that finished.
    let whole: Vec<usize> = (0..options.trajectories)
        .filter(|t| {
            outputs[t * (k + 1)..(t + 1) * (k + 1)]
                .iter()
                .all(Option::is_some)
        })
        .collect();
    let finished = whole.len();
    if finished < 2 {
        return Err(Error::Interrupted {
            finished: finished as u64,
            requested: options.trajectories as u64,
        });
    }
    let mut interrupted = finished < options.trajectories;
    let used: Vec<Output> = whole
        .iter()
        .flat_map(|t| {
            outputs[t * (k + 1)..(t + 1) * (k + 1)]
                .iter()
                .flatten()
                .cloned()
        })
        .collect();
    let design = MorrisDesign {
        points: whole
            .iter()
            .flat_map(|t| {
                design.points[t * (k + 1)..(t + 1) * (k + 1)]
                    .iter()
                    .cloned()
            })
            .collect(),
        moves: whole
            .iter()
            .flat_map(|t| design.moves[t * k..(t + 1) * k].iter().copied())
            .collect(),
        ..design
    };
    let used = &used[..];
    // Each move as a share of its factor's range, from the values the
    // points really take (a count moves by whole units, a triangular or
    // log-uniform factor by its quantiles).
    let values: Vec<Vec<f64>> = design
        .points
        .iter()
        .map(|p| ranges.values_at(&checked, p))
        .collect();
    let steps: Vec<f64> = (0..finished * k)
        .map(|m| {
            let (t, j) = (m / k, m % k);
            let i = design.moves[m].0;
            let a = &ranges.list[i];
            let at = t * (k + 1) + j;
            (values[at + 1][i] - values[at][i]) / (a.high - a.low)
        })
        .collect();
    let mut kpis: Vec<KpiSensitivity> = options
        .kpis
        .iter()
        .enumerate()
        .map(|(j, name)| morris_for(name, j, (&design, &steps), used, noise[j], options, ranges))
        .collect();
    // The top factors: by mu* relative to each KPI's largest, best over KPIs.
    let mut score = vec![0.0f64; k];
    for s in &kpis {
        let best = s.morris.first().map_or(0.0, |r| r.index.mu_star);
        for r in &s.morris {
            let i = ranges
                .list
                .iter()
                .position(|a| a.path == r.factor)
                .unwrap_or(0);
            if best > 0.0 && r.index.mu_star.is_finite() {
                score[i] = score[i].max(r.index.mu_star / best);
            }
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|a, b| score[*b].total_cmp(&score[*a]).then(a.cmp(b)));
    let top: Vec<usize> = order.into_iter().take(options.top.min(k)).collect();
    let mut design_points = 1 + used.len();
    if !top.is_empty() && !interrupted {
        let saltelli =
            SaltelliDesign::new(top.len(), options.sobol_rows, (seed ^ (seed >> 32)) as u32)?;
        let full: Vec<Vec<f64>> = saltelli
            .points
            .iter()
            .map(|p| {
                let mut x = vec![f64::NAN; k];
                for (c, &i) in top.iter().enumerate() {
                    x[i] = p[c];
                }
                x
            })
            .collect();
        let sobol_out = evaluate(scenario, ranges, &full, options, stop, progress)?;
        design_points += sobol_out.iter().flatten().count();
        if let Some(sobol_out) = sobol_out.into_iter().collect::<Option<Vec<Output>>>() {
            for (j, s) in kpis.iter_mut().enumerate() {
                let y: Vec<f64> = sobol_out.iter().map(|o| o.0[j]).collect();
                let share = noise_share(&y, s.noise_se);
                s.sobol_noise_share = Some(share);
                // Noise-dominated, unknown noise, or an undefined value.
                if share.is_nan() || share >= 0.5 || y.iter().any(|v| !v.is_finite()) {
                    continue;
                }
                let idx = saltelli.analyze(&y, options.resamples, seed ^ 0x0005_0b01);
                s.sobol = top
                    .iter()
                    .zip(idx)
                    .map(|(&i, index)| SobolRow {
                        factor: ranges.list[i].path.clone(),
                        index,
                    })
                    .collect();
            }
        } else {
            interrupted = true;
        }
    }
    Ok(Sensitivity {
        factors: ranges.list.iter().map(|a| a.path.clone()).collect(),
        noise_replications: options.noise_replications,
        kpis,
        top: top.iter().map(|&i| ranges.list[i].path.clone()).collect(),
        trajectories: finished,
        design_points,
        replications: options.replications.len(),
        interrupted,
    })
}

/// The standard error of one design point's estimate of each KPI, from
/// `options.noise_replications` runs of the scenario at its own values.
fn noise_se(
    scenario: &Scenario,
    options: &SensitivityOptions,
    stop: &AtomicBool,
) -> Result<Vec<f64>> {
    let model = scenario.build()?;
    let result = Experiment::new(&model)
        .with_seed(options.seed)
        .with_replications(Replications::first(options.noise_replications))
        .with_stop_flag(stop)
        .run()?;
    if result.interrupted() {
        return Err(Error::Interrupted {
            finished: 0,
            requested: options.trajectories as u64,
        });
    }
    let all = result.shard.estimates();
    let per_point = (options.replications.len() as f64).sqrt();
    options
        .kpis
        .iter()
        .map(|name| {
            let e = &all[result.shard.kpi(name)?.index()];
            Ok(e.std_dev.map_or(f64::NAN, |sd| sd / per_point))
        })
        .collect()
}

/// `se^2` over the variance of `y` (1 if larger, or if `y` does not vary).
fn noise_share(y: &[f64], se: f64) -> f64 {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    if var > 0.0 {
        (se * se / var).min(1.0)
    } else {
        1.0
    }
}

/// The Morris rows, noise floor and noise share of KPI `j`.
fn morris_for(
    name: &str,
    j: usize,
    (design, steps): (&MorrisDesign, &[f64]),
    outputs: &[Output],
    se: f64,
    options: &SensitivityOptions,
    ranges: &Assumptions,
) -> KpiSensitivity {
    let y: Vec<f64> = outputs.iter().map(|o| o.0[j]).collect();
    let finite: Vec<f64> = y.iter().copied().filter(|v| v.is_finite()).collect();
    let mean = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
    // |N(0, 2 se^2)| has mean 2 se / sqrt(pi); an effect divides by its
    // step, delta of the range on the grid.
    let noise_mu_star = 2.0 * se / (design.delta * std::f64::consts::PI.sqrt());
    let indices = design.analyze(
        &y,
        steps,
        options.resamples,
        options.seed.value() ^ j as u64,
    );
    let mut morris: Vec<MorrisRow> = indices
        .into_iter()
        .enumerate()
        .map(|(i, index)| MorrisRow {
            factor: ranges.list[i].path.clone(),
            within_noise: index.mu_star.partial_cmp(&(2.0 * noise_mu_star))
                != Some(std::cmp::Ordering::Greater),
            index,
        })
        .collect();
    // Largest first; a factor with no effect to show (NaN) last.
    morris.sort_by(|a, b| {
        let key = |r: &MorrisRow| {
            if r.index.mu_star.is_nan() {
                f64::NEG_INFINITY
            } else {
                r.index.mu_star
            }
        };
        key(b).total_cmp(&key(a))
    });
    KpiSensitivity {
        kpi: name.to_string(),
        mean,
        morris,
        noise_se: se,
        noise_mu_star,
        noise_share: noise_share(&y, se),
        sobol: Vec::new(),
        sobol_noise_share: None,
    }
}
