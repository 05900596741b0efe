//! `cbec-sim run` and `cbec-sim merge`: replications summarised as a KPI
//! table, JSON and CSV (the [`RunReport`] document).

use crate::common::{
    Failure, MeasureSource, chosen_measures, failed, failure, invalid, parse_range, print,
    run_experiment, set_threads, write_csv, write_file, write_visuals,
};
use cbec_sim::experiment::{
    Experiment, Precision, Replications, Seed, ShardResult, planner_kpi_names, suggest_warmup,
};
use cbec_sim::report::document::{Document, RunReport, Setup};
use cbec_sim::report::{csv, describe, visuals};
use cbec_sim::{Scenario, SimTime};
use std::path::{Path, PathBuf};

/// Options of `cbec-sim run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Apply this measure (repeatable, applied in order); see `cbec-sim measures`.
    #[arg(long = "measure", value_name = "NAME")]
    measures: Vec<String>,
    #[command(flatten)]
    source: MeasureSource,
    /// Print every KPI in the table, not only the planner KPIs.
    #[arg(long)]
    all: bool,
    /// Number of replications.
    #[arg(long, short = 'n', default_value_t = 10, conflicts_with = "precision")]
    replications: u64,
    /// Run until a KPI is precise enough: KPI=REL, e.g. review.wait_mean_min=0.05 (±5%).
    #[arg(long)]
    precision: Option<String>,
    /// Most replications with --precision.
    #[arg(long, default_value_t = 1000)]
    max_replications: u64,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Warm-up in hours, or `auto` (MSER-5 on 10 pilot replications); default: the scenario's.
    #[arg(long)]
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

/// The stopping rule of `--precision KPI=REL`.
fn precision_rule(text: &str, max: u64) -> Result<Precision, Failure> {
    let (kpi, rel) = text
        .split_once('=')
        .ok_or_else(|| invalid(format!("--precision: must be KPI=REL, got \"{text}\"")))?;
    let relative: f64 = rel
        .parse()
        .map_err(|_| invalid(format!("--precision: REL must be a number, got \"{rel}\"")))?;
    Ok(Precision::new(kpi, relative)
        .with_initial(10.min(max).max(2))
        .with_batch(10))
}

pub(crate) fn run(args: RunArgs) -> Result<(), Failure> {
    set_threads(args.threads)?;
    crate::common::catch_interrupts();
    let mut scenario = Scenario::from_path(&args.scenario).map_err(invalid)?;
    let in_file = |e: cbec_sim::Error| invalid(format!("{}: {e}", args.scenario.display()));
    if !args.measures.is_empty() {
        let chosen = chosen_measures(&args.measures, &args.source)?;
        scenario = scenario.with_measures(&chosen).map_err(in_file)?;
    }
    let mut model = scenario.build().map_err(in_file)?;
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
            let h: f64 = w.parse().map_err(|_| {
                invalid(format!("--warmup: must be hours or \"auto\", got \"{w}\""))
            })?;
            SimTime::from_hours(h)
        };
        model = model
            .with_run_length(model.horizon(), warmup)
            .map_err(invalid)?;
    }
    if args.replications == 0 {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    let requested = match &args.shard {
        Some(text) => parse_range(text)?,
        None => 0..args.replications,
    };
    let scenario_name = args.scenario.display().to_string();
    let document = |shard: &ShardResult| {
        let done =
            Replications::new(shard.start..shard.end).unwrap_or_else(|_| Replications::first(0));
        let mut doc = RunReport::new(shard, Setup::new(&model, Seed(shard.seed), &done));
        doc.scenario = Some(scenario_name.clone());
        doc.measures.clone_from(&args.measures);
        doc.warmup.clone_from(&warmup_note);
        doc
    };
    let (shard, decision) = if let Some(p) = &args.precision {
        let rule = precision_rule(p, args.max_replications)?;
        let result = Experiment::new(&model)
            .with_seed(Seed(args.seed))
            .with_replications(Replications::first(args.max_replications))
            .with_precision(rule)
            .run()
            .map_err(invalid)?;
        (result.shard, result.precision)
    } else {
        // Charts need every run's summary, not only the KPI rows.
        let charts = args.plot.is_some() || args.report.is_some();
        let (seed, range) = (args.seed, requested.clone());
        let result = run_experiment(&model, seed, range, "", args.quiet, true, charts)?;
        let (shard, runs) = (result.shard, result.summaries);
        write_visuals(
            args.plot.as_deref(),
            args.report.as_deref(),
            || visuals::run_visuals(&scenario, &runs),
            |v| visuals::run_html(&document(&shard), &model, v),
        )?;
        (shard, None)
    };
    let partial = decision.is_none() && shard.end < requested.end;
    if let Some(out) = &args.out {
        write_file(out, &shard.to_json().map_err(failed)?)?;
    }
    let mut doc = document(&shard);
    doc.precision = decision.as_ref().map(Into::into);
    doc.partial = partial;
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
    if partial {
        return Err(failure(
            130,
            format!(
                "interrupted: the results above cover replications {}..{} of {}; they are marked partial",
                shard.start, shard.end, requested.end
            ),
        ));
    }
    Ok(())
}

pub(crate) fn merge(args: MergeArgs) -> Result<(), Failure> {
    let merged = ShardResult::merge_files(&args.files).map_err(invalid)?;
    let done = Replications::new(merged.start..merged.end).map_err(invalid)?;
    let setup = Setup::without_model(Seed(merged.seed), &done);
    let doc = RunReport::new(&merged, setup);
    report(&doc, &merged, None, args.json, args.csv.as_deref())
}

/// Writes the CSV files, then prints the document as JSON or text (only
/// the `planner` KPIs in the table, if given).
fn report(
    doc: &RunReport,
    shard: &ShardResult,
    planner: Option<&[String]>,
    json: bool,
    csv_dir: Option<&Path>,
) -> Result<(), Failure> {
    write_csv(csv_dir, || csv::run_files(doc, shard))?;
    print(&if json {
        doc.to_json() + "\n"
    } else {
        doc.to_text(planner)
    });
    Ok(())
}
