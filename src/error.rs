//! The crate's error type.
//!
//! One public [`enum@Error`], built with `thiserror`, whose variants say what
//! went wrong and where: the scenario field, the measure and patch, the
//! shard file, the experiment option, the file that could not be read. Io,
//! TOML, JSON and CSV failures keep their cause as [`std::error::Error::source`],
//! so a caller can walk the chain. Messages are lowercase with no trailing
//! period, and name the file, field or option first (`path: field: rule`).

use std::fmt;
use std::path::{Path, PathBuf};

/// A `Result` whose error defaults to [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `cbec-sim`.
///
/// Every error is raised *before* a run starts (when a scenario, measure,
/// model, distribution or experiment is set up), while reading or writing
/// files, or when a run is interrupted: the event loop itself never fails,
/// so no computed result is lost to an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario or model description breaks a rule.
    ///
    /// Raised by [`ModelBuilder::build`](crate::ModelBuilder::build) and by
    /// [`Scenario::build`](crate::Scenario::build). `field` is the path of the
    /// offending field (`stations.review.servers`). Fatal for that model: fix
    /// the input and build again.
    #[error("{field}: {reason}")]
    Scenario {
        /// Path of the offending field, dot-separated.
        field: String,
        /// The rule that was broken and the value that broke it.
        reason: String,
    },
    /// A measure is malformed, unknown, or does not fit the scenario it is
    /// applied to.
    ///
    /// Raised by [`Measure::list_from_toml_str`](crate::Measure::list_from_toml_str)
    /// (a measure without patches, a repeated name), [`Measure::find`](crate::Measure::find)
    /// (an unknown name, with the closest one), [`Measure::apply`](crate::Measure::apply)
    /// and [`Scenario::with_measures`](crate::Scenario::with_measures) (a patch
    /// path that does not exist, an operation that does not fit the value,
    /// a patched scenario that breaks a rule; the last keeps that error as
    /// its source). Fatal for that variant: the baseline is untouched and
    /// can still run.
    #[error("{field}: {reason}")]
    Measure {
        /// Where: `measure`, `measure[<i>].patches`, `measures.<name>.patches[<i>]`, ...
        field: String,
        /// What is wrong.
        reason: String,
        /// The error of the patched scenario, if that is what failed (the
        /// source is this `Box<Error>`; downcast to that type).
        #[source]
        source: Option<Box<Error>>,
    },
    /// A distribution was given invalid parameters.
    ///
    /// Raised by the [`Dist`](crate::Dist) constructors and when a
    /// distribution is read from a file. Fatal for that distribution.
    #[error(transparent)]
    Distribution(#[from] DistError),
    /// Shards cannot be read or merged.
    ///
    /// Raised by [`ShardResult::merge`](crate::experiment::ShardResult::merge)
    /// and [`ShardResult::merge_files`](crate::experiment::ShardResult::merge_files)
    /// (no shards, a different format version, model, seed or KPI list,
    /// overlapping ranges or a gap, pooled counts that overflow, a file
    /// that is not a regular file or is larger than
    /// [`MAX_SHARD_FILE_BYTES`](crate::experiment::MAX_SHARD_FILE_BYTES)),
    /// by [`ShardResult::validate`](crate::experiment::ShardResult::validate)
    /// (another crate version, a reversed range, rows that do not match the
    /// replications or the KPIs, non-finite values) and by
    /// [`ShardResult::from_json`](crate::experiment::ShardResult::from_json)
    /// (malformed JSON, kept as the source, or a shard that does not
    /// validate). `file` names the shard file when it came from one. Fatal for the merge: the shards themselves
    /// are untouched, so run the missing range or drop the stray file and
    /// merge again.
    #[error("{}{shard}: {reason}", prefix(file.as_deref()))]
    Shard {
        /// The shard file, when the shard was read from one.
        file: Option<PathBuf>,
        /// Which shard: `shards` for the whole set, `shard A..B` for one.
        shard: String,
        /// What is wrong.
        reason: String,
        /// The JSON error, for a file that does not parse.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// An experiment is set up wrongly: a reversed or overflowing
    /// replication range, an empty one where replications are needed, a
    /// bad stopping rule (a relative target not above 0, fewer than 2
    /// initial replications, a batch of 0, a maximum below the initial
    /// count), a bad sweep, factorial or target.
    ///
    /// Raised by [`Replications::new`](crate::experiment::Replications::new),
    /// [`Experiment::run`](crate::experiment::Experiment::run), the designs
    /// ([`sweep`](crate::experiment::sweep), [`factorial`](crate::experiment::factorial))
    /// and [`Target::parse`](crate::experiment::Target::parse), before any
    /// replication runs. Fatal for that experiment: fix the option and run again.
    #[error("{option}: {reason}")]
    Experiment {
        /// The option at fault: `replications`, `precision.batch`, `sweep.values`, ...
        option: String,
        /// The rule that was broken and the value that broke it.
        reason: String,
    },
    /// A KPI name that the run does not offer; an experiment configuration
    /// error.
    ///
    /// Raised by [`KpiCatalogue::kpi`](crate::experiment::KpiCatalogue::kpi),
    /// [`ShardResult::kpi`](crate::experiment::ShardResult::kpi), a precision
    /// rule, [`sweep`](crate::experiment::sweep) and
    /// [`factorial`](crate::experiment::factorial). The message gives the
    /// closest valid names (at most five, closest first); if none is
    /// close, it lists the valid names only when there are at most five,
    /// and otherwise says how many there are and that
    /// `cbec-sim explain <scenario> --kpis` lists them:
    /// `--kpi: unknown KPI "review.wiat_mean_min"; did you mean "review.wait_mean_min"?`.
    /// Fatal for that lookup; a precision rule raises it after its first
    /// batch of replications (the names come from a run).
    #[error("{option}: unknown KPI \"{}\"; {}", crate::excerpt::excerpt(name, 2 * crate::excerpt::MAX_QUOTED), kpi_hint(closest, known))]
    UnknownKpi {
        /// The option that named it: `kpi`, `precision`, ...
        option: String,
        /// The name asked for.
        name: String,
        /// The valid names close to it by edit distance, closest first,
        /// at most five; empty if none is close.
        closest: Vec<String>,
        /// Every valid name, in catalogue order (not all shown in the
        /// message).
        known: Vec<String>,
    },
    /// The run was stopped (by the flag given to
    /// [`Experiment::with_stop_flag`](crate::experiment::Experiment::with_stop_flag), a
    /// Ctrl-C handler say) before the first replication finished, so there
    /// is nothing to report.
    ///
    /// A run interrupted *after* some replications finished is not an
    /// error: [`Experiment::run`](crate::experiment::Experiment::run)
    /// returns them, marked by [`ExperimentResult::interrupted`](crate::experiment::ExperimentResult::interrupted).
    /// Not fatal for the model: run again.
    #[error("interrupted after {finished} of {requested} replications; nothing to report")]
    Interrupted {
        /// Replications that finished (0 for this error).
        finished: u64,
        /// Replications that were asked for.
        requested: u64,
    },
    /// Reading or writing a file failed; the io error is the source.
    ///
    /// Raised by [`Scenario::from_path`](crate::Scenario::from_path),
    /// [`Measure::list_from_path`](crate::Measure::list_from_path) and
    /// [`ShardResult::merge_files`](crate::experiment::ShardResult::merge_files).
    /// The run's results, if any, are still held by the caller.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        action: IoAction,
        /// The cause.
        source: std::io::Error,
    },
    /// A CSV file could not be read.
    ///
    /// Raised when a replayed order log (`replay_csv`) is not valid CSV
    /// (bad UTF-8, a ragged row) while a model is built; a log that reads
    /// but breaks a rule (a bad time, rows out of order) is an
    /// [`Error::Scenario`] at `sources.<name>.replay_csv` naming the file
    /// and line instead. Fatal for that model: fix the log and build again.
    #[error("csv error: {0}")]
    Csv(#[from] csv::Error),
    /// An event log (see [`EventLog`](crate::calibrate::EventLog)) breaks a
    /// rule of its format, at a line and column: a missing column, a bad
    /// time, rows out of time order, an unknown event name (with the
    /// closest names of the event map), an event before the event it must
    /// follow for the same order, an event repeated for one order where the
    /// map says it happens once, text that is not UTF-8, a ragged row, an
    /// empty log.
    ///
    /// Raised by [`EventLog::from_reader`](crate::calibrate::EventLog::from_reader)
    /// and [`EventLog::from_path`](crate::calibrate::EventLog::from_path)
    /// at the first row that breaks a rule. Fatal for that log: nothing
    /// parsed before the row is returned; fix the log (or the map) and
    /// read it again.
    #[error("{file}:{line}:{column}: {reason}")]
    Log {
        /// Where the log came from (a file name), as given.
        file: String,
        /// The line of the file, from 1 (the header is line 1).
        line: u64,
        /// The column (field) of the row, from 1.
        column: usize,
        /// The rule that was broken and the value that broke it.
        reason: String,
    },
    /// A TOML scenario or measure file could not be parsed: a syntax error,
    /// a value of the wrong type (in a scenario, named at its own path with
    /// the form its field takes: `simulation.horizon_h: "8 days" is not a
    /// number; expected a number of hours, e.g. 48`), an unknown key (with
    /// the closest valid keys) or an invalid value. The [`ParseError`] names the file and the field, and
    /// its message carries the line, the column and the offending key; its
    /// source (and so this error's) is the TOML error.
    ///
    /// Raised by [`Scenario::from_toml_str`](crate::Scenario::from_toml_str),
    /// [`Scenario::from_path`](crate::Scenario::from_path) (with the file),
    /// [`Scenario::from_document`](crate::Scenario::from_document) and the
    /// measure readers. Fatal for that file: fix it and read it again.
    #[error(transparent)]
    Parse(Box<ParseError>),

    /// A chart could not be drawn.
    ///
    /// Raised by the [`report`](crate::report) chart functions. Fatal for
    /// that chart only: the numbers are still held by the caller.
    #[error("chart \"{chart}\": {reason}")]
    Chart {
        /// The chart's title.
        chart: String,
        /// What went wrong.
        reason: String,
    },
    /// An output path cannot be used, or an output file could not be
    /// written.
    ///
    /// Raised by the [`report::output`](crate::report::output) functions.
    /// Nothing was renamed over the target and no temporary file is left;
    /// the results are still held by the caller, who may write them
    /// elsewhere.
    #[error(transparent)]
    Output(#[from] crate::report::output::OutputError),
}

/// The details of an [`Error::Parse`] (boxed there: the TOML error is large).
#[derive(Debug, thiserror::Error)]
#[error("{}{}{message}", prefix(path.as_deref()), field.as_deref().map(|f| format!("{f}: ")).unwrap_or_default())]
#[non_exhaustive]
pub struct ParseError {
    /// The file, when the text came from one.
    pub path: Option<PathBuf>,
    /// The path of the field the error is in, when it is known.
    pub field: Option<String>,
    /// What is wrong, where (line and column) and, for an unknown key,
    /// the valid keys.
    pub message: String,
    /// The TOML error.
    #[source]
    source: toml::de::Error,
}

/// What was being done to a file when an [`Error::Io`] happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IoAction {
    /// Reading it.
    Read,
    /// Writing it.
    Write,
}

impl fmt::Display for IoAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IoAction::Read => "cannot be read",
            IoAction::Write => "cannot be written",
        })
    }
}

/// `"<path>: "`, or nothing.
fn prefix(path: Option<&Path>) -> String {
    path.map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}

/// How to list a run's KPIs, for a message about a name that is not one.
pub(crate) const LIST_KPIS: &str = "`cbec-sim explain <scenario> --kpis` lists them";

/// The end of an [`Error::UnknownKpi`] message: the close names, or a few
/// valid ones, or how to list them.
fn kpi_hint(closest: &[String], known: &[String]) -> String {
    let close: Vec<&str> = closest.iter().map(String::as_str).collect();
    let all: Vec<&str> = known.iter().map(String::as_str).collect();
    crate::suggest::hint_from(&close, &all, "KPIs", LIST_KPIS)
}

impl Error {
    /// Builds an [`Error::Scenario`] for the field at `field` (public for
    /// front ends, such as the Python package, that name their own
    /// fields). Numbers of more than 20 characters in `reason` are written
    /// short (`1e300`).
    ///
    /// ```
    /// let e = cbec_sim::Error::scenario("stations.desk.servers", "must be at least 1, got 0");
    /// assert_eq!(e.to_string(), "stations.desk.servers: must be at least 1, got 0");
    /// ```
    pub fn scenario(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Scenario {
            field: field.into(),
            reason: crate::excerpt::short_numbers(&reason.into()),
        }
    }

    /// Builds an [`Error::Measure`] at `field`, with no source; long
    /// numbers in `reason` are written short.
    pub(crate) fn measure(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Measure {
            field: field.into(),
            reason: crate::excerpt::short_numbers(&reason.into()),
            source: None,
        }
    }

    /// Builds an [`Error::Experiment`] for `option`.
    pub(crate) fn experiment(option: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Experiment {
            option: option.into(),
            reason: reason.into(),
        }
    }

    /// Builds an [`Error::Shard`] about `shard`, from no file and with no source.
    pub(crate) fn shard(shard: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Shard {
            file: None,
            shard: shard.into(),
            reason: reason.into(),
            source: None,
        }
    }

    /// Builds an [`Error::Parse`] from a TOML error, at `field` if known,
    /// with `message` (by default the TOML error's own text); a long
    /// quoted line is cut to a window around the error, and long numbers
    /// are written short.
    pub(crate) fn parse(
        source: toml::de::Error,
        field: Option<String>,
        message: Option<String>,
    ) -> Self {
        let message = message.unwrap_or_else(|| source.to_string());
        Error::Parse(Box::new(ParseError {
            path: None,
            field,
            message: crate::excerpt::clip_snippet(message.trim_end()),
            source,
        }))
    }

    /// Builds an [`Error::Io`] for reading `path`.
    pub(crate) fn read(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            action: IoAction::Read,
            source,
        }
    }

    /// This error with `path` as the file it came from, for the variants
    /// that name a file and do not name one yet; the field of a scenario
    /// or measure error is prefixed with it.
    pub(crate) fn in_file(self, path: &Path) -> Self {
        let named = |field: String| format!("{}: {field}", path.display());
        match self {
            Error::Parse(mut p) if p.path.is_none() => {
                p.path = Some(path.to_path_buf());
                Error::Parse(p)
            }
            Error::Shard {
                file: None,
                shard,
                reason,
                source,
            } => Error::Shard {
                file: Some(path.to_path_buf()),
                shard,
                reason,
                source,
            },
            Error::Scenario { field, reason } => Error::Scenario {
                field: named(field),
                reason,
            },
            Error::Measure {
                field,
                reason,
                source,
            } => Error::Measure {
                field: named(field),
                reason,
                source,
            },
            other => other,
        }
    }
}

/// A distribution parameter that breaks its rule.
///
/// The message names the parameter, the rule and the value, for example
/// `exponential.mean: must be finite and greater than 0, got -1`.
#[derive(Debug, Clone, PartialEq)]
pub struct DistError {
    /// Distribution and parameter, such as `lognormal.cv`.
    pub param: &'static str,
    /// The rule the value breaks.
    pub rule: &'static str,
    /// The offending value, as written.
    pub value: String,
}

impl DistError {
    /// A long value (a list, a number with hundreds of digits) is kept
    /// as a short excerpt.
    pub(crate) fn new(param: &'static str, rule: &'static str, value: impl fmt::Display) -> Self {
        let value = crate::excerpt::short_numbers(&value.to_string());
        DistError {
            param,
            rule,
            value: crate::excerpt::excerpt(&value, 2 * crate::excerpt::MAX_QUOTED),
        }
    }
}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}, got {}", self.param, self.rule, self.value)
    }
}

impl std::error::Error for DistError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn error_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
        check::<DistError>();
        check::<ParseError>();
        assert!(
            std::mem::size_of::<Error>() <= 128,
            "kept small: boxed payloads"
        );
    }

    #[test]
    fn io_error_names_the_file_and_keeps_its_source() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = Error::read(Path::new("a/b.toml"), io);
        assert_eq!(e.to_string(), "a/b.toml: cannot be read: gone");
        assert_eq!(e.source().unwrap().to_string(), "gone");
    }

    #[test]
    fn parse_error_keeps_the_toml_error_and_takes_a_file() {
        let source = toml::from_str::<toml::Table>("a = ").unwrap_err();
        let text = source.to_string();
        let e = Error::parse(source, Some("a".into()), Some("bad".into()));
        assert_eq!(e.to_string(), "a: bad");
        let e = e.in_file(Path::new("s.toml"));
        assert_eq!(e.to_string(), "s.toml: a: bad");
        assert_eq!(e.source().unwrap().to_string(), text);
        assert!(e.source().unwrap().is::<toml::de::Error>());
        let Error::Parse(p) = e else { unreachable!() };
        assert_eq!(p.path.as_deref(), Some(Path::new("s.toml")));
    }

    #[test]
    fn shard_error_names_its_file_and_keeps_the_json_error() {
        let json = serde_json::from_str::<u8>("{").unwrap_err();
        let e = Error::Shard {
            file: None,
            shard: "shard".into(),
            reason: json.to_string(),
            source: Some(json),
        }
        .in_file(Path::new("s1.json"));
        assert!(e.to_string().starts_with("s1.json: shard: "), "{e}");
        assert!(e.source().is_some());
        assert!(
            Error::shard("shards", "nothing to merge")
                .source()
                .is_none()
        );
    }

    #[test]
    fn measure_error_chains_to_the_scenario_error() {
        let e = Error::Measure {
            field: "measures m".into(),
            reason: "the patched scenario is invalid".into(),
            source: Some(Box::new(Error::scenario(
                "stations.a.servers",
                "must be at least 1, got 0",
            ))),
        };
        let chain: Vec<String> =
            std::iter::successors(Some(&e as &(dyn std::error::Error + 'static)), |e| {
                (*e).source()
            })
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            chain,
            [
                "measures m: the patched scenario is invalid",
                "stations.a.servers: must be at least 1, got 0"
            ]
        );
    }

    #[test]
    fn unknown_kpi_names_the_closest_valid_names_not_every_name() {
        let known: Vec<String> = (0..200)
            .map(|i| format!("part{i}.utilization"))
            .chain(["desk.wait_mean_min".to_string()])
            .collect();
        let e = Error::UnknownKpi {
            option: "kpi".into(),
            name: "desk.wiat_mean_min".into(),
            closest: vec!["desk.wait_mean_min".into()],
            known: known.clone(),
        };
        assert_eq!(
            e.to_string(),
            "kpi: unknown KPI \"desk.wiat_mean_min\"; did you mean \"desk.wait_mean_min\"?"
        );
        let far = Error::UnknownKpi {
            option: "--kpi".into(),
            name: "lead_time".into(),
            closest: Vec::new(),
            known,
        };
        assert_eq!(
            far.to_string(),
            "--kpi: unknown KPI \"lead_time\"; none of the 201 KPIs is close; `cbec-sim explain <scenario> --kpis` lists them"
        );
    }

    #[test]
    fn messages_are_lowercase_without_a_trailing_period() {
        let errors = [
            Error::experiment("replications", "the range 3..3 is empty"),
            Error::Interrupted {
                finished: 0,
                requested: 8,
            },
            Error::shard("shards", "nothing to merge"),
            Error::measure("measure", "unknown measure \"x\""),
        ];
        for e in errors {
            let m = e.to_string();
            assert!(!m.ends_with('.'), "{m}");
            assert!(m.starts_with(|c: char| !c.is_uppercase()), "{m}");
        }
    }
}
