//! What every command shares: options, failures and exit codes, loading a
//! scenario with measures, the progress bar, Ctrl-C, writing stdout and
//! files whole.

use cbec_sim::experiment::{Experiment, ExperimentResult, Replications, Seed};
use cbec_sim::report::Document;
use cbec_sim::report::visuals::Visuals;
use cbec_sim::{Error, Measure, Model, Scenario};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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

/// A failure with exit code `code`.
pub(crate) fn failure(code: u8, message: impl std::fmt::Display) -> Failure {
    let message = message.to_string();
    Failure { code, message }
}

/// Invalid input: exit code 2.
pub(crate) fn invalid(message: impl std::fmt::Display) -> Failure {
    failure(2, message)
}

/// Any other failure: exit code 1.
pub(crate) fn failed(message: impl std::fmt::Display) -> Failure {
    failure(1, message)
}

/// Writes `text` to stdout; ends the program quietly when stdout is closed
/// (a reader such as `head` has seen enough).
pub(crate) fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        panic!("cannot write to stdout: {e}");
    }
}

/// Parses `A..B` (a shard's replications).
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

/// The one progress bar: on stderr, shown once the work has taken longer
/// than `after`, never when stderr is not a terminal or with `--quiet`.
pub(crate) struct Progress {
    bar: ProgressBar,
    visible: bool,
    after: Duration,
}

impl Progress {
    pub(crate) fn new(total: u64, label: &str, quiet: bool, after: Duration) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} replications, {elapsed} elapsed, about {eta} left",
            )
            .expect("constant template"),
        );
        bar.set_message(label.to_string());
        Progress {
            bar,
            visible: !quiet && std::io::stderr().is_terminal(),
            after,
        }
    }

    /// One more done.
    pub(crate) fn tick(&self) {
        if self.visible && self.bar.is_hidden() && self.bar.elapsed() >= self.after {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.inc(1);
    }

    pub(crate) fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// The built-in measures, or those of `file`.
pub(crate) fn load_measures(file: Option<&Path>) -> Result<Vec<Measure>, Failure> {
    match file {
        Some(f) => Measure::list_from_path(f).map_err(invalid),
        None => Ok(Measure::builtin()),
    }
}

/// Runs replications `range` of `model` under `seed` with the progress bar
/// labelled `label`. With `interruptible`, Ctrl-C stops starting
/// replications and the result holds those finished; with `summaries`,
/// every run summary is kept (for charts and paired comparisons).
pub(crate) fn run_experiment(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    label: &str,
    quiet: bool,
    interruptible: bool,
    summaries: bool,
) -> Result<ExperimentResult, Failure> {
    let replications = Replications::new(range).map_err(invalid)?;
    let bar = Progress::new(replications.len(), label, quiet, Duration::from_secs(1));
    let mut experiment = Experiment::new(model)
        .with_seed(Seed(seed))
        .with_replications(replications)
        .with_observer(|_| bar.tick());
    if interruptible {
        experiment = experiment.with_stop_flag(&INTERRUPTED);
    }
    if summaries {
        experiment = experiment.with_summaries();
    }
    let result = experiment.run().map_err(|e| match e {
        Error::Interrupted { .. } => failure(130, e),
        e => invalid(e),
    })?;
    bar.finish();
    Ok(result)
}

/// Set by Ctrl-C: runs stop starting replications and report those finished.
pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

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
    Scenario::from_path(path).map_err(invalid)
}

/// Reads a scenario file and builds its model; an error names the file.
pub(crate) fn load(path: &Path) -> Result<(Scenario, Model), Failure> {
    let scenario = load_scenario(path)?;
    let model = scenario.build();
    Ok((
        scenario,
        model.map_err(|e| invalid(format!("{}: {e}", path.display())))?,
    ))
}

/// Writes `text` to a temporary file beside `path`, then renames it, so an
/// interrupted write never leaves half a file; a failure names the file.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| failed(format!("{}: {e}", path.display())))
}

/// Creates a folder (and its parents), with a failure that names it.
pub(crate) fn make_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| failed(format!("{}: {e}", dir.display())))
}

/// Writes CSV files (name, text) into `--csv DIR`, if given.
pub(crate) fn write_csv(
    dir: Option<&Path>,
    files: impl FnOnce() -> cbec_sim::Result<Vec<(&'static str, String)>>,
) -> Result<(), Failure> {
    let Some(dir) = dir else {
        return Ok(());
    };
    make_dir(dir)?;
    for (name, text) in files().map_err(|e| failed(format!("{}: {e}", dir.display())))? {
        write_file(&dir.join(name), &text)?;
    }
    Ok(())
}

/// Writes the charts into `--plot DIR` and the HTML report made by `html`
/// into `--report FILE`, when asked for; `make` draws the charts only then.
pub(crate) fn write_visuals(
    plot: Option<&Path>,
    report: Option<&Path>,
    make: impl FnOnce() -> cbec_sim::Result<Visuals>,
    html: impl FnOnce(Visuals) -> String,
) -> Result<(), Failure> {
    if plot.is_none() && report.is_none() {
        return Ok(());
    }
    let v = make().map_err(failed)?;
    if let Some(dir) = plot {
        make_dir(dir)?;
        for (name, svg) in &v.charts {
            write_file(&dir.join(format!("{name}.svg")), svg)?;
        }
    }
    if let Some(file) = report {
        write_file(file, &html(v))?;
    }
    Ok(())
}

/// Writes the CSV files into `--csv DIR`, the charts into `--plot DIR` and
/// the HTML report into `--report FILE` (each when asked for), then prints
/// the document: JSON with `--json`, else `text`.
pub(crate) fn output<D: Document>(
    common: &Common,
    doc: &D,
    csv: impl FnOnce() -> cbec_sim::Result<Vec<(&'static str, String)>>,
    charts: impl FnOnce() -> cbec_sim::Result<Visuals>,
    html: impl FnOnce(Visuals) -> String,
    text: impl FnOnce() -> String,
) -> Result<(), Failure> {
    write_csv(common.csv.as_deref(), csv)?;
    write_visuals(
        common.plot.as_deref(),
        common.report.as_deref(),
        charts,
        html,
    )?;
    print(&if common.json {
        doc.to_json() + "\n"
    } else {
        text()
    });
    Ok(())
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
