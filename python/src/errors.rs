//! The crate's errors as the package's Python exceptions (defined in
//! `cbec_sim/_errors.py`): a `ScenarioError` carries the field path.

use cbec_sim::Error;
use pyo3::prelude::*;

/// `e` as a Python exception: `ScenarioError(message, field)` for a
/// scenario, measure or parse error, `CbecSimError(message)` otherwise.
pub(crate) fn to_py(e: Error) -> PyErr {
    let message = e.to_string();
    let (class, field) = match &e {
        Error::Scenario { field, .. } | Error::Measure { field, .. } => {
            ("ScenarioError", Some(field.clone()))
        }
        Error::Parse(_) | Error::Distribution(_) | Error::UnknownKpi { .. } => {
            ("ScenarioError", None)
        }
        _ => ("CbecSimError", None),
    };
    Python::attach(|py| {
        let made = py
            .import("cbec_sim._errors")
            .and_then(|m| m.getattr(class))
            .and_then(|c| c.call1((message.clone(), field)));
        match made {
            Ok(exception) => PyErr::from_value(exception),
            Err(e) => e,
        }
    })
}

/// A result of the crate's as a Python result.
pub(crate) fn py<T>(r: cbec_sim::Result<T>) -> PyResult<T> {
    r.map_err(to_py)
}
