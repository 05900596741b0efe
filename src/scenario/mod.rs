//! Scenario files: the TOML form of a model.
//!
//! A scenario is plain serde data; [`Scenario::build`] checks it and compiles
//! it into a [`Model`] through the same [`ModelBuilder`] the Rust API uses,
//! so a file and the equivalent Rust code give equal models.
//!
//! ```toml
//! [simulation]
//! horizon_h = 1000        # run length, hours
//! warmup_h = 100          # statistics restart after this, hours
//!
//! [sources.orders]
//! rate_per_hour = 100
//! to = "review"
//! classes = { standard = 0.9, express = 0.1 }   # optional
//!
//! [stations.review]
//! servers = 2             # or "infinite"
//! service_time_min = { dist = "lognormal", mean = 1.5, cv = 1.0 }
//! to = "split"
//! milestone = "declared"  # optional
//!
//! [routers.split]
//! routes = [{ to = "inspection", prob = 0.05 }, { to = "released", prob = 0.95 }]
//!
//! [stations.inspection]
//! servers = 2
//! service_time_min = { dist = "exponential", mean = 20 }
//! to = "released"
//!
//! [sinks.released]
//! milestone = "released"
//!
//! [intervals.clearance]
//! from = "declared"
//! to = "released"
//! ```
//!
//! The logistics parts, in the same file form (see each type for its
//! semantics):
//!
//! ```toml
//! [simulation]
//! horizon_h = 168
//! start = "2024-11-04T00:00"      # local port time of time zero
//! sample_every_min = 60           # queue-length time series for charts
//!
//! [sources.orders]                # one of: rate_per_hour, profile, timetable, replay_csv
//! profile = { hourly_per_hour = [5,5,5,5,5,5,5,10,20,40,40,40,40,40,40,40,40,40,20,20,20,10,10,5],
//!             weekday_factors = { sat = 0.5 },
//!             dates = [{ date = "2024-11-11", factor = 4.0, first_hour_factor = 6.0 }] }
//! to = "documents"
//! attributes = { basket_value_cny = { dist = "lognormal", mean = 250, cv = 1.2 } }
//! categories = { category = { cosmetics = 0.4, food = 0.6 } }
//!
//! [sources.flights]
//! timetable = [{ days = ["mon", "wed", "fri"], at = "06:30", batch = { dist = "uniform", low = 200, high = 400 } }]
//! to = "documents"
//!
//! [delays.documents]              # the latest of three messages
//! latest_of_min = { order = { dist = "exponential", mean = 0.5 }, payment = { dist = "exponential", mean = 0.3 } }
//! to = "limit"
//!
//! [routers.limit]                 # rules first, then probabilities
//! rules = [{ attribute = "basket_value_cny", op = ">", value = 5000, to = "rejected" }]
//! routes = [{ to = "review", prob = 1.0 }]
//!
//! [stations.review]
//! servers = 2                     # outside every shift
//! service_time_min = { dist = "lognormal", mean = 10, cv = 1.0 }
//! to = "trucks"
//! shifts = [{ days = ["mon", "tue", "wed", "thu", "fri"], from = "08:30", to = "17:30", servers = 6 }]
//! priorities = { express = 0 }
//! queue_capacity = 500
//! overflow = "block"              # or { reject_to = "node" }
//! patience_min = { dist = "exponential", mean = 2880 }
//! renege_to = "cancelled"
//! breakdowns = { time_between_failures_h = { dist = "exponential", mean = 240 }, repair_time_min = { dist = "uniform", low = 15, high = 120 } }
//! increment = "attempts"          # an attempt counter for rework rules
//!
//! [dispatches.trucks]
//! departures = [{ at = "10:00" }, { at = "16:00" }]
//! capacity = 3000
//! batch_size = 3000               # optional: leave as soon as a load is full
//! to = "released"
//! ```
//!
//! The CBEC rules and the planner view (see [`CbecTax`] and [`ReportSpec`]),
//! and a service time per item:
//!
//! ```toml
//! [stations.pick]
//! servers = 20
//! service_time_min = { dist = "lognormal", mean = 0.5, cv = 0.5 }   # per item
//! service_scaled_by = "items"     # a numeric attribute of the order
//! to = "pack"
//!
//! [tax]                           # composite CBEC tax, assessed at a milestone
//! at = "released"
//! value_attribute = "basket_value_cny"
//! category_attribute = "category"
//! rates = { cosmetics = { vat = 0.13, consumption = 0.15 }, food = { vat = 0.13 } }
//!
//! [report]                        # which parts the planner KPIs read
//! released = "clearance"
//! lead_time = "order_to_exit"
//! clearance = "clearance"
//! utilization = { officers = "manual_review" }
//! ```
//!
//! Measures change a scenario by parameter path: see [`Measure`] and
//! [`Scenario::with_measures`].
//!
//! Every unknown key is an error. Units are in the field names: `_h` hours,
//! `_min` minutes, `_per_hour` a rate, `_cny` yuan.

mod assumption;
mod files;
mod locate;
mod measure;
mod order_log;
mod patch_path;
mod variants;
mod wrong_type;

pub use assumption::{Assumption, AssumptionValue, Assumptions, RangeShape};
pub use measure::{Measure, MeasureKind, Patch, PatchOp};

use crate::error::{Error, Result};
use crate::model::{Model, ModelBuilder, OrderLog, Source};
use crate::suggest::MAX_SUGGESTIONS;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A parse error with, for an unknown key, the table it is in and the
/// closest valid key.
fn explain_parse_error(text: &str, e: toml::de::Error) -> Error {
    let at = e.span().map_or(0, |s| s.start).min(text.len());
    // The table the error is in: the last `[header]` above it; and the key
    // on the error's line.
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let table = before[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        (l.starts_with('[') && !l.starts_with("[["))
            .then(|| l.trim_matches(|c| c == '[' || c == ']').to_string())
    });
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('[') && !k.contains(' ') && !k.contains('{'));
    let message = e.message().to_string();
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once("`, expected one of "));
    let (field, full) = match unknown {
        Some((name, expected)) => {
            let valid: Vec<&str> = expected.split(", ").map(|k| k.trim_matches('`')).collect();
            let close = crate::suggest::closest(name, valid.iter().copied(), MAX_SUGGESTIONS);
            let hint = crate::suggest::did_you_mean(&close)
                .map(|d| format!("; {d}"))
                .unwrap_or_default();
            let on_header = line.trim_start().starts_with('[');
            let mut parts: Vec<&str> = Vec::new();
            if let Some(t) = table.as_deref().filter(|t| !t.is_empty() && !on_header) {
                parts.push(t);
            }
            if let Some(k) = key.as_deref().filter(|k| *k != name && !on_header) {
                parts.push(k);
            }
            parts.push(name);
            let field = parts.join(".");
            let full = e.to_string().replace(
                &message,
                &format!(
                    "unknown key \"{name}\"{hint} (valid keys here: {})",
                    valid.join(", ")
                ),
            );
            (field, full)
        }
        None => {
            // An error on a `[header]` line (a missing field, a duplicate
            // table) is about that table, not the one above it.
            let here = line.trim();
            let table = if here.starts_with('[') && !here.starts_with("[[") {
                here.split(']')
                    .next()
                    .map(|t| t.trim_start_matches('[').trim().to_string())
            } else {
                table
            };
            let field = match (&table, &key) {
                (Some(t), Some(k)) => format!("{t}.{k}"),
                (None, Some(k)) => k.clone(),
                (Some(t), None) => t.clone(),
                (None, None) => return Error::parse(e, None, None),
            };
            // A value of the wrong type: the field it is in, and the form
            // that field takes, in place of serde's `expected f64`.
            match wrong_type::explain(&field, &message) {
                Some((_, raw)) => {
                    let field = locate::path_at(text, &field, at, raw.as_deref()).unwrap_or(field);
                    let (said, _) = wrong_type::explain(&field, &message).expect("explained above");
                    let full = e.to_string().replace(&message, &format!("{field}: {said}"));
                    (field, full)
                }
                None => (field, e.to_string()),
            }
        }
    };
    Error::parse(e, Some(field), Some(full))
}

/// A whole scenario as written in a TOML file: the [`ModelBuilder`] that
/// describes the model (its fields are the file's tables, reached through
/// `Deref`: `scenario.stations["review"]`), and the folder the file was
/// read from.
///
/// `Scenario` is the serde face of a [`ModelBuilder`]: the same fields,
/// checked in one place when the model is built. It adds what only a file
/// has: where relative paths (replayed order logs) are read from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Scenario {
    description: ModelBuilder,
    /// Folder of the scenario file, against which relative paths are read.
    #[serde(skip)]
    pub base_dir: Option<PathBuf>,
    /// The file's text, to give the line and column of a field in errors.
    #[serde(skip)]
    text: Option<std::sync::Arc<str>>,
}

/// Two scenarios are equal when they describe the same model from the
/// same folder (the text they were read from does not count).
impl PartialEq for Scenario {
    fn eq(&self, other: &Self) -> bool {
        self.description == other.description && self.base_dir == other.base_dir
    }
}

impl std::ops::Deref for Scenario {
    type Target = ModelBuilder;
    fn deref(&self) -> &ModelBuilder {
        &self.description
    }
}

impl std::ops::DerefMut for Scenario {
    fn deref_mut(&mut self) -> &mut ModelBuilder {
        &mut self.description
    }
}

impl From<ModelBuilder> for Scenario {
    fn from(description: ModelBuilder) -> Self {
        Scenario {
            description,
            base_dir: None,
            text: None,
        }
    }
}

impl Scenario {
    /// Parses a scenario from TOML text.
    ///
    /// # Errors
    /// [`Error::Parse`] with the field path, line, column and key of the
    /// first problem (a syntax error; a value of the wrong type, at its own
    /// path with the form its field takes, read from the unit in its name;
    /// an unknown key with the closest valid ones; or an invalid
    /// distribution), keeping the TOML error as its source.
    ///
    /// # Examples
    /// ```
    /// let err = cbec_sim::Scenario::from_toml_str("[simulation]\nhorizon_h = \"8 days\"\n")
    ///     .unwrap_err()
    ///     .to_string();
    /// assert!(err.starts_with("simulation.horizon_h: "), "{err}");
    /// assert!(
    ///     err.ends_with("\"8 days\" is not a number; expected a number of hours, e.g. 48"),
    ///     "{err}"
    /// );
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| explain_parse_error(text, e))
    }

    /// Reads and parses a scenario file.
    ///
    /// Only a regular file of at most 64 MiB is read: a FIFO, a device or
    /// a folder is refused before it is opened for reading.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file if it cannot be read, is not a
    /// regular file or is too large (the io error is the source); otherwise as [`Scenario::from_toml_str`], with the file
    /// named in [`Error::Parse`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let mut file = files::open_regular(path, files::MAX_SCENARIO_BYTES)
            .map_err(|e| Error::read(path, e))?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).map_err(|e| Error::read(path, e))?;
        let mut scenario = Self::from_toml_str(&text).map_err(|e| e.in_file(path))?;
        scenario.base_dir = path.parent().map(Path::to_path_buf);
        scenario.text = Some(text.into());
        Ok(scenario)
    }

    /// The model builder this scenario describes, with every replayed
    /// order log read (relative paths from the scenario file's folder).
    ///
    /// # Errors
    /// [`Error::Scenario`] at `sources.<name>.replay_csv` if a log cannot
    /// be read.
    pub fn to_builder(&self) -> Result<ModelBuilder> {
        let mut b = self.description.clone();
        for (name, s) in &mut b.sources {
            *s = self.with_log_read(name, s)?;
        }
        Ok(b)
    }

    /// Source `name` with its `replay_csv` log read (a relative path from
    /// the scenario file's folder), unless it already holds one.
    fn with_log_read(&self, name: &str, s: &Source) -> Result<Source> {
        let mut s = s.clone();
        if let (Some(path), None) = (&s.replay_csv, &s.replay_log) {
            let full = match &self.base_dir {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path.clone(),
            };
            let log = OrderLog::from_path(&full).map_err(|e| match e {
                Error::Scenario { reason, .. } => {
                    Error::scenario(format!("sources.{name}.replay_csv"), reason)
                }
                other => other,
            })?;
            s.replay_log = Some(std::sync::Arc::new(log));
        }
        Ok(s)
    }

    /// Checks the scenario and compiles it into a model.
    ///
    /// # Errors
    /// [`Error::Scenario`] naming the first offending field; for a
    /// scenario read by [`Scenario::from_path`], with the line and column
    /// of the field in the file before the rule
    /// (`stations.desk.servers: line 12, column 11: must be at least 1, got 0`).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// use cbec_sim::Scenario;
    /// let text = r#"
    ///     simulation = { horizon_h = 10 }
    ///     sources.orders = { rate_per_hour = 20, to = "desk" }
    ///     stations.desk = { servers = 0, service_time_min = { dist = "exponential", mean = 2 }, to = "done" }
    ///     sinks.done = {}
    /// "#;
    /// let err = Scenario::from_toml_str(text)?.build().unwrap_err();
    /// assert_eq!(err.to_string(), "stations.desk.servers: must be at least 1, got 0");
    /// # Ok(()) }
    /// ```
    pub fn build(&self) -> Result<Model> {
        let built = self.to_builder().and_then(ModelBuilder::build);
        match &self.text {
            Some(text) => built.map_err(|e| locate::with_location(e, text)),
            None => built,
        }
    }

    /// The scenario as a TOML document (every field, defaults included).
    ///
    /// # Errors
    /// [`Error::Scenario`] if a value cannot be written as TOML.
    pub fn to_document(&self) -> Result<toml::Table> {
        toml::Table::try_from(self)
            .map_err(|e| Error::scenario("scenario", format!("cannot be written as TOML: {e}")))
    }

    /// Reads a scenario from a TOML document.
    ///
    /// # Errors
    /// [`Error::Parse`] at `scenario`, as [`Scenario::from_toml_str`] but
    /// without line and column; a value of the wrong type (a patched or
    /// swept value) is named at its own path, with the form it takes
    /// (`stations.desk.to: 3 is not text; expected a name in quotes, e.g. "3"`).
    pub fn from_document(doc: toml::Table) -> Result<Self> {
        Self::deserialize(doc).map_err(|e| {
            // The reader names the key path of a value of the wrong type
            // (`... expected f64\nin `stations.desk.servers``).
            let text = e.to_string();
            let (message, path) = match text.trim_end().rsplit_once("\nin `") {
                Some((m, p)) => (m.to_string(), p.strip_suffix('`').map(str::to_string)),
                None => (text.clone(), None),
            };
            match (
                &path,
                path.as_deref()
                    .and_then(|p| wrong_type::explain(p, &message)),
            ) {
                (Some(p), Some((said, _))) => Error::parse(e, Some(p.clone()), Some(said)),
                _ => Error::parse(e, Some("scenario".into()), None),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// The shipped tandem line.
    const TANDEM: &str = include_str!("../../scenarios/tandem.toml");

    /// The tandem line with a typo in a key.
    fn typo() -> String {
        TANDEM.replace("servers = 3", "servrs = 3")
    }

    #[test]
    fn from_toml_str_ok() {
        let s = Scenario::from_toml_str(TANDEM).unwrap();
        assert_eq!(s.simulation.horizon_h, Some(1000.0));
        assert!(s.build().is_ok());
    }

    #[test]
    fn unknown_key_is_a_parse_error_with_its_field_and_source() {
        let err = Scenario::from_toml_str(&typo()).unwrap_err();
        assert!(
            err.source().unwrap().is::<toml::de::Error>(),
            "the TOML error is kept"
        );
        let Error::Parse(p) = err else {
            panic!("{err}");
        };
        assert_eq!(
            (p.path.as_deref(), p.field.as_deref()),
            (None, Some("stations.customs_review.servrs"))
        );
        assert!(
            p.message.contains("did you mean \"servers\"?"),
            "{}",
            p.message
        );
    }

    #[test]
    fn a_missing_field_or_duplicate_table_names_its_own_table() {
        let field = |text: &str| match Scenario::from_toml_str(text).unwrap_err() {
            Error::Parse(p) => p.field.unwrap_or_default(),
            e => panic!("{e}"),
        };
        let missing = "[simulation]\nhorizon_h = 1\n\n[stations.desk]\nservers = 1\nto = \"x\"\n";
        assert_eq!(field(missing), "stations.desk");
        let twice = "[sinks.a]\n[stations.desk]\nservers = 1\n[stations.desk]\nservers = 2\n";
        assert_eq!(field(twice), "stations.desk");
    }

    #[test]
    fn a_value_of_the_wrong_type_names_the_field_and_the_form_it_takes() {
        let err = |from: &str, to: &str| {
            let text = TANDEM.replace(from, to);
            assert_ne!(text, TANDEM, "{from}");
            match Scenario::from_toml_str(&text).unwrap_err() {
                Error::Parse(p) => (p.field.unwrap_or_default(), p.message),
                e => panic!("{e}"),
            }
        };
        let (field, message) = err("horizon_h = 1000", "horizon_h = \"8 days\"");
        assert_eq!(field, "simulation.horizon_h");
        assert!(
            message.ends_with(
                "\nsimulation.horizon_h: \"8 days\" is not a number; expected a number of hours, e.g. 48"
            ),
            "{message}"
        );
        assert!(message.contains("line 6, column 13"), "{message}");
        let (field, message) = err("mean = 20.0", "mean = \"20 min\"");
        assert!(field.ends_with(".service_time_min.mean"), "{field}");
        assert!(
            message.ends_with("\"20 min\" is not a number; expected a number of minutes, e.g. 30"),
            "{message}"
        );
    }

    #[test]
    fn a_wrong_type_in_a_multi_line_list_or_a_dotted_key_finds_its_path() {
        let field = |text: &str| match Scenario::from_toml_str(text).unwrap_err() {
            Error::Parse(p) => (p.field.unwrap_or_default(), p.message),
            e => panic!("{e}"),
        };
        let (f, m) = field(
            "[routers.split]\nroutes = [\n  { to = \"a\", prob = 0.5 },\n  { to = \"b\", prob = \"half\" },\n]\n",
        );
        assert_eq!(f, "routers.split.routes[1].prob");
        assert!(
            m.ends_with("\"half\" is not a number; expected a share between 0 and 1, e.g. 0.05"),
            "{m}"
        );
        let (f, m) = field(
            "stations.desk = { servers = 1, service_time_min = { dist = \"exponential\", mean = \"2 min\" }, to = \"done\" }\n",
        );
        assert_eq!(f, "stations.desk.service_time_min.mean");
        assert!(m.ends_with("expected a number of minutes, e.g. 30"), "{m}");
    }

    #[test]
    fn a_patched_value_of_the_wrong_type_names_its_path() {
        let mut doc = Scenario::from_toml_str(TANDEM)
            .unwrap()
            .to_document()
            .unwrap();
        doc["simulation"]["horizon_h"] = toml::Value::String("8 days".into());
        let err = Scenario::from_document(doc).unwrap_err();
        assert_eq!(
            err.to_string(),
            "simulation.horizon_h: \"8 days\" is not a number; expected a number of hours, e.g. 48"
        );
        assert!(err.source().is_some(), "the TOML error is kept");
    }

    #[test]
    fn syntax_error_without_a_key_is_a_parse_error() {
        let err = Scenario::from_toml_str("[simulation\n").unwrap_err();
        assert!(matches!(err, Error::Parse(_)), "{err}");
        assert!(err.source().is_some());
    }

    #[test]
    fn from_path_names_the_file_and_keeps_the_io_error() {
        let err = Scenario::from_path("/no/such/scenario.toml").unwrap_err();
        let Error::Io { ref path, .. } = err else {
            panic!("{err}");
        };
        assert_eq!(path, Path::new("/no/such/scenario.toml"));
        assert!(
            err.to_string()
                .starts_with("/no/such/scenario.toml: cannot be read: ")
        );
        let io = err
            .source()
            .unwrap()
            .downcast_ref::<std::io::Error>()
            .unwrap();
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn from_path_names_the_file_of_a_parse_error() {
        let dir =
            std::env::temp_dir().join(format!("cbec-sim-scenario-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("typo.toml");
        std::fs::write(&file, typo()).unwrap();
        let err = Scenario::from_path(&file).unwrap_err();
        assert!(
            err.to_string().starts_with(&format!(
                "{}: stations.customs_review.servrs: ",
                file.display()
            )),
            "{err}"
        );
        assert!(
            err.source()
                .unwrap()
                .downcast_ref::<toml::de::Error>()
                .is_some()
        );
        std::fs::write(&file, TANDEM).unwrap();
        let ok = Scenario::from_path(&file).unwrap();
        assert_eq!(ok.base_dir.as_deref(), Some(dir.as_path()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn run_length_rules() {
        let with = |horizon: &str, warmup: &str| {
            let text = TANDEM
                .replace("horizon_h = 1000", &format!("horizon_h = {horizon}"))
                .replace("warmup_h = 20", warmup);
            Scenario::from_toml_str(&text)
                .unwrap()
                .build()
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(with("10", "warmup_h = 2"), Ok(()));
        assert_eq!(
            with("0", "warmup_h = 0"),
            Err("simulation.horizon_h: must be finite and greater than 0, got 0".into())
        );
        assert_eq!(
            with("10", "warmup_h = 10"),
            Err(
                "simulation.warmup_h: must be shorter than simulation.horizon_h (10), got 10"
                    .into()
            )
        );
        assert_eq!(
            with("10", "sample_every_min = -1"),
            Err("simulation.sample_every_min: must be finite and greater than 0, got -1".into())
        );
    }

    #[test]
    fn document_round_trip_and_its_errors() {
        let s = Scenario::from_toml_str(TANDEM).unwrap();
        let doc = s.to_document().unwrap();
        assert_eq!(Scenario::from_document(doc.clone()).unwrap(), s);
        let mut bad = doc;
        bad.insert("extra".into(), toml::Value::Integer(1));
        let err = Scenario::from_document(bad).unwrap_err();
        assert!(matches!(err, Error::Parse(_)), "{err}");
        assert!(err.to_string().starts_with("scenario: "), "{err}");
    }

    #[test]
    fn a_patched_scenario_that_breaks_a_rule_keeps_the_cause() {
        let base = Scenario::from_toml_str(TANDEM).unwrap();
        let zero = Measure::new(
            "no_desk",
            "t",
            "p",
            vec![Patch::new(
                "stations.customs_review.servers",
                PatchOp::Set(toml::Value::String("none".into())),
                "[A]",
            )],
        );
        let err = base.with_measures([&zero]).unwrap_err();
        assert!(matches!(err, Error::Measure { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("measures no_desk: the patched scenario is invalid: "),
            "{err}"
        );
        // The source is the boxed error of the patched scenario.
        let cause = err.source().unwrap().downcast_ref::<Box<Error>>().unwrap();
        assert!(matches!(**cause, Error::Parse(_)), "{cause}");
        assert!(
            cause.source().is_some(),
            "and the chain goes on to the TOML error"
        );
    }
}
