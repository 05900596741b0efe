use crate::calendar::{ClockTime, Day};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// A clock time on given weekdays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct WeeklyTime {
    /// Days. Default: every day.
    #[serde(default = "all_days")]
    pub days: Vec<Day>,
    /// Clock time.
    pub at: ClockTime,
}

fn all_days() -> Vec<Day> {
    Day::ALL.to_vec()
}

impl WeeklyTime {
    /// `at` (`"HH:MM"`) on `days`.
    ///
    /// # Errors
    /// [`Error::Scenario`] if `at` is not a clock time.
    pub fn new(days: &[Day], at: &str) -> Result<Self> {
        Ok(WeeklyTime {
            days: days.to_vec(),
            at: ClockTime::parse(at).map_err(|e| Error::scenario("at", e))?,
        })
    }
}

/// Holds parcels until a vehicle leaves: at scheduled clock times (truck
/// departures, carrier pick-ups), and/or as soon as a full load is waiting.
///
/// # Semantics
/// - Parcels wait in arrival order.
/// - At each time in `departures`, a vehicle leaves with the oldest
///   parcels, at most `capacity` of them (all, without a capacity); parcels
///   left over wait for the next one. A departure with nothing waiting sends
///   no vehicle.
/// - With `batch_size`, a vehicle also leaves the moment `batch_size`
///   parcels are waiting, with exactly that many.
/// - The time each parcel waited is measured.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Day, Dispatch, WeeklyTime};
/// let trucks = Dispatch::new("delivered")
///     .with_departure(WeeklyTime::new(&Day::ALL, "10:00")?)
///     .with_departure(WeeklyTime::new(&Day::ALL, "18:00")?)
///     .with_capacity(3000);
/// assert_eq!(trucks.departures.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Dispatch {
    /// Scheduled departures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departures: Vec<WeeklyTime>,
    /// A vehicle leaves as soon as this many parcels wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u32>,
    /// Most parcels per scheduled vehicle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Where parcels go when their vehicle leaves.
    pub to: String,
    /// Milestone stamped on arrival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
}

impl Dispatch {
    /// A dispatch point leading to `to`, with no departures yet.
    #[must_use]
    pub fn new(to: impl Into<String>) -> Self {
        Dispatch {
            departures: Vec::new(),
            batch_size: None,
            capacity: None,
            to: to.into(),
            milestone: None,
        }
    }

    /// Adds a scheduled departure.
    #[must_use]
    pub fn with_departure(mut self, at: WeeklyTime) -> Self {
        self.departures.push(at);
        self
    }

    /// A vehicle leaves as soon as `n` parcels wait.
    #[must_use]
    pub fn with_batch_size(mut self, n: u32) -> Self {
        self.batch_size = Some(n);
        self
    }

    /// At most `n` parcels per scheduled vehicle.
    #[must_use]
    pub fn with_capacity(mut self, n: u32) -> Self {
        self.capacity = Some(n);
        self
    }

    /// Stamps the milestone `name` on arrival.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }
}
