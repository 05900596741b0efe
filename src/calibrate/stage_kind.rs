//! What a stage's duration measures: a service, a wait, or a sojourn with
//! waiting included.

use serde::{Deserialize, Serialize};

/// What a stage's duration is, as the map says: which part of an order's
/// time at a node the two events bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// From a server taking the order to its end: a service time. Only
    /// such a stage can calibrate a station's `service_time_min`.
    Service,
    /// From joining a queue to a server taking the order: a wait, which
    /// the model produces; it is fitted and checked, never an input.
    Wait,
    /// From one event to another with waiting included (the default):
    /// where a log holds only a stage's ends. It can calibrate a delay
    /// (`delays.<name>.latest_of_min.<part>`), not a station's service.
    #[default]
    Sojourn,
}

impl StageKind {
    /// The kind's name in a map file.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            StageKind::Service => "service",
            StageKind::Wait => "wait",
            StageKind::Sojourn => "sojourn",
        }
    }
}
