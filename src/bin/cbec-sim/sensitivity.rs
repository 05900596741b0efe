//! `cbec-sim sensitivity`: which ranged assumptions drive the headline
//! KPIs (Morris screening, then Sobol indices on the top factors), on
//! common random numbers (the [`SensitivityReport`] document).

use crate::common::{
    Common, Failure, INTERRUPTED, Progress, checked_assumptions, invalid, labelled_flags, load,
    output, partial_failure, provenance, set_threads, stoppable, study_failure,
};
use cbec_sim::experiment::sensitivity::{SensitivityOptions, sensitivity};
use cbec_sim::experiment::{KpiCatalogue, Replications, Seed, headline_kpis};
use cbec_sim::report::document::{SensitivityReport, Setup};
use cbec_sim::report::{csv, pages, visuals};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub(crate) struct SensitivityArgs {
    /// Scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// Assumption ranges (default: `<scenario>.assumptions.toml` beside it).
    #[arg(long, value_name = "FILE")]
    assumptions: Option<PathBuf>,
    /// Morris trajectories: each runs (factors + 1) design points.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    trajectories: u32,
    /// Morris grid levels (even).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(2..=100))]
    levels: u32,
    /// Factors that go on to the Sobol stage (0: none).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(0..=128))]
    top: u32,
    /// Base rows of the Sobol stage's Saltelli design: (top + 2) x rows points.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(2..=65_536))]
    sobol_rows: u32,
    /// A KPI to rank the factors for (repeatable; default: the headline KPIs).
    #[arg(long)]
    kpi: Vec<String>,
    /// Replications at the scenario's own values from which the simulation
    /// noise is estimated.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(2..=100_000))]
    noise_replications: u64,
    /// Factors shown per KPI in the text and the charts (the JSON and CSV
    /// hold all).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..))]
    top_rows: u32,
    #[command(flatten)]
    common: Common,
}

pub(crate) fn sensitivity_command(args: &SensitivityArgs) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    stoppable();
    if args.common.replications == 0 {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    if !args.levels.is_multiple_of(2) {
        return Err(invalid(format!(
            "--levels: must be even, got {}",
            args.levels
        )));
    }
    let (scenario, model) = load(&args.scenario)?;
    let (file, ranges, _) =
        checked_assumptions(&args.scenario, args.assumptions.as_deref(), &scenario)?;
    let catalogue = KpiCatalogue::for_model(&model);
    let kpis = if args.kpi.is_empty() {
        headline_kpis(catalogue.names())
    } else {
        for k in &args.kpi {
            catalogue.kpi_for("--kpi", k).map_err(invalid)?;
        }
        args.kpi.clone()
    };
    args.common.check_outputs()?;
    let mut options = SensitivityOptions::new(kpis);
    options.trajectories = args.trajectories as usize;
    options.levels = args.levels as usize;
    options.top = args.top as usize;
    options.sobol_rows = args.sobol_rows as usize;
    options.seed = Seed(args.common.seed);
    options.replications = Replications::first(args.common.replications);
    options.noise_replications = args.noise_replications;
    let total = options.design_points(ranges.len()) as u64;
    let bar = Progress::counting(
        total,
        "design points",
        "",
        args.common.quiet,
        Duration::ZERO,
    );
    let study = sensitivity(&scenario, &ranges, &options, &INTERRUPTED, &|| bar.tick())
        .map_err(|e| study_failure(e, "two trajectories finished"))?;
    bar.finish();
    let setup = Setup::new(&model, options.seed, &options.replications);
    let mut doc = SensitivityReport::new(
        args.scenario.display().to_string(),
        file.display().to_string(),
        options.levels,
        setup,
        study,
    );
    doc.flags = labelled_flags("at the scenario's values", &model);
    let limit = args.top_rows as usize;
    output(
        &args.common,
        &doc,
        doc.partial,
        || csv::sensitivity_files(&doc),
        || visuals::sensitivity_visuals(&doc, limit),
        |v| pages::sensitivity_html(&doc, &model, limit, v, &provenance()),
        || doc.to_text(limit),
    )?;
    if doc.partial {
        return Err(partial_failure(format!(
            "{} trajectories of {}{}",
            doc.study.trajectories,
            options.trajectories,
            if doc.study.kpis.iter().all(|k| k.sobol.is_empty()) && options.top > 0 {
                ", without the Sobol stage"
            } else {
                ""
            }
        )));
    }
    Ok(())
}
