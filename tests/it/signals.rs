//! SIGINT and SIGTERM during `run` (plain, `--precision`, `--plot` and
//! `--report`, `--shard`), `compare`, `sweep`, `factorial` and `sensitivity`: the command exits
//! promptly with code 130 (the handler treats SIGINT, SIGTERM and SIGHUP
//! alike), its outputs are whole and marked partial, and the finished
//! replications give exactly what an uninterrupted run over them gives.
//!
//! Each case starts the command on one thread over far more replications
//! than it can finish, waits until the process has used some CPU time (so
//! a few replications have finished, however loaded the machine), then
//! sends the signal.

#![cfg(all(unix, feature = "cli"))]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");
const TANDEM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/tandem.toml");
/// The signals, by the name `kill` takes.
const SIGNALS: [&str; 2] = ["INT", "TERM"];

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cbec-sim-signal-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// CPU seconds the process `pid` has used (user and system).
fn cpu_secs(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    let after = stat.rsplit_once(')').map_or("", |p| p.1);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds one replication of the tandem scenario takes here,
/// measured once (20 replications on one thread): the compare and sweep
/// cases time their signal by it, so that it lands in the middle of the
/// part they mean to cut, however fast the machine.
fn cpu_per_replication() -> f64 {
    static PER: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *PER.get_or_init(|| {
        let mut child = Command::new(BIN)
            .args(["run", TANDEM, "-n", "20", "--threads", "1", "-q"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut cpu: f64 = 0.0;
        while child.try_wait().unwrap().is_none() {
            cpu = cpu_secs(child.id()).max(cpu);
            std::thread::sleep(Duration::from_millis(2));
        }
        (cpu / 20.0).max(0.001)
    })
}

/// Runs `args` in `dir`, sends SIGsignal once it has used `cpu` seconds,
/// and returns its output; fails if it ends before the signal or does not
/// end within 30 s after it.
fn interrupt(dir: &Path, args: &[&str], signal: &str, cpu: f64) -> Output {
    let stdout = std::fs::File::create(dir.join("stdout")).unwrap();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while cpu_secs(child.id()) < cpu {
        assert!(
            child.try_wait().unwrap().is_none(),
            "{args:?} ended before the signal"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{args:?} too slow"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let sent_at = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if sent_at.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("{args:?} did not stop within 30 s of SIG{signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = child.wait_with_output().unwrap();
    out.stdout = std::fs::read(dir.join("stdout")).unwrap();
    out
}

/// Checks exit 130, the message, and returns the JSON printed.
fn partial_json(out: &Output, signal: &str) -> Value {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "SIG{signal}: {err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("whole JSON on stdout");
    assert_eq!(
        doc["partial"], true,
        "SIG{signal}: the JSON is marked partial"
    );
    doc
}

/// The JSON of an uninterrupted command.
fn whole(dir: &Path, args: &[&str]) -> Value {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// No temporary file is left in `dir` or its subfolders.
fn no_temporaries(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(!name.contains("cbec-sim-partial"), "left {name}");
        if e.file_type().unwrap().is_dir() {
            no_temporaries(&e.path());
        }
    }
}

/// Checks no temporary file is left, then removes `dir`.
fn done(dir: &Path) {
    no_temporaries(dir);
    let _ = std::fs::remove_dir_all(dir);
}

/// The finished replications `0..end` of a partial run document.
fn finished(doc: &Value) -> u64 {
    assert!(doc.get("missing").is_none(), "one thread finishes in order");
    assert_eq!(doc["replications"]["start"], 0);
    let end = doc["replications"]["end"].as_u64().unwrap();
    assert!(end > 0, "some replications finished");
    end
}

#[test]
fn run_keeps_every_finished_replication_marked_partial() {
    for signal in SIGNALS {
        let dir = folder(&format!("run-{signal}"));
        let args = [
            "run",
            TANDEM,
            "-n",
            "100000",
            "--threads",
            "1",
            "--json",
            "--csv",
            "out",
            "-q",
        ];
        let doc = partial_json(&interrupt(&dir, &args, signal, 0.4), signal);
        let end = finished(&doc);
        let rows = std::fs::read_to_string(dir.join("out/replications.csv")).unwrap();
        let summary = std::fs::read_to_string(dir.join("out/summary.csv")).unwrap();
        for text in [&rows, &summary] {
            assert!(text.starts_with(cbec_sim::report::csv::PARTIAL_MARKER));
            assert!(text.ends_with('\n'), "whole rows");
        }
        assert_eq!(rows.lines().count() as u64, end + 2);
        let n = end.to_string();
        let full = whole(&dir, &["run", TANDEM, "-n", &n, "--json"]);
        assert_eq!(full["kpis"], doc["kpis"], "SIG{signal}");
        assert_eq!(full["pooled"], doc["pooled"]);
        done(&dir);
    }
}

#[test]
fn run_to_a_precision_stops_on_a_signal() {
    for signal in SIGNALS {
        let dir = folder(&format!("precision-{signal}"));
        let args = [
            "run",
            TANDEM,
            "--precision",
            "customs_review.wait_mean_min=1e-9",
            "--max-replications",
            "100000",
            "--threads",
            "1",
            "--json",
            "-q",
        ];
        let doc = partial_json(&interrupt(&dir, &args, signal, 0.4), signal);
        let end = finished(&doc);
        assert_eq!(doc["precision"]["target_met"], false);
        assert_eq!(doc["precision"]["replications"], end);
        let n = end.to_string();
        let full = whole(&dir, &["run", TANDEM, "-n", &n, "--json"]);
        assert_eq!(full["kpis"], doc["kpis"], "SIG{signal}");
        done(&dir);
    }
}

#[test]
fn run_with_charts_and_a_report_stops_on_a_signal() {
    for signal in SIGNALS {
        let dir = folder(&format!("charts-{signal}"));
        let args = [
            "run",
            TANDEM,
            "-n",
            "100000",
            "--threads",
            "1",
            "--json",
            "--plot",
            "charts",
            "--report",
            "r.html",
            "-q",
        ];
        let doc = partial_json(&interrupt(&dir, &args, signal, 0.4), signal);
        let end = finished(&doc);
        let html = std::fs::read_to_string(dir.join("r.html")).unwrap();
        assert!(
            html.contains("PARTIAL RESULTS"),
            "the report is marked partial"
        );
        assert!(html.trim_end().ends_with("</html>"), "a whole report");
        let svgs = std::fs::read_dir(dir.join("charts")).unwrap().count();
        assert!(svgs > 0);
        let n = end.to_string();
        let full = whole(&dir, &["run", TANDEM, "-n", &n, "--json"]);
        assert_eq!(full["kpis"], doc["kpis"], "SIG{signal}");
        done(&dir);
    }
}

#[test]
fn a_shard_stopped_by_a_signal_is_written_whole_and_marked() {
    for signal in SIGNALS {
        let dir = folder(&format!("shard-{signal}"));
        let args = [
            "run",
            TANDEM,
            "--shard",
            "3..100000",
            "--out",
            "s.json",
            "--threads",
            "1",
            "--json",
            "-q",
        ];
        let doc = partial_json(&interrupt(&dir, &args, signal, 0.4), signal);
        let shard: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("s.json")).unwrap()).unwrap();
        assert_eq!(shard["partial"], true, "the shard file is marked partial");
        assert_eq!(shard["start"], 3);
        let end = shard["end"].as_u64().unwrap();
        assert_eq!(doc["replications"]["end"], end);
        let range = format!("3..{end}");
        let out = Command::new(BIN)
            .args(["run", TANDEM, "--shard", &range, "--out", "w.json", "-q"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success());
        let w: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("w.json")).unwrap()).unwrap();
        assert_eq!(shard["rows"], w["rows"], "SIG{signal}");
        assert_eq!(shard["time_in_system"], w["time_in_system"]);
        // The partial shard merges, and the merge says it is partial.
        let merged = Command::new(BIN)
            .args(["merge", "s.json", "--json"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(merged.status.success());
        let m: Value = serde_json::from_slice(&merged.stdout).unwrap();
        assert_eq!(m["partial"], true);
        assert_eq!(m["kpis"], doc["kpis"]);
        done(&dir);
    }
}

#[test]
fn compare_stops_on_a_signal_with_the_variants_that_ran() {
    for signal in SIGNALS {
        let dir = folder(&format!("compare-{signal}"));
        // The signal comes halfway through the variant's 40 replications.
        let args = [
            "compare",
            TANDEM,
            "--variant",
            TANDEM,
            "-n",
            "40",
            "--threads",
            "1",
            "--json",
            "--csv",
            "out",
            "-q",
        ];
        let out = interrupt(&dir, &args, signal, 60.0 * cpu_per_replication());
        let doc = partial_json(&out, signal);
        let variants = doc["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 1);
        let n = variants[0]["differences"][0]["variant"]["n"]
            .as_u64()
            .unwrap();
        assert!(n > 0 && n < 40, "{n} replications of the variant");
        let effects = std::fs::read_to_string(dir.join("out/effects.csv")).unwrap();
        assert!(effects.starts_with(cbec_sim::report::csv::PARTIAL_MARKER));
        let reps = n.to_string();
        let full = whole(
            &dir,
            &[
                "compare",
                TANDEM,
                "--variant",
                TANDEM,
                "-n",
                &reps,
                "--json",
            ],
        );
        assert_eq!(full["variants"], doc["variants"], "SIG{signal}");
        done(&dir);
    }
}

#[test]
fn sweep_stops_on_a_signal_with_the_values_that_finished() {
    for signal in SIGNALS {
        let dir = folder(&format!("sweep-{signal}"));
        // Each value runs 20 replications: the signal comes halfway through
        // the third value.
        let args = [
            "sweep",
            TANDEM,
            "--param",
            "stations.customs_review.servers",
            "--values",
            "3,4,5,6,7,8,9,10",
            "-n",
            "20",
            "--threads",
            "1",
            "--json",
            "--csv",
            "out",
            "-q",
        ];
        let cpu = 50.0 * cpu_per_replication();
        let doc = partial_json(&interrupt(&dir, &args, signal, cpu), signal);
        let points = doc["sweep"]["points"].as_array().unwrap();
        assert!(
            !points.is_empty() && points.len() < 8,
            "{} values",
            points.len()
        );
        let csv = std::fs::read_to_string(dir.join("out/sweep.csv")).unwrap();
        assert!(csv.starts_with(cbec_sim::report::csv::PARTIAL_MARKER));
        let values: Vec<String> = (0..points.len()).map(|i| (3 + i).to_string()).collect();
        let values = values.join(",");
        let full = whole(
            &dir,
            &[
                "sweep",
                TANDEM,
                "--param",
                "stations.customs_review.servers",
                "--values",
                &values,
                "-n",
                "20",
                "--json",
            ],
        );
        assert_eq!(
            full["sweep"]["points"], doc["sweep"]["points"],
            "SIG{signal}"
        );
        done(&dir);
    }
}

/// Two measures on the tandem scenario, for the factorial case.
const TANDEM_MEASURES: &str = r#"[[measure]]
name = "more_review"
title = "One more reviewer"
press_release = "-"
patches = [{ path = "stations.customs_review.servers", add = 1, assumption = "[A]" }]

[[measure]]
name = "more_check"
title = "One more checker"
press_release = "-"
patches = [{ path = "stations.document_check.servers", add = 1, assumption = "[A]" }]
"#;

#[test]
fn factorial_stops_on_a_signal_with_the_replications_finished_everywhere() {
    for signal in SIGNALS {
        let dir = folder(&format!("factorial-{signal}"));
        std::fs::write(dir.join("measures.toml"), TANDEM_MEASURES).unwrap();
        let factorial = |n: &str| {
            [
                "factorial",
                TANDEM,
                "--measures-file",
                "measures.toml",
                "--measure",
                "more_review",
                "--measure",
                "more_check",
                "-n",
                n,
                "--threads",
                "1",
                "--json",
                "-q",
            ]
            .map(str::to_string)
            .to_vec()
        };
        // 4 design points x 40 replications: the signal comes after about
        // 15 replications at every point.
        let mut args = factorial("40");
        args.extend(["--csv", "out"].map(str::to_string));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let cpu = 60.0 * cpu_per_replication();
        let doc = partial_json(&interrupt(&dir, &args, signal, cpu), signal);
        let n = doc["kpis"][0]["main"][0]["estimate"]["n"].as_u64().unwrap();
        assert!(n > 0 && n < 40, "{n} replications finished everywhere");
        let csv = std::fs::read_to_string(dir.join("out/factorial.csv")).unwrap();
        assert!(csv.starts_with(cbec_sim::report::csv::PARTIAL_MARKER));
        let reps = n.to_string();
        let full_args = factorial(&reps);
        let full_args: Vec<&str> = full_args.iter().map(String::as_str).collect();
        let full = whole(&dir, &full_args);
        assert!(
            full.get("partial").is_none(),
            "a whole design is not marked"
        );
        assert_eq!(full["kpis"], doc["kpis"], "SIG{signal}");
        done(&dir);
    }
}

/// A sensitivity study stopped by a signal keeps the trajectories that
/// finished (on one thread they finish in order), marks its JSON and CSV
/// partial, and skips the Sobol stage.
#[test]
fn sensitivity_stops_on_a_signal_with_the_trajectories_that_finished() {
    for signal in SIGNALS {
        let dir = folder(&format!("sensitivity-{signal}"));
        let args = [
            "sensitivity",
            TANDEM,
            "--trajectories",
            "60",
            "--top",
            "2",
            "--kpi",
            "network.time_in_system_mean_min",
            "-n",
            "4",
            "--threads",
            "1",
            "--json",
            "--csv",
            "out",
            "-q",
        ];
        // The noise (8 replications) and about four trajectories of 12
        // points of 4 replications.
        let cpu = 200.0 * cpu_per_replication();
        let doc = partial_json(&interrupt(&dir, &args, signal, cpu), signal);
        let t = doc["study"]["trajectories"].as_u64().unwrap();
        assert!((2..60).contains(&t), "{t} trajectories");
        assert_eq!(doc["study"]["interrupted"], true);
        assert!(
            doc["study"]["kpis"][0]["sobol"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let csv = std::fs::read_to_string(dir.join("out/morris.csv")).unwrap();
        assert!(csv.starts_with(cbec_sim::report::csv::PARTIAL_MARKER));
        done(&dir);
    }
}
