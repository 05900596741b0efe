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
mod uncertainty;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<scenario::PyScenario>()?;
    m.add_function(wrap_pyfunction!(studies::run, m)?)?;
    m.add_function(wrap_pyfunction!(studies::run_shard, m)?)?;
    m.add_function(wrap_pyfunction!(studies::merge, m)?)?;
    m.add_function(wrap_pyfunction!(studies::compare, m)?)?;
    m.add_function(wrap_pyfunction!(studies::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(studies::sweep_of_shards, m)?)?;
    m.add_function(wrap_pyfunction!(studies::compare_variants, m)?)?;
    m.add_function(wrap_pyfunction!(studies::compare_of_shards, m)?)?;
    m.add_function(wrap_pyfunction!(studies::trace, m)?)?;
    m.add_function(wrap_pyfunction!(studies::factorial, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::robustness, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::capacity, m)?)?;
    m.add_function(wrap_pyfunction!(kpi_unit, m)?)?;
    m.add_function(wrap_pyfunction!(mmc_mean_wait, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// The unit a KPI's values are in, from its name (`minutes`, `hours`,
/// `share of orders`, ...; empty when the name does not say).
#[pyfunction]
fn kpi_unit(name: &str) -> &'static str {
    cbec_sim::experiment::kpi_unit(name)
}

/// The M/M/c queue's mean wait (Erlang C), in the unit of
/// `mean_service`, with arrivals at `arrival_rate` per that unit and
/// `servers` servers; `None` when the queue is unstable.
#[pyfunction]
fn mmc_mean_wait(arrival_rate: f64, mean_service: f64, servers: u32) -> Option<f64> {
    cbec_sim::theory::MMc {
        lambda: arrival_rate,
        mu: 1.0 / mean_service,
        servers,
    }
    .mean_wait()
}
