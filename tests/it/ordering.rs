//! Same-time event ordering, pinned on a hand-worked case.

use cbec_sim::{
    Dist, Interval, Model, Observer, OrderEvent, OrderRecord, SimTime, Simulation, Sink, Source,
    Station, StopReason,
};

/// Fifty orders arrive far faster than station `a` (one server, exactly
/// 1 minute) serves them, so `a` releases one order every minute. Station `b`
/// (one server, exactly 1 minute) finishes each order at the very instant the
/// next one leaves `a`. Completions come first, so every order finds `b` free:
/// `b` never queues anyone.
#[test]
fn departure_frees_server_before_same_time_arrival() {
    let model = Model::builder()
        .with_source("burst", Source::poisson(6000.0, "a").with_max_arrivals(50))
        .with_station("a", Station::new(1, Dist::deterministic(1.0).unwrap(), "b"))
        .with_station(
            "b",
            Station::new(1, Dist::deterministic(1.0).unwrap(), "done").with_milestone("at_b"),
        )
        .with_sink("done", Sink::new().with_milestone("done"))
        .with_interval("through_b", Interval::new("at_b", "done"))
        .build()
        .unwrap();
    let r = Simulation::new(&model, 11, 0).run();
    assert_eq!(r.stop, StopReason::Drained);
    let (a, b) = (r.station("a").unwrap(), r.station("b").unwrap());
    assert!(
        a.queued >= 45,
        "the burst must queue at a, got {}",
        a.queued
    );
    assert_eq!(b.arrivals, 50);
    assert_eq!(
        b.queued, 0,
        "an order queued behind one leaving at the same instant"
    );
    assert_eq!(b.wait.max(), Some(0.0));
    assert_eq!(b.queue_length.max, 0.0);
    // Exactly one order at b at any time, from the first arrival at b on.
    assert_eq!(b.in_station.max, 1.0);
    let through = r.interval("through_b").unwrap();
    // (t + 60) - t is 60 up to one rounding of t.
    assert!((through.duration.min().unwrap() - 60.0).abs() < 1e-9);
    assert!((through.duration.max().unwrap() - 60.0).abs() < 1e-9);
}

/// A hand-worked trace: two orders, deterministic service, one server.
#[test]
fn hand_worked_trace_of_two_orders() {
    // The arrival times are random; everything else follows from them.
    let model = Model::builder()
        .with_source("two", Source::poisson(600.0, "desk").with_max_arrivals(2))
        .with_station(
            "desk",
            Station::new(1, Dist::deterministic(5.0).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .build()
        .unwrap();
    let mut sim = Simulation::new(&model, 3, 0);
    let t1 = sim.step().unwrap().secs(); // first arrival, starts service at once
    let t2 = sim.step().unwrap().secs(); // second arrival (6 per minute: well within 5 min)
    assert!(
        t2 - t1 < 300.0,
        "second order must arrive during the first service"
    );
    assert_eq!(sim.step().unwrap().secs(), t1 + 300.0); // first done, second starts
    assert_eq!(sim.step().unwrap().secs(), t1 + 600.0); // second done
    assert_eq!(sim.step(), None);
    let r = sim.summary();
    let desk = r.station("desk").unwrap();
    assert_eq!((desk.arrivals, desk.departures, desk.queued), (2, 2, 1));
    assert!((desk.wait.max().unwrap() - (t1 + 300.0 - t2)).abs() < 1e-9);
    assert!((desk.sojourn.mean().unwrap() - (300.0 + (t1 + 600.0 - t2)) / 2.0).abs() < 1e-9);
    assert_eq!(r.network.time_in_system.max(), Some(t1 + 600.0 - t2));
    assert_eq!(r.events, 4);
}

/// One desk, 60 orders an hour served in 30 s on average, 10 hours of
/// which the first 5 are a warm-up.
fn desk_with_warmup() -> Model {
    Model::builder()
        .with_source("orders", Source::poisson(60.0, "desk"))
        .with_station(
            "desk",
            Station::new(1, Dist::exponential(0.5).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(10.0))
        .with_warmup(SimTime::from_hours(5.0))
        .build()
        .unwrap()
}

#[test]
fn warmup_restarts_statistics_but_not_conservation() {
    let model = desk_with_warmup();
    let r = Simulation::new(&model, 5, 0).run();
    assert_eq!(r.warmup, SimTime::from_hours(5.0));
    assert!((r.stations[0].busy.duration - 5.0 * 3600.0).abs() < 1e-6);
    // About 300 orders after the warm-up, 600 in the whole run.
    assert!(r.network.entered < r.conservation.entered);
    assert!(
        r.network.entered > 200 && r.network.entered < 400,
        "{}",
        r.network.entered
    );
    assert!(r.conservation.holds());
}

/// Before the warm-up ends nothing is tallied (the restart would forget
/// it); after it, the tallies cover the observed window only.
#[test]
fn nothing_is_tallied_before_the_warmup_ends() {
    let model = desk_with_warmup();
    let mut sim = Simulation::new(&model, 5, 0);
    sim.run_until(SimTime::from_hours(4.5));
    let early = sim.summary();
    // About 270 orders have come and most have left, none tallied.
    assert!(
        early.conservation.entered > 150,
        "{}",
        early.conservation.entered
    );
    let left: u64 = early.conservation.by_sink.iter().sum();
    assert!(left > 100, "{left}");
    let desk = &early.stations[0];
    assert_eq!(desk.departures, 0);
    assert_eq!(desk.wait.count(), 0);
    assert_eq!(desk.sojourn_hist.count(), 0);
    assert_eq!(early.network.time_in_system.count(), 0);
    assert_eq!(early.network.time_in_system_hist.count(), 0);
    // Tallying starts at the warm-up's end (the next test checks it
    // event for event).
    let end = sim.run();
    assert!(
        end.stations[0].departures > 200,
        "{}",
        end.stations[0].departures
    );
}

/// Counts a trace's events after a time, per kind.
#[derive(Default)]
struct After {
    from: SimTime,
    starts: u64,
    ends: u64,
    leaves: u64,
}

impl Observer for After {
    fn order(&mut self, r: &OrderRecord<'_>) {
        if r.time > self.from {
            match r.event {
                OrderEvent::Start => self.starts += 1,
                OrderEvent::End => self.ends += 1,
                OrderEvent::Leave => self.leaves += 1,
                _ => {}
            }
        }
    }
}

/// The tallies after a warm-up count exactly the trace's events after it
/// (what happens at the warm-up's instant comes before its restart): a
/// wait per service start, a sojourn and a departure per service end, a
/// time in system per order that leaves.
#[test]
fn tallies_after_the_warmup_match_the_trace_event_for_event() {
    let model = desk_with_warmup();
    let mut seen = After {
        from: SimTime::from_hours(5.0),
        ..After::default()
    };
    let mut sim = Simulation::new(&model, 11, 0);
    sim.observe(&mut seen);
    let r = sim.run();
    let desk = &r.stations[0];
    assert!(seen.starts > 200, "{}", seen.starts);
    assert_eq!(desk.wait.count(), seen.starts);
    assert_eq!(desk.wait_hist.count(), seen.starts);
    assert_eq!(desk.departures, seen.ends);
    assert_eq!(desk.sojourn.count(), seen.ends);
    assert_eq!(desk.sojourn_hist.count(), seen.ends);
    assert_eq!(r.network.time_in_system.count(), seen.leaves);
    assert_eq!(r.network.time_in_system_hist.count(), seen.leaves);
}
