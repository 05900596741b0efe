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
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    level: f64,
    /// Bootstrap replicates of each goodness-of-fit test (0: no test).
    #[arg(long, default_value_t = 199, allow_negative_numbers = true, value_parser = crate::common::whole_number)]
    bootstrap: u64,
    /// Replications of the held-out weeks.
    #[arg(long, short = 'n', default_value_t = 20, allow_negative_numbers = true, value_parser = crate::common::whole_number)]
    replications: u64,
    /// Hours simulated before the holdout's cut, replaying the log's own
    /// orders, so the held-out weeks open with a loaded line (longer for
    /// stages that last days).
    #[arg(long = "lead-in", value_name = "HOURS", default_value_t = 48.0)]
    lead_in: f64,
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
    } else if let Some(offset) = cbec_sim::calendar::utc_offset(when) {
        return Err(invalid(format!(
            "--holdout: must be local time without a UTC offset (\"{}\" is refused rather than ignored), got \"{}\"",
            crate::common::excerpt(offset),
            crate::common::excerpt(when)
        )));
    } else if !when.contains(['T', 't', ' '])
        && let Ok(d) = when.parse::<jiff::civil::Date>()
    {
        // A plain date only: the date parser would also take a date-time
        // and drop its time of day.
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

/// The first line of a fitted scenario that `cbec-sim fit` writes.
const FITTED_MARK: &str = "# Fitted by cbec-sim ";
/// The first line of the assumptions file written beside it.
const RANGES_MARK: &str = "# Ranges of the fitted scenario's numbers";

/// Refuses outputs that would replace an input, each other, or a file
/// that `cbec-sim fit` did not write (`--out` and its assumptions file
/// must be new or begin with the line a fit writes first). Paths that are
/// not regular files (`/dev/null`, a FIFO) are left to `check_paths`.
fn check_outputs(
    outputs: &[(&str, Option<&Path>, Option<&str>)],
    inputs: &[(&str, Option<&Path>)],
) -> Result<(), Failure> {
    let regular_or_new = |p: &Path| std::fs::metadata(p).map_or(true, |m| m.is_file());
    let present: Vec<(&str, &Path, Option<&str>)> = outputs
        .iter()
        .filter_map(|&(f, p, m)| p.filter(|p| regular_or_new(p)).map(|p| (f, p, m)))
        .collect();
    for (i, &(flag, out, mark)) in present.iter().enumerate() {
        for &(what, input) in inputs {
            if let Some(input) = input
                && crate::common::same_file(out, input)
            {
                return Err(invalid(format!(
                    "{flag} {}: is {what}; a fit never replaces its inputs: give another file name",
                    out.display()
                )));
            }
        }
        for &(other, earlier, _) in &present[..i] {
            if crate::common::same_file(out, earlier) {
                return Err(invalid(format!(
                    "{flag} {}: is also {other}; give each output its own file",
                    out.display()
                )));
            }
        }
        if let Some(mark) = mark
            && std::fs::metadata(out).is_ok_and(|m| m.is_file())
        {
            let mut head = [0u8; 64];
            let n = std::fs::File::open(out)
                .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                .unwrap_or(0);
            if !head[..n].starts_with(mark.as_bytes()) {
                return Err(invalid(format!(
                    "{flag} {}: exists and was not written by `cbec-sim fit` (its first line is not \"{}\"); a fit replaces only its own files: remove it or give another file name",
                    out.display(),
                    mark.trim_end()
                )));
            }
        }
    }
    Ok(())
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
    if args.bootstrap > cbec_sim::calibrate::MAX_BOOTSTRAP as u64 {
        return Err(invalid(format!(
            "--bootstrap: must be at most {} replicates (a p-value to 1/{}), got {}",
            cbec_sim::calibrate::MAX_BOOTSTRAP,
            cbec_sim::calibrate::MAX_BOOTSTRAP + 1,
            args.bootstrap
        )));
    }
    let most = cbec_sim::calibrate::MAX_HOLDOUT_REPLICATIONS;
    if args.holdout.is_some() && !(2..=most).contains(&args.replications) {
        return Err(invalid(format!(
            "--replications: the holdout check needs from 2 (for its intervals) to {most}, got {}",
            args.replications
        )));
    }
    if let Some(out) = &args.out
        && std::fs::metadata(out).is_ok_and(|m| !m.is_file() && !m.is_dir())
    {
        return Err(invalid(format!(
            "--out {}: must be a regular file (new or a fitted scenario): its assumptions file is written beside it",
            out.display()
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
    let template_flag = if args.scenario.is_some() {
        "--scenario".to_string()
    } else {
        format!("--map {}: template", args.map.display())
    };
    let own_assumptions = template.as_deref().and_then(Assumptions::beside);
    check_outputs(
        &[
            ("--out", args.out.as_deref(), Some(FITTED_MARK)),
            (
                "--out (its assumptions)",
                assumptions_out.as_deref(),
                Some(RANGES_MARK),
            ),
            ("--report", args.report.as_deref(), None),
        ],
        &[
            ("the log", Some(&args.log)),
            ("the map", Some(&args.map)),
            ("the template", template.as_deref()),
            ("the template's assumptions", own_assumptions.as_deref()),
            ("the shift file", args.shifts.as_deref()),
        ],
    )?;
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
            .map_err(|e| invalid(format!("{template_flag} {}: {e}", path.display())))?;
        let mut doc: toml::Table = toml::from_str(&text)
            .map_err(|e| invalid(format!("{template_flag} {}: {e}", path.display())))?;
        let staffed = match &args.shifts {
            Some(s) => {
                let flag = format!("--shifts {}", s.display());
                let shifts =
                    std::fs::read_to_string(s).map_err(|e| invalid(format!("{flag}: {e}")))?;
                let set =
                    apply_shifts(&mut doc, &shifts).map_err(|e| invalid(format!("{flag}: {e}")))?;
                // The staffing is checked on its own, so that a bad value
                // is blamed on the shift file, not on the fit.
                let staffed_text = toml::to_string(&doc).map_err(failed)?;
                cbec_sim::Scenario::from_toml_str(&staffed_text)
                    .and_then(|s| s.build().map(drop))
                    .map_err(|e| {
                        invalid(format!(
                            "{flag}: the staffing does not fit the template {}: {e}",
                            path.display()
                        ))
                    })?;
                set
            }
            None => Vec::new(),
        };
        let calibrated = calibration
            .calibrated(&map, &doc)
            .map_err(|e| invalid(format!("--map {}: {e}", args.map.display())))?;
        let mut own = match &own_assumptions {
            Some(p) => Some(Assumptions::from_path(p).map_err(|e| invalid(format!("{e}")))?),
            None => None,
        };
        // The template's ranges over what the shift file set no longer
        // hold: they are superseded, as those over calibrated numbers are.
        let mut unstaffed = Vec::new();
        if let Some(own) = &mut own {
            let under = |p: &str| {
                staffed.iter().any(|s| {
                    p == s || p.starts_with(&format!("{s}.")) || p.starts_with(&format!("{s}["))
                })
            };
            own.list.retain(|a| {
                let keep = !(under(&a.path) || a.together.iter().any(|p| under(p)));
                if !keep {
                    unstaffed.push(a.path.clone());
                }
                keep
            });
        }
        let header = header(args, path, &calibration, &staffed);
        let mut f =
            fitted_scenario(&doc, &header, &calibrated, own.as_ref()).map_err(|e| match &e {
                Error::Scenario { field, .. }
                    if field.starts_with("stages.")
                        || field.starts_with("routes.")
                        || field == "demand" =>
                {
                    invalid(format!(
                        "--map {}: {e} (the template: {})",
                        args.map.display(),
                        path.display()
                    ))
                }
                _ => invalid(format!(
                    "{template_flag} {}: the fitted values do not fit it: {e}",
                    path.display()
                )),
            })?;
        f.superseded.extend(unstaffed);
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
                    lead_in_h: args.lead_in,
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
        "Reproduce: cbec-sim fit {} --map {}{}{}{} --seed {} --bootstrap {} --level {}",
        args.log.display(),
        args.map.display(),
        args.scenario
            .as_ref()
            .map_or(String::new(), |p| format!(" --scenario {}", p.display())),
        args.shifts
            .as_ref()
            .map_or(String::new(), |p| format!(" --shifts {}", p.display())),
        args.holdout
            .as_ref()
            .map_or(String::new(), |w| format!(" --holdout {w}")),
        args.seed,
        args.bootstrap,
        args.level
    ));
    h
}
