//! `cbec-sim run` and `cbec-sim merge`: replications summarised as a KPI
//! table, JSON and CSV (the [`RunReport`] document).

use crate::common::{
    Failure, MeasureSource, RunOptions, check_outputs, chosen_measures, excerpt, failed, invalid,
    measure_words, parse_range, partial_failure, print, provenance, run_experiment, set_threads,
    show, stoppable, whole_number, write_csv, write_file, write_visuals,
};
use crate::trace::TraceArgs;
use cbec_sim::experiment::{
    KpiCatalogue, Precision, Replications, Seed, ShardResult, planner_kpi_names, startup_check,
    suggest_warmup,
};
use cbec_sim::report::document::{Document, RunReport, Setup};
use cbec_sim::report::{ChartData, csv, describe, pages, visuals};
use cbec_sim::{Model, Scenario, SimTime};
use std::path::{Path, PathBuf};

/// Options of `cbec-sim run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// Scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// Apply this measure (repeatable, applied in order); see `cbec-sim measures`.
    #[arg(long = "measure", value_name = "NAME")]
    measures: Vec<String>,
    #[command(flatten)]
    source: MeasureSource,
    /// Print every KPI in the table, not only the planner KPIs.
    #[arg(long)]
    all: bool,
    /// Number of replications.
    #[arg(long, short = 'n', default_value_t = 10, conflicts_with = "precision", allow_negative_numbers = true, value_parser = whole_number)]
    replications: u64,
    /// Run until a KPI is precise enough: KPI=REL, e.g. review.wait_mean_min=0.05 (±5%).
    #[arg(long)]
    precision: Option<String>,
    /// Most replications with --precision.
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true, value_parser = whole_number)]
    max_replications: u64,
    /// Master seed.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = whole_number)]
    seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long, allow_negative_numbers = true, value_parser = crate::common::thread_count)]
    threads: Option<usize>,
    /// Warm-up in hours, or `auto` (MSER-5 on 10 pilot replications); default: the scenario's.
    #[arg(long, allow_negative_numbers = true)]
    warmup: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write summary.csv and replications.csv into this folder.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Run only replications A..B (a shard); needs --out.
    #[arg(long, requires = "out")]
    shard: Option<String>,
    /// Where to write the shard file.
    #[arg(long, requires = "shard")]
    out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Also write SVG charts into this folder.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
    /// Also write a self-contained HTML report (tables and charts) to this file.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    /// Run the replications again with the pre-roll doubled and check that
    /// no headline KPI moves beyond its interval (start-up bias).
    #[arg(long, conflicts_with_all = ["shard", "precision"])]
    check_startup: bool,
    #[command(flatten)]
    trace: TraceArgs,
}

/// Options of `cbec-sim merge`.
#[derive(Debug, clap::Args)]
pub(crate) struct MergeArgs {
    /// Shard files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write summary.csv and replications.csv into this folder.
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// The stopping rule of `--precision KPI=REL`, its KPI checked against
/// what `model` offers before anything runs.
fn precision_rule(text: &str, max: u64, model: &Model) -> Result<Precision, Failure> {
    let (kpi, rel) = text.split_once('=').ok_or_else(|| {
        invalid(format!(
            "--precision: must be KPI=REL (review.wait_mean_min=0.05 for ±5%), got \"{}\"",
            excerpt(text)
        ))
    })?;
    let relative = rel
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|r| r.is_finite() && *r > 0.0)
        .ok_or_else(|| {
            invalid(format!(
                "--precision: REL must be a number above 0 (0.05 for ±5%), got \"{}\"",
                excerpt(rel)
            ))
        })?;
    if max < 2 {
        return Err(invalid(format!(
            "--max-replications: must be at least 2 (a confidence interval needs two replications), got {max}"
        )));
    }
    KpiCatalogue::for_model(model)
        .kpi_for("--precision", kpi.trim())
        .map_err(invalid)?;
    Ok(Precision::new(kpi.trim(), relative)
        .with_initial(10.min(max).max(2))
        .with_batch(10))
}

/// `--warmup HOURS` as a time within the model's horizon.
fn warmup_hours(text: &str, model: &Model) -> Result<SimTime, Failure> {
    let h = text
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h >= 0.0)
        .ok_or_else(|| {
            invalid(format!(
                "--warmup: must be a number of hours from 0, or \"auto\", got \"{}\"",
                excerpt(text)
            ))
        })?;
    if let Some(horizon) = model.horizon()
        && h >= horizon.hours()
    {
        return Err(invalid(format!(
            "--warmup: must be shorter than the scenario's horizon of {} h, got {} h",
            show(horizon.hours()),
            show(h)
        )));
    }
    Ok(SimTime::from_hours(h))
}

pub(crate) fn run(args: RunArgs) -> Result<(), Failure> {
    set_threads(args.threads)?;
    stoppable();
    let mut scenario = Scenario::from_path(&args.scenario).map_err(invalid)?;
    let in_file = |e: cbec_sim::Error| invalid(format!("{}: {e}", args.scenario.display()));
    let mut changes = Vec::new();
    if !args.measures.is_empty() {
        let chosen = chosen_measures(&args.measures, &args.source)?;
        changes = chosen
            .iter()
            .map(|m| (m.name.clone(), measure_words(std::slice::from_ref(m))))
            .collect();
        scenario = scenario.with_measures(&chosen).map_err(in_file)?;
    }
    let mut model = scenario.build().map_err(in_file)?;
    if args.replications == 0 {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    let requested = match (&args.shard, &args.precision) {
        (Some(text), _) => parse_range(text)?,
        (None, Some(_)) => 0..args.max_replications,
        (None, None) => 0..args.replications,
    };
    let rule = args
        .precision
        .as_deref()
        .map(|p| precision_rule(p, args.max_replications, &model))
        .transpose()?;
    check_outputs(
        args.csv.as_deref(),
        args.plot.as_deref(),
        args.report.as_deref(),
        args.out.as_deref(),
    )?;
    let trace = args.trace.plan(&requested)?;
    for w in describe::pre_run_warnings(&model) {
        eprintln!("{w}");
    }
    let mut warmup_note = None;
    if let Some(w) = &args.warmup {
        let warmup = if w == "auto" {
            let chosen = suggest_warmup(&model, Seed(args.seed), 10).map_err(invalid)?;
            warmup_note = Some(RunReport::auto_warmup_note(chosen));
            chosen.unwrap_or(SimTime::ZERO)
        } else {
            warmup_hours(w, &model)?
        };
        model = model
            .with_run_length(model.horizon(), warmup)
            .map_err(|e| invalid(format!("--warmup {}: {e}", excerpt(w))))?;
    }
    // Charts need more than the KPI rows: each run is folded into them.
    let mut charts = (args.plot.is_some() || args.report.is_some())
        .then(|| ChartData::new(&scenario).with_calendar(*model.calendar()));
    let options = RunOptions {
        quiet: args.quiet,
        charts: charts.as_mut(),
        precision: rule,
        ..RunOptions::default()
    };
    let result = run_experiment(&model, args.seed, requested.clone(), options)?;
    let partial = result.interrupted();
    let decision = result.precision.clone();
    let shard = result.shard;
    let done = Replications::new(shard.start..shard.end).unwrap_or_else(|_| Replications::first(0));
    let mut doc = RunReport::of_model(&shard, &model);
    doc.scenario = Some(args.scenario.display().to_string());
    doc.measures.clone_from(&args.measures);
    doc.warmup.clone_from(&warmup_note);
    doc.precision = decision.as_ref().map(Into::into);
    doc.partial |= partial;
    if args.check_startup && !partial {
        if !args.quiet {
            eprintln!("start-up check: the same replications with the pre-roll doubled...");
        }
        let check = startup_check(&model, Seed(args.seed), done.clone()).map_err(in_file)?;
        doc.set_startup_check(check);
    }
    let visuals = write_visuals(
        args.plot.as_deref(),
        args.report.as_deref(),
        || match &charts {
            Some(c) => visuals::run_visuals(c),
            None => Ok(visuals::Visuals::new()),
        },
        |v| pages::run_html(&doc, &model, &changes, v, &provenance()),
    );
    let out = match &args.out {
        Some(out) => shard
            .to_json()
            .map_err(failed)
            .and_then(|json| write_file(out, &json)),
        None => Ok(()),
    };
    let planner = scenario
        .report
        .as_ref()
        .filter(|_| !args.all)
        .map(|spec| planner_kpi_names(spec, scenario.tax.is_some()));
    report(
        &doc,
        &shard,
        planner.as_deref(),
        args.json,
        args.csv.as_deref(),
    )?;
    let traced = match &trace {
        Some(_) if partial => {
            eprintln!("trace: not written, the run was interrupted");
            Ok(true)
        }
        Some(plan) => plan
            .check_ran(&(shard.start..shard.end))
            .and_then(|()| plan.write(&model, args.seed, args.quiet)),
        None => Ok(true),
    };
    let traced_all = visuals.and(out).and(traced)?;
    if !traced_all {
        return Err(crate::common::failure(
            crate::common::SIGNALLED,
            "interrupted while tracing: the results above are whole; the trace files hold only the replications named above",
        ));
    }
    if partial {
        return Err(partial_failure(format!(
            "{} of replications {}..{}",
            shard.finished(),
            requested.start,
            requested.end
        )));
    }
    Ok(())
}

pub(crate) fn merge(args: MergeArgs) -> Result<(), Failure> {
    check_outputs(args.csv.as_deref(), None, None, None)?;
    let merged = ShardResult::merge_files(&args.files).map_err(invalid)?;
    let done = Replications::new(merged.start..merged.end).map_err(invalid)?;
    let setup = Setup::without_model(Seed(merged.seed), &done);
    let doc = RunReport::new(&merged, setup);
    if doc.partial {
        eprintln!(
            "warning: {} of replications {}..{} are missing (an interrupted shard); the results are marked partial",
            done.len() - merged.finished(),
            merged.start,
            merged.end
        );
    }
    report(&doc, &merged, None, args.json, args.csv.as_deref())
}

/// Writes the CSV files (marked partial as the document is), then prints
/// the document as JSON or text (only the `planner` KPIs in the table, if
/// given), even if the files could not be written.
fn report(
    doc: &RunReport,
    shard: &ShardResult,
    planner: Option<&[String]>,
    json: bool,
    csv_dir: Option<&Path>,
) -> Result<(), Failure> {
    let written = write_csv(csv_dir, doc.partial, || csv::run_files(doc, shard));
    print(&if json {
        doc.to_json() + "\n"
    } else {
        doc.to_text(planner)
    })?;
    written
}
