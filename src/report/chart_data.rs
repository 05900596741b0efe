//! [`ChartData`]: what the charts of `run` and `compare` need from a set of
//! replications, folded one replication at a time so that no
//! [`RunSummary`] has to be kept.
//!
//! Invariant: folding runs one by one in index order gives bit for bit the
//! numbers of the slice functions ([`interval_cdf`](super::interval_cdf),
//! [`mean_queue_series`](super::mean_queue_series)) over the same runs:
//! histogram counts add, and each queue sample is summed over runs in the
//! same order before the one division.

use crate::calendar::Calendar;
use crate::experiment::{KpiCatalogue, KpiEstimate, KpiId};
use crate::model::RunSummary;
use crate::report::charts::{Bar, Series, Tick};
use crate::scenario::Scenario;
use crate::stats::DurationHistogram;
use crate::time::SimTime;

/// Where the lead-time chart reads its durations.
#[derive(Debug, Clone, PartialEq)]
enum LeadTime {
    /// The scenario's `[report] lead_time` interval.
    Interval(String),
    /// The network's time in system.
    Network,
}

/// The queue length at one station, summed over runs at each sample time.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct QueueSums {
    /// The station.
    station: String,
    /// The sample times (seconds) of the first run that had the station.
    times: Vec<f64>,
    /// Per sample: the queue summed over runs, cut to the shortest run.
    sums: Vec<f64>,
    /// Runs added.
    runs: usize,
}

impl QueueSums {
    /// An empty sum for `station`.
    pub(crate) fn new(station: &str) -> Self {
        QueueSums {
            station: station.to_string(),
            ..QueueSums::default()
        }
    }

    /// Adds the station's sampled queue in `run`, if it was sampled.
    pub(crate) fn add(&mut self, run: &RunSummary) {
        let Some(s) = run.series.as_ref() else {
            return;
        };
        let Some(q) = s.stations.iter().find(|x| x.name == self.station) else {
            return;
        };
        if self.runs == 0 {
            self.times.clone_from(&s.times);
            self.sums = vec![0.0; q.queue.len()];
        }
        self.sums.truncate(q.queue.len());
        for (sum, &x) in self.sums.iter_mut().zip(&q.queue) {
            *sum += f64::from(x);
        }
        self.runs += 1;
    }

    /// The first and last sample times (seconds on the run clock), if
    /// any run was sampled.
    fn span(&self) -> Option<(f64, f64)> {
        Some((
            *self.times.first()?,
            *self.times.get(self.sums.len().checked_sub(1)?)?,
        ))
    }

    /// The mean queue at each sample time (hours from the first sample:
    /// the opening of the observed window).
    pub(crate) fn series(&self, label: &str) -> Series {
        let n = self.runs as f64;
        let t0 = self.times.first().copied().unwrap_or(0.0);
        let points = self
            .sums
            .iter()
            .zip(&self.times)
            .map(|(sum, t)| ((t - t0) / 3600.0, sum / n))
            .collect();
        Series::new(label, points)
    }
}

/// A pooled histogram as CDF points (hours, share at or below).
pub(crate) fn cdf_series(label: &str, pooled: &DurationHistogram) -> Series {
    Series::new(
        label,
        pooled
            .cdf()
            .into_iter()
            .map(|(t, share)| (t.hours(), share))
            .collect(),
    )
}

/// What the charts of a set of replications need, folded one replication
/// at a time: the pooled lead-time histogram, the queue at each key
/// station summed at each sample time, and each key station's utilisation
/// per replication (a few numbers each).
///
/// Feed it with [`ChartData::add`] in replication order, for instance
/// from [`Experiment::run_folding`](crate::experiment::Experiment::run_folding),
/// then draw with [`run_visuals`](super::visuals::run_visuals) or
/// [`compare_visuals`](super::visuals::compare_visuals). Its memory does
/// not grow with the number of replications, but for the utilisation
/// values (one per key station and replication).
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{Experiment, Replications};
/// use cbec_sim::report::{ChartData, visuals};
/// use cbec_sim::Scenario;
/// let scenario = Scenario::from_toml_str(r#"
/// [simulation]
/// horizon_h = 20
/// [sources.orders]
/// rate_per_hour = 30
/// to = "desk"
/// [stations.desk]
/// servers = 1
/// service_time_min = { dist = "exponential", mean = 1.0 }
/// to = "out"
/// [sinks.out]
/// "#)?;
/// let model = scenario.build()?;
/// let mut charts = ChartData::new(&scenario);
/// let result = Experiment::new(&model)
///     .with_replications(Replications::first(4))
///     .run_folding(|_, run| charts.add(run))?;
/// assert_eq!(charts.runs(), result.finished());
/// let v = visuals::run_visuals(&charts)?;
/// assert_eq!(v.charts[0].0, "lead_time_cdf");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ChartData {
    lead: LeadTime,
    lead_hist: DurationHistogram,
    /// Per key station: (label, queue sums).
    queues: Vec<(String, QueueSums)>,
    /// The first run's catalogue and, per key station with a utilisation
    /// KPI, (label, KPI); set by the first run.
    catalogue: Option<(KpiCatalogue, Vec<(String, KpiId)>)>,
    /// Per key station with a utilisation KPI: the value in each run.
    utilization: Vec<Vec<Option<f64>>>,
    /// Per day of the window: its date and the orders that entered, that
    /// left, and that were inside at its end, summed over runs.
    daily: Vec<(String, [f64; 3])>,
    runs: u64,
    /// The model's calendar, for dates on time axes.
    calendar: Option<Calendar>,
}

impl ChartData {
    /// Nothing folded yet, for the charts of `scenario` (its `[report]`
    /// lead time and key stations).
    #[must_use]
    pub fn new(scenario: &Scenario) -> Self {
        ChartData {
            lead: match &scenario.report {
                Some(r) => LeadTime::Interval(r.lead_time.clone()),
                None => LeadTime::Network,
            },
            lead_hist: DurationHistogram::new(),
            queues: key_stations(scenario)
                .into_iter()
                .map(|(label, station)| (label, QueueSums::new(&station)))
                .collect(),
            catalogue: None,
            utilization: Vec::new(),
            daily: Vec::new(),
            runs: 0,
            calendar: None,
        }
    }

    /// The same, with the model's calendar: time axes then show local
    /// dates and times instead of hours.
    #[must_use]
    pub fn with_calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// The x axis of the queues over time (hours from the opening of the
    /// observed window) on the calendar: its description, naming the
    /// months (`local date and time, Oct 2024`), and a label at each
    /// midnight (`Tue 15`), every few days over a long window, every 6
    /// hours over a short one (`06:00`). `None` without a calendar or
    /// samples.
    pub(crate) fn time_axis(&self) -> Option<(String, Vec<Tick>)> {
        let cal = self.calendar?;
        let (t0, t1) = self.queues.iter().find_map(|(_, q)| q.span())?;
        let hours = (t1 - t0) / 3600.0;
        let step_h = if hours <= 36.0 {
            6
        } else {
            24 * ((hours / 24.0 / 8.0).ceil() as i64).max(1)
        };
        let (start, end) = (
            cal.datetime(SimTime::from_secs(t0)),
            cal.datetime(SimTime::from_secs(t1)),
        );
        let months = if (start.year(), start.month()) == (end.year(), end.month()) {
            start.strftime("%b %Y").to_string()
        } else {
            format!("{} to {}", start.strftime("%b %Y"), end.strftime("%b %Y"))
        };
        let mut at = start.date().to_datetime(jiff::civil::Time::midnight());
        let mut ticks = Vec::new();
        while ticks.len() < 60 {
            let x = (cal.time_of(at) - t0) / 3600.0;
            if x > hours + 1e-9 {
                break;
            }
            if x >= -1e-9 {
                let midnight = at.time() == jiff::civil::Time::midnight();
                let label = if midnight { "%a %-d" } else { "%H:%M" };
                ticks.push((x, at.strftime(label).to_string()));
            }
            match at.checked_add(jiff::SignedDuration::from_hours(step_h)) {
                Ok(next) => at = next,
                Err(_) => break,
            }
        }
        Some((format!("local date and time, {months}"), ticks))
    }

    /// Folds in one more replication (call in replication order).
    pub fn add(&mut self, run: &RunSummary) {
        match &self.lead {
            LeadTime::Interval(name) => {
                // The cohort, as the lead-time KPIs: orders still inside
                // at their age so far.
                if let Some(iv) = run.interval(name) {
                    self.lead_hist.merge(&iv.cohort.done_hist);
                    self.lead_hist.merge(&iv.cohort.inside_hist);
                }
            }
            LeadTime::Network => self.lead_hist.merge(&run.network.time_in_system_hist),
        }
        for (_, q) in &mut self.queues {
            q.add(run);
        }
        let (catalogue, ids) = self.catalogue.get_or_insert_with(|| {
            let catalogue = KpiCatalogue::for_run(run);
            let ids: Vec<(String, KpiId)> = self
                .queues
                .iter()
                .filter_map(|(label, q)| {
                    let id = catalogue.kpi(&format!("{}.utilization", q.station)).ok()?;
                    Some((label.clone(), id))
                })
                .collect();
            (catalogue, ids)
        });
        self.utilization.resize(ids.len(), Vec::new());
        for ((_, id), values) in ids.iter().zip(&mut self.utilization) {
            values.push(catalogue.get(*id, run));
        }
        if self.runs == 0 {
            self.daily = run
                .window_dates
                .iter()
                .map(|d| (d.clone(), [0.0; 3]))
                .collect();
        }
        for (date, sums) in &mut self.daily {
            if let Some(d) = run.days.iter().find(|d| &d.date == date) {
                sums[0] += d.entered as f64;
                sums[1] += d.left as f64;
                sums[2] += d.in_system_at_end as f64;
            }
        }
        self.runs += 1;
    }

    /// Orders entering and leaving the system per day of the window, and
    /// inside at each day's end, averaged over runs (x: day 1, 2, ...);
    /// with the dates, in order. Empty without a horizon.
    #[must_use]
    pub fn daily(&self) -> (Vec<Series>, Vec<String>) {
        if self.daily.is_empty() || self.runs == 0 {
            return (Vec::new(), Vec::new());
        }
        let n = self.runs as f64;
        let series = ["entered", "left", "inside at the day's end"]
            .iter()
            .enumerate()
            .map(|(k, label)| {
                Series::new(
                    *label,
                    self.daily
                        .iter()
                        .enumerate()
                        .map(|(i, (_, s))| ((i + 1) as f64, s[k] / n))
                        .collect(),
                )
            })
            .collect();
        (series, self.daily.iter().map(|(d, _)| d.clone()).collect())
    }

    /// Labels for the x axis of [`ChartData::daily`]: the dates as `Tue
    /// 12 Nov`, every day of a week, every few days of a longer window
    /// (at most 8 labels).
    pub(crate) fn day_ticks(&self) -> Vec<Tick> {
        let every = self.daily.len().div_ceil(8).max(1);
        self.daily
            .iter()
            .enumerate()
            .step_by(every)
            .map(|(i, (date, _))| {
                let label = date
                    .parse::<jiff::civil::Date>()
                    .map_or_else(|_| date.clone(), |d| d.strftime("%a %-d %b").to_string());
                ((i + 1) as f64, label)
            })
            .collect()
    }

    /// Replications folded in.
    #[must_use]
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The lead-time CDF over every order of every run (hours, share).
    #[must_use]
    pub fn lead_time(&self, label: &str) -> Series {
        cdf_series(label, &self.lead_hist)
    }

    /// Whether the lead time is the scenario's `[report]` interval (rather
    /// than the network's time in system).
    pub(crate) fn lead_is_interval(&self) -> bool {
        matches!(self.lead, LeadTime::Interval(_))
    }

    /// The key stations, as (label, station).
    pub(crate) fn stations(&self) -> impl Iterator<Item = (&str, &str)> {
        self.queues
            .iter()
            .map(|(label, q)| (label.as_str(), q.station.as_str()))
    }

    /// The queue at key station `station` averaged over runs at each
    /// sample time; empty if it was not sampled or is not a key station.
    #[must_use]
    pub fn mean_queue(&self, label: &str, station: &str) -> Series {
        self.queues
            .iter()
            .find(|(_, q)| q.station == station)
            .map_or_else(|| Series::new(label, Vec::new()), |(_, q)| q.series(label))
    }

    /// Utilisation by key station, with 95% intervals over runs.
    pub(crate) fn utilization_bars(&self) -> Vec<Bar> {
        let Some((_, ids)) = &self.catalogue else {
            return Vec::new();
        };
        ids.iter()
            .zip(&self.utilization)
            .filter_map(|((label, _), values)| {
                let e = KpiEstimate::from_values("u", values.iter().copied());
                Some(Bar {
                    label: label.clone(),
                    value: e.mean?,
                    half_width: e.half_width_95,
                })
            })
            .collect()
    }
}

/// The stations a planner watches: the scenario's `[report]` resources,
/// or every station, as (label, station).
pub(crate) fn key_stations(scenario: &Scenario) -> Vec<(String, String)> {
    match &scenario.report {
        Some(r) if !r.utilization.is_empty() => r
            .utilization
            .iter()
            .map(|(label, station)| (label.clone(), station.clone()))
            .collect(),
        _ => scenario
            .stations
            .keys()
            .map(|s| (s.clone(), s.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{Experiment, Replications};
    use crate::report::tests::TINY;

    #[test]
    fn folding_gives_the_numbers_of_the_slice_functions() {
        let text = TINY.replace("[simulation]", "[simulation]\nsample_every_min = 30");
        let scenario = Scenario::from_toml_str(&text).unwrap();
        let model = scenario.build().unwrap();
        let runs = Experiment::new(&model)
            .with_replications(Replications::first(5))
            .run_summaries()
            .unwrap();
        let mut data = ChartData::new(&scenario);
        for r in &runs {
            data.add(r);
        }
        assert_eq!(data.runs(), 5);
        let queue = data.mean_queue("desk", "desk");
        assert!(!queue.points.is_empty(), "the runs were sampled");
        assert_eq!(
            queue,
            crate::report::mean_queue_series("desk", &runs, "desk")
        );
        let mut pooled = DurationHistogram::new();
        for r in &runs {
            pooled.merge(&r.network.time_in_system_hist);
        }
        assert_eq!(data.lead_time("x"), cdf_series("x", &pooled));
        let bars = data.utilization_bars();
        assert_eq!(bars.len(), 1);
        let catalogue = KpiCatalogue::for_run(&runs[0]);
        let id = catalogue.kpi("desk.utilization").unwrap();
        let e = KpiEstimate::from_values("u", runs.iter().map(|r| catalogue.get(id, r)));
        assert_eq!(bars[0].value, e.mean.unwrap());
        assert_eq!(data.mean_queue("x", "nowhere").points, Vec::new());
    }

    #[test]
    fn nothing_folded_draws_empty_series() {
        let scenario = Scenario::from_toml_str(TINY).unwrap();
        let data = ChartData::new(&scenario);
        assert!(data.utilization_bars().is_empty());
        assert!(data.mean_queue("desk", "desk").points.is_empty());
        assert!(!data.lead_is_interval());
    }
}
