//! Simulation time.
//!
//! The clock counts **seconds** since the start of the run, as an `f64`. At the
//! end of a simulated year (3.2e7 s) the spacing between representable times
//! is about 4 ns, so the clock keeps sub-microsecond resolution over any
//! horizon this crate is meant for. Files carry their time unit in the field
//! name (`horizon_h`, `service_time_min`); [`TimeUnit`] converts.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Mul, Sub};

/// A point in simulated time, or a span of it, in seconds.
///
/// Always finite and non-negative inside the engine.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SimTime(f64);

impl SimTime {
    /// Time zero, the start of every run.
    pub const ZERO: SimTime = SimTime(0.0);

    /// A time of `s` seconds.
    #[must_use]
    pub const fn from_secs(s: f64) -> Self {
        SimTime(s)
    }

    /// A time of `m` minutes.
    #[must_use]
    pub fn from_minutes(m: f64) -> Self {
        SimTime(m * 60.0)
    }

    /// A time of `h` hours.
    #[must_use]
    pub fn from_hours(h: f64) -> Self {
        SimTime(h * 3600.0)
    }

    /// A time of `d` days.
    #[must_use]
    pub fn from_days(d: f64) -> Self {
        SimTime(d * 86_400.0)
    }

    /// The time in seconds.
    #[must_use]
    pub const fn secs(self) -> f64 {
        self.0
    }

    /// The time in minutes.
    #[must_use]
    pub fn minutes(self) -> f64 {
        self.0 / 60.0
    }

    /// The time in hours.
    #[must_use]
    pub fn hours(self) -> f64 {
        self.0 / 3600.0
    }

    /// The time in days.
    #[must_use]
    pub fn days(self) -> f64 {
        self.0 / 86_400.0
    }
}

impl Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0 + rhs.0)
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        SimTime(self.0 - rhs.0)
    }
}

/// A span scaled by a factor (an order's items times the time per item).
impl Mul<f64> for SimTime {
    type Output = SimTime;
    fn mul(self, k: f64) -> SimTime {
        SimTime(self.0 * k)
    }
}

impl SimTime {
    /// The later of two times.
    #[must_use]
    pub fn max(self, other: SimTime) -> SimTime {
        SimTime(self.0.max(other.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} s", self.0)
    }
}

/// The unit of a duration written in a file or given to the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TimeUnit {
    /// Seconds (`_s` in field names).
    Seconds,
    /// Minutes (`_min` in field names).
    Minutes,
    /// Hours (`_h` in field names).
    Hours,
    /// Days (`_d` in field names).
    Days,
}

impl TimeUnit {
    /// Seconds in one of this unit.
    #[must_use]
    pub const fn secs(self) -> f64 {
        match self {
            TimeUnit::Seconds => 1.0,
            TimeUnit::Minutes => 60.0,
            TimeUnit::Hours => 3600.0,
            TimeUnit::Days => 86_400.0,
        }
    }

    /// `value` of this unit as a [`SimTime`].
    #[must_use]
    pub fn time(self, value: f64) -> SimTime {
        SimTime(value * self.secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_both_ways() {
        assert_eq!(SimTime::from_minutes(1.5).secs(), 90.0);
        assert_eq!(SimTime::from_hours(2.0).minutes(), 120.0);
        assert_eq!(SimTime::from_days(1.0).hours(), 24.0);
        assert_eq!(TimeUnit::Minutes.time(2.0), SimTime::from_secs(120.0));
        assert_eq!(
            SimTime::from_secs(3.0) - SimTime::from_secs(1.0),
            SimTime::from_secs(2.0)
        );
    }

    #[test]
    fn clock_resolution_after_a_year_is_below_a_microsecond() {
        let year = SimTime::from_days(365.0).secs();
        let next = f64::from_bits(year.to_bits() + 1);
        assert!(next - year < 1e-6, "spacing {}", next - year);
    }
}
