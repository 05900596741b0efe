//! Golden tests of the report layer: the JSON shape (key sets, schema
//! names) of each result document and the header line of each CSV file,
//! built in-process from a tiny model with a fixed seed, against the
//! expectations checked in under `tests/it/golden/`.
//!
//! Only structure is pinned here (numbers are pinned by the statistical
//! tests and by the exact-text CSV doctest of `report::csv`). After an
//! intended change of a document, bump its schema version if a field was
//! removed or changed meaning, and rewrite the expectations with
//! `UPDATE_GOLDEN=1 cargo test --release --test it -- documents`.

use cbec_sim::experiment::{
    Experiment, Precision, Replications, Seed, ShardResult, Target, compare, factorial_all, sweep,
};
use cbec_sim::report::csv;
use cbec_sim::report::document::{
    CompareReport, Document, FactorialReport, RunReport, Setup, SweepReport,
};
use cbec_sim::{Measure, Model, Patch, PatchOp, Scenario, SimTime};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// Two desks in tandem, 40 hours with 2 hours of warm-up.
const TINY: &str = r#"
[simulation]
horizon_h = 40
warmup_h = 2

[sources.orders]
rate_per_hour = 40
to = "check"

[stations.check]
servers = 1
service_time_min = { dist = "exponential", mean = 1.0 }
to = "review"
milestone = "declared"

[stations.review]
servers = 2
service_time_min = { dist = "exponential", mean = 2.0 }
to = "out"

[sinks.out]
milestone = "released"

[intervals.clearance]
from = "declared"
to = "released"
"#;

const SEED: u64 = 5;

fn scenario() -> Scenario {
    Scenario::from_toml_str(TINY).expect("the tiny scenario parses")
}

fn model() -> Model {
    scenario().build().expect("the tiny scenario builds")
}

fn measure(name: &str, path: &str, servers: i64) -> Measure {
    Measure::new(
        name,
        format!("{path} = {servers}"),
        "(test)",
        vec![Patch::new(
            path,
            PatchOp::Set(servers.into()),
            "a test factor",
        )],
    )
}

/// The structure of a JSON value: objects keep their keys (sorted) with the
/// shape of each value, arrays the merged shape of their elements, scalars
/// their type; the top-level `schema` keeps its value.
fn shape(v: &Value) -> Value {
    match v {
        Value::Null => Value::from("null"),
        Value::Bool(_) => Value::from("bool"),
        Value::Number(_) => Value::from("number"),
        Value::String(_) => Value::from("string"),
        Value::Array(items) => {
            let merged = items.iter().map(shape).reduce(merge);
            Value::Array(merged.into_iter().collect())
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), shape(&map[k])))
                    .collect::<Map<_, _>>(),
            )
        }
    }
}

/// Two shapes as one: `null` gives way to anything, objects unite keys.
fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::String(s), other) | (other, Value::String(s)) if s == "null" => other,
        (Value::Object(mut x), Value::Object(y)) => {
            for (k, v) in y {
                let merged = match x.remove(&k) {
                    Some(old) => merge(old, v),
                    None => v,
                };
                x.insert(k, merged);
            }
            let mut keys: Vec<String> = x.keys().cloned().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| {
                        let v = x[&k].clone();
                        (k, v)
                    })
                    .collect(),
            )
        }
        (Value::Array(x), Value::Array(y)) => {
            Value::Array(x.into_iter().chain(y).reduce(merge).into_iter().collect())
        }
        (a, _) => a,
    }
}

/// The document's shape, with its schema string kept.
fn document_shape<D: Document>(doc: &D) -> String {
    let json: Value = serde_json::from_str(&doc.to_json()).expect("valid JSON");
    assert_eq!(json["schema"], D::SCHEMA);
    let mut s = shape(&json);
    s["schema"] = Value::from(D::SCHEMA);
    serde_json::to_string_pretty(&s).unwrap() + "\n"
}

/// Compares `actual` with the checked-in `golden/<name>`, or rewrites it
/// with `UPDATE_GOLDEN=1`.
fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert_eq!(
        actual, expected,
        "{name} changed: bump the schema version if a field was removed or changed meaning, then UPDATE_GOLDEN=1"
    );
}

/// The header line of each CSV file.
fn headers(files: &[(&str, String)]) -> String {
    files
        .iter()
        .map(|(name, text)| format!("{name}: {}\n", text.lines().next().unwrap_or("")))
        .collect()
}

fn run_report() -> (RunReport, ShardResult) {
    let model = model();
    let rule = Precision::new("review.wait_mean_min", 0.5)
        .with_initial(3)
        .with_batch(2);
    let result = Experiment::new(&model)
        .with_seed(Seed(SEED))
        .with_replications(Replications::first(5))
        .with_precision(rule)
        .run()
        .unwrap();
    let (shard, decision) = (result.shard, result.precision.unwrap());
    let done = Replications::new(shard.start..shard.end).unwrap();
    let mut doc = RunReport::new(&shard, Setup::new(&model, Seed(SEED), &done));
    doc.scenario = Some("tiny.toml".to_string());
    doc.measures = vec!["more_review".to_string()];
    doc.precision = Some((&decision).into());
    doc.warmup = Some(RunReport::auto_warmup_note(Some(SimTime::from_hours(2.0))));
    (doc, shard)
}

#[test]
fn the_run_document_keeps_its_shape_and_carries_its_setup() {
    let (doc, shard) = run_report();
    golden("summary.json", &document_shape(&doc));
    let json: Value = serde_json::from_str(&doc.to_json()).unwrap();
    let setup = &json["setup"];
    assert_eq!(setup["crate_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(setup["horizon_h"], 40.0);
    assert_eq!(setup["warmup_h"], 2.0);
    assert_eq!(setup["seed"], SEED);
    assert_eq!(setup["replications"]["end"], json["replications"]["end"]);
    for k in json["kpis"].as_array().unwrap() {
        if let (Some(sd), Some(n)) = (k["std_dev"].as_f64(), k["n"].as_u64()) {
            let se = k["std_error"].as_f64().unwrap();
            assert!((se - sd / (n as f64).sqrt()).abs() <= 1e-12 * sd.max(1.0));
        }
    }
    // The document reads back as it was written.
    let back: RunReport = serde_json::from_str(&doc.to_json()).unwrap();
    assert_eq!(back, doc);
    let files = csv::run_files(&doc, &shard).unwrap();
    golden("run_csv_headers.txt", &headers(&files));
    assert_eq!(
        files[1].1.lines().count() as u64,
        1 + shard.end - shard.start,
        "a header and one row per replication"
    );
    // The text names the setup and pins the KPI table's header.
    let text = doc.to_text(None);
    assert!(text.contains("replications 0.."), "{text}");
    assert!(text.contains("warm-up chosen by MSER-5: 2.00 h"));
    assert!(text.contains(&format!(
        "{:<44} {:>14} {:>12} {:>12} {:>12}\n",
        "KPI", "mean", "± 95% CI", "min", "max"
    )));
}

#[test]
fn the_compare_document_keeps_its_shape() {
    let base = scenario();
    let variant = base
        .with_measures([&measure("more_review", "stations.review.servers", 3)])
        .unwrap();
    let diffs = compare(
        &model(),
        &variant.build().unwrap(),
        Seed(SEED),
        Replications::first(3),
    )
    .unwrap();
    let doc = CompareReport::new(
        "tiny.toml",
        Setup::new(&model(), Seed(SEED), &Replications::first(3)),
        &[("more_review".to_string(), diffs)],
    );
    golden("compare.json", &document_shape(&doc));
    golden(
        "compare_csv_headers.txt",
        &headers(&csv::compare_files(&doc).unwrap()),
    );
    let text = doc.to_text(&["review.wait_mean_min".to_string()]);
    assert!(text.contains("== more_review\n"), "{text}");
    assert!(text.contains("review.wait_mean_min"));
}

#[test]
fn the_sweep_document_keeps_its_shape() {
    let base = scenario();
    let curve = sweep(
        &[2.0, 3.0],
        |v| base.with_value("stations.review.servers", v)?.build(),
        "review.wait_mean_min",
        Some(Target::parse("review.wait_mean_min<=1").unwrap().1),
        Seed(SEED),
        Replications::first(3),
    )
    .unwrap();
    let doc = SweepReport::new(
        "tiny.toml",
        "stations.review.servers",
        Setup::new(&model(), Seed(SEED), &Replications::first(3)),
        &curve,
    );
    golden("sweep.json", &document_shape(&doc));
    golden(
        "sweep_csv_headers.txt",
        &headers(&csv::sweep_files(&doc).unwrap()),
    );
    assert!(doc.to_text().contains("Target review.wait_mean_min"));
}

#[test]
fn the_factorial_document_keeps_its_shape() {
    let base = scenario();
    let measures = [
        measure("more_check", "stations.check.servers", 2),
        measure("more_review", "stations.review.servers", 3),
    ];
    let all = factorial_all(
        &["more_check", "more_review"],
        |levels| base.design_point(&measures, levels)?.build(),
        Seed(SEED),
        Replications::first(3),
    )
    .unwrap();
    let names = ["more_check".to_string(), "more_review".to_string()];
    let doc = FactorialReport::new(
        "tiny.toml",
        &names,
        Setup::new(&model(), Seed(SEED), &Replications::first(3)),
        &all,
    );
    golden("factorial.json", &document_shape(&doc));
    golden(
        "factorial_csv_headers.txt",
        &headers(&csv::factorial_files(&doc).unwrap()),
    );
    let shown = doc.shown(&base, &[]).unwrap();
    assert_eq!(shown.len(), doc.kpis.len(), "no planner KPIs: every KPI");
    assert!(doc.to_text(&shown).contains("more_check x more_review"));
    let err = doc.shown(&base, &["nokpi".to_string()]).unwrap_err();
    assert!(err.to_string().starts_with("--kpi: unknown KPI \"nokpi\""));
}

/// The HTML report of a run, built in-process with a fixed provenance:
/// warnings, summary (question, headline KPIs, one chart), details, the
/// full tables folded, and a footer with exactly what was passed in.
#[cfg(feature = "report")]
#[test]
fn the_run_report_opens_with_its_summary_and_ends_with_its_footer() {
    use crate::support::{numbers_in, significant_digits, td_cells};
    use cbec_sim::report::{ChartData, Provenance, pages, visuals};
    let (mut doc, _) = run_report();
    doc.flags.push("a test warning".to_string());
    let scenario = scenario();
    let model = model();
    let mut charts = ChartData::new(&scenario).with_calendar(*model.calendar());
    let folded = Experiment::new(&model)
        .with_seed(Seed(SEED))
        .with_replications(doc.setup.replications.clone())
        .run_folding(|_, run| charts.add(run))
        .unwrap();
    assert_eq!(folded.finished(), charts.runs());
    let provenance = Provenance::new(
        [
            "/opt/bin/cbec-sim",
            "run",
            "tiny.toml",
            "-n",
            "5",
            "--report",
            "r.html",
        ],
        "2026-11-11 08:00 UTC",
    );
    let v = visuals::run_visuals(&charts).unwrap();
    let n_charts = v.charts.len();
    let changes = [(
        "more_review".to_string(),
        "One more reviewer (stations.review.servers add 1)".to_string(),
    )];
    let html = pages::run_html(&doc, &model, &changes, v, &provenance);
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in the report"))
    };
    // In this order: warnings, summary, its table and one chart, details,
    // the folded tables, the footer.
    let order = [
        "WARNINGS: ",
        "<li>a test warning</li>",
        "<h2>Summary</h2>",
        "Scenario tiny.toml, observed from ",
        "<li>Measure more_review: One more reviewer (stations.review.servers add 1)</li>",
        "<caption>Headline results",
        "<svg",
        "<h2>Details</h2>",
        "<details>\n<summary>Every KPI over the replications</summary>",
        "<details>\n<summary>The network and the load its inputs offer</summary>",
        "<footer>",
    ];
    for w in order.windows(2) {
        assert!(
            at(w[0]) < at(w[1]),
            "{:?} should come before {:?}",
            w[0],
            w[1]
        );
    }
    let summary = &html[at("<h2>Summary</h2>")..at("<h2>Details</h2>")];
    assert_eq!(
        summary.matches("<svg").count(),
        1,
        "one chart in the summary"
    );
    assert_eq!(html.matches("<svg").count(), n_charts);
    // The network's time in system, in words and units (no planner KPIs).
    assert!(
        summary.contains("<td>Network: time in system, mean</td><td>minutes</td>"),
        "{summary}"
    );
    assert!(
        summary.contains("1 Jan 2024") || summary.contains(" 2024, "),
        "{summary}"
    );
    // The footer says exactly how the report was made.
    let footer = &html[at("<footer>")..];
    for (name, value) in [
        ("cbec-sim version", env!("CARGO_PKG_VERSION").to_string()),
        (
            "command",
            "cbec-sim run tiny.toml -n 5 --report r.html".to_string(),
        ),
        ("seed", SEED.to_string()),
        (
            "replications",
            format!(
                "{} (indices 0..{})",
                doc.setup.replications.len(),
                doc.setup.replications.end()
            ),
        ),
        ("date of the run", "2026-11-11 08:00 UTC".to_string()),
    ] {
        assert!(
            footer.contains(&format!("<dt>{name}</dt><dd>{value}</dd>")),
            "{name}: {footer}"
        );
    }
    // No table cell has more than 6 significant digits.
    let cells = td_cells(&html);
    assert!(cells.len() > 50, "the KPI table is there");
    for c in &cells {
        for n in numbers_in(c) {
            assert!(significant_digits(&n) <= 6, "cell {c:?}");
        }
    }
}
