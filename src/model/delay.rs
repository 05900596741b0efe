//! Delays: infinitely many servers, the order leaving after the latest of
//! several independent parts. The configuration ([`Delay`]) and its
//! compile step, into a station with infinitely many servers: at run time
//! a delay is a plain station (`station/flow.rs`), its service time the
//! largest of its parts' draws.

use super::build::Registry;
use super::duration::DurationDist;
use super::station::{ServiceTime, StationNode};
use crate::dist::Dist;
use crate::error::{Error, Result};
use crate::rng::StreamId;
use crate::time::TimeUnit;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A pure delay with infinitely many servers: the order moves on when the
/// **last** of several independent parts is done (the order, payment and
/// waybill messages of the three documents, say).
///
/// # Semantics
/// On entry, one duration is drawn per part (minutes), each from its own
/// stream; the order leaves after the largest. With one part it is a plain
/// delay. Nothing ever waits. Results appear among the stations, with
/// infinitely many servers.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Delay, Dist};
/// let docs = Delay::latest_of("list_review")
///     .with_part("order_message", Dist::lognormal(0.5, 1.0)?)
///     .with_part("payment_message", Dist::lognormal(0.3, 1.0)?)
///     .with_part("waybill_message", Dist::lognormal(1.0, 1.5)?);
/// assert_eq!(docs.latest_of_min.len(), 3);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Delay {
    /// Part name → its duration in minutes; the delay is the largest.
    pub latest_of_min: IndexMap<String, Dist>,
    /// Where the order goes next.
    pub to: String,
    /// Milestone stamped on entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
    /// Attribute incremented by 1 on each entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<String>,
}

impl Delay {
    /// A delay with no parts yet, leading to `to`; add parts with [`Delay::with_part`].
    #[must_use]
    pub fn latest_of(to: impl Into<String>) -> Self {
        Delay {
            latest_of_min: IndexMap::new(),
            to: to.into(),
            milestone: None,
            increment: None,
        }
    }

    /// Adds the part `name` lasting `minutes`.
    #[must_use]
    pub fn with_part(mut self, name: impl Into<String>, minutes: Dist) -> Self {
        self.latest_of_min.insert(name.into(), minutes);
        self
    }

    /// Stamps the milestone `name` on entry.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }
}

/// Checks delay `name` and compiles it into a station with infinitely many
/// servers whose service time is the latest of the parts.
pub(crate) fn compile(reg: &Registry, name: &str, d: &Delay) -> Result<StationNode> {
    if d.latest_of_min.is_empty() {
        return Err(Error::scenario(
            format!("delays.{name}.latest_of_min"),
            "must list at least one part",
        ));
    }
    let to = reg.target(&format!("delays.{name}.to"), &d.to)?;
    let parts = d
        .latest_of_min
        .values()
        .map(|p| DurationDist::new(p.clone(), TimeUnit::Minutes))
        .collect();
    let streams = d
        .latest_of_min
        .keys()
        .map(|p| StreamId::named("delay", name, p))
        .collect();
    Ok(StationNode::pure_delay(
        reg,
        "delay",
        name,
        ServiceTime::LatestOf(parts),
        streams,
        to,
    ))
}
