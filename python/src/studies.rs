//! Runs, shards, comparisons and sweeps, each returning the JSON document
//! the command line prints for the same study.

use crate::errors::py;
use crate::interrupt::without_gil;
use crate::scenario::{PyScenario, measures};
use cbec_sim::experiment::{
    Experiment, KpiCatalogue, Replications, Seed, ShardResult, Target, differences_of_shards,
    factorial_with_stop, result_flags, sweep_with_stop,
};
use cbec_sim::report::describe::model_flags;
use cbec_sim::report::document::{
    CompareReport, Document, FactorialReport, RunReport, Setup, SweepReport, headline_kpi,
};
use cbec_sim::{Error, Model};
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// Replications `start..start + n`, at least one.
fn range(start: u64, n: u64) -> PyResult<Replications> {
    if n == 0 {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "replications: must be at least 1, got 0",
        ));
    }
    let end = start.checked_add(n).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "start + replications: {start} + {n} is past the largest replication index"
        ))
    })?;
    py(Replications::new(start..end))
}

/// The replications `reps` of `model` under `seed`, stopping at `stop`.
fn shard_of(
    model: &Model,
    seed: u64,
    reps: Replications,
    stop: &AtomicBool,
) -> cbec_sim::Result<ShardResult> {
    Experiment::new(model)
        .with_seed(Seed(seed))
        .with_replications(reps)
        .with_stop_flag(stop)
        .run()
        .map(|r| r.shard)
}

/// The run document of `shard` (a run of `model`), named `label`.
fn run_document(shard: &ShardResult, model: &Model, label: &str) -> String {
    let mut doc = RunReport::of_model(shard, model);
    doc.scenario = Some(label.to_string());
    doc.to_json()
}

/// Runs replications `start..start + replications` of `scenario` under
/// `seed` on `threads` threads; returns the run's JSON document (as
/// `cbec-sim run --json`) and its shard's (as `run --out`).
#[pyfunction]
#[pyo3(signature = (scenario, replications = 20, seed = 1, threads = None, start = 0))]
pub(crate) fn run(
    py_: Python<'_>,
    scenario: &PyScenario,
    replications: u64,
    seed: u64,
    threads: Option<usize>,
    start: u64,
) -> PyResult<(String, String)> {
    let reps = range(start, replications)?;
    let model = py(scenario.inner.build())?;
    let shard = py(without_gil(py_, threads, |stop| {
        shard_of(&model, seed, reps, stop)
    })?)?;
    Ok((
        run_document(&shard, &model, &scenario.label),
        py(shard.to_json())?,
    ))
}

/// The shard (as `cbec-sim run --shard A..B --out`) of replications
/// `start..end`: what one Dask task computes.
#[pyfunction]
#[pyo3(signature = (scenario, seed, start, end, threads = None))]
pub(crate) fn run_shard(
    py_: Python<'_>,
    scenario: &PyScenario,
    seed: u64,
    start: u64,
    end: u64,
    threads: Option<usize>,
) -> PyResult<String> {
    let reps = range(start, end.saturating_sub(start))?;
    let model = py(scenario.inner.build())?;
    let shard = py(without_gil(py_, threads, |stop| {
        shard_of(&model, seed, reps, stop)
    })?)?;
    py(shard.to_json())
}

/// Merges shards (JSON texts) of `scenario` into one run: the same
/// document, bit for bit, as one run of their whole range.
#[pyfunction]
pub(crate) fn merge(scenario: &PyScenario, shards: Vec<String>) -> PyResult<(String, String)> {
    let model = py(scenario.inner.build())?;
    let merged = merged(&shards)?;
    Ok((
        run_document(&merged, &model, &scenario.label),
        py(merged.to_json())?,
    ))
}

/// The variants of a comparison: (name, scenario) for each measure set
/// of `measures` (and, with `each`, every available measure and all
/// together).
fn variants_of(
    scenario: &PyScenario,
    measures_: &[String],
    each: bool,
    measures_file: Option<PathBuf>,
) -> PyResult<Vec<(String, cbec_sim::Scenario)>> {
    let available = measures(measures_file)?;
    let variants =
        py(scenario
            .inner
            .measure_variants(&available, measures_, each, &scenario.label))?;
    if variants.is_empty() {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "measures: name at least one measure, or pass each=True",
        ));
    }
    Ok(variants)
}

/// The comparison document of `baseline` against each variant's shard,
/// all over replications `reps` under `seed`.
fn compare_document(
    scenario: &PyScenario,
    variants: &[(String, cbec_sim::Scenario)],
    baseline: &ShardResult,
    shards: &[ShardResult],
    seed: u64,
    reps: &Replications,
) -> PyResult<String> {
    let base = py(scenario.inner.build())?;
    let effects: Vec<_> = variants
        .iter()
        .zip(shards)
        .map(|((name, _), shard)| (name.clone(), differences_of_shards(baseline, shard)))
        .collect();
    let mut doc = CompareReport::new(
        scenario.label.clone(),
        Setup::new(&base, Seed(seed), reps),
        &effects,
    );
    doc.add_model_warnings("baseline", &base);
    for (name, s) in variants {
        let model = py(s
            .build()
            .map_err(|e| Error::scenario(format!("variant {name}"), e.to_string())))?;
        doc.add_model_warnings(name, &model);
    }
    Ok(doc.to_json())
}

/// Compares the scenario with each measure set of `measures` (and, with
/// `each`, every available measure and all together) on common random
/// numbers: the document of `cbec-sim compare --json`.
#[pyfunction]
#[pyo3(signature = (scenario, measures_ = Vec::new(), replications = 20, seed = 1, threads = None, each = false, measures_file = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn compare(
    py_: Python<'_>,
    scenario: &PyScenario,
    measures_: Vec<String>,
    replications: u64,
    seed: u64,
    threads: Option<usize>,
    each: bool,
    measures_file: Option<PathBuf>,
) -> PyResult<String> {
    let reps = range(0, replications)?;
    let variants = variants_of(scenario, &measures_, each, measures_file)?;
    let base = py(scenario.inner.build())?;
    let models = variants
        .iter()
        .map(|(name, s)| {
            s.build()
                .map_err(|e| Error::scenario(format!("variant {name}"), e.to_string()))
        })
        .collect::<cbec_sim::Result<Vec<_>>>();
    let models = py(models)?;
    let (baseline, shards) = py(without_gil(py_, threads, |stop| -> cbec_sim::Result<_> {
        let baseline = shard_of(&base, seed, reps.clone(), stop)?;
        let shards = models
            .iter()
            .map(|m| shard_of(m, seed, reps.clone(), stop))
            .collect::<cbec_sim::Result<Vec<_>>>()?;
        Ok((baseline, shards))
    })?)?;
    compare_document(scenario, &variants, &baseline, &shards, seed, &reps)
}

/// The variants of a comparison as scenarios, named: what a cluster runs.
#[pyfunction]
#[pyo3(signature = (scenario, measures_ = Vec::new(), each = false, measures_file = None))]
pub(crate) fn compare_variants(
    scenario: &PyScenario,
    measures_: Vec<String>,
    each: bool,
    measures_file: Option<PathBuf>,
) -> PyResult<Vec<(String, PyScenario)>> {
    Ok(variants_of(scenario, &measures_, each, measures_file)?
        .into_iter()
        .map(|(name, inner)| {
            let label = format!("{} ({name})", scenario.label);
            (
                name,
                PyScenario {
                    inner,
                    label,
                    path: scenario.path.clone(),
                },
            )
        })
        .collect())
}

/// The comparison document from shards computed elsewhere (a cluster):
/// `baseline` and each variant's shards (JSON texts) of replications
/// `0..replications`, merged. Equal, bit for bit, to [`compare`]'s.
#[pyfunction]
#[pyo3(signature = (scenario, baseline, variant_shards, replications, seed, measures_ = Vec::new(), each = false, measures_file = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn compare_of_shards(
    scenario: &PyScenario,
    baseline: Vec<String>,
    variant_shards: Vec<Vec<String>>,
    replications: u64,
    seed: u64,
    measures_: Vec<String>,
    each: bool,
    measures_file: Option<PathBuf>,
) -> PyResult<String> {
    let reps = range(0, replications)?;
    let variants = variants_of(scenario, &measures_, each, measures_file)?;
    let baseline = merged(&baseline)?;
    let shards = variant_shards
        .iter()
        .map(|s| merged(s))
        .collect::<PyResult<Vec<_>>>()?;
    compare_document(scenario, &variants, &baseline, &shards, seed, &reps)
}

/// Shards (JSON texts) merged into one.
fn merged(shards: &[String]) -> PyResult<ShardResult> {
    let parts = shards
        .iter()
        .map(|s| ShardResult::from_json(s))
        .collect::<cbec_sim::Result<Vec<_>>>();
    py(parts.and_then(ShardResult::merge))
}

/// A sweep's model, its KPI and its target (with the target's KPI).
type SweepSetup = (Model, String, Option<(String, Target)>);

/// The swept KPI (`kpi`, else the target's, else the scenario's
/// headline), checked, and the target parsed.
fn sweep_setup(
    scenario: &PyScenario,
    kpi: Option<String>,
    target: Option<String>,
) -> PyResult<SweepSetup> {
    let model = py(scenario.inner.build())?;
    let target = py(target.as_deref().map(Target::parse).transpose())?;
    let kpi = match (&kpi, &target) {
        (Some(k), _) => k.clone(),
        (None, Some((k, _))) => k.clone(),
        (None, None) => headline_kpi(&scenario.inner).to_string(),
    };
    py(KpiCatalogue::for_model(&model).kpi_for("kpi", &kpi))?;
    Ok((model, kpi, target))
}

/// The sweep document of `curve`, with each value's model warnings and
/// results' flags.
fn sweep_document(
    scenario: &PyScenario,
    model: &Model,
    param: &str,
    curve: &cbec_sim::experiment::Sweep,
    seed: u64,
    reps: &Replications,
) -> PyResult<String> {
    let mut flags = Vec::new();
    for p in &curve.points {
        let m = py(scenario
            .inner
            .with_value(param, p.value)
            .and_then(|s| s.build()))?;
        flags.extend(
            model_flags(&m)
                .into_iter()
                .map(|w| format!("{param} = {}: {w}", p.value)),
        );
    }
    for p in &curve.points {
        flags.extend(
            result_flags(&p.all)
                .into_iter()
                .map(|w| format!("{param} = {}: {w}", p.value)),
        );
    }
    let mut doc = SweepReport::new(
        scenario.label.clone(),
        param,
        Setup::new(model, Seed(seed), reps),
        curve,
    );
    doc.flags = flags;
    Ok(doc.to_json())
}

/// The KPI `kpi` (default: the scenario's headline) at each value of the
/// parameter at `param`, on common random numbers, with where `target`
/// (`KPI<=X` or `KPI>=X`) breaks: the document of `cbec-sim sweep --json`.
#[pyfunction]
#[pyo3(signature = (scenario, param, values, kpi = None, target = None, replications = 20, seed = 1, threads = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sweep(
    py_: Python<'_>,
    scenario: &PyScenario,
    param: &str,
    values: Vec<f64>,
    kpi: Option<String>,
    target: Option<String>,
    replications: u64,
    seed: u64,
    threads: Option<usize>,
) -> PyResult<String> {
    let reps = range(0, replications)?;
    let (model, kpi, target) = sweep_setup(scenario, kpi, target)?;
    for v in &values {
        py(scenario.inner.with_value(param, *v).and_then(|s| s.build()))?;
    }
    let base = &scenario.inner;
    let curve = py(without_gil(py_, threads, |stop| {
        sweep_with_stop(
            &values,
            |v| base.with_value(param, v)?.build(),
            &kpi,
            target.as_ref().map(|t| t.1),
            Seed(seed),
            reps.clone(),
            stop,
        )
    })?)?;
    sweep_document(scenario, &model, param, &curve, seed, &reps)
}

/// The sweep document from shards computed elsewhere (a cluster): for
/// each value, its shards (JSON texts) of replications `0..replications`,
/// merged. Equal, bit for bit, to [`sweep`]'s.
#[pyfunction]
#[pyo3(signature = (scenario, param, values, value_shards, replications, seed, kpi = None, target = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sweep_of_shards(
    scenario: &PyScenario,
    param: &str,
    values: Vec<f64>,
    value_shards: Vec<Vec<String>>,
    replications: u64,
    seed: u64,
    kpi: Option<String>,
    target: Option<String>,
) -> PyResult<String> {
    let reps = range(0, replications)?;
    let (model, kpi, target) = sweep_setup(scenario, kpi, target)?;
    let shards = values
        .iter()
        .zip(&value_shards)
        .map(|(v, s)| Ok((*v, merged(s)?)))
        .collect::<PyResult<Vec<_>>>()?;
    let curve = py(cbec_sim::experiment::sweep_of_shards(
        &shards,
        &kpi,
        target.map(|t| t.1),
    ))?;
    sweep_document(scenario, &model, param, &curve, seed, &reps)
}

/// One replication's order records (and, with `resources`, its resource
/// records) as CSV text, as `cbec-sim run --trace` writes them.
#[pyfunction]
#[pyo3(signature = (scenario, seed = 1, replication = 0, resources = false))]
pub(crate) fn trace(
    py_: Python<'_>,
    scenario: &PyScenario,
    seed: u64,
    replication: u64,
    resources: bool,
) -> PyResult<(String, Option<String>)> {
    let model = py(scenario.inner.build())?;
    let (orders, resources) = py(without_gil(py_, Some(1), |_| {
        let mut writer =
            cbec_sim::report::TraceWriter::new(&model, Some(Vec::new()), resources.then(Vec::new))?;
        let _ = writer.trace(seed, replication);
        writer.finish()
    })?)?;
    let text = |b: Option<Vec<u8>>| b.map(|b| String::from_utf8_lossy(&b).into_owned());
    Ok((text(orders).unwrap_or_default(), text(resources)))
}

/// A full 2^k factorial over `measures` (each on or off) on common random
/// numbers: main effects and interactions with their intervals, the
/// document of `cbec-sim factorial --json`.
#[pyfunction]
#[pyo3(signature = (scenario, measures_, replications = 20, seed = 1, threads = None, measures_file = None))]
pub(crate) fn factorial(
    py_: Python<'_>,
    scenario: &PyScenario,
    measures_: Vec<String>,
    replications: u64,
    seed: u64,
    threads: Option<usize>,
    measures_file: Option<PathBuf>,
) -> PyResult<String> {
    let reps = range(0, replications)?;
    let available = measures(measures_file)?;
    let chosen = measures_
        .iter()
        .map(|n| cbec_sim::Measure::find(&available, n).cloned())
        .collect::<cbec_sim::Result<Vec<_>>>();
    let chosen = py(chosen)?;
    let base = &scenario.inner;
    let model = py(base.build())?;
    let point = |levels: &[bool]| base.design_point(&chosen, levels)?.build();
    let mut flags = Vec::new();
    for p in 0..1usize << chosen.len().min(10) {
        let levels: Vec<bool> = (0..chosen.len()).map(|i| p >> i & 1 == 1).collect();
        let m = py(point(&levels))?;
        let on: Vec<&str> = measures_
            .iter()
            .zip(&levels)
            .filter(|(_, on)| **on)
            .map(|(n, _)| n.as_str())
            .collect();
        let name = if on.is_empty() {
            "no measure".to_string()
        } else {
            on.join(" + ")
        };
        flags.extend(model_flags(&m).into_iter().map(|w| format!("{name}: {w}")));
    }
    let names: Vec<&str> = measures_.iter().map(String::as_str).collect();
    let design = py(without_gil(py_, threads, |stop| {
        factorial_with_stop(&names, point, Seed(seed), reps.clone(), stop)
    })?)?;
    let mut doc = FactorialReport::new(
        scenario.label.clone(),
        &measures_,
        Setup::new(&model, Seed(seed), &reps),
        &design.kpis,
    );
    doc.partial = design.interrupted;
    doc.flags = flags;
    Ok(doc.to_json())
}
