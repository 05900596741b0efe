//! One replication: the per-run state, the event loop and its same-time
//! rule.
//!
//! The parts' runtime behaviour lives with the parts (sources in
//! `source.rs`, stations in `station/`, routers, dispatch points and sinks
//! in their files); this module owns the state they share and dispatches
//! each event to its part. `flow.rs` moves an order between nodes
//! (milestones, the tax, intervals); `observe.rs` restarts statistics at
//! the end of the warm-up, samples time series and writes the summary.
//!
//! # Invariants
//! - The clock never goes back; every event is at or after `now`.
//! - At one instant: completions first (a freed server takes the head of
//!   its queue), then capacity changes, then the orders that completed move
//!   on, in completion order (`moving`), then new arrivals, then
//!   observations (see the crate docs).
//! - Every order that entered is in `orders` or has been absorbed by a sink.

mod flow;
mod memory;
mod observe;
mod trace;

use super::daily::DailyState;
use super::dispatch::DispatchState;
use super::interval::IntervalState;
use super::order::Orders;
use super::pool::PoolState;
use super::sink::SinkState;
use super::source::SourceState;
use super::station::StationState;
use super::summary::{ClassTimes, RunSummary, TaxSummary, TimeSeries};
use super::{Limit, Model, NodeId};
use crate::engine::{EntityId, EventCalendar, EventClass};
use crate::rng::{SimRng, stream_rng};
use crate::time::SimTime;
use observe::NetworkState;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

pub use memory::MemoryUse;

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum StopReason {
    /// The clock reached the model's horizon.
    Horizon,
    /// No events were left: every source finished and every order left.
    Drained,
    /// The caller stopped the run at a time of its choosing.
    Paused,
}

/// What can happen; each event names the part it happens to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Arrival { source: u16 },
    ServiceEnd { station: u16, order: EntityId },
    Renege { station: u16, order: EntityId },
    ShiftChange { station: u16 },
    Failure { station: u16 },
    Repair { station: u16 },
    Departure { dispatch: u16 },
    Settlement { pool: u16 },
    TopUp { pool: u16 },
    StockCancel { pool: u16, order: EntityId },
    StockReview { pool: u16 },
    Sample,
    WarmupEnd,
}

/// One replication of a [`Model`]: its clock, its orders and its statistics.
///
/// A replication is a pure function of (model, master seed, replication
/// index): see [`crate::rng`] for how each random stream is derived.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Dist, Model, SimTime, Simulation, Sink, Source, Station, StopReason};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(30.0, "desk"))
///     .with_station("desk", Station::new(1, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(10.0))
///     .build()?;
/// let mut sim = Simulation::new(&model, 7, 0);
/// sim.run_until(SimTime::from_hours(5.0)); // step part-way, look, go on
/// assert_eq!(sim.now(), SimTime::from_hours(5.0));
/// let summary = sim.run();
/// assert_eq!(summary.stop, StopReason::Horizon);
/// assert!(summary.conservation.holds());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Simulation<'m> {
    pub(crate) model: &'m Model,
    pub(crate) seed: u64,
    pub(crate) replication: u64,
    pub(crate) calendar: EventCalendar<Event>,
    pub(crate) orders: Orders,
    pub(crate) sources: Vec<SourceState>,
    pub(crate) stations: Vec<StationState>,
    /// One decision stream per router.
    pub(crate) router_rngs: Vec<SimRng>,
    pub(crate) dispatches: Vec<DispatchState>,
    pub(crate) pools: Vec<PoolState>,
    pub(crate) sinks: Vec<SinkState>,
    pub(crate) intervals: Vec<IntervalState>,
    pub(crate) network: NetworkState,
    pub(crate) series: Option<TimeSeries>,
    pub(crate) tax: TaxSummary,
    pub(crate) events: u64,
    /// Whether tallies (waits, spans, times in system, cohorts, tax) are
    /// kept: not before the warm-up ends, since its restart would forget
    /// them. Stations keep the same flag in their statistics. The state
    /// itself (queues, levels, time-weighted averages' current values) is
    /// always kept.
    pub(crate) tallying: bool,
    pub(crate) observed_from: SimTime,
    /// The end of the window (the horizon on the run clock; never without one).
    pub(crate) window_end: SimTime,
    /// Whether the window opens at time zero with no restart (no warm-up
    /// and no pre-roll): time zero is then inside it.
    pub(crate) window_from_zero: bool,
    /// Orders in the system when the window opened.
    pub(crate) in_system_at_start: u64,
    /// The daily series.
    pub(crate) daily: DailyState,
    /// Cohort orders (of any interval) still inside: the drain stops at 0.
    pub(crate) cohort_open: u64,
    /// Set once the window has closed and the drain runs: sources create
    /// no more orders.
    pub(crate) arrivals_closed: bool,
    /// Orders that left a station or vehicle at the current time, waiting to
    /// arrive at their next node once every completion and capacity change
    /// at this time is done.
    pub(crate) moving: VecDeque<(NodeId, EntityId)>,
    /// The observer of a traced run, with its book-keeping.
    pub(crate) tracer: Option<Box<trace::Tracer<'m>>>,
}

impl<'m> Simulation<'m> {
    /// Replication `replication` of `model` under `seed`, at time zero.
    #[must_use]
    pub fn new(model: &'m Model, seed: u64, replication: u64) -> Self {
        let rng = |stream| stream_rng(seed, replication, stream);
        let w0 = model.calendar.week_offset(SimTime::ZERO);
        let classes: Vec<ClassTimes> = if model.classes.len() > 1 {
            model.classes.iter().map(|c| ClassTimes::new(c)).collect()
        } else {
            Vec::new()
        };
        let stations = model
            .stations
            .iter()
            .map(|s| {
                let on_shift = match &s.shifts {
                    Some(p) => Limit::at_most(p.value_at(w0)),
                    None => s.capacity,
                };
                let mut st = StationState::new(s, seed, replication, on_shift, &classes);
                // Waits and sojourns are tallied from the warm-up's end
                // (see `Simulation::tallying`).
                st.stats.tallying = model.warmup == SimTime::ZERO;
                st
            })
            .collect();
        let mut sim = Simulation {
            model,
            seed,
            replication,
            calendar: EventCalendar::new(),
            orders: Orders::new(model.milestones.len(), model.attributes.len()),
            sources: model
                .sources
                .iter()
                .map(|s| SourceState::new(s, seed, replication))
                .collect(),
            stations,
            router_rngs: model.routers.iter().map(|r| rng(r.stream)).collect(),
            dispatches: model
                .dispatches
                .iter()
                .map(|_| DispatchState::new(SimTime::ZERO))
                .collect(),
            pools: model
                .pools
                .iter()
                .map(|p| PoolState::new(p.levels, SimTime::ZERO))
                .collect(),
            sinks: model
                .sinks
                .iter()
                .map(|_| SinkState::new(&classes))
                .collect(),
            intervals: model
                .intervals
                .iter()
                .map(|_| IntervalState::new())
                .collect(),
            network: NetworkState::new(SimTime::ZERO),
            tax: TaxSummary::default(),
            series: model.sample_every.map(|_| TimeSeries::new(model)),
            events: 0,
            tallying: model.warmup == SimTime::ZERO,
            observed_from: SimTime::ZERO,
            window_end: model.horizon.unwrap_or(SimTime::from_secs(f64::MAX)),
            window_from_zero: model.warmup == SimTime::ZERO,
            in_system_at_start: 0,
            daily: {
                let mut d = DailyState::default();
                d.restart(SimTime::ZERO, model.horizon);
                d
            },
            cohort_open: 0,
            arrivals_closed: false,
            // A settlement releases a pool's whole line into `moving` at once.
            moving: VecDeque::with_capacity(if model.pools.is_empty() {
                16
            } else {
                PoolState::LINE
            }),
            tracer: None,
        };
        sim.schedule_first_events();
        sim
    }

    fn schedule_first_events(&mut self) {
        let model = self.model;
        for k in 0..model.sources.len() {
            self.schedule_first_arrival(k);
        }
        let w0 = model.calendar.week_offset(SimTime::ZERO);
        for s in 0..model.stations.len() {
            self.schedule_capacity_events(s, w0);
        }
        for d in 0..model.dispatches.len() {
            self.schedule_first_departure(d, w0);
        }
        for p in 0..model.pools.len() {
            self.schedule_first_settlement(p);
            self.schedule_stock_reviews(p);
        }
        self.schedule_observations();
    }

    /// The current time.
    #[must_use]
    pub fn now(&self) -> SimTime {
        self.calendar.now()
    }

    /// Events processed so far.
    #[must_use]
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Events waiting in the calendar now.
    #[must_use]
    pub fn pending_events(&self) -> usize {
        self.calendar.len()
    }

    /// Orders in the system now.
    #[must_use]
    pub fn in_system(&self) -> usize {
        self.orders.live()
    }

    /// Starts recording, at every station, each job's class and the time it
    /// entered the station as its service starts (for checks of the queue
    /// discipline; the record grows with the run, so keep runs short).
    pub fn record_service_starts(&mut self) {
        for st in &mut self.stations {
            st.starts = Some(Vec::new());
        }
    }

    /// The service starts recorded at station `name` since
    /// [`Simulation::record_service_starts`], in start order: (class index,
    /// in the order [`Model::classes`] lists them; seconds at which the job
    /// entered the station). `None` for an unknown station or when not
    /// recording.
    #[must_use]
    pub fn service_starts(&self, name: &str) -> Option<&[(u16, f64)]> {
        let s = self.model.stations.iter().position(|x| x.name == name)?;
        self.stations[s].starts.as_deref()
    }

    /// Processes the next event, if any, and returns its time.
    pub fn step(&mut self) -> Option<SimTime> {
        if self.calendar.peek_time()? > self.daily.next_tick {
            // Hourly ticks observe the state after every event at their
            // time: they run as the first later event comes up.
            let t = self.calendar.peek_time()?;
            self.ticks_before(t, false);
        }
        let (now, event) = self.calendar.pop()?;
        self.events += 1;
        match event {
            Event::Arrival { source } => {
                if !self.arrivals_closed {
                    self.arrival(source as usize, now);
                }
            }
            Event::ServiceEnd { station, order } => self.service_end(station as usize, order, now),
            Event::Renege { station, order } => self.renege(station as usize, order, now),
            Event::ShiftChange { station } => self.shift_change(station as usize, now),
            Event::Failure { station } => self.failure(station as usize, now),
            Event::Repair { station } => self.repair(station as usize, now),
            Event::Departure { dispatch } => self.scheduled_departure(dispatch as usize, now),
            Event::Settlement { pool } => self.settlement(pool as usize, now),
            Event::TopUp { pool } => self.top_up(pool as usize, now),
            Event::StockCancel { pool, order } => self.stock_cancel(pool as usize, order, now),
            Event::StockReview { pool } => self.stock_reorder(pool as usize, now),
            Event::Sample => self.sample(now),
            Event::WarmupEnd => self.restart_statistics(now),
        }
        if !self.moving.is_empty() {
            // Completions and capacity changes at `now` all happen before any
            // order arrives anywhere at `now` (see the crate docs).
            let more_first = matches!(
                self.calendar.peek(),
                Some((next, class)) if next == now && class <= EventClass::Capacity
            );
            if !more_first {
                while let Some((to, id)) = self.moving.pop_front() {
                    self.arrive(to, id, now);
                }
            }
        }
        self.trace_resources(now);
        Some(now)
    }

    /// Processes every event at or before `t`, then sets the clock to `t`
    /// (if it is later than now).
    pub fn run_until(&mut self, t: SimTime) {
        while let Some(next) = self.calendar.peek_time() {
            if next > t {
                break;
            }
            self.step();
        }
        self.ticks_before(t, true);
        self.calendar.advance_to(t);
    }

    /// Runs to the model's horizon (or, without one, until no event is
    /// left) and summarises the run. With a drain (`simulation.drain_h`),
    /// the run then goes on without new orders until the window's cohorts
    /// have left or the drain ends; only the cohorts' figures take in what
    /// happens then.
    pub fn run(mut self) -> RunSummary {
        match self.model.horizon {
            Some(h) => {
                self.run_until(h);
                self.close_day(h);
                let mut summary = self.summary_with(StopReason::Horizon);
                if self.model.drain > SimTime::ZERO && self.cohort_open > 0 {
                    self.drain(h + self.model.drain);
                    let now = self.calendar.now();
                    for (s, c) in summary.intervals.iter_mut().zip(self.cohorts(now)) {
                        s.cohort = c;
                    }
                    summary.drained_to = Some(now);
                }
                summary
            }
            None => {
                while self.step().is_some() {}
                self.summary_with(StopReason::Drained)
            }
        }
    }

    /// Runs without new orders until no cohort order is inside or `until`.
    fn drain(&mut self, until: SimTime) {
        self.arrivals_closed = true;
        while self.cohort_open > 0 {
            match self.calendar.peek_time() {
                Some(t) if t <= until => {
                    self.step();
                }
                _ => {
                    self.calendar.advance_to(until);
                    break;
                }
            }
        }
    }

    /// Summarises the run so far, as if it stopped now.
    ///
    /// Before a warm-up ends, the observed span has not begun and nothing
    /// is tallied (the warm-up's end would forget it, so it is not
    /// computed): waits, sojourns and departures at stations and dispatch
    /// points, sink counts and times in system, interval spans and
    /// cohorts, and tax are empty. Counts of arrivals, queue entries,
    /// rejections and renegings, of orders entered, of pools' draws and
    /// vehicles, and the time-weighted averages run from time zero, so
    /// balances between the two kinds (orders entered against orders
    /// left and inside, an interval's orders started against completed
    /// and open) hold only from the warm-up's end. [`RunSummary::conservation`]
    /// always covers the whole run.
    pub fn summary(&self) -> RunSummary {
        self.summary_with(StopReason::Paused)
    }
}
