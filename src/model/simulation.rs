use super::order::Orders;
use super::summary::{
    Conservation, IntervalSummary, NetworkSummary, RunSummary, SinkSummary, StationSummary,
};
use super::{Model, NodeId, NodeKind};
use crate::engine::{EntityId, EventCalendar, EventClass};
use crate::rng::{SimRng, stream_rng};
use crate::stats::{DurationHistogram, OnlineMoments, TimeWeighted};
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
    WarmupEnd,
}

#[derive(Debug)]
struct SourceState {
    arrivals_rng: SimRng,
    classes_rng: SimRng,
    generated: u64,
}

#[derive(Debug)]
struct StationStats {
    arrivals: u64,
    departures: u64,
    queued: u64,
    wait: OnlineMoments,
    wait_hist: DurationHistogram,
    sojourn: OnlineMoments,
    sojourn_hist: DurationHistogram,
    queue_length: TimeWeighted,
    in_station: TimeWeighted,
    busy: TimeWeighted,
}

#[derive(Debug)]
struct StationState {
    busy: u32,
    queue: VecDeque<EntityId>,
    rng: SimRng,
    stats: StationStats,
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
    sinks: Vec<SinkState>,
    intervals: Vec<IntervalState>,
    network: NetworkState,
    events: u64,
    observed_from: SimTime,
    /// Orders whose service ended at the current time, waiting to move on
    /// once every completion and capacity change at this time is done.
    moving: VecDeque<(NodeId, EntityId)>,
}

impl StationStats {
    fn new(now: SimTime, busy: u32, queued: usize) -> Self {
        StationStats {
            arrivals: 0,
            departures: 0,
            queued: 0,
            wait: OnlineMoments::new(),
            wait_hist: DurationHistogram::new(),
            sojourn: OnlineMoments::new(),
            sojourn_hist: DurationHistogram::new(),
            queue_length: TimeWeighted::new(now, queued as f64),
            in_station: TimeWeighted::new(now, f64::from(busy) + queued as f64),
            busy: TimeWeighted::new(now, f64::from(busy)),
        }
    }

    fn restart(&mut self, now: SimTime) {
        self.arrivals = 0;
        self.departures = 0;
        self.queued = 0;
        self.wait = OnlineMoments::new();
        self.wait_hist.reset();
        self.sojourn = OnlineMoments::new();
        self.sojourn_hist.reset();
        self.queue_length.restart(now);
        self.in_station.restart(now);
        self.busy.restart(now);
    }
}

impl<'m> Simulation<'m> {
    /// Replication `replication` of `model` under `seed`, at time zero.
    #[must_use]
    pub fn new(model: &'m Model, seed: u64, replication: u64) -> Self {
        let rng = |stream| stream_rng(seed, replication, stream);
        let mut calendar = EventCalendar::new();
        let mut sources = Vec::with_capacity(model.sources.len());
        for (i, s) in model.sources.iter().enumerate() {
            let mut arrivals_rng = rng(s.arrivals_stream);
            let first = s.interarrival.sample(&mut arrivals_rng);
            calendar.schedule(
                SimTime::from_secs(first),
                EventClass::Arrival,
                Event::Arrival { source: i as u16 },
            );
            sources.push(SourceState {
                arrivals_rng,
                classes_rng: rng(s.classes_stream),
                generated: 0,
            });
        }
        if model.warmup > SimTime::ZERO {
            calendar.schedule(model.warmup, EventClass::Observe, Event::WarmupEnd);
        }
        let stations = model
            .stations
            .iter()
            .map(|s| StationState {
                busy: 0,
                queue: VecDeque::with_capacity(16),
                rng: rng(s.service_stream),
                stats: StationStats::new(SimTime::ZERO, 0, 0),
            })
            .collect();
        Simulation {
            model,
            seed,
            replication,
            calendar,
            orders: Orders::new(model.milestones.len()),
            sources,
            stations,
            router_rngs: model.routers.iter().map(|r| rng(r.stream)).collect(),
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
                in_system: TimeWeighted::new(SimTime::ZERO, 0.0),
            },
            events: 0,
            observed_from: SimTime::ZERO,
            moving: VecDeque::with_capacity(16),
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

    /// Processes the next event, if any, and returns its time.
    pub fn step(&mut self) -> Option<SimTime> {
        let (now, event) = self.calendar.pop()?;
        self.events += 1;
        match event {
            Event::Arrival { source } => self.arrival(source as usize, now.secs()),
            Event::ServiceEnd { station, order } => {
                self.service_end(station as usize, order, now.secs())
            }
            Event::WarmupEnd => self.restart_statistics(now),
        }
        if !self.moving.is_empty() {
            // Completions and capacity changes at `now` all happen before any
            // order arrives anywhere at `now` (see the crate docs).
            let more_first = matches!(
                self.calendar.peek(),
                Some((t, class)) if t == now && class <= EventClass::Capacity
            );
            if !more_first {
                let t = now.secs();
                while let Some((to, id)) = self.moving.pop_front() {
                    self.enter(to, id, t);
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

    fn restart_statistics(&mut self, now: SimTime) {
        self.observed_from = now;
        for s in &mut self.stations {
            s.stats.restart(now);
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
    }

    fn arrival(&mut self, k: usize, now: f64) {
        let src = &self.model.sources[k];
        let st = &mut self.sources[k];
        st.generated += 1;
        let class = if src.class_cum.len() == 1 {
            src.class_cum[0].1
        } else {
            let u: f64 = st.classes_rng.random();
            src.class_cum
                .iter()
                .find(|(c, _)| u < *c)
                .expect("last share is +inf")
                .1
        };
        if st.generated < src.max_arrivals {
            let gap = src.interarrival.sample(&mut st.arrivals_rng);
            self.calendar.schedule(
                SimTime::from_secs(now + gap),
                EventClass::Arrival,
                Event::Arrival { source: k as u16 },
            );
        }
        let id = self.orders.create(class, now);
        let net = &mut self.network;
        net.entered += 1;
        net.in_system
            .update(SimTime::from_secs(now), self.orders.live() as f64);
        self.enter(src.to, id, now);
    }

    /// Moves order `id` into `node`, passing through routers at once.
    #[inline]
    fn enter(&mut self, mut node: NodeId, id: EntityId, now: f64) {
        let model = self.model;
        loop {
            let info = &model.nodes[node.0 as usize];
            if let Some(m) = info.milestone {
                self.stamp(id, m, now);
            }
            match info.kind {
                NodeKind::Station(s) => return self.station_arrival(s, id, now),
                NodeKind::Router(r) => node = self.route(r, id),
                NodeKind::Sink(k) => return self.absorb(k, id, now),
                NodeKind::Source(_) => unreachable!("validated: nothing routes into a source"),
            }
        }
    }

    fn stamp(&mut self, id: EntityId, m: u16, now: f64) {
        if self.orders.stamp(id, m, now) {
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

    #[inline]
    fn route(&mut self, r: usize, id: EntityId) -> NodeId {
        let router = &self.model.routers[r];
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

    #[inline]
    fn station_arrival(&mut self, s: usize, id: EntityId, now: f64) {
        let node = &self.model.stations[s];
        let st = &mut self.stations[s];
        let t = SimTime::from_secs(now);
        st.stats.arrivals += 1;
        self.orders[id].entered = now;
        if st.busy < node.capacity {
            st.busy += 1;
            st.stats.busy.update(t, f64::from(st.busy));
            st.stats.wait.push(0.0);
            st.stats.wait_hist.record(SimTime::ZERO);
            let d = node.service.sample(&mut st.rng) * node.service_scale;
            self.calendar.schedule(
                SimTime::from_secs(now + d),
                EventClass::Release,
                Event::ServiceEnd {
                    station: s as u16,
                    order: id,
                },
            );
        } else {
            st.queue.push_back(id);
            st.stats.queued += 1;
            st.stats.queue_length.update(t, st.queue.len() as f64);
        }
        st.stats
            .in_station
            .update(t, f64::from(st.busy) + st.queue.len() as f64);
    }

    #[inline]
    fn service_end(&mut self, s: usize, id: EntityId, now: f64) {
        let node = &self.model.stations[s];
        let st = &mut self.stations[s];
        let t = SimTime::from_secs(now);
        st.stats.departures += 1;
        let sojourn = now - self.orders[id].entered;
        st.stats.sojourn.push(sojourn);
        st.stats.sojourn_hist.record(SimTime::from_secs(sojourn));
        if let Some(next) = st.queue.pop_front() {
            st.stats.queue_length.update(t, st.queue.len() as f64);
            let wait = now - self.orders[next].entered;
            st.stats.wait.push(wait);
            st.stats.wait_hist.record(SimTime::from_secs(wait));
            let d = node.service.sample(&mut st.rng) * node.service_scale;
            self.calendar.schedule(
                SimTime::from_secs(now + d),
                EventClass::Release,
                Event::ServiceEnd {
                    station: s as u16,
                    order: next,
                },
            );
        } else {
            st.busy -= 1;
            st.stats.busy.update(t, f64::from(st.busy));
        }
        st.stats
            .in_station
            .update(t, f64::from(st.busy) + st.queue.len() as f64);
        self.moving.push_back((node.to, id));
    }

    #[inline]
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
                    in_station: st.stats.in_station.finish(now),
                    busy: st.stats.busy.finish(now),
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
        }
    }
}
