//! `cbec-sim fit` as a planner runs it on the shipped operator log
//! (issue 17): the fitted scenario and its ranges are written, run and
//! check; the held-out week's lead times are reproduced; the log is the
//! one the crate writes from the known truth; wrong flags are named.
#![cfg(feature = "cli")]

use cbec_sim::calibrate::{EventLogWriter, EventMap};
use cbec_sim::{Assumptions, Scenario};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");

fn manifest(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn fit(extra: &[&str]) -> Output {
    let log = manifest("examples/data/operator/log.csv");
    let map = manifest("examples/data/operator/events.toml");
    Command::new(BIN)
        .args(["fit", &log, "--map", &map])
        .args(extra)
        .output()
        .expect("the binary runs")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cbec-sim-fit-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_shipped_log_is_what_the_crate_writes_from_the_truth() {
    // So every parameter behind it is known (truth.toml, seed 17).
    let model = Scenario::from_path(manifest("examples/data/operator/truth.toml"))
        .unwrap()
        .build()
        .unwrap();
    let map = EventMap::from_path(manifest("examples/data/operator/events.toml")).unwrap();
    let mut writer = EventLogWriter::new(&model, &map, Vec::new()).unwrap();
    let _ = writer.write_run(17, 0);
    let written = writer.finish().unwrap();
    let shipped = std::fs::read(manifest("examples/data/operator/log.csv")).unwrap();
    assert!(
        written == shipped,
        "regenerate it with the command in truth.toml"
    );
}

#[test]
fn fit_with_a_holdout_writes_a_scenario_that_reproduces_the_held_out_week() {
    let dir = temp_dir("holdout");
    let out = dir.join("fitted.toml");
    let report = dir.join("fit.html");
    let run = fit(&[
        "--out",
        out.to_str().unwrap(),
        "--holdout",
        "last-week",
        "--report",
        report.to_str().unwrap(),
        "--bootstrap",
        "49",
        "--json",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    // The held-out week's lead times: the simulated p50 and p95 lie within
    // the observed ones' 95% intervals (each misses with probability
    // about 0.05 when the fitted scenario is right; the shipped log is
    // fixed, so this is one draw, checked against its intervals).
    let stages = doc["holdout"]["stages"].as_array().unwrap();
    let lead = stages.iter().find(|s| s["stage"] == "lead_time").unwrap();
    for i in 0..2 {
        let (obs, sim) = (&lead["observed"][i], &lead["simulated"][i]);
        let s = sim["estimate"].as_f64().unwrap();
        assert!(
            obs["low"].as_f64().unwrap() <= s && s <= obs["high"].as_f64().unwrap(),
            "lead time quantile {i}: simulated {s}, observed {obs}"
        );
    }
    // The fit saw the weeks before the cut only.
    assert_eq!(doc["calibration"]["end"], "2024-01-22T00:00:00");
    assert_eq!(doc["holdout"]["from"], "2024-01-22T00:00:00");
    // The scenario and its ranges: they build, and every calibrated number
    // is tagged C with its interval around the value.
    let scenario = Scenario::from_path(&out).unwrap();
    scenario.build().unwrap();
    let ranges = Assumptions::from_path(dir.join("fitted.assumptions.toml")).unwrap();
    let checked = ranges.check(&scenario).unwrap();
    assert!(
        ranges.list.iter().all(|a| a.source == "C"),
        "the template has no ranges of its own"
    );
    assert!(checked.len() >= 12, "{} ranges", checked.len());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("# Fitted by cbec-sim"), "{text}");
    assert!(
        text.contains("dist = \"weibull\""),
        "inspection is fitted as a Weibull"
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("Held-out weeks") && html.matches("<svg").count() >= 8);
}

#[test]
fn wrong_flags_are_named_with_their_values() {
    let dir = temp_dir("flags");
    let err = |out: Output| {
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    };
    let e = err(fit(&["--holdout", "next tuesday"]));
    assert!(e.contains("--holdout") && e.contains("next tuesday"), "{e}");
    let e = err(fit(&["--holdout", "2023-12-01"]));
    assert!(
        e.contains("--holdout 2023-12-01") && e.contains("after the log's first row"),
        "{e}"
    );
    let e = err(fit(&["--level", "1.5"]));
    assert!(e.contains("--level") && e.contains("1.5"), "{e}");
    let shifts = dir.join("shifts.toml");
    std::fs::write(&shifts, "[stations.custom_review]\nservers = 9\n").unwrap();
    let e = err(fit(&["--shifts", shifts.to_str().unwrap()]));
    assert!(
        e.contains("stations.custom_review") && e.contains("customs_review"),
        "{e}"
    );
}
