use super::{
    DEFAULT_CLASS, Interval, Model, NodeId, NodeInfo, NodeKind, Router, RouterNode, Servers, Sink,
    SinkNode, Source, SourceNode, Station, StationNode,
};
use crate::dist::{Dist, PROB_SUM_TOLERANCE};
use crate::error::{Error, Result};
use crate::rng::StreamId;
use crate::time::SimTime;
use indexmap::IndexMap;
use std::collections::BTreeSet;

/// Builds a [`Model`] from named parts; [`build`](ModelBuilder::build) checks
/// every rule and resolves the names.
///
/// Parts refer to each other by name (`to = "review"`), so they can be added
/// in any order. Node names are unique across all kinds of part. Nodes keep
/// the order in which they were added, and results list them in that order.
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
    pub(crate) routers: IndexMap<String, Router>,
    pub(crate) sinks: IndexMap<String, Sink>,
    pub(crate) intervals: IndexMap<String, Interval>,
    pub(crate) horizon: Option<SimTime>,
    pub(crate) warmup: SimTime,
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

    /// Adds (or replaces) the router `name`.
    pub fn with_router(mut self, name: impl Into<String>, router: Router) -> Self {
        self.routers.insert(name.into(), router);
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

impl Compiler {
    fn new(b: &ModelBuilder) -> Result<Self> {
        let mut ids = IndexMap::new();
        let kinds: [(&'static str, Vec<&String>); 4] = [
            ("sources", b.sources.keys().collect()),
            ("stations", b.stations.keys().collect()),
            ("routers", b.routers.keys().collect()),
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
        let mut classes = BTreeSet::new();
        for (name, s) in &b.sources {
            if s.classes.is_empty() {
                classes.insert(DEFAULT_CLASS.to_string());
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
            .chain(b.routers.values().map(|r| &r.milestone))
            .chain(b.sinks.values().map(|s| &s.milestone))
            .flatten();
        for m in declared {
            if !milestones.contains(m) {
                milestones.push(m.clone());
            }
        }
        Ok(Compiler {
            ids,
            classes: classes.into_iter().collect(),
            milestones,
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

    fn class(&self, name: &str) -> Option<u16> {
        self.classes
            .iter()
            .position(|c| c == name)
            .map(|i| i as u16)
    }

    fn routes(&self, field: &str, routes: &[super::Route]) -> Result<Vec<(f64, NodeId)>> {
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

    fn compile(self, b: ModelBuilder) -> Result<Model> {
        if let Some(h) = b.horizon
            && !(h.secs().is_finite() && h.secs() > 0.0)
        {
            return Err(Error::scenario(
                "simulation.horizon",
                format!("must be finite and greater than 0, got {}", h.secs()),
            ));
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
        let mut nodes = Vec::with_capacity(self.ids.len());
        let mut sources = Vec::new();
        for (name, s) in &b.sources {
            let f = |x: &str| format!("sources.{name}.{x}");
            if !(s.rate_per_hour.is_finite() && s.rate_per_hour > 0.0) {
                return Err(Error::scenario(
                    f("rate_per_hour"),
                    format!("must be finite and greater than 0, got {}", s.rate_per_hour),
                ));
            }
            if s.max_arrivals == Some(0) {
                return Err(Error::scenario(
                    f("max_arrivals"),
                    "must be at least 1, got 0",
                ));
            }
            if b.horizon.is_none() && s.max_arrivals.is_none() {
                return Err(Error::scenario(
                    f("max_arrivals"),
                    "is required when the model has no horizon, or the run would never end",
                ));
            }
            let to = self.target(&f("to"), &s.to)?;
            let mut class_cum = Vec::new();
            if s.classes.is_empty() {
                class_cum.push((
                    f64::INFINITY,
                    self.class(DEFAULT_CLASS).expect("registered"),
                ));
            } else {
                let mut cum = 0.0;
                for (class, share) in &s.classes {
                    check_prob(&f(&format!("classes.{class}")), *share)?;
                    cum += share;
                    class_cum.push((cum, self.class(class).expect("registered")));
                }
                check_sum(&f("classes"), cum)?;
                class_cum.last_mut().expect("non-empty").0 = f64::INFINITY;
            }
            let interarrival = Dist::exponential(3600.0 / s.rate_per_hour)
                .map_err(|e| Error::scenario(f("rate_per_hour"), e.to_string()))?;
            nodes.push(NodeInfo {
                kind: NodeKind::Source(sources.len()),
                milestone: None,
            });
            sources.push(SourceNode {
                name: name.clone(),
                interarrival,
                class_cum,
                to,
                max_arrivals: s.max_arrivals.unwrap_or(u64::MAX),
                arrivals_stream: StreamId::named("source", name, "arrivals"),
                classes_stream: StreamId::named("source", name, "classes"),
            });
        }
        let mut stations = Vec::new();
        for (name, s) in &b.stations {
            let f = |x: &str| format!("stations.{name}.{x}");
            let capacity = match s.servers {
                Servers::Finite(0) => {
                    return Err(Error::scenario(f("servers"), "must be at least 1, got 0"));
                }
                Servers::Finite(c) => c,
                Servers::Infinite => u32::MAX,
            };
            let to = self.target(&f("to"), &s.to)?;
            nodes.push(NodeInfo {
                kind: NodeKind::Station(stations.len()),
                milestone: self.milestone(&s.milestone),
            });
            stations.push(StationNode {
                name: name.clone(),
                servers: s.servers,
                capacity,
                service: s.service_time_min.clone(),
                service_scale: 60.0,
                to,
                service_stream: StreamId::named("station", name, "service"),
            });
        }
        let mut routers = Vec::new();
        for (name, r) in &b.routers {
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
            nodes.push(NodeInfo {
                kind: NodeKind::Router(routers.len()),
                milestone: self.milestone(&r.milestone),
            });
            routers.push(RouterNode {
                name: name.clone(),
                default,
                by_class,
                stream: StreamId::named("router", name, "decisions"),
            });
        }
        let mut sinks = Vec::new();
        for (name, s) in &b.sinks {
            nodes.push(NodeInfo {
                kind: NodeKind::Sink(sinks.len()),
                milestone: self.milestone(&s.milestone),
            });
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
        let model = Model {
            nodes,
            sources,
            stations,
            routers,
            sinks,
            classes: self.classes,
            milestones: self.milestones,
            intervals,
            interval_ends,
            horizon: b.horizon,
            warmup: b.warmup,
            description: b,
        };
        model.check_router_cycles()?;
        Ok(model)
    }
}
