//! What every command shares: failures and exit codes, loading a scenario
//! with measures, running replications with a progress bar, writing files.

use cbec_sim::experiment::{Experiment, ExperimentResult, Replications, Seed, ShardResult};
use cbec_sim::{Error, Measure, Model, RunSummary, Scenario};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// Options every experiment command takes.
#[derive(Debug, clap::Args)]
pub(crate) struct Common {
    /// Number of replications.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub(crate) replications: u64,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// Also write CSV files into this folder.
    #[arg(long, value_name = "DIR")]
    pub(crate) csv: Option<PathBuf>,
    /// Also write SVG charts into this folder.
    #[arg(long, value_name = "DIR")]
    pub(crate) plot: Option<PathBuf>,
    /// Also write a self-contained HTML report (tables and charts) to this file.
    #[arg(long, value_name = "FILE.html")]
    pub(crate) report: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

/// Where measures come from, for commands that apply them.
#[derive(Debug, clap::Args)]
pub(crate) struct MeasureSource {
    /// Read measures from this file instead of the built-in ones.
    #[arg(long = "measures-file", value_name = "FILE")]
    pub(crate) measures_file: Option<PathBuf>,
}

/// A failure and its exit code.
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

pub(crate) fn invalid(message: impl std::fmt::Display) -> Failure {
    Failure {
        code: 2,
        message: message.to_string(),
    }
}

pub(crate) fn failed(message: impl std::fmt::Display) -> Failure {
    Failure {
        code: 1,
        message: message.to_string(),
    }
}

pub(crate) fn parse_range(text: &str) -> Result<std::ops::Range<u64>, Failure> {
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
pub(crate) fn progress(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} replications, {elapsed} elapsed, about {eta} left",
        )
        .expect("constant template"),
    );
    bar
}

/// The built-in measures, or those of `file`.
pub(crate) fn load_measures(file: Option<&Path>) -> Result<Vec<Measure>, Failure> {
    match file {
        Some(f) => Measure::list_from_path(f).map_err(invalid),
        None => Ok(Measure::builtin()),
    }
}

/// Runs `range` with a progress bar on stderr that appears only once the
/// run has taken more than a second, and never when stderr is not a
/// terminal or with `--quiet`.
pub(crate) fn run_with_bar(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    quiet: bool,
) -> Result<ShardResult, Failure> {
    Ok(run_experiment(model, seed, range, quiet, "", Some(&INTERRUPTED), false)?.shard)
}

/// Runs `range` with the progress bar of [`run_with_bar`] labelled
/// `label`, stopping early on `stop`, keeping every summary if `summaries`.
pub(crate) fn run_experiment(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    quiet: bool,
    label: &str,
    stop: Option<&std::sync::atomic::AtomicBool>,
    summaries: bool,
) -> Result<ExperimentResult, Failure> {
    let replications = Replications::new(range).map_err(invalid)?;
    let bar = progress(replications.len());
    bar.set_message(label.to_string());
    let visible = !quiet && std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let shown = std::sync::atomic::AtomicBool::new(false);
    let mut experiment = Experiment::new(model)
        .with_seed(Seed(seed))
        .with_replications(replications)
        .with_observer(|_| {
            if visible && !shown.load(Ordering::Relaxed) && started.elapsed().as_secs_f64() > 1.0 {
                shown.store(true, Ordering::Relaxed);
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.inc(1);
        });
    if let Some(flag) = stop {
        experiment = experiment.with_stop_flag(flag);
    }
    if summaries {
        experiment = experiment.with_summaries();
    }
    let result = experiment.run().map_err(|e| match e {
        Error::Interrupted { .. } => Failure {
            code: 130,
            message: e.to_string(),
        },
        e => invalid(e),
    })?;
    bar.finish_and_clear();
    Ok(result)
}

/// Set by Ctrl-C: runs stop starting replications and report those finished.
pub(crate) static INTERRUPTED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Makes Ctrl-C stop a run cleanly (a second Ctrl-C ends the program).
pub(crate) fn catch_interrupts() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
        eprintln!(
            "\ninterrupted: finishing the replications under way, then writing what is done (Ctrl-C again to quit now)"
        );
    });
}

/// Writes `text` to a temporary file beside `path`, then renames it, so an
/// interrupted write never leaves half a file.
pub(crate) fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Sets the global thread pool's size.
pub(crate) fn set_threads(threads: Option<usize>) -> Result<(), Failure> {
    if let Some(t) = threads {
        if t == 0 {
            return Err(invalid("--threads: must be at least 1, got 0"));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .map_err(failed)?;
    }
    Ok(())
}

/// Reads a scenario file; an error names the file.
pub(crate) fn load_scenario(path: &Path) -> Result<Scenario, Failure> {
    // The error names the file already.
    Scenario::from_path(path).map_err(invalid)
}

/// Builds a scenario's model; an error names the file.
pub(crate) fn build(scenario: &Scenario, path: &Path) -> Result<Model, Failure> {
    scenario
        .build()
        .map_err(|e| invalid(format!("{}: {e}", path.display())))
}

/// Runs replications `0..n` with the progress bar of [`run_with_bar`],
/// keeping every run summary (for charts and paired comparisons).
pub(crate) fn run_all(
    model: &Model,
    common: &Common,
    label: &str,
) -> Result<Vec<RunSummary>, Failure> {
    run_range(model, common, 0..common.replications, label)
}

/// [`run_all`] over replications `range`.
pub(crate) fn run_range(
    model: &Model,
    common: &Common,
    range: std::ops::Range<u64>,
    label: &str,
) -> Result<Vec<RunSummary>, Failure> {
    if range.is_empty() {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    let result = run_experiment(model, common.seed, range, common.quiet, label, None, true)?;
    Ok(result.summaries)
}

/// A number for a table: four decimals, `-` when undefined.
pub(crate) fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.4}"))
}

/// Writes a CSV (header and rows) atomically.
pub(crate) fn write_csv_file(
    path: &Path,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<(), Failure> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| failed(format!("{}: {e}", path.display()));
    w.write_record(header).map_err(io)?;
    for r in rows {
        w.write_record(r).map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| failed(format!("{}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(failed)?;
    write_file(path, &text)
}

/// Writes charts (name, SVG) into `dir`, creating it.
pub(crate) fn write_charts(dir: &Path, charts: &[(String, String)]) -> Result<(), Failure> {
    make_dir(dir)?;
    for (name, svg) in charts {
        write_file(&dir.join(format!("{name}.svg")), svg)?;
    }
    Ok(())
}

/// [`write_atomically`], with a failure that names the file.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    write_atomically(path, text).map_err(|e| failed(format!("{}: {e}", path.display())))
}

/// Creates a folder (and its parents), with a failure that names it.
pub(crate) fn make_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| failed(format!("{}: {e}", dir.display())))
}

/// The measures named on the command line, from the built-in list or a file.
pub(crate) fn chosen_measures(
    names: &[String],
    source: &MeasureSource,
) -> Result<Vec<Measure>, Failure> {
    let available = load_measures(source.measures_file.as_deref())?;
    names
        .iter()
        .map(|n| Measure::find(&available, n).cloned().map_err(invalid))
        .collect()
}
