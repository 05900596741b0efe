//! `cbec-sim compare`: the baseline against variants (measures or other
//! scenario files) on common random numbers, with paired effects (the
//! [`CompareReport`] document).

use crate::common::{
    Common, Failure, MeasureSource, invalid, load, load_measures, load_scenario, output,
    run_experiment, set_threads,
};
use cbec_sim::Scenario;
use cbec_sim::experiment::{KpiCatalogue, Replications, Seed, differences};
use cbec_sim::report::document::{CompareReport, Setup, shown_kpis};
use cbec_sim::report::{csv, visuals};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["measures", "all_measures", "variants"])))]
pub(crate) struct CompareArgs {
    /// Baseline scenario file (TOML).
    scenario: PathBuf,
    /// A variant: the baseline with this measure (repeatable; `a+b` applies both).
    #[arg(long = "measure", value_name = "NAME")]
    measures: Vec<String>,
    /// One variant per measure, and one with every policy measure together.
    #[arg(long)]
    all_measures: bool,
    /// A variant: another scenario file with the same node names (repeatable).
    #[arg(long = "variant", value_name = "FILE")]
    variants: Vec<PathBuf>,
    /// KPIs to show (repeatable; default: the planner KPIs, or every KPI).
    #[arg(long = "kpi", value_name = "KPI")]
    kpis: Vec<String>,
    #[command(flatten)]
    source: MeasureSource,
    #[command(flatten)]
    common: Common,
}

/// The variants to run: (name, scenario).
fn variants(args: &CompareArgs, base: &Scenario) -> Result<Vec<(String, Scenario)>, Failure> {
    let available = load_measures(args.source.measures_file.as_deref())?;
    let file = args.scenario.display().to_string();
    let mut out = base
        .measure_variants(&available, &args.measures, args.all_measures, &file)
        .map_err(invalid)?;
    for file in &args.variants {
        let name = file.file_stem().map_or_else(
            || file.display().to_string(),
            |s| s.to_string_lossy().to_string(),
        );
        out.push((name, load_scenario(file)?));
    }
    Ok(out)
}

pub(crate) fn compare(args: &CompareArgs) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    let (base, base_model) = load(&args.scenario)?;
    let variants = variants(args, &base)?;
    let models = variants
        .iter()
        .map(|(name, s)| {
            s.build()
                .map_err(|e| invalid(format!("variant {name}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (seed, reps, quiet) = (
        args.common.seed,
        0..args.common.replications,
        args.common.quiet,
    );
    if reps.is_empty() {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    // Paired designs compare whole sets: Ctrl-C does not cut them short.
    let runs = |model, label| {
        run_experiment(model, seed, reps.clone(), label, quiet, false, true)
            .map(|r| r.into_summaries())
    };
    let baseline = runs(&base_model, "baseline")?;
    let catalogue = KpiCatalogue::for_run(&baseline[0]);
    let available: Vec<&str> = catalogue.names().collect();
    let shown = shown_kpis(&base, &available, &args.kpis).map_err(invalid)?;
    let mut results = Vec::new();
    for ((name, _), model) in variants.iter().zip(&models) {
        let variant = runs(model, name)?;
        let diffs = differences(&baseline, &variant);
        results.push((name.clone(), variant, diffs));
    }
    let effects: Vec<_> = results
        .iter()
        .map(|(name, _, diffs)| (name.clone(), diffs.clone()))
        .collect();
    let setup = Setup::new(
        &base_model,
        Seed(seed),
        &Replications::new(reps).map_err(invalid)?,
    );
    let doc = CompareReport::new(args.scenario.display().to_string(), setup, &effects);
    output(
        &args.common,
        &doc,
        || csv::compare_files(&doc),
        || visuals::compare_visuals(&base, &baseline, &results, &shown),
        |v| visuals::compare_html(&doc, &shown, &base_model, v),
        || doc.to_text(&shown),
    )
}
