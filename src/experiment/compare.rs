//! Comparisons of scenario variants with common random numbers.
//!
//! Invariant: the baseline and the variant run the same replication
//! indices under the same seed, and differences are taken replication by
//! replication, so every part the variant leaves alone sees the same draws.

use super::kpi::{KpiCatalogue, KpiEstimate, kpi_index};
use super::replications::{Replications, Seed};
use super::runner::Experiment;
use super::shard::ShardResult;
use crate::error::Result;
use crate::model::{Model, RunSummary};
use crate::stats::{DurationHistogram, OnlineMoments};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The effect of a variant on one KPI: the paired difference variant −
/// baseline over replications that share their random streams.
///
/// # Formula
/// `d_i = variant_i − baseline_i`; the effect is `mean(d) ± t·sd(d)/√n`.
/// The variance reduction against independent streams is
/// `1 − Var(d) / (Var(baseline) + Var(variant))`: the share of the
/// variance of the difference that common random numbers removed (0 means
/// no gain, negative means they hurt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Difference {
    /// KPI name.
    pub name: String,
    /// The baseline's KPI.
    pub baseline: KpiEstimate,
    /// The variant's KPI.
    pub variant: KpiEstimate,
    /// The paired difference, variant − baseline.
    pub effect: KpiEstimate,
    /// `1 − Var(d) / (Var(baseline) + Var(variant))`.
    pub variance_reduction: Option<f64>,
    /// For a quantile KPI, in its unit: the width of the histogram bucket
    /// at the larger of the two means. An effect no larger than this is
    /// [`Verdict::BelowResolution`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<f64>,
}

/// Relative slack on the one-bucket comparison: a difference of two
/// quantiles one bucket apart can come out a few ulps above the bucket
/// width in floating point.
pub(crate) const RESOLUTION_SLACK: f64 = 1e-9;

/// How an effect reads against zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// Exactly zero in every replication: the variant does not reach the
    /// KPI (or, for a quantile, moves it by less than the histogram's
    /// resolution).
    Identical,
    /// The 95% interval contains zero: not distinguishable from no effect.
    Indistinguishable,
    /// The whole interval is above zero.
    Increase,
    /// The whole interval is below zero.
    Decrease,
    /// A quantile whose mean effect is within one bucket of the histogram
    /// it is read from (see [`Difference::resolution`]): the instrument
    /// cannot tell it from no effect, however narrow its interval.
    BelowResolution,
    /// Too few paired values to tell.
    Undefined,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Identical => "=0",
            Verdict::Indistinguishable => "~0",
            Verdict::Increase => "up",
            Verdict::Decrease => "down",
            Verdict::BelowResolution => "<res",
            Verdict::Undefined => "n/a",
        })
    }
}

impl Difference {
    /// The difference on KPI `name` among `differences`, checked.
    ///
    /// # Errors
    /// [`Error::UnknownKpi`](crate::Error::UnknownKpi) at `kpi`, with the
    /// closest valid name.
    pub fn find<'a>(differences: &'a [Difference], name: &str) -> Result<&'a Difference> {
        let id = kpi_index("kpi", name, differences.iter().map(|d| d.name.as_str()))?;
        Ok(&differences[id.index()])
    }

    /// Whether the effect is exactly zero, indistinguishable from zero, or
    /// clearly up or down (see [`Verdict`]).
    #[must_use]
    pub fn verdict(&self) -> Verdict {
        let e = &self.effect;
        match (e.mean, e.std_dev, e.half_width_95) {
            (Some(m), _, _) if !m.is_finite() => Verdict::Undefined,
            (_, _, Some(h)) if !h.is_finite() => Verdict::Undefined,
            (Some(m), Some(sd), _) if m == 0.0 && sd == 0.0 => Verdict::Identical,
            (Some(m), _, Some(h))
                if m.abs() > h
                    && self
                        .resolution
                        .is_some_and(|r| m.abs() <= r * (1.0 + RESOLUTION_SLACK)) =>
            {
                Verdict::BelowResolution
            }
            (Some(m), _, Some(h)) if m.abs() <= h => Verdict::Indistinguishable,
            (Some(m), _, Some(_)) if m > 0.0 => Verdict::Increase,
            (Some(_), _, Some(_)) => Verdict::Decrease,
            _ => Verdict::Undefined,
        }
    }
}

/// Runs `baseline` and `variant` on the same streams (`replications`
/// under `seed`) and returns the effect on every KPI of the baseline's
/// catalogue.
///
/// # Errors
/// [`Error::Experiment`](crate::Error::Experiment) if the range is empty.
///
/// Streams follow node names (see [`crate::rng`]), so the arrivals and
/// every station the variant leaves alone see exactly the same draws.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{compare, Difference, Replications, Seed};
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// let desk = |servers| Model::builder()
///     .with_source("orders", Source::poisson(90.0, "desk"))
///     .with_station("desk", Station::new(servers, Dist::exponential(1.0).unwrap(), "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(200.0))
///     .build();
/// let diffs = compare(&desk(2)?, &desk(3)?, Seed(1), Replications::first(10))?;
/// let wait = Difference::find(&diffs, "desk.wait_mean_min")?;
/// assert!(wait.effect.mean.unwrap() < 0.0, "a third officer cuts the wait");
/// # Ok(()) }
/// ```
pub fn compare(
    baseline: &Model,
    variant: &Model,
    seed: Seed,
    replications: Replications,
) -> Result<Vec<Difference>> {
    let run = |model| {
        Experiment::new(model)
            .with_seed(seed)
            .with_replications(replications.clone())
            .run()
    };
    Ok(differences_of_shards(
        &run(baseline)?.shard,
        &run(variant)?.shard,
    ))
}

/// Paired differences between two sets of runs, replication by replication.
#[must_use]
pub fn differences(baseline: &[RunSummary], variant: &[RunSummary]) -> Vec<Difference> {
    let Some(first) = baseline.first() else {
        return Vec::new();
    };
    let catalogue = KpiCatalogue::for_run(first);
    catalogue
        .ids()
        .map(|id| {
            let b = baseline.iter().map(|r| catalogue.get(id, r)).collect();
            let v = variant.iter().map(|r| catalogue.get(id, r)).collect();
            paired(catalogue.name(id), b, v)
        })
        .collect()
}

/// Paired differences between the KPI rows of two shards of the same
/// seed, as [`differences`] gives on their runs: each replication of
/// `variant` is paired with the same replication of `baseline` (whose
/// indices must include the variant's), and each KPI of the baseline with
/// the variant's KPI of the same name (undefined where it has none). No
/// [`RunSummary`] needs to be kept.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{Difference, Experiment, Replications, differences_of_shards};
/// let model = cbec_sim::presets::tandem().with_horizon(cbec_sim::SimTime::from_hours(20.0)).build()?;
/// let base = Experiment::new(&model).with_replications(Replications::first(4)).run()?;
/// let same = Experiment::new(&model).with_replications(Replications::first(4)).run()?;
/// let diffs = differences_of_shards(&base.shard, &same.shard);
/// let wait = Difference::find(&diffs, "customs_review.wait_mean_min")?;
/// assert_eq!(wait.effect.mean, Some(0.0), "the same model on the same streams");
/// # Ok(()) }
/// ```
#[must_use]
pub fn differences_of_shards(baseline: &ShardResult, variant: &ShardResult) -> Vec<Difference> {
    let base_rows: HashMap<u64, &Row> = baseline.indices().zip(&baseline.rows).collect();
    let pairs: Vec<(Option<&Row>, &Row)> = variant
        .indices()
        .zip(&variant.rows)
        .map(|(i, row)| (base_rows.get(&i).copied(), row))
        .collect();
    baseline
        .kpis
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let column = variant.kpis.iter().position(|k| k == name);
            let b = pairs.iter().map(|(b, _)| b.and_then(|r| r[c])).collect();
            let v = pairs
                .iter()
                .map(|(_, v)| column.and_then(|k| v[k]))
                .collect();
            paired(name, b, v)
        })
        .collect()
}

/// One replication's KPI values, as a shard holds them.
type Row = Vec<Option<f64>>;

/// The paired difference on KPI `name` between the values `b` and `v`,
/// replication by replication.
fn paired(name: &str, b: Vec<Option<f64>>, v: Vec<Option<f64>>) -> Difference {
    let d: Vec<Option<f64>> = b.iter().zip(&v).map(|(b, v)| Some((*v)? - (*b)?)).collect();
    let var_of = |xs: &[Option<f64>]| {
        xs.iter()
            .flatten()
            .copied()
            .collect::<OnlineMoments>()
            .variance()
    };
    let variance_reduction = match (var_of(&d), var_of(&b), var_of(&v)) {
        (Some(vd), Some(vb), Some(vv)) if vb + vv > 0.0 => Some(1.0 - vd / (vb + vv)),
        _ => None,
    };
    let (baseline, variant) = (
        KpiEstimate::from_values(name, b),
        KpiEstimate::from_values(name, v),
    );
    let resolution = match (baseline.mean, variant.mean) {
        (Some(x), Some(y)) => quantile_resolution(name, x.abs().max(y.abs())),
        _ => None,
    };
    Difference {
        name: name.to_string(),
        baseline,
        variant,
        effect: KpiEstimate::from_values(name, d),
        variance_reduction,
        resolution,
    }
}

/// For a quantile KPI (a name with `p50_`, `p90_`, `p95_` or `p99_` after
/// `_` or `.` and before its unit `h` or `min`, as every quantile in the
/// catalogue), the
/// width of the [`DurationHistogram`] bucket holding `value`, in the KPI's
/// unit; `None` for any other KPI.
#[must_use]
pub fn quantile_resolution(name: &str, value: f64) -> Option<f64> {
    let is_quantile = ["p50_", "p90_", "p95_", "p99_"].iter().any(|q| {
        name.match_indices(q)
            .any(|(i, _)| i > 0 && matches!(name.as_bytes()[i - 1], b'_' | b'.'))
    });
    let secs_per_unit = if name.ends_with("_h") {
        3600.0
    } else if name.ends_with("_min") {
        60.0
    } else {
        return None;
    };
    if !is_quantile || !value.is_finite() {
        return None;
    }
    let width = DurationHistogram::new().resolution_at(SimTime::from_secs(value * secs_per_unit));
    Some(width.secs() / secs_per_unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quantile_effect_of_one_bucket_is_below_resolution() {
        // The lead-time p50 of the Double 11 week, 7.4 h: buckets there are
        // 2^27 µs = 134 s = 0.0373 h wide; every replication moved by one.
        let r = quantile_resolution("lead_time_p50_h", 7.4).unwrap();
        assert!((r - 134.217728 / 3600.0).abs() < 1e-9, "{r}");
        let mut d = difference(&[r, r, r]);
        d.resolution = Some(r);
        assert_eq!(d.verdict(), Verdict::BelowResolution);
        assert_eq!(Verdict::BelowResolution.to_string(), "<res");
        let mut two = difference(&[2.0 * r, 2.0 * r, 2.0 * r]);
        two.resolution = Some(r);
        assert_eq!(two.verdict(), Verdict::Increase);
        assert_eq!(quantile_resolution("lead_time_mean_h", 7.4), None);
        assert_eq!(quantile_resolution("desk.utilization", 0.5), None);
        assert!(quantile_resolution("desk.wait_p95_min", 30.0).unwrap() <= 30.0 / 128.0);
        assert!(quantile_resolution("clearance.p50_min", 30.0).is_some());
        // A float a hair above one bucket is still one bucket.
        let mut hair = difference(&[r * (1.0 + 1e-15); 3]);
        hair.resolution = Some(r);
        assert_eq!(hair.verdict(), Verdict::BelowResolution);
    }

    fn difference(effects: &[f64]) -> Difference {
        let e = KpiEstimate::from_values("k", effects.iter().map(|x| Some(*x)));
        Difference {
            name: "k".into(),
            baseline: e.clone(),
            variant: e.clone(),
            effect: e,
            variance_reduction: None,
            resolution: None,
        }
    }

    #[test]
    fn verdicts() {
        assert_eq!(difference(&[0.0, 0.0, 0.0]).verdict(), Verdict::Identical);
        assert_eq!(
            difference(&[-1.0, 1.0, 0.5]).verdict(),
            Verdict::Indistinguishable
        );
        assert_eq!(difference(&[1.0, 1.1, 0.9]).verdict(), Verdict::Increase);
        assert_eq!(difference(&[-1.0, -1.1, -0.9]).verdict(), Verdict::Decrease);
        assert_eq!(difference(&[1.0]).verdict(), Verdict::Undefined);
        assert_eq!(Verdict::Decrease.to_string(), "down");
    }

    #[test]
    fn find_is_checked() {
        let diffs = vec![difference(&[1.0])];
        assert_eq!(Difference::find(&diffs, "k").unwrap().name, "k");
        assert!(matches!(
            Difference::find(&diffs, "x"),
            Err(crate::Error::UnknownKpi { .. })
        ));
    }

    #[test]
    fn no_runs_no_differences() {
        assert!(differences(&[], &[]).is_empty());
    }
}
