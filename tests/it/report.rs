//! The HTML report, opened in headless Chromium as a planner would open it.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");
const BASELINE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/hongqiao_baseline.toml"
);
const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium's DOM of `file` after loading it, and what it logged.
fn render(file: &Path, profile: &Path) -> (String, String) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "this test opens the report in Chromium: install Debian's `chromium` package (.ci/run does)"
    );
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", file.display()),
        ])
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_report_loads_in_chromium_with_its_tables_and_charts() {
    let dir = std::env::temp_dir().join(format!("cbec-sim-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("compare.html");
    let out = Command::new(BIN)
        .args([
            "compare",
            BASELINE,
            "--measure",
            "expedited_clearance_7x24",
            "--measure",
            "six_plus_365",
            "-n",
            "2",
            "-q",
        ])
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&report).unwrap();
    // Self-contained: no scripts, no external files.
    for banned in ["<script", "src=\"http", "href=\"http", "<link", "@import"] {
        assert!(!html.contains(banned), "the report contains {banned}");
    }
    let (dom, log) = render(&report, &dir.join("profile"));
    assert!(!log.contains("Uncaught"), "{log}");
    assert!(!log.contains("Failed to load resource"), "{log}");
    assert!(dom.contains("<h1>cbec-sim compare"), "{dom}");
    // The scenario's network, and one table of effects per variant.
    assert!(dom.contains("The network and the load its inputs offer"));
    assert!(
        dom.contains("Variant: expedited_clearance_7x24") && dom.contains("Variant: six_plus_365")
    );
    assert!(dom.matches("<table").count() >= 3);
    assert!(dom.contains("<td>orders_released_per_day</td>"));
    // The charts are there as SVG, with their text.
    assert!(dom.matches("<svg").count() >= 5, "charts missing");
    assert!(dom.contains("Lead-time distribution") && dom.contains("Utilisation by resource"));

    // `run` writes a report too.
    let run_report = dir.join("run.html");
    let out = Command::new(BIN)
        .args(["run", BASELINE, "-n", "2", "-q", "--report"])
        .arg(&run_report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (dom, log) = render(&run_report, &dir.join("profile2"));
    assert!(!log.contains("Uncaught"), "{log}");
    assert!(dom.contains("KPIs over replications") && dom.contains("Queue length over time"));
}
