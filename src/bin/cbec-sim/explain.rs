//! `cbec-sim validate`, `cbec-sim explain`, `cbec-sim measures` and
//! `cbec-sim assumptions`: check a scenario (and its assumption ranges)
//! without running it, describe its network with the load its inputs
//! offer (or list the KPIs a run offers), list the measures, list the
//! ranged assumptions. The text comes from
//! [`cbec_sim::report::describe`].

use crate::common::{
    Failure, checked_assumptions, failed, invalid, load, load_assumptions, load_measures, print,
};
use cbec_sim::experiment::KpiCatalogue;
use cbec_sim::report::describe;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Assumption ranges to check (default: `<scenario>.assumptions.toml`
    /// beside the scenario, if there is one).
    #[arg(long, value_name = "FILE")]
    assumptions: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct AssumptionsArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Assumption ranges (default: `<scenario>.assumptions.toml` beside
    /// the scenario).
    #[arg(long, value_name = "FILE")]
    assumptions: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// List the KPIs a run of the scenario offers (the names `--kpi`,
    /// `--precision` and `--target` take), one per line, instead.
    #[arg(long)]
    kpis: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct MeasuresArgs {
    /// A file of `[[measure]]` tables instead of the built-in ones.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Pretty JSON and a newline.
fn json(value: &impl serde::Serialize) -> Result<String, Failure> {
    Ok(serde_json::to_string_pretty(value).map_err(failed)? + "\n")
}

pub(crate) fn validate(args: &ValidateArgs) -> Result<(), Failure> {
    let (scenario, model) = load(&args.scenario)?;
    let name = args.scenario.display().to_string();
    let mut text = describe::validate_text(&name, &scenario, &model);
    if let Some((file, ranges)) = load_assumptions(&args.scenario, args.assumptions.as_deref())? {
        ranges
            .check(&scenario)
            .map_err(|e| invalid(format!("{}: {e}", file.display())))?;
        text.push_str(&format!(
            "{}: {} ranged assumptions, each value inside its range; the scenario builds with each at either end, and with all at their low and at their high ends\n",
            file.display(),
            ranges.len()
        ));
    }
    print(&text)
}

pub(crate) fn list_assumptions(args: &AssumptionsArgs) -> Result<(), Failure> {
    let (scenario, _) = load(&args.scenario)?;
    let (file, ranges, values) =
        checked_assumptions(&args.scenario, args.assumptions.as_deref(), &scenario)?;
    print(&if args.json {
        let rows: Vec<serde_json::Value> = ranges
            .list
            .iter()
            .zip(&values)
            .map(|(a, v)| {
                let mut row = serde_json::to_value(a).unwrap_or_default();
                row["value"] = serde_json::json!(v.value);
                row
            })
            .collect();
        json(&rows)?
    } else {
        describe::assumptions_text(&file.display().to_string(), &ranges, &values)
    })
}

pub(crate) fn explain(args: &ExplainArgs) -> Result<(), Failure> {
    let (scenario, model) = load(&args.scenario)?;
    if args.kpis {
        let catalogue = KpiCatalogue::for_model(&model);
        let names: Vec<&str> = catalogue.names().collect();
        return print(&if args.json {
            json(&names)?
        } else {
            names.iter().map(|n| format!("{n}\n")).collect()
        });
    }
    print(&if args.json {
        json(&model.offered_load())?
    } else {
        describe::explain_text(&args.scenario.display().to_string(), &scenario, &model)
    })
}

pub(crate) fn list_measures(args: &MeasuresArgs) -> Result<(), Failure> {
    let measures = load_measures(args.file.as_deref())?;
    print(&if args.json {
        json(&describe::measures_json(&measures))?
    } else {
        describe::measures_text(&measures)
    })
}
