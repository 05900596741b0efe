//! How a source generates orders: Poisson, a rate table (non-homogeneous
//! Poisson), a timetable of batches, or the replay of an order log.

use super::build;
use super::duration::DurationDist;
use super::order_log::OrderLog;
use crate::calendar::{Calendar, ClockTime, Day, WEEK_SECS, parse_calendar_value};
use crate::dist::Dist;
use crate::error::{Error, Result};
use crate::rng::SimRng;
use crate::time::SimTime;
use jiff::SignedDuration;
use jiff::civil::{Date, DateTime};
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A calendar date, written `"2024-11-11"` (quoted or bare) in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate(pub Date);

impl Serialize for CalendarDate {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        parse_calendar_value(d, "date: must be a date such as \"2024-11-11\"").map(CalendarDate)
    }
}

/// A multiplier on one calendar date: a promotion day such as 11 November.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DatedFactor {
    /// The date.
    pub date: CalendarDate,
    /// Multiplier on the whole day's rates (>= 0).
    pub factor: f64,
    /// Extra multiplier on the first hour (00:00-01:00) of the date, on top
    /// of `factor`: the midnight spike. Default 1.
    #[serde(default = "one")]
    pub first_hour_factor: f64,
    /// Extra multipliers by hour of that date, on top of `factor` (and of
    /// `first_hour_factor` at 00:00): the shape of a sales wave, such as a
    /// wave opening at 20:00. Either empty (the default: 1 at every hour)
    /// or 24 values, for 00:00-01:00 through 23:00-24:00.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hour_factors: Vec<f64>,
}

fn one() -> f64 {
    1.0
}

impl DatedFactor {
    /// `factor` on `date`, with `first_hour_factor` more in its first hour.
    #[must_use]
    pub fn new(date: Date, factor: f64, first_hour_factor: f64) -> Self {
        DatedFactor {
            date: CalendarDate(date),
            factor,
            first_hour_factor,
            hour_factors: Vec::new(),
        }
    }

    /// The same with extra multipliers by hour of the date (24 values).
    #[must_use]
    pub fn with_hour_factors(mut self, hour_factors: Vec<f64>) -> Self {
        self.hour_factors = hour_factors;
        self
    }
}

/// A rate table: orders per hour by hour of day, times a weekday factor,
/// times dated multipliers.
///
/// # Semantics
/// The rate is constant within each clock hour:
/// `rate(h) = hourly_per_hour[hour of day] × weekday_factors[day] ×
/// factor(date) × first_hour_factor(date, if 00:00-01:00) ×
/// hour_factors(date)[hour of day]`. Arrivals are a
/// non-homogeneous Poisson process sampled **exactly** by inversion of the
/// cumulative rate: a unit exponential is spent window by window, so no
/// window, however short or however sharp its jump, is skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RateProfile {
    /// 24 rates, orders per hour, for 00:00-01:00 through 23:00-24:00.
    pub hourly_per_hour: Vec<f64>,
    /// Multiplier per weekday (`mon` … `sun`); missing days get 1.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub weekday_factors: BTreeMap<Day, f64>,
    /// Multipliers on given dates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<DatedFactor>,
}

impl RateProfile {
    /// A profile with the given 24 hourly rates and no other factor.
    #[must_use]
    pub fn new(hourly_per_hour: Vec<f64>) -> Self {
        RateProfile {
            hourly_per_hour,
            weekday_factors: BTreeMap::new(),
            dates: Vec::new(),
        }
    }

    /// Multiplies the rates on `day` by `factor`.
    #[must_use]
    pub fn with_weekday_factor(mut self, day: Day, factor: f64) -> Self {
        self.weekday_factors.insert(day, factor);
        self
    }

    /// Adds a dated multiplier.
    #[must_use]
    pub fn with_date(mut self, date: DatedFactor) -> Self {
        self.dates.push(date);
        self
    }
}

/// One line of a timetable: a batch arriving at a clock time on given days
/// (a flight landing, a truck from the airport).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ScheduledBatch {
    /// Days on which it arrives. Default: every day.
    #[serde(default = "all_days")]
    pub days: Vec<Day>,
    /// Clock time of arrival.
    pub at: ClockTime,
    /// Number of orders it brings, drawn per arrival and rounded to the
    /// nearest whole number.
    pub batch: Dist,
}

fn all_days() -> Vec<Day> {
    Day::ALL.to_vec()
}

impl ScheduledBatch {
    /// A batch of `batch` orders at `at` (`"HH:MM"`) on `days`.
    ///
    /// # Errors
    /// [`Error::Scenario`] if `at` is not a clock time.
    pub fn new(days: &[Day], at: &str, batch: Dist) -> Result<Self> {
        Ok(ScheduledBatch {
            days: days.to_vec(),
            at: ClockTime::parse(at).map_err(|e| Error::scenario("timetable.at", e))?,
            batch,
        })
    }
}

/// One row of a replayed order log.
/// One replayed order, its time in seconds since the start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReplayRow {
    /// Line of the file, for messages.
    pub(crate) line: u64,
    pub(crate) time: f64,
    pub(crate) class: Option<String>,
    pub(crate) attributes: Vec<(usize, f64)>,
}

/// An order log on the model's clock: rows in time order, attribute
/// columns by name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReplayLog {
    /// Where the log came from, for messages.
    pub(crate) origin: String,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<ReplayRow>,
}

impl ReplayLog {
    /// Puts `log` on the clock of `calendar`; a row before the start is an
    /// error at `field`.
    pub(crate) fn new(log: &OrderLog, field: &str, calendar: &Calendar) -> Result<ReplayLog> {
        let mut rows = Vec::with_capacity(log.rows.len());
        for r in &log.rows {
            let time = calendar.time_of(r.at);
            if time < 0.0 {
                return Err(Error::scenario(
                    field,
                    format!(
                        "{}:{}: time: {} is before the simulation start {}",
                        log.origin(),
                        r.line,
                        r.at,
                        calendar.start()
                    ),
                ));
            }
            rows.push(ReplayRow {
                line: r.line,
                time,
                class: r.class.clone(),
                attributes: r.values.iter().copied().enumerate().collect(),
            });
        }
        Ok(ReplayLog {
            origin: log.origin().to_string(),
            columns: log.columns().to_vec(),
            rows,
        })
    }
}

/// The compiled arrival process of a source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ArrivalProcess {
    /// Exponential gaps.
    Poisson { interarrival: DurationDist },
    /// Piecewise-constant rate by clock hour.
    Profile(Box<CompiledProfile>),
    /// Batches at weekly clock times: sorted week offsets (seconds) and
    /// the batch size at each.
    Timetable {
        offsets: Vec<f64>,
        batches: Vec<Dist>,
    },
    /// Rows of a log, with the model's attribute index of each column.
    Replay {
        log: Arc<ReplayLog>,
        attribute_ids: Vec<u16>,
        class_ids: Vec<u16>,
    },
}

/// The clock hour a profile last looked up and its rate, kept by the
/// source that draws from the profile: arrivals in the same hour then skip
/// the calendar arithmetic that finds the date and the hour.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HourCache {
    /// Hours since midnight of the calendar's start day, and that hour's
    /// rate per second.
    hour: Option<(i128, f64)>,
}

const SECOND_NS: i128 = 1_000_000_000;
const MINUTE_NS: i128 = 60 * SECOND_NS;
const HOUR_NS: i128 = 60 * MINUTE_NS;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledProfile {
    /// Per second, by hour of day.
    hourly: [f64; 24],
    weekday: [f64; 7],
    /// Per listed date: its multiplier at each hour of the day.
    dates: BTreeMap<Date, [f64; 24]>,
    calendar: Calendar,
}

impl CompiledProfile {
    pub(crate) fn new(p: &RateProfile, calendar: Calendar, field: &str) -> Result<Self> {
        if p.hourly_per_hour.len() != 24 {
            return Err(Error::scenario(
                format!("{field}.hourly_per_hour"),
                format!(
                    "must list 24 rates, one per hour of the day, got {}",
                    p.hourly_per_hour.len()
                ),
            ));
        }
        let mut hourly = [0.0; 24];
        for (i, r) in p.hourly_per_hour.iter().enumerate() {
            if !(r.is_finite() && *r >= 0.0) {
                return Err(Error::scenario(
                    format!("{field}.hourly_per_hour[{i}]"),
                    format!("must be finite and at least 0, got {r}"),
                ));
            }
            hourly[i] = r / 3600.0;
        }
        let mut weekday = [1.0; 7];
        for (d, f) in &p.weekday_factors {
            if !(f.is_finite() && *f >= 0.0) {
                return Err(Error::scenario(
                    format!(
                        "{field}.weekday_factors.{}",
                        format!("{d:?}").to_lowercase()
                    ),
                    format!("must be finite and at least 0, got {f}"),
                ));
            }
            weekday[d.index()] = *f;
        }
        if hourly.iter().all(|r| *r == 0.0) || weekday.iter().all(|w| *w == 0.0) {
            return Err(Error::scenario(
                field,
                "the rate is zero at every hour of the week; no order would ever arrive",
            ));
        }
        let mut dates = BTreeMap::new();
        for (i, d) in p.dates.iter().enumerate() {
            for (name, v) in [
                ("factor", d.factor),
                ("first_hour_factor", d.first_hour_factor),
            ] {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(Error::scenario(
                        format!("{field}.dates[{i}].{name}"),
                        format!("must be finite and at least 0, got {v}"),
                    ));
                }
            }
            let mut by_hour = [d.factor; 24];
            by_hour[0] *= d.first_hour_factor;
            if !d.hour_factors.is_empty() {
                if d.hour_factors.len() != 24 {
                    return Err(Error::scenario(
                        format!("{field}.dates[{i}].hour_factors"),
                        format!(
                            "must list 24 multipliers, 00:00-01:00 through 23:00-24:00, got {}",
                            d.hour_factors.len()
                        ),
                    ));
                }
                for (h, v) in d.hour_factors.iter().enumerate() {
                    if !(v.is_finite() && *v >= 0.0) {
                        return Err(Error::scenario(
                            format!("{field}.dates[{i}].hour_factors[{h}]"),
                            format!("must be finite and at least 0, got {v}"),
                        ));
                    }
                    by_hour[h] *= v;
                }
            }
            if dates.insert(d.date.0, by_hour).is_some() {
                return Err(Error::scenario(
                    format!("{field}.dates[{i}].date"),
                    format!("{} is listed twice", d.date.0),
                ));
            }
        }
        // The highest rate the table can reach: the busiest hour on the
        // busiest weekday with the largest dated multiplier at any hour.
        let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
        let dated = dates
            .values()
            .map(|by_hour| max(by_hour))
            .fold(1.0, f64::max);
        build::rate(
            &format!("{field} at its peak"),
            max(&hourly) * 3600.0 * max(&weekday) * dated,
        )?;
        Ok(CompiledProfile {
            hourly,
            weekday,
            dates,
            calendar,
        })
    }

    /// Rate per second in the clock hour that contains `t`, and the end of that hour.
    pub(crate) fn window(&self, t: f64) -> (f64, f64) {
        self.window_at(t, self.calendar.datetime(SimTime::from_secs(t)))
    }

    /// As [`Self::window`], with the rate of the hour in `cache` when `t`
    /// falls in it: the same numbers, bit for bit (the hour and the time
    /// into it come from the same nanoseconds as the calendar's date and
    /// time), without the calendar arithmetic.
    pub(crate) fn window_cached(&self, t: f64, cache: &mut HourCache) -> (f64, f64) {
        let start = self.calendar.start().time();
        let start_ns = i128::from(start.hour()) * HOUR_NS
            + i128::from(start.minute()) * MINUTE_NS
            + i128::from(start.second()) * SECOND_NS
            + i128::from(start.subsec_nanosecond());
        let ns = start_ns + SignedDuration::from_secs_f64(t).as_nanos();
        let hour = ns.div_euclid(HOUR_NS);
        match cache.hour {
            Some((h, rate)) if h == hour => {
                let into = ns.rem_euclid(HOUR_NS);
                // Each part is below 60 or below 10^9: exact in f64.
                let into_hour = (into / MINUTE_NS) as f64 * 60.0
                    + (into % MINUTE_NS / SECOND_NS) as f64
                    + (into % SECOND_NS) as f64 * 1e-9;
                (rate, t - into_hour + 3600.0)
            }
            _ => {
                let dt = self.calendar.datetime(SimTime::from_secs(t));
                let (rate, end) = self.window_at(t, dt);
                // Past the calendar's end the date saturates: not cached.
                cache.hour = (dt != DateTime::MAX).then_some((hour, rate));
                (rate, end)
            }
        }
    }

    /// Rate per second at `t`, whose date and time is `dt`, and the end of
    /// its hour.
    fn window_at(&self, t: f64, dt: DateTime) -> (f64, f64) {
        let hour = dt.hour() as usize;
        let into_hour = f64::from(dt.minute()) * 60.0
            + f64::from(dt.second())
            + f64::from(dt.subsec_nanosecond()) * 1e-9;
        let end = t - into_hour + 3600.0;
        let day = dt.weekday().to_monday_zero_offset() as usize;
        let mut rate = self.hourly[hour] * self.weekday[day];
        if let Some(by_hour) = self.dates.get(&dt.date()) {
            rate *= by_hour[hour];
        }
        (rate, end)
    }

    /// The next arrival after `now`, by inversion: one unit exponential is
    /// spent across the hourly windows. `None` if the rate stays zero for
    /// more than a year.
    pub(crate) fn next(&self, now: f64, rng: &mut SimRng, cache: &mut HourCache) -> Option<f64> {
        next_through(now, rng, |t| self.window_cached(t, cache))
    }
}

/// The next arrival after `now` through the hourly windows `window` gives
/// (rate per second, end of the hour): see [`CompiledProfile::next`].
fn next_through(
    now: f64,
    rng: &mut SimRng,
    mut window: impl FnMut(f64) -> (f64, f64),
) -> Option<f64> {
    let mut e: f64 = Exp1.sample(rng);
    let mut t = now;
    for _ in 0..(366 * 24 + 1) {
        let (rate, end) = window(t);
        // Guard against an end that rounds onto t.
        let end = if end > t { end } else { t + 3600.0 };
        let mass = rate * (end - t);
        if e < mass {
            return Some(t + e / rate);
        }
        e -= mass;
        t = end;
    }
    None
}

/// The next of the sorted weekly `offsets` after week offset `w` (at or
/// after, when `inclusive`): (seconds to wait, index). A slot exactly one
/// week ahead comes back as a full week, never as zero.
pub(crate) fn next_slot(offsets: &[f64], w: f64, inclusive: bool) -> (f64, usize) {
    let i = if inclusive {
        offsets.partition_point(|s| *s < w)
    } else {
        offsets.partition_point(|s| *s <= w)
    };
    match offsets.get(i) {
        Some(s) => (s - w, i),
        None => (WEEK_SECS - w + offsets[0], 0),
    }
}

/// Turns a timetable into a [`ArrivalProcess::Timetable`].
pub(crate) fn compile_timetable(table: &[ScheduledBatch], field: &str) -> Result<ArrivalProcess> {
    let mut slots = Vec::new();
    for (i, b) in table.iter().enumerate() {
        if b.days.is_empty() {
            return Err(Error::scenario(
                format!("{field}[{i}].days"),
                "must list at least one day",
            ));
        }
        let at = format!("{field}[{i}].batch");
        build::batch_mean(&at, b.batch.mean())?;
        build::batch_spread(&at, b.batch.mean(), b.batch.variance().sqrt())?;
        for d in &b.days {
            slots.push((d.index() as f64 * 86_400.0 + b.at.secs(), b.batch.clone()));
        }
    }
    if slots.is_empty() {
        return Err(Error::scenario(field, "must list at least one arrival"));
    }
    slots.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (offsets, batches) = slots.into_iter().unzip();
    Ok(ArrivalProcess::Timetable { offsets, batches })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat 10 orders an hour; on Monday 11 November 2024 twice that,
    /// with a midnight spike of 5 and a wave from 20:00 at 3 times.
    fn profile() -> CompiledProfile {
        let mut wave = vec![1.0; 24];
        for h in wave.iter_mut().skip(20) {
            *h = 3.0;
        }
        let p = RateProfile::new(vec![10.0; 24]).with_date(
            DatedFactor::new(jiff::civil::date(2024, 11, 11), 2.0, 5.0).with_hour_factors(wave),
        );
        let start: jiff::civil::DateTime = "2024-11-10T00:00".parse().unwrap();
        CompiledProfile::new(&p, Calendar::new(start), "sources.s.profile").unwrap()
    }

    /// The cached window gives the calendar's numbers bit for bit, at
    /// times in order (as arrivals come) with hour and day changes among
    /// them, from a start that is not on a whole hour.
    #[test]
    fn the_cached_window_is_the_window_bit_for_bit() {
        use rand::{RngExt, SeedableRng};
        let p = {
            let mut p = profile();
            p.calendar = Calendar::new("2024-11-10T00:17:31.25".parse().unwrap());
            p
        };
        let mut rng = SimRng::seed_from_u64(3);
        let mut cache = HourCache::default();
        let mut t = 0.0;
        let mut hours = std::collections::BTreeSet::new();
        for _ in 0..50_000 {
            t += rng.random::<f64>() * 60.0;
            let (a, b) = (p.window(t), p.window_cached(t, &mut cache));
            assert_eq!(
                (a.0.to_bits(), a.1.to_bits()),
                (b.0.to_bits(), b.1.to_bits()),
                "at {t}"
            );
            hours.insert((t / 3600.0) as u64);
        }
        assert!(hours.len() > 400);
    }

    /// A stream of arrivals drawn with the cache is the stream drawn
    /// without it, bit for bit, from an off-hour start and from a start
    /// hours before the calendar's end (where dates saturate).
    #[test]
    fn next_with_the_cache_is_next_without_it_even_at_the_calendar_end() {
        use rand::SeedableRng;
        for start in ["2024-11-10T00:17:31.25", "9999-12-31T20:00:00.5"] {
            let mut p = profile();
            p.calendar = Calendar::new(start.parse().unwrap());
            let (mut r1, mut r2) = (SimRng::seed_from_u64(5), SimRng::seed_from_u64(5));
            let mut cache = HourCache::default();
            let (mut t, mut n) = (0.0, 0);
            for _ in 0..50_000 {
                let a = next_through(t, &mut r1, |t| p.window(t));
                let b = p.next(t, &mut r2, &mut cache);
                assert_eq!(
                    a.map(f64::to_bits),
                    b.map(f64::to_bits),
                    "after {t} from {start}"
                );
                let Some(x) = a else { break };
                (t, n) = (x, n + 1);
            }
            // Past the calendar's end no arrival comes: a few dozen there.
            assert!(n > 10, "{n} arrivals from {start}");
        }
    }

    #[test]
    fn a_dated_wave_shapes_its_hours() {
        let p = profile();
        let per_hour = |h: f64| p.window(h * 3600.0 + 60.0).0 * 3600.0;
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(per_hour(23.0), 10.0), "Sunday: the table");
        assert!(close(per_hour(24.0), 10.0 * 2.0 * 5.0), "midnight spike");
        assert!(close(per_hour(24.0 + 12.0), 20.0), "the day's factor");
        assert!(close(per_hour(24.0 + 20.0), 60.0), "the wave from 20:00");
        assert!(close(per_hour(24.0 + 23.0), 60.0));
        assert!(close(per_hour(48.0), 10.0), "Tuesday: the table again");
    }

    #[test]
    fn hour_factors_need_24_non_negative_values() {
        let bad = |v: Vec<f64>| {
            let p = RateProfile::new(vec![10.0; 24]).with_date(
                DatedFactor::new(jiff::civil::date(2024, 11, 11), 1.0, 1.0).with_hour_factors(v),
            );
            CompiledProfile::new(&p, Calendar::default(), "sources.s.profile")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            bad(vec![1.0; 23]),
            "sources.s.profile.dates[0].hour_factors: must list 24 multipliers, 00:00-01:00 through 23:00-24:00, got 23"
        );
        let mut neg = vec![1.0; 24];
        neg[21] = -1.0;
        assert_eq!(
            bad(neg),
            "sources.s.profile.dates[0].hour_factors[21]: must be finite and at least 0, got -1"
        );
    }
}
