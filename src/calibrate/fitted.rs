//! The fitted scenario: a template with every number a fit calibrated
//! set in place, and its assumptions file, where each such number is
//! tagged `C` (calibrated) with the fit's interval as its range.

use crate::error::{Error, Result};
use crate::scenario::{Assumption, Assumptions, Measure, Patch, PatchOp, Scenario};
use serde::Serialize;

/// One value a fit sets in a template: a distribution, a probability or a
/// source's arrival process, with the ranges of the numbers it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibrated {
    /// The map's field that asked for it, named in messages:
    /// `stages.<name>.calibrates`, `routes.<name>.calibrates` (its
    /// `rebalance` beside it), `routes.<name>.repeat_calibrates`, `demand`.
    pub by: String,
    /// Its path in the scenario (as in a measure's patch); it must exist
    /// in the template.
    pub path: String,
    /// The value: a number, or a table (a distribution, a source).
    pub value: toml::Value,
    /// The number that takes up the change, so that a sum stays the same
    /// (a route's complement).
    pub rebalance: Option<String>,
    /// The ranges of the numbers it sets, as `C` assumptions (their
    /// intervals); empty when the value has none (an empirical law).
    pub ranges: Vec<Assumption>,
}

impl Calibrated {
    /// A calibrated assumption: `path` ranges over `[low, high]` (the
    /// fit's interval), with `note` saying what the interval is.
    #[must_use]
    pub fn range(
        path: impl Into<String>,
        low: f64,
        high: f64,
        note: impl Into<String>,
    ) -> Assumption {
        Assumption {
            path: path.into(),
            low,
            high,
            shape: crate::scenario::RangeShape::Uniform,
            source: "C".into(),
            note: note.into(),
            together: Vec::new(),
            rebalance: None,
        }
    }
}

/// Significant digits of the numbers written: far below any fit's
/// resolution, short enough to read and edit.
const SIGNIFICANT: i32 = 6;

/// `x` to `digits` significant digits, the last rounded by `how`
/// (`f64::round`, or `floor` and `ceil` for a range's ends, so that a
/// rounded range still holds its value).
fn round_sig(x: f64, digits: i32, how: fn(f64) -> f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    let r = how(x * scale) / scale;
    if r.is_finite() { r } else { x }
}

/// A value with every float rounded to [`SIGNIFICANT`] digits.
fn rounded(v: &toml::Value) -> toml::Value {
    match v {
        toml::Value::Float(x) => toml::Value::Float(round_sig(*x, SIGNIFICANT, f64::round)),
        toml::Value::Array(a) => toml::Value::Array(a.iter().map(rounded).collect()),
        toml::Value::Table(t) => {
            toml::Value::Table(t.iter().map(|(k, v)| (k.clone(), rounded(v))).collect())
        }
        other => other.clone(),
    }
}

/// A template with the calibrated values set: the scenario and its
/// assumptions, as files and as checked values.
#[derive(Debug, Clone)]
pub struct FittedScenario {
    /// The scenario file's text (a header of comments, then TOML).
    pub text: String,
    /// The assumptions file's text (`[[assumption]]` tables).
    pub assumptions_text: String,
    /// The scenario, parsed back from `text`.
    pub scenario: Scenario,
    /// The assumptions, parsed back from `assumptions_text` and checked
    /// against the scenario.
    pub assumptions: Assumptions,
    /// Assumptions of the template left out because a calibrated value
    /// replaced the number they range over.
    pub superseded: Vec<String>,
}

/// Sets every `calibrated` value in the template (a scenario file's
/// document as written, its defaults not spelled out), and writes the
/// assumptions: the template's own (`template_assumptions`) except those
/// on a calibrated path, then one `C` entry per calibrated number (the
/// numbers to six significant digits, a range's ends outward; the
/// range on a calibrated path with a `rebalance` takes it up the same way).
/// `header` is written first, each line as a `#` comment.
///
/// # Errors
/// [`Error::Scenario`] at the map's field (`stages.<name>.calibrates`,
/// `routes.<name>.calibrates` or `.rebalance`, `demand`) naming the path
/// if a calibrated path does not exist in the template, or if a route
/// calibrated without `rebalance` leaves its router's probabilities not
/// summing to 1; [`Error::Scenario`] if the result does not build or an
/// assumption's range does not hold its value.
pub fn fitted_scenario(
    template: &toml::Table,
    header: &str,
    calibrated: &[Calibrated],
    template_assumptions: Option<&Assumptions>,
) -> Result<FittedScenario> {
    let mut doc = template.clone();
    for c in calibrated {
        let p = Patch::new(
            c.path.clone(),
            PatchOp::Set(rounded(&c.value)),
            c.by.clone(),
        );
        let p = match &c.rebalance {
            Some(r) => p.with_rebalance(r.clone()),
            None => p,
        };
        // One patch at a time, so that a failure names the map's field
        // that asked for it rather than a patch of an internal measure.
        Measure::new("fit", "calibrated from a log", "", vec![p])
            .apply(&mut doc)
            .map_err(|e| match e {
                Error::Measure { field, reason, .. } => {
                    let key = if field.ends_with(".rebalance") {
                        "rebalance"
                    } else {
                        "calibrates"
                    };
                    Error::scenario(
                        map_field(&c.by, key),
                        reason.replacen("does not exist", "does not exist in the template", 1),
                    )
                }
                other => other,
            })?;
    }
    let body = toml::to_string_pretty(&doc)
        .map_err(|e| Error::scenario("scenario", format!("cannot be written as TOML: {e}")))?;
    let mut text: String = header
        .lines()
        .map(|l| format!("# {l}\n").replace("# \n", "#\n"))
        .collect();
    text.push('\n');
    text.push_str(&body);
    let scenario = Scenario::from_toml_str(&text)?;
    scenario.build().map_err(|e| unbalanced(e, calibrated))?;
    let mut list = Vec::new();
    let mut superseded = Vec::new();
    let under = |path: &str| {
        calibrated.iter().any(|c| {
            path == c.path
                || path.starts_with(&format!("{}.", c.path))
                || c.rebalance.as_deref() == Some(path)
        })
    };
    if let Some(given) = template_assumptions {
        for a in &given.list {
            if under(&a.path) || a.together.iter().any(|p| under(p)) {
                superseded.push(a.path.clone());
            } else {
                list.push(a.clone());
            }
        }
    }
    for c in calibrated {
        for a in &c.ranges {
            let mut a = a.clone();
            a.low = round_sig(a.low, SIGNIFICANT, f64::floor);
            a.high = round_sig(a.high, SIGNIFICANT, f64::ceil);
            if a.path == c.path && a.rebalance.is_none() {
                a.rebalance.clone_from(&c.rebalance);
            }
            list.push(a);
        }
    }
    let file = Assumptions { list };
    let assumptions_text = format!(
        "# Ranges of the fitted scenario's numbers: C = calibrated from the log (the fit's interval), others as in the template.\n\n{}",
        toml::to_string_pretty(&file).map_err(|e| Error::scenario(
            "assumption",
            format!("cannot be written as TOML: {e}")
        ))?
    );
    let assumptions = Assumptions::from_toml_str(&assumptions_text)?;
    assumptions.check(&scenario)?;
    Ok(FittedScenario {
        text,
        assumptions_text,
        scenario,
        assumptions,
        superseded,
    })
}

/// The map's field behind a calibrated value set `by`: its `calibrates`
/// field itself, or (`key` "rebalance") the `rebalance` beside it
/// (`routes.X.repeat_calibrates` -> `routes.X.repeat_rebalance`).
fn map_field(by: &str, key: &str) -> String {
    match (key, by.strip_suffix("calibrates")) {
        ("rebalance", Some(stem)) => format!("{stem}rebalance"),
        _ => by.to_string(),
    }
}

/// A fitted scenario's build error, at the map's `routes.<name>.rebalance`
/// when a router's probabilities no longer sum to 1 because a route was
/// calibrated with nothing to take up the change.
fn unbalanced(e: Error, calibrated: &[Calibrated]) -> Error {
    let Error::Scenario { field, reason } = &e else {
        return e;
    };
    if !(field.starts_with("routers.") && reason.contains("must sum to 1")) {
        return e;
    }
    let router = format!("{field}[");
    match calibrated
        .iter()
        .find(|c| c.rebalance.is_none() && c.path.starts_with(&router))
    {
        Some(c) => Error::scenario(
            map_field(&c.by, "rebalance"),
            format!(
                "the calibrated \"{}\" leaves {field} unbalanced ({reason}); name the probability that takes up the change (`rebalance = \"...\"`)",
                c.path
            ),
        ),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
[simulation]
horizon_h = 24

[sources.orders]
rate_per_hour = 10  # a guess
to = "desk"

[stations.desk]
servers = 2
service_time_min = { dist = "exponential", mean = 5.0 }
to = "split"

[routers.split]
routes = [{ to = "check", prob = 0.1 }, { to = "done", prob = 0.9 }]

[stations.check]
servers = 1
service_time_min = { dist = "exponential", mean = 5.0 }
to = "done"

[sinks.done]
"#;

    fn doc() -> toml::Table {
        toml::from_str(TEMPLATE).unwrap()
    }

    #[test]
    fn values_are_set_ranges_tagged_and_old_ranges_superseded() {
        let old = Assumptions::from_toml_str(
            r#"
[[assumption]]
path = "stations.desk.service_time_min.mean"
low = 2
high = 8
[[assumption]]
path = "stations.desk.servers"
low = 1
high = 3
"#,
        )
        .unwrap();
        let lognormal: toml::Value =
            toml::from_str::<toml::Table>(r#"v = { dist = "lognormal", mean = 4.2, cv = 1.1 }"#)
                .unwrap()["v"]
                .clone();
        let calibrated = [
            Calibrated {
                by: "stages.desk.calibrates".into(),
                path: "stations.desk.service_time_min".into(),
                value: lognormal,
                rebalance: None,
                ranges: vec![
                    Calibrated::range("stations.desk.service_time_min.mean", 4.0, 4.4, "95% Wald"),
                    Calibrated::range("stations.desk.service_time_min.cv", 1.0, 1.2, "95% Wald"),
                ],
            },
            Calibrated {
                by: "routes.check.calibrates".into(),
                path: "routers.split.routes[to=check].prob".into(),
                value: toml::Value::Float(0.25),
                rebalance: Some("routers.split.routes[to=done].prob".into()),
                ranges: vec![Calibrated::range(
                    "routers.split.routes[to=check].prob",
                    0.2,
                    0.3,
                    "Clopper-Pearson",
                )],
            },
        ];
        let fitted =
            fitted_scenario(&doc(), "fitted from test.csv", &calibrated, Some(&old)).unwrap();
        assert!(
            fitted.text.starts_with("# fitted from test.csv\n"),
            "{}",
            fitted.text
        );
        let doc = fitted.scenario.to_document().unwrap();
        assert_eq!(
            doc["stations"]["desk"]["service_time_min"]["cv"].as_float(),
            Some(1.1)
        );
        let routes = doc["routers"]["split"]["routes"].as_array().unwrap();
        assert_eq!(routes[0]["prob"].as_float(), Some(0.25));
        assert_eq!(
            routes[1]["prob"].as_float(),
            Some(0.75),
            "the complement takes up the change"
        );
        assert_eq!(fitted.superseded, ["stations.desk.service_time_min.mean"]);
        let paths: Vec<(&str, &str)> = fitted
            .assumptions
            .list
            .iter()
            .map(|a| (a.path.as_str(), a.source.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                ("stations.desk.servers", "A"),
                ("stations.desk.service_time_min.mean", "C"),
                ("stations.desk.service_time_min.cv", "C"),
                ("routers.split.routes[to=check].prob", "C"),
            ]
        );
    }

    #[test]
    fn a_path_the_template_lacks_is_named() {
        let calibrated = [Calibrated {
            by: "stages.desk.calibrates".into(),
            path: "stations.dsk.service_time_min".into(),
            value: toml::Value::Float(1.0),
            rebalance: None,
            ranges: Vec::new(),
        }];
        let err = fitted_scenario(&doc(), "", &calibrated, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "stages.desk.calibrates: \"stations.dsk.service_time_min\" does not exist in the template"
            ),
            "{err}"
        );
    }
}
