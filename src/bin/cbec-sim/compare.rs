//! `cbec-sim compare`: the baseline against variants (measures or other
//! scenario files) on common random numbers, with paired effects (the
//! [`CompareReport`] document).

use crate::common::{
    Common, Failure, MeasureSource, RunOptions, SIGNALLED, failure, invalid, load, load_measures,
    load_scenario, measure_words, on_measure_flag, output, partial_failure, provenance,
    run_experiment, set_threads, stoppable,
};
use cbec_sim::Scenario;
use cbec_sim::experiment::{
    KpiCatalogue, Replications, Seed, differences_of_shards, startup_check,
};
use cbec_sim::report::document::{CompareReport, Setup, shown_kpis};
use cbec_sim::report::{ChartData, csv, pages, visuals};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["measures", "all_measures", "variants"])))]
pub(crate) struct CompareArgs {
    /// Baseline scenario file (TOML).
    pub(crate) scenario: PathBuf,
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
    /// Also run the baseline and each variant with the pre-roll doubled and
    /// check that no headline KPI moves beyond its interval (start-up bias).
    #[arg(long)]
    check_startup: bool,
    #[command(flatten)]
    common: Common,
}

/// What each variant changes, in words: (name, the measures' titles and
/// patches, or the scenario file).
fn changes(args: &CompareArgs) -> Result<Vec<(String, String)>, Failure> {
    let available = load_measures(args.source.measures_file.as_deref())?;
    let sets = Scenario::measure_sets(&available, &args.measures, args.all_measures)
        .map_err(|e| invalid(on_measure_flag(e)))?;
    let mut out: Vec<(String, String)> = sets
        .into_iter()
        .map(|(name, measures)| (name, measure_words(&measures)))
        .collect();
    for file in &args.variants {
        let name = file.file_stem().map_or_else(
            || file.display().to_string(),
            |s| s.to_string_lossy().to_string(),
        );
        out.push((name, format!("the scenario file {}", file.display())));
    }
    Ok(out)
}

/// The variants to run: (name, scenario).
fn variants(args: &CompareArgs, base: &Scenario) -> Result<Vec<(String, Scenario)>, Failure> {
    let available = load_measures(args.source.measures_file.as_deref())?;
    let file = args.scenario.display().to_string();
    let mut out = base
        .measure_variants(&available, &args.measures, args.all_measures, &file)
        .map_err(|e| invalid(on_measure_flag(e)))?;
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
    stoppable();
    let (base, base_model) = load(&args.scenario)?;
    let variants = variants(args, &base)?;
    let changes = changes(args)?;
    let models = variants
        .iter()
        .map(|(name, s)| {
            s.build()
                .map_err(|e| invalid(format!("variant {name}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Paired effects need the variants to draw as the baseline does.
    for ((name, _), model) in variants.iter().zip(&models) {
        if model.random_numbers() != base_model.random_numbers() {
            return Err(invalid(format!(
                "variant {name}: simulation.random_numbers is \"{}\", the baseline's is \"{}\"; \
                 a comparison needs the same, or common random numbers are lost \
                 (set it in both files)",
                model.random_numbers(),
                base_model.random_numbers()
            )));
        }
    }
    let (seed, reps, quiet) = (
        args.common.seed,
        0..args.common.replications,
        args.common.quiet,
    );
    if reps.is_empty() {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    let catalogue = KpiCatalogue::for_model(&base_model);
    let available: Vec<&str> = catalogue.names().collect();
    let shown = shown_kpis(&base, &available, &args.kpis).map_err(invalid)?;
    args.common.check_outputs()?;
    // Charts are drawn only with --plot or --report; the effects pair the
    // KPI rows of the shards, so no run summary is kept.
    let charts = args.common.plot.is_some() || args.common.report.is_some();
    let runs = |model, label, data: Option<&mut ChartData>| {
        let options = RunOptions {
            label,
            quiet,
            charts: data,
            ..RunOptions::default()
        };
        run_experiment(model, seed, reps.clone(), options)
    };
    let mut base_charts = ChartData::new(&base).with_calendar(*base_model.calendar());
    let baseline = runs(&base_model, "baseline", charts.then_some(&mut base_charts))?;
    if baseline.interrupted() {
        return Err(failure(
            SIGNALLED,
            "interrupted while running the baseline: no variant ran, so there is nothing to compare and nothing was written",
        ));
    }
    let baseline = baseline.shard;
    let mut results = Vec::new();
    let mut partial = false;
    for ((name, _), model) in variants.iter().zip(&models) {
        let mut data = ChartData::new(&base).with_calendar(*base_model.calendar());
        let variant = match runs(model, name, charts.then_some(&mut data)) {
            Err(f) if f.code == SIGNALLED => None,
            other => Some(other?),
        };
        let Some(variant) = variant else {
            partial = true;
            break;
        };
        // Each replication of the variant is paired with the baseline's.
        let cut = variant.interrupted();
        let diffs = differences_of_shards(&baseline, &variant.shard);
        results.push((name.clone(), data, diffs));
        if cut {
            partial = true;
            break;
        }
    }
    if results.is_empty() {
        return Err(failure(
            SIGNALLED,
            "interrupted before a variant's first replication finished: nothing to compare, nothing written",
        ));
    }
    let effects: Vec<_> = results
        .iter()
        .map(|(name, _, diffs)| (name.clone(), diffs.clone()))
        .collect();
    let setup = Setup::new(
        &base_model,
        Seed(seed),
        &Replications::new(reps.clone()).map_err(invalid)?,
    );
    let mut doc = CompareReport::new(args.scenario.display().to_string(), setup, &effects);
    doc.partial = partial;
    // Overload is stated for the baseline and every variant that ran.
    doc.add_model_warnings("baseline", &base_model);
    for ((name, _), model) in variants.iter().zip(&models).take(results.len()) {
        doc.add_model_warnings(name, model);
    }
    if args.check_startup && !partial {
        let done = Replications::new(reps.clone()).map_err(invalid)?;
        let named = std::iter::once(("baseline", &base_model))
            .chain(variants.iter().map(|(n, _)| n.as_str()).zip(&models));
        for (name, model) in named {
            if !quiet {
                eprintln!(
                    "start-up check of {name}: the same replications with the pre-roll doubled..."
                );
            }
            let check = startup_check(model, Seed(seed), done.clone())
                .map_err(|e| invalid(format!("{name}: {e}")))?;
            doc.add_startup_check(name, check);
        }
    }
    output(
        &args.common,
        &doc,
        partial,
        || csv::compare_files(&doc),
        || visuals::compare_visuals(&base_charts, &results, &shown),
        |v| pages::compare_html(&doc, &shown, &base_model, &changes, v, &provenance()),
        || doc.to_text(&shown),
    )?;
    if partial {
        return Err(partial_failure(format!(
            "{} of {} variants, the last one only over the replications it finished",
            results.len(),
            variants.len()
        )));
    }
    Ok(())
}
