//! What one replication measured: [`RunSummary`] and its parts, per
//! station, dispatch point, sink, interval and for the network, with the
//! KPI methods that convert seconds to the units planners read.
//!
//! Every statistic covers the observed span (from the end of the warm-up
//! to the end of the run) unless its docs say otherwise; conservation
//! counts cover the whole run.

use super::StopReason;
use super::cohort::Cohort;
use super::daily::{DaySummary, Hourly};
use crate::stats::{DurationHistogram, OnlineMoments, Tally, TimeAverage};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// What happened at one station over the observed span (after the warm-up).
///
/// Times are in seconds; the KPI methods convert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StationSummary {
    /// Station name.
    pub name: String,
    /// Number of servers, `None` for infinitely many.
    pub servers: Option<u32>,
    /// Jobs that arrived.
    pub arrivals: u64,
    /// Jobs whose service ended.
    pub departures: u64,
    /// Arrivals that found every server busy and joined the queue.
    pub queued: u64,
    /// Waiting time in queue (seconds), for jobs whose service started.
    pub wait: OnlineMoments,
    /// Distribution of the waiting time.
    pub wait_hist: DurationHistogram,
    /// Time from arrival to the end of service (seconds), for departed jobs.
    pub sojourn: OnlineMoments,
    /// Distribution of the sojourn time.
    pub sojourn_hist: DurationHistogram,
    /// Number of jobs waiting in the queue, averaged over time.
    pub queue_length: TimeAverage,
    /// Number of jobs at the station (waiting or in service), averaged over time.
    pub in_station: TimeAverage,
    /// Number of busy servers, averaged over time (overtime included).
    pub busy: TimeAverage,
    /// Number of servers on shift, averaged over time.
    pub on_shift: TimeAverage,
    /// Servers working past the end of their shift, averaged over time.
    pub overtime: TimeAverage,
    /// Servers here held by a finished order that cannot move on (blocked), averaged over time.
    pub blocked: TimeAverage,
    /// 1 while the station is up, 0 while it is down, averaged over time.
    pub available: TimeAverage,
    /// Orders turned away because the waiting room was full.
    pub rejected: u64,
    /// Orders that gave up waiting.
    pub reneged: u64,
    /// Waiting and sojourn times per class, in the order of
    /// [`Model::classes`](crate::Model::classes); empty when the model has
    /// one class (the station's own figures are that class's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_class: Vec<ClassTimes>,
}

/// The times of one class of orders at a station or sink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClassTimes {
    /// Class name.
    pub class: String,
    /// Waiting time in queue (seconds), for jobs of this class whose
    /// service started (at a station; empty at a sink).
    pub wait: Tally,
    /// Time at the station from arrival to the end of service (seconds);
    /// at a sink, the time in system of the orders that reached it.
    pub time: Tally,
}

impl ClassTimes {
    /// Empty times for `class`.
    pub(crate) fn new(class: &str) -> Self {
        ClassTimes {
            class: class.to_string(),
            wait: Tally::new(),
            time: Tally::new(),
        }
    }

    /// Mean waiting time in minutes.
    #[must_use]
    pub fn wait_mean_min(&self) -> Option<f64> {
        self.wait.mean().map(|s| s / 60.0)
    }

    /// Mean time at the station (or in the system, at a sink), minutes.
    #[must_use]
    pub fn time_mean_min(&self) -> Option<f64> {
        self.time.mean().map(|s| s / 60.0)
    }
}

impl StationSummary {
    /// Busy server time within shifts over server time on shift (`None` for
    /// infinitely many servers or no server time on shift). Overtime is
    /// reported apart, by [`StationSummary::overtime`].
    #[must_use]
    pub fn utilization(&self) -> Option<f64> {
        self.servers?;
        (self.on_shift.area > 0.0)
            .then(|| (self.busy.area - self.overtime.area) / self.on_shift.area)
    }

    /// Share of time the station was up.
    #[must_use]
    pub fn availability(&self) -> Option<f64> {
        self.available.mean()
    }

    /// Overtime worked, in server-hours.
    #[must_use]
    pub fn overtime_hours(&self) -> f64 {
        self.overtime.area / 3600.0
    }

    /// Time servers spent blocked, in server-hours.
    #[must_use]
    pub fn blocked_hours(&self) -> f64 {
        self.blocked.area / 3600.0
    }

    /// Share of **admitted** orders (arrivals) that had to queue; orders
    /// turned away by a full room are not among them (see
    /// [`StationSummary::blocking_probability`]).
    #[must_use]
    pub fn prob_wait(&self) -> Option<f64> {
        (self.arrivals > 0).then(|| self.queued as f64 / self.arrivals as f64)
    }

    /// Share of the orders offered to the station (admitted + rejected)
    /// that a full waiting room turned away (`overflow = { reject_to }`).
    /// With `overflow = "block"` nobody is turned away: orders wait outside
    /// (see [`StationSummary::blocked_hours`] upstream).
    #[must_use]
    pub fn blocking_probability(&self) -> Option<f64> {
        let offered = self.arrivals + self.rejected;
        (offered > 0).then(|| self.rejected as f64 / offered as f64)
    }

    /// L: the mean number of orders at the station (waiting, in service or
    /// held by a blocked order), averaged over the observed span.
    #[must_use]
    pub fn mean_in_station(&self) -> Option<f64> {
        self.in_station.mean()
    }

    /// Lq: the mean number waiting, averaged over the observed span.
    #[must_use]
    pub fn mean_queue(&self) -> Option<f64> {
        self.queue_length.mean()
    }

    /// The `q`-quantile of the sojourn time (W's distribution), minutes.
    #[must_use]
    pub fn sojourn_quantile_min(&self, q: f64) -> Option<f64> {
        self.sojourn_hist.quantile(q).map(SimTime::minutes)
    }

    /// Departures per hour over the observed span.
    #[must_use]
    pub fn throughput_per_hour(&self) -> Option<f64> {
        (self.in_station.duration > 0.0)
            .then(|| self.departures as f64 / (self.in_station.duration / 3600.0))
    }

    /// Arrivals per hour over the observed span.
    #[must_use]
    pub fn arrival_rate_per_hour(&self) -> Option<f64> {
        (self.in_station.duration > 0.0)
            .then(|| self.arrivals as f64 / (self.in_station.duration / 3600.0))
    }

    /// Mean waiting time in minutes.
    #[must_use]
    pub fn wait_mean_min(&self) -> Option<f64> {
        self.wait.mean().map(|s| s / 60.0)
    }

    /// Mean sojourn time in minutes.
    #[must_use]
    pub fn sojourn_mean_min(&self) -> Option<f64> {
        self.sojourn.mean().map(|s| s / 60.0)
    }

    /// The `q`-quantile of the waiting time, in minutes.
    #[must_use]
    pub fn wait_quantile_min(&self, q: f64) -> Option<f64> {
        self.wait_hist.quantile(q).map(SimTime::minutes)
    }
}

/// What happened at one dispatch point over the observed span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DispatchSummary {
    /// Dispatch point name.
    pub name: String,
    /// Parcels that arrived.
    pub arrivals: u64,
    /// Parcels that left on a vehicle.
    pub departures: u64,
    /// Vehicles that left (with at least one parcel).
    pub vehicles: u64,
    /// Time each parcel waited for its vehicle (seconds).
    pub wait: OnlineMoments,
    /// Distribution of that wait.
    pub wait_hist: DurationHistogram,
    /// Parcels waiting, averaged over time.
    pub held: TimeAverage,
}

/// What happened at one credit pool ([`Pool`](crate::Pool)) over the
/// observed span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PoolSummary {
    /// Pool name.
    pub name: String,
    /// The full balance.
    pub balance: f64,
    /// Orders that arrived.
    pub arrivals: u64,
    /// Orders that drew on the balance (at once or after waiting).
    pub draws: u64,
    /// Orders that had to wait (some may still wait at the end).
    pub waited: u64,
    /// Orders whose amount exceeded the whole balance: they passed
    /// without drawing.
    pub oversize: u64,
    /// Scheduled settlements.
    pub settlements: u64,
    /// Top-ups.
    pub top_ups: u64,
    /// Sum of the amounts drawn.
    pub drawn_total: f64,
    /// Sum of the amounts restored by settlements and top-ups.
    pub restored_total: f64,
    /// Wait of each order that drew, 0 for those that did not wait (seconds).
    pub wait: OnlineMoments,
    /// The drawn amount (balance less what is left), averaged over time.
    pub drawn: TimeAverage,
    /// Orders waiting, averaged over time (`max`: the most at once).
    pub waiting: TimeAverage,
    /// 1 while orders wait, 0 otherwise, averaged over time.
    pub blocked: TimeAverage,
    /// Orders waiting at the end.
    pub waiting_at_end: u64,
}

impl PoolSummary {
    /// Time-average share of the balance drawn, in `[0, 1]`.
    #[must_use]
    pub fn utilization(&self) -> Option<f64> {
        self.drawn.mean().map(|d| d / self.balance)
    }

    /// Share of the time with orders waiting.
    #[must_use]
    pub fn blocked_share(&self) -> Option<f64> {
        self.blocked.mean()
    }
}

/// What happened at one stock ([`Stock`](crate::Stock)) over the
/// observed span. Units are the stock's (items, cases).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StockSummary {
    /// Stock name.
    pub name: String,
    /// Units on hand at time zero.
    pub on_hand_at_zero: f64,
    /// Orders that arrived (lots not included).
    pub arrivals: u64,
    /// Orders that drew units (at once or after waiting).
    pub draws: u64,
    /// Orders that found too few units and waited (a stock-out).
    pub waited: u64,
    /// Orders that cancelled after `cancel_after_h` of waiting.
    pub cancelled: u64,
    /// Lots ordered by the reorder rule.
    pub lots_ordered: u64,
    /// Lots that arrived and were put on hand.
    pub lots_received: u64,
    /// Units those lots brought.
    pub units_received: f64,
    /// Units drawn.
    pub units_drawn: f64,
    /// Wait of each order that drew, 0 for those served at once (seconds).
    pub wait: OnlineMoments,
    /// Units on hand, averaged over time.
    pub on_hand: f64,
    /// Orders waiting, averaged over time (`max`: the most at once).
    pub waiting: TimeAverage,
    /// 1 while orders wait (out of stock for the head of the line), 0
    /// otherwise, averaged over time.
    pub stocked_out: TimeAverage,
    /// Orders waiting at the end.
    pub waiting_at_end: u64,
    /// Units on hand at the end.
    pub on_hand_at_end: f64,
}

impl StockSummary {
    /// Share of arriving orders served at once (the fill rate).
    #[must_use]
    pub fn fill_rate(&self) -> Option<f64> {
        (self.arrivals > 0).then(|| 1.0 - self.waited as f64 / self.arrivals as f64)
    }
}

/// Queue lengths sampled at a fixed interval from the opening of the
/// observed window, for charts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimeSeries {
    /// Sampling times (seconds on the run clock).
    pub times: Vec<f64>,
    /// Orders in the system at each time.
    pub in_system: Vec<u32>,
    /// Per station, in model order.
    pub stations: Vec<StationSeries>,
}

/// One station's samples in a [`TimeSeries`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StationSeries {
    /// Station name.
    pub name: String,
    /// Orders waiting.
    pub queue: Vec<u32>,
    /// Orders at the station (waiting or in service).
    pub in_station: Vec<u32>,
}

/// Orders that reached one sink over the observed span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SinkSummary {
    /// Sink name.
    pub name: String,
    /// Orders that reached the sink after the warm-up.
    pub count: u64,
    /// Their time in system (seconds).
    pub time_in_system: OnlineMoments,
    /// Time in system per class, in the order of
    /// [`Model::classes`](crate::Model::classes) (`wait` is empty); empty
    /// when the model has one class.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_class: Vec<ClassTimes>,
}

/// A milestone interval: the spans completed in the observed window, the
/// window's flows, and the cohort of orders that started it in the window
/// (see [`Cohort`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IntervalSummary {
    /// Interval name.
    pub name: String,
    /// The length (seconds) of the spans completed in the window, whenever
    /// they started.
    pub duration: OnlineMoments,
    /// Distribution of those lengths.
    pub duration_hist: DurationHistogram,
    /// Orders open (`from` reached, `to` not) when the window opened.
    pub open_at_start: u64,
    /// Orders open when the window closed.
    pub open_at_end: u64,
    /// Orders that left the system during the window having reached `from`
    /// but not `to`.
    pub left_without: u64,
    /// The orders that reached `from` in the window, followed to the end
    /// of the run (drain included).
    pub cohort: Cohort,
}

impl IntervalSummary {
    /// Whether the window's flows conserve orders: open at the start plus
    /// started equals completed plus left without completing plus open at
    /// the end.
    #[must_use]
    pub fn conserves(&self) -> bool {
        self.open_at_start + self.cohort.started
            == self.duration.count() + self.left_without + self.open_at_end
    }
}

/// The network as a whole over the observed span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NetworkSummary {
    /// Orders that entered after the warm-up.
    pub entered: u64,
    /// Time in system of orders that reached any sink (seconds).
    pub time_in_system: OnlineMoments,
    /// Distribution of the time in system.
    pub time_in_system_hist: DurationHistogram,
    /// Number of orders in the system, averaged over time.
    pub in_system: TimeAverage,
    /// Orders in the system when the window opened (with those at its
    /// end, [`Conservation::in_system`], the terms that make Little's law
    /// `L = λW` inexact over a finite window).
    pub in_system_at_start: u64,
    /// Orders that left the system (reached any sink) in the window.
    pub left: u64,
}

/// Order counts over the whole run up to the end of the window, pre-roll
/// and warm-up included: every order that entered is in exactly one sink
/// or still in the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conservation {
    /// Orders created by the sources since time zero.
    pub entered: u64,
    /// Orders absorbed by each sink since time zero, in sink order.
    pub by_sink: Vec<u64>,
    /// Orders still in the system at the end.
    pub in_system: u64,
}

impl Conservation {
    /// Whether `entered == Σ by_sink + in_system`.
    #[must_use]
    pub fn holds(&self) -> bool {
        self.entered == self.by_sink.iter().sum::<u64>() + self.in_system
    }
}

/// Everything one replication measured.
///
/// Statistics cover the observed span, from the warm-up to the end of the
/// run; [`Conservation`] covers the whole run. (A summary taken with
/// [`Simulation::summary`](crate::Simulation::summary) before the warm-up
/// ends has no observed span yet: see there.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[must_use]
pub struct RunSummary {
    /// Master seed of the run.
    pub seed: u64,
    /// Replication index.
    pub replication: u64,
    /// Why the run stopped.
    pub stop: StopReason,
    /// The clock at the end.
    pub end_time: SimTime,
    /// Start of the observed span (0 in a summary taken before the
    /// warm-up ends).
    pub warmup: SimTime,
    /// Events processed, warm-up included.
    pub events: u64,
    /// Per station, in model order.
    pub stations: Vec<StationSummary>,
    /// Per dispatch point, in model order.
    pub dispatches: Vec<DispatchSummary>,
    /// Per credit pool, in model order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<PoolSummary>,
    /// Per stock, in model order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stocks: Vec<StockSummary>,
    /// Per sink, in model order.
    pub sinks: Vec<SinkSummary>,
    /// Per milestone interval, in model order.
    pub intervals: Vec<IntervalSummary>,
    /// The whole network.
    pub network: NetworkSummary,
    /// Whole-run order counts.
    pub conservation: Conservation,
    /// Sampled queue lengths, if the model asks for them.
    pub series: Option<TimeSeries>,
    /// Per calendar day of the window (empty without a horizon), as far
    /// as the run has gone.
    #[serde(default)]
    pub days: Vec<DaySummary>,
    /// The dates of every day of the window, whether or not the run has
    /// reached them ([`Model::window_dates`](crate::Model::window_dates)).
    #[serde(default)]
    pub window_dates: Vec<String>,
    /// Orders in the system at each whole hour of the window.
    #[serde(default)]
    pub hourly: Hourly,
    /// When the run stopped, if it went on after the horizon to let the
    /// window's orders leave (`simulation.drain_h`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drained_to: Option<SimTime>,
    /// Tax assessed over the observed span, if the model has a [`CbecTax`](crate::CbecTax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<TaxSummary>,
    /// The model's [`ReportSpec`](crate::ReportSpec), so the planner KPIs
    /// can be read from this summary alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<crate::model::ReportSpec>,
}

/// The composite CBEC tax assessed over the observed span.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaxSummary {
    /// Orders assessed.
    pub orders: u64,
    /// Tax assessed, CNY.
    pub total_cny: f64,
}

impl RunSummary {
    /// The station called `name`.
    #[must_use]
    pub fn station(&self, name: &str) -> Option<&StationSummary> {
        self.stations.iter().find(|s| s.name == name)
    }

    /// The dispatch point called `name`.
    #[must_use]
    pub fn dispatch(&self, name: &str) -> Option<&DispatchSummary> {
        self.dispatches.iter().find(|s| s.name == name)
    }

    /// The credit pool called `name`.
    #[must_use]
    pub fn pool(&self, name: &str) -> Option<&PoolSummary> {
        self.pools.iter().find(|s| s.name == name)
    }

    /// The stock called `name`.
    #[must_use]
    pub fn stock(&self, name: &str) -> Option<&StockSummary> {
        self.stocks.iter().find(|s| s.name == name)
    }

    /// The sink called `name`.
    #[must_use]
    pub fn sink(&self, name: &str) -> Option<&SinkSummary> {
        self.sinks.iter().find(|s| s.name == name)
    }

    /// The interval called `name`.
    #[must_use]
    pub fn interval(&self, name: &str) -> Option<&IntervalSummary> {
        self.intervals.iter().find(|s| s.name == name)
    }
}
