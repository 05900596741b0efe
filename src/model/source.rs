use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A Poisson source of orders with a mix of classes.
///
/// # Semantics
/// - Inter-arrival times are exponential with mean `3600 / rate_per_hour`
///   seconds, drawn from the source's `arrivals` stream; the first arrival is
///   one inter-arrival time after time zero.
/// - Each order's class is drawn from `classes` (class name → share, shares
///   summing to 1) on the source's separate `classes` stream, so changing the
///   mix does not move the arrival times. Without `classes`, every order has
///   the class `"default"`.
/// - With `max_arrivals`, the source stops after that many orders.
///
/// # Examples
/// ```
/// use cbec_sim::Source;
/// let orders = Source::poisson(100.0, "document_check")
///     .with_class("standard", 0.9)
///     .with_class("express", 0.1);
/// assert_eq!(orders.classes.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Source {
    /// Mean arrival rate, orders per hour (> 0).
    pub rate_per_hour: f64,
    /// The node each new order enters.
    pub to: String,
    /// Class name → share of orders (shares sum to 1). Empty: one class, `"default"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub classes: BTreeMap<String, f64>,
    /// Stop after this many orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_arrivals: Option<u64>,
}

impl Source {
    /// Poisson arrivals at `rate_per_hour`, entering `to`.
    #[must_use]
    pub fn poisson(rate_per_hour: f64, to: impl Into<String>) -> Self {
        Source {
            rate_per_hour,
            to: to.into(),
            classes: BTreeMap::new(),
            max_arrivals: None,
        }
    }

    /// Adds the class `name` with the given share of orders.
    #[must_use]
    pub fn with_class(mut self, name: impl Into<String>, share: f64) -> Self {
        self.classes.insert(name.into(), share);
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
