use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One branch of a [`Router`]: go to `to` with probability `prob`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Target node.
    pub to: String,
    /// Probability of this branch, in `[0, 1]`.
    pub prob: f64,
}

impl Route {
    /// Go to `to` with probability `prob`.
    #[must_use]
    pub fn new(to: impl Into<String>, prob: f64) -> Self {
        Route {
            to: to.into(),
            prob,
        }
    }
}

/// A zero-time branching point: sends each order on along one of its routes.
///
/// # Semantics
/// - An order of class `k` uses the routes listed for `k` under `by_class`
///   if there are any, otherwise the default `routes`.
/// - One uniform number is drawn per decision from the router's own stream;
///   the branch is the first whose cumulative probability exceeds it.
/// - Routes may lead back to an earlier node (rework, feedback), as long as
///   every cycle passes through a station (time must pass).
///
/// # Examples
/// ```
/// use cbec_sim::{Route, Router};
/// let split = Router::new(vec![Route::new("inspection", 0.05), Route::new("pick_pack", 0.95)])
///     .with_class_routes("express", vec![Route::new("pick_pack", 1.0)]);
/// assert_eq!(split.by_class.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Router {
    /// Routes for classes without their own; probabilities sum to 1.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Class name → its own routes; each list's probabilities sum to 1.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_class: BTreeMap<String, Vec<Route>>,
    /// Milestone stamped on an order when it first passes this router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
}

impl Router {
    /// A router with the given default routes.
    #[must_use]
    pub fn new(routes: Vec<Route>) -> Self {
        Router {
            routes,
            by_class: BTreeMap::new(),
            milestone: None,
        }
    }

    /// Orders of class `class` use `routes` instead of the default ones.
    #[must_use]
    pub fn with_class_routes(mut self, class: impl Into<String>, routes: Vec<Route>) -> Self {
        self.by_class.insert(class.into(), routes);
        self
    }

    /// Stamps the milestone `name` on orders passing this router.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }
}
