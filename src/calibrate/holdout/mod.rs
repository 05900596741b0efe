//! Validation on held-out weeks: simulate the weeks a fit did not see,
//! with their actual orders, and compare each stage's durations with the
//! log's.

mod compare;

pub use compare::{QuantileEstimate, StageComparison};

use super::log::{EventLog, Window};
use super::map::EventMap;
use super::synthetic::EventLogWriter;
use crate::error::{Error, Result};
use crate::model::{OrderLog, Preroll, Source};
use crate::scenario::Scenario;
use crate::time::SimTime;
use compare::{ks_two_sample, observed_quantile, quantile_sorted, replicated_quantile};
use jiff::civil::DateTime;
use serde::Serialize;
use std::path::Path;

/// Most simulated durations a stage keeps over all replications for the
/// pooled test and the chart (each replication contributes evenly spaced
/// quantiles of its own durations beyond this).
const MAX_POOLED: usize = 200_000;

/// Most replications of a holdout check: 1,000. Each replication's
/// durations are held until they are compared, so the memory grows with
/// the replications times the held-out orders; the intervals gain little
/// beyond a few dozen.
pub const MAX_HOLDOUT_REPLICATIONS: u64 = 1_000;

/// How to check a fitted scenario on held-out weeks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoldoutOptions {
    /// Simulated replications of the held-out weeks (from 2 to
    /// [`MAX_HOLDOUT_REPLICATIONS`]).
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Confidence level of the intervals.
    pub level: f64,
    /// Hours before the cut simulated first, with the log's own orders, so
    /// that the held-out weeks open with the orders a real line held
    /// (clipped at the log's start).
    pub lead_in_h: f64,
}

impl Default for HoldoutOptions {
    fn default() -> Self {
        HoldoutOptions {
            replications: 20,
            seed: 1,
            level: 0.95,
            lead_in_h: 48.0,
        }
    }
}

/// The held-out weeks, observed and simulated, stage by stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutCheck {
    /// The cut: orders arriving from here on are held out.
    pub from: DateTime,
    /// The log's last row: both the log and the simulations are read to
    /// here, and stages open then are censored.
    pub until: DateTime,
    /// Where the simulations start (the cut less the lead-in).
    pub simulated_from: DateTime,
    /// Orders that arrived in the held-out weeks (replayed at their times).
    pub orders: u64,
    /// Replications simulated.
    pub replications: u64,
    /// Confidence level of the intervals.
    pub level: f64,
    /// One comparison per stage of the map with durations on both sides.
    pub stages: Vec<StageComparison>,
    /// What the check could not do, or what a reader must know.
    pub notes: Vec<String>,
}

impl HoldoutCheck {
    /// The comparison of stage `name`.
    #[must_use]
    pub fn stage(&self, name: &str) -> Option<&StageComparison> {
        self.stages.iter().find(|s| s.stage == name)
    }
}

/// Simulates the weeks of the log at `log_path` from `cut` on with the
/// fitted `scenario`, replaying the log's own arrivals (from `cut` less
/// the lead-in), and compares every stage of `map` with what the log
/// observed for the orders arriving from `cut`.
///
/// The simulated orders go through an [`EventLogWriter`] and are read back
/// by the same parser and window as the log, so both sides count the
/// same thing: durations completed by the log's last row, of orders
/// arriving from `cut`.
///
/// # Errors
/// [`Error::Scenario`] at `replications` outside 2 to
/// [`MAX_HOLDOUT_REPLICATIONS`]; at `demand` if the map names no demand
/// source or the scenario lacks it; at `events.<name>.sim` if a stage's events are
/// not written by the model (no `sim`); `--holdout` errors if `cut` is
/// not inside the log; the log's own errors.
pub fn check_holdout(
    scenario: &Scenario,
    map: &EventMap,
    log_path: &Path,
    cut: DateTime,
    options: &HoldoutOptions,
) -> Result<HoldoutCheck> {
    if !(2..=MAX_HOLDOUT_REPLICATIONS).contains(&options.replications) {
        return Err(Error::scenario(
            "replications",
            format!(
                "the holdout check needs from 2 replications (for its intervals) to {MAX_HOLDOUT_REPLICATIONS}, got {}",
                options.replications
            ),
        ));
    }
    for s in &map.stages {
        for e in [s.from, s.to] {
            let spec = &map.events[usize::from(e)];
            if spec.sim.is_none() {
                return Err(Error::scenario(
                    format!("events.{}.sim", spec.name),
                    format!(
                        "stage {} needs this event in the simulated weeks; say which node writes it (`sim = {{ node, on }}`)",
                        s.name
                    ),
                ));
            }
        }
    }
    let whole = EventLog::from_path(log_path, map)?;
    if cut <= whole.start() || cut > whole.end() {
        return Err(Error::scenario(
            "holdout",
            format!(
                "the cut {cut} must be after the log's first row ({}) and not after its last ({})",
                whole.start(),
                whole.end()
            ),
        ));
    }
    let until = whole.end();
    let window = Window {
        from: Some(cut),
        until: Some(until + jiff::SignedDuration::from_secs(1)),
    };
    let observed = EventLog::from_path_in(log_path, map, window)?;
    let lead = jiff::SignedDuration::from_secs_f64(options.lead_in_h.max(0.0) * 3600.0);
    let sim_from = cut
        .checked_sub(lead)
        .unwrap_or(whole.start())
        .max(whole.start());
    let replay = EventLog::from_path_in(log_path, map, Window::from(sim_from))?;
    let model = holdout_model(scenario, map, &replay, sim_from, until)?;
    let run = |r: u64| -> Result<EventLog> {
        let mut writer = EventLogWriter::new(&model, map, Vec::new())?;
        let _ = writer.write_run(options.seed, r);
        let bytes = writer.finish()?;
        EventLog::from_reader_in(&bytes[..], map, "the simulated weeks", window)
    };
    let reps: Vec<u64> = (0..options.replications).collect();
    #[cfg(feature = "parallel")]
    let simulated: Vec<Result<EventLog>> = {
        use rayon::prelude::*;
        reps.par_iter().map(|&r| run(r)).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let simulated: Vec<Result<EventLog>> = reps.iter().map(|&r| run(r)).collect();
    let simulated = simulated.into_iter().collect::<Result<Vec<_>>>()?;
    let mut notes = Vec::new();
    let demand = map.demand().and_then(|p| p.strip_prefix("sources."));
    let others: Vec<String> = scenario
        .to_builder()?
        .sources
        .keys()
        .filter(|k| Some(k.as_str()) != demand)
        .cloned()
        .collect();
    if !others.is_empty() {
        notes.push(format!(
            "the scenario has other sources ({}): they add their own orders to the log's, which all arrive through the demand source",
            others.join(", ")
        ));
    }
    if sim_from > whole.start() || options.lead_in_h <= 0.0 {
        notes.push(format!(
            "the simulations start empty at {sim_from} and replay the log's orders from there; the held-out orders are those arriving from {cut}"
        ));
    }
    let mut stages = Vec::new();
    for (k, spec) in map.stages.iter().enumerate() {
        let obs = &observed.stages()[k];
        let mut obs_min: Vec<f64> = obs.durations().iter().map(|d| d.minutes()).collect();
        obs_min.sort_by(f64::total_cmp);
        let per_rep: Vec<Vec<f64>> = simulated
            .iter()
            .map(|l| {
                let mut v: Vec<f64> = l.stages()[k]
                    .durations()
                    .iter()
                    .map(|d| d.minutes())
                    .collect();
                v.sort_by(f64::total_cmp);
                v
            })
            .collect();
        let sim_n: usize = per_rep.iter().map(Vec::len).sum();
        if obs_min.is_empty() || sim_n == 0 {
            notes.push(format!(
                "stage {}: {} observed and {sim_n} simulated durations completed in the held-out weeks; not compared",
                spec.name,
                obs_min.len()
            ));
            continue;
        }
        let cap = MAX_POOLED.div_ceil(per_rep.len());
        let mut pooled: Vec<f64> = per_rep.iter().flat_map(|v| thin(v, cap)).collect();
        pooled.sort_by(f64::total_cmp);
        let (ks_distance, ks_p_value) = ks_two_sample(&obs_min, &pooled);
        let q = |p: f64| -> (QuantileEstimate, QuantileEstimate) {
            let reps: Vec<f64> = per_rep.iter().map(|v| quantile_sorted(v, p)).collect();
            (
                observed_quantile(&obs_min, p, options.level),
                replicated_quantile(&reps, p, options.level),
            )
        };
        let (o50, s50) = q(0.5);
        let (o95, s95) = q(0.95);
        let qq = (1..100)
            .map(|i| {
                let p = f64::from(i) / 100.0;
                (quantile_sorted(&obs_min, p), quantile_sorted(&pooled, p))
            })
            .collect();
        stages.push(StageComparison {
            stage: spec.name.clone(),
            kind: spec.kind.label().to_string(),
            observed_n: obs_min.len(),
            observed_censored: obs.censored().len(),
            simulated_n: sim_n,
            simulated_censored: simulated
                .iter()
                .map(|l| l.stages()[k].censored().len() as f64)
                .sum::<f64>()
                / simulated.len() as f64,
            observed: [o50, o95],
            simulated: [s50, s95],
            ks_distance,
            ks_p_value,
            qq,
        });
    }
    let compared = 2 * stages.len();
    let outside: usize = stages
        .iter()
        .map(|s: &StageComparison| s.quantiles_agree().iter().filter(|ok| !**ok).count())
        .sum();
    if compared > 0 {
        notes.push(format!(
            "{outside} of {compared} simulated quantiles lie outside the observed {}% intervals; about {:.1} would by chance if the fitted scenario were the truth (each observed interval misses with probability {:.2}, a little more with the simulated mean's own error, and more where orders share queues: the observed intervals take the week's orders as independent, so they are too narrow for waits)",
            (options.level * 100.0).round(),
            compared as f64 * (1.0 - options.level),
            1.0 - options.level
        ));
    }
    Ok(HoldoutCheck {
        from: cut,
        until,
        simulated_from: sim_from,
        orders: observed.orders(),
        replications: options.replications,
        level: options.level,
        stages,
        notes,
    })
}

/// At most `cap` evenly spaced order statistics of sorted `v`.
fn thin(v: &[f64], cap: usize) -> Vec<f64> {
    if v.len() <= cap {
        return v.to_vec();
    }
    (0..cap).map(|i| v[(i * v.len()) / cap]).collect()
}

/// The fitted scenario run from `from` to `until` with the map's demand
/// source replaying the arrivals of `replay` (its classes and attributes
/// still drawn as the scenario says; no preroll, no drain: the window is
/// the log's).
fn holdout_model(
    scenario: &Scenario,
    map: &EventMap,
    replay: &EventLog,
    from: DateTime,
    until: DateTime,
) -> Result<crate::Model> {
    let Some(path) = map.demand() else {
        return Err(Error::scenario(
            "demand",
            "the holdout check replays the held-out orders through the map's demand source; name it (`demand = \"sources.orders\"`)",
        ));
    };
    let name = path.strip_prefix("sources.").unwrap_or(path);
    let mut b = scenario.to_builder()?;
    let Some(source) = b.sources.get(name) else {
        return Err(Error::scenario(
            "demand",
            format!(
                "\"{path}\" is not a source of the scenario; {}",
                crate::suggest::hint(
                    name,
                    b.sources.keys().map(String::as_str),
                    "sources",
                    "the scenario's [sources] list them"
                )
            ),
        ));
    };
    let mut csv = String::from("time\n");
    for t in replay.arrival_datetimes() {
        csv.push_str(&t.to_string());
        csv.push('\n');
    }
    let orders = OrderLog::from_reader(csv.as_bytes(), "the held-out orders")?;
    // The log's arrival times replace the source's arrival process only:
    // its classes and attributes are drawn as the fitted scenario says
    // (the log has none), so that priorities, rules and scaled service
    // times work as in the scenario.
    let replayed = Source {
        classes: source.classes.clone(),
        attributes: source.attributes.clone(),
        categories: source.categories.clone(),
        ..Source::replay(orders, source.to.clone())
    };
    b.sources.insert(name.to_string(), replayed);
    b.simulation.preroll_h = Preroll::default();
    b.simulation.drain_h = 0.0;
    let horizon = SimTime::from_secs(until.duration_since(from).as_secs_f64() + 1.0);
    b.with_start(from)
        .with_warmup(SimTime::ZERO)
        .with_horizon(horizon)
        .build()
}
