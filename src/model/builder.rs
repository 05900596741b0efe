use super::ReportSpec;
use super::arrivals::{ArrivalProcess, CompiledProfile, ReplayLog, compile_timetable};
use super::tax::{CbecTax, CompiledTax};
use super::{
    AttributeInfo, Branches, CompiledRule, DEFAULT_CLASS, Delay, Dispatch, DispatchNode, Interval,
    Model, NodeId, NodeInfo, NodeKind, Overflow, OverflowTarget, Router, RouterNode, RuleValue,
    Servers, ServiceTime, Sink, SinkNode, Source, SourceNode, Station, StationNode,
};
use crate::calendar::{Calendar, StartTime, WeeklyProfile};
use crate::dist::{Dist, PROB_SUM_TOLERANCE};
use crate::error::{Error, Result};
use crate::rng::StreamId;
use crate::time::SimTime;
use indexmap::IndexMap;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

/// Builds a [`Model`] from named parts; [`build`](ModelBuilder::build) checks
/// every rule and resolves the names.
///
/// Parts refer to each other by name (`to = "review"`), so they can be added
/// in any order. Node names are unique across all kinds of part. Nodes keep
/// the order in which they were added, and results list them in that order
/// (delays after stations).
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(50.0, "review"))
///     .with_station("review", Station::new(1, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(100.0))
///     .build()?;
/// assert_eq!(model.station_names().collect::<Vec<_>>(), ["review"]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[must_use]
pub struct ModelBuilder {
    pub(crate) sources: IndexMap<String, Source>,
    pub(crate) stations: IndexMap<String, Station>,
    pub(crate) delays: IndexMap<String, Delay>,
    pub(crate) routers: IndexMap<String, Router>,
    pub(crate) dispatches: IndexMap<String, Dispatch>,
    pub(crate) sinks: IndexMap<String, Sink>,
    pub(crate) intervals: IndexMap<String, Interval>,
    pub(crate) horizon: Option<SimTime>,
    pub(crate) warmup: SimTime,
    pub(crate) start: StartTime,
    pub(crate) sample_every: Option<SimTime>,
    pub(crate) base_dir: Option<PathBuf>,
    pub(crate) tax: Option<CbecTax>,
    pub(crate) report: Option<ReportSpec>,
}

impl ModelBuilder {
    /// An empty model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the source `name`.
    pub fn with_source(mut self, name: impl Into<String>, source: Source) -> Self {
        self.sources.insert(name.into(), source);
        self
    }

    /// Adds (or replaces) the station `name`.
    pub fn with_station(mut self, name: impl Into<String>, station: Station) -> Self {
        self.stations.insert(name.into(), station);
        self
    }

    /// Adds (or replaces) the delay `name`.
    pub fn with_delay(mut self, name: impl Into<String>, delay: Delay) -> Self {
        self.delays.insert(name.into(), delay);
        self
    }

    /// Adds (or replaces) the router `name`.
    pub fn with_router(mut self, name: impl Into<String>, router: Router) -> Self {
        self.routers.insert(name.into(), router);
        self
    }

    /// Adds (or replaces) the dispatch point `name`.
    pub fn with_dispatch(mut self, name: impl Into<String>, dispatch: Dispatch) -> Self {
        self.dispatches.insert(name.into(), dispatch);
        self
    }

    /// Adds (or replaces) the sink `name`.
    pub fn with_sink(mut self, name: impl Into<String>, sink: Sink) -> Self {
        self.sinks.insert(name.into(), sink);
        self
    }

    /// Measures the interval `name` between two milestones.
    pub fn with_interval(mut self, name: impl Into<String>, interval: Interval) -> Self {
        self.intervals.insert(name.into(), interval);
        self
    }

    /// Assesses the composite CBEC tax on each order (see [`CbecTax`]).
    pub fn with_tax(mut self, tax: CbecTax) -> Self {
        self.tax = Some(tax);
        self
    }

    /// Names the parts the planner KPIs read (see [`ReportSpec`]).
    pub fn with_report(mut self, report: ReportSpec) -> Self {
        self.report = Some(report);
        self
    }

    /// Stops each run at `horizon`. Without a horizon, every source needs a
    /// `max_arrivals` and a run goes on until the last order has left.
    pub fn with_horizon(mut self, horizon: SimTime) -> Self {
        self.horizon = Some(horizon);
        self
    }

    /// Discards statistics gathered before `warmup` (counts for conservation
    /// are kept whole).
    pub fn with_warmup(mut self, warmup: SimTime) -> Self {
        self.warmup = warmup;
        self
    }

    /// The local date and time of time zero (default Monday 2024-01-01 00:00).
    pub fn with_start(mut self, start: jiff::civil::DateTime) -> Self {
        self.start = StartTime(start);
        self
    }

    /// Records queue lengths every `interval`, for charts through a peak.
    pub fn with_time_series(mut self, interval: SimTime) -> Self {
        self.sample_every = Some(interval);
        self
    }

    /// Folder against which relative file paths (replayed logs) are read.
    pub fn with_base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = Some(dir.into());
        self
    }

    /// Checks every rule and compiles the model.
    ///
    /// # Errors
    /// [`Error::Scenario`] naming the first offending field, for example
    /// `stations.review.servers: must be at least 1, got 0`.
    pub fn build(self) -> Result<Model> {
        Compiler::new(&self)?.compile(self)
    }
}

struct Compiler {
    ids: IndexMap<String, (NodeId, &'static str)>,
    classes: Vec<String>,
    milestones: Vec<String>,
    attributes: Vec<AttributeInfo>,
    calendar: Calendar,
    replays: BTreeMap<String, Arc<ReplayLog>>,
}

fn check_prob(field: &str, p: f64) -> Result<()> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(Error::scenario(
            field,
            format!("must lie in [0, 1], got {p}"),
        ))
    }
}

fn check_sum(field: &str, sum: f64) -> Result<()> {
    if (sum - 1.0).abs() <= PROB_SUM_TOLERANCE {
        Ok(())
    } else {
        Err(Error::scenario(
            field,
            format!("probabilities must sum to 1, got {sum}"),
        ))
    }
}

/// Cumulative shares over a name → share map, mapped to ids; the last is +∞.
fn cumulative<T: Copy>(
    field: &str,
    shares: &BTreeMap<String, f64>,
    id: impl Fn(&str) -> T,
) -> Result<Vec<(f64, T)>> {
    let mut cum = 0.0;
    let mut out = Vec::new();
    for (name, share) in shares {
        check_prob(&format!("{field}.{name}"), *share)?;
        cum += share;
        out.push((cum, id(name)));
    }
    check_sum(field, cum)?;
    if let Some(last) = out.last_mut() {
        last.0 = f64::INFINITY;
    }
    Ok(out)
}

fn positive_time(field: &str, t: SimTime) -> Result<()> {
    if t.secs().is_finite() && t.secs() > 0.0 {
        Ok(())
    } else {
        Err(Error::scenario(
            field,
            format!("must be finite and greater than 0, got {} s", t.secs()),
        ))
    }
}

impl Compiler {
    fn new(b: &ModelBuilder) -> Result<Self> {
        let mut ids = IndexMap::new();
        let kinds: [(&'static str, Vec<&String>); 6] = [
            ("sources", b.sources.keys().collect()),
            ("stations", b.stations.keys().collect()),
            ("delays", b.delays.keys().collect()),
            ("routers", b.routers.keys().collect()),
            ("dispatches", b.dispatches.keys().collect()),
            ("sinks", b.sinks.keys().collect()),
        ];
        for (kind, names) in kinds {
            for name in names {
                if name.is_empty() {
                    return Err(Error::scenario(kind, "node names must not be empty"));
                }
                let id =
                    NodeId(u16::try_from(ids.len()).map_err(|_| {
                        Error::scenario(kind, "at most 65,535 nodes are supported")
                    })?);
                if let Some((_, other)) = ids.insert(name.clone(), (id, kind)) {
                    return Err(Error::scenario(
                        format!("{kind}.{name}"),
                        format!(
                            "the name is already used by {other}.{name}; node names must be unique"
                        ),
                    ));
                }
            }
        }
        if b.sources.is_empty() {
            return Err(Error::scenario(
                "sources",
                "at least one source is required",
            ));
        }
        if b.sinks.is_empty() {
            return Err(Error::scenario("sinks", "at least one sink is required"));
        }
        let calendar = Calendar::new(b.start.0);
        // Replayed logs are read once, here.
        let mut replays = BTreeMap::new();
        for (name, s) in &b.sources {
            if let Some(path) = &s.replay_csv {
                let full = match &b.base_dir {
                    Some(dir) if path.is_relative() => dir.join(path),
                    _ => path.clone(),
                };
                let log = ReplayLog::read(&full, &format!("sources.{name}.replay_csv"), &calendar)?;
                replays.insert(name.clone(), Arc::new(log));
            }
        }
        let mut classes = BTreeSet::new();
        for (name, s) in &b.sources {
            if s.classes.is_empty() {
                match replays.get(name) {
                    Some(log) if log.rows.iter().any(|r| r.class.is_some()) => {
                        for r in &log.rows {
                            classes.insert(
                                r.class.clone().unwrap_or_else(|| DEFAULT_CLASS.to_string()),
                            );
                        }
                    }
                    _ => {
                        classes.insert(DEFAULT_CLASS.to_string());
                    }
                }
            }
            for class in s.classes.keys() {
                if class.is_empty() {
                    return Err(Error::scenario(
                        format!("sources.{name}.classes"),
                        "class names must not be empty",
                    ));
                }
                classes.insert(class.clone());
            }
        }
        let mut milestones = Vec::new();
        let declared = b
            .stations
            .values()
            .map(|s| &s.milestone)
            .chain(b.delays.values().map(|d| &d.milestone))
            .chain(b.routers.values().map(|r| &r.milestone))
            .chain(b.dispatches.values().map(|d| &d.milestone))
            .chain(b.sinks.values().map(|s| &s.milestone))
            .flatten();
        for m in declared {
            if !milestones.contains(m) {
                milestones.push(m.clone());
            }
        }
        let mut c = Compiler {
            ids,
            classes: classes.into_iter().collect(),
            milestones,
            attributes: Vec::new(),
            calendar,
            replays,
        };
        c.collect_attributes(b)?;
        Ok(c)
    }

    fn collect_attributes(&mut self, b: &ModelBuilder) -> Result<()> {
        let mut numeric: Vec<(String, String)> = Vec::new();
        for (name, s) in &b.sources {
            for attr in s.attributes.keys() {
                numeric.push((attr.clone(), format!("sources.{name}.attributes.{attr}")));
            }
            if let Some(log) = self.replays.get(name) {
                for col in &log.columns {
                    numeric.push((col.clone(), format!("sources.{name}.replay_csv")));
                }
            }
        }
        let increments = b
            .stations
            .iter()
            .map(|(n, s)| (&s.increment, format!("stations.{n}.increment")))
            .chain(
                b.delays
                    .iter()
                    .map(|(n, d)| (&d.increment, format!("delays.{n}.increment"))),
            )
            .chain(
                b.routers
                    .iter()
                    .map(|(n, r)| (&r.increment, format!("routers.{n}.increment"))),
            );
        for (inc, field) in increments {
            if let Some(a) = inc {
                numeric.push((a.clone(), field));
            }
        }
        for (attr, field) in &numeric {
            if attr.is_empty() {
                return Err(Error::scenario(field, "attribute names must not be empty"));
            }
            if !self.attributes.iter().any(|a| &a.name == attr) {
                self.attributes.push(AttributeInfo {
                    name: attr.clone(),
                    categories: None,
                });
            }
        }
        for (name, s) in &b.sources {
            for (attr, shares) in &s.categories {
                let field = format!("sources.{name}.categories.{attr}");
                let categories: Vec<String> = shares.keys().cloned().collect();
                match self.attributes.iter().find(|a| &a.name == attr) {
                    Some(AttributeInfo {
                        categories: None, ..
                    }) => {
                        return Err(Error::scenario(
                            field,
                            format!("\"{attr}\" is already a numeric attribute"),
                        ));
                    }
                    Some(AttributeInfo {
                        categories: Some(known),
                        ..
                    }) if known != &categories => {
                        return Err(Error::scenario(
                            field,
                            format!(
                                "every source must list the same categories for \"{attr}\": {}",
                                known.join(", ")
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => self.attributes.push(AttributeInfo {
                        name: attr.clone(),
                        categories: Some(categories),
                    }),
                }
            }
        }
        if self.attributes.len() > usize::from(u16::MAX) {
            return Err(Error::scenario(
                "attributes",
                "at most 65,535 attributes are supported",
            ));
        }
        Ok(())
    }

    fn attribute(&self, name: &str) -> Option<u16> {
        self.attributes
            .iter()
            .position(|a| a.name == name)
            .map(|i| i as u16)
    }

    fn tax(&self, t: &CbecTax) -> Result<CompiledTax> {
        let milestone = self
            .milestones
            .iter()
            .position(|m| *m == t.at)
            .ok_or_else(|| {
                Error::scenario(
                    "tax.at",
                    format!(
                        "unknown milestone \"{}\"; milestones are set on nodes with `milestone = \"...\"`",
                        t.at
                    ),
                )
            })? as u16;
        let known = || {
            self.attributes
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let value = self.attribute(&t.value_attribute).ok_or_else(|| {
            Error::scenario(
                "tax.value_attribute",
                format!(
                    "unknown attribute \"{}\"; known attributes: {}",
                    t.value_attribute,
                    known()
                ),
            )
        })?;
        if self.attributes[value as usize].categories.is_some() {
            return Err(Error::scenario(
                "tax.value_attribute",
                format!(
                    "\"{}\" is categorical; the value must be numeric",
                    t.value_attribute
                ),
            ));
        }
        let category = self.attribute(&t.category_attribute).ok_or_else(|| {
            Error::scenario(
                "tax.category_attribute",
                format!(
                    "unknown attribute \"{}\"; known attributes: {}",
                    t.category_attribute,
                    known()
                ),
            )
        })?;
        let Some(categories) = &self.attributes[category as usize].categories else {
            return Err(Error::scenario(
                "tax.category_attribute",
                format!(
                    "\"{}\" is numeric; give a categorical attribute",
                    t.category_attribute
                ),
            ));
        };
        if !(t.concession.is_finite() && (0.0..=1.0).contains(&t.concession)) {
            return Err(Error::scenario(
                "tax.concession",
                format!("must be between 0 and 1, got {}", t.concession),
            ));
        }
        for (name, r) in &t.rates {
            if !categories.contains(name) {
                return Err(Error::scenario(
                    format!("tax.rates.{name}"),
                    format!(
                        "unknown category of \"{}\"; categories: {}",
                        t.category_attribute,
                        categories.join(", ")
                    ),
                ));
            }
            if !(r.vat.is_finite() && (0.0..=1.0).contains(&r.vat)) {
                return Err(Error::scenario(
                    format!("tax.rates.{name}.vat"),
                    format!("must be a fraction between 0 and 1, got {}", r.vat),
                ));
            }
            if !(r.consumption.is_finite() && (0.0..1.0).contains(&r.consumption)) {
                return Err(Error::scenario(
                    format!("tax.rates.{name}.consumption"),
                    format!(
                        "must be a fraction at least 0 and below 1, got {}",
                        r.consumption
                    ),
                ));
            }
        }
        let rates = categories
            .iter()
            .map(|c| {
                t.rates
                    .get(c)
                    .map(|r| r.composite(t.concession))
                    .ok_or_else(|| {
                        Error::scenario(
                            "tax.rates",
                            format!(
                                "category \"{c}\" of \"{}\" has no rates",
                                t.category_attribute
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<f64>>>()?;
        Ok(CompiledTax {
            milestone,
            value,
            category,
            rates,
        })
    }

    fn target(&self, field: &str, to: &str) -> Result<NodeId> {
        match self.ids.get(to) {
            Some((_, "sources")) => Err(Error::scenario(
                field,
                format!("\"{to}\" is a source; orders cannot be sent into a source"),
            )),
            Some((id, _)) => Ok(*id),
            None => {
                let known: Vec<&str> = self.ids.keys().map(String::as_str).collect();
                Err(Error::scenario(
                    field,
                    format!("unknown node \"{to}\"; known nodes: {}", known.join(", ")),
                ))
            }
        }
    }

    fn milestone(&self, m: &Option<String>) -> Option<u16> {
        m.as_ref().map(|m| {
            self.milestones
                .iter()
                .position(|x| x == m)
                .expect("collected") as u16
        })
    }

    fn increment(&self, a: &Option<String>) -> Option<u16> {
        a.as_ref().map(|a| self.attribute(a).expect("collected"))
    }

    fn class(&self, name: &str) -> Option<u16> {
        self.classes
            .iter()
            .position(|c| c == name)
            .map(|i| i as u16)
    }

    fn routes(&self, field: &str, routes: &[super::Route]) -> Result<Branches> {
        let mut cum = 0.0;
        let mut out = Vec::with_capacity(routes.len());
        for (i, r) in routes.iter().enumerate() {
            check_prob(&format!("{field}[{i}].prob"), r.prob)?;
            let to = self.target(&format!("{field}[{i}].to"), &r.to)?;
            cum += r.prob;
            out.push((cum, to));
        }
        check_sum(field, cum)?;
        // The last branch catches any rounding left over.
        if let Some(last) = out.last_mut() {
            last.0 = f64::INFINITY;
        }
        Ok(out)
    }

    fn source(&self, name: &str, s: &Source, horizon: Option<SimTime>) -> Result<SourceNode> {
        let f = |x: &str| format!("sources.{name}.{x}");
        let given = [
            s.rate_per_hour.is_some(),
            s.profile.is_some(),
            !s.timetable.is_empty(),
            s.replay_csv.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(Error::scenario(
                format!("sources.{name}"),
                "must have exactly one of rate_per_hour, profile, timetable, replay_csv",
            ));
        }
        if s.max_arrivals == Some(0) {
            return Err(Error::scenario(
                f("max_arrivals"),
                "must be at least 1, got 0",
            ));
        }
        if horizon.is_none() && s.max_arrivals.is_none() && s.replay_csv.is_none() {
            return Err(Error::scenario(
                f("max_arrivals"),
                "is required when the model has no horizon, or the run would never end",
            ));
        }
        let to = self.target(&f("to"), &s.to)?;
        let process = if let Some(rate) = s.rate_per_hour {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(Error::scenario(
                    f("rate_per_hour"),
                    format!("must be finite and greater than 0, got {rate}"),
                ));
            }
            ArrivalProcess::Poisson {
                interarrival: Dist::exponential(3600.0 / rate)
                    .map_err(|e| Error::scenario(f("rate_per_hour"), e.to_string()))?,
            }
        } else if let Some(p) = &s.profile {
            ArrivalProcess::Profile(Box::new(CompiledProfile::new(
                p,
                self.calendar,
                &f("profile"),
            )?))
        } else if !s.timetable.is_empty() {
            compile_timetable(&s.timetable, &f("timetable"))?
        } else {
            let log = Arc::clone(&self.replays[name]);
            let attribute_ids = log
                .columns
                .iter()
                .map(|c| self.attribute(c).expect("collected"))
                .collect();
            let class_ids = log
                .rows
                .iter()
                .map(|r| {
                    self.class(r.class.as_deref().unwrap_or(DEFAULT_CLASS))
                        .unwrap_or(0)
                })
                .collect();
            ArrivalProcess::Replay {
                log,
                attribute_ids,
                class_ids,
            }
        };
        let class_cum = if s.classes.is_empty() {
            vec![(f64::INFINITY, self.class(DEFAULT_CLASS).unwrap_or(0))]
        } else {
            cumulative(&f("classes"), &s.classes, |c| {
                self.class(c).expect("registered")
            })?
        };
        let attribute_draws = s
            .attributes
            .iter()
            .map(|(a, d)| {
                (
                    self.attribute(a).expect("collected"),
                    d.clone(),
                    StreamId::named("source", name, &format!("attribute/{a}")),
                )
            })
            .collect();
        let mut category_draws = Vec::new();
        for (a, shares) in &s.categories {
            let id = self.attribute(a).expect("collected");
            let cats = self.attributes[id as usize]
                .categories
                .clone()
                .expect("categorical");
            let cum = cumulative(&f(&format!("categories.{a}")), shares, |c| {
                cats.iter().position(|x| x == c).expect("same categories") as u16
            })?;
            category_draws.push((
                id,
                cum,
                StreamId::named("source", name, &format!("category/{a}")),
            ));
        }
        Ok(SourceNode {
            name: name.to_string(),
            process,
            class_cum,
            to,
            max_arrivals: s.max_arrivals.unwrap_or(u64::MAX),
            arrivals_stream: StreamId::named("source", name, "arrivals"),
            classes_stream: StreamId::named("source", name, "classes"),
            attribute_draws,
            category_draws,
        })
    }

    fn node(&self, name: &str) -> NodeId {
        self.ids[name].0
    }

    fn station(&self, name: &str, s: &Station) -> Result<StationNode> {
        let f = |x: &str| format!("stations.{name}.{x}");
        let capacity = match s.servers {
            Servers::Finite(0) if s.shifts.is_empty() => {
                return Err(Error::scenario(f("servers"), "must be at least 1, got 0"));
            }
            Servers::Finite(c) => c,
            Servers::Infinite => u32::MAX,
        };
        let infinite = s.servers == Servers::Infinite;
        let shifts = if s.shifts.is_empty() {
            None
        } else {
            if infinite {
                return Err(Error::scenario(
                    f("shifts"),
                    "a station with infinitely many servers cannot have shifts",
                ));
            }
            for (i, sh) in s.shifts.iter().enumerate() {
                if sh.days.is_empty() {
                    return Err(Error::scenario(
                        f(&format!("shifts[{i}].days")),
                        "must list at least one day",
                    ));
                }
            }
            let profile = WeeklyProfile::from_shifts(capacity, &s.shifts);
            if profile.max() == 0 {
                return Err(Error::scenario(
                    f("shifts"),
                    "no server is ever on shift; orders would wait forever",
                ));
            }
            Some(profile)
        };
        let to = self.target(&f("to"), &s.to)?;
        if infinite
            && (s.queue_capacity.is_some() || !s.priorities.is_empty() || s.patience_min.is_some())
        {
            let which = if s.queue_capacity.is_some() {
                "queue_capacity"
            } else if s.patience_min.is_some() {
                "patience_min"
            } else {
                "priorities"
            };
            return Err(Error::scenario(
                f(which),
                "a station with infinitely many servers never queues; remove it or give a number of servers",
            ));
        }
        let mut class_level = vec![0u8; self.classes.len()];
        let mut levels = 1;
        if !s.priorities.is_empty() {
            for class in s.priorities.keys() {
                if self.class(class).is_none() {
                    return Err(Error::scenario(
                        f(&format!("priorities.{class}")),
                        format!(
                            "unknown class \"{class}\"; the sources declare: {}",
                            self.classes.join(", ")
                        ),
                    ));
                }
            }
            // Levels are renumbered densely; unlisted classes come last.
            let used: BTreeSet<u8> = s.priorities.values().copied().collect();
            let dense: Vec<u8> = used.into_iter().collect();
            levels = dense.len() + 1;
            for (i, c) in self.classes.iter().enumerate() {
                class_level[i] = match s.priorities.get(c) {
                    Some(l) => dense.iter().position(|x| x == l).expect("collected") as u8,
                    None => dense.len() as u8,
                };
            }
        }
        let (queue_capacity, overflow) = match (&s.queue_capacity, &s.overflow) {
            (None, None) => (u32::MAX, OverflowTarget::None),
            (Some(k), Some(o)) => (
                *k,
                match o {
                    Overflow::Block => OverflowTarget::Block,
                    Overflow::RejectTo(to) => {
                        OverflowTarget::Reject(self.target(&f("overflow.reject_to"), to)?)
                    }
                },
            ),
            (Some(_), None) => {
                return Err(Error::scenario(
                    f("overflow"),
                    "is required with queue_capacity: \"block\" or { reject_to = \"node\" }",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::scenario(
                    f("queue_capacity"),
                    "is required with overflow",
                ));
            }
        };
        let patience = match (&s.patience_min, &s.renege_to) {
            (None, None) => None,
            (Some(p), Some(to)) => Some((p.clone(), self.target(&f("renege_to"), to)?)),
            (Some(_), None) => {
                return Err(Error::scenario(
                    f("renege_to"),
                    "is required with patience_min",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::scenario(
                    f("patience_min"),
                    "is required with renege_to",
                ));
            }
        };
        let breakdowns = match &s.breakdowns {
            None => None,
            Some(b) => {
                if b.time_between_failures_h.mean() <= 0.0 {
                    return Err(Error::scenario(
                        f("breakdowns.time_between_failures_h"),
                        "must have a mean greater than 0, or the station would fail without end",
                    ));
                }
                Some((b.time_between_failures_h.clone(), b.repair_time_min.clone()))
            }
        };
        let scaled_by = match &s.service_scaled_by {
            None => None,
            Some(a) => {
                let i = self.attribute(a).ok_or_else(|| {
                    let known: Vec<&str> =
                        self.attributes.iter().map(|a| a.name.as_str()).collect();
                    Error::scenario(
                        f("service_scaled_by"),
                        format!(
                            "unknown attribute \"{a}\"; known attributes: {}",
                            if known.is_empty() {
                                "none are declared".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    )
                })?;
                if self.attributes[i as usize].categories.is_some() {
                    return Err(Error::scenario(
                        f("service_scaled_by"),
                        format!("\"{a}\" is categorical; give a numeric attribute"),
                    ));
                }
                Some(i)
            }
        };
        let plain = shifts.is_none()
            && levels == 1
            && overflow == OverflowTarget::None
            && breakdowns.is_none()
            && patience.is_none();
        Ok(StationNode {
            plain,
            name: name.to_string(),
            node: self.node(name),
            servers: s.servers,
            capacity,
            shifts,
            service: ServiceTime::One(s.service_time_min.clone()),
            service_scale: 60.0,
            scaled_by,
            to,
            service_streams: vec![StreamId::named("station", name, "service")],
            class_level,
            levels,
            queue_capacity,
            overflow,
            breakdowns,
            patience,
            failure_stream: StreamId::named("station", name, "failures"),
            repair_stream: StreamId::named("station", name, "repairs"),
            patience_stream: StreamId::named("station", name, "patience"),
        })
    }

    fn delay(&self, name: &str, d: &Delay) -> Result<StationNode> {
        if d.latest_of_min.is_empty() {
            return Err(Error::scenario(
                format!("delays.{name}.latest_of_min"),
                "must list at least one part",
            ));
        }
        let to = self.target(&format!("delays.{name}.to"), &d.to)?;
        Ok(StationNode {
            plain: true,
            name: name.to_string(),
            node: self.node(name),
            servers: Servers::Infinite,
            capacity: u32::MAX,
            shifts: None,
            service: ServiceTime::LatestOf(d.latest_of_min.values().cloned().collect()),
            service_scale: 60.0,
            scaled_by: None,
            to,
            service_streams: d
                .latest_of_min
                .keys()
                .map(|p| StreamId::named("delay", name, p))
                .collect(),
            class_level: vec![0; self.classes.len()],
            levels: 1,
            queue_capacity: u32::MAX,
            overflow: OverflowTarget::None,
            breakdowns: None,
            patience: None,
            failure_stream: StreamId::named("delay", name, "failures"),
            repair_stream: StreamId::named("delay", name, "repairs"),
            patience_stream: StreamId::named("delay", name, "patience"),
        })
    }

    fn router(&self, name: &str, r: &Router) -> Result<RouterNode> {
        let field = format!("routers.{name}");
        for class in r.by_class.keys() {
            if self.class(class).is_none() {
                return Err(Error::scenario(
                    format!("{field}.by_class.{class}"),
                    format!(
                        "unknown class \"{class}\"; the sources declare: {}",
                        self.classes.join(", ")
                    ),
                ));
            }
        }
        let mut rules = Vec::with_capacity(r.rules.len());
        for (i, rule) in r.rules.iter().enumerate() {
            let rf = |x: &str| format!("{field}.rules[{i}].{x}");
            let unknown = |name: &str| {
                let known: Vec<&str> = self.attributes.iter().map(|a| a.name.as_str()).collect();
                let known = if known.is_empty() {
                    "none are declared".to_string()
                } else {
                    known.join(", ")
                };
                Error::scenario(
                    rf("attribute"),
                    format!("unknown attribute \"{name}\"; known attributes: {known}"),
                )
            };
            // `a + b`: the rule compares the sum of numeric attributes.
            let names: Vec<&str> = rule.attribute.split('+').map(str::trim).collect();
            let mut terms = Vec::with_capacity(names.len());
            for name in &names {
                if name.is_empty() {
                    return Err(Error::scenario(
                        rf("attribute"),
                        format!(
                            "\"{}\" has an empty term; write one attribute or a sum such as \"a + b\"",
                            rule.attribute
                        ),
                    ));
                }
                let a = self.attribute(name).ok_or_else(|| unknown(name))?;
                if names.len() > 1 && self.attributes[a as usize].categories.is_some() {
                    return Err(Error::scenario(
                        rf("attribute"),
                        format!("\"{name}\" is categorical and cannot be part of a sum"),
                    ));
                }
                terms.push(a);
            }
            let attr = terms[0];
            let info = &self.attributes[attr as usize];
            let value = match (&rule.value, &info.categories) {
                (RuleValue::Number(v), None) if v.is_finite() => *v,
                (RuleValue::Number(v), None) => {
                    return Err(Error::scenario(
                        rf("value"),
                        format!("must be finite, got {v}"),
                    ));
                }
                (RuleValue::Category(c), Some(cats)) => {
                    cats.iter().position(|x| x == c).ok_or_else(|| {
                        Error::scenario(
                            rf("value"),
                            format!(
                                "unknown category \"{c}\" of \"{}\"; categories: {}",
                                info.name,
                                cats.join(", ")
                            ),
                        )
                    })? as f64
                }
                (RuleValue::Number(v), Some(_)) => {
                    return Err(Error::scenario(
                        rf("value"),
                        format!(
                            "\"{}\" is categorical: give a category name, got {v}",
                            info.name
                        ),
                    ));
                }
                (RuleValue::Category(c), None) => {
                    return Err(Error::scenario(
                        rf("value"),
                        format!("\"{}\" is numeric: give a number, got \"{c}\"", info.name),
                    ));
                }
            };
            rules.push(CompiledRule {
                terms,
                op: rule.op,
                value,
                to: self.target(&rf("to"), &rule.to)?,
            });
        }
        let default = if r.routes.is_empty() {
            Vec::new()
        } else {
            self.routes(&format!("{field}.routes"), &r.routes)?
        };
        let mut by_class = vec![None; self.classes.len()];
        for (class, routes) in &r.by_class {
            let routes = self.routes(&format!("{field}.by_class.{class}"), routes)?;
            by_class[self.class(class).expect("checked") as usize] = Some(routes);
        }
        if r.routes.is_empty()
            && let Some(c) = self
                .classes
                .iter()
                .enumerate()
                .find(|(i, _)| by_class[*i].is_none())
        {
            return Err(Error::scenario(
                format!("{field}.routes"),
                format!(
                    "must not be empty: class \"{}\" has no routes of its own",
                    c.1
                ),
            ));
        }
        Ok(RouterNode {
            name: name.to_string(),
            rules,
            default,
            by_class,
            stream: StreamId::named("router", name, "decisions"),
        })
    }

    fn dispatch(&self, name: &str, d: &Dispatch) -> Result<DispatchNode> {
        let f = |x: &str| format!("dispatches.{name}.{x}");
        if d.departures.is_empty() && d.batch_size.is_none() {
            return Err(Error::scenario(
                format!("dispatches.{name}"),
                "needs departures, a batch_size, or both; otherwise nothing would ever leave",
            ));
        }
        if d.batch_size == Some(0) {
            return Err(Error::scenario(
                f("batch_size"),
                "must be at least 1, got 0",
            ));
        }
        if d.capacity == Some(0) {
            return Err(Error::scenario(f("capacity"), "must be at least 1, got 0"));
        }
        let mut slots = Vec::new();
        for (i, w) in d.departures.iter().enumerate() {
            if w.days.is_empty() {
                return Err(Error::scenario(
                    f(&format!("departures[{i}].days")),
                    "must list at least one day",
                ));
            }
            for day in &w.days {
                slots.push(day.index() as f64 * 86_400.0 + w.at.secs());
            }
        }
        slots.sort_by(f64::total_cmp);
        slots.dedup();
        Ok(DispatchNode {
            name: name.to_string(),
            slots,
            batch_size: d.batch_size,
            capacity: d.capacity.unwrap_or(u32::MAX),
            to: self.target(&f("to"), &d.to)?,
        })
    }

    fn compile(self, b: ModelBuilder) -> Result<Model> {
        if let Some(h) = b.horizon {
            positive_time("simulation.horizon", h)?;
        }
        let warm = b.warmup.secs();
        if !(warm.is_finite() && warm >= 0.0) {
            return Err(Error::scenario(
                "simulation.warmup",
                format!("must be finite and at least 0, got {warm}"),
            ));
        }
        if let Some(h) = b.horizon
            && warm >= h.secs()
        {
            return Err(Error::scenario(
                "simulation.warmup",
                format!(
                    "must be shorter than the horizon ({} s), got {warm} s",
                    h.secs()
                ),
            ));
        }
        if let Some(s) = b.sample_every {
            positive_time("simulation.sample_every", s)?;
        }
        let mut nodes = Vec::with_capacity(self.ids.len());
        let mut sources = Vec::new();
        for (name, s) in &b.sources {
            nodes.push(NodeInfo::new(NodeKind::Source(sources.len()), None, None));
            sources.push(self.source(name, s, b.horizon)?);
        }
        let mut stations = Vec::new();
        for (name, s) in &b.stations {
            nodes.push(NodeInfo::new(
                NodeKind::Station(stations.len()),
                self.milestone(&s.milestone),
                self.increment(&s.increment),
            ));
            stations.push(self.station(name, s)?);
        }
        for (name, d) in &b.delays {
            nodes.push(NodeInfo::new(
                NodeKind::Station(stations.len()),
                self.milestone(&d.milestone),
                self.increment(&d.increment),
            ));
            stations.push(self.delay(name, d)?);
        }
        let mut routers = Vec::new();
        for (name, r) in &b.routers {
            nodes.push(NodeInfo::new(
                NodeKind::Router(routers.len()),
                self.milestone(&r.milestone),
                self.increment(&r.increment),
            ));
            routers.push(self.router(name, r)?);
        }
        let mut dispatches = Vec::new();
        for (name, d) in &b.dispatches {
            nodes.push(NodeInfo::new(
                NodeKind::Dispatch(dispatches.len()),
                self.milestone(&d.milestone),
                None,
            ));
            dispatches.push(self.dispatch(name, d)?);
        }
        let mut sinks = Vec::new();
        for (name, s) in &b.sinks {
            nodes.push(NodeInfo::new(
                NodeKind::Sink(sinks.len()),
                self.milestone(&s.milestone),
                None,
            ));
            sinks.push(SinkNode { name: name.clone() });
        }
        let mut intervals = Vec::new();
        let mut interval_ends = vec![Vec::new(); self.milestones.len()];
        for (name, iv) in &b.intervals {
            let find = |which: &str, m: &str| {
                self.milestones.iter().position(|x| x == m).map(|i| i as u16).ok_or_else(|| {
                    Error::scenario(
                        format!("intervals.{name}.{which}"),
                        format!("unknown milestone \"{m}\"; milestones are set on nodes with `milestone = \"...\"`"),
                    )
                })
            };
            let from = find("from", &iv.from)?;
            let to = find("to", &iv.to)?;
            interval_ends[to as usize].push((intervals.len(), from));
            intervals.push(name.clone());
        }
        if let Some(r) = &b.report {
            r.check(&b)?;
        }
        let tax = match &b.tax {
            Some(t) => Some(self.tax(t)?),
            None => None,
        };
        let any_blocking = stations.iter().any(|s| s.overflow == OverflowTarget::Block);
        let model = Model {
            tax,
            report: b.report.clone(),
            any_blocking,
            nodes,
            sources,
            stations,
            routers,
            dispatches,
            sinks,
            classes: self.classes,
            attributes: self.attributes,
            calendar: self.calendar,
            sample_every: b.sample_every,
            milestones: self.milestones,
            intervals,
            interval_ends,
            horizon: b.horizon,
            warmup: b.warmup,
            description: b,
        };
        model.check_router_cycles()?;
        model.check_exits()?;
        Ok(model)
    }
}
