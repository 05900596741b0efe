//! The `cbec-sim` command as a user runs it.
#![cfg(feature = "cli")]

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");
const TANDEM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/tandem.toml");

fn cbec(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cbec-sim-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn run_prints_a_table_and_json_with_a_stable_schema() {
    let table = cbec(&["run", TANDEM, "-n", "4", "--seed", "9", "--quiet"]);
    assert!(table.status.success());
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("customs_review.wait_mean_min"), "{text}");
    let doc = json(&cbec(&["run", TANDEM, "-n", "4", "--seed", "9", "--json"]));
    assert_eq!(doc["schema"], "cbec-sim/summary/1");
    assert_eq!(doc["replications"]["end"], 4);
    let kpis = doc["kpis"].as_array().unwrap();
    let wait = kpis
        .iter()
        .find(|k| k["name"] == "customs_review.wait_mean_min")
        .unwrap();
    assert_eq!(wait["n"], 4);
    assert!(wait["mean"].as_f64().unwrap() > 0.0 && wait["half_width_95"].as_f64().unwrap() > 0.0);
}

/// The same inputs give the same bytes with RAYON_NUM_THREADS=1 and =2.
#[test]
fn same_output_on_one_and_two_threads() {
    let on = |threads: &str| {
        let out = Command::new(BIN)
            .args(["run", TANDEM, "-n", "6", "--seed", "2", "--json"])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    assert_eq!(on("1"), on("2"));
}

#[test]
fn pooled_quantiles_come_from_every_order() {
    let doc = json(&cbec(&["run", TANDEM, "-n", "3", "--json"]));
    let pooled = &doc["pooled"];
    assert!(pooled["orders"].as_u64().unwrap() > 3 * 20_000);
    let (p50, p95, p99) = (
        pooled["time_in_system_p50_min"].as_f64().unwrap(),
        pooled["time_in_system_p95_min"].as_f64().unwrap(),
        pooled["time_in_system_p99_min"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 < p95 && p95 < p99, "{p50} {p95} {p99}");
}

#[test]
fn shards_merge_to_the_single_run() {
    let dir = temp_dir("shards");
    let single = json(&cbec(&["run", TANDEM, "-n", "6", "--seed", "4", "--json"]));
    for (range, file) in [("0..2", "a.json"), ("2..6", "b.json")] {
        let out = cbec(&[
            "run",
            TANDEM,
            "--seed",
            "4",
            "--shard",
            range,
            "--out",
            dir.join(file).to_str().unwrap(),
            "--quiet",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let merged = json(&cbec(&[
        "merge",
        dir.join("b.json").to_str().unwrap(),
        dir.join("a.json").to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(merged["kpis"], single["kpis"]);
    // A gap is refused as invalid input.
    let gap = cbec(&["merge", dir.join("b.json").to_str().unwrap(), "--json"]);
    assert_eq!(
        gap.status.code(),
        Some(0),
        "a single shard merges on its own"
    );
}

#[test]
fn csv_writes_summary_and_replication_rows() {
    let dir = temp_dir("csv");
    let out = cbec(&[
        "run",
        TANDEM,
        "-n",
        "3",
        "--quiet",
        "--csv",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let summary = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    assert!(
        summary.starts_with("kpi,n,mean,std_dev,half_width_95,min,max\n"),
        "{summary}"
    );
    let rows = std::fs::read_to_string(dir.join("replications.csv")).unwrap();
    assert_eq!(rows.lines().count(), 4, "a header and three replications");
    assert!(rows.starts_with("replication,network.time_in_system_mean_min,"));
}

#[test]
fn invalid_input_exits_with_2_and_a_message() {
    let dir = temp_dir("bad");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(TANDEM)
            .unwrap()
            .replace("servers = 3", "servers = 0"),
    )
    .unwrap();
    let out = cbec(&["run", bad.to_str().unwrap(), "-n", "2"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "stations.customs_review.servers: line 20, column 11: must be at least 1, got 0"
        ),
        "{err}"
    );
    assert_eq!(cbec(&["run", "/no/such/file.toml"]).status.code(), Some(2));
    assert_eq!(
        cbec(&["run", TANDEM, "--precision", "nokpi"]).status.code(),
        Some(2)
    );
    assert_eq!(
        cbec(&["run", TANDEM, "--warmup", "soon"]).status.code(),
        Some(2)
    );
    assert_eq!(
        cbec(&["merge", bad.to_str().unwrap()]).status.code(),
        Some(2)
    );
    assert_eq!(
        cbec(&["frobnicate"]).status.code(),
        Some(2),
        "clap usage errors exit 2 too"
    );
}

#[test]
fn precision_rule_and_auto_warmup_from_the_command_line() {
    let doc = json(&cbec(&[
        "run",
        TANDEM,
        "--precision",
        "customs_review.wait_mean_min=0.05",
        "--warmup",
        "auto",
        "--json",
    ]));
    assert_eq!(doc["precision"]["target_met"], true);
    assert!(doc["warmup"].as_str().unwrap().contains("MSER-5"));
}

const BASELINE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/hongqiao_baseline.toml"
);

#[test]
fn hongqiao_baseline_runs_out_of_the_box_with_planner_kpis() {
    let out = cbec(&["run", BASELINE, "-n", "2", "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for kpi in [
        "orders_released_per_day",
        "lead_time_p95_h",
        "lead_time_within_24h_share",
        "clearance_mean_min",
        "backlog_at_end",
        "tax_collected_cny",
        "utilization_officers",
        "rejected_over_annual_limit",
        "cancelled_by_consumer",
    ] {
        assert!(text.contains(kpi), "{kpi} missing from\n{text}");
    }
    // The planner table leaves the per-station detail to --all.
    assert!(!text.contains("pick.wait_mean_min"), "{text}");
    assert!(text.contains("--all"), "{text}");
}

#[test]
fn run_applies_measures_and_names_them() {
    let doc = json(&cbec(&[
        "run",
        BASELINE,
        "-n",
        "2",
        "--json",
        "--measure",
        "expedited_clearance_7x24",
        "--measure",
        "six_plus_365",
    ]));
    assert_eq!(
        doc["measures"],
        serde_json::json!(["expedited_clearance_7x24", "six_plus_365"])
    );
    let out = cbec(&[
        "run",
        BASELINE,
        "-n",
        "2",
        "--measure",
        "expedited_clearence_7x24",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("unknown measure \"expedited_clearence_7x24\"; did you mean \"expedited_clearance_7x24\"?"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn measures_lists_sources_and_patches() {
    let out = cbec(&["measures"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("expedited_clearance_7x24: Expedited clearance and 7x24 customs service"),
        "{text}"
    );
    assert!(text.contains("press release: \"fostering international cooperation on electronic bills of lading and electronic payments\""), "{text}");
    assert!(
        text.contains("stations.manual_review.servers set to 4"),
        "{text}"
    );
    assert!(
        text.contains("expedited_clearance_7x24: Expedited clearance and 7x24 customs service\n  kind: an operator option, NOT in the press release"),
        "{text}"
    );
    let doc = json(&cbec(&["measures", "--json"]));
    let list = doc.as_array().unwrap();
    assert_eq!(list.len(), 7);
    assert_eq!(list[5]["name"], "trade_growth");
    assert_eq!(list[5]["kind"], "demand");
    assert_eq!(list[5]["patches"][0]["change"], "scale by 1.465");
    // The operator options come after the press release's measures.
    assert_eq!(list[6]["name"], "expedited_clearance_7x24");
    assert_eq!(list[6]["kind"], "operator_option");
    // A user's own file replaces the built-in list.
    let dir = temp_dir("measures");
    let file = dir.join("mine.toml");
    std::fs::write(
        &file,
        "[[measure]]\nname = \"night_shift\"\ntitle = \"A night shift\"\npress_release = \"(mine)\"\npatches = [{ path = \"stations.manual_review.servers\", set = 2, assumption = \"[A] mine\" }]\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let doc = json(&cbec(&["measures", "--file", f, "--json"]));
    assert_eq!(doc[0]["name"], "night_shift");
    let out = cbec(&[
        "run",
        BASELINE,
        "-n",
        "2",
        "--measures-file",
        f,
        "--measure",
        "night_shift",
        "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const DOUBLE11: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/hongqiao_double11.toml"
);

#[test]
fn compare_pairs_variants_on_common_random_numbers() {
    let doc = json(&cbec(&[
        "compare",
        BASELINE,
        "--measure",
        "conformity_one_stop",
        "--measure",
        "expedited_clearance_7x24+six_plus_365",
        "--variant",
        DOUBLE11,
        "-n",
        "3",
        "--json",
    ]));
    assert_eq!(doc["schema"], "cbec-sim/compare/1");
    let variants = doc["variants"].as_array().unwrap();
    let names: Vec<&str> = variants
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "conformity_one_stop",
            "expedited_clearance_7x24+six_plus_365",
            "hongqiao_double11"
        ]
    );
    let find = |v: &serde_json::Value, kpi: &str| {
        v["differences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["kpi"] == kpi)
            .unwrap()
            .clone()
    };
    // The conformity measure cannot reach a 1210 KPI.
    assert_eq!(
        find(&variants[0], "lead_time_p95_h")["verdict"],
        "identical"
    );
    // The Double 11 week releases far more orders per day.
    assert_eq!(
        find(&variants[2], "orders_released_per_day")["verdict"],
        "increase"
    );
    // A table by default, with the planner KPIs.
    let out = cbec(&[
        "compare",
        BASELINE,
        "--measure",
        "six_plus_365",
        "-n",
        "2",
        "-q",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("== six_plus_365") && text.contains("exhibition_outflow_per_day"),
        "{text}"
    );
    // No variant at all is a usage error.
    let out = cbec(&["compare", BASELINE]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sweep_reads_values_or_a_range_and_reports_the_target() {
    let param = "stations.manual_review.shifts[0].servers";
    let a = json(&cbec(&[
        "sweep",
        BASELINE,
        "--param",
        param,
        "--values",
        "8,10,12",
        "--target",
        "clearance_mean_min<=58",
        "-n",
        "3",
        "--json",
    ]));
    let b = json(&cbec(&[
        "sweep",
        BASELINE,
        "--param",
        param,
        "--range",
        "8..12:2",
        "--target",
        "clearance_mean_min<=58",
        "-n",
        "3",
        "--json",
    ]));
    assert_eq!(
        a["sweep"]["points"], b["sweep"]["points"],
        "the same values give the same curve"
    );
    let means: Vec<f64> = a["sweep"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["estimate"]["mean"].as_f64().unwrap())
        .collect();
    assert!(
        means[0] > means[2],
        "more officers, shorter clearance: {means:?}"
    );
    let meets = a["sweep"]["meets_at"].as_f64();
    let first_ok = a["sweep"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["estimate"]["mean"].as_f64().unwrap() <= 58.0)
        .map(|p| p["value"].as_f64().unwrap());
    assert_eq!(meets, first_ok);
    let out = cbec(&[
        "sweep",
        BASELINE,
        "--param",
        "stations.manual_reveiw.servers",
        "--values",
        "1",
        "-n",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean \"manual_review\""), "{err}");
    let out = cbec(&[
        "sweep", BASELINE, "--param", param, "--range", "12..8:2", "-n", "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = cbec(&[
        "sweep",
        BASELINE,
        "--param",
        param,
        "--values",
        "8",
        "--target",
        "clearance<58",
        "-n",
        "2",
    ]);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("must be KPI<=NUMBER or KPI>=NUMBER")
    );
}

#[test]
fn factorial_estimates_main_effects_and_interactions() {
    let doc = json(&cbec(&[
        "factorial",
        BASELINE,
        "--measure",
        "conformity_one_stop",
        "--measure",
        "expedited_clearance_7x24",
        "-n",
        "3",
        "--json",
    ]));
    assert_eq!(doc["schema"], "cbec-sim/factorial/1");
    let kpis = doc["kpis"].as_array().unwrap();
    let clearance = kpis
        .iter()
        .find(|k| k["kpi"] == "clearance_mean_min")
        .unwrap();
    assert_eq!(clearance["main"].as_array().unwrap().len(), 2);
    assert_eq!(clearance["interactions"].as_array().unwrap().len(), 1);
    // The conformity measure never reaches clearance: its main effect and
    // its interaction are exactly zero in every replication.
    assert_eq!(clearance["main"][0]["estimate"]["mean"], 0.0);
    assert_eq!(clearance["interactions"][0]["estimate"]["mean"], 0.0);
    assert!(clearance["main"][1]["estimate"]["mean"].as_f64().unwrap() < 0.0);
}

#[test]
fn validate_and_explain_check_without_running() {
    let out = cbec(&["validate", DOUBLE11]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("valid: 6 sources, 25 stations and delays"),
        "{text}"
    );
    assert!(
        text.contains("pick is offered") && text.contains("on its busiest day"),
        "{text}"
    );
    let dir = temp_dir("validate");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(BASELINE)
            .unwrap()
            .replace("servers = 400", "servers = -4"),
    )
    .unwrap();
    let out = cbec(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("servers"));
    let doc = json(&cbec(&["explain", TANDEM, "--json"]));
    let nodes = doc["nodes"].as_array().unwrap();
    // Every station of the tandem line is offered 5/6 of its servers.
    for name in [
        "document_check",
        "customs_review",
        "inspection",
        "pick_pack",
    ] {
        let n = nodes.iter().find(|n| n["name"] == name).unwrap();
        assert!(
            (n["utilization"].as_f64().unwrap() - 5.0 / 6.0).abs() < 1e-9,
            "{name}: {n}"
        );
    }
    let text = String::from_utf8(cbec(&["explain", DOUBLE11]).stdout).unwrap();
    assert!(
        text.contains("manual_review") && text.contains("20.0 servers (max 30)"),
        "{text}"
    );
}

#[test]
fn plots_are_svg_charts_with_titles_axes_and_legends() {
    let dir = temp_dir("plots");
    let plots = dir.join("charts");
    let out = cbec(&[
        "compare",
        BASELINE,
        "--measure",
        "expedited_clearance_7x24",
        "-n",
        "2",
        "-q",
        "--plot",
        plots.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (file, texts) in [
        (
            "lead_time_cdf.svg",
            vec![
                "Lead-time distribution",
                "lead time, order placed to leaving the zone (hours)",
                "baseline",
                "expedited_clearance_7x24",
            ],
        ),
        (
            "utilization.svg",
            vec![
                "Utilisation by resource",
                "officers",
                "pickers",
                "baseline",
                "expedited_clearance_7x24",
            ],
        ),
        (
            "queues_over_time.svg",
            vec!["local date and time, Oct 2024", "orders waiting", "Tue 15"],
        ),
        (
            "effect_0_orders_released_per_day.svg",
            vec!["Effect on orders released", "change (orders a day)"],
        ),
    ] {
        let svg =
            std::fs::read_to_string(plots.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(svg.contains("<svg"), "{file}");
        for t in texts {
            assert!(svg.contains(t), "{file} lacks \"{t}\"");
        }
    }
    let sweep_dir = dir.join("sweep");
    let out = cbec(&[
        "sweep",
        BASELINE,
        "--param",
        "stations.xray.shifts[0].servers",
        "--values",
        "1,2",
        "--target",
        "lead_time_p95_h<=12",
        "-n",
        "2",
        "-q",
        "--plot",
        sweep_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(sweep_dir.join("sweep.svg")).unwrap();
    for t in [
        "95% confidence band",
        "target lead_time_p95_h &lt;= 12",
        "stations.xray.shifts[0].servers",
    ] {
        assert!(svg.contains(t), "sweep.svg lacks \"{t}\"");
    }
}

#[test]
fn ctrl_c_stops_cleanly_and_reports_the_finished_replications_as_partial() {
    let dir = temp_dir("interrupt");
    let csv = dir.join("csv");
    let child = Command::new(BIN)
        .args([
            "run",
            BASELINE,
            "-n",
            "400",
            "--json",
            "--threads",
            "1",
            "--csv",
        ])
        .arg(&csv)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Let a few replications finish (each takes a fraction of a second).
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("interrupted"), "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("whole JSON");
    assert_eq!(doc["partial"], true);
    let end = doc["replications"]["end"].as_u64().unwrap();
    assert!(end > 0 && end < 400, "{end} replications finished");
    // The CSV files are whole and hold exactly the finished replications.
    let rows = std::fs::read_to_string(csv.join("replications.csv")).unwrap();
    assert!(
        rows.starts_with("# partial: "),
        "the CSV files are marked partial"
    );
    assert_eq!(rows.lines().count() as u64, end + 2);
    // The finished replications are exactly those of an uninterrupted run.
    let full = json(&cbec(&["run", BASELINE, "-n", &end.to_string(), "--json"]));
    assert_eq!(full["kpis"], doc["kpis"]);
}

/// `cbec-sim sensitivity` on the tandem line with its shipped ranges: the
/// text ranks the factors, the JSON holds every factor of every KPI, the
/// CSV has a row per KPI and factor, and a bad option names itself.
#[test]
fn sensitivity_ranks_the_tandem_assumptions() {
    let dir = std::env::temp_dir().join(format!("cbec-sens-{}", std::process::id()));
    let csv_dir = dir.join("csv");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "sensitivity",
            TANDEM,
            "--trajectories",
            "2",
            "--top",
            "2",
            "--sobol-rows",
            "4",
            "--kpi",
            "network.time_in_system_mean_min",
            "-n",
            "2",
            "-q",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| cbec(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let doc = json(&run(args(&["--json", "--csv", csv_dir.to_str().unwrap()])));
    assert_eq!(doc["schema"], "cbec-sim/sensitivity/1");
    let study = &doc["study"];
    assert_eq!(study["factors"].as_array().unwrap().len(), 11);
    assert_eq!(study["design_points"], 1 + 2 * 12 + 4 * 4);
    let kpi = &study["kpis"][0];
    assert_eq!(kpi["morris"].as_array().unwrap().len(), 11);
    assert_eq!(kpi["sobol"].as_array().unwrap().len(), 2);
    let stars: Vec<f64> = kpi["morris"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["index"]["mu_star"].as_f64().unwrap())
        .collect();
    assert!(stars.windows(2).all(|w| w[0] >= w[1]), "{stars:?}");
    let csv = std::fs::read_to_string(csv_dir.join("morris.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 11);
    assert!(
        csv.starts_with("kpi,rank,factor,mu_star,mu_star_half_width,mu,sigma,within_noise,s1"),
        "{csv}"
    );
    // Numbers, not display text: the mu* column reads back as a number.
    let first = csv.lines().nth(1).unwrap();
    assert!(
        first.split(',').nth(3).unwrap().parse::<f64>().is_ok(),
        "{first}"
    );
    let out = run(args(&[]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("screened by Morris elementary effects (2 trajectories on 4 levels)"));
    assert!(text.contains("network.time_in_system_mean_min: mean "));
    let out = run(args(&["--levels", "3"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--levels: must be even, got 3"));
    let out = cbec(&[
        "sensitivity",
        TANDEM,
        "--assumptions",
        "/nonexistent.toml",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cbec-sim robustness` on the tandem line: a measure's effect over
/// assumption draws, with a threshold; JSON, the two CSV files, and errors
/// that name the flag.
#[test]
fn robustness_reports_each_effect_across_the_draws() {
    let dir = std::env::temp_dir().join(format!("cbec-rob-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let measures = dir.join("m.toml");
    std::fs::write(
        &measures,
        "[[measure]]\nname = \"one_more_reviewer\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{ path = \"stations.customs_review.servers\", add = 1, assumption = \"a\" }]\n",
    )
    .unwrap();
    let csv_dir = dir.join("csv");
    let base = [
        "robustness",
        TANDEM,
        "--measures-file",
        measures.to_str().unwrap(),
        "--measure",
        "one_more_reviewer",
        "--draws",
        "4",
        "-n",
        "2",
        "--kpi",
        "customs_review.utilization",
        "-q",
    ];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        cbec(&a)
    };
    let doc = json(&with(&[
        "--threshold",
        "customs_review.utilization=-0.05",
        "--json",
        "--csv",
        csv_dir.to_str().unwrap(),
    ]));
    assert_eq!(doc["schema"], "cbec-sim/robustness/1");
    let e = &doc["study"]["variants"][0]["kpis"][0];
    assert_eq!(e["kpi"], "customs_review.utilization");
    assert_eq!(e["effects"].as_array().unwrap().len(), 4);
    let shares = ["share_up", "share_down", "share_neither"]
        .map(|k| e[k].as_f64().unwrap())
        .iter()
        .sum::<f64>();
    assert!((shares - 1.0).abs() < 1e-12);
    assert_eq!(e["threshold"], -0.05);
    let summary = std::fs::read_to_string(csv_dir.join("robustness.csv")).unwrap();
    assert_eq!(summary.lines().count(), 2);
    let draws = std::fs::read_to_string(csv_dir.join("robustness_draws.csv")).unwrap();
    assert_eq!(draws.lines().count(), 1 + 4);
    assert!(draws.starts_with("variant,kpi,draw,effect,verdict,"));
    let out = with(&["--threshold", "customs_review.utilization"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "--threshold: must be KPI=X with a finite number X, got \"customs_review.utilization\""
    ));
    let out = with(&["--threshold", "network.in_system_mean=1"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--threshold network.in_system_mean: that KPI is not reported; add --kpi network.in_system_mean")
    );
    let out = cbec(&[
        "robustness",
        TANDEM,
        "--measure",
        "no_such_measure",
        "--draws",
        "2",
        "-n",
        "2",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cbec-sim capacity` on the tandem line: a plan with its confirmation,
/// the JSON and CSV files, and errors that name the flag.
#[test]
fn capacity_finds_and_confirms_a_plan() {
    let dir = std::env::temp_dir().join(format!("cbec-cap-{}", std::process::id()));
    let csv_dir = dir.join("csv");
    let doc = json(&cbec(&[
        "capacity",
        TANDEM,
        "--resource",
        "stations.customs_review.servers=2:1..10",
        "--resource",
        "stations.inspection.servers=5:1..10",
        "--target",
        "customs_review.wait_mean_min<=1",
        "--target",
        "inspection.wait_mean_min<=10",
        "-n",
        "4",
        "--confirm-replications",
        "4",
        "-q",
        "--json",
        "--csv",
        csv_dir.to_str().unwrap(),
    ]));
    assert_eq!(doc["schema"], "cbec-sim/capacity/1");
    let plan = &doc["search"]["plan"];
    let units: Vec<u64> = plan["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_u64().unwrap())
        .collect();
    assert_eq!(plan["cost"], 2.0 * units[0] as f64 + 5.0 * units[1] as f64);
    assert_eq!(plan["feasible"], true);
    let confirmation = &doc["search"]["confirmation"];
    assert_eq!(confirmation["neighbours"].as_array().unwrap().len(), 2);
    let rows = std::fs::read_to_string(csv_dir.join("capacity_plan.csv")).unwrap();
    assert_eq!(rows.lines().count(), 3);
    let rows = std::fs::read_to_string(csv_dir.join("capacity_confirmation.csv")).unwrap();
    assert_eq!(
        rows.lines().count(),
        1 + 3 * 2,
        "plan and 2 neighbours, 2 targets each"
    );
    for (flag, value, message) in [
        (
            "--resource",
            "stations.customs_review.servers=0",
            "--resource: COST must be a number above 0; the form is PATH[=COST][:MIN..MAX], got \"stations.customs_review.servers=0\"",
        ),
        (
            "--resource",
            "stations.customs_review.servers:5..1",
            "--resource: MIN..MAX must be whole numbers with MIN <= MAX",
        ),
        (
            "--resource",
            "stations.customs_review.service_time_min.mean",
            "must name a whole number of units, got 1.5",
        ),
    ] {
        let out = cbec(&[
            "capacity",
            TANDEM,
            flag,
            value,
            "--target",
            "customs_review.wait_mean_min<=1",
            "-n",
            "2",
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(2), "{value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{err}");
    }
    let out = cbec(&[
        "capacity",
        TANDEM,
        "--resource",
        "stations.customs_review.servers",
        "--target",
        "customs_review.wiat_mean_min<=1",
        "-q",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--target"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `compare` states the overload of a variant that drowns a station (the
/// servers it would need, the servers it has) in the table's warnings,
/// the JSON's flags and at the top of the HTML report; the stable baseline
/// is not flagged.
#[test]
fn compare_warns_of_an_overloaded_variant_everywhere() {
    let dir = std::env::temp_dir().join(format!("cbec-overload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let measures = dir.join("m.toml");
    std::fs::write(
        &measures,
        "[[measure]]\nname = \"one_less_reviewer\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{ path = \"stations.customs_review.servers\", add = -1, assumption = \"a\" }]\n",
    )
    .unwrap();
    let report = dir.join("r.html");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "compare",
            TANDEM,
            "--measures-file",
            measures.to_str().unwrap(),
            "--measure",
            "one_less_reviewer",
            "-n",
            "2",
            "-q",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| cbec(&a.iter().map(String::as_str).collect::<Vec<_>>());
    // 100 orders/h at 1.5 min each keep 2.5 reviewers busy: 2 are too few.
    let expected = "one_less_reviewer: customs_review is offered 1.25 times its capacity (100.0 orders/h): its queue grows without bound; below 1 it needs more than 2.5 servers on duty on average, it has 2.0";
    let out = run(args(&["--report", report.to_str().unwrap()]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains(&format!("warning: {expected}")), "{text}");
    assert!(
        !text.contains("baseline: customs_review is offered"),
        "{text}"
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("WARNINGS: "),
        "the report opens with the warnings"
    );
    assert!(html.contains(expected));
    let doc = json(&run(args(&["--json"])));
    let flags: Vec<&str> = doc["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(flags.contains(&expected), "{flags:?}");
    // The same in a factorial over the measure, named by its design point.
    let out = cbec(&[
        "factorial",
        TANDEM,
        "--measures-file",
        measures.to_str().unwrap(),
        "--measure",
        "one_less_reviewer",
        "-n",
        "2",
        "-q",
        "--json",
    ]);
    let doc = json(&out);
    assert_eq!(doc["flags"], serde_json::json!([expected]));
    // And in a sweep, named by its value; the stable values are not flagged.
    let out = cbec(&[
        "sweep",
        TANDEM,
        "--param",
        "stations.customs_review.servers",
        "--values",
        "2,3,4",
        "-n",
        "2",
        "-q",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let at_two = expected.replace("one_less_reviewer", "stations.customs_review.servers = 2");
    assert!(text.contains(&format!("warning: {at_two}")), "{text}");
    assert_eq!(text.matches("times its capacity").count(), 1, "{text}");
    // Its results say so too: the backlog grew at 2 reviewers, and only there.
    assert!(
        text.contains(
            "warning: stations.customs_review.servers = 2: the backlog grew through the window"
        ),
        "{text}"
    );
    assert_eq!(text.matches("the backlog grew").count(), 1, "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A misspelt `--kpi` gets at most five suggestions, closest first, never
/// the list of every KPI; with nothing close, the message says how many
/// KPIs there are and that `explain --kpis` lists them, and it does.
#[test]
fn a_misspelt_kpi_gets_at_most_five_suggestions_and_explain_lists_them_all() {
    let kpis = cbec(&["explain", DOUBLE11, "--kpis"]);
    assert!(kpis.status.success());
    let listed: Vec<String> = String::from_utf8(kpis.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(listed.len() > 100, "{}", listed.len());
    assert!(listed.contains(&"manual_review.wait_mean_min".to_string()));
    let as_json = json(&cbec(&["explain", DOUBLE11, "--kpis", "--json"]));
    assert_eq!(as_json.as_array().unwrap().len(), listed.len());
    let refused = |kpi: &str| {
        let out = cbec(&[
            "sweep",
            DOUBLE11,
            "--param",
            "stations.manual_review.servers",
            "--values",
            "20",
            "--kpi",
            kpi,
        ]);
        assert_eq!(out.status.code(), Some(2), "{kpi}");
        assert!(out.stdout.is_empty(), "{kpi}: refused before the run");
        let err = String::from_utf8(out.stderr).unwrap();
        let names = err.matches('"').count() / 2 - 1;
        assert!(names <= 5, "{kpi}: {names} names: {err}");
        err
    };
    assert_eq!(
        refused("manual_review.wiat_mean_min"),
        "error: --kpi: unknown KPI \"manual_review.wiat_mean_min\"; did you mean \"manual_review.wait_mean_min\"?\n"
    );
    let bare = refused("wait_mean_min");
    assert!(
        bare.contains("did you mean \"") && bare.matches(".wait_mean_min\"").count() == 5,
        "five stations' wait_mean_min: {bare}"
    );
    assert_eq!(
        refused("throughput_of_the_whole_centre"),
        format!(
            "error: --kpi: unknown KPI \"throughput_of_the_whole_centre\"; none of the {} KPIs is close; `cbec-sim explain {DOUBLE11} --kpis` lists them\n",
            listed.len()
        )
    );
}

/// A misspelt `--param` path gets the closest key; a value of the wrong
/// type for the parameter says the form it takes.
#[test]
fn a_misspelt_or_mistyped_param_names_the_path_and_the_form() {
    let sweep = |param: &str| {
        let out = cbec(&[
            "sweep", TANDEM, "--param", param, "--values", "3", "-n", "1",
        ]);
        assert_eq!(out.status.code(), Some(2), "{param}");
        String::from_utf8(out.stderr).unwrap()
    };
    let typo = sweep("stations.customs_reveiw.servers");
    assert!(
        typo.contains(
            "no key \"customs_reveiw\" in \"stations\"; did you mean \"customs_review\"?"
        ),
        "{typo}"
    );
    let mistyped = sweep("stations.customs_review.service_time_min");
    assert!(
        mistyped.trim_end().ends_with(
            "stations.customs_review.service_time_min: 3 is not a distribution; expected a table such as { dist = \"exponential\", mean = 3 }"
        ),
        "{mistyped}"
    );
}

/// `run --trace` writes the chosen replication's order and resource
/// traces, exactly as the library's `TraceWriter` gives them for the same
/// scenario, seed and replication; bad trace options are refused before
/// anything runs.
#[test]
fn run_writes_the_traces_of_the_chosen_replication() {
    let dir = std::env::temp_dir().join(format!("cbec-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (orders, resources) = (dir.join("orders.csv"), dir.join("servers.csv"));
    let out = cbec(&[
        "run",
        TANDEM,
        "-n",
        "3",
        "--seed",
        "5",
        "-q",
        "--trace",
        orders.to_str().unwrap(),
        "--resource-trace",
        resources.to_str().unwrap(),
        "--trace-replications",
        "1..2",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let model = cbec_sim::Scenario::from_path(TANDEM)
        .unwrap()
        .build()
        .unwrap();
    let mut w =
        cbec_sim::report::TraceWriter::new(&model, Some(Vec::new()), Some(Vec::new())).unwrap();
    let _ = w.trace(5, 1);
    let (o, r) = w.finish().unwrap();
    let written = std::fs::read(&orders).unwrap();
    assert!(written.starts_with(b"replication,time_h,datetime,order,event,node,server,class\n"));
    assert!(written.len() > 1_000_000, "{} bytes", written.len());
    assert!(
        written == o.unwrap(),
        "the file is the library's trace of replication 1"
    );
    assert!(std::fs::read(&resources).unwrap() == r.unwrap());
    // Refused before the run: a replication not run, one file for both.
    let refused = cbec(&[
        "run",
        TANDEM,
        "-n",
        "3",
        "-q",
        "--trace",
        orders.to_str().unwrap(),
        "--trace-replications",
        "3..4",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("--trace-replications: 3..4 is not among the replications run (0..3)")
    );
    // One file under two spellings.
    let again = dir.join(".").join("orders.csv");
    let same = cbec(&[
        "run",
        TANDEM,
        "-q",
        "--trace",
        orders.to_str().unwrap(),
        "--resource-trace",
        again.to_str().unwrap(),
    ]);
    assert_eq!(same.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&same.stderr).contains("is also the --trace file"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The tandem line with one reviewer fewer, written into `dir` (with its
/// assumption ranges beside it): 100 orders/h at 1.5 min keep 2.5
/// reviewers busy, and it has 2.
fn short_tandem(dir: &std::path::Path) -> std::path::PathBuf {
    let scenario = dir.join("short.toml");
    let text = std::fs::read_to_string(TANDEM).unwrap();
    let short = text.replacen(
        "[stations.customs_review]\nservers = 3",
        "[stations.customs_review]\nservers = 2",
        1,
    );
    assert_ne!(short, text);
    std::fs::write(&scenario, short).unwrap();
    let ranges = TANDEM.replace(".toml", ".assumptions.toml");
    std::fs::copy(&ranges, dir.join("short.assumptions.toml")).unwrap();
    scenario
}

/// The overload warning of [`short_tandem`].
const SHORT_OVERLOAD: &str = "customs_review is offered 1.25 times its capacity (100.0 orders/h): its queue grows without bound; below 1 it needs more than 2.5 servers on duty on average, it has 2.0";

/// The studies over assumptions and capacity state the overload of the
/// models they study too: sensitivity at the scenario's values, robustness
/// for the baseline and each variant, capacity for the scenario as given;
/// in the text and the JSON `flags`.
#[test]
fn the_studies_warn_of_an_overloaded_model_too() {
    let dir = std::env::temp_dir().join(format!("cbec-study-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = short_tandem(&dir);
    let measures = dir.join("m.toml");
    std::fs::write(
        &measures,
        "[[measure]]\nname = \"one_more_reviewer\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{ path = \"stations.customs_review.servers\", add = 1, assumption = \"a\" }]\n",
    )
    .unwrap();
    let overload = SHORT_OVERLOAD;
    let s = scenario.to_str().unwrap();
    let m = measures.to_str().unwrap();
    let runs: [(&str, Vec<&str>); 3] = [
        (
            "at the scenario's values",
            vec![
                "sensitivity",
                s,
                "--trajectories",
                "2",
                "--top",
                "2",
                "--sobol-rows",
                "4",
                "--kpi",
                "network.time_in_system_mean_min",
                "-n",
                "2",
                "-q",
            ],
        ),
        (
            "baseline",
            vec![
                "robustness",
                s,
                "--measures-file",
                m,
                "--measure",
                "one_more_reviewer",
                "--draws",
                "4",
                "-n",
                "2",
                "--kpi",
                "customs_review.utilization",
                "-q",
            ],
        ),
        (
            "the scenario as given",
            vec![
                "capacity",
                s,
                "--resource",
                "stations.customs_review.servers=2:1..6",
                "--target",
                "customs_review.wait_mean_min<=1",
                "-n",
                "2",
                "--confirm-replications",
                "2",
                "-q",
            ],
        ),
    ];
    for (label, args) in runs {
        let out = cbec(&args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {}",
            args[0],
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains(&format!("warning: {label}: {overload}")),
            "{}: {text}",
            args[0]
        );
        let mut with_json = args.clone();
        with_json.push("--json");
        let doc = json(&cbec(&with_json));
        let flags = doc["flags"].as_array().unwrap();
        assert!(
            flags.contains(&serde_json::json!(format!("{label}: {overload}"))),
            "{flags:?}"
        );
        // The variant with one more reviewer keeps up: no flag names it.
        assert!(
            flags
                .iter()
                .all(|f| !f.as_str().unwrap().starts_with("one_more_reviewer"))
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `run` of an overloaded line states it in the text, the JSON `flags` and
/// at the top of the report (not only on stderr before the run).
#[test]
fn run_warns_of_an_overloaded_model_in_its_results() {
    let dir = std::env::temp_dir().join(format!("cbec-run-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = short_tandem(&dir);
    let report = dir.join("r.html");
    let overload = SHORT_OVERLOAD;
    let s = scenario.to_str().unwrap();
    let out = cbec(&[
        "run",
        s,
        "-n",
        "2",
        "-q",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("warning: {overload}")), "{text}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(overload),
        "and before the run"
    );
    let html = std::fs::read_to_string(&report).unwrap();
    let top = html
        .find("WARNINGS: ")
        .expect("the report opens with its warnings");
    let at = html.find(overload).expect("the overload is in the report");
    assert!(
        top < at && at < html.find("Summary").unwrap_or(usize::MAX),
        "first"
    );
    let doc = json(&cbec(&["run", s, "-n", "2", "-q", "--json"]));
    assert_eq!(doc["flags"][0], serde_json::json!(overload));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A variant file that draws its orders' numbers otherwise than the
/// baseline would lose common random numbers: `compare` refuses it, naming
/// the field and both values; and the JSON setup says which was used.
#[test]
fn compare_refuses_a_variant_with_other_random_numbers() {
    let dir = temp_dir("random-numbers");
    let text = std::fs::read_to_string(TANDEM).unwrap();
    let by_node = dir.join("by_node.toml");
    std::fs::write(
        &by_node,
        text.replace(
            "[simulation]\n",
            "[simulation]\nrandom_numbers = \"by_node\"\n",
        ),
    )
    .unwrap();
    let out = cbec(&[
        "compare",
        TANDEM,
        "--variant",
        by_node.to_str().unwrap(),
        "-n",
        "2",
        "--quiet",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("variant by_node: simulation.random_numbers is \"by_node\", the baseline's is \"by_order\""),
        "{err}"
    );
    let doc = json(&cbec(&[
        "run",
        by_node.to_str().unwrap(),
        "-n",
        "1",
        "--json",
    ]));
    assert_eq!(doc["setup"]["random_numbers"], "by_node");
    let doc = json(&cbec(&["run", TANDEM, "-n", "1", "--json"]));
    assert_eq!(doc["setup"]["random_numbers"], "by_order");
    let _ = std::fs::remove_dir_all(&dir);
}
