//! Designed experiments: one-parameter sweeps and 2^k factorials, each on
//! common random numbers.
//!
//! Invariant: every design point runs the same replication indices under
//! the same seed, and KPIs are read by part name from the first point's
//! catalogue, so effects are paired replication by replication.

use super::kpi::{KpiCatalogue, KpiEstimate, kpi_index};
use super::replications::{Replications, Seed};
use super::runner::Experiment;
use crate::error::{Error, Result};
use crate::model::Model;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

/// One point of a sweep: the parameter value and the KPIs there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SweepPoint {
    /// Parameter value.
    pub value: f64,
    /// The swept KPI at this value.
    pub estimate: KpiEstimate,
    /// Every KPI at this value, in catalogue order.
    pub all: Vec<KpiEstimate>,
}

/// A target on a KPI's mean: at most or at least a limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Target {
    /// The mean must be at most this (a lead time, a wait).
    AtMost(f64),
    /// The mean must be at least this (a share within 24 h, a throughput).
    AtLeast(f64),
}

impl Target {
    /// Whether a KPI mean meets the target.
    #[must_use]
    pub fn met_by(self, mean: f64) -> bool {
        match self {
            Target::AtMost(x) => mean <= x,
            Target::AtLeast(x) => mean >= x,
        }
    }

    /// The limit.
    #[must_use]
    pub fn limit(self) -> f64 {
        match self {
            Target::AtMost(x) | Target::AtLeast(x) => x,
        }
    }

    /// Parses `KPI<=X` or `KPI>=X` into the KPI name and the target.
    ///
    /// # Errors
    /// [`Error::Experiment`] at `target` if the text has neither form or the
    /// limit is not a finite number.
    ///
    /// # Examples
    /// ```
    /// use cbec_sim::experiment::Target;
    /// let (kpi, t) = Target::parse("lead_time_p95_h<=24").unwrap();
    /// assert_eq!((kpi.as_str(), t), ("lead_time_p95_h", Target::AtMost(24.0)));
    /// assert!(Target::parse("lead_time_p95_h<24").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<(String, Target)> {
        let bad = || {
            Error::experiment(
                "target",
                format!("must be KPI<=NUMBER or KPI>=NUMBER, got \"{text}\""),
            )
        };
        let (kpi, limit, make): (&str, &str, fn(f64) -> Target) =
            if let Some((k, v)) = text.split_once("<=") {
                (k, v, Target::AtMost)
            } else if let Some((k, v)) = text.split_once(">=") {
                (k, v, Target::AtLeast)
            } else {
                return Err(bad());
            };
        let limit: f64 = limit.trim().parse().map_err(|_| bad())?;
        if kpi.trim().is_empty() || !limit.is_finite() {
            return Err(bad());
        }
        Ok((kpi.trim().to_string(), make(limit)))
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::AtMost(x) => write!(f, "<= {x}"),
            Target::AtLeast(x) => write!(f, ">= {x}"),
        }
    }
}

/// A capacity or demand curve, and where a target breaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sweep {
    /// KPI name.
    pub kpi: String,
    /// The target, if one was given.
    pub target: Option<Target>,
    /// The curve, in the order of the values given.
    pub points: Vec<SweepPoint>,
    /// The first value (in the order given) whose KPI mean misses the
    /// target: where a demand curve breaks it.
    pub breaks_at: Option<f64>,
    /// The first value (in the order given) whose KPI mean meets the
    /// target: the smallest capacity that is enough, on a capacity curve.
    pub meets_at: Option<f64>,
    /// Whether a stop flag ended the sweep early (see [`sweep_with_stop`]):
    /// `points` then holds only the values whose replications all finished.
    #[serde(default)]
    pub interrupted: bool,
}

/// Runs the model `build(value)` for each value, on the same streams
/// (`replications` under `seed`), and reads `kpi` (and every other
/// KPI) at each point. With a `target`, reports the first value whose mean
/// KPI misses it and the first that meets it.
///
/// # Errors
/// Whatever `build` returns; [`Error::Experiment`] for an empty list of
/// values or an empty replication range; [`Error::UnknownKpi`] for an
/// unknown KPI.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{sweep, Replications, Seed};
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// let desk = |rate: f64| Model::builder()
///     .with_source("orders", Source::poisson(rate, "desk"))
///     .with_station("desk", Station::new(2, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(200.0))
///     .build();
/// use cbec_sim::experiment::Target;
/// let curve = sweep(&[60.0, 90.0, 110.0], desk, "desk.wait_mean_min", Some(Target::AtMost(1.0)),
///                   Seed(1), Replications::first(8))?;
/// assert_eq!(curve.breaks_at, Some(90.0));
/// assert_eq!(curve.meets_at, Some(60.0));
/// # Ok(()) }
/// ```
pub fn sweep(
    values: &[f64],
    build: impl Fn(f64) -> Result<Model>,
    kpi: &str,
    target: Option<Target>,
    seed: Seed,
    replications: Replications,
) -> Result<Sweep> {
    let never = AtomicBool::new(false);
    sweep_with_stop(values, build, kpi, target, seed, replications, &never)
}

/// [`sweep`], stopping once `stop` is set (by a signal handler, say): the
/// value under way stops starting replications and is dropped, and the
/// result holds the values whose replications all finished, with
/// [`Sweep::interrupted`] set. Those points are exactly what [`sweep`]
/// gives for them.
///
/// # Errors
/// As [`sweep`]; [`Error::Interrupted`] if no value finished.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{sweep_with_stop, Replications, Seed};
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// use std::sync::atomic::AtomicBool;
/// let desk = |rate: f64| Model::builder()
///     .with_source("orders", Source::poisson(rate, "desk"))
///     .with_station("desk", Station::new(2, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(20.0))
///     .build();
/// let never = AtomicBool::new(false);
/// let curve = sweep_with_stop(&[60.0, 90.0], desk, "desk.wait_mean_min", None,
///                             Seed(1), Replications::first(4), &never)?;
/// assert_eq!((curve.points.len(), curve.interrupted), (2, false));
/// # Ok(()) }
/// ```
pub fn sweep_with_stop(
    values: &[f64],
    build: impl Fn(f64) -> Result<Model>,
    kpi: &str,
    target: Option<Target>,
    seed: Seed,
    replications: Replications,
    stop: &AtomicBool,
) -> Result<Sweep> {
    if values.is_empty() {
        return Err(Error::experiment(
            "sweep.values",
            "must list at least one value",
        ));
    }
    let mut shards = Vec::with_capacity(values.len());
    let stopped = || stop.load(Ordering::Relaxed);
    let mut interrupted = false;
    for &value in values {
        let model = build(value)?;
        if stopped() {
            interrupted = true;
            break;
        }
        let experiment = Experiment::new(&model)
            .with_seed(seed)
            .with_replications(replications.clone())
            .with_stop_flag(stop);
        let result = match experiment.run() {
            Err(Error::Interrupted { .. }) => None,
            other => Some(other?),
        };
        let Some(result) = result.filter(|r| !r.interrupted()) else {
            interrupted = true;
            break;
        };
        shards.push((value, result.shard));
    }
    if interrupted && shards.is_empty() {
        return Err(Error::Interrupted {
            finished: 0,
            requested: replications.len(),
        });
    }
    let mut sweep = sweep_of_shards(&shards, kpi, target)?;
    sweep.interrupted = interrupted;
    Ok(sweep)
}

/// The sweep whose points are `shards`, one `(value, shard)` per value,
/// each over the same replications (computed anywhere: one machine, or
/// shards of a cluster merged with [`ShardResult::merge`](super::ShardResult::merge)): the same
/// curve, bit for bit, as [`sweep`] over those values.
///
/// # Errors
/// [`Error::UnknownKpi`] if `kpi` is not among the shards' KPIs;
/// [`Error::Experiment`] at `sweep.values` for no shard.
pub fn sweep_of_shards(
    shards: &[(f64, super::ShardResult)],
    kpi: &str,
    target: Option<Target>,
) -> Result<Sweep> {
    if shards.is_empty() {
        return Err(Error::experiment(
            "sweep.values",
            "must list at least one value",
        ));
    }
    let mut points = Vec::with_capacity(shards.len());
    for (value, shard) in shards {
        // The KPI rows are all a point needs: no run summary is kept.
        let id = shard.kpi(kpi)?;
        let all = shard.estimates();
        points.push(SweepPoint {
            value: *value,
            estimate: all[id.index()].clone(),
            all,
        });
    }
    let first = |meets: bool| {
        let t = target?;
        points
            .iter()
            .find(|p| p.estimate.mean.is_some_and(|m| t.met_by(m) == meets))
            .map(|p| p.value)
    };
    Ok(Sweep {
        kpi: kpi.to_string(),
        target,
        breaks_at: first(false),
        meets_at: first(true),
        points,
        interrupted: false,
    })
}

/// An effect in a 2^k factorial design, estimated per replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Effect {
    /// The factors involved: one for a main effect, two for an interaction.
    pub factors: Vec<String>,
    /// The effect on the KPI, with its confidence interval over replications.
    pub estimate: KpiEstimate,
}

/// The result of a 2^k full factorial on one KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Factorial {
    /// KPI name.
    pub kpi: String,
    /// Main effects, in factor order.
    pub main: Vec<Effect>,
    /// Two-factor interactions, in (i, j) order with i < j.
    pub interactions: Vec<Effect>,
}

/// Runs all 2^k combinations of `factors` (each off or on; `build` gets
/// one flag per factor) on the same streams, and estimates every main
/// effect and two-factor interaction on `kpi`.
///
/// # Formula
/// With `y_p` the KPI at design point `p` and `s_i(p) = ±1` the level of
/// factor `i`, per replication: main effect `E_i = Σ_p s_i(p)·y_p / 2^(k-1)`
/// (mean at `on` minus mean at `off`); interaction
/// `E_ij = Σ_p s_i(p)·s_j(p)·y_p / 2^(k-1)`. Each is then averaged over
/// replications with a Student-t interval.
///
/// # Errors
/// Whatever `build` returns; [`Error::Experiment`] for no factors, more
/// than 10 (1,024 design points) or an empty replication range;
/// [`Error::UnknownKpi`] for an unknown KPI.
pub fn factorial(
    factors: &[&str],
    build: impl Fn(&[bool]) -> Result<Model>,
    kpi: &str,
    seed: Seed,
    replications: Replications,
) -> Result<Factorial> {
    let all = factorial_all(factors, build, seed, replications)?;
    let id = kpi_index("kpi", kpi, all.iter().map(|f| f.kpi.as_str()))?;
    Ok(all.into_iter().nth(id.index()).expect("found"))
}

/// [`factorial`] on every KPI of the catalogue at once (the design points
/// run once), in catalogue order.
///
/// # Errors
/// As [`factorial`], but for the unknown KPI.
pub fn factorial_all(
    factors: &[&str],
    build: impl Fn(&[bool]) -> Result<Model>,
    seed: Seed,
    replications: Replications,
) -> Result<Vec<Factorial>> {
    let never = AtomicBool::new(false);
    Ok(factorial_with_stop(factors, build, seed, replications, &never)?.kpis)
}

/// The result of [`factorial_with_stop`]: the effects on every KPI and
/// how the design ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FactorialDesign {
    /// The effects on every KPI, in catalogue order, over the replications
    /// that finished at every design point.
    pub kpis: Vec<Factorial>,
    /// Replications that finished at every design point (and are in the
    /// effects).
    pub finished: u64,
    /// Whether `stop` cut the design short: the effects then cover only
    /// the `finished` replications, each exactly as in an uninterrupted
    /// design, and should be reported as partial.
    pub interrupted: bool,
}

/// Replications a stoppable factorial runs at every design point before
/// the next block: a signal loses at most the block under way.
fn block_size() -> u64 {
    #[cfg(feature = "parallel")]
    let threads = rayon::current_num_threads() as u64;
    #[cfg(not(feature = "parallel"))]
    let threads = 1;
    threads.max(8)
}

/// [`factorial_all`] that stops starting replications once `stop` is set,
/// keeping every replication that finished at every design point.
///
/// Replications run in blocks: each block runs at every design point in
/// turn, so a stop loses at most the block under way and the replications
/// already finished everywhere give their effects exactly as an
/// uninterrupted design would. Every replication's numbers are those of
/// [`Simulation::new`](crate::Simulation::new)`(model, seed, i)`, so the
/// blocks change nothing else.
///
/// # Errors
/// As [`factorial_all`]; [`Error::Interrupted`] if `stop` was set before a
/// replication finished at every design point.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{Replications, Seed, factorial_with_stop};
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// use std::sync::atomic::AtomicBool;
/// let desk = |on: &[bool]| Model::builder()
///     .with_source("orders", Source::poisson(60.0, "desk"))
///     .with_station("desk", Station::new(if on[0] { 3 } else { 2 }, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(20.0))
///     .build();
/// let never = AtomicBool::new(false);
/// let d = factorial_with_stop(&["third desk"], desk, Seed(1), Replications::first(4), &never)?;
/// assert_eq!((d.finished, d.interrupted), (4, false));
/// # Ok(()) }
/// ```
pub fn factorial_with_stop(
    factors: &[&str],
    build: impl Fn(&[bool]) -> Result<Model>,
    seed: Seed,
    replications: Replications,
    stop: &AtomicBool,
) -> Result<FactorialDesign> {
    let k = factors.len();
    if k == 0 || k > 10 {
        return Err(Error::experiment(
            "factorial",
            format!("needs between 1 and 10 factors, got {k}"),
        ));
    }
    if replications.is_empty() {
        return Err(Error::experiment(
            "replications",
            format!("the range {replications} is empty; at least 1 is needed"),
        ));
    }
    let points = 1usize << k;
    // rows[p][r][c]: KPI c at design point p in the r-th replication that
    // finished everywhere. The catalogue is the base point's (its first
    // run is the first folded): KPIs are read by part name.
    let mut rows: Vec<Vec<Vec<Option<f64>>>> = vec![Vec::new(); points];
    let mut catalogue: Option<KpiCatalogue> = None;
    let mut interrupted = false;
    let mut start = replications.start();
    while start < replications.end() && !interrupted {
        let end = start.saturating_add(block_size()).min(replications.end());
        let block = Replications::new(start..end)?;
        // Per design point: (index, row) of each replication that finished.
        let mut done: Vec<Vec<(u64, Vec<Option<f64>>)>> = Vec::with_capacity(points);
        for p in 0..points {
            let levels: Vec<bool> = (0..k).map(|i| p >> i & 1 == 1).collect();
            let model = build(&levels)?;
            let mut got = Vec::new();
            let result = Experiment::new(&model)
                .with_seed(seed)
                .with_replications(block.clone())
                .with_stop_flag(stop)
                .run_folding(|i, run| {
                    let c = catalogue.get_or_insert_with(|| KpiCatalogue::for_run(run));
                    got.extend(c.rows(std::slice::from_ref(run)).pop().map(|row| (i, row)));
                });
            match result {
                Err(Error::Interrupted { .. }) => interrupted = true,
                Err(e) => return Err(e),
                Ok(r) => interrupted = r.interrupted(),
            }
            done.push(got);
            if interrupted {
                break;
            }
        }
        if done.len() == points {
            // Every point ran: keep the replications the last one finished
            // (the earlier points finished the whole block).
            let kept: Vec<u64> = done[points - 1].iter().map(|(i, _)| *i).collect();
            for (p, got) in done.into_iter().enumerate() {
                rows[p].extend(
                    got.into_iter()
                        .filter(|(i, _)| kept.binary_search(i).is_ok())
                        .map(|(_, row)| row),
                );
            }
        }
        start = end;
    }
    let finished = rows[0].len() as u64;
    let (Some(catalogue), true) = (catalogue, finished > 0) else {
        return Err(Error::Interrupted {
            finished: 0,
            requested: replications.len(),
        });
    };
    let kpis = catalogue
        .names()
        .enumerate()
        .map(|(c, kpi)| {
            let y: Vec<Vec<Option<f64>>> = rows
                .iter()
                .map(|point| point.iter().map(|row| row[c]).collect())
                .collect();
            contrasts(factors, &y, kpi)
        })
        .collect();
    Ok(FactorialDesign {
        kpis,
        finished,
        interrupted,
    })
}

/// Main effects and two-factor interactions of one KPI from `y[p][r]`.
fn contrasts(factors: &[&str], y: &[Vec<Option<f64>>], kpi: &str) -> Factorial {
    let k = factors.len();
    let points = y.len();
    let reps = y[0].len();
    let half = (points / 2) as f64;
    let sign = |p: usize, i: usize| if p >> i & 1 == 1 { 1.0 } else { -1.0 };
    let contrast = |weight: &dyn Fn(usize) -> f64| -> Vec<Option<f64>> {
        (0..reps)
            .map(|r| {
                let mut total = 0.0;
                for (p, ys) in y.iter().enumerate() {
                    total += weight(p) * ys[r]?;
                }
                Some(total / half)
            })
            .collect()
    };
    let main = (0..k)
        .map(|i| Effect {
            factors: vec![factors[i].to_string()],
            estimate: KpiEstimate::from_values(
                format!("{kpi}: {}", factors[i]),
                contrast(&|p| sign(p, i)),
            ),
        })
        .collect();
    let mut interactions = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            interactions.push(Effect {
                factors: vec![factors[i].to_string(), factors[j].to_string()],
                estimate: KpiEstimate::from_values(
                    format!("{kpi}: {} x {}", factors[i], factors[j]),
                    contrast(&|p| sign(p, i) * sign(p, j)),
                ),
            });
        }
    }
    Factorial {
        kpi: kpi.to_string(),
        main,
        interactions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_parse_ok() {
        assert_eq!(
            Target::parse(" lead_time_p95_h <= 24 ").unwrap(),
            ("lead_time_p95_h".to_string(), Target::AtMost(24.0))
        );
        assert_eq!(
            Target::parse("share>=0.9").unwrap(),
            ("share".to_string(), Target::AtLeast(0.9))
        );
    }

    #[test]
    fn target_parse_err() {
        for text in ["k<24", "<=24", "k<=x", "k>=inf", "k"] {
            let err = Target::parse(text).unwrap_err();
            assert!(matches!(err, Error::Experiment { .. }), "{text}: {err}");
            assert!(
                err.to_string().starts_with("target: must be KPI<=NUMBER"),
                "{err}"
            );
        }
    }

    #[test]
    fn target_meets_at_its_limit() {
        assert!(Target::AtMost(2.0).met_by(2.0) && !Target::AtMost(2.0).met_by(2.1));
        assert!(Target::AtLeast(2.0).met_by(2.0) && !Target::AtLeast(2.0).met_by(1.9));
        assert_eq!(Target::AtLeast(3.0).limit(), 3.0);
    }

    /// Two factors, two replications: y = 10 + 2·A + 3·B + 1·A·B exactly.
    #[test]
    fn contrasts_recover_main_effects_and_the_interaction() {
        let y_at = |a: f64, b: f64| 10.0 + 2.0 * a + 3.0 * b + a * b;
        // Point p: factor i on when bit i is set; levels ±1 for the model.
        let level = |p: usize, i: usize| if p >> i & 1 == 1 { 1.0 } else { -1.0 };
        let y: Vec<Vec<Option<f64>>> = (0..4)
            .map(|p| vec![Some(y_at(level(p, 0), level(p, 1))); 2])
            .collect();
        let f = contrasts(&["a", "b"], &y, "k");
        let mean = |e: &Effect| e.estimate.mean.unwrap();
        // An effect is the change from -1 to +1: twice the coefficient.
        assert_eq!((mean(&f.main[0]), mean(&f.main[1])), (4.0, 6.0));
        assert_eq!(mean(&f.interactions[0]), 2.0);
        assert_eq!(f.interactions[0].factors, ["a", "b"]);
    }

    /// The tandem preset with one more officer at the review if `on[0]`.
    fn point(on: &[bool]) -> Result<Model> {
        let mut builder =
            crate::presets::tandem().with_horizon(crate::time::SimTime::from_hours(30.0));
        if on[0] {
            builder = builder.with_station(
                "customs_review",
                crate::model::Station::new(
                    4,
                    crate::dist::Dist::exponential(1.5).unwrap(),
                    "inspection_split",
                ),
            );
        }
        builder.build()
    }

    #[test]
    fn blocks_give_the_effects_of_whole_design_points() {
        // 11 replications: a whole block of 8 (or more) and a short one.
        let reps = Replications::new(2..13).unwrap();
        let design = factorial_with_stop(
            &["a"],
            point,
            Seed(3),
            reps.clone(),
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!((design.finished, design.interrupted), (11, false));
        // The effects as computed before blocks: each point's runs at once.
        let runs: Vec<_> = [false, true]
            .iter()
            .map(|&on| crate::run_replications(&point(&[on]).unwrap(), Seed(3), reps.clone()))
            .collect::<Result<_>>()
            .unwrap();
        let catalogue = KpiCatalogue::for_run(&runs[0][0]);
        let rows: Vec<_> = runs.iter().map(|r| catalogue.rows(r)).collect();
        for (c, kpi) in catalogue.names().enumerate() {
            let y: Vec<Vec<Option<f64>>> = rows
                .iter()
                .map(|p| p.iter().map(|row| row[c]).collect())
                .collect();
            assert_eq!(design.kpis[c], contrasts(&["a"], &y, kpi), "{kpi}");
        }
    }

    #[test]
    fn a_stop_before_any_replication_is_an_interruption() {
        let err = factorial_with_stop(
            &["a"],
            point,
            Seed(1),
            Replications::first(3),
            &AtomicBool::new(true),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Interrupted {
                    finished: 0,
                    requested: 3
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn factorial_refuses_too_many_factors() {
        let names = ["f"; 11];
        let err =
            factorial_all(&names, |_| unreachable!(), Seed(1), Replications::first(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "factorial: needs between 1 and 10 factors, got 11"
        );
    }
}
