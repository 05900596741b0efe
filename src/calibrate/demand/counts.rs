//! The streaming count: arrivals per (date, clock hour) of the
//! observation window, and the exact hours each such cell was observed
//! (partial hours at the window's ends pro rata). Nothing else is kept,
//! so ten million arrivals take 192 bytes per day of the window.

use crate::calendar::Day;
use crate::error::{Error, Result};
use jiff::civil::{Date, DateTime, Time};

/// Nanoseconds in an hour and in a day (local time: no daylight saving).
pub(super) const HOUR_NS: i128 = 3_600_000_000_000;
const DAY_NS: i128 = 24 * HOUR_NS;

/// The longest window a fit takes: a hundred years of days (about 7 MB
/// of counts).
pub const MAX_WINDOW_DAYS: usize = 36_525;

/// Arrivals per (date, hour) of a window.
#[derive(Debug, Clone)]
pub(super) struct Counts {
    start: DateTime,
    end: DateTime,
    /// Nanoseconds from the first date's midnight to the window's start
    /// and to its end.
    from_ns: i128,
    to_ns: i128,
    /// The dates of the window, from its first.
    dates: Vec<Date>,
    /// Monday-zero weekday of the first date.
    first_weekday: usize,
    /// By day of the window: arrivals per clock hour.
    days: Vec<[u64; 24]>,
    total: u64,
}

impl Counts {
    /// An empty count over `start..=end`.
    ///
    /// # Errors
    /// [`Error::Scenario`] at `demand.window_end` when the window is
    /// empty, reversed, shorter than a day or longer than
    /// [`MAX_WINDOW_DAYS`].
    pub(super) fn new(start: DateTime, end: DateTime) -> Result<Counts> {
        let field = "demand.window_end";
        if end <= start {
            return Err(Error::scenario(
                field,
                format!("must be after window_start {start}, got {end}; the window is empty"),
            ));
        }
        let len = end.duration_since(start).as_nanos();
        if len < DAY_NS {
            return Err(Error::scenario(
                field,
                format!(
                    "the window {start} to {end} is shorter than a day; an hour-of-day profile needs every hour observed at least once"
                ),
            ));
        }
        let from_ns = start
            .duration_since(start.date().to_datetime(Time::midnight()))
            .as_nanos();
        let to_ns = from_ns + len;
        let n_days = usize::try_from((to_ns - 1) / DAY_NS + 1).unwrap_or(usize::MAX);
        if n_days > MAX_WINDOW_DAYS {
            return Err(Error::scenario(
                field,
                format!(
                    "the window {start} to {end} spans {n_days} days; a fit takes at most {MAX_WINDOW_DAYS}"
                ),
            ));
        }
        let mut dates = Vec::with_capacity(n_days);
        let mut date = start.date();
        for _ in 0..n_days {
            dates.push(date);
            // A window that ends past the last civil date fails above (its
            // `end` is a valid DateTime); keep the last date otherwise.
            date = date.tomorrow().unwrap_or(date);
        }
        Ok(Counts {
            start,
            end,
            from_ns,
            to_ns,
            dates,
            first_weekday: start.weekday().to_monday_zero_offset() as usize,
            days: vec![[0; 24]; n_days],
            total: 0,
        })
    }

    /// Counts an arrival at `at`, the `index`th of the input.
    ///
    /// # Errors
    /// [`Error::Scenario`] at `demand.arrivals[index]` when `at` is
    /// outside the window.
    pub(super) fn push(&mut self, at: DateTime, index: u64) -> Result<()> {
        let offset = at.duration_since(self.start).as_nanos();
        if offset < 0 || self.from_ns + offset > self.to_ns {
            return Err(Error::scenario(
                format!("demand.arrivals[{index}]"),
                format!("{at} is outside the window {} to {}", self.start, self.end),
            ));
        }
        self.push_offset(offset);
        Ok(())
    }

    /// Counts an arrival `offset` nanoseconds after the window's start,
    /// clamped into the window (for times already known to be in it, up
    /// to rounding).
    pub(super) fn push_offset(&mut self, offset: i128) {
        let mut at = (self.from_ns + offset).clamp(self.from_ns, self.to_ns);
        // An arrival at the window's very end counts in its last observed hour.
        if at == self.to_ns {
            at -= 1;
        }
        let hour = at / HOUR_NS;
        // In range: from_ns <= at < to_ns, and the days cover to_ns.
        self.days[(hour / 24) as usize][(hour % 24) as usize] += 1;
        self.total += 1;
    }

    /// The window's length in nanoseconds.
    pub(super) fn len_ns(&self) -> i128 {
        self.to_ns - self.from_ns
    }

    pub(super) fn start(&self) -> DateTime {
        self.start
    }

    pub(super) fn end(&self) -> DateTime {
        self.end
    }

    /// Days of the window (the first and last may be partial).
    pub(super) fn n_days(&self) -> usize {
        self.days.len()
    }

    pub(super) fn total(&self) -> u64 {
        self.total
    }

    pub(super) fn date(&self, day: usize) -> Date {
        self.dates[day]
    }

    /// The weekday of day `day` of the window.
    pub(super) fn weekday(&self, day: usize) -> Day {
        Day::ALL[(self.first_weekday + day) % 7]
    }

    /// Arrivals in each hour of day `day`.
    pub(super) fn hours(&self, day: usize) -> &[u64; 24] {
        &self.days[day]
    }

    /// Arrivals on day `day`.
    pub(super) fn day_total(&self, day: usize) -> u64 {
        self.days[day].iter().sum()
    }

    /// The hours of hour `hour` of day `day` that lie in the window, in
    /// [0, 1].
    pub(super) fn exposure_h(&self, day: usize, hour: usize) -> f64 {
        let a = (day * 24 + hour) as i128 * HOUR_NS;
        let (lo, hi) = (a.max(self.from_ns), (a + HOUR_NS).min(self.to_ns));
        if hi <= lo {
            0.0
        } else if hi - lo == HOUR_NS {
            1.0
        } else {
            (hi - lo) as f64 / HOUR_NS as f64
        }
    }

    /// Whether all 24 hours of day `day` lie in the window.
    pub(super) fn is_full(&self, day: usize) -> bool {
        let a = day as i128 * DAY_NS;
        a >= self.from_ns && a + DAY_NS <= self.to_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        s.parse().unwrap()
    }

    #[test]
    fn partial_hours_are_observed_pro_rata() {
        let c = Counts::new(dt("2024-11-04T06:15"), dt("2024-11-06T18:30")).unwrap();
        assert_eq!(c.n_days(), 3);
        assert_eq!(c.exposure_h(0, 5), 0.0);
        assert_eq!(c.exposure_h(0, 6), 0.75);
        assert_eq!(c.exposure_h(0, 7), 1.0);
        assert_eq!(c.exposure_h(2, 18), 0.5);
        assert_eq!(c.exposure_h(2, 19), 0.0);
        assert!(!c.is_full(0) && c.is_full(1) && !c.is_full(2));
        assert_eq!(c.weekday(0), Day::Mon);
        assert_eq!(c.date(2), jiff::civil::date(2024, 11, 6));
    }

    #[test]
    fn arrivals_land_in_their_hour_and_the_end_counts_in_the_last_hour() {
        let mut c = Counts::new(dt("2024-11-04T00:00"), dt("2024-11-06T00:00")).unwrap();
        c.push(dt("2024-11-04T00:00"), 0).unwrap();
        c.push(dt("2024-11-05T13:59:59.9"), 1).unwrap();
        c.push(dt("2024-11-06T00:00"), 2).unwrap();
        assert_eq!(c.n_days(), 2);
        assert_eq!((c.hours(0)[0], c.hours(1)[13], c.hours(1)[23]), (1, 1, 1));
        assert_eq!(c.total(), 3);
        let e = c
            .push(dt("2024-11-06T00:00:01"), 7)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "demand.arrivals[7]: 2024-11-06T00:00:01 is outside the window 2024-11-04T00:00:00 to 2024-11-06T00:00:00"
        );
    }

    #[test]
    fn empty_short_or_reversed_windows_are_refused_with_their_values() {
        let e = Counts::new(dt("2024-11-04T00:00"), dt("2024-11-04T00:00"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "demand.window_end: must be after window_start 2024-11-04T00:00:00, got 2024-11-04T00:00:00; the window is empty"
        );
        let e = Counts::new(dt("2024-11-04T00:00"), dt("2024-11-04T23:00"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("shorter than a day"), "{e}");
        let e = Counts::new(dt("2024-11-04T00:00"), dt("2224-11-04T00:00"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("at most 36525"), "{e}");
    }
}
