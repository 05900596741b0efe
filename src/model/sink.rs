use serde::{Deserialize, Serialize};

/// A terminal state: orders that reach it leave the system and are counted.
///
/// Each sink records how many orders reached it and their time in system.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Sink {
    /// Milestone stamped on orders reaching this sink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
}

impl Sink {
    /// A plain sink.
    #[must_use]
    pub fn new() -> Self {
        Sink::default()
    }

    /// Stamps the milestone `name` on orders reaching this sink.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }
}
