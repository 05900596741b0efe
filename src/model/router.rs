//! Routers: zero-time decision points. Rules over attributes are tried in
//! order (`basket_value_cny > 5000`, or a sum `a + b > 26000`), then the
//! order's class routes, then the default routes, drawn on the router's
//! own stream.
//!
//! The configuration ([`Router`], [`Route`], [`Rule`]), its compiled form
//! (cumulative branch probabilities, rules with attribute ids), the compile
//! step and the decision at run time. Every cycle in a model must pass
//! through a station (checked in `graph.rs`), so routing always ends.

use super::NodeId;
use super::build::Registry;
use super::sim::Simulation;
use crate::engine::EntityId;
use crate::error::{Error, Result};
use crate::rng::StreamId;
use rand::RngExt;
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

/// (cumulative probability, target), the last probability being +∞.
pub(crate) type Branches = Vec<(f64, NodeId)>;

/// A routing rule with its attribute terms resolved: the order goes to
/// `to` when the sum of `terms` compared with `value` holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledRule {
    pub(crate) terms: Vec<u16>,
    pub(crate) op: Comparison,
    pub(crate) value: f64,
    pub(crate) to: NodeId,
}

/// A router compiled for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RouterNode {
    pub(crate) name: String,
    /// Rules tried in order.
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) default: Branches,
    /// Per class id: its own branches, if any.
    pub(crate) by_class: Vec<Option<Branches>>,
    pub(crate) stream: StreamId,
}

impl RouterNode {
    /// Checks router `name` and resolves its names.
    pub(crate) fn compile(reg: &Registry, name: &str, r: &Router) -> Result<Self> {
        let field = format!("routers.{name}");
        for class in r.by_class.keys() {
            if reg.class(class).is_none() {
                return Err(reg.unknown_class(&format!("{field}.by_class.{class}"), class));
            }
        }
        let mut rules = Vec::with_capacity(r.rules.len());
        for (i, rule) in r.rules.iter().enumerate() {
            let rf = |x: &str| format!("{field}.rules[{i}].{x}");
            // `a + b`: the rule compares the sum of numeric attributes.
            let names: Vec<&str> = rule.attribute.split('+').map(str::trim).collect();
            let mut terms = Vec::with_capacity(names.len());
            for name in &names {
                if name.is_empty() {
                    return Err(Error::scenario(
                        rf("attribute"),
                        format!(
                            "\"{}\" has an empty term; write one attribute or a sum such as \"a + b\"",
                            rule.attribute
                        ),
                    ));
                }
                let a = reg
                    .attribute(name)
                    .ok_or_else(|| reg.unknown_attribute(&rf("attribute"), name))?;
                if names.len() > 1 && reg.categories(a).is_some() {
                    return Err(Error::scenario(
                        rf("attribute"),
                        format!("\"{name}\" is categorical and cannot be part of a sum"),
                    ));
                }
                terms.push(a);
            }
            let attr = terms[0];
            let attr_name = reg.attribute_name(attr);
            let value = match (&rule.value, reg.categories(attr)) {
                (RuleValue::Number(v), None) if v.is_finite() => *v,
                (RuleValue::Number(v), None) => {
                    return Err(Error::scenario(
                        rf("value"),
                        format!("must be finite, got {v}"),
                    ));
                }
                (RuleValue::Category(c), Some(cats)) => {
                    cats.iter().position(|x| x == c).ok_or_else(|| {
                        let hint = crate::suggest::hint(
                            c,
                            cats.iter().map(String::as_str),
                            "categories",
                            "the sources' `categories` tables declare them",
                        );
                        Error::scenario(
                            rf("value"),
                            format!("unknown category \"{c}\" of \"{attr_name}\"; {hint}"),
                        )
                    })? as f64
                }
                (RuleValue::Number(v), Some(_)) => {
                    return Err(Error::scenario(
                        rf("value"),
                        format!(
                            "\"{}\" is categorical: give a category name, got {v}",
                            attr_name
                        ),
                    ));
                }
                (RuleValue::Category(c), None) => {
                    return Err(Error::scenario(
                        rf("value"),
                        format!("\"{}\" is numeric: give a number, got \"{c}\"", attr_name),
                    ));
                }
            };
            rules.push(CompiledRule {
                terms,
                op: rule.op,
                value,
                to: reg.target(&rf("to"), &rule.to)?,
            });
        }
        let default = if r.routes.is_empty() {
            Vec::new()
        } else {
            reg.routes(&format!("{field}.routes"), &r.routes)?
        };
        let mut by_class = vec![None; reg.classes().len()];
        for (class, routes) in &r.by_class {
            let routes = reg.routes(&format!("{field}.by_class.{class}"), routes)?;
            by_class[reg.class(class).expect("checked") as usize] = Some(routes);
        }
        if r.routes.is_empty()
            && let Some(c) = reg
                .classes()
                .iter()
                .enumerate()
                .find(|(i, _)| by_class[*i].is_none())
        {
            return Err(Error::scenario(
                format!("{field}.routes"),
                format!(
                    "must not be empty: class \"{}\" has no routes of its own",
                    c.1
                ),
            ));
        }
        Ok(RouterNode {
            name: name.to_string(),
            rules,
            default,
            by_class,
            stream: StreamId::named("router", name, "decisions"),
        })
    }
}

impl Simulation<'_> {
    /// Where router `r` sends order `id`.
    #[inline(always)]
    pub(crate) fn route(&mut self, r: usize, id: EntityId) -> NodeId {
        let router = &self.model.routers[r];
        for rule in &router.rules {
            let lhs: f64 = rule
                .terms
                .iter()
                .map(|&a| self.orders.attribute(id, a))
                .sum();
            if rule.op.holds(lhs, rule.value) {
                return rule.to;
            }
        }
        let class = self.orders[id].class as usize;
        let branches = router.by_class[class].as_ref().unwrap_or(&router.default);
        if branches.len() == 1 {
            return branches[0].1;
        }
        let u: f64 = if self.model.by_order {
            // The key moves on after the draw, so an order that comes back
            // (through a pool or a dispatch, with no station between)
            // decides afresh.
            let u = self.orders.keyed_rng(id, router.stream).random();
            self.orders.next_key(id);
            u
        } else {
            self.router_rngs[r].random()
        };
        branches
            .iter()
            .find(|(c, _)| u < *c)
            .expect("last probability is +inf")
            .1
    }
}
