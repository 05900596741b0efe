//! Studies over the assumptions' ranges and the capacity search: the
//! documents of `cbec-sim sensitivity`, `robustness` and `capacity`.

use crate::errors::py;
use crate::interrupt::without_gil;
use crate::scenario::{PyScenario, measures};
use cbec_sim::experiment::sensitivity::{SensitivityOptions, sensitivity as sensitivity_study};
use cbec_sim::experiment::{
    CapacityOptions, KpiCatalogue, Replications, Resource, RobustnessOptions, Seed, ServiceTarget,
    capacity as capacity_search, headline_kpis, robustness as robustness_study,
};
use cbec_sim::report::describe::model_flags;
use cbec_sim::report::document::{
    CapacityReport, Document, RobustnessReport, SensitivityReport, Setup,
};
use cbec_sim::{Assumptions, Error, Model, Scenario};
use pyo3::prelude::*;
use std::path::PathBuf;

/// The assumptions file `given`, or the one beside the scenario's file.
fn ranges(scenario: &PyScenario, given: Option<PathBuf>) -> PyResult<(PathBuf, Assumptions)> {
    let path = given
        .or_else(|| scenario.path.as_deref().and_then(Assumptions::beside))
        .ok_or_else(|| {
            crate::errors::to_py(Error::scenario(
                "assumptions",
                format!(
                    "{}: no assumption ranges: pass assumptions=FILE or put <name>.assumptions.toml beside the scenario file",
                    scenario.label
                ),
            ))
        })?;
    let list = py(Assumptions::from_path(&path))?;
    py(list
        .check(&scenario.inner)
        .map_err(|e| Error::scenario(path.display().to_string(), e.to_string())))?;
    Ok((path, list))
}

/// The KPIs to study: those given (checked), or the headline ones.
fn kpis_of(model: &Model, given: Option<Vec<String>>) -> PyResult<Vec<String>> {
    let catalogue = KpiCatalogue::for_model(model);
    match given {
        Some(list) => {
            for k in &list {
                py(catalogue.kpi_for("kpis", k))?;
            }
            Ok(list)
        }
        None => Ok(headline_kpis(catalogue.names())),
    }
}

fn labelled(label: &str, model: &Model) -> Vec<String> {
    model_flags(model)
        .into_iter()
        .map(|w| format!("{label}: {w}"))
        .collect()
}

/// Which assumptions drive each KPI: a Morris screening, then Sobol
/// indices of the top factors (the document of `cbec-sim sensitivity`).
#[pyfunction]
#[pyo3(signature = (scenario, assumptions = None, kpis = None, trajectories = None, levels = None, top = None, sobol_rows = None, noise_replications = None, replications = 10, seed = 1, threads = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sensitivity(
    py_: Python<'_>,
    scenario: &PyScenario,
    assumptions: Option<PathBuf>,
    kpis: Option<Vec<String>>,
    trajectories: Option<usize>,
    levels: Option<usize>,
    top: Option<usize>,
    sobol_rows: Option<usize>,
    noise_replications: Option<u64>,
    replications: u64,
    seed: u64,
    threads: Option<usize>,
) -> PyResult<String> {
    let model = py(scenario.inner.build())?;
    let (file, list) = ranges(scenario, assumptions)?;
    let mut options = SensitivityOptions::new(kpis_of(&model, kpis)?);
    options.trajectories = trajectories.unwrap_or(options.trajectories);
    options.levels = levels.unwrap_or(options.levels);
    options.top = top.unwrap_or(options.top);
    options.sobol_rows = sobol_rows.unwrap_or(options.sobol_rows);
    options.noise_replications = noise_replications.unwrap_or(options.noise_replications);
    options.seed = Seed(seed);
    options.replications = Replications::first(replications);
    let study = py(without_gil(py_, threads, |stop| {
        sensitivity_study(&scenario.inner, &list, &options, stop, &|| {})
    })?)?;
    let setup = Setup::new(&model, options.seed, &options.replications);
    let mut doc = SensitivityReport::new(
        scenario.label.clone(),
        file.display().to_string(),
        options.levels,
        setup,
        study,
    );
    doc.flags = labelled("at the scenario's values", &model);
    Ok(doc.to_json())
}

/// How often each measure set wins when every assumption is drawn from
/// its range (the document of `cbec-sim robustness`).
#[pyfunction]
#[pyo3(signature = (scenario, measures_ = Vec::new(), each = false, assumptions = None, kpis = None, thresholds = Vec::new(), draws = None, replications = 10, seed = 1, threads = None, measures_file = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn robustness(
    py_: Python<'_>,
    scenario: &PyScenario,
    measures_: Vec<String>,
    each: bool,
    assumptions: Option<PathBuf>,
    kpis: Option<Vec<String>>,
    thresholds: Vec<(String, f64)>,
    draws: Option<usize>,
    replications: u64,
    seed: u64,
    threads: Option<usize>,
    measures_file: Option<PathBuf>,
) -> PyResult<String> {
    if replications < 2 {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "replications: must be at least 2 (a paired interval needs two), got {replications}"
        )));
    }
    let model = py(scenario.inner.build())?;
    let (file, list) = ranges(scenario, assumptions)?;
    let available = measures(measures_file)?;
    let variants = py(Scenario::measure_sets(&available, &measures_, each))?;
    let kpis = kpis_of(&model, kpis)?;
    for (k, _) in &thresholds {
        if !kpis.contains(k) {
            return Err(crate::errors::to_py(Error::scenario(
                "thresholds",
                format!("{k}: that KPI is not reported; add it to kpis"),
            )));
        }
    }
    let mut options = RobustnessOptions::new(kpis);
    options.draws = draws.unwrap_or(options.draws);
    options.thresholds = thresholds;
    options.seed = Seed(seed);
    options.replications = Replications::first(replications);
    let study = py(without_gil(py_, threads, |stop| {
        robustness_study(&scenario.inner, &list, &variants, &options, stop, &|| {})
    })?)?;
    let setup = Setup::new(&model, options.seed, &options.replications);
    let mut doc = RobustnessReport::new(
        scenario.label.clone(),
        file.display().to_string(),
        setup,
        study,
    );
    doc.flags = labelled("baseline", &model);
    for (name, set) in &variants {
        let m = py(scenario.inner.with_measures(set).and_then(|s| s.build()))?;
        doc.flags.extend(labelled(name, &m));
    }
    Ok(doc.to_json())
}

/// The cheapest units of each resource (`PATH[=COST][:MIN..MAX]`) that
/// meet every target (`KPI<=X`) in `probability` of the replications (the
/// document of `cbec-sim capacity`).
#[pyfunction]
#[pyo3(signature = (scenario, resources, targets, probability = 0.95, replications = 10, confirm_replications = None, max_evaluations = None, seed = 1, threads = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn capacity(
    py_: Python<'_>,
    scenario: &PyScenario,
    resources: Vec<String>,
    targets: Vec<String>,
    probability: f64,
    replications: u64,
    confirm_replications: Option<u64>,
    max_evaluations: Option<usize>,
    seed: u64,
    threads: Option<usize>,
) -> PyResult<String> {
    let model = py(scenario.inner.build())?;
    let resources = py(resources
        .iter()
        .map(|r| Resource::parse(r))
        .collect::<cbec_sim::Result<Vec<_>>>())?;
    let catalogue = KpiCatalogue::for_model(&model);
    let targets = py(targets
        .iter()
        .map(|t| {
            let t = ServiceTarget::parse(t)?;
            catalogue.kpi_for("targets", &t.kpi)?;
            Ok(t)
        })
        .collect::<cbec_sim::Result<Vec<_>>>())?;
    let mut options = CapacityOptions::new();
    options.probability = probability;
    options.seed = Seed(seed);
    options.replications = replications;
    options.confirm_replications = confirm_replications.unwrap_or(options.confirm_replications);
    options.max_evaluations = max_evaluations.unwrap_or(options.max_evaluations);
    let search = py(without_gil(py_, threads, |stop| {
        capacity_search(
            &scenario.inner,
            &resources,
            &targets,
            &options,
            stop,
            &|| {},
        )
    })?)?;
    let setup = Setup::new(
        &model,
        options.seed,
        &Replications::first(options.replications),
    );
    let mut doc = CapacityReport::new(scenario.label.clone(), setup, search);
    doc.flags = labelled("the scenario as given", &model);
    Ok(doc.to_json())
}
