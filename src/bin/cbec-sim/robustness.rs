//! `cbec-sim robustness`: each measure's effect across Latin-hypercube
//! draws of the ranged assumptions, on common random numbers within a draw
//! (the [`RobustnessReport`] document).

use crate::common::{
    Common, Failure, INTERRUPTED, MeasureSource, Progress, checked_assumptions, excerpt, invalid,
    labelled_flags, load, load_measures, on_measure_flag, output, partial_failure, provenance,
    set_threads, stoppable, study_failure,
};
use cbec_sim::Scenario;
use cbec_sim::experiment::{
    KpiCatalogue, Replications, RobustnessOptions, Seed, headline_kpis, robustness,
};
use cbec_sim::report::document::{RobustnessReport, Setup};
use cbec_sim::report::{csv, pages, visuals};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["measures", "all_measures"])))]
pub(crate) struct RobustnessArgs {
    /// Baseline scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// A variant: the baseline with this measure (repeatable; `a+b` applies both).
    #[arg(long = "measure", value_name = "NAME")]
    measures: Vec<String>,
    /// One variant per measure, and one with every policy measure together.
    #[arg(long)]
    all_measures: bool,
    #[command(flatten)]
    source: MeasureSource,
    /// Assumption ranges (default: `<scenario>.assumptions.toml` beside it).
    #[arg(long, value_name = "FILE")]
    assumptions: Option<PathBuf>,
    /// Latin-hypercube draws of the assumptions.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(2..=100_000))]
    draws: u32,
    /// A KPI to report (repeatable; default: the headline KPIs).
    #[arg(long = "kpi", value_name = "KPI")]
    kpis: Vec<String>,
    /// KPI=X: also count the draws whose effect is at least X (X > 0) or at
    /// most X (X < 0), e.g. lead_time_p95_h=-0.5 (repeatable).
    #[arg(long = "threshold", value_name = "KPI=X")]
    thresholds: Vec<String>,
    #[command(flatten)]
    common: Common,
}

/// `KPI=X` with a finite X.
fn parse_threshold(text: &str) -> Result<(String, f64), Failure> {
    let bad = || {
        invalid(format!(
            "--threshold: must be KPI=X with a finite number X, got \"{}\"",
            excerpt(text)
        ))
    };
    let (k, x) = text.split_once('=').ok_or_else(bad)?;
    let x: f64 = x.trim().parse().map_err(|_| bad())?;
    if !x.is_finite() || k.trim().is_empty() {
        return Err(bad());
    }
    Ok((k.trim().to_string(), x))
}

pub(crate) fn robustness_command(args: &RobustnessArgs) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    stoppable();
    if args.common.replications < 2 {
        return Err(invalid(format!(
            "--replications: must be at least 2 (a paired interval needs two), got {}",
            args.common.replications
        )));
    }
    let (scenario, model) = load(&args.scenario)?;
    let (file, ranges, _) =
        checked_assumptions(&args.scenario, args.assumptions.as_deref(), &scenario)?;
    let available = load_measures(args.source.measures_file.as_deref())?;
    let variants = Scenario::measure_sets(&available, &args.measures, args.all_measures)
        .map_err(|e| invalid(on_measure_flag(e)))?;
    let catalogue = KpiCatalogue::for_model(&model);
    let kpis = if args.kpis.is_empty() {
        headline_kpis(catalogue.names())
    } else {
        for k in &args.kpis {
            catalogue.kpi_for("--kpi", k).map_err(invalid)?;
        }
        args.kpis.clone()
    };
    let thresholds = args
        .thresholds
        .iter()
        .map(|t| parse_threshold(t))
        .collect::<Result<Vec<_>, _>>()?;
    for (k, _) in &thresholds {
        catalogue.kpi_for("--threshold", k).map_err(invalid)?;
        if !kpis.contains(k) {
            return Err(invalid(format!(
                "--threshold {k}: that KPI is not reported; add --kpi {k}"
            )));
        }
    }
    args.common.check_outputs()?;
    let mut options = RobustnessOptions::new(kpis);
    options.draws = args.draws as usize;
    options.thresholds = thresholds;
    options.seed = Seed(args.common.seed);
    options.replications = Replications::first(args.common.replications);
    let bar = Progress::counting(
        u64::from(args.draws),
        "draws",
        "",
        args.common.quiet,
        Duration::ZERO,
    );
    let study = robustness(
        &scenario,
        &ranges,
        &variants,
        &options,
        &INTERRUPTED,
        &|| bar.tick(),
    )
    .map_err(|e| study_failure(e, "two draws finished"))?;
    bar.finish();
    let setup = Setup::new(&model, options.seed, &options.replications);
    let mut doc = RobustnessReport::new(
        args.scenario.display().to_string(),
        file.display().to_string(),
        setup,
        study,
    );
    // At the scenario's own values: the baseline's and each variant's warnings.
    doc.flags = labelled_flags("baseline", &model);
    for (name, set) in &variants {
        let m = scenario
            .with_measures(set)
            .and_then(|s| s.build())
            .map_err(|e| invalid(format!("{name}: {e}")))?;
        doc.flags.extend(labelled_flags(name, &m));
    }
    output(
        &args.common,
        &doc,
        doc.partial,
        || csv::robustness_files(&doc),
        || visuals::robustness_visuals(&doc),
        |v| pages::robustness_html(&doc, &model, v, &provenance()),
        || doc.to_text(),
    )?;
    if doc.partial {
        return Err(partial_failure(format!(
            "{} draws of {}",
            doc.study.values.len(),
            args.draws
        )));
    }
    Ok(())
}
