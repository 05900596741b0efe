//! Measures: named, documented patches on a scenario.
//!
//! A [`Measure`] is a list of [`Patch`]es, each a [`PatchOp`] (set, scale,
//! add) at a parameter path such as `stations.manual_review.shifts[0].servers`
//! or `sources[to=review].rate_per_hour`. Patches act on the scenario's
//! TOML document, so a patched scenario goes through every check a file
//! gets. Errors are [`Error::Measure`] naming the measure, the patch and,
//! for a path that does not exist, the closest valid key.
//!
//! Invariant: applying a measure never renames a node, so a variant keeps
//! its baseline's random streams wherever the measure leaves it alone.

use super::patch_path::{apply_op, locate};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a [`Patch`] does to the value at its path.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PatchOp {
    /// Replace the value (any TOML value: a number, a table, a list).
    Set(toml::Value),
    /// Multiply a number, or every number of a list, by this factor.
    Scale(f64),
    /// Add this to a number, or to every number of a list.
    Add(f64),
}

impl std::fmt::Display for PatchOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatchOp::Set(v) => write!(f, "set to {}", inline_value(v)),
            PatchOp::Scale(x) => write!(f, "scale by {x}"),
            PatchOp::Add(x) => write!(f, "add {x}"),
        }
    }
}

/// A TOML value on one line, as a reader would type it.
fn inline_value(v: &toml::Value) -> String {
    match v {
        toml::Value::Table(t) => {
            let inner: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k} = {}", inline_value(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        toml::Value::Array(a) => {
            let inner: Vec<String> = a.iter().map(inline_value).collect();
            format!("[{}]", inner.join(", "))
        }
        other => other.to_string(),
    }
}

/// One change to one scenario parameter, found by its path.
///
/// # Paths
/// Dotted keys as in the scenario file, such as
/// `stations.manual_review.servers` or
/// `stations.manual_review.service_time_min.mean`. A list element is
/// chosen by position (`shifts[0]`) or, for lists of tables, by the value of
/// one of its keys (`routes[to=manual_review]`). Every part of the path must
/// already exist: a patch never adds a key, so a misspelt path is an error,
/// not a silent no-op.
///
/// In files: `{ path = "...", scale = 0.5, assumption = "..." }`, with
/// exactly one of `set`, `scale` and `add`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPatch", into = "RawPatch")]
#[non_exhaustive]
pub struct Patch {
    /// Path of the parameter.
    pub path: String,
    /// The change.
    pub op: PatchOp,
    /// The effect size as an assumption: its basis and the range it could take.
    pub assumption: String,
    /// Another number that takes up the change, so that a sum stays the
    /// same: scaling one route's probability moves the difference to the
    /// route named here (a relative change that keeps routes summing to 1).
    pub rebalance: Option<String>,
}

impl Patch {
    /// The path this patch changes in `doc`, in canonical form: selectors
    /// such as `routes[to=manual_review]` become positions (`routes[0]`).
    ///
    /// # Errors
    /// [`Error::Measure`] if the path does not exist in `doc`.
    pub fn resolve(&self, doc: &toml::Table) -> Result<String> {
        let mut copy = doc.clone();
        locate(&mut copy, &self.path)
            .map(|(_, here)| here)
            .map_err(|e| Error::measure("path", format!("\"{}\" does not exist: {e}", self.path)))
    }

    /// A patch of `path` by `op`, with the stated assumption.
    #[must_use]
    pub fn new(path: impl Into<String>, op: PatchOp, assumption: impl Into<String>) -> Self {
        Patch {
            path: path.into(),
            op,
            assumption: assumption.into(),
            rebalance: None,
        }
    }

    /// The same, with the change taken up by the number at `path`.
    #[must_use]
    pub fn with_rebalance(mut self, path: impl Into<String>) -> Self {
        self.rebalance = Some(path.into());
        self
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPatch {
    path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    set: Option<toml::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scale: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    add: Option<f64>,
    #[serde(default)]
    assumption: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rebalance: Option<String>,
}

impl TryFrom<RawPatch> for Patch {
    type Error = String;
    fn try_from(r: RawPatch) -> std::result::Result<Self, String> {
        let op = match (r.set, r.scale, r.add) {
            (Some(v), None, None) => PatchOp::Set(v),
            (None, Some(x), None) if x.is_finite() => PatchOp::Scale(x),
            (None, None, Some(x)) if x.is_finite() => PatchOp::Add(x),
            (None, Some(x), None) | (None, None, Some(x)) => {
                return Err(format!(
                    "patch of \"{}\": the factor must be finite, got {x}",
                    r.path
                ));
            }
            _ => {
                return Err(format!(
                    "patch of \"{}\": give exactly one of `set`, `scale` and `add`",
                    r.path
                ));
            }
        };
        if r.assumption.trim().is_empty() {
            return Err(format!(
                "patch of \"{}\": `assumption` must say where the effect size comes from and the range it could take",
                r.path
            ));
        }
        if r.rebalance.is_some() && matches!(op, PatchOp::Set(_)) {
            return Err(format!(
                "patch of \"{}\": `rebalance` takes up a relative change; use it with `scale` or `add`, not `set`",
                r.path
            ));
        }
        Ok(Patch {
            path: r.path,
            op,
            assumption: r.assumption,
            rebalance: r.rebalance,
        })
    }
}

impl From<Patch> for RawPatch {
    fn from(p: Patch) -> Self {
        let (set, scale, add) = match p.op {
            PatchOp::Set(v) => (Some(v), None, None),
            PatchOp::Scale(x) => (None, Some(x), None),
            PatchOp::Add(x) => (None, None, Some(x)),
        };
        RawPatch {
            path: p.path,
            set,
            scale,
            add,
            assumption: p.assumption,
            rebalance: p.rebalance,
        }
    }
}

/// Whether a [`Measure`] is a policy of the press release, a change of
/// demand, or an operator's option that is not in the press release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MeasureKind {
    /// Something the port or the centre does.
    #[default]
    Policy,
    /// A demand scenario (trade growth, say): not a measure to take.
    Demand,
    /// Something the centre or customs could do that the press release
    /// does not announce (kept for comparison; never counted among the
    /// policy measures).
    OperatorOption,
}

impl MeasureKind {
    /// How `cbec-sim measures` labels the kind.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            MeasureKind::Policy => "a measure of the press release",
            MeasureKind::Demand => "a demand assumption, not a policy",
            MeasureKind::OperatorOption => "an operator option, NOT in the press release",
        }
    }
}

/// A port measure as data: what the press release says, and the scenario
/// parameters it moves.
///
/// In files (`[[measure]]` tables; see `measures/hongqiao.toml`):
/// ```toml
/// [[measure]]
/// name = "more_officers"
/// title = "Two more review officers on the day shift"
/// press_release = "(the sentence of the announcement this stands for)"
/// patches = [
///   { path = "stations.review.shifts[0].servers", add = 2, assumption = "[A] 1-4 officers" },
/// ]
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Measure {
    /// Short identifier, used on the command line (`--measure NAME`).
    pub name: String,
    /// One line a planner reads.
    pub title: String,
    /// The sentence of the press release (or other source) it stands for.
    pub press_release: String,
    /// How the measure is modelled, and what it leaves out.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// The stage of the process it acts on, in the terms of the domain
    /// brief (`"S4 tax guarantee settlement; S2 payment messages"`), so a
    /// reader can check the mapping; empty if not stated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub acts_on: String,
    /// A policy (the default) or a demand scenario, which "all measures
    /// together" leaves out.
    #[serde(default)]
    pub kind: MeasureKind,
    /// The changes, applied in order.
    pub patches: Vec<Patch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureFile {
    #[serde(default)]
    measure: Vec<Measure>,
}

/// The files of built-in measures, shipped with the crate: the press
/// release's measures (and demand assumptions), then operator options.
const BUILTIN: [&str; 2] = [
    include_str!("../../measures/hongqiao.toml"),
    include_str!("../../measures/operator_options.toml"),
];

impl Measure {
    /// A policy measure with the given patches.
    #[must_use]
    pub fn new(
        name: impl Into<String>,
        title: impl Into<String>,
        press_release: impl Into<String>,
        patches: Vec<Patch>,
    ) -> Self {
        Measure {
            name: name.into(),
            title: title.into(),
            press_release: press_release.into(),
            notes: String::new(),
            acts_on: String::new(),
            kind: MeasureKind::Policy,
            patches,
        }
    }

    /// Parses a list of `[[measure]]` tables.
    ///
    /// # Errors
    /// [`Error::Parse`] for bad TOML or a malformed patch;
    /// [`Error::Measure`] for a measure without patches or a repeated name.
    pub fn list_from_toml_str(text: &str) -> Result<Vec<Measure>> {
        let file: MeasureFile = toml::from_str(text).map_err(|e| Error::parse(e, None, None))?;
        for (i, m) in file.measure.iter().enumerate() {
            if m.patches.is_empty() {
                return Err(Error::measure(
                    format!("measure[{i}].patches"),
                    format!("measure \"{}\" must have at least one patch", m.name),
                ));
            }
            if file.measure[..i].iter().any(|o| o.name == m.name) {
                return Err(Error::measure(
                    format!("measure[{i}].name"),
                    format!("\"{}\" is used by an earlier measure", m.name),
                ));
            }
        }
        Ok(file.measure)
    }

    /// Reads a file of `[[measure]]` tables.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file if it cannot be read; otherwise as
    /// [`Measure::list_from_toml_str`], with the file name in the message.
    pub fn list_from_path(path: impl AsRef<Path>) -> Result<Vec<Measure>> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        Self::list_from_toml_str(&text).map_err(|e| e.in_file(path))
    }

    /// The built-in Hongqiao measures (`measures/hongqiao.toml`), in the
    /// order of the press release. Their patches name parameters of the
    /// shipped Hongqiao scenarios.
    ///
    /// # Examples
    /// ```
    /// let measures = cbec_sim::Measure::builtin();
    /// assert!(measures.iter().any(|m| m.name == "expedited_clearance_7x24"));
    /// ```
    #[must_use]
    pub fn builtin() -> Vec<Measure> {
        BUILTIN
            .iter()
            .flat_map(|text| {
                Self::list_from_toml_str(text).expect("the built-in measures are tested to parse")
            })
            .collect()
    }

    /// The built-in measure called `name`, or an error listing the names.
    ///
    /// # Errors
    /// [`Error::Measure`] if there is no such measure, with the closest name.
    pub fn find<'a>(measures: &'a [Measure], name: &str) -> Result<&'a Measure> {
        measures.iter().find(|m| m.name == name).ok_or_else(|| {
            let hint = crate::suggest::hint(
                name,
                measures.iter().map(|m| m.name.as_str()),
                "measures",
                "`cbec-sim measures` lists them (`--file` for a file of measures)",
            );
            Error::measure(
                "measure",
                format!(
                    "unknown measure \"{}\"; {hint}",
                    crate::excerpt::excerpt(name, 2 * crate::excerpt::MAX_QUOTED)
                ),
            )
        })
    }

    /// Applies every patch, in order, to a scenario document.
    ///
    /// # Errors
    /// [`Error::Measure`] at `measures.<name>.patches[<i>]` if a path does
    /// not exist, or an operation does not fit the value there.
    pub fn apply(&self, doc: &mut toml::Table) -> Result<()> {
        for (i, p) in self.patches.iter().enumerate() {
            let field = format!("measures.{}.patches[{i}]", self.name);
            let (target, _) = locate(doc, &p.path).map_err(|e| {
                Error::measure(
                    format!("{field}.path"),
                    format!("\"{}\" does not exist: {e}", p.path),
                )
            })?;
            let before = target.as_float().or(target.as_integer().map(|i| i as f64));
            apply_op(target, &p.op).map_err(|e| {
                Error::measure(field.clone(), format!("{} of \"{}\": {e}", p.op, p.path))
            })?;
            if let Some(other) = &p.rebalance {
                let after = target.as_float().or(target.as_integer().map(|i| i as f64));
                let (Some(before), Some(after)) = (before, after) else {
                    return Err(Error::measure(
                        format!("{field}.rebalance"),
                        format!(
                            "\"{}\" is not a single number: only a number's change can be taken up",
                            p.path
                        ),
                    ));
                };
                let (there, _) = locate(doc, other).map_err(|e| {
                    Error::measure(
                        format!("{field}.rebalance"),
                        format!("\"{other}\" does not exist: {e}"),
                    )
                })?;
                apply_op(there, &PatchOp::Add(before - after)).map_err(|e| {
                    Error::measure(format!("{field}.rebalance"), format!("\"{other}\": {e}"))
                })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
        [[measure]]
        name = "second_desk"
        title = "A second desk"
        press_release = "(test)"
        patches = [{ path = "stations.desk.servers", add = 1, assumption = "[A] test" }]
    "#;

    fn doc() -> toml::Table {
        toml::from_str("[stations.desk]\nservers = 1\nrates = [1.0, 2.0]\n").unwrap()
    }

    #[test]
    fn a_measure_given_twice_is_refused_by_name() {
        let base = crate::Scenario::from_toml_str(
            "simulation = { horizon_h = 10 }\n\
             sources.orders = { rate_per_hour = 20, to = \"desk\" }\n\
             stations.desk = { servers = 1, service_time_min = { dist = \"exponential\", mean = 2 }, to = \"done\" }\n\
             sinks.done = {}\n",
        )
        .unwrap();
        let m = &Measure::list_from_toml_str(ONE).unwrap()[0];
        assert!(base.with_measures([m]).is_ok());
        let err = base.with_measures([m, m]).unwrap_err();
        assert!(matches!(err, Error::Measure { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "measures second_desk: is given twice; each measure may be applied once"
        );
    }

    #[test]
    fn list_from_toml_str_ok() {
        let list = Measure::list_from_toml_str(ONE).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "second_desk");
    }

    #[test]
    fn list_from_toml_str_err() {
        let bad_toml = Measure::list_from_toml_str("[[measure]\n").unwrap_err();
        assert!(
            matches!(&bad_toml, Error::Parse(p) if p.path.is_none()),
            "{bad_toml}"
        );
        let twice = format!("{ONE}\n{ONE}");
        let err = Measure::list_from_toml_str(&twice).unwrap_err();
        assert!(matches!(err, Error::Measure { .. }));
        assert_eq!(
            err.to_string(),
            "measure[1].name: \"second_desk\" is used by an earlier measure"
        );
    }

    #[test]
    fn list_from_path_names_the_file() {
        let err = Measure::list_from_path("/no/such/measures.toml").unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("/no/such/measures.toml: cannot be read: "),
            "{err}"
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn find_suggests_the_closest_name() {
        let list = Measure::list_from_toml_str(ONE).unwrap();
        assert!(Measure::find(&list, "second_desk").is_ok());
        let err = Measure::find(&list, "second_dsk").unwrap_err();
        assert!(matches!(err, Error::Measure { .. }));
        assert_eq!(
            err.to_string(),
            "measure: unknown measure \"second_dsk\"; did you mean \"second_desk\"?"
        );
        let far = Measure::find(&list, "night_shift").unwrap_err();
        assert_eq!(
            far.to_string(),
            "measure: unknown measure \"night_shift\"; the measures are \"second_desk\""
        );
    }

    #[test]
    fn an_unknown_builtin_measure_does_not_list_them_all() {
        let builtin = Measure::builtin();
        assert!(builtin.len() > crate::suggest::MAX_SUGGESTIONS);
        let far = Measure::find(&builtin, "night_shift")
            .unwrap_err()
            .to_string();
        assert_eq!(
            far,
            format!(
                "measure: unknown measure \"night_shift\"; none of the {} measures is close; `cbec-sim measures` lists them (`--file` for a file of measures)",
                builtin.len()
            )
        );
    }

    /// Measure `m`, its patches `(path, op)`, applied to [`doc`].
    fn applied(patches: &[(&str, PatchOp)]) -> Result<toml::Table> {
        let patches = patches
            .iter()
            .map(|(path, op)| Patch::new(*path, op.clone(), "[A]"))
            .collect();
        let mut d = doc();
        Measure::new("m", "t", "p", patches).apply(&mut d)?;
        Ok(d)
    }

    #[test]
    fn apply_set_scale_add() {
        let d = applied(&[
            ("stations.desk.servers", PatchOp::Add(2.0)),
            ("stations.desk.rates", PatchOp::Scale(2.0)),
        ])
        .unwrap();
        assert_eq!(d["stations"]["desk"]["servers"].as_integer(), Some(3));
        assert_eq!(
            d["stations"]["desk"]["rates"].as_array().unwrap()[1].as_float(),
            Some(4.0)
        );
    }

    #[test]
    fn apply_names_the_measure_and_patch() {
        let err = applied(&[("stations.dsk.servers", PatchOp::Add(1.0))]).unwrap_err();
        assert!(matches!(err, Error::Measure { .. }));
        let text = err.to_string();
        assert!(text.starts_with("measures.m.patches[0].path: "), "{text}");
        assert!(text.contains("did you mean \"desk\""), "{text}");
    }
}
