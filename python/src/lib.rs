//! The native part of the `cbec_sim` Python package: scenarios, runs,
//! comparisons and sweeps of the `cbec-sim` crate, with the GIL released
//! while simulating and Ctrl-C stopping a run. The Python package
//! (`python/cbec_sim/`) wraps it: results as pandas data frames, Dask.
//!
//! Every study returns the same JSON document the command line prints
//! (`cbec-sim run --json`, ...), so the two cannot drift apart.

use pyo3::prelude::*;

mod errors;
mod interrupt;
mod scenario;
mod studies;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<scenario::PyScenario>()?;
    m.add_function(wrap_pyfunction!(studies::run, m)?)?;
    m.add_function(wrap_pyfunction!(studies::run_shard, m)?)?;
    m.add_function(wrap_pyfunction!(studies::merge, m)?)?;
    m.add_function(wrap_pyfunction!(studies::compare, m)?)?;
    m.add_function(wrap_pyfunction!(studies::sweep, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
