//! Hand-worked traces of a stock (S1 of `domain.md`): orders draw units,
//! wait in line on a stock-out (FIFO kept) or cancel, a reorder creates a
//! lot that travels transit and first-line entry review and restocks the
//! stock, and pre-peak stocking raises the reorder numbers on its dates.

use cbec_sim::experiment::KpiCatalogue;
use cbec_sim::{
    Delay, Dist, Lots, Model, OrderLog, RaisedReorder, Reorder, SimTime, Simulation, Sink, Source,
    Station, Stock,
};

const EPS: f64 = 1e-9;

fn orders(rows: &[(&str, &str, f64)]) -> OrderLog {
    let mut text = String::from("time,class,items\n");
    for (t, c, n) in rows {
        text.push_str(&format!("2024-01-01T{t},{c},{n}\n"));
    }
    OrderLog::from_reader(text.as_bytes(), "orders.csv").unwrap()
}

/// 6 units on hand; reorder point 2, lots of 10 that take 3 h of transit
/// and 2 h of first-line entry review (one officer) before they are on
/// hand; a 1-minute desk after the stock records the order in which
/// orders leave it (and when they reached the desk). With `cancel_after_h` an order waits at most that long.
fn shelf(cancel_after_h: Option<f64>) -> Model {
    let log = orders(&[
        ("01:00:00", "a", 3.0),
        ("02:00:00", "b", 2.0),
        ("03:00:00", "c", 4.0),
        ("04:30:00", "d", 1.0),
        ("20:00:00", "e", 1.0),
    ]);
    let mut stock = Stock::new(6.0, "items", "desk", Lots::new("lot", "units", "stocked"))
        .with_reorder(Reorder::new(2.0, 10.0, "transit"));
    if let Some(h) = cancel_after_h {
        stock = stock.with_cancel_after(h, "cancelled");
    }
    Model::builder()
        .with_source("orders", Source::replay(log, "shelf"))
        .with_stock("shelf", stock)
        .with_delay(
            "transit",
            Delay::latest_of("entry_review")
                .with_part("truck", Dist::deterministic(180.0).unwrap()),
        )
        .with_station(
            "entry_review",
            Station::new(1, Dist::deterministic(120.0).unwrap(), "shelf"),
        )
        .with_station(
            "desk",
            Station::new(1, Dist::deterministic(1.0).unwrap(), "out"),
        )
        .with_sink("out", Sink::new())
        .with_sink("stocked", Sink::new())
        .with_sink("cancelled", Sink::new())
        .with_horizon(SimTime::from_hours(24.0))
        .build()
        .unwrap()
}

fn starts(sim: &Simulation<'_>, model: &Model, station: &str) -> Vec<(String, f64)> {
    sim.service_starts(station)
        .unwrap()
        .iter()
        .map(|&(c, t)| (model.classes()[c as usize].clone(), t / 3600.0))
        .collect()
}

/// | time  | who | units | what happens | on hand | position |
/// |-------|-----|-------|--------------|---------|----------|
/// | 01:00 | a   | 3 | draws | 3 | 3 |
/// | 02:00 | b   | 2 | draws; position 1 <= 2: a lot of 10 is ordered | 1 | 11 |
/// | 03:00 | c   | 4 | short: waits | 1 | 7 |
/// | 04:30 | d   | 1 | would fit, but c waits ahead: waits | 1 | 6 |
/// | 05:00 | lot | | transit done; entry review 05:00-07:00 | | |
/// | 07:00 | lot | 10 | on hand; c then d draw | 6 | 6 |
/// | 20:00 | e   | 1 | draws | 5 | 5 |
#[test]
fn lot_through_entry_review_restocks_and_releases_the_line_in_order() {
    let model = shelf(None);
    let mut sim = Simulation::new(&model, 1, 0);
    sim.record_service_starts();
    sim.run_until(SimTime::from_hours(24.0));
    assert_eq!(
        starts(&sim, &model, "entry_review"),
        [("lot".to_string(), 5.0)]
    );
    let desk = starts(&sim, &model, "desk");
    let names: Vec<(&str, f64)> = desk.iter().map(|(c, t)| (c.as_str(), *t)).collect();
    assert_eq!(
        names,
        [("a", 1.0), ("b", 2.0), ("c", 7.0), ("d", 7.0), ("e", 20.0)],
        "c and d draw at 07:00 and reach the desk in arrival order"
    );
    let r = sim.run();
    let s = r.stock("shelf").unwrap();
    assert_eq!(
        (
            s.arrivals,
            s.draws,
            s.waited,
            s.cancelled,
            s.lots_ordered,
            s.lots_received
        ),
        (5, 5, 2, 0, 1, 1)
    );
    assert!((s.units_received - 10.0).abs() < EPS);
    assert!((s.units_drawn - 11.0).abs() < EPS);
    assert!((s.on_hand_at_end - 5.0).abs() < EPS);
    assert_eq!(r.sink("stocked").unwrap().count, 1);
    assert!(r.conservation.holds());
}

/// The same with `cancel_after_h = 3`: c cancels at 06:00, and d (1 unit,
/// held behind c) then draws the last unit at once; the lot arrives at
/// 07:00 to an empty line.
///
/// On hand over 24 h: 6 × 1 + 3 × 1 + 1 × 4 + 0 × 1 + 10 × 13 + 9 × 4 =
/// 179, mean 179 / 24; out of stock 03:00-06:00, share 3 / 24; waits of
/// the orders that drew (a, b, d, e): 0, 0, 1.5, 0 h, mean 0.375 h; fill
/// rate 1 - 2 / 5 = 0.6.
#[test]
fn a_waiting_order_cancels_and_the_next_one_draws() {
    let model = shelf(Some(3.0));
    let mut sim = Simulation::new(&model, 1, 0);
    sim.record_service_starts();
    sim.run_until(SimTime::from_hours(24.0));
    let desk = starts(&sim, &model, "desk");
    let names: Vec<(&str, f64)> = desk.iter().map(|(c, t)| (c.as_str(), *t)).collect();
    assert_eq!(names, [("a", 1.0), ("b", 2.0), ("d", 6.0), ("e", 20.0)]);
    let r = sim.run();
    assert_eq!(r.sink("cancelled").unwrap().count, 1);
    let s = r.stock("shelf").unwrap();
    assert_eq!((s.draws, s.waited, s.cancelled), (4, 2, 1));
    assert!((s.on_hand - 179.0 / 24.0).abs() < 1e-9);
    let cat = KpiCatalogue::for_run(&r);
    let kpi = |name: &str| cat.get(cat.kpi(name).unwrap(), &r).unwrap();
    assert!((kpi("shelf.fill_rate") - 0.6).abs() < EPS);
    assert!((kpi("shelf.stocked_out_share") - 3.0 / 24.0).abs() < EPS);
    assert!((kpi("shelf.wait_mean_h") - 0.375).abs() < 1e-9);
    assert!((kpi("shelf.on_hand_mean") - 179.0 / 24.0).abs() < 1e-9);
    assert_eq!(kpi("shelf.cancelled"), 1.0);
    assert_eq!(kpi("shelf.waiting_max"), 2.0);
}

/// Pre-peak stocking: on the dates of a raised span the reorder point and
/// lot are doubled (4 and 20). Lots take 1 h back to the stock.
///
/// Raised (1 Jan): after a (3 on hand, position 3 <= 4) a lot of 20 is
/// ordered at 01:00; b leaves position 21: no more; at the end 6 - 5 + 20
/// = 21 on hand. Not raised (the span is next week): after b (position
/// 1 <= 2) a lot of 10 at 02:00; 6 - 5 + 10 = 11 on hand.
#[test]
fn raised_reorder_doubles_point_and_lot_on_its_dates() {
    let run = |from: &str, until: &str| {
        let log = orders(&[("01:00:00", "a", 3.0), ("02:00:00", "b", 2.0)]);
        let stock = Stock::new(6.0, "items", "out", Lots::new("lot", "units", "stocked"))
            .with_reorder(
                Reorder::new(2.0, 10.0, "transit").with_raised(RaisedReorder::new(
                    from.parse().unwrap(),
                    until.parse().unwrap(),
                    2.0,
                )),
            );
        let model = Model::builder()
            .with_source("orders", Source::replay(log, "shelf"))
            .with_stock("shelf", stock)
            .with_delay(
                "transit",
                Delay::latest_of("shelf").with_part("truck", Dist::deterministic(60.0).unwrap()),
            )
            .with_sink("out", Sink::new())
            .with_sink("stocked", Sink::new())
            .with_start("2024-01-01T00:00".parse().unwrap())
            .with_horizon(SimTime::from_hours(24.0))
            .build()
            .unwrap();
        let r = Simulation::new(&model, 1, 0).run();
        let s = r.stock("shelf").unwrap().clone();
        (s.lots_ordered, s.lots_received, s.on_hand_at_end)
    };
    assert_eq!(run("2024-01-01", "2024-01-02"), (1, 1, 21.0));
    assert_eq!(run("2024-01-08", "2024-01-09"), (1, 1, 11.0));
}

#[test]
fn stock_errors_name_the_field() {
    let build = |stock: Stock| {
        Model::builder()
            .with_source("orders", Source::poisson(1.0, "shelf"))
            .with_stock("shelf", stock)
            .with_sink("out", Sink::new())
            .with_horizon(SimTime::from_hours(1.0))
            .build()
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let lots = || Lots::new("lot", "units", "out");
    let base = || Stock::new(10.0, "units", "out", lots());
    assert_eq!(build(base()), Ok(()));
    assert_eq!(
        build(Stock::new(-1.0, "units", "out", lots())),
        Err("stocks.shelf.on_hand: must be a finite number at least 0, got -1".into())
    );
    assert_eq!(
        build(base().with_reorder(Reorder::new(5.0, 0.0, "out"))),
        Err("stocks.shelf.reorder.quantity: must be a finite number above 0, got 0".into())
    );
    assert_eq!(
        build(base().with_cancel_after(0.0, "out")),
        Err("stocks.shelf.cancel_after_h: must be a finite number above 0, got 0".into())
    );
    let backwards = RaisedReorder::new(
        "2024-01-09".parse().unwrap(),
        "2024-01-08".parse().unwrap(),
        2.0,
    );
    assert_eq!(
        build(base().with_reorder(Reorder::new(5.0, 5.0, "out").with_raised(backwards))),
        Err(
            "stocks.shelf.reorder.raised[0].until: must be after from (2024-01-09), got 2024-01-08"
                .into()
        )
    );
    assert!(
        build(base().with_reorder(Reorder::new(5.0, 5.0, "nowhere")))
            .unwrap_err()
            .starts_with("stocks.shelf.reorder.to: ")
    );
}

/// A stock with no orders after 01:00 and a lot 1 h away.
fn quiet_shelf(on_hand: f64, reorder: Reorder, log: OrderLog) -> Model {
    Model::builder()
        .with_source("orders", Source::replay(log, "shelf"))
        .with_stock(
            "shelf",
            Stock::new(
                on_hand,
                "items",
                "out",
                Lots::new("lot", "units", "stocked"),
            )
            .with_reorder(reorder),
        )
        .with_delay(
            "transit",
            Delay::latest_of("shelf").with_part("truck", Dist::deterministic(60.0).unwrap()),
        )
        .with_sink("out", Sink::new())
        .with_sink("stocked", Sink::new())
        .with_start("2024-01-01T00:00".parse().unwrap())
        .with_horizon(SimTime::from_hours(48.0))
        .build()
        .unwrap()
}

/// Reorder reviews no order prompts: a stock that starts at its point
/// orders at 00:00 (2 on hand, point 2: a lot of 10, on hand from 01:00,
/// so a time-weighted mean of (2 × 1 + 12 × 47) / 48), and a raised span that begins at midnight on 2 Jan raises the
/// point to 6 while 3 are on hand, so a lot of 30 is ordered then with
/// no order arriving (3 + 30 = 33 at the end). Without the reviews
/// neither lot is ordered.
#[test]
fn a_stock_reviews_its_point_at_the_start_and_when_a_raised_span_begins() {
    let one = |t: &str, n: f64| orders(&[(t, "a", n)]);
    let r = Simulation::new(
        &quiet_shelf(
            2.0,
            Reorder::new(2.0, 10.0, "transit"),
            one("01:00:00", 0.0),
        ),
        1,
        0,
    )
    .run();
    let s = r.stock("shelf").unwrap();
    assert_eq!((s.lots_ordered, s.lots_received), (1, 1));
    assert!((s.on_hand_at_end - 12.0).abs() < EPS);
    assert!((s.on_hand - (2.0 + 12.0 * 47.0) / 48.0).abs() < 1e-9);

    let raised = Reorder::new(2.0, 10.0, "transit").with_raised(RaisedReorder::new(
        "2024-01-02".parse().unwrap(),
        "2024-01-03".parse().unwrap(),
        3.0,
    ));
    let r = Simulation::new(&quiet_shelf(6.0, raised, one("01:00:00", 3.0)), 1, 0).run();
    let s = r.stock("shelf").unwrap();
    assert_eq!((s.lots_ordered, s.lots_received), (1, 1));
    assert!((s.on_hand_at_end - 33.0).abs() < EPS);
}

/// A lot that arrives from a source (not ordered by the stock's rule)
/// adds its units on hand but leaves the units on order alone.
///
/// | time  | what | on hand | on order | backlog | position |
/// |-------|------|---------|----------|---------|----------|
/// | 01:00 | a draws 5; position 1 <= 2: a lot of 10 | 1 | 10 | 0 | 11 |
/// | 01:30 | a source lot of 4 | 5 | 10 | 0 | 15 |
/// | 01:45 | b needs 9: waits | 5 | 10 | 9 | 6 > 2: no lot |
/// | 02:00 | the ordered lot: b draws | 6 | 0 | 0 | 6 |
///
/// Counting the source lot against the order (on order 6) would put the
/// position at 2 at 01:45 and order a second lot.
#[test]
fn a_source_lot_does_not_count_against_the_units_on_order() {
    let log = OrderLog::from_reader(
        "time,class,items,units\n\
         2024-01-01T01:00:00,a,5,0\n\
         2024-01-01T01:30:00,lot,0,4\n\
         2024-01-01T01:45:00,b,9,0\n"
            .as_bytes(),
        "orders.csv",
    )
    .unwrap();
    let r = Simulation::new(
        &quiet_shelf(6.0, Reorder::new(2.0, 10.0, "transit"), log),
        1,
        0,
    )
    .run();
    let s = r.stock("shelf").unwrap();
    assert_eq!(
        (s.lots_ordered, s.lots_received, s.waited, s.draws),
        (1, 2, 1, 2)
    );
    assert!((s.units_received - 14.0).abs() < EPS);
    assert!((s.on_hand_at_end - 6.0).abs() < EPS);
}
