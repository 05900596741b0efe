//! Assumptions as data: each assumed number of a scenario with its range,
//! shape and source, addressed by the same parameter paths measures use,
//! and the scenario at any point of those ranges.
//!
//! A file of `[[assumption]]` tables sits beside its scenario
//! (`hongqiao_double11.assumptions.toml` beside `hongqiao_double11.toml`)
//! or is named with `--assumptions`. Each table is one factor of a
//! sensitivity study or a robustness draw:
//!
//! ```toml
//! [[assumption]]
//! path = "routers.review_outcome.routes[to=manual_review].prob"
//! low = 0.005
//! high = 0.03
//! shape = "uniform"
//! source = "A"
//! note = "manual-review share, brief 1-5%"
//! rebalance = "routers.review_outcome.routes[to=cleared].prob"
//! ```
//!
//! Linked numbers move together by a declared rule, so a draw never makes
//! an invalid scenario: `rebalance` names the number that takes up the
//! change (route shares keep summing to 1), and `together` lists numbers
//! scaled by the same factor as the path's (a crew's other shifts).

use super::patch_path::locate;
use super::{Measure, Patch, PatchOp, Scenario, files};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Triangular};
use std::path::{Path, PathBuf};

/// How the values of an [`Assumption`] are spread over its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RangeShape {
    /// Every value in the range equally likely.
    #[default]
    Uniform,
    /// A triangle from `low` to `high` with its mode at the scenario's
    /// own value.
    Triangular,
    /// Uniform in the logarithm (for ranges over an order of magnitude;
    /// `low` must be above 0).
    LogUniform,
}

/// One assumed number of a scenario and the range it could take.
///
/// # Examples
/// ```
/// use cbec_sim::{Assumptions, Scenario};
/// # fn main() -> cbec_sim::Result<()> {
/// let scenario = Scenario::from_toml_str(r#"
///     [simulation]
///     horizon_h = 10
///     [sources.orders]
///     rate_per_hour = 60
///     to = "desk"
///     [stations.desk]
///     servers = 2
///     service_time_min = { dist = "exponential", mean = 1.5 }
///     to = "out"
///     [sinks.out]
/// "#)?;
/// let ranges = Assumptions::from_toml_str(r#"
///     [[assumption]]
///     path = "stations.desk.service_time_min.mean"
///     low = 1.0
///     high = 1.8
///     note = "desk time, a guess"
/// "#)?;
/// let checked = ranges.check(&scenario)?;
/// assert_eq!(checked[0].value, 1.5);
/// // The scenario at the top of the range.
/// let high = ranges.at_unit(&scenario, &[1.0])?;
/// let doc = high.to_document()?;
/// assert_eq!(doc["stations"]["desk"]["service_time_min"]["mean"].as_float(), Some(1.8));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Assumption {
    /// Path of the number, as in a measure's patch.
    pub path: String,
    /// Lowest plausible value.
    pub low: f64,
    /// Highest plausible value.
    pub high: f64,
    /// How values spread over the range.
    #[serde(default)]
    pub shape: RangeShape,
    /// Source tag: `A` (assumption), `S` (sourced), `P` (press), `C`
    /// (calibrated).
    #[serde(default = "assumed")]
    pub source: String,
    /// What the number is and where its range comes from.
    #[serde(default)]
    pub note: String,
    /// Numbers scaled by the same factor as this one (value / the
    /// scenario's value): the other shifts of a crew.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub together: Vec<String>,
    /// The number that takes up this one's change, so that a sum stays
    /// the same (route shares).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebalance: Option<String>,
}

fn assumed() -> String {
    "A".to_string()
}

/// What [`Assumptions::check`] found for one assumption.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AssumptionValue {
    /// The assumption's path.
    pub path: String,
    /// The scenario's own value there.
    pub value: f64,
    /// Whether the number is a whole count (draws are rounded).
    pub integer: bool,
}

/// The ranged assumptions of a scenario, in file order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assumptions {
    /// The assumptions.
    #[serde(default, rename = "assumption")]
    pub list: Vec<Assumption>,
}

/// Largest assumptions file read: 16 MiB.
const MAX_ASSUMPTIONS_BYTES: u64 = 16 << 20;

impl Assumptions {
    /// Parses a file of `[[assumption]]` tables and checks each on its
    /// own: finite bounds with `low < high`, `low > 0` for a log-uniform
    /// shape, a known source tag, and no path used twice.
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed TOML or an unknown key;
    /// [`Error::Scenario`] at `assumption[<i>].<field>` for a broken rule.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let parsed: Assumptions = toml::from_str(text).map_err(|e| Error::parse(e, None, None))?;
        let mut seen: Vec<(&str, usize)> = Vec::new();
        let mut takers: Vec<(&str, usize)> = Vec::new();
        for (i, a) in parsed.list.iter().enumerate() {
            let f = |x: &str| format!("assumption[{i}].{x}");
            for (name, v) in [("low", a.low), ("high", a.high)] {
                if !v.is_finite() {
                    return Err(Error::scenario(f(name), format!("must be finite, got {v}")));
                }
            }
            if !(a.high - a.low).is_finite() {
                return Err(Error::scenario(
                    f("high"),
                    format!("high - low must be finite, got {} - {}", a.high, a.low),
                ));
            }
            if a.low >= a.high {
                return Err(Error::scenario(
                    f("high"),
                    format!("must be above low ({}), got {}", a.low, a.high),
                ));
            }
            if a.shape == RangeShape::LogUniform && a.low <= 0.0 {
                return Err(Error::scenario(
                    f("low"),
                    format!("must be above 0 for shape \"log_uniform\", got {}", a.low),
                ));
            }
            if !["A", "S", "P", "C"].contains(&a.source.as_str()) {
                return Err(Error::scenario(
                    f("source"),
                    format!(
                        "must be one of A (assumption), S (sourced), P (press), C (calibrated), got {:?}",
                        a.source
                    ),
                ));
            }
            // A number is moved by one assumption only; a number that takes
            // up changes (a route's share) may do so for several.
            let moved =
                std::iter::once(a.path.as_str()).chain(a.together.iter().map(String::as_str));
            for p in moved {
                let earlier = seen
                    .iter()
                    .find(|(q, _)| *q == p)
                    .or_else(|| takers.iter().find(|(q, _)| *q == p));
                if let Some((_, j)) = earlier {
                    return Err(Error::scenario(
                        f("path"),
                        format!(
                            "\"{p}\" is already moved by assumption[{j}]; a number may belong to one assumption only"
                        ),
                    ));
                }
                seen.push((p, i));
            }
            if let Some(p) = a.rebalance.as_deref() {
                if let Some((_, j)) = seen.iter().find(|(q, _)| *q == p) {
                    return Err(Error::scenario(
                        f("rebalance"),
                        format!(
                            "\"{p}\" is moved by assumption[{j}], so it cannot take up changes"
                        ),
                    ));
                }
                takers.push((p, i));
            }
        }
        Ok(parsed)
    }

    /// Reads a file of `[[assumption]]` tables (a regular file of at most
    /// 16 MiB).
    ///
    /// # Errors
    /// [`Error::Io`] naming the file if it cannot be read; otherwise as
    /// [`Assumptions::from_toml_str`], with the file named.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let mut file =
            files::open_regular(path, MAX_ASSUMPTIONS_BYTES).map_err(|e| Error::read(path, e))?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).map_err(|e| Error::read(path, e))?;
        Self::from_toml_str(&text).map_err(|e| e.in_file(path))
    }

    /// The assumptions file that goes with the scenario at `scenario`:
    /// `<stem>.assumptions.toml` in the same folder, if it exists.
    #[must_use]
    pub fn beside(scenario: &Path) -> Option<PathBuf> {
        let stem = scenario.file_stem()?.to_str()?;
        let path = scenario.with_file_name(format!("{stem}.assumptions.toml"));
        path.is_file().then_some(path)
    }

    /// How many assumptions there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Checks the assumptions against `scenario`: every path (and every
    /// `together` and `rebalance` path) names one number; the scenario's
    /// value lies inside its range; a count's range is whole numbers; and
    /// the scenario builds with each assumption at its low and at its high
    /// end, and with all of them at their low ends and at their high ends
    /// together. Returns each assumption's value in the scenario.
    ///
    /// # Errors
    /// [`Error::Scenario`] at `assumption[<i>]...` naming the path, the
    /// value and the rule.
    pub fn check(&self, scenario: &Scenario) -> Result<Vec<AssumptionValue>> {
        let mut doc = scenario.to_document()?;
        let mut out = Vec::with_capacity(self.list.len());
        for (i, a) in self.list.iter().enumerate() {
            let f = |x: &str| format!("assumption[{i}].{x}");
            let (value, integer) = number_at(&mut doc, &a.path)
                .map_err(|e| Error::scenario(f("path"), format!("\"{}\": {e}", a.path)))?;
            if !(a.low..=a.high).contains(&value) {
                return Err(Error::scenario(
                    f("path"),
                    format!(
                        "\"{}\" is {value} in the scenario, outside its range {} to {}",
                        a.path, a.low, a.high
                    ),
                ));
            }
            if integer && (a.low.fract() != 0.0 || a.high.fract() != 0.0) {
                return Err(Error::scenario(
                    f("low"),
                    format!(
                        "\"{}\" is a whole count, so its range must be whole numbers, got {} to {}",
                        a.path, a.low, a.high
                    ),
                ));
            }
            for (k, p) in a.together.iter().enumerate() {
                number_at(&mut doc, p).map_err(|e| {
                    Error::scenario(f(&format!("together[{k}]")), format!("\"{p}\": {e}"))
                })?;
            }
            if !a.together.is_empty() && value == 0.0 {
                return Err(Error::scenario(
                    f("together"),
                    format!(
                        "\"{}\" is 0 in the scenario, so it gives no factor to scale by",
                        a.path
                    ),
                ));
            }
            if let Some(p) = &a.rebalance {
                number_at(&mut doc, p)
                    .map_err(|e| Error::scenario(f("rebalance"), format!("\"{p}\": {e}")))?;
            }
            out.push(AssumptionValue {
                path: a.path.clone(),
                value,
                integer,
            });
        }
        let n = self.list.len();
        let corner = |u: f64, only: Option<usize>| -> Vec<f64> {
            (0..n)
                .map(|k| match only {
                    Some(j) if j != k => f64::NAN,
                    _ => u,
                })
                .collect()
        };
        let build = |u: &[f64], what: String| -> Result<()> {
            let values = self.values_at(&out, u);
            self.apply(scenario, &out, &values)
                .and_then(|s| s.build().map(|_| ()))
                .map_err(|e| Error::scenario(what, format!("the scenario there is invalid: {e}")))
        };
        for (i, a) in self.list.iter().enumerate() {
            build(
                &corner(0.0, Some(i)),
                format!("assumption[{i}] at low = {}", a.low),
            )?;
            build(
                &corner(1.0, Some(i)),
                format!("assumption[{i}] at high = {}", a.high),
            )?;
        }
        if n > 1 {
            build(&corner(0.0, None), "every assumption at its low end".into())?;
            build(
                &corner(1.0, None),
                "every assumption at its high end".into(),
            )?;
        }
        Ok(out)
    }

    /// The value of assumption `i` at `u` in [0, 1] (its quantile): `u =
    /// 0` is `low`, `u = 1` is `high`; `base` is the scenario's value (the
    /// mode of a triangular shape). NaN gives `base`.
    #[must_use]
    pub fn value_at(&self, i: usize, base: f64, u: f64) -> f64 {
        if u.is_nan() {
            return base;
        }
        let a = &self.list[i];
        let u = u.clamp(0.0, 1.0);
        match a.shape {
            RangeShape::Uniform => a.low + u * (a.high - a.low),
            RangeShape::LogUniform => (a.low.ln() + u * (a.high.ln() - a.low.ln())).exp(),
            RangeShape::Triangular => Triangular::new(a.low, a.high, base.clamp(a.low, a.high))
                .map_or(base, |t| t.inverse_cdf(u)),
        }
    }

    /// The values at a point `u` of the unit hypercube (one coordinate per
    /// assumption; NaN keeps the scenario's value), given the scenario's
    /// values from [`Assumptions::check`]: each the quantile of its shape,
    /// except that a count with a uniform shape takes each whole number of
    /// its range with equal chance.
    #[must_use]
    pub fn values_at(&self, checked: &[AssumptionValue], u: &[f64]) -> Vec<f64> {
        checked
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let u = u.get(i).copied().unwrap_or(f64::NAN);
                let a = &self.list[i];
                match (c.integer, a.shape) {
                    // Each whole number of the range equally likely.
                    (true, RangeShape::Uniform) if !u.is_nan() => {
                        (a.low + (u * (a.high - a.low + 1.0)).floor()).min(a.high)
                    }
                    (true, _) => self.value_at(i, c.value, u).round(),
                    (false, _) => self.value_at(i, c.value, u),
                }
            })
            .collect()
    }

    /// The scenario at the point `u` of the unit hypercube: assumption
    /// `i` at its quantile `u[i]` (NaN keeps the scenario's value).
    ///
    /// # Errors
    /// As [`Assumptions::check`] for a path that does not fit; as
    /// [`Scenario::with_measures`] for a scenario the values make invalid.
    pub fn at_unit(&self, scenario: &Scenario, u: &[f64]) -> Result<Scenario> {
        if u.len() != self.list.len() {
            return Err(Error::experiment(
                "assumptions",
                format!(
                    "a point needs {} coordinates, got {}",
                    self.list.len(),
                    u.len()
                ),
            ));
        }
        let checked = self.check_paths(scenario)?;
        let values = self.values_at(&checked, u);
        self.apply(scenario, &checked, &values)
    }

    /// The scenario with each assumption at the given value (counts
    /// rounded; NaN keeps the scenario's value).
    ///
    /// # Errors
    /// As [`Assumptions::at_unit`].
    pub fn at_values(&self, scenario: &Scenario, values: &[f64]) -> Result<Scenario> {
        if values.len() != self.list.len() {
            return Err(Error::experiment(
                "assumptions",
                format!("needs {} values, got {}", self.list.len(), values.len()),
            ));
        }
        let checked = self.check_paths(scenario)?;
        let values: Vec<f64> = checked
            .iter()
            .zip(values)
            .map(|(c, &v)| match (v.is_nan(), c.integer) {
                (true, _) => c.value,
                (false, true) => v.round(),
                (false, false) => v,
            })
            .collect();
        self.apply(scenario, &checked, &values)
    }

    /// The paths' values, without the corner builds of [`Assumptions::check`].
    fn check_paths(&self, scenario: &Scenario) -> Result<Vec<AssumptionValue>> {
        let mut doc = scenario.to_document()?;
        self.list
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let (value, integer) = number_at(&mut doc, &a.path).map_err(|e| {
                    Error::scenario(
                        format!("assumption[{i}].path"),
                        format!("\"{}\": {e}", a.path),
                    )
                })?;
                Ok(AssumptionValue {
                    path: a.path.clone(),
                    value,
                    integer,
                })
            })
            .collect()
    }

    /// `scenario` with assumption `i` at `values[i]`, as one measure.
    fn apply(
        &self,
        scenario: &Scenario,
        checked: &[AssumptionValue],
        values: &[f64],
    ) -> Result<Scenario> {
        let mut doc = scenario.to_document()?;
        let mut patches = Vec::new();
        for ((a, c), &v) in self.list.iter().zip(checked).zip(values) {
            if v == c.value {
                continue;
            }
            let why = format!("[{}] {} to {}", a.source, a.low, a.high);
            patches.push(match &a.rebalance {
                Some(other) => {
                    Patch::new(&a.path, PatchOp::Add(v - c.value), &why).with_rebalance(other)
                }
                None => Patch::new(&a.path, PatchOp::Set(number(v, c.integer)), &why),
            });
            let factor = v / c.value;
            for p in &a.together {
                let (b, integer) = number_at(&mut doc, p).map_err(|e| {
                    Error::scenario(format!("{}.together", a.path), format!("\"{p}\": {e}"))
                })?;
                let scaled = if integer {
                    (b * factor).round()
                } else {
                    b * factor
                };
                patches.push(Patch::new(p, PatchOp::Set(number(scaled, integer)), &why));
            }
        }
        if patches.is_empty() {
            return Ok(scenario.clone());
        }
        scenario.with_measures([&Measure::new(
            "assumptions",
            "the assumptions at a point of their ranges",
            "-",
            patches,
        )])
    }
}

/// The number at `path` in `doc`, and whether it is a whole count.
pub(super) fn number_at(
    doc: &mut toml::Table,
    path: &str,
) -> std::result::Result<(f64, bool), String> {
    let (v, _) = locate(doc, path)?;
    match v {
        toml::Value::Integer(i) => Ok((*i as f64, true)),
        toml::Value::Float(x) => Ok((*x, false)),
        other => Err(format!("is a {}, not a single number", other.type_str())),
    }
}

/// A TOML number: an integer for a count.
fn number(v: f64, integer: bool) -> toml::Value {
    if integer && v.abs() < 9.0e15 {
        toml::Value::Integer(v as i64)
    } else {
        toml::Value::Float(v)
    }
}
