use crate::dist::Dist;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How many jobs a station serves at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Servers {
    /// `c` identical servers sharing one queue (`c` >= 1).
    Finite(u32),
    /// Every job starts service on arrival; nothing ever queues (a pure delay).
    Infinite,
}

impl Servers {
    /// The number of servers, or `None` for infinitely many.
    #[must_use]
    pub const fn count(self) -> Option<u32> {
        match self {
            Servers::Finite(c) => Some(c),
            Servers::Infinite => None,
        }
    }
}

/// In files: a whole number, or the word `"infinite"`.
impl Serialize for Servers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Servers::Finite(c) => s.serialize_u32(*c),
            Servers::Infinite => s.serialize_str("infinite"),
        }
    }
}

impl<'de> Deserialize<'de> for Servers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Count(i64),
            Word(String),
        }
        match Repr::deserialize(d)
            .map_err(|_| D::Error::custom("servers: must be a whole number or \"infinite\""))?
        {
            Repr::Count(c) => u32::try_from(c).map(Servers::Finite).map_err(|_| {
                D::Error::custom(format!(
                    "servers: must be between 1 and {}, got {c}",
                    u32::MAX
                ))
            }),
            Repr::Word(w) if w == "infinite" => Ok(Servers::Infinite),
            Repr::Word(w) => Err(D::Error::custom(format!(
                "servers: must be a whole number or \"infinite\", got \"{w}\""
            ))),
        }
    }
}

/// A queueing station: `servers` parallel servers fed by one FIFO queue.
///
/// # Semantics
/// - An arriving job starts service at once if a server is idle, otherwise it
///   joins the tail of the queue (and counts as *queued*).
/// - When a service ends, the freed server takes the head of the queue at that
///   same instant, *before* the finished job moves on; a job routed straight
///   back to this station therefore joins behind the jobs already waiting.
/// - Service times are drawn from `service_time_min`, in minutes, from the
///   station's own random stream, when service starts.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Dist, Station};
/// let review = Station::new(3, Dist::lognormal(1.5, 1.0)?, "pick_pack").with_milestone("declared");
/// assert_eq!(review.servers.count(), Some(3));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Station {
    /// Number of servers.
    pub servers: Servers,
    /// Service time per job, in minutes.
    pub service_time_min: Dist,
    /// The node a job goes to when its service ends.
    pub to: String,
    /// Milestone stamped on a job when it first enters this station.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
}

impl Station {
    /// `servers` servers with the given service time (minutes), then on to `to`.
    #[must_use]
    pub fn new(servers: u32, service_time_min: Dist, to: impl Into<String>) -> Self {
        Station {
            servers: Servers::Finite(servers),
            service_time_min,
            to: to.into(),
            milestone: None,
        }
    }

    /// Infinitely many servers: a pure delay of `service_time_min`.
    #[must_use]
    pub fn infinite(service_time_min: Dist, to: impl Into<String>) -> Self {
        Station {
            servers: Servers::Infinite,
            service_time_min,
            to: to.into(),
            milestone: None,
        }
    }

    /// Stamps the milestone `name` on jobs entering this station.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }
}
