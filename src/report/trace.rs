//! Trace files: every order event, and every change of a station's
//! resources, of chosen replications as CSV, streamed in constant memory.
//!
//! # The order trace
//! One row per thing that happened to an order, in the order the engine
//! processed them (rows at one time keep that order):
//!
//! | column | what |
//! |---|---|
//! | `replication` | the replication |
//! | `time_h` | hours on the run clock (from the start of the run, pre-roll and warm-up included) |
//! | `datetime` | the same instant as a local date-time of the scenario's calendar |
//! | `order` | the order's number in the replication, 0 for the first created (empty for one created before the observer was set, which a [`TraceWriter::trace`] never has) |
//! | `event` | `arrive`, `start`, `end`, `route`, `block`, `reject`, `renege`, `release` or `leave` (see [`OrderEvent`](crate::OrderEvent)) |
//! | `node` | where: the source, station, delay, router, dispatch point, pool or sink |
//! | `server` | for `start`, `end` and a `block` after a service: the server, from 0 at its station; empty otherwise |
//! | `class` | the order's class |
//! | one column per attribute | its value then (a categorical attribute as its category's name) |
//!
//! An order's rows run from `arrive` at its source to `leave` at a sink;
//! an order still inside when the run ends has no `leave`. The wait of a
//! job is its `start` time less its `arrive` time at that station; its
//! service is `end` less `start`.
//!
//! # The resource trace
//! One row per station whenever its resources change (and one for each
//! at the start): `replication`, `time_h`, `datetime`, `node`, `busy`
//! (servers serving), `held` (servers held by an order blocked
//! downstream), `on_shift` (servers on shift; empty where there is no
//! limit), `up` (`true`, or `false` while broken down), `waiting` (orders
//! in its lines) and `blocked` (orders waiting outside it for room).
//!
//! # Examples
//! ```
//! # fn main() -> cbec_sim::Result<()> {
//! use cbec_sim::report::TraceWriter;
//! use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
//! let model = Model::builder()
//!     .with_source("orders", Source::poisson(2.0, "desk"))
//!     .with_station("desk", Station::new(1, Dist::exponential(10.0)?, "done"))
//!     .with_sink("done", Sink::new())
//!     .with_horizon(SimTime::from_hours(3.0))
//!     .build()?;
//! let mut trace = TraceWriter::new(&model, Some(Vec::new()), Some(Vec::new()))?;
//! let summary = trace.trace(1, 0);
//! let (orders, resources) = trace.finish()?;
//! let orders = String::from_utf8(orders.unwrap()).unwrap();
//! assert!(orders.starts_with("replication,time_h,datetime,order,event,node,server,class\n"));
//! let left = orders.lines().filter(|l| l.contains(",leave,")).count() as u64;
//! assert_eq!(left, summary.sinks[0].count);
//! assert!(String::from_utf8(resources.unwrap()).unwrap().contains(",desk,1,0,1,true,0,0"));
//! # Ok(()) }
//! ```

use crate::error::{Error, Result};
use crate::model::{Model, Observer, OrderRecord, ResourceRecord, RunSummary, Simulation};
use crate::time::SimTime;
use std::fmt::Write as _;
use std::io::Write;

/// An [`Observer`] that writes the order trace and the resource trace (see
/// the [module docs](self) for the columns) to any writers, buffered.
///
/// A write error is kept, later rows are dropped, and
/// [`TraceWriter::finish`] returns it.
#[derive(Debug)]
pub struct TraceWriter<'m, W: Write> {
    model: &'m Model,
    orders: Option<csv::Writer<W>>,
    resources: Option<csv::Writer<W>>,
    error: Option<csv::Error>,
    /// Rows written: (orders, resources).
    rows: (u64, u64),
    /// The text of one field, reused.
    field: String,
}

impl<'m, W: Write> TraceWriter<'m, W> {
    /// A writer of `model`'s traces: the order trace into `orders` and the
    /// resource trace into `resources`, each if given. The headers are
    /// written at once.
    ///
    /// # Errors
    /// [`Error::Csv`] if a header cannot be written.
    pub fn new(model: &'m Model, orders: Option<W>, resources: Option<W>) -> Result<Self> {
        let open = |w: W| {
            csv::WriterBuilder::new()
                .buffer_capacity(1 << 16)
                .from_writer(w)
        };
        let mut t = TraceWriter {
            model,
            orders: orders.map(open),
            resources: resources.map(open),
            error: None,
            rows: (0, 0),
            field: String::new(),
        };
        if let Some(w) = &mut t.orders {
            let mut header: Vec<&str> = vec![
                "replication",
                "time_h",
                "datetime",
                "order",
                "event",
                "node",
                "server",
                "class",
            ];
            header.extend(model.attribute_names());
            w.write_record(&header)?;
        }
        if let Some(w) = &mut t.resources {
            w.write_record([
                "replication",
                "time_h",
                "datetime",
                "node",
                "busy",
                "held",
                "on_shift",
                "up",
                "waiting",
                "blocked",
            ])?;
        }
        Ok(t)
    }

    /// Runs replication `replication` of the model under `seed`, traced,
    /// and returns its summary: the same, bit for bit, as the untraced
    /// replication's.
    pub fn trace(&mut self, seed: u64, replication: u64) -> RunSummary {
        let mut sim = Simulation::new(self.model, seed, replication);
        sim.observe(&mut *self);
        sim.run()
    }

    /// Rows written so far: (order trace, resource trace).
    #[must_use]
    pub fn rows(&self) -> (u64, u64) {
        self.rows
    }

    /// Flushes both traces and gives the writers back.
    ///
    /// # Errors
    /// [`Error::Csv`] with the first write error of the run, or of the
    /// flush.
    pub fn finish(mut self) -> Result<(Option<W>, Option<W>)> {
        if let Some(e) = self.error.take() {
            return Err(Error::Csv(e));
        }
        let inner = |w: Option<csv::Writer<W>>| -> Result<Option<W>> {
            w.map(|w| {
                w.into_inner()
                    .map_err(|e| Error::Csv(csv::Error::from(e.into_error())))
            })
            .transpose()
        };
        let orders = inner(self.orders.take())?;
        Ok((orders, inner(self.resources.take())?))
    }

    /// Appends `value` (shortest text that reads back the same) to the field buffer.
    fn number(field: &mut String, value: f64) {
        let _ = write!(field, "{value}");
    }

    /// The `time_h` and `datetime` fields of `t`.
    fn times(&mut self, t: SimTime) -> (String, String) {
        (
            t.hours().to_string(),
            self.model.calendar().datetime(t).to_string(),
        )
    }

    fn keep(&mut self, result: csv::Result<()>) {
        if let Err(e) = result
            && self.error.is_none()
        {
            self.error = Some(e);
        }
    }
}

impl<W: Write> Observer for TraceWriter<'_, W> {
    fn order(&mut self, r: &OrderRecord<'_>) {
        if self.orders.is_none() || self.error.is_some() {
            return;
        }
        let (time, datetime) = self.times(r.time);
        let model = self.model;
        let w = self.orders.as_mut().expect("checked");
        let mut result = w
            .write_field(r.replication.to_string())
            .and_then(|()| w.write_field(&time))
            .and_then(|()| w.write_field(&datetime))
            .and_then(|()| {
                // An order created before the observer was set has no number.
                w.write_field(if r.order == u64::MAX {
                    String::new()
                } else {
                    r.order.to_string()
                })
            })
            .and_then(|()| w.write_field(r.event.name()))
            .and_then(|()| w.write_field(r.node))
            .and_then(|()| w.write_field(r.server.map(|k| k.to_string()).unwrap_or_default()))
            .and_then(|()| w.write_field(r.class));
        for (info, &value) in model.attributes.iter().zip(r.attributes) {
            if result.is_err() {
                break;
            }
            self.field.clear();
            let category = info.categories.as_ref().and_then(|c| c.get(value as usize));
            match category {
                Some(name) => self.field.push_str(name),
                None => Self::number(&mut self.field, value),
            }
            result = w.write_field(&self.field);
        }
        let result = result.and_then(|()| w.write_record(None::<&[u8]>));
        if result.is_ok() {
            self.rows.0 += 1;
        }
        self.keep(result);
    }

    fn resource(&mut self, r: &ResourceRecord<'_>) {
        if self.resources.is_none() || self.error.is_some() {
            return;
        }
        let (time, datetime) = self.times(r.time);
        let w = self.resources.as_mut().expect("checked");
        let result = w.write_record([
            r.replication.to_string(),
            time,
            datetime,
            r.node.to_string(),
            r.busy.to_string(),
            r.held.to_string(),
            r.on_shift.map(|k| k.to_string()).unwrap_or_default(),
            r.up.to_string(),
            r.waiting.to_string(),
            r.blocked.to_string(),
        ]);
        if result.is_ok() {
            self.rows.1 += 1;
        }
        self.keep(result);
    }
}
