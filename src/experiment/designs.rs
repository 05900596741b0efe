//! Designed experiments: one-parameter sweeps and 2^k factorials, each on
//! common random numbers.

use super::kpi::{KpiCatalogue, KpiEstimate, find_kpi};
use super::run_replications;
use crate::error::{Error, Result};
use crate::model::{Model, RunSummary};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// One point of a sweep: the parameter value and the KPI there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SweepPoint {
    /// Parameter value.
    pub value: f64,
    /// The swept KPI at this value.
    pub estimate: KpiEstimate,
}

/// A capacity or demand curve, and where a target breaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sweep {
    /// KPI name.
    pub kpi: String,
    /// The curve, in the order of the values given.
    pub points: Vec<SweepPoint>,
    /// The first value whose KPI mean exceeds the target, if a target was
    /// given and broken.
    pub breaks_at: Option<f64>,
}

/// Runs the model `build(value)` for each value, on the same streams
/// (replications `range` under `seed`), and reads `kpi` at each point.
/// With `at_most`, reports the first value whose mean KPI exceeds it.
///
/// # Errors
/// Whatever `build` returns, and [`Error::Scenario`] for an empty list of
/// values, an empty replication range or an unknown KPI.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::sweep;
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// let desk = |rate: f64| Model::builder()
///     .with_source("orders", Source::poisson(rate, "desk"))
///     .with_station("desk", Station::new(2, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(200.0))
///     .build();
/// let curve = sweep(&[60.0, 90.0, 110.0], desk, "desk.wait_mean_min", Some(1.0), 1, 0..8)?;
/// assert_eq!(curve.breaks_at, Some(90.0));
/// # Ok(()) }
/// ```
pub fn sweep(
    values: &[f64],
    build: impl Fn(f64) -> Result<Model>,
    kpi: &str,
    at_most: Option<f64>,
    seed: u64,
    range: Range<u64>,
) -> Result<Sweep> {
    check_range(&range)?;
    if values.is_empty() {
        return Err(Error::scenario(
            "sweep.values",
            "must list at least one value",
        ));
    }
    let mut points = Vec::with_capacity(values.len());
    for &value in values {
        let runs = run_replications(&build(value)?, seed, range.clone());
        points.push(SweepPoint {
            value,
            estimate: estimate(&runs, kpi)?,
        });
    }
    let breaks_at = at_most.and_then(|limit| {
        points
            .iter()
            .find(|p| p.estimate.mean.is_some_and(|m| m > limit))
            .map(|p| p.value)
    });
    Ok(Sweep {
        kpi: kpi.to_string(),
        points,
        breaks_at,
    })
}

fn estimate(runs: &[RunSummary], kpi: &str) -> Result<KpiEstimate> {
    let catalogue = KpiCatalogue::for_run(&runs[0]);
    find_kpi("kpi", kpi, catalogue.names())?;
    Ok(KpiEstimate::from_values(
        kpi,
        runs.iter().map(|r| catalogue.value(kpi, r)),
    ))
}

/// Replications must exist for a design to estimate anything.
fn check_range(range: &Range<u64>) -> Result<()> {
    if range.is_empty() {
        return Err(Error::scenario(
            "replications",
            format!("the replication range {range:?} is empty"),
        ));
    }
    Ok(())
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
/// Whatever `build` returns, and [`Error::Scenario`] for no factors, more
/// than 10 (1,024 design points), an empty replication range or an
/// unknown KPI.
pub fn factorial(
    factors: &[&str],
    build: impl Fn(&[bool]) -> Result<Model>,
    kpi: &str,
    seed: u64,
    range: Range<u64>,
) -> Result<Factorial> {
    let k = factors.len();
    if k == 0 || k > 10 {
        return Err(Error::scenario(
            "factorial",
            format!("needs between 1 and 10 factors, got {k}"),
        ));
    }
    check_range(&range)?;
    let points = 1usize << k;
    // y[p][r]: KPI at design point p in replication r.
    let mut y: Vec<Vec<Option<f64>>> = Vec::with_capacity(points);
    for p in 0..points {
        let levels: Vec<bool> = (0..k).map(|i| p >> i & 1 == 1).collect();
        let runs = run_replications(&build(&levels)?, seed, range.clone());
        let catalogue = KpiCatalogue::for_run(&runs[0]);
        find_kpi("kpi", kpi, catalogue.names())?;
        y.push(runs.iter().map(|r| catalogue.value(kpi, r)).collect());
    }
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
    Ok(Factorial {
        kpi: kpi.to_string(),
        main,
        interactions,
    })
}
