//! The `cbec-sim` command: run a scenario's replications and summarise
//! them, or merge shard files.
//!
//! Exit codes: 0 success, 2 invalid input (with the message), 1 any other
//! failure (writing an output file, say).

use cbec_sim::experiment::{
    KpiEstimate, ShardResult, StopDecision, StoppingRule, planner_kpi_names, run_until,
    suggest_warmup,
};
use cbec_sim::{Measure, Model, Scenario, SimTime};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

/// `println!` that ends the program quietly when stdout is closed (a
/// reader such as `head` has seen enough) instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            panic!("cannot write to stdout: {e}");
        }
    }};
}

/// Cross-border e-commerce clearance simulation.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario's replications and print each KPI with its 95% confidence interval.
    ///
    /// Example: cbec-sim run scenarios/tandem.toml --replications 20 --seed 7
    Run(RunArgs),
    /// Merge shard files written by `run --shard A..B --out FILE` and summarise them.
    ///
    /// Example: cbec-sim merge shard-*.json --json
    Merge(MergeArgs),
    /// List the built-in measures (or those of a file) with their sources and patches.
    ///
    /// Example: cbec-sim measures --file my-measures.toml
    Measures(MeasuresArgs),
}

#[derive(Debug, clap::Args)]
struct MeasuresArgs {
    /// A file of `[[measure]]` tables instead of the built-in ones.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
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
}

#[derive(Debug, clap::Args)]
struct MergeArgs {
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

/// A failure and its exit code.
struct Failure {
    code: u8,
    message: String,
}

fn invalid(message: impl std::fmt::Display) -> Failure {
    Failure {
        code: 2,
        message: message.to_string(),
    }
}

fn failed(message: impl std::fmt::Display) -> Failure {
    Failure {
        code: 1,
        message: message.to_string(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Merge(args) => merge(args),
        Command::Measures(args) => list_measures(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn parse_range(text: &str) -> Result<std::ops::Range<u64>, Failure> {
    let bad = || invalid(format!("--shard: must be A..B with A < B, got \"{text}\""));
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let (a, b): (u64, u64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a >= b {
        return Err(bad());
    }
    Ok(a..b)
}

/// A hidden progress bar; [`run_with_bar`] shows it when the run is long.
fn progress(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} replications, {elapsed} elapsed, about {eta} left",
        )
        .expect("constant template"),
    );
    bar
}

fn run(args: RunArgs) -> Result<(), Failure> {
    if let Some(t) = args.threads {
        if t == 0 {
            return Err(invalid("--threads: must be at least 1, got 0"));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .map_err(failed)?;
    }
    let mut scenario = Scenario::from_path(&args.scenario)
        .map_err(|e| invalid(format!("{}: {e}", args.scenario.display())))?;
    if !args.measures.is_empty() {
        let available = load_measures(args.measures_file.as_deref())?;
        let chosen = args
            .measures
            .iter()
            .map(|name| Measure::find(&available, name))
            .collect::<Result<Vec<&Measure>, _>>()
            .map_err(invalid)?;
        scenario = scenario
            .with_measures(chosen)
            .map_err(|e| invalid(format!("{}: {e}", args.scenario.display())))?;
    }
    let mut model = scenario
        .build()
        .map_err(|e| invalid(format!("{}: {e}", args.scenario.display())))?;
    let mut warmup_note = None;
    if let Some(w) = &args.warmup {
        let warmup = if w == "auto" {
            let chosen = suggest_warmup(&model, args.seed, 10).map_err(invalid)?;
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
        let rule = StoppingRule::Precision {
            kpi: kpi.to_string(),
            relative,
            initial: 10.min(args.max_replications).max(2),
            batch: 10,
            max: args.max_replications,
        };
        let (shard, decision) = run_until(&model, args.seed, &rule).map_err(invalid)?;
        (shard, Some(decision))
    } else {
        let range = match &args.shard {
            Some(text) => parse_range(text)?,
            None => 0..args.replications,
        };
        (run_with_bar(&model, args.seed, range, args.quiet)?, None)
    };
    if let Some(out) = &args.out {
        write_atomically(out, &shard.to_json().map_err(failed)?).map_err(failed)?;
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
        },
        args.json,
        args.csv.as_deref(),
    )
}

/// The built-in measures, or those of `file`.
fn load_measures(file: Option<&Path>) -> Result<Vec<Measure>, Failure> {
    match file {
        Some(f) => Measure::list_from_path(f).map_err(invalid),
        None => Ok(Measure::builtin()),
    }
}

fn list_measures(args: &MeasuresArgs) -> Result<(), Failure> {
    let measures = load_measures(args.file.as_deref())?;
    if args.json {
        let doc: Vec<serde_json::Value> = measures
            .iter()
            .map(|m| {
                serde_json::json!({
                    "name": m.name,
                    "title": m.title,
                    "press_release": m.press_release,
                    "notes": m.notes,
                    "patches": m.patches.iter().map(|p| serde_json::json!({
                        "path": p.path,
                        "change": p.op.to_string(),
                        "assumption": p.assumption,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&doc).map_err(failed)?);
        return Ok(());
    }
    for m in &measures {
        out!("{}: {}", m.name, m.title);
        out!("  press release: \"{}\"", m.press_release);
        if !m.notes.is_empty() {
            out!("  how it is modelled: {}", m.notes);
        }
        for p in &m.patches {
            out!("  - {} {}", p.path, p.op);
            out!("      assumption: {}", p.assumption);
        }
        out!();
    }
    out!("Use one with: cbec-sim run SCENARIO --measure NAME (repeatable)");
    Ok(())
}

/// Runs `range` with a progress bar on stderr that appears only once the
/// run has taken more than a second, and never when stderr is not a
/// terminal or with `--quiet`.
fn run_with_bar(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    quiet: bool,
) -> Result<ShardResult, Failure> {
    let bar = progress(range.end - range.start);
    let visible = !quiet && std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let shown = std::sync::atomic::AtomicBool::new(false);
    let shard = ShardResult::run_observed(model, seed, range, |_| {
        if visible && !shown.load(Ordering::Relaxed) && started.elapsed().as_secs_f64() > 1.0 {
            shown.store(true, Ordering::Relaxed);
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.inc(1);
    })
    .map_err(invalid)?;
    bar.finish_and_clear();
    Ok(shard)
}

fn merge(args: MergeArgs) -> Result<(), Failure> {
    let mut shards = Vec::with_capacity(args.files.len());
    for f in &args.files {
        let text =
            std::fs::read_to_string(f).map_err(|e| invalid(format!("{}: {e}", f.display())))?;
        shards.push(
            ShardResult::from_json(&text).map_err(|e| invalid(format!("{}: {e}", f.display())))?,
        );
    }
    let merged = ShardResult::merge(shards).map_err(invalid)?;
    report(
        &merged,
        &Header {
            scenario: None,
            measures: &[],
            decision: None,
            warmup_note: None,
            planner: None,
        },
        args.json,
        args.csv.as_deref(),
    )
}

/// Writes `text` to a temporary file beside `path`, then renames it, so an
/// interrupted write never leaves half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// What the summary says about how it was made.
struct Header<'a> {
    scenario: Option<&'a Path>,
    measures: &'a [String],
    decision: Option<&'a StopDecision>,
    warmup_note: Option<&'a str>,
    /// The planner KPI names, if the table shows only those.
    planner: Option<&'a [String]>,
}

fn report(
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
        });
        out!("{}", serde_json::to_string_pretty(&doc).map_err(failed)?);
        return Ok(());
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
fn pooled(shard: &ShardResult) -> serde_json::Value {
    let q = |p: f64| shard.time_in_system.quantile(p).map(|t| t.minutes());
    serde_json::json!({
        "orders": shard.time_in_system.count(),
        "time_in_system_p50_min": q(0.5),
        "time_in_system_p95_min": q(0.95),
        "time_in_system_p99_min": q(0.99),
    })
}

fn write_csv(dir: &Path, shard: &ShardResult, estimates: &[KpiEstimate]) -> std::io::Result<()> {
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
