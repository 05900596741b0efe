//! The pass over a log's rows: checks each row against the map and
//! accumulates what [`EventLog`] gives.

use super::{EventLog, MAX_LIVE_ORDERS, RouteCount, StageSample, Window};
use crate::calibrate::map::{Because, EventMap};
use crate::error::{Error, Result};
use crate::excerpt::{MAX_QUOTED, excerpt};
use crate::time::SimTime;
use jiff::civil::DateTime;
use std::collections::HashMap;
use std::io::Read;

/// What the parser holds for an order between its first event and its end
/// event (or the log's end).
#[derive(Debug)]
struct Live {
    /// The events it has had, as a bit set over the map's events.
    seen: u64,
    /// Open stages: (stage, seconds from the log's start when it opened).
    open: Vec<(u16, f64)>,
    /// Arrived before the window's `from`: checked, not counted.
    ghost: bool,
}

/// The columns the parser reads.
struct Columns {
    order: usize,
    event: usize,
    time: usize,
}

/// The state of one pass.
pub(super) struct Parser<'m> {
    map: &'m EventMap,
    window: Window,
    /// Seconds from the log's start to the window's `until`, once known.
    cut: Option<f64>,
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
    pub(super) fn new(map: &'m EventMap, origin: &'m str, window: Window) -> Self {
        Parser {
            map,
            window,
            cut: None,
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
                    exits: Vec::new(),
                })
                .collect(),
            routes: vec![
                RouteCount {
                    trials: 0,
                    successes: 0,
                    undecided: 0,
                    repeats: 0,
                    repeats_undecided: 0,
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

    pub(super) fn read(mut self, reader: impl Read) -> Result<EventLog> {
        if let Window {
            from: Some(from),
            until: Some(until),
        } = self.window
            && from >= until
        {
            return Err(self.err(
                1,
                1,
                format!("the window's `from` ({from}) must be before its `until` ({until})"),
            ));
        }
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
            if !self.row(&record, line, &cols)? {
                break;
            }
        }
        if self.rows == 0 && self.cut.is_some() {
            let until = self.window.until.expect("a cut is the window's");
            return Err(self.err(
                2,
                1,
                format!("the log's first row is at or after the window's `until` ({until}): nothing to read"),
            ));
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

    /// Reads one row; `false` at the window's `until` (the row is not read).
    fn row(&mut self, record: &csv::StringRecord, line: u64, cols: &Columns) -> Result<bool> {
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
                crate::calibrate::map::LIST_EVENTS,
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
        if let Some(until) = self.window.until
            && at >= until
        {
            self.cut = Some(until.duration_since(start).as_secs_f64());
            return Ok(false);
        }
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
        let ghost = self.window.from.is_some_and(|from| at < from);
        self.event(order, e, t, ghost, line, cols)?;
        Ok(true)
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

    /// Applies event `e` of `order` at `t` seconds from the log's start;
    /// `ghost`: the row is before the window's `from`, so an order it
    /// opens is checked but not counted.
    fn event(
        &mut self,
        order: &str,
        e: u8,
        t: f64,
        ghost: bool,
        line: u64,
        cols: &Columns,
    ) -> Result<()> {
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
                    ghost,
                },
            );
            self.orders += u64::from(!ghost);
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
        if state.ghost {
            if spec.end {
                self.live.remove(order);
            }
            return Ok(());
        }
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
        } else {
            for &r in &spec.success_of {
                self.routes[usize::from(r)].repeats += 1;
            }
        }
        if spec.end
            && let Some(done) = self.live.remove(order)
        {
            for (s, from) in done.open {
                self.stages[usize::from(s)]
                    .exits
                    .push(SimTime::from_secs(t - from));
            }
        }
        Ok(())
    }

    /// Censors what is still open and gives the results.
    fn finish(mut self, columns: Vec<String>) -> EventLog {
        let start = self.start.expect("a row was read");
        let (end, t_end) = match (self.window.until, self.cut) {
            (Some(until), Some(cut)) => (until, cut),
            _ => {
                let end = self.last.expect("a row was read").0;
                (end, end.duration_since(start).as_secs_f64())
            }
        };
        let map = self.map;
        // Censored ages in the order the stages opened, whatever the
        // hash map's order.
        let mut open: Vec<(u16, f64)> = Vec::new();
        for state in self.live.values().filter(|s| !s.ghost) {
            open.extend(state.open.iter().copied());
            for (r, spec) in map.routes.iter().enumerate() {
                let among = state.seen & (1 << spec.among) != 0;
                let taken = state.seen & (1 << spec.event) != 0;
                if among && !taken && state.seen & spec.decided_by == 0 {
                    self.routes[r].undecided += 1;
                }
                if taken {
                    self.routes[r].repeats_undecided += 1;
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
            live_at_end: self.live.values().filter(|s| !s.ghost).count(),
        }
    }
}
