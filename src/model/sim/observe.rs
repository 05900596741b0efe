//! Observation: the end of the warm-up (every statistic restarts, the
//! state does not), time series sampled at a fixed interval, network-wide
//! counts, and the [`RunSummary`] of a run.
//!
//! Statistics cover the observed span only: from the end of the warm-up
//! to the time of the summary. Conservation counts (`entered`, `by_sink`,
//! `in_system`) cover the whole run. Before the warm-up ends nothing is
//! tallied (see `Simulation::tallying`): a summary taken then is of the
//! run so far, with the tallies empty (see [`Simulation::summary`]).

use super::{Event, Simulation, StopReason};
use crate::engine::EventClass;
use crate::model::Model;
use crate::model::summary::{
    Conservation, DispatchSummary, IntervalSummary, NetworkSummary, PoolSummary, RunSummary,
    SinkSummary, StationSeries, StationSummary, StockSummary, TaxSummary, TimeSeries,
};
use crate::stats::{DurationHistogram, OnlineMoments, TimeAverage, TimeWeighted};
use crate::time::SimTime;

/// Network-wide counts: orders entered, time in system, orders in system.
#[derive(Debug)]
pub(crate) struct NetworkState {
    pub(crate) entered: u64,
    pub(crate) time_in_system: OnlineMoments,
    pub(crate) hist: DurationHistogram,
    pub(crate) in_system: TimeWeighted,
}

impl NetworkState {
    pub(crate) fn new(now: SimTime) -> Self {
        NetworkState {
            entered: 0,
            time_in_system: OnlineMoments::new(),
            hist: DurationHistogram::new(),
            in_system: TimeWeighted::new(now, 0.0),
        }
    }

    fn restart(&mut self, now: SimTime) {
        self.entered = 0;
        self.time_in_system = OnlineMoments::new();
        self.hist.reset();
        self.in_system.restart(now);
    }
}

impl TimeSeries {
    /// An empty series for every station of `model`.
    pub(crate) fn new(model: &Model) -> Self {
        TimeSeries {
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
        }
    }
}

impl Simulation<'_> {
    /// Schedules the end of the warm-up and the first sample.
    pub(super) fn schedule_observations(&mut self) {
        let model = self.model;
        if model.warmup > SimTime::ZERO {
            self.calendar
                .schedule(model.warmup, EventClass::Observe, Event::WarmupEnd);
        }
        if model.sample_every.is_some() {
            // From the opening of the window, after the restart there.
            self.calendar
                .schedule(model.warmup, EventClass::Observe, Event::Sample);
        }
        self.schedule_first_tick();
    }

    /// Records the number of orders in the system after a change at `now`.
    #[inline(always)]
    pub(crate) fn note_in_system(&mut self, now: SimTime) {
        self.network
            .in_system
            .update(now, self.orders.live() as f64);
    }

    #[inline(never)]
    pub(crate) fn restart_statistics(&mut self, now: SimTime) {
        self.tallying = true;
        self.observed_from = now;
        for s in &mut self.stations {
            s.stats.restart(now);
            s.stats.in_station_max = s.in_station();
        }
        for d in &mut self.dispatches {
            d.restart(now);
        }
        for p in &mut self.pools {
            p.restart(now);
        }
        for s in &mut self.sinks {
            s.restart();
        }
        let open = self.open_intervals();
        for (i, o) in self.intervals.iter_mut().zip(open) {
            i.restart(o);
        }
        self.cohort_open = 0;
        self.window_from_zero = false;
        self.in_system_at_start = self.orders.live() as u64;
        self.daily.restart(now, self.model.horizon);
        self.network.restart(now);
        self.tax = TaxSummary::default();
    }

    #[inline(never)]
    pub(crate) fn sample(&mut self, now: SimTime) {
        let Some(series) = &mut self.series else {
            return;
        };
        series.times.push(now.secs());
        series.in_system.push(self.orders.live() as u32);
        for (s, st) in series.stations.iter_mut().zip(&self.stations) {
            s.queue.push(st.waiting);
            s.in_station.push(st.in_station());
        }
        let every = self
            .model
            .sample_every
            .expect("series only with an interval");
        self.calendar
            .schedule(now + every, EventClass::Observe, Event::Sample);
    }

    pub(crate) fn summary_with(&self, stop: StopReason) -> RunSummary {
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
                    by_class: st.stats.by_class.clone(),
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
            pools: m
                .pools
                .iter()
                .zip(&self.pools)
                .filter(|(node, _)| node.stock.is_none())
                .map(|(node, st)| PoolSummary {
                    name: node.name.clone(),
                    balance: node.balance,
                    arrivals: st.arrivals,
                    draws: st.draws,
                    waited: st.waited,
                    oversize: st.oversize,
                    settlements: st.settlements,
                    top_ups: st.top_ups,
                    drawn_total: st.drawn_total,
                    restored_total: st.restored_total,
                    wait: st.wait,
                    drawn: st.drawn_avg.finish(now),
                    waiting: st.waiting_avg.finish(now),
                    blocked: st.blocked_avg.finish(now),
                    waiting_at_end: st.waiting as u64,
                })
                .collect(),
            stocks: m
                .pools
                .iter()
                .zip(&self.pools)
                .filter(|(node, _)| node.stock.is_some())
                .map(|(node, st)| StockSummary {
                    name: node.name.clone(),
                    on_hand_at_zero: node.balance,
                    arrivals: st.arrivals,
                    draws: st.draws,
                    waited: st.waited,
                    cancelled: st.stock.cancelled,
                    lots_ordered: st.stock.lots_ordered,
                    lots_received: st.stock.lots_received,
                    units_received: st.stock.units_received,
                    units_drawn: st.drawn_total,
                    wait: st.wait,
                    on_hand: node.balance - st.drawn_avg.finish(now).mean().unwrap_or(0.0),
                    waiting: st.waiting_avg.finish(now),
                    stocked_out: st.blocked_avg.finish(now),
                    waiting_at_end: st.waiting as u64,
                    on_hand_at_end: node.balance - st.drawn,
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
                    by_class: st.by_class.clone(),
                })
                .collect(),
            intervals: {
                let open = self.open_intervals();
                m.intervals
                    .iter()
                    .zip(&self.intervals)
                    .zip(open.into_iter().zip(self.cohorts(now)))
                    .map(|((name, st), (open_at_end, cohort))| IntervalSummary {
                        name: name.clone(),
                        duration: st.duration,
                        duration_hist: st.window_hist(),
                        open_at_start: st.cohort.open_at_start,
                        open_at_end,
                        left_without: st.cohort.left_without,
                        cohort,
                    })
                    .collect()
            },
            network: NetworkSummary {
                entered: self.network.entered,
                time_in_system: self.network.time_in_system,
                time_in_system_hist: self.network.hist.clone(),
                in_system: self.network.in_system.finish(now),
                in_system_at_start: self.in_system_at_start,
                left: self.sinks.iter().map(|s| s.count).sum(),
            },
            conservation: Conservation {
                entered: self.orders.created_count(),
                by_sink: self.sinks.iter().map(|s| s.total).collect(),
                in_system: self.orders.live() as u64,
            },
            series: self.series.clone(),
            days: self.daily.finish().0,
            window_dates: m.window_dates(),
            hourly: self.daily.finish().1,
            drained_to: None,
            tax: m.tax.as_ref().map(|_| self.tax),
            report: m.report.clone(),
        }
    }
}
