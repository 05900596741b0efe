//! `cbec-sim measures`: the built-in measures (or a file's), with their
//! sources and patches.

use crate::common::{Failure, failed, load_measures};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct MeasuresArgs {
    /// A file of `[[measure]]` tables instead of the built-in ones.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn list_measures(args: &MeasuresArgs) -> Result<(), Failure> {
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
