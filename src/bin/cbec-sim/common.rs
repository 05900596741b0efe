//! What every command shares: options, failures and exit codes, loading a
//! scenario with measures, the progress bar, signals (SIGINT, SIGTERM,
//! SIGHUP), writing stdout and output files (through [`crate::files`]).

use cbec_sim::experiment::{Experiment, ExperimentResult, Precision, Replications, Seed};
use cbec_sim::report::output::{self, OutputKind};
use cbec_sim::report::visuals::Visuals;
use cbec_sim::report::{ChartData, Document, Provenance};
use cbec_sim::{Assumptions, Error, Measure, Model, Scenario};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Options every experiment command takes.
#[derive(Debug, clap::Args)]
pub(crate) struct Common {
    /// Number of replications.
    #[arg(long, short = 'n', default_value_t = 10, allow_negative_numbers = true, value_parser = whole_number)]
    pub(crate) replications: u64,
    /// Master seed.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = whole_number)]
    pub(crate) seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long, allow_negative_numbers = true, value_parser = thread_count)]
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

/// `message` with the `<scenario>` of a hint to run `cbec-sim explain
/// <scenario> --kpis` replaced by the file the command read, so the hint
/// can be run as it is.
pub(crate) fn name_the_scenario(message: &str, scenario: &Path) -> String {
    message.replace(
        "`cbec-sim explain <scenario> --kpis`",
        &format!("`cbec-sim explain {} --kpis`", scenario.display()),
    )
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
/// (a reader such as `head` has seen enough); any other failure (a full
/// device) is an output error, exit 1.
pub(crate) fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(failed(format!("cannot write to stdout: {e}"))),
        Ok(()) => Ok(()),
    }
}

/// At most 40 characters of a user's `text`, with `...` if cut: what a
/// message quotes.
pub(crate) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}

/// A number for a message: plain when short, in scientific notation when
/// it would take many digits (`1e300`, not 301 of them).
pub(crate) fn show(x: f64) -> String {
    let plain = x.to_string();
    if plain.len() > 16 {
        format!("{x:e}")
    } else {
        plain
    }
}

/// A whole number from 0 to `u64::MAX` (clap value parser): the message
/// names the range and quotes the value.
pub(crate) fn whole_number(text: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "must be a whole number from 0 to {}, got {}",
            u64::MAX,
            excerpt(text)
        )
    })
}

/// A thread count from 1 (clap value parser).
pub(crate) fn thread_count(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "must be a whole number of threads from 1 to {}, got {}",
            usize::MAX,
            excerpt(text)
        )),
    }
}

/// Parses `A..B` (a shard's replications).
pub(crate) fn parse_range(text: &str) -> Result<std::ops::Range<u64>, Failure> {
    parse_range_of("--shard", text)
}

/// Parses `A..B` (replications) given to `flag`.
pub(crate) fn parse_range_of(flag: &str, text: &str) -> Result<std::ops::Range<u64>, Failure> {
    let bad = |why: &str| {
        invalid(format!(
            "{flag}: must be A..B with A < B, {why}, got \"{}\"",
            excerpt(text)
        ))
    };
    let whole = "A and B whole numbers from 0 to 18446744073709551615";
    let (a, b) = text.split_once("..").ok_or_else(|| bad(whole))?;
    let (a, b): (u64, u64) = (
        a.trim().parse().map_err(|_| bad(whole))?,
        b.trim().parse().map_err(|_| bad(whole))?,
    );
    if a >= b {
        return Err(bad("A below B"));
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
        Self::counting(total, "replications", label, quiet, after)
    }

    /// A bar counting `what` (design points, say) instead of replications.
    pub(crate) fn counting(
        total: u64,
        what: &str,
        label: &str,
        quiet: bool,
        after: Duration,
    ) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {what}, {{elapsed}} elapsed, about {{eta}} left"
            ))
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

/// How [`run_experiment`] runs: the progress bar's label, where to fold
/// each finished replication for the charts (none are kept), and a
/// precision rule. A signal always stops starting replications; the
/// result holds every one that finished.
#[derive(Default)]
pub(crate) struct RunOptions<'a> {
    pub(crate) label: &'a str,
    pub(crate) quiet: bool,
    pub(crate) charts: Option<&'a mut ChartData>,
    pub(crate) precision: Option<Precision>,
}

/// Runs replications `range` of `model` under `seed` as `options` say.
/// A signal before the first replication finished is exit 130.
pub(crate) fn run_experiment(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    options: RunOptions<'_>,
) -> Result<ExperimentResult, Failure> {
    let replications = Replications::new(range).map_err(invalid)?;
    let bar = Progress::new(
        replications.len(),
        options.label,
        options.quiet,
        Duration::from_secs(1),
    );
    let mut experiment = Experiment::new(model)
        .with_seed(Seed(seed))
        .with_replications(replications)
        .with_observer(|_| bar.tick())
        .with_stop_flag(&INTERRUPTED);
    if let Some(rule) = options.precision {
        experiment = experiment.with_precision(rule);
    }
    let mut charts = options.charts;
    let fold = |_, run: &_| {
        if let Some(c) = charts.as_deref_mut() {
            c.add(run);
        }
    };
    let result = experiment.run_folding(fold).map_err(|e| match e {
        Error::Interrupted { .. } => failure(130, e),
        e => invalid(e),
    })?;
    bar.finish();
    Ok(result)
}

/// Set by the first SIGINT, SIGTERM or SIGHUP: runs stop starting
/// replications and report those finished, marked partial.
pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Set by commands that watch [`INTERRUPTED`]; in the others a signal ends
/// the program at once.
static STOPPABLE: AtomicBool = AtomicBool::new(false);

/// The exit code after a signal (SIGINT, SIGTERM or SIGHUP alike: the
/// handler cannot tell them apart).
pub(crate) const SIGNALLED: u8 = 130;

/// Handles SIGINT, SIGTERM and SIGHUP: in a command that watches
/// [`INTERRUPTED`] (after [`stoppable`]), the first stops starting
/// replications so that what finished is written, marked partial; a second
/// signal, or any in another command, removes the temporary files being
/// written and ends the program with exit 130.
pub(crate) fn catch_signals() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) || !STOPPABLE.load(Ordering::SeqCst) {
            output::remove_temporaries();
            std::process::exit(i32::from(SIGNALLED));
        }
        eprintln!(
            "\ninterrupted: finishing the replications under way, then writing what is done (a second signal quits now)"
        );
    });
}

/// Marks the command as one that stops cleanly on the first signal.
pub(crate) fn stoppable() {
    STOPPABLE.store(true, Ordering::SeqCst);
}

/// Sets the global thread pool's size.
pub(crate) fn set_threads(threads: Option<usize>) -> Result<(), Failure> {
    if let Some(t) = threads {
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

/// The assumption ranges of the scenario at `scenario`: the file named
/// with `--assumptions`, else `<stem>.assumptions.toml` beside it, else
/// none. An error names the file.
pub(crate) fn load_assumptions(
    scenario: &Path,
    flag: Option<&Path>,
) -> Result<Option<(PathBuf, Assumptions)>, Failure> {
    let Some(path) = flag
        .map(Path::to_path_buf)
        .or_else(|| Assumptions::beside(scenario))
    else {
        return Ok(None);
    };
    let ranges = Assumptions::from_path(&path).map_err(invalid)?;
    Ok(Some((path, ranges)))
}

/// The assumption ranges of the scenario at `path` (as
/// [`load_assumptions`]), checked against `scenario`, with each value; an
/// error when there are none.
pub(crate) fn checked_assumptions(
    path: &Path,
    flag: Option<&Path>,
    scenario: &Scenario,
) -> Result<(PathBuf, Assumptions, Vec<cbec_sim::AssumptionValue>), Failure> {
    let Some((file, ranges)) = load_assumptions(path, flag)? else {
        return Err(invalid(format!(
            "{}: no assumption ranges: give --assumptions FILE or put <name>.assumptions.toml beside the scenario",
            path.display()
        )));
    };
    let values = ranges
        .check(scenario)
        .map_err(|e| invalid(format!("{}: {e}", file.display())))?;
    Ok((file, ranges, values))
}

/// The failure of a study stopped by a signal before anything could be
/// reported (`what` says what had not finished), or of any other error.
pub(crate) fn study_failure(e: Error, what: &str) -> Failure {
    match e {
        Error::Interrupted { .. } => failure(
            SIGNALLED,
            format!("interrupted before {what}: nothing to report, nothing written"),
        ),
        e => invalid(e),
    }
}

/// The failure after partial results were written: `covered` says what
/// the results above cover.
pub(crate) fn partial_failure(covered: impl std::fmt::Display) -> Failure {
    failure(
        SIGNALLED,
        format!("interrupted: the results above cover {covered}; they are marked partial"),
    )
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

/// Checks every output path before anything runs: `--csv` and `--plot`
/// folders, `--report` and `--out` files.
pub(crate) fn check_outputs(
    csv: Option<&Path>,
    plot: Option<&Path>,
    report: Option<&Path>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    check_paths(&[
        ("--csv", csv, OutputKind::Folder),
        ("--plot", plot, OutputKind::Folder),
        ("--report", report, OutputKind::File),
        ("--out", out, OutputKind::File),
    ])
}

/// The warnings of `model` (overload, unreachable parts), each named by
/// `label` (`baseline`, a variant's name), as the flags of a study.
pub(crate) fn labelled_flags(label: &str, model: &Model) -> Vec<String> {
    cbec_sim::report::describe::model_flags(model)
        .into_iter()
        .map(|w| format!("{label}: {w}"))
        .collect()
}

/// Checks each output path `(flag, path, kind)` given, naming the flag.
pub(crate) fn check_paths(wanted: &[(&str, Option<&Path>, OutputKind)]) -> Result<(), Failure> {
    for &(flag, path, kind) in wanted {
        if let Some(p) = path {
            output::check_output(p, kind).map_err(|e| match &e {
                Error::Output(o) if p.as_os_str().is_empty() => {
                    failed(format!("{flag}: {}", o.reason()))
                }
                Error::Output(o) => failed(format!("{flag} {}: {}", p.display(), o.reason())),
                _ => failed(e),
            })?;
        }
    }
    Ok(())
}

/// Writes `text` to the file `target` (see [`output::write_output`]); a
/// failure is exit 1 naming the file.
pub(crate) fn write_file(target: &Path, text: &str) -> Result<(), Failure> {
    output::write_output(target, text).map_err(failed)
}

/// Writes the files `(name, text)` into the folder `dir` (created if
/// missing), all or none.
fn write_into<N: AsRef<str>>(dir: &Path, files: &[(N, String)]) -> Result<(), Failure> {
    output::write_into_folder(dir, files).map_err(failed)
}

/// Writes CSV files (name, text) into `--csv DIR`, if given; each begins
/// with the partial marker when `partial`.
pub(crate) fn write_csv(
    dir: Option<&Path>,
    partial: bool,
    files: impl FnOnce() -> cbec_sim::Result<Vec<(&'static str, String)>>,
) -> Result<(), Failure> {
    let Some(dir) = dir else {
        return Ok(());
    };
    let mut files = files().map_err(|e| failed(format!("{}: {e}", dir.display())))?;
    if partial {
        cbec_sim::report::csv::mark_partial(&mut files);
    }
    write_into(dir, &files)
}

/// How this run was started, for a report's footer: the command line (an
/// argument that is not UTF-8 with its odd bytes replaced) and the date
/// now.
pub(crate) fn provenance() -> Provenance {
    Provenance::now(std::env::args_os().map(|a| a.to_string_lossy().into_owned()))
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
        let svgs: Vec<(String, String)> = v
            .charts
            .iter()
            .map(|(name, svg)| (format!("{name}.svg"), svg.clone()))
            .collect();
        write_into(dir, &svgs)?;
    }
    if let Some(file) = report {
        write_file(file, &html(v))?;
    }
    Ok(())
}

/// Writes the CSV files into `--csv DIR` (marked when `partial`), the
/// charts into `--plot DIR` and the HTML report into `--report FILE` (each
/// when asked for), then prints the document, JSON with `--json`, else
/// `text`, even if a file could not be written (whose failure is then
/// returned).
pub(crate) fn output<D: Document>(
    common: &Common,
    doc: &D,
    partial: bool,
    csv: impl FnOnce() -> cbec_sim::Result<Vec<(&'static str, String)>>,
    charts: impl FnOnce() -> cbec_sim::Result<Visuals>,
    html: impl FnOnce(Visuals) -> String,
    text: impl FnOnce() -> String,
) -> Result<(), Failure> {
    let csv = write_csv(common.csv.as_deref(), partial, csv);
    let visuals = write_visuals(
        common.plot.as_deref(),
        common.report.as_deref(),
        charts,
        html,
    );
    print(&if common.json {
        doc.to_json() + "\n"
    } else {
        text()
    })?;
    csv.and(visuals)
}

impl Common {
    /// Checks the output paths before anything runs.
    pub(crate) fn check_outputs(&self) -> Result<(), Failure> {
        check_outputs(
            self.csv.as_deref(),
            self.plot.as_deref(),
            self.report.as_deref(),
            None,
        )
    }
}

/// What `measures` change, in words, for a report: each measure's title
/// and its patches (`Expedited clearance (stations.x.servers set to 4)`),
/// joined by ` + `.
pub(crate) fn measure_words(measures: &[Measure]) -> String {
    measures
        .iter()
        .map(|m| {
            let patches: Vec<String> = m
                .patches
                .iter()
                .map(|p| format!("{} {}", p.path, p.op))
                .collect();
            format!("{} ({})", m.title, patches.join("; "))
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The measures named on the command line, from the built-in list or a file.
pub(crate) fn chosen_measures(
    names: &[String],
    source: &MeasureSource,
) -> Result<Vec<Measure>, Failure> {
    let available = load_measures(source.measures_file.as_deref())?;
    names
        .iter()
        .map(|n| {
            Measure::find(&available, n)
                .cloned()
                .map_err(|e| invalid(on_measure_flag(e)))
        })
        .collect()
}

/// An unknown measure named on the command line, at `--measure`.
pub(crate) fn on_measure_flag(mut e: Error) -> Error {
    if let Error::Measure { field, .. } = &mut e
        && field == "measure"
    {
        *field = "--measure".into();
    }
    e
}

/// Whether `a` and `b` name the same file: the same existing file however
/// it is named (links included), or the same name in the same folder.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
        #[cfg(not(unix))]
        {
            let _ = (x, y);
            return std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok();
        }
    }
    let resolved = |p: &Path| {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        (
            std::fs::canonicalize(dir).ok(),
            p.file_name().map(ToOwned::to_owned),
        )
    };
    a == b || resolved(a) == resolved(b)
}
