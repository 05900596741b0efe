//! `cbec-sim factorial`: a 2^k full factorial over measures, with main
//! effects and two-factor interactions (the [`FactorialReport`] document).

use crate::common::{
    Common, Failure, INTERRUPTED, MeasureSource, chosen_measures, invalid, labelled_flags, load,
    output, partial_failure, provenance, set_threads, stoppable, study_failure,
};
use cbec_sim::experiment::{KpiCatalogue, Replications, Seed, factorial_with_stop};
use cbec_sim::report::document::{FactorialReport, Setup, shown_kpis};
use cbec_sim::report::{csv, pages, visuals};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct FactorialArgs {
    /// Scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// A factor: off is the scenario, on is the scenario with this measure
    /// (repeat for 2 to 10 factors).
    #[arg(long = "measure", value_name = "NAME", required = true)]
    measures: Vec<String>,
    /// KPIs to show (repeatable; default: the planner KPIs, or every KPI).
    #[arg(long = "kpi", value_name = "KPI")]
    kpis: Vec<String>,
    #[command(flatten)]
    source: MeasureSource,
    #[command(flatten)]
    common: Common,
}

pub(crate) fn factorial_command(args: &FactorialArgs) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    stoppable();
    if args.common.replications == 0 {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    if args.measures.len() > 10 {
        return Err(invalid(format!(
            "--measure: at most 10 factors (1,024 design points), got {}",
            args.measures.len()
        )));
    }
    let (base, model) = load(&args.scenario)?;
    let catalogue = KpiCatalogue::for_model(&model);
    let available: Vec<&str> = catalogue.names().collect();
    shown_kpis(&base, &available, &args.kpis).map_err(invalid)?;
    args.common.check_outputs()?;
    let measures = chosen_measures(&args.measures, &args.source)?;
    // Every design point must build before any runs.
    let point = |levels: &[bool]| base.design_point(&measures, levels)?.build();
    let mut flags = Vec::new();
    for p in 0..1usize << measures.len() {
        let levels: Vec<bool> = (0..measures.len()).map(|i| p >> i & 1 == 1).collect();
        let m = point(&levels).map_err(|e| invalid(format!("{}: {e}", args.scenario.display())))?;
        let on: Vec<&str> = args
            .measures
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
        flags.extend(labelled_flags(&name, &m));
    }
    if !args.common.quiet {
        eprintln!(
            "running {} design points x {} replications",
            1usize << measures.len(),
            args.common.replications
        );
    }
    let names: Vec<&str> = args.measures.iter().map(String::as_str).collect();
    let reps = Replications::first(args.common.replications);
    let seed = Seed(args.common.seed);
    let design = factorial_with_stop(&names, point, seed, reps.clone(), &INTERRUPTED)
        .map_err(|e| study_failure(e, "a replication finished at every design point"))?;
    let setup = Setup::new(&model, seed, &reps);
    let mut doc = FactorialReport::new(
        args.scenario.display().to_string(),
        &args.measures,
        setup,
        &design.kpis,
    );
    doc.partial = design.interrupted;
    doc.flags = flags;
    let shown = doc.shown(&base, &args.kpis).map_err(invalid)?;
    output(
        &args.common,
        &doc,
        doc.partial,
        || csv::factorial_files(&doc),
        || visuals::factorial_visuals(&shown),
        |v| pages::factorial_html(&doc, &shown, &model, v, &provenance()),
        || doc.to_text(&shown),
    )?;
    if doc.partial {
        return Err(partial_failure(format!(
            "{} of replications 0..{} at every design point",
            design.finished,
            reps.end()
        )));
    }
    Ok(())
}
