//! `cbec-sim validate`, `cbec-sim explain` and `cbec-sim measures`: check a
//! scenario without running it, describe its network with the load its
//! inputs offer, list the measures. The text comes from
//! [`cbec_sim::report::describe`].

use crate::common::{Failure, failed, load, load_measures, print};
use cbec_sim::report::describe;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
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
    print(&describe::validate_text(&name, &scenario, &model))
}

pub(crate) fn explain(args: &ExplainArgs) -> Result<(), Failure> {
    let (scenario, model) = load(&args.scenario)?;
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
