//! `cbec-sim run` and `cbec-sim merge`: replications summarised as a KPI
//! table, JSON and CSV.

use crate::common::{
    Failure, MeasureSource, chosen_measures, failed, invalid, parse_range, run_experiment,
    run_with_bar, set_threads, write_atomically, write_file,
};
use crate::visuals;
use cbec_sim::experiment::{
    Experiment, KpiEstimate, Precision, Replications, Seed, ShardResult, StopDecision,
    growing_backlog, planner_kpi_names, suggest_warmup,
};
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
    /// Read measures from this file instead of the built-in ones.
    #[arg(long = "measures-file", value_name = "FILE")]
    measures_file: Option<PathBuf>,
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

pub(crate) fn run(args: RunArgs) -> Result<(), Failure> {
    set_threads(args.threads)?;
    crate::common::catch_interrupts();
    let mut scenario = Scenario::from_path(&args.scenario).map_err(invalid)?;
    if !args.measures.is_empty() {
        let chosen = chosen_measures(
            &args.measures,
            &MeasureSource {
                measures_file: args.measures_file.clone(),
            },
        )?;
        scenario = scenario
            .with_measures(&chosen)
            .map_err(|e| invalid(format!("{}: {e}", args.scenario.display())))?;
    }
    let mut model = scenario
        .build()
        .map_err(|e| invalid(format!("{}: {e}", args.scenario.display())))?;
    crate::explain::warn_before_run(&model);
    let mut warmup_note = None;
    if let Some(w) = &args.warmup {
        let warmup = if w == "auto" {
            let chosen = suggest_warmup(&model, Seed(args.seed), 10).map_err(invalid)?;
            warmup_note = Some(match chosen {
                Some(t) => format!("warm-up chosen by MSER-5: {:.2} h", t.hours()),
                None => "MSER-5 found no warm-up in the first half of the horizon; none deleted"
                    .to_string(),
            });
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
    let (shard, decision) = if let Some(p) = &args.precision {
        let (kpi, rel) = p
            .split_once('=')
            .ok_or_else(|| invalid(format!("--precision: must be KPI=REL, got \"{p}\"")))?;
        let relative: f64 = rel
            .parse()
            .map_err(|_| invalid(format!("--precision: REL must be a number, got \"{rel}\"")))?;
        let rule = Precision::new(kpi, relative)
            .with_initial(10.min(args.max_replications).max(2))
            .with_batch(10);
        let result = Experiment::new(&model)
            .with_seed(Seed(args.seed))
            .with_replications(Replications::first(args.max_replications))
            .with_precision(rule)
            .run()
            .map_err(invalid)?;
        (result.shard, result.precision)
    } else {
        let range = match &args.shard {
            Some(text) => parse_range(text)?,
            None => 0..args.replications,
        };
        if args.plot.is_some() || args.report.is_some() {
            // Charts need every run's summary, not only the KPI rows.
            let result = run_experiment(
                &model,
                args.seed,
                range.clone(),
                args.quiet,
                "replications",
                None,
                true,
            )?;
            let (shard, runs) = (result.shard, result.summaries);
            visuals::write_visuals(
                args.plot.as_deref(),
                args.report.as_deref(),
                || visuals::run_visuals(&scenario, &runs),
                |v| visuals::run_report(&args.scenario, &args.measures, &model, &shard, v),
            )?;
            (shard, None)
        } else {
            (run_with_bar(&model, args.seed, range, args.quiet)?, None)
        }
    };
    let requested = match &args.shard {
        Some(text) => parse_range(text)?.end,
        None => args.replications,
    };
    let partial = decision.is_none() && shard.end < requested;
    if let Some(out) = &args.out {
        write_file(out, &shard.to_json().map_err(failed)?)?;
    }
    let planner = scenario
        .report
        .as_ref()
        .filter(|_| !args.all)
        .map(|spec| planner_kpi_names(spec, scenario.tax.is_some()));
    report(
        &shard,
        &Header {
            scenario: Some(&args.scenario),
            measures: &args.measures,
            decision: decision.as_ref(),
            warmup_note: warmup_note.as_deref(),
            planner: planner.as_deref(),
            partial,
        },
        args.json,
        args.csv.as_deref(),
    )?;
    if partial {
        return Err(Failure {
            code: 130,
            message: format!(
                "interrupted: the results above cover replications {}..{} of {}; they are marked partial",
                shard.start, shard.end, requested
            ),
        });
    }
    Ok(())
}

pub(crate) fn merge(args: MergeArgs) -> Result<(), Failure> {
    let merged = ShardResult::merge_files(&args.files).map_err(invalid)?;
    report(
        &merged,
        &Header {
            scenario: None,
            measures: &[],
            decision: None,
            warmup_note: None,
            planner: None,
            partial: false,
        },
        args.json,
        args.csv.as_deref(),
    )
}

/// What the summary says about how it was made.
pub(crate) struct Header<'a> {
    scenario: Option<&'a Path>,
    measures: &'a [String],
    decision: Option<&'a StopDecision>,
    warmup_note: Option<&'a str>,
    /// The planner KPI names, if the table shows only those.
    planner: Option<&'a [String]>,
    /// Whether the run was interrupted before all replications finished.
    partial: bool,
}

pub(crate) fn report(
    shard: &ShardResult,
    header: &Header<'_>,
    json: bool,
    csv_dir: Option<&Path>,
) -> Result<(), Failure> {
    let Header {
        scenario,
        measures,
        decision,
        warmup_note,
        planner,
        partial,
    } = *header;
    let estimates = shard.estimates();
    if let Some(dir) = csv_dir {
        write_csv(dir, shard, &estimates).map_err(|e| failed(format!("{}: {e}", dir.display())))?;
    }
    if json {
        let doc = serde_json::json!({
            "schema": "cbec-sim/summary/1",
            "scenario": scenario.map(|p| p.display().to_string()),
            "measures": measures,
            "seed": shard.seed,
            "replications": { "start": shard.start, "end": shard.end },
            "precision": decision.map(|d| serde_json::json!({ "target_met": d.target_met, "watched": d.watched })),
            "warmup": warmup_note,
            "kpis": estimates,
            "pooled": pooled(shard),
            "partial": partial,
            "flags": growing_backlog(&estimates).into_iter().collect::<Vec<_>>(),
        });
        out!("{}", serde_json::to_string_pretty(&doc).map_err(failed)?);
        return Ok(());
    }
    if partial {
        out!("PARTIAL RESULTS: the run was interrupted; only the replications below finished");
    }
    if let Some(p) = scenario {
        out!("scenario: {}", p.display());
    }
    if !measures.is_empty() {
        out!("measures: {}", measures.join(" + "));
    }
    out!(
        "replications {}..{} (seed {}); 95% confidence intervals over replications",
        shard.start,
        shard.end,
        shard.seed
    );
    if let Some(note) = warmup_note {
        out!("{note}");
    }
    if let Some(d) = decision {
        out!(
            "precision target {} after {} replications",
            if d.target_met { "met" } else { "NOT met" },
            d.replications
        );
    }
    out!();
    out!(
        "{:<44} {:>14} {:>12} {:>12} {:>12}",
        "KPI",
        "mean",
        "± 95% CI",
        "min",
        "max"
    );
    let num = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |x| format!("{x:.4}"));
    let shown: Vec<&KpiEstimate> = match planner {
        Some(names) => estimates
            .iter()
            .filter(|e| names.contains(&e.name))
            .collect(),
        None => estimates.iter().collect(),
    };
    for e in &shown {
        out!(
            "{:<44} {:>14} {:>12} {:>12} {:>12}",
            e.name,
            num(e.mean),
            num(e.half_width_95),
            num(e.min),
            num(e.max)
        );
    }
    if let Some(flag) = growing_backlog(&estimates) {
        out!("warning: {flag}");
    }
    if shown.len() < estimates.len() {
        out!(
            "({} more KPIs per station, dispatch point, interval and sink: --all, --json or --csv DIR)",
            estimates.len() - shown.len()
        );
    }
    let p = |q: f64| num(shard.time_in_system.quantile(q).map(|t| t.minutes()));
    out!();
    out!(
        "time in system over all {} orders of all replications (pooled): p50 {} min, p95 {} min, p99 {} min",
        shard.time_in_system.count(),
        p(0.5),
        p(0.95),
        p(0.99)
    );
    Ok(())
}

/// Quantiles of the time in system over every order of every replication,
/// from the merged histograms (within 1%), in minutes.
pub(crate) fn pooled(shard: &ShardResult) -> serde_json::Value {
    let q = |p: f64| shard.time_in_system.quantile(p).map(|t| t.minutes());
    serde_json::json!({
        "orders": shard.time_in_system.count(),
        "time_in_system_p50_min": q(0.5),
        "time_in_system_p95_min": q(0.95),
        "time_in_system_p99_min": q(0.99),
    })
}

pub(crate) fn write_csv(
    dir: &Path,
    shard: &ShardResult,
    estimates: &[KpiEstimate],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let cell = |v: Option<f64>| v.map_or_else(String::new, |x| x.to_string());
    let mut summary = csv::Writer::from_writer(Vec::new());
    summary.write_record(["kpi", "n", "mean", "std_dev", "half_width_95", "min", "max"])?;
    for e in estimates {
        summary.write_record([
            e.name.clone(),
            e.n.to_string(),
            cell(e.mean),
            cell(e.std_dev),
            cell(e.half_width_95),
            cell(e.min),
            cell(e.max),
        ])?;
    }
    let mut rows = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["replication".to_string()];
    header.extend(shard.kpis.iter().cloned());
    rows.write_record(&header)?;
    for (i, row) in shard.rows.iter().enumerate() {
        let mut record = vec![(shard.start + i as u64).to_string()];
        record.extend(row.iter().map(|v| cell(*v)));
        rows.write_record(&record)?;
    }
    let text = |w: csv::Writer<Vec<u8>>| {
        String::from_utf8(w.into_inner().map_err(|e| e.into_error())?)
            .map_err(std::io::Error::other)
    };
    write_atomically(&dir.join("summary.csv"), &text(summary)?)?;
    write_atomically(&dir.join("replications.csv"), &text(rows)?)
}
