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

/// A comparison in a routing [`Rule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Comparison {
    /// `>`
    #[serde(rename = ">")]
    Greater,
    /// `>=`
    #[serde(rename = ">=")]
    GreaterOrEqual,
    /// `<`
    #[serde(rename = "<")]
    Less,
    /// `<=`
    #[serde(rename = "<=")]
    LessOrEqual,
    /// `==`
    #[serde(rename = "==")]
    Equal,
    /// `!=`
    #[serde(rename = "!=")]
    NotEqual,
}

impl Comparison {
    /// Whether `lhs op rhs` holds.
    #[must_use]
    pub fn holds(self, lhs: f64, rhs: f64) -> bool {
        match self {
            Comparison::Greater => lhs > rhs,
            Comparison::GreaterOrEqual => lhs >= rhs,
            Comparison::Less => lhs < rhs,
            Comparison::LessOrEqual => lhs <= rhs,
            Comparison::Equal => lhs == rhs,
            Comparison::NotEqual => lhs != rhs,
        }
    }
}

/// The right-hand side of a rule: a number, or a category name of a
/// categorical attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum RuleValue {
    /// A number.
    Number(f64),
    /// A category name.
    Category(String),
}

/// A routing rule: orders whose `attribute op value` holds go to `to`.
///
/// In files: `{ attribute = "basket_value_cny", op = ">", value = 5000, to = "over_limit" }`.
/// The attribute may be a sum of numeric attributes, such as the annual
/// limit check `{ attribute = "annual_spent_cny + basket_value_cny", op = ">",
/// value = 26000, to = "over_annual_limit" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Attribute tested, or a sum of numeric attributes (`"a + b"`).
    pub attribute: String,
    /// Comparison.
    pub op: Comparison,
    /// Value compared with.
    pub value: RuleValue,
    /// Target when the rule holds.
    pub to: String,
}

impl Rule {
    /// Orders with `attribute op value` go to `to`.
    #[must_use]
    pub fn new(
        attribute: impl Into<String>,
        op: Comparison,
        value: f64,
        to: impl Into<String>,
    ) -> Self {
        Rule {
            attribute: attribute.into(),
            op,
            value: RuleValue::Number(value),
            to: to.into(),
        }
    }

    /// Orders whose categorical `attribute` is (`Equal`) or is not
    /// (`NotEqual`) `category` go to `to`.
    #[must_use]
    pub fn category(
        attribute: impl Into<String>,
        op: Comparison,
        category: impl Into<String>,
        to: impl Into<String>,
    ) -> Self {
        Rule {
            attribute: attribute.into(),
            op,
            value: RuleValue::Category(category.into()),
            to: to.into(),
        }
    }
}

/// A zero-time branching point: sends each order on along one of its routes.
///
/// # Semantics
/// - `rules` are tried in order; the first that holds decides. Rules draw
///   no random number.
/// - Otherwise an order of class `k` uses the routes listed for `k` under
///   `by_class` if there are any, else the default `routes`. One uniform
///   number is drawn per probabilistic decision from the router's own
///   stream; the branch is the first whose cumulative probability exceeds it.
/// - Routes may lead back to an earlier node (rework, feedback), as long as
///   every cycle passes through a station (time must pass). An attempt
///   counter (`increment` on a node) with a rule such as `attempts >= 3`
///   bounds a rework loop.
///
/// # Examples
/// ```
/// use cbec_sim::{Comparison, Route, Router, Rule};
/// let split = Router::new(vec![Route::new("inspection", 0.05), Route::new("pick_pack", 0.95)])
///     .with_rule(Rule::new("basket_value_cny", Comparison::Greater, 5000.0, "over_limit"))
///     .with_class_routes("express", vec![Route::new("pick_pack", 1.0)]);
/// assert_eq!(split.by_class.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Router {
    /// Rules tried first, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Routes for classes without their own; probabilities sum to 1.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Class name → its own routes; each list's probabilities sum to 1.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_class: BTreeMap<String, Vec<Route>>,
    /// Milestone stamped on an order when it first passes this router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
    /// Attribute incremented by 1 each time an order passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<String>,
}

impl Router {
    /// A router with the given default routes.
    #[must_use]
    pub fn new(routes: Vec<Route>) -> Self {
        Router {
            rules: Vec::new(),
            routes,
            by_class: BTreeMap::new(),
            milestone: None,
            increment: None,
        }
    }

    /// Adds a rule, tried after the ones already there.
    #[must_use]
    pub fn with_rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
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

    /// Adds 1 to the attribute `name` of each order passing.
    #[must_use]
    pub fn with_increment(mut self, name: impl Into<String>) -> Self {
        self.increment = Some(name.into());
        self
    }
}
