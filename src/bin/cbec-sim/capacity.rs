//! `cbec-sim capacity`: the least-cost staffing that meets service
//! targets in a share of replications (the [`CapacityReport`] document).

use crate::common::{
    Common, Failure, INTERRUPTED, Progress, SIGNALLED, failure, invalid, labelled_flags, load,
    output, provenance, set_threads, stoppable, study_failure,
};
use cbec_sim::experiment::{
    CapacityOptions, KpiCatalogue, Replications, Resource, Seed, ServiceTarget, capacity,
};
use cbec_sim::report::document::{CapacityReport, Setup};
use cbec_sim::report::{csv, pages, visuals};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub(crate) struct CapacityArgs {
    /// Scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// A resource: PATH[=COST][:MIN..MAX], e.g.
    /// "stations.pick.shifts[0].servers=1.2:20..200" (repeatable; cost 1
    /// and bounds 0..10000 by default).
    #[arg(
        long = "resource",
        value_name = "PATH[=COST][:MIN..MAX]",
        required = true
    )]
    resources: Vec<String>,
    /// A target: KPI<=X or KPI>=X (repeatable), e.g. peak_day_backlog_at_end<=20000.
    #[arg(long = "target", value_name = "KPI<=X", required = true)]
    targets: Vec<String>,
    /// Share of replications in which each target must hold.
    #[arg(long, default_value_t = 0.95)]
    probability: f64,
    /// Fresh replications for the confirmation.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    confirm_replications: u64,
    /// Most plans the search may run.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_evaluations: u64,
    #[command(flatten)]
    common: Common,
}

pub(crate) fn capacity_command(args: &CapacityArgs) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    stoppable();
    if args.common.replications == 0 {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    if !(args.probability > 0.0 && args.probability <= 1.0) {
        return Err(invalid(format!(
            "--probability: must be above 0 and at most 1, got {}",
            args.probability
        )));
    }
    let (scenario, model) = load(&args.scenario)?;
    let resources = args
        .resources
        .iter()
        .map(|r| Resource::parse(r).map_err(|e| invalid(format!("--{e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let catalogue = KpiCatalogue::for_model(&model);
    let targets = args
        .targets
        .iter()
        .map(|t| {
            let t = ServiceTarget::parse(t).map_err(invalid)?;
            catalogue.kpi_for("--target", &t.kpi).map_err(invalid)?;
            Ok(t)
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    args.common.check_outputs()?;
    let mut options = CapacityOptions::new();
    options.probability = args.probability;
    options.seed = Seed(args.common.seed);
    options.replications = args.common.replications;
    options.confirm_replications = args.confirm_replications;
    options.max_evaluations = args.max_evaluations as usize;
    let bar = Progress::counting(0, "plans", "", args.common.quiet, Duration::ZERO);
    let search = capacity(
        &scenario,
        &resources,
        &targets,
        &options,
        &INTERRUPTED,
        &|| bar.tick(),
    )
    .map_err(|e| study_failure(e, "the first plan finished"))?;
    bar.finish();
    let setup = Setup::new(
        &model,
        options.seed,
        &Replications::first(options.replications),
    );
    let mut doc = CapacityReport::new(args.scenario.display().to_string(), setup, search);
    doc.flags = labelled_flags("the scenario as given", &model);
    output(
        &args.common,
        &doc,
        doc.partial,
        || csv::capacity_files(&doc),
        || visuals::capacity_visuals(&doc),
        |v| pages::capacity_html(&doc, &model, v, &provenance()),
        || doc.to_text(),
    )?;
    if doc.partial && crate::common::INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(failure(
            SIGNALLED,
            "interrupted: the search above was cut short; it is marked partial",
        ));
    }
    Ok(())
}
