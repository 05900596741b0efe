//! The least capacity that meets service targets: whole-number resources
//! (servers, shift servers, lines, truck capacity) with a cost per unit,
//! targets on KPIs that must each be met in at least a share of the
//! replications, a start from the offered load, a greedy marginal search
//! on common random numbers (add the unit that closes most of the
//! shortfall per unit of cost until the targets hold, then drop units the
//! targets do not need), and a confirmation on fresh replications against
//! every plan one unit cheaper.

use super::{Experiment, Replications, Seed, Target};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF};
use std::sync::atomic::AtomicBool;

/// One resource a capacity search may change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resource {
    /// Path of the whole-number parameter, as in a measure's patch.
    pub path: String,
    /// Cost of one unit.
    pub cost: f64,
    /// Fewest units.
    pub min: u64,
    /// Most units.
    pub max: u64,
}

impl Resource {
    /// A resource at `path` with cost 1 a unit, 0 to 10,000 units.
    #[must_use]
    pub fn new(path: impl Into<String>) -> Self {
        Resource {
            path: path.into(),
            cost: 1.0,
            min: 0,
            max: 10_000,
        }
    }

    /// The same with `cost` a unit.
    #[must_use]
    pub fn with_cost(mut self, cost: f64) -> Self {
        self.cost = cost;
        self
    }

    /// The same within `min..=max` units.
    #[must_use]
    pub fn with_bounds(mut self, min: u64, max: u64) -> Self {
        self.min = min;
        self.max = max;
        self
    }
}

/// A target on one KPI, met in a replication when its value there meets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServiceTarget {
    /// The KPI.
    pub kpi: String,
    /// The bound.
    pub target: Target,
}

impl ServiceTarget {
    /// A target on `kpi`.
    #[must_use]
    pub fn new(kpi: impl Into<String>, target: Target) -> Self {
        ServiceTarget {
            kpi: kpi.into(),
            target,
        }
    }

    /// `KPI<=X` or `KPI>=X`.
    ///
    /// # Errors
    /// As [`Target::parse`].
    pub fn parse(text: &str) -> Result<Self> {
        let (kpi, target) = Target::parse(text)?;
        Ok(ServiceTarget { kpi, target })
    }
}

/// The options of a [`capacity`] search.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CapacityOptions {
    /// Share of replications in which every target must hold, per target.
    pub probability: f64,
    /// Master seed.
    pub seed: Seed,
    /// Replications of each plan during the search.
    pub replications: u64,
    /// Fresh replications (after the search's) for the confirmation.
    pub confirm_replications: u64,
    /// Most plans the search may evaluate.
    pub max_evaluations: usize,
}

impl CapacityOptions {
    /// 95% of replications, seed 1, 20 replications a plan, 40 to confirm,
    /// at most 500 plans.
    #[must_use]
    pub fn new() -> Self {
        CapacityOptions {
            probability: 0.95,
            seed: Seed(1),
            replications: 20,
            confirm_replications: 40,
            max_evaluations: 500,
        }
    }
}

impl Default for CapacityOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// One target at one plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TargetResult {
    /// The KPI.
    pub kpi: String,
    /// Replications in which it met the target.
    pub met: u64,
    /// Replications (one where the KPI is undefined counts as a miss).
    pub n: u64,
    /// Mean of the KPI over the replications where it is defined.
    pub mean: Option<f64>,
    /// 95% Clopper-Pearson interval on the share met.
    pub share_interval: (f64, f64),
}

impl TargetResult {
    /// The share of replications that met the target.
    #[must_use]
    pub fn share(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.met as f64 / self.n as f64
        }
    }
}

/// One plan and how it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanResult {
    /// Units of each resource, in the order given.
    pub units: Vec<u64>,
    /// Total cost.
    pub cost: f64,
    /// Per target.
    pub targets: Vec<TargetResult>,
    /// Whether every target's share met the probability.
    pub feasible: bool,
}

/// How the confirmation went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Confirmation {
    /// The chosen plan on the fresh replications.
    pub plan: PlanResult,
    /// Each plan one unit cheaper (one resource down), on the same fresh
    /// replications.
    pub neighbours: Vec<PlanResult>,
    /// Whether the plan meets every target there and no cheaper neighbour does.
    pub confirmed: bool,
}

/// The result of a [`capacity`] search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Capacity {
    /// The resources, in the order given.
    pub resources: Vec<Resource>,
    /// The targets.
    pub targets: Vec<ServiceTarget>,
    /// The required share of replications.
    pub probability: f64,
    /// The scenario's own units.
    pub scenario_units: Vec<u64>,
    /// Where the search started (the offered-load start).
    pub start: Vec<u64>,
    /// The chosen plan, on the search's replications; `None` if no plan
    /// within the bounds meets the targets.
    pub plan: Option<PlanResult>,
    /// The confirmation on fresh replications, when a plan was found.
    pub confirmation: Option<Confirmation>,
    /// Every plan evaluated, in order.
    pub evaluated: Vec<PlanResult>,
    /// Scenario runs (plans times replications).
    pub runs: u64,
    /// Whether the search stopped at `max_evaluations` or on a signal.
    pub cut_short: bool,
}

/// 95% Clopper-Pearson interval for `k` successes in `n` trials.
fn clopper_pearson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let lo = if k == 0.0 {
        0.0
    } else {
        Beta::new(k, n - k + 1.0).map_or(0.0, |b| b.inverse_cdf(0.025))
    };
    let hi = if k == n {
        1.0
    } else {
        Beta::new(k + 1.0, n - k).map_or(1.0, |b| b.inverse_cdf(0.975))
    };
    (lo, hi)
}

struct Search<'a> {
    scenario: &'a Scenario,
    resources: &'a [Resource],
    targets: &'a [ServiceTarget],
    options: &'a CapacityOptions,
    stop: &'a AtomicBool,
    progress: &'a (dyn Fn() + Sync),
    evaluated: Vec<PlanResult>,
    runs: u64,
}

impl Search<'_> {
    fn cost(&self, units: &[u64]) -> f64 {
        self.resources
            .iter()
            .zip(units)
            .map(|(r, &u)| r.cost * u as f64)
            .sum()
    }

    /// Runs plan `units` on `replications` (a cached result when the
    /// search's replications ran it before).
    fn run(
        &mut self,
        units: &[u64],
        replications: Replications,
        cache: bool,
    ) -> Result<PlanResult> {
        if cache && let Some(p) = self.evaluated.iter().find(|p| p.units == units) {
            return Ok(p.clone());
        }
        let mut s = self.scenario.clone();
        for (r, &u) in self.resources.iter().zip(units) {
            s = s.with_value(&r.path, u as f64)?;
        }
        let model = s.build()?;
        let n = replications.len();
        let result = Experiment::new(&model)
            .with_seed(self.options.seed)
            .with_replications(replications)
            .with_stop_flag(self.stop)
            .run()?;
        if result.interrupted() {
            return Err(Error::Interrupted {
                finished: result.finished(),
                requested: n,
            });
        }
        self.runs += n;
        let shard = &result.shard;
        let mut targets = Vec::with_capacity(self.targets.len());
        for t in self.targets {
            let id = shard.kpi(&t.kpi)?;
            // A replication where the KPI is undefined misses the target.
            let all: Vec<Option<f64>> = shard.values(id).collect();
            let values: Vec<f64> = all.iter().flatten().copied().collect();
            let met = values.iter().filter(|v| t.target.met_by(**v)).count() as u64;
            let n = all.len() as u64;
            let defined = values.len();
            targets.push(TargetResult {
                kpi: t.kpi.clone(),
                met,
                n,
                mean: (defined > 0).then(|| values.iter().sum::<f64>() / defined as f64),
                share_interval: clopper_pearson(met, n),
            });
        }
        let feasible = targets
            .iter()
            .all(|t| t.n > 0 && t.share() >= self.options.probability - 1e-12);
        let plan = PlanResult {
            units: units.to_vec(),
            cost: self.cost(units),
            targets,
            feasible,
        };
        if cache {
            self.evaluated.push(plan.clone());
        }
        (self.progress)();
        Ok(plan)
    }

    fn search_reps(&self) -> Replications {
        Replications::first(self.options.replications)
    }

    /// How far a plan is from meeting the targets: the shares it lacks,
    /// then (to rank plans that meet none) each mean's distance to its
    /// limit relative to the larger of the two.
    fn shortfall(&self, p: &PlanResult) -> f64 {
        p.targets
            .iter()
            .zip(self.targets)
            .map(|(r, t)| {
                let lack = (self.options.probability - r.share()).max(0.0);
                let limit = t.target.limit();
                let gap = r.mean.map_or(1.0, |m| {
                    let scale = limit.abs().max(m.abs()).max(1e-12);
                    match t.target {
                        Target::AtMost(x) => ((m - x) / scale).max(0.0),
                        Target::AtLeast(x) => ((x - m) / scale).max(0.0),
                    }
                });
                // A share lacking outweighs any gap of the mean (at most 1).
                lack + 1e-3 * gap
            })
            .sum()
    }
}

/// The least-cost plan of `resources` that meets every target of
/// `targets` in at least `options.probability` of the replications.
///
/// The search starts from the offered load on the station's busiest day
/// (work that day against its server-hours): a resource that is a
/// station's only capacity (`stations.<name>.servers` with no shifts)
/// starts at the fewest servers that keep that utilisation below 1; a
/// shift's servers start at the scenario's scaled by it; any other
/// resource at the scenario's value (each within its bounds). Every plan runs the same replications (common random
/// numbers). While the plan misses a target, the resource whose next unit
/// most lowers the shortfall per unit of cost grows (by one unit, or 5%
/// of its units when that is more); then, most costly first, units the
/// targets do not need are dropped (by bisection on each resource). The chosen
/// plan and every plan one unit cheaper then run on fresh replications:
/// the plan is confirmed when it meets every target there and none of
/// them does: the plan is then least-cost among its neighbours (a local
/// optimum; exact for separable, monotone responses). `progress` is
/// called once per plan run; `stop` ends the search, keeping the cheapest
/// plan found that met the targets.
///
/// # Errors
/// [`Error::Experiment`] for no resources or targets, bounds out of order,
/// a cost that is not finite and positive, or a probability outside (0,
/// 1]; a resource path that does not name a whole number, or an unknown
/// KPI; [`Error::Interrupted`] if the stop came before a plan was found.
pub fn capacity(
    scenario: &Scenario,
    resources: &[Resource],
    targets: &[ServiceTarget],
    options: &CapacityOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn() + Sync),
) -> Result<Capacity> {
    check(resources, targets, options)?;
    let mut scenario_units = Vec::with_capacity(resources.len());
    for (i, r) in resources.iter().enumerate() {
        let field = format!("resource[{i}] {}", r.path);
        let (v, whole) = scenario
            .number_at(&r.path)
            .map_err(|e| Error::experiment(field.clone(), e.to_string()))?;
        if !whole || v < 0.0 {
            return Err(Error::experiment(
                field,
                format!("must name a whole number of units, got {v}"),
            ));
        }
        scenario_units.push(v as u64);
    }
    let start = offered_load_start(scenario, resources, &scenario_units)?;
    let mut search = Search {
        scenario,
        resources,
        targets,
        options,
        stop,
        progress,
        evaluated: Vec::new(),
        runs: 0,
    };
    let outcome = greedy(&mut search, start.clone());
    let (plan, mut cut_short) = match outcome {
        Ok((plan, cut)) => (plan, cut),
        // A stop keeps the cheapest plan found that met the targets.
        Err(Error::Interrupted { .. }) if !search.evaluated.is_empty() => {
            let best = search
                .evaluated
                .iter()
                .filter(|p| p.feasible)
                .min_by(|a, b| a.cost.total_cmp(&b.cost))
                .cloned();
            (best, true)
        }
        Err(e) => return Err(e),
    };
    let mut confirmation = None;
    if let (Some(p), false) = (&plan, cut_short) {
        match confirm(&mut search, &p.units) {
            Ok(c) => confirmation = Some(c),
            Err(Error::Interrupted { .. }) => cut_short = true,
            Err(e) => return Err(e),
        }
    }
    Ok(Capacity {
        resources: resources.to_vec(),
        targets: targets.to_vec(),
        probability: options.probability,
        scenario_units,
        start,
        plan,
        confirmation,
        evaluated: search.evaluated,
        runs: search.runs,
        cut_short,
    })
}

fn check(
    resources: &[Resource],
    targets: &[ServiceTarget],
    options: &CapacityOptions,
) -> Result<()> {
    if resources.is_empty() {
        return Err(Error::experiment("resource", "name at least one resource"));
    }
    if targets.is_empty() {
        return Err(Error::experiment("target", "name at least one target"));
    }
    for (i, r) in resources.iter().enumerate() {
        if !(r.cost.is_finite() && r.cost > 0.0) {
            return Err(Error::experiment(
                format!("resource[{i}] {}", r.path),
                format!("cost must be a finite number above 0, got {}", r.cost),
            ));
        }
        if let Some(j) = resources[..i].iter().position(|q| q.path == r.path) {
            return Err(Error::experiment(
                format!("resource[{i}] {}", r.path),
                format!("is the same path as resource[{j}]"),
            ));
        }
        if r.min > r.max {
            return Err(Error::experiment(
                format!("resource[{i}] {}", r.path),
                format!("min ({}) must be at most max ({})", r.min, r.max),
            ));
        }
    }
    if !(options.probability > 0.0 && options.probability <= 1.0) {
        return Err(Error::experiment(
            "probability",
            format!("must be in (0, 1], got {}", options.probability),
        ));
    }
    if options.replications == 0 || options.confirm_replications == 0 {
        return Err(Error::experiment(
            "replications",
            "the search and the confirmation need at least one replication each",
        ));
    }
    Ok(())
}

/// The offered-load start of each resource (see [`capacity`]).
fn offered_load_start(
    scenario: &Scenario,
    resources: &[Resource],
    units: &[u64],
) -> Result<Vec<u64>> {
    let model = scenario.build()?;
    let load = model.offered_load();
    Ok(resources
        .iter()
        .zip(units)
        .map(|(r, &u)| {
            let parts: Vec<&str> = r.path.split('.').collect();
            let node = (parts.len() >= 3 && parts[0] == "stations")
                .then(|| load.nodes.iter().find(|n| n.name == parts[1]))
                .flatten();
            let only = parts.len() == 3
                && parts[2] == "servers"
                && scenario
                    .stations
                    .get(parts[1])
                    .is_some_and(|s| s.shifts.is_empty());
            // The busiest day's offered work against that day's
            // server-hours (the whole span's where there is no day).
            let util = |n: &crate::model::NodeLoad| n.peak_day_utilization.or(n.utilization);
            let start = match node {
                // The fewest servers that keep the station below 1 on its
                // busiest day.
                Some(n) if only => util(n).map(|x| (u as f64 * x + 1e-9).floor() as u64 + 1),
                // A shift's servers scaled to the busiest day's load.
                Some(n) if parts[2].starts_with("shifts[") => {
                    util(n).map(|x| (u as f64 * x).ceil() as u64)
                }
                _ => None,
            };
            start.unwrap_or(u).clamp(r.min, r.max)
        })
        .collect())
}

/// The greedy search: add while infeasible, then drop what is not needed.
/// Returns the plan (if one meets the targets) and whether the evaluation
/// limit cut the search short.
fn greedy(search: &mut Search<'_>, start: Vec<u64>) -> Result<(Option<PlanResult>, bool)> {
    let reps = search.search_reps();
    let limit = search.options.max_evaluations;
    let mut current = search.run(&start, reps.clone(), true)?;
    while !current.feasible {
        if search.evaluated.len() >= limit {
            return Ok((None, true));
        }
        let here = search.shortfall(&current);
        let mut best: Option<(f64, PlanResult)> = None;
        for (i, r) in search.resources.iter().enumerate() {
            if current.units[i] >= r.max {
                continue;
            }
            // Large resources grow by 5% a step; the drop phase then
            // trims them by bisection.
            let step = (current.units[i] / 20).max(1).min(r.max - current.units[i]);
            let mut next = current.units.clone();
            next[i] += step;
            let p = search.run(&next, reps.clone(), true)?;
            let gain = (here - search.shortfall(&p)) / (r.cost * step as f64);
            // Ties go to the plan that meets the targets, then the cheaper.
            let better = match &best {
                None => true,
                Some((g, b)) => {
                    gain > *g + 1e-12
                        || (gain >= *g - 1e-12 && (p.feasible, -p.cost) > (b.feasible, -b.cost))
                }
            };
            if better {
                best = Some((gain, p));
            }
        }
        match best {
            Some((_, p)) => current = p,
            None => return Ok((None, false)),
        }
    }
    // Drop units the targets do not need, most costly resource first: the
    // fewest units of each that still meet them, by bisection (more units
    // never hurt), until a pass drops nothing.
    let mut order: Vec<usize> = (0..search.resources.len()).collect();
    order.sort_by(|&a, &b| {
        search.resources[b]
            .cost
            .total_cmp(&search.resources[a].cost)
    });
    let mut dropped = true;
    while dropped {
        dropped = false;
        for &i in &order {
            let (mut lo, mut hi) = (search.resources[i].min, current.units[i]);
            while lo < hi {
                if search.evaluated.len() >= limit {
                    return Ok((Some(current), true));
                }
                let mid = lo + (hi - lo) / 2;
                let mut next = current.units.clone();
                next[i] = mid;
                let p = search.run(&next, reps.clone(), true)?;
                if p.feasible {
                    hi = mid;
                    current = p;
                    dropped = true;
                } else {
                    lo = mid + 1;
                }
            }
        }
    }
    Ok((Some(current), false))
}

/// The plan and each plan one unit cheaper on fresh replications.
fn confirm(search: &mut Search<'_>, units: &[u64]) -> Result<Confirmation> {
    let o = search.options;
    let end = o
        .replications
        .checked_add(o.confirm_replications)
        .ok_or_else(|| Error::experiment("confirm-replications", "too many replications"))?;
    let fresh = Replications::new(o.replications..end)?;
    let plan = search.run(units, fresh.clone(), false)?;
    let mut neighbours = Vec::new();
    for (i, r) in search.resources.iter().enumerate() {
        if units[i] <= r.min {
            continue;
        }
        let mut next = units.to_vec();
        next[i] -= 1;
        neighbours.push(search.run(&next, fresh.clone(), false)?);
    }
    let confirmed = plan.feasible && neighbours.iter().all(|n| !n.feasible);
    Ok(Confirmation {
        plan,
        neighbours,
        confirmed,
    })
}
