//! The name registry of a model being built: node names and kinds,
//! classes, milestones and attributes, each resolved to a dense id; the
//! replayed order logs; and the checks shared by every part's compile step
//! (probabilities, shares, limits, names that must exist).
//!
//! Every compile step takes a `&Registry`, so a part can resolve any name
//! but cannot change the registry: names are fixed before any part compiles.

use super::ModelBuilder;
use crate::calendar::Calendar;
use crate::dist::PROB_SUM_TOLERANCE;
use crate::error::{Error, Result};
use crate::model::arrivals::ReplayLog;
use crate::model::router::{Branches, Route};
use crate::model::{AttributeInfo, DEFAULT_CLASS, Limit, NodeId};
use indexmap::IndexMap;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Names resolved to ids, fixed before any part compiles.
#[derive(Debug)]
pub(crate) struct Registry {
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

/// Where a message about an unknown node says the node names are.
const NODES_ARE: &str = "orders can be sent to the names under stations, delays, routers, dispatches, pools, stocks and sinks";

/// Longest node name, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 64;

/// A node name is 1 to 64 letters, digits, `_` or `-`: names become KPI
/// names (`review.wait_mean_min`, split at the `.`) and CSV columns, so a
/// dot, a comma, a quote, a space or a control character (a newline) would
/// make them ambiguous or break the files.
fn check_node_name(kind: &str, name: &str) -> Result<()> {
    let shown =
        crate::excerpt::excerpt(&name.escape_debug().to_string(), crate::excerpt::MAX_QUOTED);
    if name.is_empty() {
        return Err(Error::scenario(kind, "node names must not be empty"));
    }
    let field = format!("{kind}.{shown}");
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(Error::scenario(
            field,
            format!("node names must be at most {MAX_NAME_CHARS} characters, got {chars}"),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(Error::scenario(
            field,
            format!(
                "node names may hold only letters, digits, `_` and `-` (they become KPI names `name.kpi` and CSV columns), got {:?} in \"{shown}\"",
                bad
            ),
        ));
    }
    Ok(())
}

/// Cumulative shares over a name → share map, mapped to ids; the last is +∞.
pub(crate) fn cumulative<T: Copy>(
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

impl Registry {
    /// Registers every name of `b` and checks that names are unique and
    /// attributes consistent; reads replayed order logs.
    pub(crate) fn new(b: &ModelBuilder) -> Result<Self> {
        let mut ids = IndexMap::new();
        let kinds: [(&'static str, Vec<&String>); 8] = [
            ("sources", b.sources.keys().collect()),
            ("stations", b.stations.keys().collect()),
            ("delays", b.delays.keys().collect()),
            ("routers", b.routers.keys().collect()),
            ("dispatches", b.dispatches.keys().collect()),
            ("pools", b.pools.keys().collect()),
            ("stocks", b.stocks.keys().collect()),
            ("sinks", b.sinks.keys().collect()),
        ];
        super::limits::nodes(kinds.iter().map(|(_, names)| names.len()).sum())?;
        for (kind, names) in kinds {
            for name in names {
                check_node_name(kind, name)?;
                let id = NodeId(ids.len() as u16);
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
                "at least one source is required: a [sources.<name>] table with one of rate_per_hour, profile, timetable or replay_csv, and `to`",
            ));
        }
        if b.sinks.is_empty() {
            return Err(Error::scenario(
                "sinks",
                "at least one sink is required: a [sinks.<name>] table, where orders leave",
            ));
        }
        let calendar = Calendar::new(b.simulation.run_start());
        // Replayed logs are put on the model's clock once, here.
        let mut replays = BTreeMap::new();
        for (name, s) in &b.sources {
            let field = format!("sources.{name}.replay_csv");
            match (&s.replay_log, &s.replay_csv) {
                (Some(log), _) => {
                    let log = ReplayLog::new(log, &field, &calendar)?;
                    replays.insert(name.clone(), Arc::new(log));
                }
                (None, Some(path)) => {
                    return Err(Error::scenario(
                        field,
                        format!(
                            "the log {} was not read: build the model from its Scenario (which reads it), or give the log with Source::replay(OrderLog::from_path(..)?, ..)",
                            path.display()
                        ),
                    ));
                }
                (None, None) => {}
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
        // A stock declares its lot class: a reorder creates lots of it.
        for (name, s) in &b.stocks {
            if s.lots.class.is_empty() {
                return Err(Error::scenario(
                    format!("stocks.{name}.lots.class"),
                    "class names must not be empty",
                ));
            }
            classes.insert(s.lots.class.clone());
        }
        let mut milestones = Vec::new();
        let declared = b
            .stations
            .values()
            .map(|s| &s.milestone)
            .chain(b.delays.values().map(|d| &d.milestone))
            .chain(b.routers.values().map(|r| &r.milestone))
            .chain(b.dispatches.values().map(|d| &d.milestone))
            .chain(b.pools.values().map(|p| &p.milestone))
            .chain(b.stocks.values().map(|s| &s.milestone))
            .chain(b.sinks.values().map(|s| &s.milestone))
            .flatten();
        for m in declared {
            if !milestones.contains(m) {
                milestones.push(m.clone());
            }
        }
        let mut c = Registry {
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
        // A stock's lots carry their units (set when a reorder creates them).
        for (name, s) in &b.stocks {
            numeric.push((
                s.lots.units_attribute.clone(),
                format!("stocks.{name}.lots.units_attribute"),
            ));
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
        super::limits::attributes(self.attributes.len())
    }

    /// The id of attribute `name`.
    pub(crate) fn attribute(&self, name: &str) -> Option<u16> {
        self.attributes
            .iter()
            .position(|a| a.name == name)
            .map(|i| i as u16)
    }

    /// The node `to` names, which orders can be sent to.
    pub(crate) fn target(&self, field: &str, to: &str) -> Result<NodeId> {
        match self.ids.get(to) {
            Some((_, "sources")) => Err(Error::scenario(
                field,
                format!("\"{to}\" is a source; orders cannot be sent into a source"),
            )),
            Some((id, _)) => Ok(*id),
            None => Err(Error::scenario(
                field,
                format!(
                    "unknown node \"{}\"; {}",
                    crate::excerpt::excerpt(to, 2 * crate::excerpt::MAX_QUOTED),
                    crate::suggest::hint(
                        to,
                        self.ids
                            .iter()
                            .filter(|(_, (_, kind))| *kind != "sources")
                            .map(|(name, _)| name.as_str()),
                        "nodes",
                        NODES_ARE
                    )
                ),
            )),
        }
    }

    /// The id of a milestone a node declares.
    pub(crate) fn milestone(&self, m: &Option<String>) -> Option<u16> {
        m.as_ref().map(|m| {
            self.milestones
                .iter()
                .position(|x| x == m)
                .expect("collected") as u16
        })
    }

    /// The id of an attribute a node increments.
    pub(crate) fn increment(&self, a: &Option<String>) -> Option<u16> {
        a.as_ref().map(|a| self.attribute(a).expect("collected"))
    }

    /// The id of class `name`.
    pub(crate) fn class(&self, name: &str) -> Option<u16> {
        self.classes
            .iter()
            .position(|c| c == name)
            .map(|i| i as u16)
    }

    /// Routes as cumulative probabilities, checked.
    pub(crate) fn routes(&self, field: &str, routes: &[Route]) -> Result<Branches> {
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

    /// The id of node `name` (registered).
    pub(crate) fn node(&self, name: &str) -> NodeId {
        self.ids[name].0
    }

    /// Class names, sorted; a class id indexes this list.
    pub(crate) fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The model's calendar.
    pub(crate) fn calendar(&self) -> Calendar {
        self.calendar
    }

    /// The order log replayed by source `name` (read in [`Registry::new`]).
    pub(crate) fn replay(&self, name: &str) -> &Arc<ReplayLog> {
        &self.replays[name]
    }

    /// The categories of attribute `id`, or `None` if it is numeric.
    pub(crate) fn categories(&self, id: u16) -> Option<&[String]> {
        self.attributes[id as usize].categories.as_deref()
    }

    /// The name of attribute `id`.
    pub(crate) fn attribute_name(&self, id: u16) -> &str {
        &self.attributes[id as usize].name
    }

    /// The error for an attribute `name` that no part declares.
    pub(crate) fn unknown_attribute(&self, field: &str, name: &str) -> Error {
        let hint = crate::suggest::hint(
            name,
            self.attributes.iter().map(|a| a.name.as_str()),
            "attributes",
            "attributes are declared by the sources' `attributes` and `categories` tables",
        );
        Error::scenario(field, format!("unknown attribute \"{name}\"; {hint}"))
    }

    /// The error for a class `name` that no source (or stock) declares.
    pub(crate) fn unknown_class(&self, field: &str, name: &str) -> Error {
        let hint = crate::suggest::hint(
            name,
            self.classes.iter().map(String::as_str),
            "classes",
            "classes are declared by the sources' `classes` tables and the stocks' `lots.class`",
        );
        Error::scenario(field, format!("unknown class \"{name}\"; {hint}"))
    }

    /// The id of numeric attribute `name`, or an error naming `field`.
    pub(crate) fn numeric_attribute(&self, field: &str, name: &str) -> Result<u16> {
        let id = self
            .attribute(name)
            .ok_or_else(|| self.unknown_attribute(field, name))?;
        if self.categories(id).is_some() {
            return Err(Error::scenario(
                field,
                format!("\"{name}\" is categorical; give a numeric attribute"),
            ));
        }
        Ok(id)
    }

    /// The id of the numeric attribute `name` that scales a service time
    /// at `field`: no replayed log may give it a negative value, which
    /// would make the service end before it starts.
    pub(crate) fn scale_attribute(&self, field: &str, name: &str) -> Result<u16> {
        let id = self.numeric_attribute(field, name)?;
        self.replayed_non_negative(name, &format!("it scales the service time at {field}"))?;
        Ok(id)
    }

    /// Checks that no replayed log gives attribute `name` a negative value;
    /// `why` says what the value becomes (a scale, the value a tax is
    /// assessed on), for the message.
    pub(crate) fn replayed_non_negative(&self, name: &str, why: &str) -> Result<()> {
        for (source, log) in &self.replays {
            let Some(col) = log.columns.iter().position(|c| c == name) else {
                continue;
            };
            if let Some(row) = log.rows.iter().find(|r| r.attributes[col].1 < 0.0) {
                return Err(Error::scenario(
                    format!("sources.{source}.replay_csv"),
                    format!(
                        "{}:{}: {name}: must be at least 0, since {why}, got {}",
                        log.origin, row.line, row.attributes[col].1
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The id of milestone `name`, or an error naming `field`.
    pub(crate) fn milestone_named(&self, field: &str, name: &str) -> Result<u16> {
        self.milestones
            .iter()
            .position(|m| m == name)
            .map(|i| i as u16)
            .ok_or_else(|| {
                let hint = crate::suggest::hint(
                    name,
                    self.milestones.iter().map(String::as_str),
                    "milestones",
                    "milestones are set on nodes with `milestone = \"...\"`",
                );
                Error::scenario(field, format!("unknown milestone \"{name}\"; {hint}"))
            })
    }

    /// Milestone names; a milestone id indexes this list.
    pub(crate) fn milestones(&self) -> &[String] {
        &self.milestones
    }

    /// A finite count given at `field` as a [`Limit`]; the largest `u32`
    /// is refused, since it cannot be told from "no limit".
    pub(crate) fn limit(&self, field: &str, n: u32) -> Result<Limit> {
        if n > Limit::MAX_FINITE {
            return Err(Error::scenario(
                field,
                format!(
                    "must be at most {}, got {n}; leave the field out for no limit",
                    Limit::MAX_FINITE
                ),
            ));
        }
        Ok(Limit::at_most(n))
    }

    /// Takes the class, milestone and attribute tables for the model.
    pub(crate) fn into_tables(self) -> (Vec<String>, Vec<String>, Vec<AttributeInfo>, Calendar) {
        (
            self.classes,
            self.milestones,
            self.attributes,
            self.calendar,
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::{Dist, Model, SimTime, Sink, Source, Station};

    fn desk(station: Station) -> crate::Result<Model> {
        Model::builder()
            .with_source("orders", Source::poisson(10.0, "desk"))
            .with_station("desk", station)
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(1.0))
            .build()
    }

    fn minute() -> Dist {
        Dist::exponential(1.0).unwrap()
    }

    #[test]
    fn a_count_that_collides_with_no_limit_is_refused() {
        let err = desk(Station::new(u32::MAX, minute(), "done")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stations.desk.servers: must be at most 4294967294, got 4294967295; leave the field out for no limit"
        );
        assert!(desk(Station::new(u32::MAX - 1, minute(), "done")).is_ok());
    }

    #[test]
    fn unknown_attribute_says_none_are_declared() {
        let err =
            desk(Station::new(1, minute(), "done").with_service_scaled_by("items")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stations.desk.service_scaled_by: unknown attribute \"items\"; there are no attributes; attributes are declared by the sources' `attributes` and `categories` tables"
        );
    }

    #[test]
    fn node_names_follow_the_rule() {
        let named = |name: &str| {
            Model::builder()
                .with_source("orders", Source::poisson(10.0, "done"))
                .with_sink("done", Sink::new())
                .with_sink(name, Sink::new())
                .with_horizon(SimTime::from_hours(1.0))
                .build()
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(named("left_side-2"), Ok(()));
        assert_eq!(named("清关"), Ok(()), "letters of any script");
        let err = named("a.b").unwrap_err();
        assert!(
            err.starts_with("sinks.a.b: node names may hold only letters, digits, `_` and `-`"),
            "{err}"
        );
        assert!(named("a\nb").unwrap_err().starts_with("sinks.a\\nb: "));
        assert!(named("a b").unwrap_err().ends_with("got ' ' in \"a b\""));
        let long = "x".repeat(65);
        assert!(
            named(&long)
                .unwrap_err()
                .contains("at most 64 characters, got 65")
        );
        assert!(named(&"x".repeat(64)).is_ok());
        assert_eq!(
            named("").unwrap_err(),
            "sinks: node names must not be empty"
        );
    }

    #[test]
    fn names_resolve_to_dense_ids_in_order() {
        let model = Model::builder()
            .with_source(
                "orders",
                Source::poisson(10.0, "desk")
                    .with_class("b", 0.5)
                    .with_class("a", 0.5),
            )
            .with_station("desk", Station::new(1, minute(), "done"))
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(1.0))
            .build()
            .unwrap();
        assert_eq!(model.classes(), ["a", "b"]);
        assert_eq!(model.nodes.len(), 3);
    }
}

#[cfg(test)]
mod replay_tests {
    use crate::{Dist, Model, OrderLog, Sink, Source, Station};

    #[test]
    fn a_negative_scale_in_a_replayed_log_is_refused_with_its_line() {
        let log = OrderLog::from_reader(
            "time,items\n2024-01-01T00:10:00,2\n2024-01-01T00:11:00,-3\n".as_bytes(),
            "orders.csv",
        )
        .unwrap();
        let err = Model::builder()
            .with_source("log", Source::replay(log, "pick"))
            .with_station(
                "pick",
                Station::new(1, Dist::exponential(1.0).unwrap(), "done")
                    .with_service_scaled_by("items"),
            )
            .with_sink("done", Sink::new())
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "sources.log.replay_csv: orders.csv:3: items: must be at least 0, since it scales the service time at stations.pick.service_scaled_by, got -3"
        );
    }

    #[test]
    fn a_negative_taxed_value_in_a_replayed_log_is_refused() {
        let log = OrderLog::from_reader(
            "time,value_cny\n2024-01-01T00:10:00,-250\n".as_bytes(),
            "orders.csv",
        )
        .unwrap();
        let shares = [("food".to_string(), 1.0)].into_iter().collect();
        let err = Model::builder()
            .with_source(
                "log",
                Source::replay(log, "pick").with_category("category", shares),
            )
            .with_station(
                "pick",
                Station::new(1, Dist::exponential(1.0).unwrap(), "done").with_milestone("out"),
            )
            .with_sink("done", Sink::new())
            .with_tax(crate::CbecTax::new(
                "out",
                "value_cny",
                "category",
                [("food".to_string(), crate::CategoryRates::new(0.09, 0.0))]
                    .into_iter()
                    .collect(),
            ))
            .build()
            .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "sources.log.replay_csv: orders.csv:2: value_cny: must be at least 0, since it is the value the tax"
            ),
            "{err}"
        );
    }
}
