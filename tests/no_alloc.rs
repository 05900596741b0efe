//! Once a run is warm, processing events allocates nothing.
//!
//! A counting global allocator wraps the system one for this test binary
//! alone (it counts every thread, so this binary holds just this test).

use cbec_sim::{
    Day, Dist, Interval, Pool, SimTime, Simulation, Sink, Source, Station, WeeklyTime, presets,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn warm_run_allocates_nothing_per_event() {
    // The benchmark's tandem line, plus classes, a milestone interval and
    // an attribute, so that their tables are exercised too; and a credit
    // pool settled twice a day, with a balance about 1.7 standard
    // deviations above the half-day's draws, so that its line fills now
    // and then without swelling the network far beyond the warm-up's size.
    let model = presets::tandem()
        .with_source(
            "orders",
            Source::poisson(100.0, "guarantee")
                .with_class("a", 0.8)
                .with_class("b", 0.2)
                .with_attribute("basket_value_cny", Dist::lognormal(250.0, 1.2).unwrap())
                .with_attribute("tax_cny", Dist::deterministic(10.0).unwrap()),
        )
        .with_pool(
            "guarantee",
            Pool::new(12_600.0, "tax_cny", "document_check")
                .with_settlement(WeeklyTime::new(&Day::ALL, "00:00").unwrap())
                .with_settlement(WeeklyTime::new(&Day::ALL, "12:00").unwrap()),
        )
        .with_station(
            "document_check",
            Station::new(2, Dist::exponential(1.0).unwrap(), "customs_review")
                .with_milestone("declared"),
        )
        .with_sink("released", Sink::new().with_milestone("released"))
        .with_interval("clearance", Interval::new("declared", "released"))
        .with_horizon(SimTime::from_hours(4000.0))
        .with_warmup(SimTime::from_hours(10.0))
        .build()
        .unwrap();
    let mut sim = Simulation::new(&model, 1, 0);
    // Warm: queues, the event heap and the order arena reach their working size.
    sim.run_until(SimTime::from_hours(1000.0));
    let events_before = sim.events();
    let region = Region::new(GLOBAL);
    sim.run_until(SimTime::from_hours(4000.0));
    let stats = region.change();
    let events = sim.events() - events_before;
    assert!(
        events > 1_000_000,
        "measured stretch too short: {events} events"
    );
    // Nothing is allocated per event. The only heap traffic left is a
    // buffer (a queue, the event heap, the order arena) growing geometrically
    // when it meets a size never seen before, which happens a handful of
    // times per run at most, and the daily series' record of each calendar
    // day (its date, two small tables and the running totals they are
    // taken from: five allocations a day, the
    // hourly series reserved up front); one allocation per event would
    // show here as more than a million.
    let days = 3000 / 24;
    assert!(
        stats.allocations <= 5 * days,
        "fresh allocations during {events} warm events over {days} days: {stats:?}"
    );
    assert!(
        stats.reallocations <= 4,
        "reallocations during {events} warm events: {stats:?}"
    );
    assert!(stats.deallocations <= 2 * days, "{stats:?}");
    let pool = sim.summary().pool("guarantee").cloned().unwrap();
    assert!(
        pool.waited > 0 && pool.settlements > 0,
        "the pool's line was not exercised: {pool:?}"
    );
}
