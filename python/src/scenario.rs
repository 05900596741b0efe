//! `cbec_sim.Scenario`: a scenario file or text, patched by measures and
//! parameter paths, checked, and turned back into TOML.

use crate::errors::{py, to_py};
use cbec_sim::experiment::KpiCatalogue;
use cbec_sim::{Measure, Scenario};
use pyo3::prelude::*;
use std::path::PathBuf;

/// A scenario: the network, its parameters and its run length.
#[pyclass(name = "Scenario", module = "cbec_sim", frozen)]
#[derive(Clone)]
pub(crate) struct PyScenario {
    pub(crate) inner: Scenario,
    /// How results name it (its file, or "scenario").
    pub(crate) label: String,
    /// The file it was read from, where its assumptions file sits beside.
    pub(crate) path: Option<PathBuf>,
}

/// The measures available: the built-in ones, or those of `file`.
pub(crate) fn measures(file: Option<PathBuf>) -> PyResult<Vec<Measure>> {
    match file {
        Some(f) => py(Measure::list_from_path(f)),
        None => Ok(Measure::builtin()),
    }
}

#[pymethods]
impl PyScenario {
    /// Reads a scenario file (TOML); replayed order logs are read from
    /// its folder.
    #[staticmethod]
    fn from_path(path: PathBuf) -> PyResult<Self> {
        let inner = py(Scenario::from_path(&path))?;
        Ok(PyScenario {
            inner,
            label: path.display().to_string(),
            path: Some(path),
        })
    }

    /// Parses a scenario from TOML text; `base_dir` is where relative
    /// paths (replayed order logs) are read from.
    #[staticmethod]
    #[pyo3(signature = (text, base_dir = None))]
    fn from_toml(text: &str, base_dir: Option<PathBuf>) -> PyResult<Self> {
        let mut inner = py(Scenario::from_toml_str(text))?;
        inner.base_dir = base_dir;
        Ok(PyScenario {
            inner,
            label: "scenario".into(),
            path: None,
        })
    }

    /// The scenario with measures applied, by name (`a+b` applies two
    /// together), from the built-in list or `measures_file`.
    #[pyo3(signature = (names, measures_file = None))]
    fn with_measures(&self, names: Vec<String>, measures_file: Option<PathBuf>) -> PyResult<Self> {
        let available = measures(measures_file)?;
        let mut chosen = Vec::new();
        for name in &names {
            for part in name.split('+') {
                chosen.push(py(Measure::find(&available, part.trim()))?.clone());
            }
        }
        Ok(PyScenario {
            inner: py(self.inner.with_measures(&chosen))?,
            label: format!("{} + {}", self.label, names.join(" + ")),
            path: self.path.clone(),
        })
    }

    /// The scenario with the number at `path` (a patch path, as in a
    /// measure: `stations.review.servers`) set to `value`.
    fn set(&self, path: &str, value: f64) -> PyResult<Self> {
        Ok(PyScenario {
            inner: py(self.inner.with_value(path, value))?,
            label: self.label.clone(),
            path: self.path.clone(),
        })
    }

    /// Checks the scenario (it builds) and returns its warnings: overload,
    /// unreachable parts.
    fn validate(&self) -> PyResult<Vec<String>> {
        let model = py(self.inner.build())?;
        Ok(cbec_sim::report::describe::model_flags(&model))
    }

    /// The KPI names its runs report.
    fn kpi_names(&self) -> PyResult<Vec<String>> {
        let model = py(self.inner.build())?;
        Ok(KpiCatalogue::for_model(&model)
            .names()
            .map(str::to_string)
            .collect())
    }

    /// The scenario as TOML text (every field, defaults included).
    fn to_toml(&self) -> PyResult<String> {
        let doc = py(self.inner.to_document())?;
        toml::to_string_pretty(&doc)
            .map_err(|e| to_py(cbec_sim::Error::scenario("scenario", e.to_string())))
    }

    /// The folder relative paths are read from, if any.
    #[getter]
    fn base_dir(&self) -> Option<PathBuf> {
        self.inner.base_dir.clone()
    }

    /// How results name the scenario.
    #[getter]
    fn label(&self) -> String {
        self.label.clone()
    }

    fn __repr__(&self) -> String {
        format!("Scenario({:?})", self.label)
    }
}
