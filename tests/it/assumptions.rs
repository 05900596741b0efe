//! Assumptions as data: ranges parsed and checked against a scenario,
//! quantiles of each shape, linked numbers that move together, the
//! `validate` and `assumptions` commands, and the shipped ranges.

use cbec_sim::{Assumptions, Scenario};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");

/// Two officers, a 10% manual share, and two shifts of pickers.
fn scenario() -> Scenario {
    Scenario::from_toml_str(
        r#"
        [simulation]
        horizon_h = 48
        [sources.orders]
        rate_per_hour = 60
        to = "review"
        [routers.review]
        routes = [{ to = "officer", prob = 0.1 }, { to = "pick", prob = 0.9 }]
        [stations.officer]
        servers = 2
        service_time_min = { dist = "lognormal", mean = 10.0, cv = 1.0 }
        to = "pick"
        [stations.pick]
        servers = 0
        service_time_min = { dist = "exponential", mean = 0.5 }
        to = "out"
        shifts = [
          { from = "06:00", to = "14:00", servers = 4 },
          { from = "14:00", to = "22:00", servers = 3 },
        ]
        [sinks.out]
        "#,
    )
    .unwrap()
}

fn ranges(text: &str) -> Result<Assumptions, String> {
    Assumptions::from_toml_str(text).map_err(|e| e.to_string())
}

fn at(doc: &toml::Table, path: &[&str]) -> toml::Value {
    let mut v = toml::Value::Table(doc.clone());
    for p in path {
        v = match p.parse::<usize>() {
            Ok(i) => v[i].clone(),
            Err(_) => v[*p].clone(),
        };
    }
    v
}

#[test]
fn a_file_breaking_a_rule_names_the_entry_the_value_and_the_rule() {
    let one = |body: &str| ranges(&format!("[[assumption]]\npath = \"a.b\"\n{body}\n"));
    assert_eq!(
        one("low = 2\nhigh = 2").unwrap_err(),
        "assumption[0].high: must be above low (2), got 2"
    );
    assert_eq!(
        one("low = nan\nhigh = 2").unwrap_err(),
        "assumption[0].low: must be finite, got NaN"
    );
    assert_eq!(
        one("low = 0\nhigh = 2\nshape = \"log_uniform\"").unwrap_err(),
        "assumption[0].low: must be above 0 for shape \"log_uniform\", got 0"
    );
    assert_eq!(
        one("low = 1\nhigh = 2\nsource = \"X\"").unwrap_err(),
        "assumption[0].source: must be one of A (assumption), S (sourced), P (press), C (calibrated), got \"X\""
    );
    assert!(
        one("low = 1\nhigh = 2\nshape = \"normal\"")
            .unwrap_err()
            .contains("unknown variant `normal`"),
    );
    assert!(
        one("low = 1\nhigh = 2\nmean = 3")
            .unwrap_err()
            .contains("unknown field `mean`"),
    );
    let twice = "[[assumption]]\npath = \"a.b\"\nlow = 1\nhigh = 2\n\
                 [[assumption]]\npath = \"a.c\"\nlow = 1\nhigh = 2\ntogether = [\"a.b\"]\n";
    assert_eq!(
        ranges(twice).unwrap_err(),
        "assumption[1].path: \"a.b\" is already moved by assumption[0]; a number may belong to one assumption only"
    );
    let taker = "[[assumption]]\npath = \"a.b\"\nlow = 1\nhigh = 2\n\
                 [[assumption]]\npath = \"a.c\"\nlow = 1\nhigh = 2\nrebalance = \"a.b\"\n";
    assert_eq!(
        ranges(taker).unwrap_err(),
        "assumption[1].rebalance: \"a.b\" is moved by assumption[0], so it cannot take up changes"
    );
    // Two shares may hand their changes to the same route.
    let shared = "[[assumption]]\npath = \"r.x\"\nlow = 0\nhigh = 0.1\nrebalance = \"r.ok\"\n\
                  [[assumption]]\npath = \"r.y\"\nlow = 0\nhigh = 0.1\nrebalance = \"r.ok\"\n";
    assert_eq!(ranges(shared).map(|r| r.len()), Ok(2));
}

#[test]
fn check_refuses_a_path_a_value_outside_or_a_fractional_count() {
    let s = scenario();
    let check = |text: &str| {
        ranges(text)
            .unwrap()
            .check(&s)
            .map(|v| v.iter().map(|c| c.value).collect::<Vec<_>>())
            .map_err(|e| e.to_string())
    };
    let e = check("[[assumption]]\npath = \"stations.ofice.servers\"\nlow = 1\nhigh = 3\n")
        .unwrap_err();
    assert!(
        e.starts_with("assumption[0].path: \"stations.ofice.servers\": no key \"ofice\"")
            && e.contains("did you mean \"officer\""),
        "{e}"
    );
    assert_eq!(
        check("[[assumption]]\npath = \"stations.officer.servers\"\nlow = 3\nhigh = 5\n")
            .unwrap_err(),
        "assumption[0].path: \"stations.officer.servers\" is 2 in the scenario, outside its range 3 to 5"
    );
    assert_eq!(
        check("[[assumption]]\npath = \"stations.officer.servers\"\nlow = 1.5\nhigh = 5\n")
            .unwrap_err(),
        "assumption[0].low: \"stations.officer.servers\" is a whole count, so its range must be whole numbers, got 1.5 to 5"
    );
    assert_eq!(
        check("[[assumption]]\npath = \"stations.officer.service_time_min\"\nlow = 1\nhigh = 5\n")
            .unwrap_err(),
        "assumption[0].path: \"stations.officer.service_time_min\": is a table, not a single number"
    );
    assert_eq!(
        check(
            "[[assumption]]\npath = \"stations.pick.servers\"\nlow = 0\nhigh = 2\ntogether = [\"stations.pick.shifts[0].servers\"]\n"
        )
        .unwrap_err(),
        "assumption[0].together: \"stations.pick.servers\" is 0 in the scenario, so it gives no factor to scale by"
    );
    // A share moved without a route to take up the change: the first
    // corner build (its low end) names the assumption, the end and the rule.
    let e = check(
        "[[assumption]]\npath = \"routers.review.routes[to=officer].prob\"\nlow = 0.05\nhigh = 0.95\n",
    )
    .unwrap_err();
    assert!(
        e.starts_with(
            "assumption[0] at low = 0.05: the scenario there is invalid: routers.review.routes: probabilities must sum to 1"
        ),
        "{e}"
    );
    assert_eq!(
        check(
            "[[assumption]]\npath = \"routers.review.routes[to=officer].prob\"\nlow = 0.05\nhigh = 0.95\nrebalance = \"routers.review.routes[to=pick].prob\"\n"
        ),
        Ok(vec![0.1])
    );
}

/// Quantiles by shape, hand-computed: uniform 1 to 3 at 0.25 is 1.5;
/// log-uniform 1 to 100 at 0.5 is 10 (the geometric mean); triangular 0
/// to 4 with its mode at 1: F(1) = 1/4, so u = 0.25 gives the mode, and
/// u = 0.625 gives 4 - sqrt(0.375 × 4 × 3) = 4 - sqrt(4.5).
#[test]
fn values_are_the_quantiles_of_each_shape() {
    let r = ranges(
        "[[assumption]]\npath = \"a\"\nlow = 1\nhigh = 3\n\
         [[assumption]]\npath = \"b\"\nlow = 1\nhigh = 100\nshape = \"log_uniform\"\n\
         [[assumption]]\npath = \"c\"\nlow = 0\nhigh = 4\nshape = \"triangular\"\n",
    )
    .unwrap();
    assert!((r.value_at(0, 2.0, 0.25) - 1.5).abs() < 1e-12);
    assert_eq!(r.value_at(0, 2.0, 0.0), 1.0);
    assert_eq!(r.value_at(0, 2.0, 1.0), 3.0);
    assert_eq!(r.value_at(0, 2.0, f64::NAN), 2.0);
    assert!((r.value_at(1, 5.0, 0.5) - 10.0).abs() < 1e-9);
    assert!((r.value_at(2, 1.0, 0.25) - 1.0).abs() < 1e-9);
    assert!((r.value_at(2, 1.0, 0.625) - (4.0 - 4.5f64.sqrt())).abs() < 1e-9);
}

/// Linked numbers: the manual share at its top (0.3) hands the
/// difference to the other route (0.9 - 0.2 = 0.7); the day shift at 8
/// pickers (factor 2) scales the late shift to 6; a count is rounded (2.6
/// officers is 3); NaN keeps the scenario's value.
#[test]
fn linked_numbers_move_together_and_counts_are_whole() {
    let s = scenario();
    let r = ranges(
        r#"
        [[assumption]]
        path = "routers.review.routes[to=officer].prob"
        low = 0.05
        high = 0.3
        rebalance = "routers.review.routes[to=pick].prob"
        [[assumption]]
        path = "stations.pick.shifts[0].servers"
        low = 2
        high = 8
        together = ["stations.pick.shifts[1].servers"]
        [[assumption]]
        path = "stations.officer.servers"
        low = 1
        high = 4
        "#,
    )
    .unwrap();
    let doc = r
        .at_unit(&s, &[1.0, 1.0, 0.5])
        .unwrap()
        .to_document()
        .unwrap();
    let prob = |i: usize| {
        at(
            &doc,
            &["routers", "review", "routes", &i.to_string(), "prob"],
        )
        .as_float()
        .unwrap()
    };
    assert!((prob(0) - 0.3).abs() < 1e-12);
    assert!((prob(1) - 0.7).abs() < 1e-12);
    let shift = |i: &str| {
        at(&doc, &["stations", "pick", "shifts", i, "servers"])
            .as_integer()
            .unwrap()
    };
    assert_eq!((shift("0"), shift("1")), (8, 6));
    assert_eq!(
        at(&doc, &["stations", "officer", "servers"]).as_integer(),
        Some(3)
    );
    let same = r.at_unit(&s, &[f64::NAN; 3]).unwrap();
    assert_eq!(same, s);
    let e = r.at_unit(&s, &[0.5]).unwrap_err().to_string();
    assert!(e.contains("a point needs 3 coordinates, got 1"), "{e}");
    let doc = r
        .at_values(&s, &[0.2, 2.0, f64::NAN])
        .unwrap()
        .to_document()
        .unwrap();
    assert_eq!(
        at(&doc, &["stations", "pick", "shifts", "1", "servers"]).as_integer(),
        Some(2),
        "3 × 2/4 = 1.5 rounds to 2"
    );
}

#[test]
fn validate_finds_the_ranges_beside_the_scenario_and_assumptions_lists_them() {
    let dir = std::env::temp_dir().join(format!("cbec-assumptions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("week.toml");
    std::fs::write(&path, toml::to_string(&scenario()).unwrap()).unwrap();
    let run = |args: &[&str]| Command::new(BIN).args(args).output().unwrap();
    let file = path.to_str().unwrap();
    let out = run(&["validate", file]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ranged"));
    std::fs::write(
        dir.join("week.assumptions.toml"),
        "[[assumption]]\npath = \"stations.officer.servers\"\nlow = 1\nhigh = 4\nnote = \"officers\"\n",
    )
    .unwrap();
    let out = run(&["validate", file]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("week.assumptions.toml: 1 ranged assumptions, each value inside its range"),
        "{text}"
    );
    let out = run(&["assumptions", file, "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["path"], "stations.officer.servers");
    assert_eq!(rows[0]["value"], 2.0);
    assert_eq!(rows[0]["low"], 1.0);
    // A range that leaves out the scenario's value: exit 2, the file, the
    // path, the value and the rule.
    std::fs::write(
        dir.join("week.assumptions.toml"),
        "[[assumption]]\npath = \"stations.officer.servers\"\nlow = 3\nhigh = 4\n",
    )
    .unwrap();
    let out = run(&["validate", file]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("week.assumptions.toml: assumption[0].path: \"stations.officer.servers\" is 2 in the scenario, outside its range 3 to 4"),
        "{err}"
    );
    let out = run(&["assumptions", file, "--assumptions", "/nonexistent.toml"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
