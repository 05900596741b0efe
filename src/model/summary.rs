use super::StopReason;
use crate::stats::{DurationHistogram, OnlineMoments, TimeAverage};
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
    /// Number of busy servers, averaged over time.
    pub busy: TimeAverage,
}

impl StationSummary {
    /// Busy servers over servers available, or `None` for infinitely many servers.
    #[must_use]
    pub fn utilization(&self) -> Option<f64> {
        Some(self.busy.mean()? / f64::from(self.servers?))
    }

    /// Share of arrivals that had to queue.
    #[must_use]
    pub fn prob_wait(&self) -> Option<f64> {
        (self.arrivals > 0).then(|| self.queued as f64 / self.arrivals as f64)
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
}

/// A milestone interval over the observed span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IntervalSummary {
    /// Interval name.
    pub name: String,
    /// Its length (seconds).
    pub duration: OnlineMoments,
    /// Distribution of its length.
    pub duration_hist: DurationHistogram,
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
}

/// Order counts over the whole run, warm-up included: every order that
/// entered is in exactly one sink or still in the system.
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
/// run; [`Conservation`] covers the whole run.
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
    /// Start of the observed span.
    pub warmup: SimTime,
    /// Events processed, warm-up included.
    pub events: u64,
    /// Per station, in model order.
    pub stations: Vec<StationSummary>,
    /// Per sink, in model order.
    pub sinks: Vec<SinkSummary>,
    /// Per milestone interval, in model order.
    pub intervals: Vec<IntervalSummary>,
    /// The whole network.
    pub network: NetworkSummary,
    /// Whole-run order counts.
    pub conservation: Conservation,
}

impl RunSummary {
    /// The station called `name`.
    #[must_use]
    pub fn station(&self, name: &str) -> Option<&StationSummary> {
        self.stations.iter().find(|s| s.name == name)
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
