//! The streaming event-log parser: reads an operator's CSV event log row
//! by row, checks it against an [`EventMap`], and keeps only what a fit
//! reads (per stage the completed durations and the censored ages, per
//! route the counts, the arrival times) plus, per live order, the events
//! it has had (a 64-bit set) and its open stages.

use super::map::EventMap;
use crate::error::{Error, Result};
use crate::time::SimTime;
use jiff::civil::DateTime;
use parser::Parser;
use serde::Serialize;
use std::io::Read;

mod parser;
mod window;

use std::path::Path;
pub use window::Window;

/// Most orders a log may have open at once: ten million (about 1 GB of
/// parser state). A log with more is refused rather than exhausting memory.
pub const MAX_LIVE_ORDERS: usize = 10_000_000;

/// The durations of one stage read from a log (durations in seconds when
/// serialized).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSample {
    name: String,
    durations: Vec<SimTime>,
    censored: Vec<SimTime>,
    exits: Vec<SimTime>,
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
    /// cancellation say): neither completed nor open at the log's end.
    #[must_use]
    pub fn exited(&self) -> u64 {
        self.exits.len() as u64
    }

    /// The ages at which those orders left (their end event less
    /// `from`), in the order they left. A fit reads them as censored: the
    /// stage would have lasted at least that long had the order stayed
    /// (independent censoring; a cancellation caused by a long stage
    /// breaks it).
    #[must_use]
    pub fn exits(&self) -> &[SimTime] {
        &self.exits
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
    /// end (they may yet take the route) that had none of the route's
    /// `decided_by` events (after which they have gone the other way).
    pub undecided: u64,
    /// The route's events beyond each order's first (a loop taken
    /// again); 0 for an event that happens `once`.
    pub repeats: u64,
    /// Orders that had the event and were still open at the log's end:
    /// their last event may yet be repeated.
    pub repeats_undecided: u64,
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
        EventLog::from_reader_in(reader, map, origin, Window::all())
    }

    /// Reads the part of a log that `window` says (see [`Window`]): the
    /// orders arriving from its `from`, cut at its `until`. Every row
    /// read is checked as by [`EventLog::from_reader`].
    ///
    /// # Errors
    /// As [`EventLog::from_reader`]; and [`Error::Log`] at line 1 if the
    /// window's `from` is not before its `until`.
    pub fn from_reader_in(
        reader: impl Read,
        map: &EventMap,
        origin: &str,
        window: Window,
    ) -> Result<EventLog> {
        Parser::new(map, origin, window).read(reader)
    }

    /// Reads the CSV event log at `path` (a regular file, of any size:
    /// it is streamed).
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be opened; otherwise as
    /// [`EventLog::from_reader`], naming the file.
    pub fn from_path(path: impl AsRef<Path>, map: &EventMap) -> Result<EventLog> {
        EventLog::from_path_in(path, map, Window::all())
    }

    /// Reads the part `window` says of the CSV event log at `path`.
    ///
    /// # Errors
    /// As [`EventLog::from_path`] and [`EventLog::from_reader_in`].
    pub fn from_path_in(
        path: impl AsRef<Path>,
        map: &EventMap,
        window: Window,
    ) -> Result<EventLog> {
        let path = path.as_ref();
        let file = crate::scenario::files::open_regular(path, u64::MAX)
            .map_err(|e| Error::read(path, e))?;
        EventLog::from_reader_in(
            std::io::BufReader::with_capacity(1 << 16, file),
            map,
            &path.display().to_string(),
            window,
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
