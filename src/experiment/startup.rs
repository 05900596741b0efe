//! The start-up check: does the pre-roll leave the window free of
//! start-up bias? The model is run again with its pre-roll doubled (one
//! day when it has none), on the same seed and replications, and every
//! headline KPI's paired difference is tested against zero, at a
//! family-wise 95% level (Bonferroni over the KPIs tested).
//!
//! An effect no larger than the KPI's resolution is not a move: a
//! quantile's histogram bucket, and for a share of the lead-time cohort
//! (`lead_time_within_24h_share`) one order of its cohort (a share of
//! 140,000 orders moves in steps of 1/140,000, so one order late in every
//! replication is no evidence of bias however small its interval). The
//! cohort is taken at its smallest: the orders that left in the window
//! less those inside when it opened.
//!
//! A failed check means the window still remembers how the run started:
//! lengthen `simulation.preroll_h` (never the warm-up: that would move the
//! observed dates).

use super::compare::{Difference, compare};
use super::replications::{Replications, Seed};
use crate::error::Result;
use crate::model::{Model, Preroll};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The outcome of a start-up check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StartupCheck {
    /// The model's pre-roll, hours.
    pub preroll_h: f64,
    /// The pre-roll it was compared with, hours.
    pub doubled_h: f64,
    /// Per headline KPI: the effect of doubling (doubled − given), paired
    /// by replication.
    pub kpis: Vec<StartupKpi>,
    /// Whether no headline KPI moved beyond its family-wise interval.
    pub passed: bool,
}

/// One headline KPI in a [`StartupCheck`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StartupKpi {
    /// KPI name.
    pub name: String,
    /// Its mean with the model's pre-roll.
    pub mean: Option<f64>,
    /// Mean paired difference, doubled − given.
    pub effect: Option<f64>,
    /// Half-width of the family-wise 95% interval of that difference
    /// (Student t at `1 − 0.05 / (2k)` for `k` KPIs).
    pub half_width: Option<f64>,
    /// Whether the interval excludes zero.
    pub moved: bool,
}

impl StartupCheck {
    /// A one-line verdict, and the KPIs that moved.
    #[must_use]
    pub fn summary(&self) -> String {
        if self.passed {
            format!(
                "start-up check passed: with the pre-roll doubled ({} h to {} h), none of {} headline KPIs moved beyond its family-wise 95% interval",
                self.preroll_h,
                self.doubled_h,
                self.kpis.len()
            )
        } else {
            let moved: Vec<String> = self
                .kpis
                .iter()
                .filter(|k| k.moved)
                .map(|k| {
                    format!(
                        "{} {:+.4} ± {:.4}",
                        k.name,
                        k.effect.unwrap_or(f64::NAN),
                        k.half_width.unwrap_or(f64::NAN)
                    )
                })
                .collect();
            format!(
                "start-up check failed: with the pre-roll doubled ({} h to {} h), {} of {} headline KPIs moved: {}; the window still shows how the run started: lengthen simulation.preroll_h (unless the backlog grows through the window: then no pre-roll settles it)",
                self.preroll_h,
                self.doubled_h,
                moved.len(),
                self.kpis.len(),
                moved.join(", ")
            )
        }
    }
}

/// The headline KPIs among `names`: the planner KPIs that describe the
/// whole window (throughput, lead time, clearance, backlog, utilisation),
/// or without planner KPIs the network's and each station's mean wait
/// and utilisation.
#[must_use]
pub fn headline_kpis<'a>(names: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    const PLANNER: [&str; 8] = [
        "orders_exited_per_day",
        "orders_placed_per_day",
        "orders_released_per_day",
        "lead_time_mean_h",
        "lead_time_p95_h",
        "lead_time_within_24h_share",
        "clearance_mean_min",
        "backlog_at_end",
    ];
    let planner: Vec<String> = names
        .clone()
        .filter(|n| PLANNER.contains(n) || n.starts_with("utilization_"))
        .map(str::to_string)
        .collect();
    if !planner.is_empty() {
        return planner;
    }
    names
        .filter(|n| {
            matches!(
                *n,
                "network.time_in_system_mean_min"
                    | "network.in_system_mean"
                    | "network.left_per_day"
            ) || n.ends_with(".utilization")
                || n.ends_with(".wait_mean_min")
        })
        .map(str::to_string)
        .collect()
}

/// Runs the start-up check on `model`: replications `replications` under
/// `seed`, with its pre-roll and with it doubled (one day when it has
/// none).
///
/// # Errors
/// As [`ModelBuilder::build`](crate::ModelBuilder::build) for the doubled
/// model (a pre-roll past the calendar's start or the length bound), and
/// [`Error::Experiment`](crate::Error::Experiment) for fewer than two
/// replications (no interval to test against).
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{startup_check, Replications, Seed};
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(30.0, "desk"))
///     .with_station("desk", Station::new(1, Dist::exponential(1.5)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(100.0))
///     .build()?;
/// let check = startup_check(&model, Seed(1), Replications::first(10))?;
/// assert_eq!((check.preroll_h, check.doubled_h), (0.0, 24.0));
/// assert!(!check.kpis.is_empty());
/// # Ok(()) }
/// ```
pub fn startup_check(
    model: &Model,
    seed: Seed,
    replications: Replications,
) -> Result<StartupCheck> {
    if replications.len() < 2 {
        return Err(crate::Error::experiment(
            "replications",
            format!(
                "the start-up check needs at least 2 replications to have an interval, got {}",
                replications.len()
            ),
        ));
    }
    let preroll_h = model.preroll().hours();
    let doubled_h = if preroll_h > 0.0 {
        2.0 * preroll_h
    } else {
        24.0
    };
    let mut b = model.description().clone();
    b.simulation.preroll_h = Preroll::Hours(doubled_h);
    let doubled = b.build()?;
    let diffs = compare(model, &doubled, seed, replications)?;
    let headline = headline_kpis(diffs.iter().map(|d| d.name.as_str()));
    let k = headline.len().max(1) as f64;
    // One order of the window's lead-time cohort, as a share. The cohort
    // holds at least the orders that left in the window less those inside
    // when it opened, so one over that is at least one order's share.
    let mean_of = |name: &str| {
        Difference::find(&diffs, name)
            .ok()
            .and_then(|d| d.baseline.mean)
    };
    let one_order = match (
        model.window(),
        mean_of("orders_exited_per_day"),
        mean_of("backlog_at_start"),
    ) {
        (Some(w), Some(per_day), Some(inside)) => {
            let at_least = per_day * (w.end - w.start).hours() / 24.0 - inside;
            (at_least >= 1.0).then(|| 1.0 / at_least)
        }
        _ => None,
    };
    let kpis: Vec<StartupKpi> = headline
        .iter()
        .filter_map(|name| Difference::find(&diffs, name).ok())
        .map(|d| {
            let half_width = family_half_width(d, k);
            let effect = d.effect.mean;
            // A quantile that moved by no more than one histogram bucket,
            // or a cohort share by no more than one order, has not moved
            // as far as the instrument can tell.
            let resolution = if d.name.ends_with("_within_24h_share") {
                one_order
            } else {
                d.resolution
            };
            let below_resolution = matches!(
                (effect, resolution),
                (Some(e), Some(r)) if e.abs() <= r * (1.0 + super::compare::RESOLUTION_SLACK)
            );
            let moved = !below_resolution
                && matches!((effect, half_width), (Some(e), Some(h)) if e.abs() > h);
            StartupKpi {
                name: d.name.clone(),
                mean: d.baseline.mean,
                effect,
                half_width,
                moved,
            }
        })
        .collect();
    let passed = !kpis.iter().any(|k| k.moved);
    Ok(StartupCheck {
        preroll_h,
        doubled_h,
        kpis,
        passed,
    })
}

/// The half-width of the paired difference's interval at a family-wise
/// 95% level over `k` KPIs: `t_{1 − 0.025/k, n−1} · sd / √n`.
fn family_half_width(d: &Difference, k: f64) -> Option<f64> {
    let n = d.effect.n;
    let sd = d.effect.std_dev?;
    if n < 2 {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?;
    Some(t.inverse_cdf(1.0 - 0.025 / k) * sd / (n as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_kpis_are_the_planner_ones_or_the_networks() {
        let planner = [
            "orders_exited_per_day",
            "peak_day_orders_placed",
            "utilization_officers",
            "desk.wait_mean_min",
        ];
        assert_eq!(
            headline_kpis(planner.into_iter()),
            ["orders_exited_per_day", "utilization_officers"]
        );
        let plain = [
            "network.in_system_mean",
            "desk.utilization",
            "desk.wait_p95_min",
        ];
        assert_eq!(
            headline_kpis(plain.into_iter()),
            ["network.in_system_mean", "desk.utilization"]
        );
    }
}
