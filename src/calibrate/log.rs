//! The streaming event-log parser: reads an operator's CSV event log row
//! by row, checks it against an [`EventMap`], and keeps only what a fit
//! reads (per stage the completed durations and the censored ages, per
//! route the counts, the arrival times) plus, per live order, the events
//! it has had (a 64-bit set) and its open stages.

use super::map::{Because, EventMap};
use crate::error::{Error, Result};
use crate::excerpt::{MAX_QUOTED, excerpt};
use crate::time::SimTime;
use jiff::civil::DateTime;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// Most orders a log may have open at once: ten million (about 1 GB of
/// parser state). A log with more is refused rather than exhausting memory.
pub const MAX_LIVE_ORDERS: usize = 10_000_000;

/// What the parser holds for an order between its first event and its end
/// event (or the log's end).
#[derive(Debug)]
struct Live {
    /// The events it has had, as a bit set over the map's events.
    seen: u64,
    /// Open stages: (stage, seconds from the log's start when it opened).
    open: Vec<(u16, f64)>,
}

/// The durations of one stage read from a log (durations in seconds when
/// serialized).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSample {
    name: String,
    durations: Vec<SimTime>,
    censored: Vec<SimTime>,
    exited: u64,
}

impl StageSample {
    /// The stage's name in the map.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Completed durations (`to` less `from` of one order), in the order
    /// the stages ended.
    #[must_use]
    pub fn durations(&self) -> &[SimTime] {
        &self.durations
    }

    /// Right-censored durations: the age at the log's last row of each
    /// order that had `from` but not `to` and had not ended (the true
    /// duration is at least this). In the order the stages opened.
    #[must_use]
    pub fn censored(&self) -> &[SimTime] {
        &self.censored
    }

    /// Orders that had `from` and then their end event without `to` (a
    /// cancellation say): neither completed nor censored.
    #[must_use]
    pub fn exited(&self) -> u64 {
        self.exited
    }

    /// The mean of the completed durations (`None` without any). It is
    /// not the stage's mean when durations are censored: a fit uses both.
    #[must_use]
    pub fn completed_mean(&self) -> Option<SimTime> {
        (!self.durations.is_empty()).then(|| {
            let sum: f64 = self.durations.iter().map(|d| d.secs()).sum();
            SimTime::from_secs(sum / self.durations.len() as f64)
        })
    }
}

/// The counts of one route read from a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RouteCount {
    /// Orders that had the route's `among` event.
    pub trials: u64,
    /// Of those, orders that had the route's event.
    pub successes: u64,
    /// Of the trials without the event, orders still open at the log's
    /// end (they may yet take the route).
    pub undecided: u64,
}

/// What a fit reads from an operator's event log, accumulated in one pass.
///
/// # Format
/// CSV with a header naming at least the columns `order` (an order's id,
/// any text), `event` (an event name of the [`EventMap`]) and `time` (a
/// local date-time such as `2024-11-11T08:30:05`, no UTC offset); other
/// columns (channel, category, items, basket value) are allowed and kept
/// by name only. One row per order and event, in time order (equal times
/// in any order). See `docs/event-log.md`.
///
/// # Memory
/// The parser never holds the rows. It keeps, per order between its
/// first event and its `end` event, the events it has had (a 64-bit set)
/// and its open stages; and the results: one duration per completed
/// stage, one age per censored stage, one time per arrival. So its working
/// state is bounded by the orders open at once (in the system), not by the
/// rows ([`EventLog::peak_live_orders`]).
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::calibrate::{EventLog, EventMap};
/// let map = EventMap::from_toml_str(r#"
///     arrival = "placed"
///     [events]
///     placed = { once = true }
///     declared = { once = true }
///     released = { once = true, end = true }
///     [stages.review]
///     from = "declared"
///     to = "released"
/// "#)?;
/// let log = "order,event,time,channel
/// A1,placed,2024-11-11T08:00:00,app
/// A1,declared,2024-11-11T08:00:30,app
/// A2,placed,2024-11-11T08:01:00,web
/// A1,released,2024-11-11T08:02:30,app
/// A2,declared,2024-11-11T08:03:00,web
/// ";
/// let parsed = EventLog::from_reader(log.as_bytes(), &map, "log.csv")?;
/// let review = parsed.stage("review").unwrap();
/// assert_eq!(review.durations()[0].secs(), 120.0);
/// assert_eq!(review.censored()[0].secs(), 0.0, "A2 declared at the log's last row");
/// assert_eq!(parsed.arrivals().len(), 2);
///
/// let bad = "order,event,time\nA1,placed,2024-11-11T08:00:00\nA1,relesed,2024-11-11T08:01:00\n";
/// let err = EventLog::from_reader(bad.as_bytes(), &map, "log.csv").unwrap_err();
/// assert_eq!(err.to_string(), r#"log.csv:3:2: event: unknown event "relesed"; did you mean "released"?"#);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[must_use]
pub struct EventLog {
    origin: String,
    columns: Vec<String>,
    start: DateTime,
    end: DateTime,
    rows: u64,
    orders: u64,
    stages: Vec<StageSample>,
    routes: Vec<(String, RouteCount)>,
    arrivals: Vec<SimTime>,
    peak_live: usize,
    live_at_end: usize,
}

impl EventLog {
    /// Reads a CSV event log from `reader` against `map`, in one pass;
    /// `origin` names it in messages (a file name).
    ///
    /// # Errors
    /// [`Error::Log`] at the line and column of the first row that breaks
    /// a rule (see its documentation), naming the value and the rule.
    pub fn from_reader(reader: impl Read, map: &EventMap, origin: &str) -> Result<EventLog> {
        Parser::new(map, origin).read(reader)
    }

    /// Reads the CSV event log at `path` (a regular file, of any size:
    /// it is streamed).
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be opened; otherwise as
    /// [`EventLog::from_reader`], naming the file.
    pub fn from_path(path: impl AsRef<Path>, map: &EventMap) -> Result<EventLog> {
        let path = path.as_ref();
        let file = crate::scenario::files::open_regular(path, u64::MAX)
            .map_err(|e| Error::read(path, e))?;
        EventLog::from_reader(
            std::io::BufReader::with_capacity(1 << 16, file),
            map,
            &path.display().to_string(),
        )
    }

    /// Where the log came from, as given.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The columns other than `order`, `event` and `time`, in file order.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The time of the first row: time zero of [`EventLog::arrivals`].
    #[must_use]
    pub fn start(&self) -> DateTime {
        self.start
    }

    /// The time of the last row: where censored stages are cut.
    #[must_use]
    pub fn end(&self) -> DateTime {
        self.end
    }

    /// The rows read (the header not counted).
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The orders read (an id that comes back after its order's end event
    /// counts again).
    #[must_use]
    pub fn orders(&self) -> u64 {
        self.orders
    }

    /// Every stage, in the map's order.
    #[must_use]
    pub fn stages(&self) -> &[StageSample] {
        &self.stages
    }

    /// The stage named `name`.
    #[must_use]
    pub fn stage(&self, name: &str) -> Option<&StageSample> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// Every route with its counts, in the map's order.
    #[must_use]
    pub fn routes(&self) -> &[(String, RouteCount)] {
        &self.routes
    }

    /// The counts of the route named `name`.
    #[must_use]
    pub fn route(&self, name: &str) -> Option<RouteCount> {
        self.routes.iter().find(|r| r.0 == name).map(|r| r.1)
    }

    /// The time of each order's arrival event (its first), from
    /// [`EventLog::start`], in time order.
    #[must_use]
    pub fn arrivals(&self) -> &[SimTime] {
        &self.arrivals
    }

    /// The arrivals as local date-times (to the nanosecond the log gave).
    pub fn arrival_datetimes(&self) -> impl Iterator<Item = DateTime> + '_ {
        let calendar = crate::calendar::Calendar::new(self.start);
        self.arrivals.iter().map(move |&t| calendar.datetime(t))
    }

    /// The most orders the parser held open at once: orders between their
    /// first event and their end event.
    #[must_use]
    pub fn peak_live_orders(&self) -> usize {
        self.peak_live
    }

    /// Orders still open at the log's end (without their end event).
    #[must_use]
    pub fn live_at_end(&self) -> usize {
        self.live_at_end
    }
}

/// The columns the parser reads.
struct Columns {
    order: usize,
    event: usize,
    time: usize,
}

/// The state of one pass.
struct Parser<'m> {
    map: &'m EventMap,
    origin: &'m str,
    live: HashMap<Box<str>, Live>,
    start: Option<DateTime>,
    last: Option<(DateTime, u64)>,
    rows: u64,
    orders: u64,
    stages: Vec<StageSample>,
    routes: Vec<RouteCount>,
    arrivals: Vec<SimTime>,
    peak_live: usize,
}

impl<'m> Parser<'m> {
    fn new(map: &'m EventMap, origin: &'m str) -> Self {
        Parser {
            map,
            origin,
            live: HashMap::new(),
            start: None,
            last: None,
            rows: 0,
            orders: 0,
            stages: map
                .stages
                .iter()
                .map(|s| StageSample {
                    name: s.name.clone(),
                    durations: Vec::new(),
                    censored: Vec::new(),
                    exited: 0,
                })
                .collect(),
            routes: vec![
                RouteCount {
                    trials: 0,
                    successes: 0,
                    undecided: 0
                };
                map.routes.len()
            ],
            arrivals: Vec::new(),
            peak_live: 0,
        }
    }

    fn err(&self, line: u64, column: usize, reason: String) -> Error {
        Error::Log {
            file: self.origin.to_string(),
            line,
            column,
            reason: crate::excerpt::short_numbers(&reason),
        }
    }

    fn read(mut self, reader: impl Read) -> Result<EventLog> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let headers = csv.headers().map_err(|e| self.csv_err(&e, None))?.clone();
        if headers.iter().all(str::is_empty) {
            return Err(self.err(
                1,
                1,
                "the log is empty; it needs a header (order,event,time) and a row per order and event"
                    .into(),
            ));
        }
        let column = |name: &str| -> Result<usize> {
            headers.iter().position(|h| h == name).ok_or_else(|| {
                let names: Vec<String> = headers.iter().map(|h| excerpt(h, MAX_QUOTED)).collect();
                self.err(
                    1,
                    headers.len() + 1,
                    format!(
                        "the header needs an `{name}` column; it has {}",
                        excerpt(&names.join(", "), 2 * MAX_QUOTED)
                    ),
                )
            })
        };
        let cols = Columns {
            order: column("order")?,
            event: column("event")?,
            time: column("time")?,
        };
        let columns = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| ![cols.order, cols.event, cols.time].contains(i))
            .map(|(_, h)| h.to_string())
            .collect();
        let mut record = csv::StringRecord::new();
        loop {
            match csv.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(self.csv_err(&e, Some(&headers))),
            }
            let line = record.position().map_or(0, |p| p.line());
            self.row(&record, line, &cols)?;
        }
        if self.rows == 0 {
            return Err(self.err(2, 1, "the log has a header but no rows".into()));
        }
        Ok(self.finish(columns))
    }

    /// A csv error at its line and column.
    fn csv_err(&self, e: &csv::Error, headers: Option<&csv::StringRecord>) -> Error {
        let line = e.position().map_or(1, |p| p.line());
        match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => self.err(
                line,
                (*len).min(*expected_len) as usize + 1,
                format!("the row has {len} fields, but the header has {expected_len}"),
            ),
            csv::ErrorKind::Utf8 { err, .. } => {
                let name = headers
                    .and_then(|h| h.get(err.field()))
                    .map(|n| format!("{}: ", excerpt(n, MAX_QUOTED)))
                    .unwrap_or_default();
                self.err(line, err.field() + 1, format!("{name}is not UTF-8 text"))
            }
            csv::ErrorKind::Io(io) => self.err(line, 1, format!("cannot be read: {io}")),
            _ => self.err(
                line,
                1,
                format!(
                    "cannot be read as CSV: {}",
                    excerpt(&e.to_string(), 2 * MAX_QUOTED)
                ),
            ),
        }
    }

    /// Reads one row.
    fn row(&mut self, record: &csv::StringRecord, line: u64, cols: &Columns) -> Result<()> {
        let order = &record[cols.order];
        if order.is_empty() {
            return Err(self.err(line, cols.order + 1, "order: must not be empty".into()));
        }
        let name = &record[cols.event];
        let Some(&e) = self.map.index.get(name) else {
            let hint = crate::suggest::hint(
                name,
                self.map.event_names(),
                "events",
                super::map::LIST_EVENTS,
            );
            return Err(self.err(
                line,
                cols.event + 1,
                format!(
                    "event: unknown event \"{}\"; {hint}",
                    excerpt(name, 2 * MAX_QUOTED)
                ),
            ));
        };
        let at = self.time(&record[cols.time], line, cols.time + 1)?;
        let start = *self.start.get_or_insert(at);
        if let Some((last, last_line)) = self.last
            && at < last
        {
            return Err(self.err(
                line,
                cols.time + 1,
                format!(
                    "time: rows must be in time order; {at} comes after {last} (line {last_line})"
                ),
            ));
        }
        self.last = Some((at, line));
        self.rows += 1;
        let t = at.duration_since(start).as_secs_f64();
        self.event(order, e, t, line, cols)
    }

    /// A local date-time, or the rule it breaks.
    fn time(&self, text: &str, line: u64, column: usize) -> Result<DateTime> {
        if let Some(offset) = crate::calendar::utc_offset(text) {
            return Err(self.err(
                line,
                column,
                format!(
                    "time: must be local time without a UTC offset (\"{}\" is refused rather than ignored), got \"{}\"",
                    excerpt(offset, MAX_QUOTED),
                    excerpt(text, MAX_QUOTED)
                ),
            ));
        }
        text.parse().map_err(|_| {
            self.err(
                line,
                column,
                format!(
                    "time: must be a local date-time such as 2024-11-11T08:30:05, got \"{}\"",
                    excerpt(text, MAX_QUOTED)
                ),
            )
        })
    }

    /// Applies event `e` of `order` at `t` seconds from the log's start.
    fn event(&mut self, order: &str, e: u8, t: f64, line: u64, cols: &Columns) -> Result<()> {
        let map = self.map;
        let spec = &map.events[usize::from(e)];
        let bit = 1u64 << e;
        if !self.live.contains_key(order) {
            if self.live.len() >= MAX_LIVE_ORDERS {
                return Err(self.err(
                    line,
                    cols.order + 1,
                    format!(
                        "order: more than {MAX_LIVE_ORDERS} orders are open at once (between their first event and an end event), the most a log may have"
                    ),
                ));
            }
            self.live.insert(
                order.into(),
                Live {
                    seen: 0,
                    open: Vec::new(),
                },
            );
            self.orders += 1;
            self.peak_live = self.peak_live.max(self.live.len());
        }
        let state = self.live.get(order).expect("inserted");
        if spec.once && state.seen & bit != 0 {
            return Err(self.err(
                line,
                cols.event + 1,
                format!(
                    "event: order \"{}\" has \"{}\" twice; the map says it happens once per order",
                    excerpt(order, MAX_QUOTED),
                    spec.name
                ),
            ));
        }
        let missing = spec.requires & !state.seen;
        if missing != 0 {
            let (before, why) = spec
                .because
                .iter()
                .find(|(b, _)| missing & (1 << b) != 0)
                .expect("a missing event has a reason");
            let why = match why {
                Because::After => "its `after` in the map".to_string(),
                Because::Stage(s) => format!("stage {}", map.stages[*s].name),
                Because::Route(r) => format!("route {}", map.routes[*r].name),
            };
            return Err(self.err(
                line,
                cols.event + 1,
                format!(
                    "event: order \"{}\" has \"{}\" before \"{}\"; it must follow it ({why})",
                    excerpt(order, MAX_QUOTED),
                    spec.name,
                    map.name(*before)
                ),
            ));
        }
        let state = self.live.get_mut(order).expect("inserted");
        let first = state.seen & bit == 0;
        state.seen |= bit;
        if first && e == map.arrival {
            self.arrivals.push(SimTime::from_secs(t));
        }
        for &s in &spec.closes {
            if let Some(k) = state.open.iter().position(|o| o.0 == s) {
                let (_, from) = state.open.swap_remove(k);
                self.stages[usize::from(s)]
                    .durations
                    .push(SimTime::from_secs(t - from));
            }
        }
        for &s in &spec.opens {
            if !state.open.iter().any(|o| o.0 == s) {
                state.open.push((s, t));
            }
        }
        if first {
            for &r in &spec.trial_of {
                self.routes[usize::from(r)].trials += 1;
            }
            for &r in &spec.success_of {
                self.routes[usize::from(r)].successes += 1;
            }
        }
        if spec.end
            && let Some(done) = self.live.remove(order)
        {
            for (s, _) in done.open {
                self.stages[usize::from(s)].exited += 1;
            }
        }
        Ok(())
    }

    /// Censors what is still open and gives the results.
    fn finish(mut self, columns: Vec<String>) -> EventLog {
        let start = self.start.expect("a row was read");
        let end = self.last.expect("a row was read").0;
        let t_end = end.duration_since(start).as_secs_f64();
        let map = self.map;
        // Censored ages in the order the stages opened, whatever the
        // hash map's order.
        let mut open: Vec<(u16, f64)> = Vec::new();
        for state in self.live.values() {
            open.extend(state.open.iter().copied());
            for (r, spec) in map.routes.iter().enumerate() {
                let among = state.seen & (1 << spec.among) != 0;
                let taken = state.seen & (1 << spec.event) != 0;
                if among && !taken {
                    self.routes[r].undecided += 1;
                }
            }
        }
        open.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        for (s, from) in open {
            self.stages[usize::from(s)]
                .censored
                .push(SimTime::from_secs(t_end - from));
        }
        EventLog {
            origin: self.origin.to_string(),
            columns,
            start,
            end,
            rows: self.rows,
            orders: self.orders,
            stages: self.stages,
            routes: map
                .routes
                .iter()
                .map(|r| r.name.clone())
                .zip(self.routes)
                .collect(),
            arrivals: self.arrivals,
            peak_live: self.peak_live,
            live_at_end: self.live.len(),
        }
    }
}
