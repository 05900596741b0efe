use serde::{Deserialize, Serialize};

/// A measured span between two milestones, such as clearance time
/// (`declared` → `released`).
///
/// # Semantics
/// A milestone records the **first** time an order enters a node carrying it.
/// When an order first reaches the `to` milestone having passed `from`, the
/// difference is recorded; orders that reach `to` without `from` are not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    /// Starting milestone.
    pub from: String,
    /// Ending milestone.
    pub to: String,
}

impl Interval {
    /// The span from milestone `from` to milestone `to`.
    #[must_use]
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Interval {
            from: from.into(),
            to: to.into(),
        }
    }
}
