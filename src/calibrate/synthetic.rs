//! Synthetic operator logs: an [`Observer`] that writes a simulation's
//! order events as the rows of an event log, named by an [`EventMap`]'s
//! `sim` entries, so that a fit can be checked against the parameters
//! that made the log.

use super::map::{EventMap, SimSource};
use crate::error::{Error, Result};
use crate::model::{Model, NodeKind, Observer, OrderEvent, OrderRecord, RunSummary, Simulation};
use crate::time::SimTime;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

/// Writes a simulation's order events as an event log (see
/// [`EventLog`](crate::calibrate::EventLog) for the format): one row per
/// order event that the map names through an event's `sim = { node, on }`,
/// and for each milestone that `sim = { milestone }` names when it is
/// stamped (an order's first entry to a node that sets it: a sink's
/// `leave`, a router's `route`, another node's `arrive`), with the order's number as `order`, the event's name, the local
/// date-time of the model's calendar rounded to the second (as an
/// operator's log gives it), and one column per attribute of the model (a
/// categorical attribute as its category's name).
///
/// A write error is kept, later rows are dropped, and
/// [`EventLogWriter::finish`] returns it.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::calibrate::{EventLog, EventLogWriter, EventMap};
/// use cbec_sim::{Dist, Model, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(6.0, "desk").with_max_arrivals(3))
///     .with_station("desk", Station::new(1, Dist::deterministic(2.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_start("2024-11-11T08:00".parse().unwrap())
///     .build()?;
/// let map = EventMap::from_toml_str(r#"
///     arrival = "placed"
///     [events]
///     placed = { once = true, sim = { node = "orders" } }
///     review_started = { once = true, sim = { node = "desk", on = "start" } }
///     reviewed = { once = true, sim = { node = "desk", on = "end" } }
///     left = { once = true, end = true, sim = { node = "done", on = "leave" } }
///     [stages.review]
///     from = "review_started"
///     to = "reviewed"
/// "#)?;
/// let mut writer = EventLogWriter::new(&model, &map, Vec::new())?;
/// let summary = writer.write_run(1, 0);
/// assert_eq!(summary.sinks[0].count, 3);
/// assert_eq!(writer.rows(), 12);
/// let csv = writer.finish()?;
/// assert!(csv.starts_with(b"order,event,time\n0,placed,2024-11-11T08:"));
/// let log = EventLog::from_reader(&csv[..], &map, "synthetic")?;
/// assert_eq!(log.stage("review").unwrap().durations()[0].secs(), 120.0);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct EventLogWriter<'m, W: Write> {
    model: &'m Model,
    /// Node name → (order event, log event name, the event's bit if it
    /// is a milestone, written once per order).
    by_node: HashMap<String, Vec<(OrderEvent, String, Option<u64>)>>,
    /// The milestone events written for each order inside, as bit sets;
    /// an order is forgotten when it leaves.
    stamped: HashMap<u64, u64>,
    out: csv::Writer<W>,
    error: Option<csv::Error>,
    rows: u64,
    field: String,
}

impl<'m, W: Write> EventLogWriter<'m, W> {
    /// A writer of `model`'s order events as named by `map`, into `out`;
    /// the header is written at once.
    ///
    /// # Errors
    /// [`Error::Scenario`] at `events.<name>.sim.node` or
    /// `events.<name>.sim.milestone` for a node or milestone the model does
    /// not have (with the closest names); at `events` if no
    /// event has a `sim`; [`Error::Csv`] if the header cannot be written.
    pub fn new(model: &'m Model, map: &EventMap, out: W) -> Result<Self> {
        let nodes: Vec<String> = (0..model.nodes.len()).map(|i| model.node_name(i)).collect();
        let mut by_node: HashMap<String, Vec<(OrderEvent, String, Option<u64>)>> = HashMap::new();
        for (bit, e) in map.events.iter().enumerate() {
            match &e.sim {
                None => {}
                Some(SimSource::Node(node, on)) => {
                    if !nodes.contains(node) {
                        return Err(unknown(&e.name, "node", node, &nodes, "nodes"));
                    }
                    by_node
                        .entry(node.clone())
                        .or_default()
                        .push((*on, e.name.clone(), None));
                }
                Some(SimSource::Milestone(m)) => {
                    let Some(k) = model.milestones.iter().position(|n| n == m) else {
                        return Err(unknown(
                            &e.name,
                            "milestone",
                            m,
                            &model.milestones,
                            "milestones",
                        ));
                    };
                    for (i, info) in model.nodes.iter().enumerate() {
                        if info.milestone != Some(k as u16) {
                            continue;
                        }
                        let on = match info.kind {
                            NodeKind::Sink(_) => OrderEvent::Leave,
                            NodeKind::Router(_) => OrderEvent::Route,
                            _ => OrderEvent::Arrive,
                        };
                        by_node.entry(nodes[i].clone()).or_default().push((
                            on,
                            e.name.clone(),
                            Some(1 << bit),
                        ));
                    }
                }
            }
        }
        if by_node.is_empty() {
            return Err(Error::scenario(
                "events",
                "no event has a `sim = { node, on }`, so a simulation writes no row",
            ));
        }
        let mut out = csv::WriterBuilder::new()
            .buffer_capacity(1 << 16)
            .from_writer(out);
        let mut header = vec!["order", "event", "time"];
        header.extend(model.attribute_names());
        out.write_record(&header)?;
        Ok(EventLogWriter {
            model,
            by_node,
            stamped: HashMap::new(),
            out,
            error: None,
            rows: 0,
            field: String::new(),
        })
    }

    /// Runs replication `replication` of the model under `seed`, writing
    /// its rows, and returns its summary (the same, bit for bit, as the
    /// replication's untraced).
    ///
    /// A log holds one run: call this once per writer (a second run's
    /// orders would be numbered from 0 again and its times would go back,
    /// which a log does not allow).
    pub fn write_run(&mut self, seed: u64, replication: u64) -> RunSummary {
        let mut sim = Simulation::new(self.model, seed, replication);
        sim.observe(&mut *self);
        sim.run()
    }

    /// Rows written so far.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes the log and gives the writer back.
    ///
    /// # Errors
    /// [`Error::Csv`] with the first write error, or the flush's.
    pub fn finish(mut self) -> Result<W> {
        if let Some(e) = self.error.take() {
            return Err(Error::Csv(e));
        }
        self.out
            .into_inner()
            .map_err(|e| Error::Csv(csv::Error::from(e.into_error())))
    }
}

impl<W: Write> Observer for EventLogWriter<'_, W> {
    fn order(&mut self, r: &OrderRecord<'_>) {
        if self.error.is_some() {
            return;
        }
        let Some(names) = self.by_node.get(r.node) else {
            if r.event == OrderEvent::Leave {
                self.stamped.remove(&r.order);
            }
            return;
        };
        let model = self.model;
        // Whole seconds, as an operator's log: rounding keeps time order.
        let at = model
            .calendar()
            .datetime(SimTime::from_secs(r.time.secs().round()));
        for (on, name, milestone) in names {
            if *on != r.event {
                continue;
            }
            if let Some(bit) = milestone {
                let stamped = self.stamped.entry(r.order).or_default();
                if *stamped & bit != 0 {
                    continue;
                }
                *stamped |= bit;
            }
            let w = &mut self.out;
            self.field.clear();
            let _ = write!(self.field, "{}", r.order);
            let mut result = w
                .write_field(&self.field)
                .and_then(|()| w.write_field(name))
                .and_then(|()| {
                    self.field.clear();
                    let _ = write!(self.field, "{at}");
                    w.write_field(&self.field)
                });
            for (info, &value) in model.attributes.iter().zip(r.attributes) {
                if result.is_err() {
                    break;
                }
                self.field.clear();
                match info.categories.as_ref().and_then(|c| c.get(value as usize)) {
                    Some(category) => self.field.push_str(category),
                    None => {
                        let _ = write!(self.field, "{value}");
                    }
                }
                result = w.write_field(&self.field);
            }
            match result.and_then(|()| w.write_record(None::<&[u8]>)) {
                Ok(()) => self.rows += 1,
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
        }
        if r.event == OrderEvent::Leave {
            self.stamped.remove(&r.order);
        }
    }
}

/// An unknown node or milestone of `sim` in event `event`'s table.
fn unknown(event: &str, what: &str, name: &str, known: &[String], plural: &str) -> Error {
    Error::scenario(
        format!("events.{event}.sim.{what}"),
        format!(
            "unknown {what} \"{}\"; {}",
            crate::excerpt::excerpt(name, 2 * crate::excerpt::MAX_QUOTED),
            crate::suggest::hint(
                name,
                known.iter().map(String::as_str),
                plural,
                "`cbec-sim explain <scenario>` lists them"
            )
        ),
    )
}
