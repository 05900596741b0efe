//! The event map: which event names an operator's log may have, and what
//! they mean to a fit (stages as pairs of events, routes as an event among
//! the orders that passed another, the event that marks an order's
//! arrival), and which node of a model writes each one in a synthetic log.
//!
//! The format is in `docs/event-log.md`.

use crate::error::{Error, Result};
use crate::model::OrderEvent;
use crate::suggest;
use indexmap::IndexMap;
use serde::Deserialize;

pub use super::stage_kind::StageKind;
use std::collections::HashMap;
use std::path::Path;

/// Most event names a map may have (an order's events seen are a 64-bit set).
pub const MAX_EVENTS: usize = 64;

/// Largest map file read: 1 MiB.
const MAX_MAP_BYTES: u64 = 1 << 20;

/// Every [`OrderEvent`], for `sim.on`.
const ORDER_EVENTS: [OrderEvent; 9] = [
    OrderEvent::Arrive,
    OrderEvent::Start,
    OrderEvent::End,
    OrderEvent::Route,
    OrderEvent::Block,
    OrderEvent::Reject,
    OrderEvent::Renege,
    OrderEvent::Release,
    OrderEvent::Leave,
];

/// How to list a map's event names, for a message.
pub(crate) const LIST_EVENTS: &str = "the map's [events] table lists them";

/// The map file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    arrival: String,
    #[serde(default)]
    demand: Option<String>,
    #[serde(default)]
    template: Option<std::path::PathBuf>,
    events: IndexMap<String, EventFile>,
    #[serde(default)]
    stages: IndexMap<String, StageFile>,
    #[serde(default)]
    routes: IndexMap<String, RouteFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventFile {
    #[serde(default)]
    once: bool,
    #[serde(default)]
    end: bool,
    #[serde(default)]
    after: Vec<String>,
    sim: Option<SimFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SimFile {
    node: Option<String>,
    on: Option<String>,
    milestone: Option<String>,
}

/// What writes an event in a synthetic log.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SimSource {
    /// This order event at this node, every time.
    Node(String, OrderEvent),
    /// The milestone, when it is stamped (an order's first entry to a
    /// node that sets it).
    Milestone(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StageFile {
    from: String,
    to: String,
    #[serde(default)]
    kind: StageKind,
    #[serde(default)]
    calibrates: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFile {
    event: String,
    among: String,
    #[serde(default)]
    calibrates: Option<String>,
    #[serde(default)]
    rebalance: Option<String>,
    #[serde(default)]
    decided_by: Vec<String>,
    #[serde(default)]
    repeat_calibrates: Option<String>,
    #[serde(default)]
    repeat_rebalance: Option<String>,
}

/// Why an event must follow another: what a message names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Because {
    /// `after` in the event's table.
    After,
    /// The event ends this stage, which the other starts.
    Stage(usize),
    /// The event is this route's, measured among orders that had the other.
    Route(usize),
}

/// One event name of the log.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EventSpec {
    pub(crate) name: String,
    /// At most once per order.
    pub(crate) once: bool,
    /// The order's last event: its state is freed here.
    pub(crate) end: bool,
    /// Events the order must have had before this one, as a bit set.
    pub(crate) requires: u64,
    /// The same, each with why.
    pub(crate) because: Vec<(u8, Because)>,
    /// Stages this event opens and closes.
    pub(crate) opens: Vec<u16>,
    pub(crate) closes: Vec<u16>,
    /// Routes whose trials and successes this event counts.
    pub(crate) trial_of: Vec<u16>,
    pub(crate) success_of: Vec<u16>,
    /// What writes it in a synthetic log.
    pub(crate) sim: Option<SimSource>,
}

/// A stage: from one event to another.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StageSpec {
    pub(crate) name: String,
    pub(crate) from: u8,
    pub(crate) to: u8,
    pub(crate) kind: StageKind,
    /// The scenario distribution it calibrates.
    pub(crate) calibrates: Option<String>,
}

/// A route: an event, counted among the orders that had another.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RouteSpec {
    pub(crate) name: String,
    pub(crate) event: u8,
    pub(crate) among: u8,
    /// The scenario probability it calibrates, and the one that takes up
    /// the change.
    pub(crate) calibrates: Option<(String, Option<String>)>,
    /// The same for the share of its events taken again (a loop).
    pub(crate) repeat_calibrates: Option<(String, Option<String>)>,
    /// Whether its event may happen more than once per order.
    pub(crate) repeatable: bool,
    /// Events after which an order without the route's event has gone
    /// the other way (a bit set): it is no longer undecided.
    pub(crate) decided_by: u64,
}

/// The mapping from an operator's event log to what a fit reads: the
/// events the log may have, the stages (pairs of events), the routes (an
/// event among the orders that had another) and the arrival event.
///
/// # Format
/// TOML (see `docs/event-log.md`):
///
/// ```toml
/// arrival = "placed"                 # the event that marks an order's arrival
///
/// [events]                           # every event name the log may have
/// placed   = { once = true, sim = { node = "orders", on = "arrive" } }
/// declared = { once = true, after = ["placed"] }
/// released = { once = true }
/// manual_review_started = { once = true }
/// left     = { once = true, end = true }   # end: the order's last event
///
/// [stages.list_review]               # a duration: from one event to another
/// from = "declared"
/// to = "released"
///
/// [routes.manual_review]             # a share: orders with `event`
/// event = "manual_review_started"    # among the orders with `among`
/// among = "declared"
/// ```
///
/// An event must come after its `after` events, a stage's `to` after its
/// `from`, and a route's `event` after its `among`, for the same order;
/// `sim` names what writes the event in a synthetic log
/// ([`EventLogWriter`](crate::calibrate::EventLogWriter)): a node and an
/// [`OrderEvent`] (`sim = { node = "review", on = "start" }`; `on`
/// defaults to `arrive`), or a scenario milestone, written when it is
/// stamped (`sim = { milestone = "declared" }`).
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::calibrate::EventMap;
/// let map = EventMap::from_toml_str(r#"
///     arrival = "placed"
///     [events]
///     placed = { once = true }
///     declared = { once = true }
///     released = { once = true, end = true }
///     [stages.list_review]
///     from = "declared"
///     to = "released"
/// "#)?;
/// assert_eq!(map.stage_names().collect::<Vec<_>>(), ["list_review"]);
///
/// let bad = EventMap::from_toml_str(r#"
///     arrival = "placed"
///     [events]
///     placed = { end = true }
///     [stages.review]
///     from = "placed"
///     to = "relased"
/// "#).unwrap_err();
/// assert_eq!(bad.to_string(), r#"stages.review.to: unknown event "relased"; the events are "placed""#);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EventMap {
    pub(crate) events: Vec<EventSpec>,
    pub(crate) index: HashMap<String, u8>,
    pub(crate) stages: Vec<StageSpec>,
    pub(crate) routes: Vec<RouteSpec>,
    pub(crate) arrival: u8,
    pub(crate) demand: Option<String>,
    pub(crate) template: Option<std::path::PathBuf>,
}

impl EventMap {
    /// Reads a map from TOML text.
    ///
    /// # Errors
    /// [`Error::Parse`] for TOML that does not parse or has an unknown or missing key;
    /// [`Error::Scenario`] at the field's path for a name that is not an event of `[events]` (with
    /// the closest names), no events or more than 64, no `end` event, an empty event name, a stage
    /// or route from an event to itself, an `after` that makes a cycle, or a `sim.on` that is not
    /// an order event.
    pub fn from_toml_str(text: &str) -> Result<EventMap> {
        let file: MapFile = toml::from_str(text).map_err(|e| Error::parse(e, None, None))?;
        compile(file)
    }

    /// Reads the map file at `path` (a regular file of at most 1 MiB).
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read; otherwise as
    /// [`EventMap::from_toml_str`], naming the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<EventMap> {
        let path = path.as_ref();
        let file = crate::scenario::files::open_regular(path, MAX_MAP_BYTES)
            .map_err(|e| Error::read(path, e))?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::BufReader::new(file), &mut text)
            .map_err(|e| Error::read(path, e))?;
        let mut map = EventMap::from_toml_str(&text).map_err(|e| e.in_file(path))?;
        if let (Some(t), Some(dir)) = (&map.template, path.parent())
            && t.is_relative()
        {
            map.template = Some(dir.join(t));
        }
        Ok(map)
    }

    /// The scenario a fit starts from (`template = "template.toml"`, read
    /// from the map file's folder when relative), if the map names one.
    #[must_use]
    pub fn template(&self) -> Option<&Path> {
        self.template.as_deref()
    }

    /// The event names, in the map's order.
    pub fn event_names(&self) -> impl Iterator<Item = &str> {
        self.events.iter().map(|e| e.name.as_str())
    }

    /// The stage names, in the map's order.
    pub fn stage_names(&self) -> impl Iterator<Item = &str> {
        self.stages.iter().map(|s| s.name.as_str())
    }

    /// The route names, in the map's order.
    pub fn route_names(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|r| r.name.as_str())
    }

    /// The event that marks an order's arrival.
    #[must_use]
    pub fn arrival(&self) -> &str {
        &self.events[usize::from(self.arrival)].name
    }

    /// A stage's (from, to) event names.
    #[must_use]
    pub fn stage(&self, name: &str) -> Option<(&str, &str)> {
        let s = self.stages.iter().find(|s| s.name == name)?;
        Some((self.name(s.from), self.name(s.to)))
    }

    /// A route's (event, among) event names.
    #[must_use]
    pub fn route(&self, name: &str) -> Option<(&str, &str)> {
        let r = self.routes.iter().find(|r| r.name == name)?;
        Some((self.name(r.event), self.name(r.among)))
    }

    /// A stage's kind (service, wait or sojourn) and the scenario
    /// distribution it calibrates, if any (`calibrates`).
    #[must_use]
    pub fn stage_target(&self, name: &str) -> Option<(StageKind, Option<&str>)> {
        let s = self.stages.iter().find(|s| s.name == name)?;
        Some((s.kind, s.calibrates.as_deref()))
    }

    /// The scenario probability a route calibrates and the one that takes
    /// up the change (`calibrates`, `rebalance`), if any.
    #[must_use]
    pub fn route_target(&self, name: &str) -> Option<(&str, Option<&str>)> {
        let r = self.routes.iter().find(|r| r.name == name)?;
        let (path, rebalance) = r.calibrates.as_ref()?;
        Some((path.as_str(), rebalance.as_deref()))
    }

    /// The scenario source whose arrivals the arrival event calibrates
    /// (`demand = "sources.orders"`), if any.
    #[must_use]
    pub fn demand(&self) -> Option<&str> {
        self.demand.as_deref()
    }

    pub(crate) fn name(&self, e: u8) -> &str {
        &self.events[usize::from(e)].name
    }
}

/// Checks the file and resolves names to indexes.
fn compile(file: MapFile) -> Result<EventMap> {
    if file.events.is_empty() {
        return Err(Error::scenario(
            "events",
            "the map has no events; list every event name the log may have",
        ));
    }
    if file.events.len() > MAX_EVENTS {
        return Err(Error::scenario(
            "events",
            format!(
                "the map has {} events, more than the {MAX_EVENTS} a map may have",
                file.events.len()
            ),
        ));
    }
    let names: Vec<&str> = file.events.keys().map(String::as_str).collect();
    let find = |field: String, name: &str| -> Result<u8> {
        match names.iter().position(|n| *n == name) {
            Some(i) => Ok(i as u8),
            None => Err(Error::scenario(
                field,
                format!(
                    "unknown event \"{}\"; {}",
                    crate::excerpt::excerpt(name, 2 * crate::excerpt::MAX_QUOTED),
                    suggest::hint(name, names.iter().copied(), "events", LIST_EVENTS)
                ),
            )),
        }
    };
    let mut events = Vec::with_capacity(names.len());
    for (name, e) in &file.events {
        if name.trim().is_empty() {
            return Err(Error::scenario("events", "an event name must not be empty"));
        }
        let sim = match &e.sim {
            None => None,
            Some(s) => Some(sim_source(name, s)?),
        };
        events.push(EventSpec {
            name: name.clone(),
            once: e.once,
            end: e.end,
            requires: 0,
            because: Vec::new(),
            opens: Vec::new(),
            closes: Vec::new(),
            trial_of: Vec::new(),
            success_of: Vec::new(),
            sim,
        });
    }
    let require = |events: &mut Vec<EventSpec>, e: u8, before: u8, why: Because| {
        let spec = &mut events[usize::from(e)];
        if spec.requires & (1 << before) == 0 {
            spec.requires |= 1 << before;
            spec.because.push((before, why));
        }
    };
    for (i, (name, e)) in file.events.iter().enumerate() {
        for (k, a) in e.after.iter().enumerate() {
            let before = find(format!("events.{name}.after[{k}]"), a)?;
            if usize::from(before) == i {
                return Err(Error::scenario(
                    format!("events.{name}.after[{k}]"),
                    format!("an event cannot come after itself (\"{name}\")"),
                ));
            }
            require(&mut events, i as u8, before, Because::After);
        }
    }
    if !events.iter().any(|e| e.end) {
        return Err(Error::scenario(
            "events",
            "no event has `end = true`; mark an order's last event (left, cancelled, ...) so that the parser can forget finished orders and its memory stays bounded by the orders in the system",
        ));
    }
    let mut stages = Vec::with_capacity(file.stages.len());
    for (k, (name, s)) in file.stages.iter().enumerate() {
        let from = find(format!("stages.{name}.from"), &s.from)?;
        let to = find(format!("stages.{name}.to"), &s.to)?;
        if from == to {
            return Err(Error::scenario(
                format!("stages.{name}.to"),
                format!(
                    "a stage ends at another event than it starts, got \"{}\" for both",
                    s.to
                ),
            ));
        }
        require(&mut events, to, from, Because::Stage(k));
        events[usize::from(from)].opens.push(k as u16);
        events[usize::from(to)].closes.push(k as u16);
        if s.kind == StageKind::Wait
            && let Some(path) = &s.calibrates
        {
            return Err(Error::scenario(
                format!("stages.{name}.calibrates"),
                format!(
                    "a wait is what the model produces, not one of its inputs; \"{path}\" can be calibrated by a stage of kind \"service\" (a server taking the order to its end) instead"
                ),
            ));
        }
        stages.push(StageSpec {
            name: name.clone(),
            from,
            to,
            kind: s.kind,
            calibrates: s.calibrates.clone(),
        });
    }
    let mut routes = Vec::with_capacity(file.routes.len());
    for (k, (name, r)) in file.routes.iter().enumerate() {
        let event = find(format!("routes.{name}.event"), &r.event)?;
        let among = find(format!("routes.{name}.among"), &r.among)?;
        if event == among {
            return Err(Error::scenario(
                format!("routes.{name}.among"),
                format!(
                    "a route's share is measured among orders that had another event, got \"{}\" for both",
                    r.among
                ),
            ));
        }
        require(&mut events, event, among, Because::Route(k));
        events[usize::from(among)].trial_of.push(k as u16);
        events[usize::from(event)].success_of.push(k as u16);
        if r.rebalance.is_some() && r.calibrates.is_none() {
            return Err(Error::scenario(
                format!("routes.{name}.rebalance"),
                "`rebalance` names the probability that takes up a calibrated change; give `calibrates` too",
            ));
        }
        if r.repeat_rebalance.is_some() && r.repeat_calibrates.is_none() {
            return Err(Error::scenario(
                format!("routes.{name}.repeat_rebalance"),
                "`repeat_rebalance` names the probability that takes up a calibrated change; give `repeat_calibrates` too",
            ));
        }
        let repeatable = !events[usize::from(event)].once;
        let mut decided_by = 0u64;
        for (i, d) in r.decided_by.iter().enumerate() {
            decided_by |= 1 << find(format!("routes.{name}.decided_by[{i}]"), d)?;
        }
        if r.repeat_calibrates.is_some() && !repeatable {
            return Err(Error::scenario(
                format!("routes.{name}.repeat_calibrates"),
                format!(
                    "the route's event \"{}\" happens once per order (`once = true`), so it is never taken again; drop `once` to count repeats",
                    r.event
                ),
            ));
        }
        routes.push(RouteSpec {
            name: name.clone(),
            event,
            among,
            calibrates: r.calibrates.clone().map(|c| (c, r.rebalance.clone())),
            repeat_calibrates: r
                .repeat_calibrates
                .clone()
                .map(|c| (c, r.repeat_rebalance.clone())),
            repeatable,
            decided_by,
        });
    }
    if let Some(cycle) = find_cycle(&events) {
        let path: Vec<&str> = cycle
            .iter()
            .map(|&e| events[usize::from(e)].name.as_str())
            .collect();
        return Err(Error::scenario(
            format!("events.{}", path[0]),
            format!(
                "the events must follow each other in a cycle ({}), so none can happen",
                path.join(" after ")
            ),
        ));
    }
    let arrival = find("arrival".into(), &file.arrival)?;
    let index = events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.clone(), i as u8))
        .collect();
    Ok(EventMap {
        events,
        index,
        stages,
        routes,
        arrival,
        demand: file.demand,
        template: file.template,
    })
}

/// The node and order event, or the milestone, that write event `name`.
fn sim_source(name: &str, s: &SimFile) -> Result<SimSource> {
    let field = format!("events.{name}.sim");
    match (&s.node, &s.milestone) {
        (Some(_), Some(_)) | (None, None) => Err(Error::scenario(
            field,
            "give either `node` (with `on`, default arrive) or `milestone`",
        )),
        (None, Some(m)) => match &s.on {
            Some(_) => Err(Error::scenario(
                format!("{field}.on"),
                "a milestone is written when it is stamped; `on` goes with `node`",
            )),
            None => Ok(SimSource::Milestone(m.clone())),
        },
        (Some(node), None) => {
            let on = s.on.as_deref().unwrap_or("arrive");
            match ORDER_EVENTS.iter().find(|o| o.name() == on) {
                Some(o) => Ok(SimSource::Node(node.clone(), *o)),
                None => Err(Error::scenario(
                    format!("{field}.on"),
                    format!(
                        "unknown order event \"{}\"; {}",
                        crate::excerpt::excerpt(on, crate::excerpt::MAX_QUOTED),
                        suggest::hint(
                            on,
                            ORDER_EVENTS.iter().map(|o| o.name()),
                            "order events",
                            "they are arrive, start, end, route, block, reject, renege, release and leave"
                        )
                    ),
                )),
            }
        }
    }
}

/// A cycle of "must follow" rules, if there is one: the events in order,
/// the first repeated at the end.
fn find_cycle(events: &[EventSpec]) -> Option<Vec<u8>> {
    // 0: not visited, 1: on the path, 2: done.
    fn visit(events: &[EventSpec], e: u8, state: &mut [u8], path: &mut Vec<u8>) -> Option<Vec<u8>> {
        state[usize::from(e)] = 1;
        path.push(e);
        for &(before, _) in &events[usize::from(e)].because {
            match state[usize::from(before)] {
                1 => {
                    let at = path.iter().position(|&p| p == before).unwrap_or(0);
                    let mut cycle = path[at..].to_vec();
                    cycle.push(before);
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(events, before, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state[usize::from(e)] = 2;
        None
    }
    let mut state = vec![0u8; events.len()];
    let mut path = Vec::new();
    (0..events.len() as u8).find_map(|e| {
        if state[usize::from(e)] == 0 {
            visit(events, e, &mut state, &mut path)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        EventMap::from_toml_str(text).unwrap_err().to_string()
    }

    #[test]
    fn names_resolve_and_rules_are_implied() {
        let map = EventMap::from_toml_str(
            r#"
            arrival = "placed"
            [events]
            placed = { once = true }
            declared = { once = true, after = ["placed"] }
            manual = {}
            released = { once = true, end = true }
            [stages.review]
            from = "declared"
            to = "released"
            [routes.manual_review]
            event = "manual"
            among = "declared"
            "#,
        )
        .unwrap();
        assert_eq!(map.arrival(), "placed");
        assert_eq!(map.stage("review"), Some(("declared", "released")));
        assert_eq!(map.route("manual_review"), Some(("manual", "declared")));
        let released = &map.events[3];
        assert_eq!(released.requires, 1 << 1, "to follows from");
        assert_eq!(map.events[2].requires, 1 << 1, "a route follows among");
        assert_eq!(map.events[1].requires, 1 << 0, "after");
    }

    #[test]
    fn bad_maps_name_the_field() {
        let base = "arrival = \"placed\"\n[events]\nplaced = {}\ndeclared = { end = true }\n";
        assert_eq!(
            err(&format!(
                "{base}[stages.s]\nfrom = \"declard\"\nto = \"placed\"\n"
            )),
            "stages.s.from: unknown event \"declard\"; did you mean \"declared\"?"
        );
        assert_eq!(
            err(&format!(
                "{base}[stages.s]\nfrom = \"placed\"\nto = \"placed\"\n"
            )),
            "stages.s.to: a stage ends at another event than it starts, got \"placed\" for both"
        );
        assert_eq!(
            err(
                "arrival = \"a\"\n[events]\na = { after = [\"b\"] }\nb = { end = true, after = [\"a\"] }\n"
            ),
            "events.a: the events must follow each other in a cycle (a after b after a), so none can happen"
        );
        assert_eq!(
            err(
                "arrival = \"a\"\n[events]\na = { end = true, sim = { node = \"x\", on = \"lave\" } }\n"
            ),
            "events.a.sim.on: unknown order event \"lave\"; did you mean \"leave\"?"
        );
        assert_eq!(
            err("arrival = \"zzzz\"\n[events]\nplaced = { end = true }\n"),
            "arrival: unknown event \"zzzz\"; the events are \"placed\""
        );
        assert!(err("arrival = \"a\"\n[events]\n").starts_with("events: the map has no events"));
        assert!(
            err("arrival = \"a\"\n[events]\na = {}\n")
                .starts_with("events: no event has `end = true`")
        );
        assert!(err("arrival = \"a\"\n[events]\na = { onse = true }\n").contains("onse"));
    }
}
