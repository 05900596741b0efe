use super::arrivals::{ArrivalProcess, next_slot};
use super::order::Orders;
use super::summary::{
    Conservation, DispatchSummary, IntervalSummary, NetworkSummary, RunSummary, SinkSummary,
    StationSeries, StationSummary, TaxSummary, TimeSeries,
};
use super::{Model, NodeId, NodeInfo, NodeKind, OverflowTarget, ServiceTime, StationNode};
use crate::calendar::WEEK_SECS;
use crate::engine::{EntityId, EventCalendar, EventClass};
use crate::rng::{SimRng, stream_rng};
use crate::stats::{DurationHistogram, OnlineMoments, TimeAverage, TimeWeighted};
use crate::time::SimTime;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

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

#[derive(Debug, Clone, Copy)]
enum Event {
    Arrival { source: u16 },
    ServiceEnd { station: u16, order: EntityId },
    Renege { station: u16, order: EntityId },
    ShiftChange { station: u16 },
    Failure { station: u16 },
    Repair { station: u16 },
    Departure { dispatch: u16 },
    Sample,
    WarmupEnd,
}

#[derive(Debug)]
struct SourceState {
    arrivals_rng: SimRng,
    classes_rng: SimRng,
    attribute_rngs: Vec<SimRng>,
    category_rngs: Vec<SimRng>,
    generated: u64,
    /// Replay: next row. Timetable: slot of the pending arrival.
    cursor: usize,
}

#[derive(Debug)]
struct StationStats {
    arrivals: u64,
    departures: u64,
    queued: u64,
    rejected: u64,
    reneged: u64,
    wait: OnlineMoments,
    wait_hist: DurationHistogram,
    sojourn: OnlineMoments,
    sojourn_hist: DurationHistogram,
    queue_length: TimeWeighted,
    /// Most orders at the station at once. Its time average needs no
    /// accumulator of its own: it is the sum of the busy, blocked and queue
    /// averages.
    in_station_max: u32,
    busy: TimeWeighted,
    on_shift: TimeWeighted,
    overtime: TimeWeighted,
    blocked: TimeWeighted,
    available: TimeWeighted,
}

#[derive(Debug)]
struct StationState {
    /// Servers serving a job.
    busy: u32,
    /// Servers held by a finished job that cannot move on (blocked).
    held: u32,
    /// Servers on shift now (`u32::MAX` for infinitely many).
    on_shift: u32,
    up: bool,
    waiting: u32,
    /// One FIFO line per priority level, most urgent first.
    queues: Vec<VecDeque<EntityId>>,
    /// Orders waiting to enter a full station with blocking, with the
    /// station whose server each one holds.
    blocked: VecDeque<(EntityId, Option<u16>)>,
    service_rngs: Vec<SimRng>,
    patience_rng: SimRng,
    failure_rng: SimRng,
    repair_rng: SimRng,
    stats: StationStats,
    /// When recording: (class, time the job entered the station) of each
    /// job as its service starts, in start order.
    starts: Option<Vec<(u16, f64)>>,
}

impl StationState {
    /// Records a service start, if recording.
    #[inline(always)]
    fn log_start(&mut self, orders: &Orders, id: EntityId) {
        if let Some(log) = &mut self.starts {
            log.push((orders[id].class, orders[id].entered));
        }
    }

    #[inline]
    fn capacity(&self) -> u32 {
        if self.up { self.on_shift } else { 0 }
    }

    #[inline]
    fn server_free(&self) -> bool {
        self.busy + self.held < self.capacity()
    }

    fn in_station(&self) -> u32 {
        self.busy + self.held + self.waiting
    }

    /// Records a possible new maximum of orders at the station.
    #[inline(always)]
    fn note_in_station(&mut self) {
        let n = self.in_station();
        if n > self.stats.in_station_max {
            self.stats.in_station_max = n;
        }
    }
}

#[derive(Debug)]
struct DispatchState {
    held: VecDeque<EntityId>,
    arrivals: u64,
    departures: u64,
    vehicles: u64,
    wait: OnlineMoments,
    wait_hist: DurationHistogram,
    held_avg: TimeWeighted,
}

#[derive(Debug)]
struct SinkState {
    total: u64,
    count: u64,
    time_in_system: OnlineMoments,
}

#[derive(Debug)]
struct IntervalState {
    duration: OnlineMoments,
    hist: DurationHistogram,
}

#[derive(Debug)]
struct NetworkState {
    entered: u64,
    time_in_system: OnlineMoments,
    hist: DurationHistogram,
    in_system: TimeWeighted,
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
    model: &'m Model,
    seed: u64,
    replication: u64,
    calendar: EventCalendar<Event>,
    orders: Orders,
    sources: Vec<SourceState>,
    stations: Vec<StationState>,
    router_rngs: Vec<SimRng>,
    dispatches: Vec<DispatchState>,
    sinks: Vec<SinkState>,
    intervals: Vec<IntervalState>,
    network: NetworkState,
    series: Option<TimeSeries>,
    tax: TaxSummary,
    events: u64,
    observed_from: SimTime,
    /// Orders that left a station or vehicle at the current time, waiting to
    /// arrive at their next node once every completion and capacity change
    /// at this time is done.
    moving: VecDeque<(NodeId, EntityId)>,
}

impl StationStats {
    /// Statistics of an empty, working station with `on_shift` servers.
    fn new(now: SimTime, on_shift: u32) -> Self {
        let zero = TimeWeighted::new(now, 0.0);
        let on_shift = if on_shift == u32::MAX {
            0.0
        } else {
            f64::from(on_shift)
        };
        StationStats {
            arrivals: 0,
            departures: 0,
            queued: 0,
            rejected: 0,
            reneged: 0,
            wait: OnlineMoments::new(),
            wait_hist: DurationHistogram::new(),
            sojourn: OnlineMoments::new(),
            sojourn_hist: DurationHistogram::new(),
            queue_length: zero,
            in_station_max: 0,
            busy: zero,
            on_shift: TimeWeighted::new(now, on_shift),
            overtime: zero,
            blocked: zero,
            available: TimeWeighted::new(now, 1.0),
        }
    }

    fn restart(&mut self, now: SimTime) {
        self.arrivals = 0;
        self.departures = 0;
        self.queued = 0;
        self.rejected = 0;
        self.reneged = 0;
        self.wait = OnlineMoments::new();
        self.wait_hist.reset();
        self.sojourn = OnlineMoments::new();
        self.sojourn_hist.reset();
        for tw in [
            &mut self.queue_length,
            &mut self.busy,
            &mut self.on_shift,
            &mut self.overtime,
            &mut self.blocked,
            &mut self.available,
        ] {
            tw.restart(now);
        }
    }
}

impl<'m> Simulation<'m> {
    /// Replication `replication` of `model` under `seed`, at time zero.
    #[must_use]
    pub fn new(model: &'m Model, seed: u64, replication: u64) -> Self {
        let rng = |stream| stream_rng(seed, replication, stream);
        let start = SimTime::ZERO;
        let sources = model
            .sources
            .iter()
            .map(|s| SourceState {
                arrivals_rng: rng(s.arrivals_stream),
                classes_rng: rng(s.classes_stream),
                attribute_rngs: s.attribute_draws.iter().map(|d| rng(d.2)).collect(),
                category_rngs: s.category_draws.iter().map(|d| rng(d.2)).collect(),
                generated: 0,
                cursor: 0,
            })
            .collect();
        let stations = model
            .stations
            .iter()
            .map(|s| {
                let on_shift = match &s.shifts {
                    Some(p) => p.value_at(model.calendar.week_offset(start)),
                    None => s.capacity,
                };
                StationState {
                    busy: 0,
                    held: 0,
                    on_shift,
                    up: true,
                    waiting: 0,
                    queues: (0..s.levels).map(|_| VecDeque::with_capacity(16)).collect(),
                    blocked: VecDeque::new(),
                    service_rngs: s.service_streams.iter().map(|id| rng(*id)).collect(),
                    patience_rng: rng(s.patience_stream),
                    failure_rng: rng(s.failure_stream),
                    repair_rng: rng(s.repair_stream),
                    stats: StationStats::new(start, on_shift),
                    starts: None,
                }
            })
            .collect();
        let mut sim = Simulation {
            model,
            seed,
            replication,
            calendar: EventCalendar::new(),
            orders: Orders::new(model.milestones.len(), model.attributes.len()),
            sources,
            stations,
            router_rngs: model.routers.iter().map(|r| rng(r.stream)).collect(),
            dispatches: model
                .dispatches
                .iter()
                .map(|_| DispatchState {
                    held: VecDeque::new(),
                    arrivals: 0,
                    departures: 0,
                    vehicles: 0,
                    wait: OnlineMoments::new(),
                    wait_hist: DurationHistogram::new(),
                    held_avg: TimeWeighted::new(start, 0.0),
                })
                .collect(),
            sinks: model
                .sinks
                .iter()
                .map(|_| SinkState {
                    total: 0,
                    count: 0,
                    time_in_system: OnlineMoments::new(),
                })
                .collect(),
            intervals: model
                .intervals
                .iter()
                .map(|_| IntervalState {
                    duration: OnlineMoments::new(),
                    hist: DurationHistogram::new(),
                })
                .collect(),
            network: NetworkState {
                entered: 0,
                time_in_system: OnlineMoments::new(),
                hist: DurationHistogram::new(),
                in_system: TimeWeighted::new(start, 0.0),
            },
            tax: TaxSummary::default(),
            series: model.sample_every.map(|_| TimeSeries {
                times: Vec::new(),
                in_system: Vec::new(),
                stations: model
                    .stations
                    .iter()
                    .map(|s| StationSeries {
                        name: s.name.clone(),
                        ..StationSeries::default()
                    })
                    .collect(),
            }),
            events: 0,
            observed_from: start,
            moving: VecDeque::with_capacity(16),
        };
        sim.schedule_first_events();
        sim
    }

    fn schedule_first_events(&mut self) {
        let model = self.model;
        for k in 0..model.sources.len() {
            if let Some(t) = self.first_arrival(k) {
                self.calendar.schedule(
                    SimTime::from_secs(t),
                    EventClass::Arrival,
                    Event::Arrival { source: k as u16 },
                );
            }
        }
        let w0 = model.calendar.week_offset(SimTime::ZERO);
        for (i, s) in model.stations.iter().enumerate() {
            let station = i as u16;
            if let Some(p) = &s.shifts
                && let Some(dt) = p.next_change(w0)
            {
                self.calendar.schedule(
                    SimTime::from_secs(dt),
                    EventClass::Capacity,
                    Event::ShiftChange { station },
                );
            }
            if let Some((up, _)) = &s.breakdowns {
                let t = up.sample(&mut self.stations[i].failure_rng) * 3600.0;
                self.calendar.schedule(
                    SimTime::from_secs(t),
                    EventClass::Capacity,
                    Event::Failure { station },
                );
            }
        }
        for (i, d) in model.dispatches.iter().enumerate() {
            if !d.slots.is_empty() {
                let (dt, _) = next_slot(&d.slots, w0, true);
                self.calendar.schedule(
                    SimTime::from_secs(dt),
                    EventClass::Release,
                    Event::Departure { dispatch: i as u16 },
                );
            }
        }
        if model.warmup > SimTime::ZERO {
            self.calendar
                .schedule(model.warmup, EventClass::Observe, Event::WarmupEnd);
        }
        if model.sample_every.is_some() {
            self.calendar
                .schedule(SimTime::ZERO, EventClass::Observe, Event::Sample);
        }
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
        let (now, event) = self.calendar.pop()?;
        self.events += 1;
        let t = now.secs();
        match event {
            Event::Arrival { source } => self.arrival(source as usize, t),
            Event::ServiceEnd { station, order } => self.service_end(station as usize, order, t),
            Event::Renege { station, order } => self.renege(station as usize, order, t),
            Event::ShiftChange { station } => self.shift_change(station as usize, t),
            Event::Failure { station } => self.failure(station as usize, t),
            Event::Repair { station } => self.repair(station as usize, t),
            Event::Departure { dispatch } => self.scheduled_departure(dispatch as usize, t),
            Event::Sample => self.sample(t),
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
                    self.arrive(to, id, t);
                }
            }
        }
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
        self.calendar.advance_to(t);
    }

    /// Runs to the model's horizon (or, without one, until no event is
    /// left) and summarises the run.
    pub fn run(mut self) -> RunSummary {
        let stop = match self.model.horizon {
            Some(h) => {
                self.run_until(h);
                StopReason::Horizon
            }
            None => {
                while self.step().is_some() {}
                StopReason::Drained
            }
        };
        self.summary_with(stop)
    }

    /// Summarises the run so far, as if it stopped now.
    pub fn summary(&self) -> RunSummary {
        self.summary_with(StopReason::Paused)
    }

    #[inline(never)]
    fn restart_statistics(&mut self, now: SimTime) {
        self.observed_from = now;
        for s in &mut self.stations {
            s.stats.restart(now);
            s.stats.in_station_max = s.in_station();
        }
        for d in &mut self.dispatches {
            d.arrivals = 0;
            d.departures = 0;
            d.vehicles = 0;
            d.wait = OnlineMoments::new();
            d.wait_hist.reset();
            d.held_avg.restart(now);
        }
        for s in &mut self.sinks {
            s.count = 0;
            s.time_in_system = OnlineMoments::new();
        }
        for i in &mut self.intervals {
            i.duration = OnlineMoments::new();
            i.hist.reset();
        }
        let n = &mut self.network;
        n.entered = 0;
        n.time_in_system = OnlineMoments::new();
        n.hist.reset();
        n.in_system.restart(now);
        self.tax = TaxSummary::default();
    }

    #[inline(never)]
    fn sample(&mut self, t: f64) {
        let Some(series) = &mut self.series else {
            return;
        };
        series.times.push(t);
        series.in_system.push(self.orders.live() as u32);
        for (s, st) in series.stations.iter_mut().zip(&self.stations) {
            s.queue.push(st.waiting);
            s.in_station.push(st.in_station());
        }
        let every = self
            .model
            .sample_every
            .expect("series only with an interval")
            .secs();
        self.calendar.schedule(
            SimTime::from_secs(t + every),
            EventClass::Observe,
            Event::Sample,
        );
    }

    // ----- sources -------------------------------------------------------

    fn first_arrival(&mut self, k: usize) -> Option<f64> {
        let src = &self.model.sources[k];
        let st = &mut self.sources[k];
        match &src.process {
            ArrivalProcess::Poisson { interarrival } => {
                Some(interarrival.sample(&mut st.arrivals_rng))
            }
            ArrivalProcess::Profile(p) => p.next(0.0, &mut st.arrivals_rng),
            ArrivalProcess::Timetable { offsets, .. } => {
                let (dt, idx) = next_slot(
                    offsets,
                    self.model.calendar.week_offset(SimTime::ZERO),
                    true,
                );
                st.cursor = idx;
                Some(dt)
            }
            ArrivalProcess::Replay { log, .. } => log.rows.first().map(|r| r.time),
        }
    }

    fn arrival(&mut self, k: usize, now: f64) {
        let model = self.model;
        let src = &model.sources[k];
        let next = match &src.process {
            ArrivalProcess::Poisson { interarrival } => {
                self.create_order(k, None, now);
                Some(now + interarrival.sample(&mut self.sources[k].arrivals_rng))
            }
            ArrivalProcess::Profile(p) => {
                self.create_order(k, None, now);
                p.next(now, &mut self.sources[k].arrivals_rng)
            }
            ArrivalProcess::Timetable { offsets, batches } => {
                let st = &mut self.sources[k];
                let size = batches[st.cursor].sample(&mut st.arrivals_rng).round() as u64;
                for _ in 0..size {
                    if self.sources[k].generated >= src.max_arrivals {
                        break;
                    }
                    self.create_order(k, None, now);
                }
                let w = model.calendar.week_offset(SimTime::from_secs(now));
                let (dt, idx) = next_slot(offsets, w, false);
                self.sources[k].cursor = idx;
                Some(now + dt)
            }
            ArrivalProcess::Replay { log, .. } => {
                let row = self.sources[k].cursor;
                self.create_order(k, Some(row), now);
                self.sources[k].cursor += 1;
                log.rows.get(row + 1).map(|r| r.time)
            }
        };
        if let Some(t) = next
            && self.sources[k].generated < src.max_arrivals
        {
            self.calendar.schedule(
                SimTime::from_secs(t),
                EventClass::Arrival,
                Event::Arrival { source: k as u16 },
            );
        }
    }

    /// Creates one order at source `k` (from replay row `row`, if any) and
    /// sends it on its way.
    #[inline(always)]
    fn create_order(&mut self, k: usize, row: Option<usize>, now: f64) {
        let src = &self.model.sources[k];
        let st = &mut self.sources[k];
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
        let id = self.orders.create(class, now);
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
        let net = &mut self.network;
        net.entered += 1;
        net.in_system
            .update(SimTime::from_secs(now), self.orders.live() as f64);
        let target = self.resolve(src.to, id, now);
        self.arrive(target, id, now);
    }

    // ----- moving between nodes ----------------------------------------------

    /// Stamps milestones and bumps counters for an order entering `node`.
    #[inline(always)]
    fn on_entry(&mut self, node: NodeId, id: EntityId, now: f64) {
        let model = self.model;
        self.mark(&model.nodes[node.0 as usize], id, now);
    }

    #[inline(always)]
    fn mark(&mut self, info: &NodeInfo, id: EntityId, now: f64) {
        if !info.marks {
            return;
        }
        if let Some(m) = info.milestone {
            self.stamp(id, m, now);
        }
        if let Some(a) = info.increment {
            *self.orders.attribute_mut(id, a) += 1.0;
        }
    }

    /// Follows routers (zero time) from `node` to a station, dispatch point or sink.
    #[inline(always)]
    fn resolve(&mut self, mut node: NodeId, id: EntityId, now: f64) -> NodeId {
        while let NodeKind::Router(r) = self.model.nodes[node.0 as usize].kind {
            self.on_entry(node, id, now);
            node = self.route(r, id);
        }
        node
    }

    /// Order `id` arrives at `node` (never a router) from outside a station.
    #[inline(always)]
    fn arrive(&mut self, node: NodeId, id: EntityId, now: f64) {
        let model = self.model;
        let info = &model.nodes[node.0 as usize];
        match info.kind {
            NodeKind::Station(s) => {
                // With blocking anywhere, a plain station may hold servers
                // for blocked orders, so it takes the general path.
                if model.stations[s].plain && !model.any_blocking {
                    self.mark(info, id, now);
                    self.accept_plain(s, id, now);
                } else if self.has_room(s) {
                    self.mark(info, id, now);
                    self.accept(s, id, now);
                } else {
                    self.overflow(s, id, now, None);
                }
            }
            NodeKind::Sink(k) => {
                self.mark(info, id, now);
                self.absorb(k, id, now);
            }
            NodeKind::Dispatch(d) => {
                self.mark(info, id, now);
                self.dispatch_arrival(d, id, now);
            }
            NodeKind::Router(_) | NodeKind::Source(_) => unreachable!("resolved before arriving"),
        }
    }

    #[inline(never)]
    fn stamp(&mut self, id: EntityId, m: u16, now: f64) {
        if self.orders.stamp(id, m, now) {
            if let Some(tax) = &self.model.tax
                && tax.milestone == m
            {
                let category = self.orders.attribute(id, tax.category) as usize;
                self.tax.orders += 1;
                self.tax.total_cny += self.orders.attribute(id, tax.value) * tax.rates[category];
            }
            for &(iv, from) in &self.model.interval_ends[m as usize] {
                let start = self.orders.milestone(id, from);
                if !start.is_nan() {
                    let d = SimTime::from_secs(now - start);
                    let st = &mut self.intervals[iv];
                    st.duration.push(d.secs());
                    st.hist.record(d);
                }
            }
        }
    }

    #[inline(always)]
    fn route(&mut self, r: usize, id: EntityId) -> NodeId {
        let router = &self.model.routers[r];
        for rule in &router.rules {
            let lhs: f64 = rule
                .terms
                .iter()
                .map(|&a| self.orders.attribute(id, a))
                .sum();
            if rule.op.holds(lhs, rule.value) {
                return rule.to;
            }
        }
        let class = self.orders[id].class as usize;
        let branches = router.by_class[class].as_ref().unwrap_or(&router.default);
        if branches.len() == 1 {
            return branches[0].1;
        }
        let u: f64 = self.router_rngs[r].random();
        branches
            .iter()
            .find(|(c, _)| u < *c)
            .expect("last probability is +inf")
            .1
    }

    // ----- stations ------------------------------------------------------

    #[inline(always)]
    fn has_room(&self, s: usize) -> bool {
        let st = &self.stations[s];
        st.server_free() || st.waiting < self.model.stations[s].queue_capacity
    }

    /// Whether an order sent to `node` now would be blocked there.
    #[inline(always)]
    fn blocks(&self, node: NodeId) -> bool {
        match self.model.nodes[node.0 as usize].kind {
            NodeKind::Station(s) => {
                self.model.stations[s].overflow == OverflowTarget::Block && !self.has_room(s)
            }
            _ => false,
        }
    }

    /// Order `id` finds station `s` full; `upstream` holds a server for it
    /// if it comes straight from one.
    #[inline(never)]
    fn overflow(&mut self, s: usize, id: EntityId, now: f64, upstream: Option<u16>) {
        match self.model.stations[s].overflow {
            OverflowTarget::Reject(to) => {
                self.stations[s].stats.rejected += 1;
                let target = self.resolve(to, id, now);
                self.arrive(target, id, now);
            }
            OverflowTarget::Block => self.stations[s].blocked.push_back((id, upstream)),
            OverflowTarget::None => unreachable!("a station without a limit always has room"),
        }
    }

    /// Order `id` enters a plain station `s` (fixed servers, FIFO, no
    /// limit, no patience, no failures) in a model where nothing blocks:
    /// the general rules, with every check that cannot apply left out.
    #[inline(always)]
    fn accept_plain(&mut self, s: usize, id: EntityId, now: f64) {
        let node = &self.model.stations[s];
        let st = &mut self.stations[s];
        let t = SimTime::from_secs(now);
        self.orders[id].entered = now;
        st.stats.arrivals += 1;
        if st.busy < node.capacity {
            st.busy += 1;
            st.stats.busy.update(t, f64::from(st.busy));
            let units = node.scaled_by.map_or(1.0, |a| self.orders.attribute(id, a));
            st.log_start(&self.orders, id);
            serve(&mut self.calendar, node, st, s, id, now, 0.0, units);
        } else {
            st.queues[0].push_back(id);
            st.waiting += 1;
            st.stats.queued += 1;
            st.stats.queue_length.update(t, f64::from(st.waiting));
        }
        st.note_in_station();
    }

    /// A service ends at a plain station `s` (see [`Self::accept_plain`]).
    #[inline(always)]
    fn service_end_plain(&mut self, s: usize, id: EntityId, now: f64) {
        let node = &self.model.stations[s];
        let st = &mut self.stations[s];
        let t = SimTime::from_secs(now);
        st.stats.departures += 1;
        let sojourn = now - self.orders[id].entered;
        st.stats.sojourn.push(sojourn);
        st.stats.sojourn_hist.record(SimTime::from_secs(sojourn));
        if let Some(next) = st.queues[0].pop_front() {
            st.waiting -= 1;
            st.stats.queue_length.update(t, f64::from(st.waiting));
            let wait = now - self.orders[next].entered;
            let units = node
                .scaled_by
                .map_or(1.0, |a| self.orders.attribute(next, a));
            st.log_start(&self.orders, next);
            serve(&mut self.calendar, node, st, s, next, now, wait, units);
        } else {
            st.busy -= 1;
            st.stats.busy.update(t, f64::from(st.busy));
        }
        let target = self.resolve(node.to, id, now);
        self.moving.push_back((target, id));
    }

    /// Order `id` enters station `s`, which has room.
    #[inline(always)]
    fn accept(&mut self, s: usize, id: EntityId, now: f64) {
        let t = SimTime::from_secs(now);
        self.orders[id].entered = now;
        let st = &mut self.stations[s];
        st.stats.arrivals += 1;
        if st.server_free() {
            self.start_service(s, id, now, 0.0);
        } else {
            let node = &self.model.stations[s];
            let st = &mut self.stations[s];
            let level = node.class_level[self.orders[id].class as usize] as usize;
            st.queues[level].push_back(id);
            st.waiting += 1;
            st.stats.queued += 1;
            st.stats.queue_length.update(t, f64::from(st.waiting));
            if let Some((patience, _)) = &node.patience {
                let deadline = now + patience.sample(&mut st.patience_rng) * 60.0;
                self.orders[id].renege_at = deadline;
                self.calendar.schedule(
                    SimTime::from_secs(deadline),
                    EventClass::Release,
                    Event::Renege {
                        station: s as u16,
                        order: id,
                    },
                );
            }
        }
        let st = &mut self.stations[s];
        st.note_in_station();
    }

    /// A free server of `s` takes order `id`, which waited `wait` seconds.
    #[inline(always)]
    fn start_service(&mut self, s: usize, id: EntityId, now: f64, wait: f64) {
        let st = &mut self.stations[s];
        let t = SimTime::from_secs(now);
        st.busy += 1;
        st.stats.busy.update(t, f64::from(st.busy));
        if st.busy > st.on_shift {
            st.stats
                .overtime
                .update(t, f64::from(st.busy - st.on_shift));
        }
        self.begin_service(s, id, now, wait);
    }

    /// Order `id` starts service at `s` on a server already counted busy.
    #[inline(always)]
    fn begin_service(&mut self, s: usize, id: EntityId, now: f64, wait: f64) {
        let node = &self.model.stations[s];
        if node.patience.is_some() {
            self.orders[id].renege_at = f64::NAN;
        }
        let units = node.scaled_by.map_or(1.0, |a| self.orders.attribute(id, a));
        self.stations[s].log_start(&self.orders, id);
        serve(
            &mut self.calendar,
            node,
            &mut self.stations[s],
            s,
            id,
            now,
            wait,
            units,
        );
    }

    #[inline]
    fn pop_waiting(&mut self, s: usize) -> Option<EntityId> {
        let st = &mut self.stations[s];
        let id = if st.queues.len() == 1 {
            st.queues[0].pop_front()?
        } else {
            st.queues.iter_mut().find_map(VecDeque::pop_front)?
        };
        st.waiting -= 1;
        Some(id)
    }

    /// Starts waiting jobs on free servers, then lets blocked orders in while there is room.
    #[inline(never)]
    fn fill(&mut self, s: usize, now: f64) {
        let t = SimTime::from_secs(now);
        while self.stations[s].server_free() {
            let Some(next) = self.pop_waiting(s) else {
                break;
            };
            let st = &mut self.stations[s];
            st.stats.queue_length.update(t, f64::from(st.waiting));
            let wait = now - self.orders[next].entered;
            self.start_service(s, next, now, wait);
        }
        self.admit_blocked(s, now);
        let st = &mut self.stations[s];
        st.note_in_station();
    }

    /// Lets orders blocked outside `s` in while there is room, releasing
    /// the servers they held upstream.
    #[inline(never)]
    fn admit_blocked(&mut self, s: usize, now: f64) {
        while !self.stations[s].blocked.is_empty() && self.has_room(s) {
            let (id, upstream) = self.stations[s].blocked.pop_front().expect("non-empty");
            self.on_entry(self.model.stations[s].node, id, now);
            self.accept(s, id, now);
            if let Some(u) = upstream {
                self.release_held(u as usize, now);
            }
        }
    }

    /// A server of `s` held by a blocked order is let go.
    #[inline(never)]
    fn release_held(&mut self, s: usize, now: f64) {
        let st = &mut self.stations[s];
        st.held -= 1;
        st.stats
            .blocked
            .update(SimTime::from_secs(now), f64::from(st.held));
        self.fill(s, now);
    }

    #[inline]
    fn service_end(&mut self, s: usize, id: EntityId, now: f64) {
        if self.model.stations[s].plain && !self.model.any_blocking {
            return self.service_end_plain(s, id, now);
        }
        let t = SimTime::from_secs(now);
        let st = &mut self.stations[s];
        st.stats.departures += 1;
        let sojourn = now - self.orders[id].entered;
        st.stats.sojourn.push(sojourn);
        st.stats.sojourn_hist.record(SimTime::from_secs(sojourn));
        let target = self.resolve(self.model.stations[s].to, id, now);
        if self.model.any_blocking && self.blocks(target) {
            let NodeKind::Station(b) = self.model.nodes[target.0 as usize].kind else {
                unreachable!("only stations block")
            };
            let st = &mut self.stations[s];
            st.busy -= 1;
            st.held += 1;
            st.stats.busy.update(t, f64::from(st.busy));
            st.stats
                .overtime
                .update(t, f64::from(st.busy.saturating_sub(st.on_shift)));
            st.stats.blocked.update(t, f64::from(st.held));
            self.stations[b].blocked.push_back((id, Some(s as u16)));
            return;
        }
        // The freed server takes the next waiting job at once, unless it
        // is off shift or the station is down.
        let st = &self.stations[s];
        let next = if st.busy + st.held <= st.capacity() {
            self.pop_waiting(s)
        } else {
            None
        };
        let st = &mut self.stations[s];
        if let Some(next) = next {
            st.stats.queue_length.update(t, f64::from(st.waiting));
            let wait = now - self.orders[next].entered;
            self.begin_service(s, next, now, wait);
        } else {
            let was_overtime = st.busy > st.on_shift;
            st.busy -= 1;
            st.stats.busy.update(t, f64::from(st.busy));
            if was_overtime {
                st.stats
                    .overtime
                    .update(t, f64::from(st.busy.saturating_sub(st.on_shift)));
            }
        }
        if !self.stations[s].blocked.is_empty() {
            self.admit_blocked(s, now);
        }
        let st = &mut self.stations[s];
        st.note_in_station();
        self.moving.push_back((target, id));
    }

    #[inline(never)]
    fn renege(&mut self, s: usize, id: EntityId, now: f64) {
        // The order's deadline is this event's time only if it is still
        // waiting here: service start clears it, and a reused slot carries
        // another order's deadline.
        if self.orders[id].renege_at != now {
            return;
        }
        let node = &self.model.stations[s];
        let level = node.class_level[self.orders[id].class as usize] as usize;
        let st = &mut self.stations[s];
        let Some(pos) = st.queues[level].iter().position(|x| *x == id) else {
            return;
        };
        st.queues[level].remove(pos);
        st.waiting -= 1;
        st.stats.reneged += 1;
        let t = SimTime::from_secs(now);
        st.stats.queue_length.update(t, f64::from(st.waiting));
        st.note_in_station();
        self.orders[id].renege_at = f64::NAN;
        let (_, to) = node.patience.as_ref().expect("reneging needs patience");
        let target = self.resolve(*to, id, now);
        self.fill(s, now);
        self.moving.push_back((target, id));
    }

    #[inline(never)]
    fn shift_change(&mut self, s: usize, now: f64) {
        let profile = self.model.stations[s]
            .shifts
            .as_ref()
            .expect("shift events only with shifts");
        // Evaluate just past the boundary, so rounding cannot land us on the old value.
        let w = self.model.calendar.week_offset(SimTime::from_secs(now)) + 1e-3;
        let st = &mut self.stations[s];
        let t = SimTime::from_secs(now);
        st.on_shift = profile.value_at(w % WEEK_SECS);
        st.stats.on_shift.update(t, f64::from(st.on_shift));
        st.stats
            .overtime
            .update(t, f64::from(st.busy.saturating_sub(st.on_shift)));
        if let Some(dt) = profile.next_change(w % WEEK_SECS) {
            self.calendar.schedule(
                SimTime::from_secs(now + 1e-3 + dt),
                EventClass::Capacity,
                Event::ShiftChange { station: s as u16 },
            );
        }
        self.fill(s, now);
    }

    #[inline(never)]
    fn failure(&mut self, s: usize, now: f64) {
        let (_, repair) = self.model.stations[s]
            .breakdowns
            .as_ref()
            .expect("failures only with breakdowns");
        let st = &mut self.stations[s];
        st.up = false;
        st.stats.available.update(SimTime::from_secs(now), 0.0);
        let d = repair.sample(&mut st.repair_rng) * 60.0;
        self.calendar.schedule(
            SimTime::from_secs(now + d),
            EventClass::Capacity,
            Event::Repair { station: s as u16 },
        );
    }

    #[inline(never)]
    fn repair(&mut self, s: usize, now: f64) {
        let (up, _) = self.model.stations[s]
            .breakdowns
            .as_ref()
            .expect("repairs only with breakdowns");
        let st = &mut self.stations[s];
        st.up = true;
        st.stats.available.update(SimTime::from_secs(now), 1.0);
        let d = up.sample(&mut st.failure_rng) * 3600.0;
        self.calendar.schedule(
            SimTime::from_secs(now + d),
            EventClass::Capacity,
            Event::Failure { station: s as u16 },
        );
        self.fill(s, now);
    }

    // ----- dispatch points and sinks --------------------------------------

    #[inline(never)]
    fn dispatch_arrival(&mut self, d: usize, id: EntityId, now: f64) {
        self.orders[id].entered = now;
        let st = &mut self.dispatches[d];
        st.arrivals += 1;
        st.held.push_back(id);
        st.held_avg
            .update(SimTime::from_secs(now), st.held.len() as f64);
        if let Some(b) = self.model.dispatches[d].batch_size
            && st.held.len() >= b as usize
        {
            self.depart(d, b as usize, now);
        }
    }

    #[inline(never)]
    fn scheduled_departure(&mut self, d: usize, now: f64) {
        let node = &self.model.dispatches[d];
        let n = self.dispatches[d].held.len().min(node.capacity as usize);
        self.depart(d, n, now);
        let w = self.model.calendar.week_offset(SimTime::from_secs(now));
        let (dt, _) = next_slot(&node.slots, w, false);
        self.calendar.schedule(
            SimTime::from_secs(now + dt),
            EventClass::Release,
            Event::Departure { dispatch: d as u16 },
        );
    }

    /// A vehicle leaves dispatch point `d` with its `n` oldest parcels.
    #[inline(never)]
    fn depart(&mut self, d: usize, n: usize, now: f64) {
        if n == 0 {
            return;
        }
        let to = self.model.dispatches[d].to;
        self.dispatches[d].vehicles += 1;
        for _ in 0..n {
            let st = &mut self.dispatches[d];
            let id = st.held.pop_front().expect("n parcels are waiting");
            let wait = now - self.orders[id].entered;
            st.wait.push(wait);
            st.wait_hist.record(SimTime::from_secs(wait));
            st.departures += 1;
            let target = self.resolve(to, id, now);
            self.moving.push_back((target, id));
        }
        let st = &mut self.dispatches[d];
        st.held_avg
            .update(SimTime::from_secs(now), st.held.len() as f64);
    }

    #[inline(always)]
    fn absorb(&mut self, k: usize, id: EntityId, now: f64) {
        let tis = now - self.orders[id].created;
        let sink = &mut self.sinks[k];
        sink.total += 1;
        sink.count += 1;
        sink.time_in_system.push(tis);
        self.orders.remove(id);
        let net = &mut self.network;
        net.time_in_system.push(tis);
        net.hist.record(SimTime::from_secs(tis));
        net.in_system
            .update(SimTime::from_secs(now), self.orders.live() as f64);
    }

    fn summary_with(&self, stop: StopReason) -> RunSummary {
        let now = self.calendar.now();
        let m = self.model;
        RunSummary {
            seed: self.seed,
            replication: self.replication,
            stop,
            end_time: now,
            warmup: self.observed_from,
            events: self.events,
            stations: m
                .stations
                .iter()
                .zip(&self.stations)
                .map(|(node, st)| StationSummary {
                    name: node.name.clone(),
                    servers: node.servers.count(),
                    arrivals: st.stats.arrivals,
                    departures: st.stats.departures,
                    queued: st.stats.queued,
                    wait: st.stats.wait,
                    wait_hist: st.stats.wait_hist.clone(),
                    sojourn: st.stats.sojourn,
                    sojourn_hist: st.stats.sojourn_hist.clone(),
                    queue_length: st.stats.queue_length.finish(now),
                    in_station: {
                        let (b, h, q) = (
                            st.stats.busy.finish(now),
                            st.stats.blocked.finish(now),
                            st.stats.queue_length.finish(now),
                        );
                        TimeAverage {
                            area: b.area + h.area + q.area,
                            duration: b.duration,
                            max: f64::from(st.stats.in_station_max),
                        }
                    },
                    busy: st.stats.busy.finish(now),
                    on_shift: st.stats.on_shift.finish(now),
                    overtime: st.stats.overtime.finish(now),
                    blocked: st.stats.blocked.finish(now),
                    available: st.stats.available.finish(now),
                    rejected: st.stats.rejected,
                    reneged: st.stats.reneged,
                })
                .collect(),
            dispatches: m
                .dispatches
                .iter()
                .zip(&self.dispatches)
                .map(|(node, st)| DispatchSummary {
                    name: node.name.clone(),
                    arrivals: st.arrivals,
                    departures: st.departures,
                    vehicles: st.vehicles,
                    wait: st.wait,
                    wait_hist: st.wait_hist.clone(),
                    held: st.held_avg.finish(now),
                })
                .collect(),
            sinks: m
                .sinks
                .iter()
                .zip(&self.sinks)
                .map(|(node, st)| SinkSummary {
                    name: node.name.clone(),
                    count: st.count,
                    time_in_system: st.time_in_system,
                })
                .collect(),
            intervals: m
                .intervals
                .iter()
                .zip(&self.intervals)
                .map(|(name, st)| IntervalSummary {
                    name: name.clone(),
                    duration: st.duration,
                    duration_hist: st.hist.clone(),
                })
                .collect(),
            network: NetworkSummary {
                entered: self.network.entered,
                time_in_system: self.network.time_in_system,
                time_in_system_hist: self.network.hist.clone(),
                in_system: self.network.in_system.finish(now),
            },
            conservation: Conservation {
                entered: self.orders.created_count(),
                by_sink: self.sinks.iter().map(|s| s.total).collect(),
                in_system: self.orders.live() as u64,
            },
            series: self.series.clone(),
            tax: m.tax.as_ref().map(|_| self.tax),
            report: m.report.clone(),
        }
    }
}

/// A service time at `node`, in seconds, from the station's own streams.
#[inline(always)]
fn draw_service(node: &StationNode, st: &mut StationState) -> f64 {
    let d = match &node.service {
        ServiceTime::One(dist) => dist.sample(&mut st.service_rngs[0]),
        ServiceTime::LatestOf(parts) => parts
            .iter()
            .zip(&mut st.service_rngs)
            .map(|(p, rng)| p.sample(rng))
            .fold(0.0, f64::max),
    };
    d * node.service_scale
}

/// Order `order` starts service at station `station` after waiting `wait`
/// seconds: the wait is recorded and its service end scheduled, after a
/// service time multiplied by `units`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn serve(
    calendar: &mut EventCalendar<Event>,
    node: &StationNode,
    st: &mut StationState,
    station: usize,
    order: EntityId,
    now: f64,
    wait: f64,
    units: f64,
) {
    st.stats.wait.push(wait);
    st.stats.wait_hist.record(SimTime::from_secs(wait));
    let d = draw_service(node, st) * units;
    calendar.schedule(
        SimTime::from_secs(now + d),
        EventClass::Release,
        Event::ServiceEnd {
            station: station as u16,
            order,
        },
    );
}
