//! The port's calendar: the start date and time of a run, weekdays, clock
//! times and weekly schedules.
//!
//! Local port time, with no daylight saving (China Standard Time has none),
//! so every day has 24 hours and every week 168. Dates and weekdays come
//! from [`jiff`]'s civil calendar.

use crate::error::{Error, Result};
use crate::time::SimTime;
use jiff::SignedDuration;
use jiff::civil::{Date, DateTime, Time, Weekday};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Seconds in a week.
pub const WEEK_SECS: f64 = 7.0 * 86_400.0;

/// The date and time of the start of a run. Default: Monday 1 January 2024, 00:00.
///
/// In files: a quoted or bare TOML local date-time, `start = "2024-11-04T00:00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartTime(pub DateTime);

impl Default for StartTime {
    fn default() -> Self {
        StartTime(DateTime::constant(2024, 1, 1, 0, 0, 0, 0))
    }
}

impl Serialize for StartTime {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.strftime("%Y-%m-%dT%H:%M:%S").to_string())
    }
}

impl<'de> Deserialize<'de> for StartTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        parse_calendar_value(
            d,
            "start: must be a local date and time such as \"2024-11-04T00:00\"",
        )
        .map(StartTime)
    }
}

/// Reads a date or date-time written either as a quoted string or as a bare
/// TOML date, and parses it; `rule` is the error message, to which the
/// offending text is added.
pub(crate) fn parse_calendar_value<'de, D, T>(d: D, rule: &str) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Repr::deserialize(d).map_err(|_| D::Error::custom(rule))? {
        Repr::Text(t) => t,
        Repr::Toml(t) => t.to_string(),
    };
    let shown = crate::excerpt::excerpt(&text, crate::excerpt::MAX_QUOTED);
    if let Some(offset) = utc_offset(&text) {
        return Err(D::Error::custom(format!(
            "{rule}, without a UTC offset: times are local port time, so \"{offset}\" is refused rather than ignored, got \"{shown}\""
        )));
    }
    text.parse::<T>()
        .map_err(|_| D::Error::custom(format!("{rule}, got \"{shown}\"")))
}

/// The UTC offset (`Z`, `+08:00`, `-05`) at the end of a written date-time,
/// if it has one. Every date-time of a scenario or an order log is local
/// port time, so an offset is refused wherever one is read (the civil
/// parser would ignore `+08:00` and refuse `Z`); this finds it.
///
/// ```
/// use cbec_sim::calendar::utc_offset;
/// assert_eq!(utc_offset("2024-11-11T08:00+08:00"), Some("+08:00"));
/// assert_eq!(utc_offset("2024-11-11T08:00"), None);
/// ```
#[must_use]
pub fn utc_offset(text: &str) -> Option<&str> {
    let text = text.trim();
    // The date part: an optional sign, then the year, month and day.
    let body = text.trim_start_matches(['+', '-']);
    let date_end = body.find(['T', 't', ' '])?;
    let time = &body[date_end + 1..];
    let at = time.find(['Z', 'z', '+', '-', '['])?;
    Some(&time[at..])
}

/// A day of the week, written `mon` … `sun` in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    /// Every day, Monday first.
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];
    /// Monday to Friday.
    pub const WEEKDAYS: [Day; 5] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri];

    /// Days since Monday (Monday = 0).
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    fn from_weekday(w: Weekday) -> Day {
        Day::ALL[w.to_monday_zero_offset() as usize]
    }
}

/// A time of day, written `"HH:MM"` or `"HH:MM:SS"` in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockTime(pub Time);

impl ClockTime {
    /// Seconds since midnight.
    #[must_use]
    pub fn secs(self) -> f64 {
        let t = self.0;
        f64::from(t.hour()) * 3600.0 + f64::from(t.minute()) * 60.0 + f64::from(t.second())
    }

    /// Parses `"HH:MM"` or `"HH:MM:SS"`.
    ///
    /// # Errors
    /// A message naming the rule when `text` is not a clock time.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        text.parse::<Time>().map(ClockTime).map_err(|_| {
            format!("must be a clock time \"HH:MM\" between 00:00 and 23:59, got \"{text}\"")
        })
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%H:%M"))
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ClockTime::parse(&text).map_err(D::Error::custom)
    }
}

/// The calendar of one run: maps simulation time to dates, weekdays and
/// times of week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calendar {
    start: DateTime,
    /// Seconds from the Monday 00:00 of the start week to the start.
    start_in_week: f64,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::new(StartTime::default().0)
    }
}

impl Calendar {
    /// A calendar whose time zero is `start`.
    #[must_use]
    pub fn new(start: DateTime) -> Self {
        let day = f64::from(start.weekday().to_monday_zero_offset());
        Calendar {
            start,
            start_in_week: day * 86_400.0 + ClockTime(start.time()).secs(),
        }
    }

    /// The date and time at time zero.
    #[must_use]
    pub fn start(&self) -> DateTime {
        self.start
    }

    /// The local date and time at `t`, to the nanosecond.
    #[must_use]
    pub fn datetime(&self, t: SimTime) -> DateTime {
        self.start
            .checked_add(SignedDuration::from_secs_f64(t.secs()))
            .unwrap_or(DateTime::MAX)
    }

    /// The simulation time of a local date and time (negative before the start).
    #[must_use]
    pub fn time_of(&self, dt: DateTime) -> f64 {
        dt.duration_since(self.start).as_secs_f64()
    }

    /// The date at `t`.
    #[must_use]
    pub fn date(&self, t: SimTime) -> Date {
        self.datetime(t).date()
    }

    /// The weekday at `t`.
    #[must_use]
    pub fn day(&self, t: SimTime) -> Day {
        Day::from_weekday(self.datetime(t).weekday())
    }

    /// Seconds since the most recent Monday 00:00, in `[0, 604800)`.
    #[must_use]
    pub fn week_offset(&self, t: SimTime) -> f64 {
        (self.start_in_week + t.secs()).rem_euclid(WEEK_SECS)
    }
}

/// A piecewise-constant function of the time of week, such as the number
/// of officers on shift.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WeeklyProfile {
    /// (start offset in the week, value), sorted, the first at offset 0.
    steps: Vec<(f64, u32)>,
}

/// One shift rule: `servers` servers from `from` to `to` on each of `days`.
///
/// When `to` is not later than `from`, the shift runs past midnight into the
/// next day (`from = "22:00", to = "06:00"`); `from = to` is a whole day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Shift {
    /// Days on which the shift starts. Default: every day.
    #[serde(default = "all_days")]
    pub days: Vec<Day>,
    /// Start of the shift.
    pub from: ClockTime,
    /// End of the shift.
    pub to: ClockTime,
    /// Servers on duty during the shift.
    pub servers: u32,
}

fn all_days() -> Vec<Day> {
    Day::ALL.to_vec()
}

impl Shift {
    /// `servers` servers from `from` to `to` (`"HH:MM"`) on `days`.
    ///
    /// # Errors
    /// [`Error::Scenario`] if a clock time does not parse.
    pub fn new(days: &[Day], from: &str, to: &str, servers: u32) -> Result<Self> {
        Ok(Shift {
            days: days.to_vec(),
            from: ClockTime::parse(from).map_err(|e| Error::scenario("shift.from", e))?,
            to: ClockTime::parse(to).map_err(|e| Error::scenario("shift.to", e))?,
            servers,
        })
    }
}

impl WeeklyProfile {
    /// `default` everywhere, overridden by each shift in turn (later shifts
    /// win where they overlap).
    pub(crate) fn from_shifts(default: u32, shifts: &[Shift]) -> Self {
        // Minute resolution is enough for clock times; work in seconds to be exact.
        let mut marks: Vec<f64> = vec![0.0];
        let mut spans = Vec::new();
        for s in shifts {
            let (from, to) = (s.from.secs(), s.to.secs());
            let len = if to > from {
                to - from
            } else {
                to - from + 86_400.0
            };
            for d in &s.days {
                let start = d.index() as f64 * 86_400.0 + from;
                let end = start + len;
                if end <= WEEK_SECS {
                    spans.push((start, end, s.servers));
                } else {
                    spans.push((start, WEEK_SECS, s.servers));
                    spans.push((0.0, end - WEEK_SECS, s.servers));
                }
            }
        }
        for (a, b, _) in &spans {
            marks.push(*a);
            marks.push(*b);
        }
        marks.retain(|m| *m < WEEK_SECS);
        marks.sort_by(f64::total_cmp);
        marks.dedup();
        let mut steps: Vec<(f64, u32)> = Vec::new();
        for m in marks {
            // Later rules override earlier ones, rule order = span order.
            let v = spans
                .iter()
                .rev()
                .find(|(a, b, _)| *a <= m && m < *b)
                .map_or(default, |s| s.2);
            if steps.last().is_none_or(|l| l.1 != v) {
                steps.push((m, v));
            }
        }
        WeeklyProfile { steps }
    }

    /// The value at week offset `w`.
    pub(crate) fn value_at(&self, w: f64) -> u32 {
        let i = self.steps.partition_point(|(s, _)| *s <= w);
        self.steps[i.saturating_sub(1)].1
    }

    /// Seconds from week offset `w` to the next change of value, if the
    /// value ever changes.
    pub(crate) fn next_change(&self, w: f64) -> Option<f64> {
        let n = self.steps.len();
        if n < 2 {
            return None;
        }
        let current = self.value_at(w);
        let i = self.steps.partition_point(|(s, _)| *s <= w);
        // Walk forward, wrapping once round the week, to the first step
        // whose value differs (the step at Monday 00:00 may only continue
        // Sunday's value).
        (0..n).map(|k| i + k).find_map(|k| {
            let (start, v) = self.steps[k % n];
            (v != current).then_some(if k < n {
                start - w
            } else {
                WEEK_SECS - w + start
            })
        })
    }

    /// The largest value anywhere in the week.
    pub(crate) fn max(&self) -> u32 {
        self.steps.iter().map(|s| s.1).max().unwrap_or(0)
    }

    /// The time average over the week.
    #[cfg(test)]
    pub(crate) fn mean(&self) -> f64 {
        let mut total = 0.0;
        for (i, (s, v)) in self.steps.iter().enumerate() {
            let end = self.steps.get(i + 1).map_or(WEEK_SECS, |n| n.0);
            total += f64::from(*v) * (end - s);
        }
        total / WEEK_SECS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officers() -> WeeklyProfile {
        // 6 officers 08:30-17:30 on weekdays, 2 from 07:00 to 22:00 every day otherwise, 0 at night.
        WeeklyProfile::from_shifts(
            0,
            &[
                Shift::new(&Day::ALL, "07:00", "22:00", 2).unwrap(),
                Shift::new(&Day::WEEKDAYS, "08:30", "17:30", 6).unwrap(),
            ],
        )
    }

    #[test]
    fn shift_profile_values() {
        let p = officers();
        let at = |day: usize, h: f64| p.value_at(day as f64 * 86_400.0 + h * 3600.0);
        assert_eq!(at(0, 3.0), 0);
        assert_eq!(at(0, 7.0), 2);
        assert_eq!(at(0, 8.5), 6);
        assert_eq!(at(0, 17.49), 6);
        assert_eq!(at(0, 17.5), 2);
        assert_eq!(at(5, 10.0), 2, "Saturday has no 6-officer shift");
        assert_eq!(at(6, 23.0), 0);
        assert_eq!(p.max(), 6);
        let hours = 5.0 * (9.0 * 6.0 + 6.0 * 2.0) + 2.0 * 15.0 * 2.0;
        assert!((p.mean() - hours / 168.0).abs() < 1e-12);
    }

    #[test]
    fn next_change_wraps_the_week() {
        let p = officers();
        assert_eq!(p.next_change(0.0), Some(7.0 * 3600.0));
        let sunday_night = 6.0 * 86_400.0 + 23.0 * 3600.0;
        assert_eq!(p.next_change(sunday_night), Some(8.0 * 3600.0));
        assert_eq!(WeeklyProfile::from_shifts(3, &[]).next_change(5.0), None);
    }

    #[test]
    fn overnight_shift_wraps_past_midnight_and_sunday() {
        let p =
            WeeklyProfile::from_shifts(1, &[Shift::new(&[Day::Sun], "22:00", "06:00", 4).unwrap()]);
        assert_eq!(p.value_at(6.0 * 86_400.0 + 23.0 * 3600.0), 4);
        assert_eq!(
            p.value_at(5.0 * 3600.0),
            4,
            "Monday 05:00 is still Sunday's shift"
        );
        assert_eq!(p.value_at(6.0 * 3600.0), 1);
    }

    #[test]
    fn calendar_maps_times_to_dates() {
        // 2024-11-04 is a Monday; 11 November 2024 is the next Monday.
        let c = Calendar::new("2024-11-04T06:00".parse().unwrap());
        assert_eq!(c.day(SimTime::ZERO), Day::Mon);
        assert_eq!(c.week_offset(SimTime::ZERO), 6.0 * 3600.0);
        let t = SimTime::from_hours(7.0 * 24.0 - 6.0);
        assert_eq!(c.date(t), jiff::civil::date(2024, 11, 11));
        assert_eq!(c.week_offset(t), 0.0);
        assert_eq!(c.time_of("2024-11-04T07:00".parse().unwrap()), 3600.0);
    }

    #[test]
    fn utc_offsets_are_found_and_refused() {
        assert_eq!(utc_offset("2024-11-04T00:00"), None);
        assert_eq!(utc_offset("2024-11-04"), None);
        assert_eq!(utc_offset("2024-11-04T00:00+08:00"), Some("+08:00"));
        assert_eq!(utc_offset("2024-11-04T00:00:00Z"), Some("Z"));
        assert_eq!(utc_offset("2024-11-04 00:00-05"), Some("-05"));
        assert_eq!(
            utc_offset("2024-11-04T00:00[Asia/Shanghai]"),
            Some("[Asia/Shanghai]")
        );
        #[derive(Debug, Deserialize)]
        struct S {
            #[allow(dead_code)]
            start: StartTime,
        }
        for text in [
            "start = \"2024-11-11T00:00+08:00\"",
            "start = \"2024-11-11T00:00Z\"",
            "start = 2024-11-11T00:00:00+08:00",
            "start = 2024-11-11T00:00:00Z",
        ] {
            let err = toml::from_str::<S>(text).unwrap_err().to_string();
            assert!(err.contains("without a UTC offset"), "{text}: {err}");
        }
    }

    #[test]
    fn start_time_parses_quoted_and_bare() {
        #[derive(Deserialize)]
        struct S {
            start: StartTime,
        }
        let q: S = toml::from_str("start = \"2024-11-11T00:00\"").unwrap();
        let b: S = toml::from_str("start = 2024-11-11T00:00:00").unwrap();
        assert_eq!(q.start, b.start);
        assert!(toml::from_str::<S>("start = \"11/11/2024\"").is_err());
    }
}
