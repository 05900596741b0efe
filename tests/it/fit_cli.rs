//! `cbec-sim fit` on hostile input, as a user runs it: every bad flag,
//! map or output path is refused with its name, its value and the rule,
//! and no file that is not the fit's own is replaced.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");

fn operator(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data/operator")
        .join(file)
}

/// A fresh folder holding a copy of the operator's log, map and template.
fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cbec-sim-fit-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["log.csv", "events.toml", "template.toml"] {
        std::fs::copy(operator(f), dir.join(f)).unwrap();
    }
    dir
}

/// `cbec-sim fit` run in `dir` with `args` (no bootstrap unless given:
/// the cases here are about inputs, not tests of fit).
fn fit(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["fit", "log.csv", "--map", "events.toml"];
    if !args.contains(&"--bootstrap") {
        all.extend(["--bootstrap", "0"]);
    }
    all.extend(args);
    Command::new(BIN)
        .args(&all)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit 2 with a message that contains every part of `wanted`.
fn refused(out: &Output, wanted: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for w in wanted {
        assert!(err.contains(w), "{w:?} not in: {err}");
    }
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn a_holdout_date_time_keeps_its_time_of_day() {
    let dir = workspace("cut");
    let doc = json(&fit(
        &dir,
        &["--holdout", "2024-01-22T06:00", "-n", "2", "--json"],
    ));
    assert_eq!(doc["holdout"]["from"], "2024-01-22T06:00:00");
    assert_eq!(
        doc["calibration"]["end"], "2024-01-22T06:00:00",
        "the fit reads the log to the cut, not to the day's midnight"
    );
    let date = json(&fit(
        &dir,
        &["--holdout", "2024-01-22", "-n", "2", "--json"],
    ));
    assert_eq!(date["holdout"]["from"], "2024-01-22T00:00:00");
    refused(
        &fit(&dir, &["--holdout", "2024-01-22T06:00+08:00", "-n", "2"]),
        &["--holdout", "\"+08:00\"", "without a UTC offset"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn runaway_counts_are_refused_before_any_work() {
    let dir = workspace("counts");
    refused(
        &fit(&dir, &["--bootstrap", "18446744073709551615"]),
        &["--bootstrap", "at most 9999", "18446744073709551615"],
    );
    refused(
        &fit(
            &dir,
            &["--holdout", "last-week", "-n", "18446744073709551615"],
        ),
        &["--replications", "to 1000", "18446744073709551615"],
    );
    refused(
        &fit(&dir, &["--holdout", "last-week", "-n", "1"]),
        &["--replications", "from 2", "got 1"],
    );
    refused(
        &fit(&dir, &["--level", "-0.5"]),
        &["--level", "between 0 and 1", "-0.5"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn outputs_never_replace_inputs_or_files_not_written_by_a_fit() {
    let dir = workspace("outputs");
    let before: Vec<Vec<u8>> = ["log.csv", "events.toml", "template.toml"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    std::fs::write(dir.join("template.assumptions.toml"), "").unwrap();
    for (args, wanted) in [
        (
            vec!["--out", "log.csv"],
            vec!["--out log.csv", "is the log"],
        ),
        (vec!["--out", "./events.toml"], vec!["is the map"]),
        (vec!["--out", "template.toml"], vec!["is the template"]),
        (
            vec!["--out", "template.assumptions.toml"],
            vec!["is the template's assumptions"],
        ),
        (
            vec!["--out", "fitted.toml", "--report", "log.csv"],
            vec!["--report log.csv", "is the log"],
        ),
        (
            vec![
                "--out",
                "fitted.toml",
                "--report",
                "fitted.assumptions.toml",
            ],
            vec!["--report", "is also --out (its assumptions)"],
        ),
    ] {
        refused(&fit(&dir, &args), &wanted);
    }
    std::fs::remove_file(dir.join("template.assumptions.toml")).unwrap();
    // A file of the user's beside the output, and one named as it.
    std::fs::write(dir.join("mine.toml"), "# my own scenario\n").unwrap();
    std::fs::write(dir.join("ours.assumptions.toml"), "# my own ranges\n").unwrap();
    refused(
        &fit(&dir, &["--out", "mine.toml"]),
        &["--out mine.toml", "not written by `cbec-sim fit`"],
    );
    refused(
        &fit(&dir, &["--out", "ours.toml"]),
        &["ours.assumptions.toml", "not written by `cbec-sim fit`"],
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("mine.toml")).unwrap(),
        "# my own scenario\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("ours.assumptions.toml")).unwrap(),
        "# my own ranges\n"
    );
    assert!(!dir.join("ours.toml").exists(), "nothing written");
    // A fit's own files are replaced by the next fit.
    for _ in 0..2 {
        let out = fit(&dir, &["--out", "fitted.toml"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    #[cfg(unix)]
    refused(
        &fit(&dir, &["--out", "/dev/null"]),
        &["--out /dev/null", "must be a regular file"],
    );
    let after: Vec<Vec<u8>> = ["log.csv", "events.toml", "template.toml"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    assert!(before == after, "the inputs are untouched");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes `map` as `events.toml` in `dir`: the operator's map with each
/// `(from, to)` replaced.
fn edit_map(dir: &Path, edits: &[(&str, &str)]) {
    let mut text = std::fs::read_to_string(operator("events.toml")).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    std::fs::write(dir.join("events.toml"), text).unwrap();
}

#[test]
fn map_errors_name_the_map_field() {
    let dir = workspace("map");
    edit_map(
        &dir,
        &[(
            "stations.pick_pack.service_time_min",
            "stations.pick_pak.service_time_min",
        )],
    );
    refused(
        &fit(&dir, &["--out", "fitted.toml"]),
        &[
            "--map events.toml: stages.pick_pack.calibrates: \"stations.pick_pak.service_time_min\" does not exist in the template",
            "did you mean \"pick_pack\"",
        ],
    );
    edit_map(
        &dir,
        &[(
            "rebalance = \"routers.inspection_split.routes[to=pick_pack].prob\"",
            "",
        )],
    );
    refused(
        &fit(&dir, &["--out", "fitted.toml"]),
        &[
            "routes.inspection.rebalance",
            "must sum to 1",
            "name the probability that takes up the change",
        ],
    );
    edit_map(
        &dir,
        &[(
            "template = \"template.toml\"",
            "template = \"missing.toml\"",
        )],
    );
    refused(
        &fit(&dir, &["--out", "fitted.toml"]),
        &["--map events.toml: template", "missing.toml"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_holdout_draws_the_classes_the_scenario_gives_its_orders() {
    let dir = workspace("classes");
    let template = std::fs::read_to_string(dir.join("template.toml"))
        .unwrap()
        .replace(
            "rate_per_hour = 5 ",
            "classes = { standard = 0.9, express = 0.1 }\nrate_per_hour = 5 ",
        )
        .replace(
            "servers = 8 ",
            "priorities = { express = 0, standard = 1 }\nservers = 8 ",
        );
    assert!(template.contains("priorities"));
    std::fs::write(dir.join("classes.toml"), template).unwrap();
    let doc = json(&fit(
        &dir,
        &[
            "--scenario",
            "classes.toml",
            "--holdout",
            "last-week",
            "-n",
            "2",
            "--out",
            "fitted.toml",
            "--json",
        ],
    ));
    assert!(doc["holdout"]["stages"].as_array().unwrap().len() >= 5);
    let fitted = std::fs::read_to_string(dir.join("fitted.toml")).unwrap();
    assert!(
        fitted.contains("--scenario classes.toml"),
        "the reproduce line names the template given: {fitted}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn staffing_errors_and_ranges_belong_to_the_shift_file() {
    let dir = workspace("shifts");
    std::fs::write(
        dir.join("bad.toml"),
        "[stations.inspection]\nservers = -2\n",
    )
    .unwrap();
    refused(
        &fit(&dir, &["--out", "fitted.toml", "--shifts", "bad.toml"]),
        &["--shifts bad.toml", "stations.inspection.servers", "-2"],
    );
    // The template's own range over a number the shift file sets is
    // superseded, not checked against the new staffing.
    std::fs::write(
        dir.join("template.assumptions.toml"),
        "[[assumption]]\npath = \"stations.inspection.servers\"\nlow = 2\nhigh = 6\nsource = \"A\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("shifts.toml"),
        "[stations.inspection]\nservers = 0\nshifts = [{ days = [\"mon\"], from = \"08:00\", to = \"17:00\", servers = 3 }]\n",
    )
    .unwrap();
    let doc = json(&fit(
        &dir,
        &["--out", "fitted.toml", "--shifts", "shifts.toml", "--json"],
    ));
    let superseded = doc["fitted"]["superseded"].as_array().unwrap();
    assert!(
        superseded
            .iter()
            .any(|p| p == "stations.inspection.servers"),
        "{superseded:?}"
    );
    let ranges = std::fs::read_to_string(dir.join("fitted.assumptions.toml")).unwrap();
    assert!(!ranges.contains("stations.inspection.servers"), "{ranges}");
    std::fs::remove_dir_all(&dir).unwrap();
}
