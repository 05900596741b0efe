//! Daily series: per calendar day of the observed window, the orders that
//! entered and left, each interval's starts and completions (orders
//! placed, released, left the zone), the orders inside at the day's end by
//! station, and each station's busy and on-shift server-hours; plus the
//! orders in the system at every whole hour, for the time a peak takes to
//! clear.
//!
//! Days are calendar days in local port time; the first and last day of a
//! window that does not open or close at midnight are partial (their
//! `from`/`to` say so). Counts telescope: the days' counts add up exactly
//! to the window's.

use super::sim::Simulation;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// One calendar day (or the part of it inside the window).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DaySummary {
    /// The local date, `YYYY-MM-DD`.
    pub date: String,
    /// Start of the day's part of the window, run clock.
    pub from: SimTime,
    /// Its end, run clock.
    pub to: SimTime,
    /// Orders that entered the system.
    pub entered: u64,
    /// Orders that left the system (reached any sink).
    pub left: u64,
    /// Per interval, in model order: orders that reached its `from`
    /// milestone (a cohort's orders) and orders that completed it.
    pub intervals: Vec<DayCount>,
    /// Orders in the system at the day's end.
    pub in_system_at_end: u64,
    /// Per station and delay, in model order.
    pub stations: Vec<DayStation>,
}

/// Starts and completions of one interval on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DayCount {
    /// Orders that reached the interval's `from` milestone.
    pub started: u64,
    /// Orders that completed the interval.
    pub completed: u64,
}

/// One station on one day.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DayStation {
    /// Orders at the station (waiting, in service or blocked) at the day's end.
    pub in_station_at_end: u32,
    /// Server-hours busy within shifts.
    pub busy_h: f64,
    /// Server-hours on shift.
    pub on_shift_h: f64,
}

impl DayStation {
    /// Busy server time within shifts over server time on shift (`None`
    /// without server time on shift, as for infinitely many servers).
    #[must_use]
    pub fn utilization(&self) -> Option<f64> {
        (self.on_shift_h > 0.0 && self.on_shift_h.is_finite())
            .then(|| self.busy_h / self.on_shift_h)
    }
}

/// Orders in the system at each whole local hour of the window.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hourly {
    /// The hours, run clock.
    pub times: Vec<SimTime>,
    /// Orders in the system at each.
    pub in_system: Vec<u64>,
}

/// Cumulative counts since the window opened, to difference day by day.
#[derive(Debug, Clone, Default)]
struct Totals {
    entered: u64,
    left: u64,
    intervals: Vec<DayCount>,
    /// Per station: (busy within shifts, on shift) server-seconds.
    stations: Vec<(f64, f64)>,
}

/// The daily series during a replication.
#[derive(Debug)]
pub(crate) struct DailyState {
    days: Vec<DaySummary>,
    hourly: Hourly,
    day_from: SimTime,
    prev: Totals,
    /// The next hourly tick (the largest time when none is left). Ticks
    /// are not events: the event loop runs them as it passes their time.
    pub(crate) next_tick: SimTime,
}

impl Default for DailyState {
    fn default() -> Self {
        DailyState {
            days: Vec::new(),
            hourly: Hourly::default(),
            day_from: SimTime::ZERO,
            prev: Totals::default(),
            next_tick: NEVER,
        }
    }
}

/// A time no tick reaches.
const NEVER: SimTime = SimTime::from_secs(f64::MAX);

impl DailyState {
    /// Forgets every day (at the opening of the window, `now`) and
    /// reserves room for every hour and day up to `end`, so that the ticks
    /// only allocate the day records themselves (five small buffers a day).
    pub(crate) fn restart(&mut self, now: SimTime, end: Option<SimTime>) {
        let hours = end.map_or(0, |e| ((e - now).hours().max(0.0).ceil() as usize) + 1);
        let mut hourly = Hourly::default();
        hourly.times.reserve_exact(hours);
        hourly.in_system.reserve_exact(hours);
        *self = DailyState {
            days: Vec::with_capacity(hours / 24 + 2),
            hourly,
            day_from: now,
            next_tick: self.next_tick,
            prev: Totals::default(),
        };
    }

    /// The days and hours recorded so far.
    pub(crate) fn finish(&self) -> (Vec<DaySummary>, Hourly) {
        (self.days.clone(), self.hourly.clone())
    }
}

impl crate::model::Model {
    /// The local dates of the days the observed window covers, in order
    /// (partial first and last days included; empty without a horizon):
    /// the days of [`RunSummary::days`](crate::RunSummary::days).
    #[must_use]
    pub fn window_dates(&self) -> Vec<String> {
        let Some(end) = self.horizon else {
            return Vec::new();
        };
        let cal = &self.calendar;
        let mut out = Vec::new();
        let mut date = cal.date(self.warmup);
        let last = cal.datetime(end);
        while date.to_datetime(jiff::civil::Time::midnight()) < last {
            out.push(date.strftime("%Y-%m-%d").to_string());
            match date.tomorrow() {
                Ok(d) => date = d,
                Err(_) => break,
            }
        }
        out
    }
}

impl Simulation<'_> {
    /// Sets the first hourly tick of the window: the first whole local
    /// hour at or after its opening.
    pub(crate) fn schedule_first_tick(&mut self) {
        let model = self.model;
        let Some(end) = model.horizon else { return };
        let first = self.next_whole_hour(model.warmup, true);
        if first < end {
            self.daily.next_tick = first;
        }
    }

    /// Runs the ticks before `t` (and at `t`, with `or_at`).
    pub(crate) fn ticks_before(&mut self, t: SimTime, or_at: bool) {
        while self.daily.next_tick < t || (or_at && self.daily.next_tick == t) {
            self.tick(self.daily.next_tick);
        }
    }

    /// The first whole local hour after `t` (or at `t`, with `or_at`).
    fn next_whole_hour(&self, t: SimTime, or_at: bool) -> SimTime {
        let cal = &self.model.calendar;
        let dt = cal.datetime(t);
        let floor = dt.date().at(dt.hour(), 0, 0, 0);
        let at = if or_at && floor == dt {
            floor
        } else {
            floor
                .checked_add(jiff::SignedDuration::from_hours(1))
                .unwrap_or(jiff::civil::DateTime::MAX)
        };
        SimTime::from_secs(cal.time_of(at).max(t.secs()))
    }

    /// An hourly tick: records the orders in the system, closes the day at
    /// midnight, sets the next tick inside the window.
    fn tick(&mut self, now: SimTime) {
        let live = self.orders.live() as u64;
        self.daily.hourly.times.push(now);
        self.daily.hourly.in_system.push(live);
        if self.model.calendar.datetime(now).time() == jiff::civil::Time::midnight()
            && now > self.daily.day_from
        {
            self.close_day(now);
        }
        let next = self.next_whole_hour(now, false);
        self.daily.next_tick = match self.model.horizon {
            Some(end) if next < end => next,
            _ => NEVER,
        };
    }

    /// Closes the day (or part of a day) that ends at `now`.
    pub(crate) fn close_day(&mut self, now: SimTime) {
        if now <= self.daily.day_from {
            return;
        }
        let totals = Totals {
            entered: self.network.entered,
            left: self.sinks.iter().map(|s| s.count).sum(),
            intervals: self
                .intervals
                .iter()
                .map(|i| DayCount {
                    started: i.cohort.cohort.started,
                    completed: i.duration.count(),
                })
                .collect(),
            stations: self
                .stations
                .iter()
                .map(|s| {
                    let (busy, over, shift) = (
                        s.stats.busy.finish(now).area,
                        s.stats.overtime.finish(now).area,
                        s.stats.on_shift.finish(now).area,
                    );
                    (busy - over, shift)
                })
                .collect(),
        };
        let prev = &self.daily.prev;
        let at = |v: &[DayCount], i: usize| v.get(i).copied().unwrap_or_default();
        let day = DaySummary {
            date: self
                .model
                .calendar
                .date(self.daily.day_from)
                .strftime("%Y-%m-%d")
                .to_string(),
            from: self.daily.day_from,
            to: now,
            entered: totals.entered - prev.entered,
            left: totals.left - prev.left,
            intervals: totals
                .intervals
                .iter()
                .enumerate()
                .map(|(i, c)| DayCount {
                    started: c.started - at(&prev.intervals, i).started,
                    completed: c.completed - at(&prev.intervals, i).completed,
                })
                .collect(),
            in_system_at_end: self.orders.live() as u64,
            stations: self
                .stations
                .iter()
                .zip(&totals.stations)
                .enumerate()
                .map(|(i, (s, &(busy, shift)))| {
                    let (pb, ps) = prev.stations.get(i).copied().unwrap_or((0.0, 0.0));
                    DayStation {
                        in_station_at_end: s.in_station(),
                        busy_h: (busy - pb) / 3600.0,
                        on_shift_h: (shift - ps) / 3600.0,
                    }
                })
                .collect(),
        };
        self.daily.days.push(day);
        self.daily.prev = totals;
        self.daily.day_from = now;
    }
}

#[cfg(test)]
mod tests {
    use crate::{Dist, Model, SimTime, Simulation, Sink, Source, Station};

    #[test]
    fn days_tile_the_window_and_add_up_to_its_counts() {
        // Start at 06:00, warm-up 6 h: the window opens at noon on day 1
        // and runs 60 h, to midnight of day 3: days of 12, 24 and 24 h.
        let model = Model::builder()
            .with_source("orders", Source::poisson(30.0, "desk"))
            .with_station(
                "desk",
                Station::new(1, Dist::exponential(1.5).unwrap(), "done"),
            )
            .with_sink("done", Sink::new())
            .with_start("2024-11-10T06:00".parse().unwrap())
            .with_warmup(SimTime::from_hours(6.0))
            .with_horizon(SimTime::from_hours(66.0))
            .build()
            .unwrap();
        let r = Simulation::new(&model, 3, 0).run();
        let days: Vec<(&str, f64)> = r
            .days
            .iter()
            .map(|d| (d.date.as_str(), (d.to - d.from).hours()))
            .collect();
        assert_eq!(
            days,
            [
                ("2024-11-10", 12.0),
                ("2024-11-11", 24.0),
                ("2024-11-12", 24.0)
            ]
        );
        assert_eq!(
            r.days.iter().map(|d| d.entered).sum::<u64>(),
            r.network.entered
        );
        let left: u64 = r.sinks.iter().map(|s| s.count).sum();
        assert_eq!(r.days.iter().map(|d| d.left).sum::<u64>(), left);
        assert_eq!(
            r.days.last().unwrap().in_system_at_end,
            r.conservation.in_system
        );
        let busy: f64 = r.days.iter().map(|d| d.stations[0].busy_h).sum();
        let whole = r.stations[0].busy.area / 3600.0;
        assert!((busy - whole).abs() < 1e-6 * whole, "{busy} vs {whole}");
        assert_eq!(r.hourly.times.len(), 60);
        assert_eq!(
            model.window_dates(),
            ["2024-11-10", "2024-11-11", "2024-11-12"]
        );
        assert_eq!(r.hourly.times[0], SimTime::from_hours(6.0));
    }
}
