//! Hand-worked traces of the CBEC limits and tax rules: a single-item order
//! over the 5,000 CNY limit clears at the full general-goods tariff, VAT
//! and consumption tax; a multi-item basket over the limit is refused; a
//! high-end and an ordinary cosmetic are taxed differently; freight and
//! insurance raise the dutiable value.
//!
//! Each scenario sends one order (or a few identical ones) through the
//! limit routers of the Hongqiao scenarios, a one-minute review and the
//! release milestone at which the tax is assessed.

use cbec_sim::{RunSummary, Scenario, Simulation};

/// The limit routers as in `scenarios/hongqiao_baseline.toml`, one review
/// desk, the release milestone and the tax. `{VALUE}`, `{ITEMS}`,
/// `{SPENT}`, `{CATEGORY}`, `{RATES}` and `{EXTRA}` (more `[tax]` fields)
/// are filled in by [`run`].
const TEMPLATE: &str = r#"
[simulation]
start = "2024-01-01T00:00"   # a Monday
horizon_h = 24

[sources.orders]
timetable = [{ days = ["mon"], at = "09:00", batch = { dist = "deterministic", value = 1 } }]
to = "order_placed"
attributes = { basket_value_cny = { dist = "deterministic", value = {VALUE} }, items = { dist = "deterministic", value = {ITEMS} }, annual_spent_cny = { dist = "deterministic", value = {SPENT} } }
categories = { category = { {CATEGORY} = 1.0 } }

[routers.order_placed]
milestone = "ordered"
rules = [
  { attribute = "basket_value_cny", op = ">", value = 5000, to = "over_single_limit" },
  { attribute = "annual_spent_cny + basket_value_cny", op = ">", value = 26000, to = "rejected_annual_limit" },
]
routes = [{ to = "review", prob = 1.0 }]

[routers.over_single_limit]
rules = [
  { attribute = "items", op = ">", value = 1, to = "rejected_single_limit" },
  { attribute = "annual_spent_cny + basket_value_cny", op = ">", value = 26000, to = "rejected_annual_limit" },
]
routes = [{ to = "review", prob = 1.0 }]

[stations.review]
servers = 1
service_time_min = { dist = "deterministic", value = 1 }
to = "release"

[routers.release]
milestone = "released"
routes = [{ to = "left_zone", prob = 1.0 }]

[sinks.left_zone]
[sinks.rejected_single_limit]
[sinks.rejected_annual_limit]

[tax]
at = "released"
value_attribute = "basket_value_cny"
category_attribute = "category"
items_attribute = "items"
single_limit_cny = 5000
{EXTRA}
rates = { {CATEGORY} = {RATES} }
"#;

/// `template` filled in for one order.
fn scenario(
    template: &str,
    value: f64,
    items: u32,
    spent: f64,
    category: &str,
    rates: &str,
    extra: &str,
) -> String {
    template
        .replace("{VALUE}", &value.to_string())
        .replace("{ITEMS}", &items.to_string())
        .replace("{SPENT}", &spent.to_string())
        .replace("{CATEGORY}", category)
        .replace("{RATES}", rates)
        .replace("{EXTRA}", extra)
}

/// The build error of a scenario text.
fn build_error(text: &str) -> String {
    Scenario::from_toml_str(text)
        .unwrap()
        .build()
        .unwrap_err()
        .to_string()
}

/// One order of `value` CNY with `items` items, `spent` CNY spent this
/// year, in `category` with `rates`; `extra` adds `[tax]` fields.
fn run(value: f64, items: u32, spent: f64, category: &str, rates: &str, extra: &str) -> RunSummary {
    let text = scenario(TEMPLATE, value, items, spent, category, rates, extra);
    let model = Scenario::from_toml_str(&text).unwrap().build().unwrap();
    let run = Simulation::new(&model, 1, 0).run();
    assert!(run.conservation.holds());
    run
}

fn count(run: &RunSummary, sink: &str) -> u64 {
    run.sink(sink).unwrap().count
}

/// (orders taxed, tax in CNY).
fn tax(run: &RunSummary) -> (u64, f64) {
    let t = run.tax.unwrap();
    (t.orders, t.total_cny)
}

const OTHER: &str = "{ vat = 0.13, tariff = 0.10 }";
const HIGH_END: &str = "{ vat = 0.13, consumption = 0.15, tariff = 0.03 }";
const ORDINARY: &str = "{ vat = 0.13, tariff = 0.03 }";

#[test]
fn a_single_item_order_over_the_limit_clears_at_full_general_goods_tax() {
    // 6,000 CNY, one item, 2,000 CNY spent this year (8,000 <= 26,000).
    let r = run(6000.0, 1, 2000.0, "other", OTHER, "");
    assert_eq!(count(&r, "left_zone"), 1);
    assert_eq!(count(&r, "rejected_single_limit"), 0);
    // General trade, no concession, tariff 10%, VAT 13%, no consumption tax:
    //   tariff       6,000 x 0.10                 =   600
    //   VAT          (6,000 + 600) x 0.13         =   858
    //   total                                     = 1,458
    // (the CBEC rate would have been 6,000 x 0.13 x 0.7 = 546).
    let (orders, total) = tax(&r);
    assert_eq!(orders, 1);
    assert!((total - 1458.0).abs() < 1e-9, "{total}");
}

#[test]
fn a_single_high_end_cosmetic_over_the_limit_pays_tariff_consumption_tax_and_vat() {
    let r = run(6000.0, 1, 0.0, "cosmetics_high_end", HIGH_END, "");
    assert_eq!(count(&r, "left_zone"), 1);
    //   tariff            6,000 x 0.03                       =   180
    //   consumption tax   (6,000 + 180) / 0.85 x 0.15        = 1,090.588235...
    //   VAT               (6,000 + 180 + 1,090.588...) x 0.13 =   945.176470...
    //   total                                                 = 2,215.764705...
    let consumption: f64 = 6180.0 / 0.85 * 0.15;
    let vat: f64 = (6180.0 + consumption) * 0.13;
    assert!((consumption - 1_090.588_235_294).abs() < 1e-6);
    assert!((vat - 945.176_470_588).abs() < 1e-6);
    let (_, total) = tax(&r);
    assert!((total - (180.0 + consumption + vat)).abs() < 1e-9);
    assert!((total - 2_215.764_705_882).abs() < 1e-6, "{total}");
}

#[test]
fn a_single_item_order_over_the_limit_still_counts_toward_the_annual_total() {
    // 22,000 + 6,000 = 28,000 > 26,000: refused at the annual limit.
    let r = run(6000.0, 1, 22000.0, "other", OTHER, "");
    assert_eq!(count(&r, "rejected_annual_limit"), 1);
    assert_eq!(count(&r, "left_zone"), 0);
    assert_eq!(tax(&r), (0, 0.0));
}

#[test]
fn a_two_item_basket_over_the_limit_is_refused_and_untaxed() {
    let r = run(6000.0, 2, 0.0, "other", OTHER, "");
    assert_eq!(count(&r, "rejected_single_limit"), 1);
    assert_eq!(count(&r, "left_zone"), 0);
    assert_eq!(tax(&r), (0, 0.0));
}

#[test]
fn an_order_at_the_limit_pays_the_cbec_rate() {
    // 5,000 is not over 5,000: tariff 0, VAT at 70%: 5,000 x 0.13 x 0.7 = 455.
    let r = run(5000.0, 1, 0.0, "other", OTHER, "");
    let (orders, total) = tax(&r);
    assert_eq!(orders, 1);
    assert!((total - 455.0).abs() < 1e-9, "{total}");
}

#[test]
fn a_high_end_and_an_ordinary_cosmetic_are_taxed_differently() {
    // 300 CNY each, within the limits (tariff 0, 70% concession).
    // High-end (>= 10 CNY per ml or g, or 15 CNY per piece): consumption tax
    //   300 x (0.15 + 0.13) / (1 - 0.15) x 0.7 = 69.176470...
    let high = run(300.0, 1, 0.0, "cosmetics_high_end", HIGH_END, "");
    let (_, high) = tax(&high);
    assert!((high - 69.176_470_588).abs() < 1e-6, "{high}");
    // Ordinary: VAT only, 300 x 0.13 x 0.7 = 27.3.
    let ordinary = run(300.0, 1, 0.0, "cosmetics_ordinary", ORDINARY, "");
    let (_, ordinary) = tax(&ordinary);
    assert!((ordinary - 27.3).abs() < 1e-9, "{ordinary}");
}

#[test]
fn freight_and_insurance_raise_the_tax_by_the_hand_computed_amount() {
    // Ordinary cosmetic, 300 CNY: 27.3 without freight (above).
    // Freight 10 CNY and insurance 1% of the value: dutiable
    //   300 x 1.01 + 10 = 313; tax 313 x 0.091 = 28.483, i.e. 13 x 0.091 = 1.183 more.
    let extra = "freight_insurance = { fixed_cny = 10, share = 0.01 }";
    let r = run(300.0, 1, 0.0, "cosmetics_ordinary", ORDINARY, extra);
    let (_, total) = tax(&r);
    assert!((total - 28.483).abs() < 1e-9, "{total}");
    assert!((total - 27.3 - 1.183).abs() < 1e-9);
    // On the single-item path the freight is dutiable at the full rate:
    //   (6,000 x 1.01 + 10) x (0.10 + 1.10 x 0.13) = 6,070 x 0.243 = 1,475.01.
    let r = run(6000.0, 1, 0.0, "other", OTHER, extra);
    let (_, total) = tax(&r);
    assert!((total - 1_475.01).abs() < 1e-9, "{total}");
}

#[test]
fn the_single_item_rule_needs_a_tariff_for_every_category() {
    let text = scenario(TEMPLATE, 6000.0, 1, 0.0, "other", "{ vat = 0.13 }", "");
    let e = build_error(&text);
    assert!(e.starts_with("tax.rates.other.tariff: missing"), "{e}");
}

#[test]
fn a_single_limit_without_the_item_count_is_an_error() {
    let template = TEMPLATE.replace("items_attribute = \"items\"\n", "");
    let text = scenario(&template, 100.0, 1, 0.0, "other", "{ vat = 0.13 }", "");
    let e = build_error(&text);
    assert_eq!(
        e,
        "tax.single_limit_cny: is used only by the single-item rule: give tax.items_attribute too (the numeric attribute with the order's item count), or remove it"
    );
}

#[test]
fn the_shipped_scenarios_let_single_items_over_the_limit_on() {
    for file in ["hongqiao_baseline.toml", "hongqiao_double11.toml"] {
        let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        let s = Scenario::from_toml_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let tax = s.tax.as_ref().unwrap();
        assert_eq!(tax.items_attribute.as_deref(), Some("items"), "{file}");
        assert_eq!(tax.single_limit_cny, Some(5000.0));
        assert!(tax.freight_insurance.is_some());
        let rates = &tax.rates;
        assert_eq!(rates["cosmetics_high_end"].consumption, 0.15);
        assert_eq!(rates["cosmetics_ordinary"].consumption, 0.0);
        assert!(rates.values().all(|r| r.tariff.is_some()));
        assert!(s.routers.contains_key("over_single_limit"), "{file}");
    }
}
