//! A station's per-run state: servers busy, held and on shift, the waiting
//! lines, its random streams and its statistics.
//!
//! Invariants: `waiting` is the number of jobs in `queues`; `busy` counts
//! servers serving a job and `held` servers kept by a finished job that is
//! blocked downstream; statistics restart at the end of the warm-up, the
//! state itself does not.

use super::StationNode;
use crate::engine::EntityId;
use crate::model::Limit;
use crate::model::order::Orders;
use crate::model::summary::ClassTimes;
use crate::rng::{SimRng, stream_rng};
use crate::stats::{DurationHistogram, OnlineMoments, TimeWeighted};
use crate::time::SimTime;
use std::collections::VecDeque;

/// What a station has counted since the warm-up ended.
#[derive(Debug)]
pub(crate) struct StationStats {
    pub(crate) arrivals: u64,
    pub(crate) departures: u64,
    pub(crate) queued: u64,
    pub(crate) rejected: u64,
    pub(crate) reneged: u64,
    pub(crate) wait: OnlineMoments,
    pub(crate) wait_hist: DurationHistogram,
    pub(crate) sojourn: OnlineMoments,
    pub(crate) sojourn_hist: DurationHistogram,
    pub(crate) queue_length: TimeWeighted,
    /// Most orders at the station at once. Its time average needs no
    /// accumulator of its own: it is the sum of the busy, blocked and queue
    /// averages.
    pub(crate) in_station_max: u32,
    pub(crate) busy: TimeWeighted,
    pub(crate) on_shift: TimeWeighted,
    pub(crate) overtime: TimeWeighted,
    pub(crate) blocked: TimeWeighted,
    pub(crate) available: TimeWeighted,
    /// Per class, when the model has more than one.
    pub(crate) by_class: Vec<ClassTimes>,
    /// Whether waits and sojourns are recorded: not before the warm-up
    /// ends (a pre-roll's would be forgotten by [`StationStats::restart`]
    /// anyway, so they are not computed).
    pub(crate) tallying: bool,
}

impl StationStats {
    /// Statistics of an empty, working station with `on_shift` servers
    /// (counted as 0 when unlimited).
    fn new(now: SimTime, on_shift: f64, by_class: Vec<ClassTimes>) -> Self {
        let zero = TimeWeighted::new(now, 0.0);
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
            by_class,
            tallying: true,
        }
    }

    /// Records the wait of order `id`, whose service starts.
    #[inline(always)]
    pub(crate) fn record_wait(&mut self, orders: &Orders, id: EntityId, wait: SimTime) {
        if !self.tallying {
            return;
        }
        self.wait.push(wait.secs());
        self.wait_hist.record(wait);
        if !self.by_class.is_empty() {
            self.by_class[orders[id].class as usize]
                .wait
                .push(wait.secs());
        }
    }

    /// Records the sojourn of order `id`, whose service ended at `now`.
    #[inline(always)]
    pub(crate) fn record_sojourn(&mut self, orders: &Orders, id: EntityId, now: SimTime) {
        if !self.tallying {
            return;
        }
        let sojourn = now - orders[id].entered;
        self.departures += 1;
        self.sojourn.push(sojourn.secs());
        self.sojourn_hist.record(sojourn);
        if !self.by_class.is_empty() {
            self.by_class[orders[id].class as usize]
                .time
                .push(sojourn.secs());
        }
    }

    /// Forgets everything counted before `now` (the end of the warm-up).
    pub(crate) fn restart(&mut self, now: SimTime) {
        self.tallying = true;
        self.arrivals = 0;
        self.departures = 0;
        self.queued = 0;
        self.rejected = 0;
        self.reneged = 0;
        self.wait = OnlineMoments::new();
        self.wait_hist.reset();
        self.sojourn = OnlineMoments::new();
        self.sojourn_hist.reset();
        for c in &mut self.by_class {
            *c = ClassTimes::new(&c.class);
        }
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

/// One station during one replication.
#[derive(Debug)]
pub(crate) struct StationState {
    /// Servers serving a job.
    pub(crate) busy: u32,
    /// Servers held by a finished job that cannot move on (blocked).
    pub(crate) held: u32,
    /// Servers on shift now.
    pub(crate) on_shift: Limit,
    pub(crate) up: bool,
    pub(crate) waiting: u32,
    /// One FIFO line per priority level, most urgent first.
    pub(crate) queues: Vec<VecDeque<EntityId>>,
    /// Orders waiting to enter a full station with blocking, with the
    /// station whose server each one holds.
    pub(crate) blocked: VecDeque<(EntityId, Option<u16>)>,
    pub(crate) service_rngs: Vec<SimRng>,
    pub(crate) patience_rng: SimRng,
    pub(crate) failure_rng: SimRng,
    pub(crate) repair_rng: SimRng,
    pub(crate) stats: StationStats,
    /// When recording: (class, time the job entered the station) of each
    /// job as its service starts, in start order.
    pub(crate) starts: Option<Vec<(u16, f64)>>,
}

impl StationState {
    /// Station `node` at time zero of replication `replication` under
    /// `seed`, with `on_shift` servers.
    /// `classes` names the classes to count apart (none for a one-class
    /// model).
    pub(crate) fn new(
        node: &StationNode,
        seed: u64,
        replication: u64,
        on_shift: Limit,
        classes: &[ClassTimes],
    ) -> Self {
        let rng = |stream| stream_rng(seed, replication, stream);
        let mut st = StationState {
            busy: 0,
            held: 0,
            on_shift,
            up: true,
            waiting: 0,
            queues: (0..node.levels)
                .map(|_| VecDeque::with_capacity(16))
                .collect(),
            blocked: VecDeque::new(),
            service_rngs: node.service_streams.iter().map(|id| rng(*id)).collect(),
            patience_rng: rng(node.patience_stream),
            failure_rng: rng(node.failure_stream),
            repair_rng: rng(node.repair_stream),
            stats: StationStats::new(SimTime::ZERO, 0.0, classes.to_vec()),
            starts: None,
        };
        st.stats.on_shift = TimeWeighted::new(SimTime::ZERO, st.on_shift_count());
        st
    }

    /// Servers on shift as a statistic (0 when unlimited).
    pub(crate) fn on_shift_count(&self) -> f64 {
        self.on_shift.finite().map_or(0.0, f64::from)
    }

    /// Records a service start, if recording.
    #[inline(always)]
    pub(crate) fn log_start(&mut self, orders: &Orders, id: EntityId) {
        if let Some(log) = &mut self.starts {
            log.push((orders[id].class, orders[id].entered.secs()));
        }
    }

    /// Servers that may serve now: those on shift, none while down.
    #[inline]
    pub(crate) fn capacity(&self) -> Limit {
        if self.up { self.on_shift } else { Limit::ZERO }
    }

    /// Whether a server is free to start a job.
    #[inline]
    pub(crate) fn server_free(&self) -> bool {
        self.capacity().admits(self.busy + self.held)
    }

    /// Orders at the station: in service, held or waiting.
    pub(crate) fn in_station(&self) -> u32 {
        self.busy + self.held + self.waiting
    }

    /// Records a possible new maximum of orders at the station.
    #[inline(always)]
    pub(crate) fn note_in_station(&mut self) {
        let n = self.in_station();
        if n > self.stats.in_station_max {
            self.stats.in_station_max = n;
        }
    }
}
