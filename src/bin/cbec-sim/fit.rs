//! `cbec-sim fit`: an operator's event log fitted through its map into a
//! scenario (the library's [`Calibration`] and [`fitted_scenario`] do the
//! work), optionally checked on held-out weeks ([`check_holdout`]).

use crate::common::{Failure, check_paths, failed, invalid, print, provenance, write_file};
use cbec_sim::calibrate::{
    Calibration, CalibrationOptions, EventLog, EventMap, FitOptions, HoldoutCheck, HoldoutOptions,
    Window, apply_shifts, check_holdout, fitted_scenario,
};
use cbec_sim::report::output::OutputKind;
use cbec_sim::{Assumptions, Error};
use jiff::civil::DateTime;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Options of `cbec-sim fit`.
#[derive(Debug, clap::Args)]
pub(crate) struct FitArgs {
    /// The operator's event log (CSV: order, event, time, ...).
    log: PathBuf,
    /// The event map (TOML): the log's events, stages, routes and demand,
    /// and what each calibrates in the template.
    #[arg(long, value_name = "MAP.toml")]
    map: PathBuf,
    /// The scenario the fit starts from (default: the map's `template`).
    #[arg(long, value_name = "TEMPLATE.toml")]
    scenario: Option<PathBuf>,
    /// Write the fitted scenario here, and its ranges beside it
    /// (`<stem>.assumptions.toml`).
    #[arg(long, value_name = "FITTED.toml")]
    out: Option<PathBuf>,
    /// Hold out the orders arriving from this point, fit on the rest, and
    /// check the fitted scenario on them: `last-week` (the log's last
    /// seven calendar days), a date (2024-01-22) or a date-time.
    #[arg(long, value_name = "WHEN")]
    holdout: Option<String>,
    /// Servers and shifts of the template's stations (a TOML file of
    /// `[stations.<name>]` tables with `servers` and `shifts`).
    #[arg(long, value_name = "SHIFTS.toml")]
    shifts: Option<PathBuf>,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// Bootstrap replicates of each goodness-of-fit test (0: no test).
    #[arg(long, default_value_t = 199, allow_negative_numbers = true, value_parser = crate::common::whole_number)]
    bootstrap: u64,
    /// Replications of the held-out weeks.
    #[arg(long, short = 'n', default_value_t = 20, allow_negative_numbers = true, value_parser = crate::common::whole_number)]
    replications: u64,
    /// Master seed (the bootstrap and the holdout's replications).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = crate::common::whole_number)]
    seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long, allow_negative_numbers = true, value_parser = crate::common::thread_count)]
    threads: Option<usize>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also write a self-contained HTML report (tables, quantile-quantile charts).
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
}

/// What `fit --json` prints.
#[derive(Serialize)]
struct FitDocument<'a> {
    calibration: &'a Calibration,
    fitted: Option<FittedFiles>,
    holdout: Option<&'a HoldoutCheck>,
}

#[derive(Serialize)]
struct FittedFiles {
    scenario: Option<String>,
    assumptions: Option<String>,
    calibrated: Vec<String>,
    staffed: Vec<String>,
    superseded: Vec<String>,
}

/// `<stem>.assumptions.toml` beside `out`.
fn assumptions_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(|| "fitted".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}.assumptions.toml"))
}

/// The cut of `--holdout WHEN` in a log from `start` to `end`.
fn parse_cut(when: &str, start: DateTime, end: DateTime) -> Result<DateTime, Failure> {
    let cut = if when == "last-week" {
        end.date()
            .checked_sub(jiff::Span::new().days(6))
            .map_err(|e| invalid(format!("--holdout last-week: {e}")))?
            .to_datetime(jiff::civil::Time::midnight())
    } else if let Ok(d) = when.parse::<jiff::civil::Date>() {
        d.to_datetime(jiff::civil::Time::midnight())
    } else {
        when.parse::<DateTime>().map_err(|_| {
            invalid(format!(
                "--holdout: must be `last-week`, a date such as 2024-01-22 or a date-time such as 2024-01-22T06:00, got \"{}\"",
                crate::common::excerpt(when)
            ))
        })?
    };
    if cut <= start || cut > end {
        return Err(invalid(format!(
            "--holdout {when}: the cut {cut} must be after the log's first row ({start}) and not after its last ({end}), so that there is something to fit and something to check"
        )));
    }
    Ok(cut)
}

/// Fits, writes, checks, prints.
pub(crate) fn fit_command(args: &FitArgs) -> Result<(), Failure> {
    crate::common::set_threads(args.threads)?;
    if !(args.level > 0.0 && args.level < 1.0) {
        return Err(invalid(format!(
            "--level: must be between 0 and 1, got {}",
            args.level
        )));
    }
    let assumptions_out = args.out.as_deref().map(assumptions_path);
    check_paths(&[
        ("--out", args.out.as_deref(), OutputKind::File),
        (
            "--out (its assumptions)",
            assumptions_out.as_deref(),
            OutputKind::File,
        ),
        ("--report", args.report.as_deref(), OutputKind::File),
    ])?;
    let map = EventMap::from_path(&args.map).map_err(|e| invalid(format!("--map {e}")))?;
    let template = args
        .scenario
        .clone()
        .or_else(|| map.template().map(Path::to_path_buf));
    if template.is_none() && (args.out.is_some() || args.holdout.is_some()) {
        return Err(invalid(format!(
            "{} needs a template scenario to set the fitted values in: give --scenario TEMPLATE.toml or `template = \"...\"` in the map",
            if args.out.is_some() {
                "--out"
            } else {
                "--holdout"
            }
        )));
    }
    let log_err = |e: Error| invalid(format!("{e}"));
    let whole = EventLog::from_path(&args.log, &map).map_err(log_err)?;
    let cut = match &args.holdout {
        Some(when) => Some(parse_cut(when, whole.start(), whole.end())?),
        None => None,
    };
    let log = match cut {
        Some(c) => EventLog::from_path_in(&args.log, &map, Window::until(c)).map_err(log_err)?,
        None => whole,
    };
    let options = CalibrationOptions {
        fit: FitOptions::default()
            .with_bootstrap(args.bootstrap as usize)
            .with_seed(args.seed),
        ..CalibrationOptions::default()
    }
    .with_level(args.level);
    let calibration = Calibration::from_log(&log, &map, &options)
        .map_err(|e| invalid(format!("--map {}: {e}", args.map.display())))?;
    let mut fitted = None;
    let mut files = None;
    if let Some(path) = &template {
        let text = std::fs::read_to_string(path)
            .map_err(|e| invalid(format!("--scenario {}: {e}", path.display())))?;
        let mut doc: toml::Table = toml::from_str(&text)
            .map_err(|e| invalid(format!("--scenario {}: {e}", path.display())))?;
        let staffed = match &args.shifts {
            Some(s) => {
                let shifts = std::fs::read_to_string(s)
                    .map_err(|e| invalid(format!("--shifts {}: {e}", s.display())))?;
                apply_shifts(&mut doc, &shifts)
                    .map_err(|e| invalid(format!("--shifts {}: {e}", s.display())))?
            }
            None => Vec::new(),
        };
        let calibrated = calibration
            .calibrated(&map, &doc)
            .map_err(|e| invalid(format!("--map {}: {e}", args.map.display())))?;
        let own = match Assumptions::beside(path) {
            Some(p) => Some(Assumptions::from_path(&p).map_err(|e| invalid(format!("{e}")))?),
            None => None,
        };
        let header = header(args, path, &calibration, &staffed);
        let f = fitted_scenario(&doc, &header, &calibrated, own.as_ref()).map_err(|e| {
            invalid(format!(
                "--scenario {}: the fitted values do not fit it: {e}",
                path.display()
            ))
        })?;
        files = Some(FittedFiles {
            scenario: args.out.as_ref().map(|p| p.display().to_string()),
            assumptions: assumptions_out.as_ref().map(|p| p.display().to_string()),
            calibrated: calibrated.iter().map(|c| c.path.clone()).collect(),
            staffed,
            superseded: f.superseded.clone(),
        });
        fitted = Some(f);
    }
    let holdout = match (cut, &fitted) {
        (Some(c), Some(f)) => Some(
            check_holdout(
                &f.scenario,
                &map,
                &args.log,
                c,
                &HoldoutOptions {
                    replications: args.replications,
                    seed: args.seed,
                    level: args.level,
                    ..HoldoutOptions::default()
                },
            )
            .map_err(|e| invalid(format!("--holdout: {e}")))?,
        ),
        _ => None,
    };
    let written = match (&fitted, &args.out, &assumptions_out) {
        (Some(f), Some(out), Some(ranges)) => {
            write_file(out, &f.text).and_then(|()| write_file(ranges, &f.assumptions_text))
        }
        _ => Ok(()),
    };
    let report = match &args.report {
        Some(file) => {
            cbec_sim::report::calibration_html(&calibration, holdout.as_ref(), &provenance())
                .map_err(failed)
                .and_then(|html| write_file(file, &html))
        }
        None => Ok(()),
    };
    let text = if args.json {
        serde_json::to_string_pretty(&FitDocument {
            calibration: &calibration,
            fitted: files,
            holdout: holdout.as_ref(),
        })
        .map_err(failed)?
            + "\n"
    } else {
        let mut t = calibration.to_string();
        if let Some(h) = &holdout {
            t.push('\n');
            t.push_str(&h.to_string());
        }
        if let (Some(out), Some(ranges)) = (&args.out, &assumptions_out) {
            t.push_str(&format!(
                "\nfitted scenario written to {}, its ranges to {}\n",
                out.display(),
                ranges.display()
            ));
        }
        t
    };
    print(&text)?;
    written.and(report)
}

/// The fitted scenario's header: where it came from, how to reproduce it.
fn header(args: &FitArgs, template: &Path, c: &Calibration, staffed: &[String]) -> String {
    let mut h = format!(
        "Fitted by cbec-sim {} from the event log {} ({} rows, {} orders, {} to {})\nthrough the map {}, starting from the template {}.\n",
        env!("CARGO_PKG_VERSION"),
        args.log.display(),
        c.rows,
        c.orders,
        c.start,
        c.end,
        args.map.display(),
        template.display()
    );
    h.push_str("Every number the map calibrates is tagged C in the assumptions file beside this one, with the fit's interval as its range;\nthe other numbers are the template's.\n");
    if !staffed.is_empty() {
        h.push_str(&format!(
            "Staffing from {}: {}.\n",
            args.shifts
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string()),
            staffed.join(", ")
        ));
    }
    h.push_str(&format!(
        "Reproduce: cbec-sim fit {} --map {}{} --seed {} --bootstrap {} --level {}",
        args.log.display(),
        args.map.display(),
        args.holdout
            .as_ref()
            .map_or(String::new(), |w| format!(" --holdout {w}")),
        args.seed,
        args.bootstrap,
        args.level
    ));
    h
}
