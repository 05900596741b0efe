//! The hostile table: the command run as a hostile tester would, one case
//! per row. Each case is a command line run in a fresh folder holding the
//! case's files, and asserts the exit code, a message (the flag or field,
//! the value, the rule), empty stdout where nothing may be printed, and that
//! no file was left behind that the case did not ask for.
//!
//! The rows live in one file per family group (`inputs.rs`, `outputs.rs`,
//! ...); this module holds the runner they share. `{dir}` in an argument or
//! a file's text stands for the case's folder; `{base}` in a file's text
//! for the valid base scenario of `tests/it/bad_input_base.toml`; a file
//! whose name ends in `/` is created as an empty folder.

#![cfg(feature = "cli")]

mod inputs;
mod outputs;

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");

/// The valid scenario the cases start from.
pub(crate) const BASE: &str = include_str!("../bad_input_base.toml");

/// What a case's stdout may hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stdout {
    /// Nothing: the input was refused before anything ran.
    Empty,
    /// Anything (the results were printed, then a later step failed).
    Any,
}

/// One hostile case.
#[derive(Debug)]
pub(crate) struct Case {
    /// What the case does, for messages.
    pub(crate) what: &'static str,
    /// The family of issue 12 it belongs to (1 to 11).
    pub(crate) family: u8,
    /// Files to create first: (name in the case's folder, text).
    pub(crate) files: &'static [(&'static str, &'static str)],
    /// The command line after the program name.
    pub(crate) args: &'static [&'static str],
    /// The exit code it must end with.
    pub(crate) code: i32,
    /// Texts stderr must contain (each one).
    pub(crate) stderr: &'static [&'static str],
    /// What stdout may hold.
    pub(crate) stdout: Stdout,
    /// Files or folders, besides the case's own, that may exist afterwards.
    pub(crate) leaves: &'static [&'static str],
}

/// A case that must end with `code`, print nothing and leave nothing.
pub(crate) const fn case(
    family: u8,
    what: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    code: i32,
    stderr: &'static [&'static str],
) -> Case {
    Case {
        what,
        family,
        files,
        args,
        code,
        stderr,
        stdout: Stdout::Empty,
        leaves: &[],
    }
}

fn fill(text: &str, dir: &Path) -> String {
    text.replace("{dir}", &dir.display().to_string())
        .replace("{base}", BASE)
}

/// Runs `case` in a fresh folder under `root` and checks everything it
/// promises; returns a description of the first broken promise.
pub(crate) fn check(case: &Case, root: &Path, index: usize) -> Result<(), String> {
    let dir: PathBuf = root.join(format!("case{index}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in case.files {
        if let Some(folder) = name.strip_suffix('/') {
            std::fs::create_dir_all(dir.join(folder)).unwrap();
            continue;
        }
        std::fs::write(dir.join(name), fill(text, &dir)).unwrap();
    }
    let args: Vec<String> = case.args.iter().map(|a| fill(a, &dir)).collect();
    let out = Command::new(BIN)
        .args(&args)
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let what = format!("[family {}] {}: {:?}", case.family, case.what, args);
    if out.status.code() != Some(case.code) {
        return Err(format!(
            "{what}: exit {:?}, want {}; stderr: {err}",
            out.status.code(),
            case.code
        ));
    }
    if err.contains("panicked") {
        return Err(format!("{what}: panicked: {err}"));
    }
    for want in case.stderr {
        if !err.contains(&fill(want, &dir)) {
            return Err(format!("{what}: stderr lacks {want:?}: {err}"));
        }
    }
    if case.stdout == Stdout::Empty && !out.stdout.is_empty() {
        return Err(format!("{what}: printed {} bytes", out.stdout.len()));
    }
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            !case.files.iter().any(|(f, _)| f.trim_end_matches('/') == n)
                && !case.leaves.contains(&n.as_str())
        })
        .collect();
    left.sort();
    if !left.is_empty() {
        return Err(format!("{what}: left behind {left:?}"));
    }
    Ok(())
}

/// Runs every case of `table` and reports every broken promise at once.
pub(crate) fn run_table(name: &str, table: &[Case]) {
    let root = std::env::temp_dir().join(format!("cbec-sim-hostile-{name}-{}", std::process::id()));
    let failures: Vec<String> = table
        .iter()
        .enumerate()
        .filter_map(|(i, c)| check(c, &root, i).err())
        .collect();
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// The runner itself: the base scenario validates (exit 0, nothing left
/// behind), and a missing file is refused with exit 2 and nothing printed.
#[test]
fn the_runner_checks_what_a_case_promises() {
    run_table(
        "runner",
        &[
            Case {
                what: "the base scenario is valid",
                family: 0,
                files: &[("s.toml", "{base}")],
                args: &["validate", "s.toml"],
                code: 0,
                stderr: &[],
                stdout: Stdout::Any,
                leaves: &[],
            },
            Case {
                what: "a scenario that does not exist",
                family: 0,
                files: &[],
                args: &["run", "{dir}/missing.toml"],
                code: 2,
                stderr: &["missing.toml"],
                stdout: Stdout::Empty,
                leaves: &[],
            },
        ],
    );
    // A broken promise is reported: this case claims exit 0 for a missing file.
    let root = std::env::temp_dir().join(format!("cbec-sim-hostile-self-{}", std::process::id()));
    let wrong = Case {
        what: "wrong on purpose",
        family: 0,
        files: &[],
        args: &["run", "missing.toml"],
        code: 0,
        stderr: &[],
        stdout: Stdout::Empty,
        leaves: &[],
    };
    assert!(
        check(&wrong, &root, 0)
            .unwrap_err()
            .contains("exit Some(2), want 0")
    );
    let _ = std::fs::remove_dir_all(&root);
}
