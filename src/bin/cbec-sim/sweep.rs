//! `cbec-sim sweep`: one parameter over a list or a range of values, on
//! common random numbers; a capacity or demand curve and where a target
//! breaks (the [`SweepReport`] document).

use crate::common::{
    Common, Failure, INTERRUPTED, Progress, excerpt, invalid, labelled_flags, load, output,
    partial_failure, provenance, set_threads, show, stoppable, study_failure,
};
use cbec_sim::experiment::{
    KpiCatalogue, Replications, Seed, Target, result_flags, sweep_with_stop,
};
use cbec_sim::report::document::{Setup, SweepReport, headline_kpi};
use cbec_sim::report::{csv, pages, visuals};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("points").required(true).args(["values", "range"])))]
pub(crate) struct SweepArgs {
    /// Scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// The parameter, by its path in the scenario (as in a measure's patch),
    /// e.g. stations.manual_review.shifts[0].servers.
    #[arg(long)]
    param: String,
    /// The values, comma-separated: 4,6,8,10.
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    values: Vec<f64>,
    /// The values as FROM..TO:STEP (TO included): 4..12:2.
    #[arg(long)]
    range: Option<String>,
    /// A target on a KPI's mean: KPI<=X or KPI>=X, e.g. clearance_p95_min<=60.
    #[arg(long)]
    target: Option<String>,
    /// The KPI on the curve (default: the target's, else lead_time_p95_h or the
    /// network's mean time in system).
    #[arg(long)]
    kpi: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The values of `FROM..TO:STEP`, `TO` included.
fn parse_values(text: &str) -> Result<Vec<f64>, Failure> {
    let bad = || {
        invalid(format!(
            "--range: must be FROM..TO:STEP with STEP > 0, FROM <= TO and at most 10,000 values, got \"{}\"",
            excerpt(text)
        ))
    };
    let (span, step) = text.split_once(':').ok_or_else(bad)?;
    let (a, b) = span.split_once("..").ok_or_else(bad)?;
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let (a, b, step) = (
        num(a).ok_or_else(bad)?,
        num(b).ok_or_else(bad)?,
        num(step).ok_or_else(bad)?,
    );
    if step <= 0.0 || a > b || (b - a) / step > 10_000.0 {
        return Err(bad());
    }
    let n = ((b - a) / step + 1e-9).floor() as usize;
    Ok((0..=n).map(|i| a + step * i as f64).collect())
}

pub(crate) fn sweep_command(args: &SweepArgs) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    stoppable();
    if args.common.replications == 0 {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    let (base, model) = load(&args.scenario)?;
    let values = match &args.range {
        Some(r) => parse_values(r)?,
        None => args.values.clone(),
    };
    let target = args
        .target
        .as_deref()
        .map(Target::parse)
        .transpose()
        .map_err(invalid)?;
    let kpi = match (&args.kpi, &target) {
        (Some(k), _) => k.clone(),
        (None, Some((k, _))) => k.clone(),
        (None, None) => headline_kpi(&base).to_string(),
    };
    if let (Some(k), Some((tk, _))) = (&args.kpi, &target)
        && k != tk
    {
        return Err(invalid(format!(
            "--kpi {k} and --target on {tk}: the target must be on the swept KPI"
        )));
    }
    KpiCatalogue::for_model(&model)
        .kpi_for(
            if args.kpi.is_some() {
                "--kpi"
            } else {
                "--target"
            },
            &kpi,
        )
        .map_err(invalid)?;
    // Check every value builds before running any, keeping its warnings.
    let mut flags = Vec::new();
    for v in &values {
        let m = base
            .with_value(&args.param, *v)
            .and_then(|s| s.build())
            .map_err(|e| invalid(format!("--param {} = {}: {e}", args.param, show(*v))))?;
        flags.extend(labelled_flags(
            &format!("{} = {}", args.param, show(*v)),
            &m,
        ));
    }
    args.common.check_outputs()?;
    let bar = Progress::new(values.len() as u64, "", args.common.quiet, Duration::ZERO);
    let reps = Replications::first(args.common.replications);
    let seed = Seed(args.common.seed);
    let curve = sweep_with_stop(
        &values,
        |v| {
            bar.tick();
            base.with_value(&args.param, v)?.build()
        },
        &kpi,
        target.map(|t| t.1),
        seed,
        reps.clone(),
        &INTERRUPTED,
    )
    .map_err(|e| study_failure(e, "the first value finished"))?;
    bar.finish();
    let setup = Setup::new(&model, seed, &reps);
    let mut doc = SweepReport::new(
        args.scenario.display().to_string(),
        &args.param,
        setup,
        &curve,
    );
    // What each value's results say (a growing backlog, lead times that
    // are lower bounds, quantiles that mislead), after its model's warnings.
    for p in &curve.points {
        flags.extend(
            result_flags(&p.all)
                .into_iter()
                .map(|w| format!("{} = {}: {w}", args.param, show(p.value))),
        );
    }
    doc.flags = flags;
    output(
        &args.common,
        &doc,
        doc.partial,
        || csv::sweep_files(&doc),
        || visuals::sweep_visuals(&doc),
        |v| pages::sweep_html(&doc, &model, v, &provenance()),
        || doc.to_text(),
    )?;
    if doc.partial {
        return Err(partial_failure(format!(
            "{} of {} values",
            doc.sweep.points.len(),
            values.len()
        )));
    }
    Ok(())
}
