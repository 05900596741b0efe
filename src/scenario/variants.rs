//! Variants of a scenario: measures applied by their patches, one
//! swept value, a factorial design point, the variants of a comparison.

use super::{Measure, MeasureKind, Patch, PatchOp, Scenario};
use crate::error::{Error, Result};

impl Scenario {
    /// The number at the patch path `path`, and whether it is a whole
    /// count (a TOML integer).
    ///
    /// # Errors
    /// [`Error::Scenario`] at `path` if the path does not exist or does
    /// not name a single number.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// let s = cbec_sim::Scenario::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/tandem.toml"))?;
    /// assert_eq!(s.number_at("stations.customs_review.servers")?, (3.0, true));
    /// # Ok(()) }
    /// ```
    pub fn number_at(&self, path: &str) -> Result<(f64, bool)> {
        let mut doc = self.to_document()?;
        super::assumption::number_at(&mut doc, path).map_err(|e| Error::scenario(path, e))
    }

    /// This scenario with `measures` applied, in order.
    ///
    /// The scenario is written out as a TOML document, each measure's
    /// patches change it by path (see [`Patch`]), and the result is read
    /// back with every check a file gets. Node names, and so random
    /// streams, are unchanged: a variant and its baseline share their
    /// random numbers wherever the measure leaves the network alone.
    ///
    /// # Errors
    /// [`Error::Measure`] naming the measure and patch whose path does not
    /// exist or whose change does not fit, a measure given twice (it would
    /// be applied twice), or the measures whose patched scenario breaks a
    /// rule (with that error as its source).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// use cbec_sim::{Measure, Scenario};
    /// let base = Scenario::from_toml_str(r#"
    ///     simulation = { horizon_h = 10 }
    ///     sources.orders = { rate_per_hour = 20, to = "desk" }
    ///     stations.desk = { servers = 1, service_time_min = { dist = "exponential", mean = 2 }, to = "done" }
    ///     sinks.done = {}
    /// "#)?;
    /// let measures = Measure::list_from_toml_str(r#"
    ///     [[measure]]
    ///     name = "second_desk"
    ///     title = "A second desk"
    ///     press_release = "(illustration)"
    ///     patches = [{ path = "stations.desk.servers", add = 1, assumption = "[A] one more desk" }]
    /// "#)?;
    /// let variant = base.with_measures(&measures)?;
    /// assert_eq!(variant.stations["desk"].servers, cbec_sim::Servers::Finite(2));
    ///
    /// let typo = Measure::list_from_toml_str(r#"
    ///     [[measure]]
    ///     name = "typo"
    ///     title = "A typo"
    ///     press_release = "(illustration)"
    ///     patches = [{ path = "stations.dsk.servers", add = 1, assumption = "[A]" }]
    /// "#)?;
    /// let err = base.with_measures(&typo).unwrap_err().to_string();
    /// assert!(err.contains("did you mean \"desk\""), "{err}");
    /// # Ok(()) }
    /// ```
    pub fn with_measures<'a>(
        &self,
        measures: impl IntoIterator<Item = &'a Measure>,
    ) -> Result<Self> {
        let mut doc = self.to_document()?;
        let mut names = Vec::new();
        for m in measures {
            if names.contains(&m.name.as_str()) {
                return Err(Error::measure(
                    format!("measures {}", m.name),
                    "is given twice; each measure may be applied once",
                ));
            }
            m.apply(&mut doc)?;
            names.push(m.name.as_str());
        }
        let mut patched = Self::from_document(doc).map_err(|e| Error::Measure {
            field: format!("measures {}", names.join(" + ")),
            reason: format!("the patched scenario is invalid: {e}"),
            source: Some(Box::new(e)),
        })?;
        patched.base_dir.clone_from(&self.base_dir);
        Ok(patched)
    }

    /// The scenario with the parameter at `param` (a patch path, as in a
    /// measure) set to `value`: a whole number is written as a TOML
    /// integer, so it can set a count of servers. This is one point of a
    /// sweep.
    ///
    /// # Errors
    /// As [`Scenario::with_measures`]: an unknown path, or a value the
    /// scenario rejects.
    pub fn with_value(&self, param: &str, value: f64) -> Result<Self> {
        let v = if value.fract() == 0.0 && value.abs() < 9.0e15 {
            toml::Value::Integer(value as i64)
        } else {
            toml::Value::Float(value)
        };
        let measure = Measure::new(
            "sweep",
            format!("{param} = {value}"),
            "-",
            vec![Patch::new(param, PatchOp::Set(v), "the swept value")],
        );
        self.with_measures([&measure])
    }

    /// One design point of a factorial design over `measures`: this
    /// scenario with the measures whose level is `true` applied, in order.
    ///
    /// # Errors
    /// As [`Scenario::with_measures`].
    pub fn design_point(&self, measures: &[Measure], levels: &[bool]) -> Result<Self> {
        self.with_measures(
            measures
                .iter()
                .zip(levels)
                .filter(|(_, on)| **on)
                .map(|(m, _)| m),
        )
    }

    /// The variants of a comparison with this scenario as the baseline,
    /// as (name, scenario): those of [`Scenario::measure_sets`], each
    /// applied to this scenario.
    ///
    /// # Errors
    /// As [`Measure::find`] for an unknown name; a patch that does not fit
    /// is an [`Error::Scenario`] at `file` (the scenario's name in messages).
    pub fn measure_variants(
        &self,
        available: &[Measure],
        names: &[String],
        each: bool,
        file: &str,
    ) -> Result<Vec<(String, Scenario)>> {
        Self::measure_sets(available, names, each)?
            .into_iter()
            .map(|(name, ms)| {
                self.with_measures(&ms)
                    .map(|s| (name, s))
                    .map_err(|e| Error::scenario(file, e.to_string()))
            })
            .collect()
    }

    /// The measure sets of a comparison, as (name, measures): one per
    /// entry of `names` (measures of `available` joined by `+` are applied
    /// together); then, with `each`, one per measure of `available` and, if
    /// there are several policy measures, `all_policy_measures` with all
    /// of them.
    ///
    /// # Errors
    /// As [`Measure::find`] for an unknown name.
    pub fn measure_sets(
        available: &[Measure],
        names: &[String],
        each: bool,
    ) -> Result<Vec<(String, Vec<Measure>)>> {
        let mut out = Vec::new();
        for name in names {
            let ms = name
                .split('+')
                .map(|n| Measure::find(available, n.trim()).cloned())
                .collect::<Result<Vec<Measure>>>()?;
            out.push((name.clone(), ms));
        }
        if each {
            for m in available {
                out.push((m.name.clone(), vec![m.clone()]));
            }
            let policies: Vec<Measure> = available
                .iter()
                .filter(|m| m.kind == MeasureKind::Policy)
                .cloned()
                .collect();
            if policies.len() > 1 {
                out.push(("all_policy_measures".to_string(), policies));
            }
        }
        Ok(out)
    }
}
