use super::arrivals::{RateProfile, ScheduledBatch};
use crate::dist::Dist;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where orders come from.
///
/// A source has exactly one arrival process:
/// - `rate_per_hour`: Poisson, exponential gaps of mean `3600 / rate` s;
/// - `profile`: a rate table by hour, weekday and date (see [`RateProfile`]),
///   a non-homogeneous Poisson process sampled exactly;
/// - `timetable`: batches at clock times on given weekdays (see
///   [`ScheduledBatch`]); all orders of a batch arrive at the same instant;
/// - `replay_csv`: the rows of an order log, one order per row at its
///   `time` (local date-time), with an optional `class` column and numeric
///   attribute columns. A relative path is read from the scenario file's folder.
///
/// # Semantics
/// - Each order's class is drawn from `classes` (class name → share, shares
///   summing to 1) on the source's `classes` stream, so changing the mix
///   does not move the arrival times. Without `classes`, every order has the
///   class `"default"` (replayed rows may name their class instead).
/// - Each attribute in `attributes` is drawn from its distribution, and each
///   categorical attribute in `categories` from its shares, each on its own
///   stream. Attributes not drawn are 0.
/// - With `max_arrivals`, the source stops after that many orders.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Dist, Source};
/// let orders = Source::poisson(100.0, "document_check")
///     .with_class("standard", 0.9)
///     .with_class("express", 0.1)
///     .with_attribute("basket_value_cny", Dist::lognormal(250.0, 1.2)?);
/// assert_eq!(orders.classes.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Source {
    /// Poisson arrivals: mean rate, orders per hour (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_per_hour: Option<f64>,
    /// Time-varying Poisson arrivals from a rate table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<RateProfile>,
    /// Scheduled batch arrivals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timetable: Vec<ScheduledBatch>,
    /// Replay of a CSV order log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_csv: Option<PathBuf>,
    /// The node each new order enters.
    pub to: String,
    /// Class name → share of orders (shares sum to 1). Empty: one class, `"default"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub classes: BTreeMap<String, f64>,
    /// Numeric attributes drawn at arrival, by name (unit in the name).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub attributes: IndexMap<String, Dist>,
    /// Categorical attributes drawn at arrival: name → (category → share).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub categories: IndexMap<String, BTreeMap<String, f64>>,
    /// Stop after this many orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_arrivals: Option<u64>,
}

impl Source {
    fn with_process(to: impl Into<String>) -> Self {
        Source {
            rate_per_hour: None,
            profile: None,
            timetable: Vec::new(),
            replay_csv: None,
            to: to.into(),
            classes: BTreeMap::new(),
            attributes: IndexMap::new(),
            categories: IndexMap::new(),
            max_arrivals: None,
        }
    }

    /// Poisson arrivals at `rate_per_hour`, entering `to`.
    #[must_use]
    pub fn poisson(rate_per_hour: f64, to: impl Into<String>) -> Self {
        Source {
            rate_per_hour: Some(rate_per_hour),
            ..Source::with_process(to)
        }
    }

    /// Time-varying Poisson arrivals following `profile`.
    #[must_use]
    pub fn profile(profile: RateProfile, to: impl Into<String>) -> Self {
        Source {
            profile: Some(profile),
            ..Source::with_process(to)
        }
    }

    /// Batches arriving on a weekly timetable.
    #[must_use]
    pub fn timetable(timetable: Vec<ScheduledBatch>, to: impl Into<String>) -> Self {
        Source {
            timetable,
            ..Source::with_process(to)
        }
    }

    /// The orders of a CSV log.
    #[must_use]
    pub fn replay(csv: impl Into<PathBuf>, to: impl Into<String>) -> Self {
        Source {
            replay_csv: Some(csv.into()),
            ..Source::with_process(to)
        }
    }

    /// Adds the class `name` with the given share of orders.
    #[must_use]
    pub fn with_class(mut self, name: impl Into<String>, share: f64) -> Self {
        self.classes.insert(name.into(), share);
        self
    }

    /// Draws the numeric attribute `name` from `dist` for every order.
    #[must_use]
    pub fn with_attribute(mut self, name: impl Into<String>, dist: Dist) -> Self {
        self.attributes.insert(name.into(), dist);
        self
    }

    /// Draws the categorical attribute `name` from `shares` (category → share).
    #[must_use]
    pub fn with_category(mut self, name: impl Into<String>, shares: BTreeMap<String, f64>) -> Self {
        self.categories.insert(name.into(), shares);
        self
    }

    /// Stops the source after `n` orders.
    #[must_use]
    pub fn with_max_arrivals(mut self, n: u64) -> Self {
        self.max_arrivals = Some(n);
        self
    }
}

/// The class of orders from a source that declares no class mix.
pub const DEFAULT_CLASS: &str = "default";
