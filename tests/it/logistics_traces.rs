//! Hand-worked traces of the calendar-driven parts: shifts, breakdowns,
//! timetables, dispatch, rate tables, replay and time series.

use crate::support::Z;
use cbec_sim::stats::OnlineMoments;
use cbec_sim::{
    Breakdowns, DatedFactor, Day, Dispatch, Dist, Error, Model, OrderLog, RateProfile, Scenario,
    ScheduledBatch, Shift, SimTime, Simulation, Sink, Source, Station, WeeklyTime,
};

fn batch(day: Day, at: &str, n: f64) -> ScheduledBatch {
    ScheduledBatch::new(&[day], at, Dist::deterministic(n).unwrap()).unwrap()
}

/// One officer on shift 08:00-09:00 on Mondays; three 40-minute reviews
/// arrive at 08:00 on Monday. The first ends 08:40; the second starts 08:40
/// and is finished past the shift end, at 09:20 (20 minutes of overtime);
/// the third waits for the next Monday's shift.
#[test]
fn job_in_service_at_shift_end_is_finished_with_overtime() {
    let model = Model::builder()
        .with_source(
            "flight",
            Source::timetable(vec![batch(Day::Mon, "08:00", 3.0)], "review").with_max_arrivals(3),
        )
        .with_station(
            "review",
            Station::new(0, Dist::deterministic(40.0).unwrap(), "done")
                .with_shift(Shift::new(&[Day::Mon], "08:00", "09:00", 1).unwrap()),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_days(14.0))
        .build()
        .unwrap();
    let r = Simulation::new(&model, 1, 0).run();
    let s = r.station("review").unwrap();
    assert_eq!((s.arrivals, s.departures, s.queued), (3, 3, 2));
    let hour = 3600.0;
    // Waits: 0, 40 min, and one week minus... 08:00 Monday to 08:00 next Monday.
    assert!((s.wait.max().unwrap() - 7.0 * 24.0 * hour).abs() < 1e-6);
    assert!((s.wait.mean().unwrap() - (0.0 + 2400.0 + 7.0 * 24.0 * hour) / 3.0).abs() < 1e-6);
    assert!(
        (s.overtime_hours() - 20.0 / 60.0).abs() < 1e-9,
        "overtime {}",
        s.overtime_hours()
    );
    // On shift two hours in two weeks; busy within the shift 60 + 40 minutes.
    assert!((s.on_shift.area - 2.0 * hour).abs() < 1e-6);
    assert!((s.utilization().unwrap() - 100.0 / 120.0).abs() < 1e-9);
    assert!(r.conservation.holds() && r.conservation.in_system == 0);
}

/// Failures at exactly 1 h of up-time, repairs of 30 min; two 50-minute jobs
/// arrive at 00:20. The first is in service when the station fails at 01:00
/// and finishes at 01:10; the second waits for the repair at 01:30.
#[test]
fn job_in_service_at_failure_finishes_and_waiting_job_waits_for_repair() {
    let model = Model::builder()
        .with_source(
            "batch",
            Source::timetable(vec![batch(Day::Mon, "00:20", 2.0)], "line").with_max_arrivals(2),
        )
        .with_station(
            "line",
            Station::new(1, Dist::deterministic(50.0).unwrap(), "done").with_breakdowns(
                Breakdowns::new(
                    Dist::deterministic(1.0).unwrap(),
                    Dist::deterministic(30.0).unwrap(),
                ),
            ),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(3.0))
        .build()
        .unwrap();
    let r = Simulation::new(&model, 1, 0).run();
    let s = r.station("line").unwrap();
    assert_eq!(s.departures, 2);
    assert!(
        (s.wait.max().unwrap() - 70.0 * 60.0).abs() < 1e-6,
        "second job waits 00:20 -> 01:30"
    );
    assert!(
        (r.network.time_in_system.max().unwrap() - 120.0 * 60.0).abs() < 1e-6,
        "second job leaves 02:20"
    );
    // Down 01:00-01:30 and from 02:30 to the 03:00 horizon: up 2 of 3 hours.
    assert!((s.availability().unwrap() - 2.0 / 3.0).abs() < 1e-9);
}

/// Trucks at 10:00 and 18:00 carry at most two parcels; three parcels
/// arrive at 09:00. Two leave at 10:00 (waited 1 h), one at 18:00 (9 h).
#[test]
fn dispatch_carries_capacity_and_leaves_the_rest_for_the_next_vehicle() {
    let model = Model::builder()
        .with_source(
            "flight",
            Source::timetable(vec![batch(Day::Mon, "09:00", 3.0)], "trucks").with_max_arrivals(3),
        )
        .with_dispatch(
            "trucks",
            Dispatch::new("delivered")
                .with_departure(WeeklyTime::new(&Day::ALL, "10:00").unwrap())
                .with_departure(WeeklyTime::new(&Day::ALL, "18:00").unwrap())
                .with_capacity(2),
        )
        .with_sink("delivered", Sink::new())
        .with_horizon(SimTime::from_hours(24.0))
        .build()
        .unwrap();
    let r = Simulation::new(&model, 1, 0).run();
    let d = r.dispatch("trucks").unwrap();
    assert_eq!((d.arrivals, d.departures, d.vehicles), (3, 3, 2));
    assert!((d.wait.mean().unwrap() - (1.0 + 1.0 + 9.0) * 3600.0 / 3.0).abs() < 1e-6);
    assert_eq!(d.wait.max(), Some(9.0 * 3600.0));
}

/// A full load leaves at once; what is left waits for the scheduled pick-up.
#[test]
fn dispatch_batch_size_sends_full_loads_at_once() {
    let model = Model::builder()
        .with_source(
            "flight",
            Source::timetable(vec![batch(Day::Mon, "09:00", 5.0)], "carrier").with_max_arrivals(5),
        )
        .with_dispatch(
            "carrier",
            Dispatch::new("delivered")
                .with_batch_size(2)
                .with_departure(WeeklyTime::new(&Day::ALL, "12:00").unwrap()),
        )
        .with_sink("delivered", Sink::new())
        .with_horizon(SimTime::from_hours(24.0))
        .build()
        .unwrap();
    let r = Simulation::new(&model, 1, 0).run();
    let d = r.dispatch("carrier").unwrap();
    assert_eq!((d.departures, d.vehicles), (5, 3));
    assert_eq!(d.wait.min(), Some(0.0));
    assert_eq!(d.wait.max(), Some(3.0 * 3600.0));
}

/// Batches land at their clock times on their weekdays, every week.
#[test]
fn timetable_repeats_weekly_on_listed_days() {
    let flights = vec![
        ScheduledBatch::new(&Day::WEEKDAYS, "06:30", Dist::deterministic(10.0).unwrap()).unwrap(),
        ScheduledBatch::new(&[Day::Sat], "23:00", Dist::deterministic(4.0).unwrap()).unwrap(),
    ];
    let model = Model::builder()
        .with_source("flights", Source::timetable(flights, "done"))
        .with_sink("done", Sink::new())
        .with_start("2024-11-04T07:00".parse().unwrap()) // a Monday, after the 06:30 flight
        .with_horizon(SimTime::from_days(14.0))
        .build()
        .unwrap();
    let mut sim = Simulation::new(&model, 1, 0);
    let mut times = Vec::new();
    // The timetable never ends: step up to the horizon.
    while let Some(t) = sim.step().filter(|t| t.hours() <= 14.0 * 24.0) {
        times.push(t.hours());
    }
    // Two weeks from Monday 07:00 to Monday 07:00: weekday flights on
    // Tue-Fri, Mon-Fri and the last Monday at 06:30 (10), Saturdays (2).
    assert_eq!(times.len(), 12);
    assert_eq!(times[0], 23.5, "Tuesday 06:30 is 23.5 h after Monday 07:00");
    assert!(times.contains(&(5.0 * 24.0 + 16.0)), "Saturday 23:00");
    let mut whole = Simulation::new(&model, 1, 0);
    whole.run_until(SimTime::from_days(14.0));
    assert_eq!(whole.summary().conservation.entered, 10 * 10 + 2 * 4);
}

/// Counts per clock hour match the rate table, window by window, including
/// the windows right after each jump and the midnight spike of a promotion.
#[test]
fn rate_table_counts_per_hour_match_the_table() {
    let mut hourly = vec![0.0; 24];
    for (h, r) in hourly.iter_mut().enumerate() {
        *r = match h {
            0..=6 => 0.0,
            7..=8 => 20.0,
            9..=17 => 120.0,
            _ => 40.0,
        };
    }
    let profile = RateProfile::new(hourly.clone())
        .with_weekday_factor(Day::Sat, 0.5)
        .with_weekday_factor(Day::Sun, 0.25)
        .with_date(DatedFactor::new(jiff::civil::date(2024, 11, 11), 3.0, 10.0));
    // Start on Sunday 10 Nov 2024, so the week crosses into the promotion on Monday 11 Nov.
    let model = Model::builder()
        .with_source("orders", Source::profile(profile, "done"))
        .with_sink("done", Sink::new())
        .with_start("2024-11-10T00:00".parse().unwrap())
        .with_horizon(SimTime::from_hours(48.0))
        .build()
        .unwrap();
    const R: u64 = 300;
    let mut counts = vec![OnlineMoments::new(); 48];
    for rep in 0..R {
        let mut sim = Simulation::new(&model, 7, rep);
        let mut per_hour = [0u32; 48];
        // The profile never ends: count arrivals up to the horizon.
        while let Some(t) = sim.step().filter(|t| t.hours() < 48.0) {
            per_hour[t.hours() as usize] += 1;
        }
        for (m, c) in counts.iter_mut().zip(per_hour) {
            m.push(f64::from(c));
        }
    }
    let expected = |h: usize| {
        let base = hourly[h % 24];
        if h < 24 {
            base * 0.25 // Sunday
        } else {
            base * 3.0 * if h == 24 { 10.0 } else { 1.0 } // Monday 11 November
        }
    };
    let mut chi2 = 0.0;
    let mut dof = 0;
    for (h, m) in counts.iter().enumerate() {
        let e = expected(h);
        let mean = m.mean().unwrap();
        if e == 0.0 {
            assert_eq!(m.max(), Some(0.0), "hour {h} has rate 0 but saw arrivals");
            continue;
        }
        // Poisson counts: the standard error of the mean is √(e/R).
        let se = (e / R as f64).sqrt();
        assert!(
            (mean - e).abs() <= Z * se,
            "hour {h}: mean {mean}, table {e}, se {se}"
        );
        chi2 += (mean - e).powi(2) / (e / R as f64);
        dof += 1;
    }
    // χ² with 34 degrees of freedom: the 0.999 quantile is 65.2.
    assert_eq!(dof, 34);
    assert!(chi2 < 65.2, "chi-square {chi2} over {dof} windows");
}

fn temp_csv(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cbec-sim-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn replayed_log_arrives_at_its_times_with_class_and_attributes() {
    let path = temp_csv(
        "orders.csv",
        "time,class,basket_value_cny\n2024-01-01T00:10:00,express,120\n2024-01-01T00:10:00,standard,6000\n2024-01-01T01:00:30,standard,80\n",
    );
    let model = Model::builder()
        .with_source(
            "log",
            Source::replay(OrderLog::from_path(&path).unwrap(), "limit"),
        )
        .with_router(
            "limit",
            cbec_sim::Router::new(vec![cbec_sim::Route::new("ok", 1.0)])
                .with_rule(cbec_sim::Rule::new(
                    "basket_value_cny",
                    cbec_sim::Comparison::Greater,
                    5000.0,
                    "over_limit",
                ))
                .with_class_routes("express", vec![cbec_sim::Route::new("express_ok", 1.0)]),
        )
        .with_sink("ok", Sink::new())
        .with_sink("express_ok", Sink::new())
        .with_sink("over_limit", Sink::new())
        .build()
        .unwrap();
    assert_eq!(model.classes(), ["express", "standard"]);
    let mut sim = Simulation::new(&model, 1, 0);
    let times: Vec<f64> = std::iter::from_fn(|| sim.step().map(SimTime::secs)).collect();
    assert_eq!(times, [600.0, 600.0, 3630.0]);
    let r = sim.summary();
    assert_eq!(r.conservation.by_sink, [1, 1, 1]);
}

#[test]
fn replayed_log_errors_name_file_line_and_rule() {
    let out_of_order = temp_csv(
        "bad_order.csv",
        "time\n2024-01-01T02:00:00\n2024-01-01T01:00:00\n",
    );
    let err = OrderLog::from_path(&out_of_order).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("replay_csv: "), "{msg}");
    assert!(
        msg.contains("bad_order.csv:3: time: rows must be in time order"),
        "{msg}"
    );
    let bad_number = temp_csv(
        "bad_number.csv",
        "time,weight_kg\n2024-01-01T02:00:00,heavy\n",
    );
    let msg = OrderLog::from_path(&bad_number).unwrap_err().to_string();
    assert!(
        msg.contains("bad_number.csv:2: weight_kg: must be a number, got \"heavy\""),
        "{msg}"
    );
    assert!(matches!(err, Error::Scenario { .. }));
    // A log named but not read: the model reads no file itself.
    let mut named = Source::poisson(1.0, "done");
    named.rate_per_hour = None;
    named.replay_csv = Some(bad_number.clone());
    let msg = Model::builder()
        .with_source("log", named)
        .with_sink("done", Sink::new())
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("sources.log.replay_csv: the log ") && msg.contains("was not read"),
        "{msg}"
    );
    // Only regular files are read: a folder is refused before opening.
    let dir = bad_number.parent().unwrap();
    let msg = OrderLog::from_path(dir).unwrap_err().to_string();
    assert!(msg.ends_with("is not a regular file"), "{msg}");
}

#[test]
fn time_series_samples_at_the_interval() {
    let model = Model::builder()
        .with_source("orders", Source::poisson(120.0, "desk"))
        .with_station(
            "desk",
            Station::new(1, Dist::exponential(0.4).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .with_horizon(SimTime::from_hours(10.0))
        .with_time_series(SimTime::from_minutes(30.0))
        .build()
        .unwrap();
    let r = Simulation::new(&model, 1, 0).run();
    let series = r.series.as_ref().unwrap();
    assert_eq!(series.times.len(), 21, "0, 30 min, ..., 10 h");
    assert_eq!(series.times[1], 1800.0);
    assert_eq!(series.stations[0].name, "desk");
    assert_eq!(series.in_system[0], 0);
    assert_eq!(
        *series.in_system.last().unwrap() as u64,
        r.conservation.in_system
    );
    assert!(
        series.stations[0]
            .queue
            .iter()
            .zip(&series.stations[0].in_station)
            .all(|(q, n)| q <= n)
    );
}

/// A scenario file using every logistics part gives the same model as the
/// same parts in Rust.
#[test]
fn logistics_scenario_file_matches_rust_api() {
    let text = r#"
[simulation]
horizon_h = 168
start = "2024-11-04T00:00"
sample_every_min = 60

[sources.orders]
profile = { hourly_per_hour = [5,5,5,5,5,5,5,10,20,40,40,40,40,40,40,40,40,40,20,20,20,10,10,5], weekday_factors = { sat = 0.5 }, dates = [{ date = "2024-11-11", factor = 4.0, first_hour_factor = 6.0 }] }
to = "documents"
classes = { express = 0.2, standard = 0.8 }
attributes = { basket_value_cny = { dist = "lognormal", mean = 250, cv = 1.2 } }
categories = { category = { cosmetics = 0.4, food = 0.6 } }

[delays.documents]
latest_of_min = { order = { dist = "exponential", mean = 0.5 }, payment = { dist = "exponential", mean = 0.3 }, waybill = { dist = "exponential", mean = 1.0 } }
to = "limit"
milestone = "declared"

[routers.limit]
rules = [{ attribute = "basket_value_cny", op = ">", value = 5000, to = "rejected" }, { attribute = "category", op = "==", value = "cosmetics", to = "review" }]
routes = [{ to = "review", prob = 1.0 }]

[stations.review]
servers = 2
service_time_min = { dist = "lognormal", mean = 10, cv = 1.0 }
to = "trucks"
shifts = [{ days = ["mon", "tue", "wed", "thu", "fri"], from = "08:30", to = "17:30", servers = 6 }]
priorities = { express = 0 }
queue_capacity = 500
overflow = "block"
patience_min = { dist = "exponential", mean = 2880 }
renege_to = "cancelled"
breakdowns = { time_between_failures_h = { dist = "exponential", mean = 240 }, repair_time_min = { dist = "uniform", low = 15, high = 120 } }

[dispatches.trucks]
departures = [{ at = "10:00" }, { at = "16:00" }]
capacity = 3000
to = "released"

[sinks.released]
milestone = "released"
[sinks.rejected]
[sinks.cancelled]

[intervals.clearance]
from = "declared"
to = "released"
"#;
    let from_file = Scenario::from_toml_str(text).unwrap().build().unwrap();
    let shares = |pairs: &[(&str, f64)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let from_rust = Model::builder()
        .with_source(
            "orders",
            Source::profile(
                RateProfile::new(vec![
                    5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 10.0, 20.0, 40.0, 40.0, 40.0, 40.0, 40.0,
                    40.0, 40.0, 40.0, 40.0, 20.0, 20.0, 20.0, 10.0, 10.0, 5.0,
                ])
                .with_weekday_factor(Day::Sat, 0.5)
                .with_date(DatedFactor::new(
                    jiff::civil::date(2024, 11, 11),
                    4.0,
                    6.0,
                )),
                "documents",
            )
            .with_class("express", 0.2)
            .with_class("standard", 0.8)
            .with_attribute("basket_value_cny", Dist::lognormal(250.0, 1.2).unwrap())
            .with_category("category", shares(&[("cosmetics", 0.4), ("food", 0.6)])),
        )
        .with_station(
            "review",
            Station::new(2, Dist::lognormal(10.0, 1.0).unwrap(), "trucks")
                .with_shift(Shift::new(&Day::WEEKDAYS, "08:30", "17:30", 6).unwrap())
                .with_priority("express", 0)
                .with_queue_capacity(500, cbec_sim::Overflow::Block)
                .with_patience(Dist::exponential(2880.0).unwrap(), "cancelled")
                .with_breakdowns(Breakdowns::new(
                    Dist::exponential(240.0).unwrap(),
                    Dist::uniform(15.0, 120.0).unwrap(),
                )),
        )
        .with_delay(
            "documents",
            cbec_sim::Delay::latest_of("limit")
                .with_part("order", Dist::exponential(0.5).unwrap())
                .with_part("payment", Dist::exponential(0.3).unwrap())
                .with_part("waybill", Dist::exponential(1.0).unwrap())
                .with_milestone("declared"),
        )
        .with_router(
            "limit",
            cbec_sim::Router::new(vec![cbec_sim::Route::new("review", 1.0)])
                .with_rule(cbec_sim::Rule::new(
                    "basket_value_cny",
                    cbec_sim::Comparison::Greater,
                    5000.0,
                    "rejected",
                ))
                .with_rule(cbec_sim::Rule::category(
                    "category",
                    cbec_sim::Comparison::Equal,
                    "cosmetics",
                    "review",
                )),
        )
        .with_dispatch(
            "trucks",
            Dispatch::new("released")
                .with_departure(WeeklyTime::new(&Day::ALL, "10:00").unwrap())
                .with_departure(WeeklyTime::new(&Day::ALL, "16:00").unwrap())
                .with_capacity(3000),
        )
        .with_sink("released", Sink::new().with_milestone("released"))
        .with_sink("rejected", Sink::new())
        .with_sink("cancelled", Sink::new())
        .with_interval("clearance", cbec_sim::Interval::new("declared", "released"))
        .with_start("2024-11-04T00:00".parse().unwrap())
        .with_horizon(SimTime::from_hours(168.0))
        .with_time_series(SimTime::from_minutes(60.0))
        .build()
        .unwrap();
    assert_eq!(from_file, from_rust);
    let (a, b) = (
        Simulation::new(&from_file, 3, 0).run(),
        Simulation::new(&from_rust, 3, 0).run(),
    );
    assert_eq!(a, b);
    assert!(a.conservation.holds());
    assert!(a.interval("clearance").unwrap().duration.count() > 1000);
}

/// Two timetable lines at the same time of week both land (the second was
/// once skipped: the next slot was searched strictly after the first).
#[test]
fn batches_listed_at_the_same_time_all_land() {
    let flights = vec![
        ScheduledBatch::new(&Day::ALL, "10:30", Dist::deterministic(10.0).unwrap()).unwrap(),
        ScheduledBatch::new(&[Day::Tue], "10:30", Dist::deterministic(30.0).unwrap()).unwrap(),
        ScheduledBatch::new(&[Day::Tue], "10:30", Dist::deterministic(5.0).unwrap()).unwrap(),
    ];
    let model = Model::builder()
        .with_source("flights", Source::timetable(flights, "done"))
        .with_sink("done", Sink::new())
        .with_start("2024-10-14T00:00".parse().unwrap()) // a Monday
        .with_horizon(SimTime::from_days(7.0))
        .build()
        .unwrap();
    let r = Simulation::new(&model, 1, 0).run();
    assert_eq!(r.conservation.entered, 7 * 10 + 30 + 5);
}
