//! Sources: where orders come from, with their class and attributes.
//!
//! The configuration ([`Source`]), its compiled form (`SourceNode`: the
//! arrival process, cumulative class shares, attribute draws, each with its
//! stream), the compile step, and the runtime: the first arrival, each
//! arrival (one order, or a batch from a timetable), and the creation of
//! an order. The arrival processes themselves are in `arrivals.rs`.
//!
//! Stream use is fixed: arrival times on `arrivals`, classes on `classes`,
//! each attribute on its own stream, so changing the class mix or an
//! attribute moves no arrival time (common random numbers).

use super::NodeKind;
use super::arrivals::{ArrivalProcess, CompiledProfile, RateProfile, ScheduledBatch};
use super::arrivals::{HourCache, compile_timetable, next_slot};
use super::build::{self, Registry, cumulative};
use super::duration::DurationDist;
use super::order_log::OrderLog;
use super::sim::{Event, Simulation};
use super::{NodeId, Shares};
use crate::dist::Dist;
use crate::engine::EventClass;
use crate::error::{Error, Result};
use crate::rng::{SimRng, StreamId, key_base, order_key, stream_rng};
use crate::time::{SimTime, TimeUnit};
use indexmap::IndexMap;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Where orders come from.
///
/// A source has exactly one arrival process:
/// - `rate_per_hour`: Poisson, exponential gaps of mean `3600 / rate` s;
/// - `profile`: a rate table by hour, weekday and date (see [`RateProfile`]),
///   a non-homogeneous Poisson process sampled exactly;
/// - `timetable`: batches at clock times on given weekdays (see
///   [`ScheduledBatch`]); all orders of a batch arrive at the same instant;
/// - `replay_csv` (in files) or [`Source::replay`] (in Rust): the rows of
///   an [`OrderLog`], one order per row at its `time` (local date-time),
///   with an optional `class` column and numeric attribute columns. A
///   relative path is read from the scenario file's folder, by the scenario
///   layer when the scenario is built: the model itself reads no file.
///
/// # Semantics
/// - Each order's class is drawn from `classes` (class name → share, shares
///   summing to 1) on the source's `classes` stream, so changing the mix
///   does not move the arrival times. Without `classes`, every order has the
///   class `"default"` (replayed rows may name their class instead).
/// - Each attribute in `attributes` is drawn from its distribution, and each
///   categorical attribute in `categories` from its shares, each on its own
///   stream. Attributes not drawn are 0.
/// - With `max_arrivals`, the source stops after that many orders.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Dist, Source};
/// let orders = Source::poisson(100.0, "document_check")
///     .with_class("standard", 0.9)
///     .with_class("express", 0.1)
///     .with_attribute("basket_value_cny", Dist::lognormal(250.0, 1.2)?);
/// assert_eq!(orders.classes.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Source {
    /// Poisson arrivals: mean rate, orders per hour (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_per_hour: Option<f64>,
    /// Time-varying Poisson arrivals from a rate table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<RateProfile>,
    /// Scheduled batch arrivals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timetable: Vec<ScheduledBatch>,
    /// Replay of a CSV order log: its path, as written in a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_csv: Option<PathBuf>,
    /// The replayed log itself: given by [`Source::replay`], or read from
    /// `replay_csv` by [`Scenario::build`](crate::Scenario::build).
    #[serde(skip)]
    pub replay_log: Option<Arc<OrderLog>>,
    /// The node each new order enters.
    pub to: String,
    /// Class name → share of orders (shares sum to 1). Empty: one class, `"default"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub classes: BTreeMap<String, f64>,
    /// Numeric attributes drawn at arrival, by name (unit in the name).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub attributes: IndexMap<String, Dist>,
    /// Categorical attributes drawn at arrival: name → (category → share).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub categories: IndexMap<String, BTreeMap<String, f64>>,
    /// Stop after this many orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_arrivals: Option<u64>,
}

impl Source {
    fn with_process(to: impl Into<String>) -> Self {
        Source {
            rate_per_hour: None,
            profile: None,
            timetable: Vec::new(),
            replay_csv: None,
            replay_log: None,
            to: to.into(),
            classes: BTreeMap::new(),
            attributes: IndexMap::new(),
            categories: IndexMap::new(),
            max_arrivals: None,
        }
    }

    /// Poisson arrivals at `rate_per_hour`, entering `to`.
    #[must_use]
    pub fn poisson(rate_per_hour: f64, to: impl Into<String>) -> Self {
        Source {
            rate_per_hour: Some(rate_per_hour),
            ..Source::with_process(to)
        }
    }

    /// Time-varying Poisson arrivals following `profile`.
    #[must_use]
    pub fn profile(profile: RateProfile, to: impl Into<String>) -> Self {
        Source {
            profile: Some(profile),
            ..Source::with_process(to)
        }
    }

    /// Batches arriving on a weekly timetable.
    #[must_use]
    pub fn timetable(timetable: Vec<ScheduledBatch>, to: impl Into<String>) -> Self {
        Source {
            timetable,
            ..Source::with_process(to)
        }
    }

    /// The orders of a log (read one with
    /// [`OrderLog::from_path`](crate::OrderLog::from_path) or
    /// [`OrderLog::from_reader`]).
    #[must_use]
    pub fn replay(log: OrderLog, to: impl Into<String>) -> Self {
        Source {
            replay_log: Some(Arc::new(log)),
            ..Source::with_process(to)
        }
    }

    /// Whether the source replays a log (given, or named by `replay_csv`).
    pub(crate) fn replays(&self) -> bool {
        self.replay_csv.is_some() || self.replay_log.is_some()
    }

    /// Adds the class `name` with the given share of orders.
    #[must_use]
    pub fn with_class(mut self, name: impl Into<String>, share: f64) -> Self {
        self.classes.insert(name.into(), share);
        self
    }

    /// Draws the numeric attribute `name` from `dist` for every order.
    #[must_use]
    pub fn with_attribute(mut self, name: impl Into<String>, dist: Dist) -> Self {
        self.attributes.insert(name.into(), dist);
        self
    }

    /// Draws the categorical attribute `name` from `shares` (category → share).
    #[must_use]
    pub fn with_category(mut self, name: impl Into<String>, shares: BTreeMap<String, f64>) -> Self {
        self.categories.insert(name.into(), shares);
        self
    }

    /// Stops the source after `n` orders.
    #[must_use]
    pub fn with_max_arrivals(mut self, n: u64) -> Self {
        self.max_arrivals = Some(n);
        self
    }
}

/// The class of orders from a source that declares no class mix.
pub const DEFAULT_CLASS: &str = "default";

/// A source compiled for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SourceNode {
    pub(crate) name: String,
    pub(crate) process: ArrivalProcess,
    /// (cumulative share, class), the last share being +∞.
    pub(crate) class_cum: Vec<(f64, u16)>,
    pub(crate) to: NodeId,
    /// The source stops after this many orders, if set.
    pub(crate) max_arrivals: Option<u64>,
    pub(crate) arrivals_stream: StreamId,
    pub(crate) classes_stream: StreamId,
    /// The creator of the orders' keys (see [`crate::rng`]).
    pub(crate) orders_stream: StreamId,
    /// Numeric attributes: (attribute, distribution, stream).
    pub(crate) attribute_draws: Vec<(u16, Dist, StreamId)>,
    /// Categorical attributes: (attribute, cumulative shares → category, stream).
    pub(crate) category_draws: Vec<(u16, Shares, StreamId)>,
}

impl SourceNode {
    /// Checks source `name` and resolves its names; without a `horizon`
    /// the source must end by itself.
    pub(crate) fn compile(
        reg: &Registry,
        name: &str,
        s: &Source,
        horizon: Option<SimTime>,
    ) -> Result<Self> {
        let f = |x: &str| format!("sources.{name}.{x}");
        let given = [
            s.rate_per_hour.is_some(),
            s.profile.is_some(),
            !s.timetable.is_empty(),
            s.replays(),
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
        if horizon.is_none() && s.max_arrivals.is_none() && !s.replays() {
            return Err(Error::scenario(
                f("max_arrivals"),
                "is required when the model has no horizon, or the run would never end",
            ));
        }
        let to = reg.target(&f("to"), &s.to)?;
        let process = if let Some(rate) = s.rate_per_hour {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(Error::scenario(
                    f("rate_per_hour"),
                    format!("must be finite and greater than 0, got {rate}"),
                ));
            }
            build::rate(&f("rate_per_hour"), rate)?;
            let gaps = Dist::exponential(3600.0 / rate)
                .map_err(|e| Error::scenario(f("rate_per_hour"), e.to_string()))?;
            ArrivalProcess::Poisson {
                interarrival: DurationDist::new(gaps, TimeUnit::Seconds),
            }
        } else if let Some(p) = &s.profile {
            ArrivalProcess::Profile(Box::new(CompiledProfile::new(
                p,
                reg.calendar(),
                &f("profile"),
            )?))
        } else if !s.timetable.is_empty() {
            compile_timetable(&s.timetable, &f("timetable"))?
        } else {
            let log = Arc::clone(reg.replay(name));
            let attribute_ids = log
                .columns
                .iter()
                .map(|c| reg.attribute(c).expect("collected"))
                .collect();
            let class_ids = log
                .rows
                .iter()
                .map(|r| {
                    reg.class(r.class.as_deref().unwrap_or(DEFAULT_CLASS))
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
            vec![(f64::INFINITY, reg.class(DEFAULT_CLASS).unwrap_or(0))]
        } else {
            cumulative(&f("classes"), &s.classes, |c| {
                reg.class(c).expect("registered")
            })?
        };
        let attribute_draws = s
            .attributes
            .iter()
            .map(|(a, d)| {
                (
                    reg.attribute(a).expect("collected"),
                    d.clone(),
                    StreamId::named("source", name, &format!("attribute/{a}")),
                )
            })
            .collect();
        let mut category_draws = Vec::new();
        for (a, shares) in &s.categories {
            let id = reg.attribute(a).expect("collected");
            let cats = reg.categories(id).expect("categorical");
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
            max_arrivals: s.max_arrivals,
            arrivals_stream: StreamId::named("source", name, "arrivals"),
            classes_stream: StreamId::named("source", name, "classes"),
            orders_stream: StreamId::named("source", name, "orders"),
            attribute_draws,
            category_draws,
        })
    }

    /// Whether the source may create another order after `generated`.
    #[inline(always)]
    fn goes_on(&self, generated: u64) -> bool {
        self.max_arrivals.is_none_or(|m| generated < m)
    }
}

/// A source during one replication: its streams and where it is.
#[derive(Debug)]
pub(crate) struct SourceState {
    arrivals_rng: SimRng,
    classes_rng: SimRng,
    attribute_rngs: Vec<SimRng>,
    category_rngs: Vec<SimRng>,
    /// The base of the orders' keys (see [`crate::rng`]).
    key_base: u64,
    generated: u64,
    /// Replay: next row. Timetable: slot of the pending arrival.
    cursor: usize,
    /// Profile: the hour of the last arrival and its rate.
    hour: HourCache,
}

impl SourceState {
    /// Source `node` at time zero of replication `replication` under `seed`.
    pub(crate) fn new(node: &SourceNode, seed: u64, replication: u64) -> Self {
        let rng = |stream| stream_rng(seed, replication, stream);
        SourceState {
            arrivals_rng: rng(node.arrivals_stream),
            classes_rng: rng(node.classes_stream),
            attribute_rngs: node.attribute_draws.iter().map(|d| rng(d.2)).collect(),
            category_rngs: node.category_draws.iter().map(|d| rng(d.2)).collect(),
            key_base: key_base(seed, replication, node.orders_stream),
            generated: 0,
            cursor: 0,
            hour: HourCache::default(),
        }
    }
}

impl Simulation<'_> {
    /// Schedules the first arrival of source `k`, if it has one.
    pub(crate) fn schedule_first_arrival(&mut self, k: usize) {
        let src = &self.model.sources[k];
        let st = &mut self.sources[k];
        let first = match &src.process {
            ArrivalProcess::Poisson { interarrival } => {
                Some(interarrival.sample(&mut st.arrivals_rng))
            }
            ArrivalProcess::Profile(p) => p
                .next(0.0, &mut st.arrivals_rng, &mut st.hour)
                .map(SimTime::from_secs),
            ArrivalProcess::Timetable { offsets, .. } => {
                let (dt, idx) = next_slot(
                    offsets,
                    self.model.calendar.week_offset(SimTime::ZERO),
                    true,
                );
                st.cursor = idx;
                Some(SimTime::from_secs(dt))
            }
            ArrivalProcess::Replay { log, .. } => {
                log.rows.first().map(|r| SimTime::from_secs(r.time))
            }
        };
        if let Some(t) = first {
            self.calendar
                .schedule(t, EventClass::Arrival, Event::Arrival { source: k as u16 });
        }
    }

    /// An arrival at source `k`: one order (a batch from a timetable),
    /// then the next arrival.
    pub(crate) fn arrival(&mut self, k: usize, now: SimTime) {
        let model = self.model;
        let src = &model.sources[k];
        let next = match &src.process {
            ArrivalProcess::Poisson { interarrival } => {
                self.create_order(k, None, now);
                Some(now + interarrival.sample(&mut self.sources[k].arrivals_rng))
            }
            ArrivalProcess::Profile(p) => {
                self.create_order(k, None, now);
                let st = &mut self.sources[k];
                p.next(now.secs(), &mut st.arrivals_rng, &mut st.hour)
                    .map(SimTime::from_secs)
            }
            ArrivalProcess::Timetable { offsets, batches } => {
                // Every batch listed at this time of week lands now, in
                // the order the timetable sorts them.
                let first = self.sources[k].cursor;
                let same = offsets[first..]
                    .iter()
                    .take_while(|o| **o == offsets[first])
                    .count();
                for b in &batches[first..first + same] {
                    let st = &mut self.sources[k];
                    // Cut at the draw bound: a heavy tail must not fill memory.
                    let size = b
                        .sample(&mut st.arrivals_rng)
                        .round()
                        .min(build::MAX_BATCH_DRAW) as u64;
                    for _ in 0..size {
                        if !src.goes_on(self.sources[k].generated) {
                            break;
                        }
                        self.create_order(k, None, now);
                    }
                }
                let w = model.calendar.week_offset(now);
                let (dt, idx) = next_slot(offsets, w, false);
                self.sources[k].cursor = idx;
                Some(SimTime::from_secs(now.secs() + dt))
            }
            ArrivalProcess::Replay { log, .. } => {
                let row = self.sources[k].cursor;
                self.create_order(k, Some(row), now);
                self.sources[k].cursor += 1;
                log.rows.get(row + 1).map(|r| SimTime::from_secs(r.time))
            }
        };
        if let Some(t) = next
            && src.goes_on(self.sources[k].generated)
        {
            self.calendar
                .schedule(t, EventClass::Arrival, Event::Arrival { source: k as u16 });
        }
    }

    /// Creates one order at source `k` (from replay row `row`, if any) and
    /// sends it on its way.
    #[inline(always)]
    fn create_order(&mut self, k: usize, row: Option<usize>, now: SimTime) {
        let src = &self.model.sources[k];
        let st = &mut self.sources[k];
        // Keys are of use only to orders that draw from them.
        let key = if self.model.by_order {
            order_key(st.key_base, st.generated)
        } else {
            0
        };
        st.generated += 1;
        let class = match (&src.process, row) {
            (_, None) if src.class_cum.len() == 1 => src.class_cum[0].1,
            (ArrivalProcess::Replay { log, class_ids, .. }, Some(r))
                if log.rows[r].class.is_some() =>
            {
                class_ids[r]
            }
            _ => {
                let u: f64 = st.classes_rng.random();
                src.class_cum
                    .iter()
                    .find(|(c, _)| u < *c)
                    .expect("last share is +inf")
                    .1
            }
        };
        let id = self.orders.create(class, now, key);
        for ((a, dist, _), rng) in src.attribute_draws.iter().zip(&mut st.attribute_rngs) {
            *self.orders.attribute_mut(id, *a) = dist.sample(rng);
        }
        for ((a, cum, _), rng) in src.category_draws.iter().zip(&mut st.category_rngs) {
            let u: f64 = rng.random();
            *self.orders.attribute_mut(id, *a) =
                f64::from(cum.iter().find(|(c, _)| u < *c).expect("last is +inf").1);
        }
        if let (
            ArrivalProcess::Replay {
                log, attribute_ids, ..
            },
            Some(r),
        ) = (&src.process, row)
        {
            for (col, value) in &log.rows[r].attributes {
                *self.orders.attribute_mut(id, attribute_ids[*col]) = *value;
            }
        }
        self.network.entered += 1;
        self.note_in_system(now);
        self.trace_created(NodeKind::Source(k), id, now);
        let target = self.resolve(src.to, id, now);
        self.arrive(target, id, now);
    }
}
