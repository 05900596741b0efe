//! The Hongqiao model: the shipped scenarios, the built-in measures, the
//! planner KPIs, and a small scenario whose KPIs are worked out by hand.

use cbec_sim::experiment::{Difference, KpiCatalogue, Replications, Seed, differences};
use cbec_sim::{
    Measure, MeasureKind, Patch, PatchOp, RunSummary, Scenario, Simulation, run_replications,
};
use std::collections::BTreeMap;
use std::path::Path;

const SCENARIOS: [&str; 2] = ["hongqiao_baseline.toml", "hongqiao_double11.toml"];

fn shipped(name: &str) -> Scenario {
    Scenario::from_path(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn kpi(runs: &[RunSummary], name: &str) -> Vec<Option<f64>> {
    let c = KpiCatalogue::for_run(&runs[0]);
    let id = c.kpi(name).unwrap();
    runs.iter().map(|r| c.get(id, r)).collect()
}

#[test]
fn shipped_scenarios_run_and_conserve_orders() {
    for name in SCENARIOS {
        let model = shipped(name)
            .build()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let run = Simulation::new(&model, 3, 0).run();
        assert!(run.conservation.holds(), "{name}: {:?}", run.conservation);
        // The week is busy and every stage is used.
        assert!(run.conservation.entered > 100_000, "{name}");
        // A few inbound lots a week travel S1 (lots of days of demand):
        // a week may see none on one route or in a lab hold, so the lot
        // path is checked through the stocks instead.
        const LOT_PATH: [&str; 9] = [
            "air_supply",
            "pvg_lot_transfer",
            "sha_lot_transfer",
            "air_lot_documents",
            "port_to_blc",
            "sea_lot_documents",
            "entry_review",
            "lab_test",
            "tally",
        ];
        for s in &run.stations {
            assert!(
                s.departures > 0 || LOT_PATH.contains(&s.name.as_str()),
                "{name}: station {} served nobody",
                s.name
            );
        }
        let lots: u64 = run.stocks.iter().map(|s| s.lots_received).sum();
        assert!(lots > 0, "{name}: no lot restocked a stock");
        for s in &run.stocks {
            assert!(s.draws > 10_000, "{name}: {} drew {}", s.name, s.draws);
        }
        for k in &run.sinks {
            // Detentions are rare (0.03% of parcels) but a week has thousands.
            assert!(
                // The shipped stock rules keep both weeks free of stock-outs
                // (see the stock tests for what a shortfall does).
                k.count > 0
                    || k.name == "cancelled_document_mismatch"
                    || k.name == "cancelled_out_of_stock",
                "{name}: sink {} empty",
                k.name
            );
        }
        let c = KpiCatalogue::for_run(&run);
        let value = |k: &str| c.get(c.kpi(k).unwrap(), &run).unwrap();
        let released = value("orders_released_per_day");
        assert!(released > 15_000.0, "{name}: {released} released per day");
        assert!(value("tax_collected_cny") > 0.0);
        let within = value("lead_time_within_24h_share");
        assert!((0.5..=1.0).contains(&within), "{name}: {within}");
    }
}

#[test]
fn a_scenario_survives_its_own_document() {
    for name in SCENARIOS {
        let s = shipped(name);
        let again = s.with_measures([]).unwrap();
        assert_eq!(
            again, s,
            "{name}: writing and reading back changed the scenario"
        );
    }
}

/// Every leaf of a TOML document by its canonical path.
fn leaves(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, toml::Value>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&p, x, out);
            }
        }
        toml::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                leaves(&format!("{prefix}[{i}]"), x, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

fn under(path: &str, patch: &str) -> bool {
    path == patch
        || path.starts_with(&format!("{patch}."))
        || path.starts_with(&format!("{patch}["))
}

#[test]
fn each_builtin_measure_changes_exactly_the_parameters_it_names() {
    let measures = Measure::builtin();
    assert_eq!(measures.len(), 7);
    for name in SCENARIOS {
        let base = shipped(name);
        let doc = base.to_document().unwrap();
        let mut before = BTreeMap::new();
        leaves("", &toml::Value::Table(doc.clone()), &mut before);
        for m in &measures {
            let variant = base
                .with_measures([m])
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            variant
                .build()
                .unwrap_or_else(|e| panic!("{name} + {}: {e}", m.name));
            let mut after = BTreeMap::new();
            leaves(
                "",
                &toml::Value::Table(variant.to_document().unwrap()),
                &mut after,
            );
            let mut named: Vec<String> =
                m.patches.iter().map(|p| p.resolve(&doc).unwrap()).collect();
            let number = |v: &toml::Value| v.as_float().or(v.as_integer().map(|i| i as f64));
            for p in &m.patches {
                if let Some(other) = &p.rebalance {
                    // The rebalanced number takes up exactly the change.
                    let a = Patch::new(other.clone(), PatchOp::Add(0.0), "-")
                        .resolve(&doc)
                        .unwrap();
                    let path = p.resolve(&doc).unwrap();
                    let sum = |m: &BTreeMap<String, toml::Value>| {
                        number(&m[&path]).unwrap() + number(&m[&a]).unwrap()
                    };
                    assert!(
                        (sum(&before) - sum(&after)).abs() < 1e-12,
                        "{}: {path} + {a} changed",
                        m.name
                    );
                    assert_ne!(before[&a], after[&a], "{}: {a} took up nothing", m.name);
                    named.push(a);
                }
            }
            for (p, path) in m.patches.iter().zip(&named) {
                // The named parameter changed in the way the patch says.
                let old: Vec<_> = before.iter().filter(|(k, _)| under(k, path)).collect();
                let new: Vec<_> = after.iter().filter(|(k, _)| under(k, path)).collect();
                assert_ne!(old, new, "{name} + {}: {path} did not change", m.name);
                if let PatchOp::Scale(f) = p.op {
                    for ((_, o), (_, n)) in old.iter().zip(&new) {
                        let (o, n) = (
                            o.as_float().or(o.as_integer().map(|i| i as f64)).unwrap(),
                            n.as_float().or(n.as_integer().map(|i| i as f64)).unwrap(),
                        );
                        assert!(
                            (n - o * f).abs() <= 1e-9 * o.abs(),
                            "{path}: {o} x {f} gave {n}"
                        );
                    }
                }
            }
            // Nothing else moved.
            let rest = |m: &BTreeMap<String, toml::Value>| -> BTreeMap<String, toml::Value> {
                m.iter()
                    .filter(|(k, _)| !named.iter().any(|p| under(k, p)))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
            assert_eq!(
                rest(&before),
                rest(&after),
                "{name} + {}: other parameters changed",
                m.name
            );
        }
    }
}

#[test]
fn conformity_measure_leaves_every_1210_kpi_exactly_unchanged() {
    // GACC Ann. 194/2018: registration and CCC do not apply to 1210 orders,
    // so with common random numbers every 1210 KPI is bit-identical.
    let base = shipped("hongqiao_baseline.toml");
    let m = Measure::builtin()
        .into_iter()
        .find(|m| m.name == "conformity_one_stop")
        .unwrap();
    let b = run_replications(&base.build().unwrap(), Seed(5), Replications::first(3)).unwrap();
    let v = run_replications(
        &base.with_measures([&m]).unwrap().build().unwrap(),
        Seed(5),
        Replications::first(3),
    )
    .unwrap();
    for k in [
        "orders_released_per_day",
        "lead_time_p95_h",
        "clearance_mean_min",
        "tax_collected_cny",
        "utilization_officers",
        "utilization_pickers",
    ] {
        assert_eq!(kpi(&b, k), kpi(&v, k), "{k}");
    }
    let d = differences(&b, &v);
    let conformity = Difference::find(&d, "general_trade_conformity_p95_h").unwrap();
    assert!(
        conformity.effect.mean.unwrap() < 0.0,
        "the measure shortens conformity assessment"
    );
}

#[test]
fn more_officers_cut_the_manual_review_wait() {
    // Two more officers on the day shift, same replications (common random
    // numbers): the paired effect on the mean manual-review wait must be
    // negative with its whole 95% interval, and utilisation must fall.
    let base = shipped("hongqiao_baseline.toml");
    let more = Measure::list_from_toml_str(
        r#"
        [[measure]]
        name = "two_more_officers"
        title = "Two more officers on the day shift"
        press_release = "(test)"
        patches = [{ path = "stations.manual_review.shifts[0].servers", add = 2, assumption = "[A] test" }]
        "#,
    )
    .unwrap();
    let b = run_replications(&base.build().unwrap(), Seed(11), Replications::first(10)).unwrap();
    let v = run_replications(
        &base.with_measures(&more).unwrap().build().unwrap(),
        Seed(11),
        Replications::first(10),
    )
    .unwrap();
    let d = differences(&b, &v);
    let wait = Difference::find(&d, "manual_review.wait_mean_min").unwrap();
    let (m, h) = (
        wait.effect.mean.unwrap(),
        wait.effect.half_width_95.unwrap(),
    );
    assert!(m + h < 0.0, "wait effect {m} ± {h} min");
    let util = Difference::find(&d, "utilization_officers").unwrap();
    assert!(
        util.effect.max.unwrap() < 0.0,
        "utilisation fell in every replication"
    );
    // Arrivals upstream of manual review see the same draws: the orders
    // placed are identical in every replication.
    assert_eq!(
        kpi(&b, "network.entered_per_day"),
        kpi(&v, "network.entered_per_day")
    );
}

#[test]
fn policy_and_demand_measures_are_told_apart() {
    let measures = Measure::builtin();
    let demand: Vec<&str> = measures
        .iter()
        .filter(|m| m.kind == MeasureKind::Demand)
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(demand, ["six_plus_365_demand", "trade_growth"]);
    let growth = measures.iter().find(|m| m.name == "trade_growth").unwrap();
    // (75.93 / 24.13)^(1/3): one year at the CBD's average growth.
    let yearly = (75.93_f64 / 24.13).powf(1.0 / 3.0);
    assert!(
        growth
            .patches
            .iter()
            .all(|p| p.op == PatchOp::Scale((yearly * 1000.0).round() / 1000.0))
    );
}

#[test]
fn patch_errors_name_the_measure_the_path_and_a_suggestion() {
    let base = shipped("hongqiao_baseline.toml");
    let bad = |patch: &str| {
        let text = format!(
            "[[measure]]\nname = \"m\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{patch}]\n"
        );
        let ms = Measure::list_from_toml_str(&text).unwrap();
        base.with_measures(&ms).unwrap_err().to_string()
    };
    assert_eq!(
        bad(r#"{ path = "stations.manual_reveiw.servers", set = 3, assumption = "a" }"#),
        "measures.m.patches[0].path: \"stations.manual_reveiw.servers\" does not exist: no key \"manual_reveiw\" in \"stations\"; did you mean \"manual_review\"?"
    );
    let e = bad(
        r#"{ path = "routers.review_outcome.routes[to=manual].prob", set = 0.1, assumption = "a" }"#,
    );
    assert!(
        e.contains("no element of \"routers.review_outcome.routes\" has to = \"manual\""),
        "{e}"
    );
    let e = bad(r#"{ path = "stations.pick.to", scale = 2, assumption = "a" }"#);
    assert!(
        e.contains("scale by 2 of \"stations.pick.to\": the value is a string"),
        "{e}"
    );
    assert_eq!(
        bad(
            r#"{ path = "routers.review_outcome.routes[to=manual_review].prob", scale = 0.7, rebalance = "routers.review_outcome.routes[to=clared].prob", assumption = "a" }"#
        ),
        "measures.m.patches[0].rebalance: \"routers.review_outcome.routes[to=clared].prob\" does not exist: no element of \"routers.review_outcome.routes\" has to = \"clared\""
    );
    let e = bad(
        r#"{ path = "stations.pick.shifts[0].servers", scale = 2, rebalance = "stations.pick.shifts", assumption = "a" }"#,
    );
    assert!(
        e.starts_with("measures.m.patches[0].rebalance: \"stations.pick.shifts\": "),
        "{e}"
    );
    let text = "[[measure]]\nname = \"m\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{ path = \"a.b\", set = 1, rebalance = \"a.c\", assumption = \"a\" }]\n";
    let e = Measure::list_from_toml_str(text).unwrap_err().to_string();
    assert!(
        e.contains(
            "`rebalance` takes up a relative change; use it with `scale` or `add`, not `set`"
        ),
        "{e}"
    );
    let e = bad(r#"{ path = "stations.xray.shifts[0].servers", scale = 0.75, assumption = "a" }"#);
    assert!(
        e.starts_with("measures m: the patched scenario is invalid"),
        "{e}"
    );
    let e = bad(r#"{ path = "stations.xray.shifts[0].servers", add = 1.5, assumption = "a" }"#);
    assert!(e.contains("servers"), "{e}");
    // Probabilities that no longer sum to 1 are caught by the model check.
    let e = base
        .with_measures(&Measure::list_from_toml_str(
            "[[measure]]\nname = \"m\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{ path = \"routers.review_outcome.routes[0].prob\", set = 0.5, assumption = \"a\" }]\n",
        ).unwrap())
        .unwrap()
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("routers.review_outcome.routes"), "{e}");
    // A patch must say what it assumes, and do exactly one thing.
    for patch in [
        r#"{ path = "stations.xray.servers", set = 3 }"#,
        r#"{ path = "stations.xray.servers", set = 3, add = 1, assumption = "a" }"#,
    ] {
        let text = format!(
            "[[measure]]\nname = \"m\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{patch}]\n"
        );
        assert!(Measure::list_from_toml_str(&text).is_err(), "{patch}");
    }
}

/// A scenario small enough to work out by hand: ten identical orders at
/// 09:00 on a Monday, two over the single limit, one over the annual limit.
const HAND: &str = r#"
[simulation]
start = "2024-01-01T00:00"   # a Monday
horizon_h = 24

[sources.orders]
timetable = [{ days = ["mon"], at = "09:00", batch = { dist = "deterministic", value = 10 } }]
to = "placed"
attributes = { basket_value_cny = { dist = "deterministic", value = 1000 }, annual_spent_cny = { dist = "deterministic", value = 0 }, items = { dist = "deterministic", value = 2 } }
categories = { category = { cosmetics = 1.0 } }

[sources.big_baskets]
timetable = [{ days = ["mon"], at = "09:00", batch = { dist = "deterministic", value = 2 } }]
to = "placed"
attributes = { basket_value_cny = { dist = "deterministic", value = 6000 } }

[sources.heavy_spender]
timetable = [{ days = ["mon"], at = "09:00", batch = { dist = "deterministic", value = 1 } }]
to = "placed"
attributes = { basket_value_cny = { dist = "deterministic", value = 1000 }, annual_spent_cny = { dist = "deterministic", value = 25500 } }

[routers.placed]
milestone = "ordered"
rules = [
  { attribute = "basket_value_cny", op = ">", value = 5000, to = "over_single" },
  { attribute = "annual_spent_cny + basket_value_cny", op = ">", value = 26000, to = "over_annual" },
]
routes = [{ to = "documents", prob = 1.0 }]

[delays.documents]
latest_of_min = { order = { dist = "deterministic", value = 0.5 }, waybill = { dist = "deterministic", value = 1 } }
to = "review"

[stations.review]
milestone = "declared"
servers = 1
service_time_min = { dist = "deterministic", value = 6 }
to = "release"

[routers.release]
milestone = "released"
routes = [{ to = "pick", prob = 1.0 }]

[stations.pick]
servers = 1
service_time_min = { dist = "deterministic", value = 1 }
service_scaled_by = "items"
to = "truck"

[dispatches.truck]
departures = [{ at = "12:00" }]
to = "left_zone"

[sinks.left_zone]
milestone = "left"
[sinks.over_single]
[sinks.over_annual]

[intervals.lead]
from = "ordered"
to = "left"
[intervals.clearance]
from = "declared"
to = "released"

[tax]
at = "released"
value_attribute = "basket_value_cny"
category_attribute = "category"
rates = { cosmetics = { vat = 0.13, consumption = 0.15 } }

[report]
released = "clearance"
lead_time = "lead"
clearance = "clearance"
utilization = { officers = "review", pickers = "pick" }
rejects = { over_single_limit = "over_single", over_annual_limit = "over_annual" }
"#;

#[test]
fn a_small_scenario_matches_its_hand_worked_kpis() {
    let model = Scenario::from_toml_str(HAND).unwrap().build().unwrap();
    let run = Simulation::new(&model, 1, 0).run();
    let c = KpiCatalogue::for_run(&run);
    let v = |k: &str| {
        c.get(c.kpi(k).unwrap(), &run)
            .unwrap_or_else(|| panic!("{k} undefined"))
    };
    // Ten orders pass; the documents are in at 09:01 (the later message).
    // Order k leaves review at 09:01 + 6k min: clearance 6k min, mean 33.
    assert_eq!(v("orders_released_per_day"), 10.0);
    assert!((v("clearance_mean_min") - 33.0).abs() < 1e-9);
    // Picking 2 items x 1 min never queues; every order waits for the
    // 12:00 truck: lead time exactly 3 h (quantiles within the histogram's 1%).
    assert!((v("lead_time_mean_h") - 3.0).abs() < 1e-9);
    for q in ["lead_time_p50_h", "lead_time_p95_h", "lead_time_p99_h"] {
        assert!((v(q) - 3.0).abs() <= 0.03, "{q} = {}", v(q));
    }
    assert_eq!(v("lead_time_within_24h_share"), 1.0);
    assert_eq!(v("backlog_at_end"), 0.0);
    // Composite rate (0.15 + 0.13) / (1 - 0.15) x 0.7 on 1,000 CNY, ten times.
    let rate = (0.15 + 0.13) / (1.0 - 0.15) * 0.7;
    assert!((v("tax_collected_cny") - 10.0 * 1000.0 * rate).abs() < 1e-6);
    // One officer busy 60 min and one picker 20 min of 24 h.
    assert!((v("utilization_officers") - 60.0 / 1440.0).abs() < 1e-12);
    assert!((v("utilization_pickers") - 20.0 / 1440.0).abs() < 1e-12);
    assert_eq!(v("rejected_over_single_limit"), 2.0);
    assert_eq!(v("rejected_over_annual_limit"), 1.0);
    assert!(run.conservation.holds());
}

#[test]
fn report_and_tax_errors_name_the_field() {
    let broken = |from: &str, to: &str| {
        Scenario::from_toml_str(&HAND.replace(from, to))
            .and_then(|s| s.build())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        broken("lead_time = \"lead\"", "lead_time = \"leed\""),
        "report.lead_time: unknown interval \"leed\"; did you mean \"lead\"?"
    );
    assert_eq!(
        broken("officers = \"review\"", "officers = \"reveiw\""),
        "report.utilization.officers: unknown station \"reveiw\"; did you mean \"review\"?"
    );
    assert_eq!(
        broken(
            "cosmetics = { vat = 0.13, consumption = 0.15 }",
            "cosmetics = { vat = 1.3 }"
        ),
        "tax.rates.cosmetics.vat: must be a fraction between 0 and 1, got 1.3"
    );
    assert_eq!(
        broken(
            "rates = { cosmetics",
            "rates = { perfume = { vat = 0.1 }, cosmetics"
        ),
        "tax.rates.perfume: unknown category of \"category\"; the categories are \"cosmetics\""
    );
    assert_eq!(
        broken(
            "annual_spent_cny + basket_value_cny",
            "annual_spent_cny + basket"
        ),
        "routers.placed.rules[1].attribute: unknown attribute \"basket\"; did you mean \"basket_value_cny\"?"
    );
    assert_eq!(
        broken(
            "service_scaled_by = \"items\"",
            "service_scaled_by = \"category\""
        ),
        "stations.pick.service_scaled_by: \"category\" is categorical; give a numeric attribute"
    );
}

/// Every shipped measure says which stage it acts on (shown by `cbec-sim
/// measures`), and none moves what domain.md says a measure must not: the
/// airport measure adds no flights (the share landing at SHA stays), and
/// the conformity measure never touches the 1210 path.
#[test]
fn each_measure_names_its_stage_and_stays_on_it() {
    let measures = Measure::builtin();
    for m in &measures {
        assert!(!m.acts_on.is_empty(), "{}: no stage", m.name);
    }
    let airport = Measure::find(&measures, "airport_cbec_capability").unwrap();
    assert!(
        airport.patches.iter().all(|p| {
            p.path.starts_with("stations.airport_") || p.path.starts_with("delays.pvg_lot_transfer")
        }),
        "the airport measure acts on the airport site (S9) and the Pudong transfer of air lots (S1) only; it never moves parcels or lots between airports"
    );
    let epay = Measure::find(&measures, "electronic_bills_and_payments").unwrap();
    assert!(
        epay.patches.iter().all(|p| p.path.starts_with("pools.")
            || p.path.starts_with("delays.three_documents")
            || p.path.starts_with("delays.sea_lot_documents")),
        "e-B/L and e-payment acts on sea-lot documents, payment messages and the guarantees only"
    );
    assert!(
        epay.patches.iter().all(|p| !p.path.contains("air_lot")),
        "air cargo moves on air waybills, not bills of lading"
    );
}

/// On Double 11 the review officers, pickers and packers are offered more
/// than their capacity on the peak day: each note says how many servers
/// on duty that day would bring it below 1, consistent with the ratio.
#[test]
fn the_peak_day_notes_say_how_many_servers_would_keep_up() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/hongqiao_double11.toml"
    );
    let scenario = cbec_sim::Scenario::from_path(path).unwrap();
    let model = scenario.build().unwrap();
    let text = cbec_sim::report::describe::validate_text("d11", &scenario, &model);
    let notes: Vec<&str> = text.lines().filter(|l| l.starts_with("note: ")).collect();
    assert!(notes.len() >= 3, "{text}");
    for note in notes.iter().filter(|n| n.contains("on its busiest day")) {
        let number_after = |key: &str| -> f64 {
            let rest =
                &note[note.find(key).unwrap_or_else(|| panic!("{key} in {note}")) + key.len()..];
            rest.split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let ratio = number_after(" is offered ");
        let needed = number_after("it needs more than ");
        let has = number_after(", it has ");
        assert!(ratio > 1.0 && needed > has, "{note}");
        // The ratio is rounded to two decimals, needed and has to one: the
        // ratio of the rounded ones is off by at most 0.05 (1 + ratio) / has.
        let slack = 0.005 + 0.05 * (1.0 + ratio) / (has - 0.05);
        assert!((needed / has - ratio).abs() <= slack, "{note}");
    }
}
