//! A table of bad inputs: each is rejected before running, with exit code
//! 2 and a message that names the file, the field and the rule (and the
//! line and column, for what the TOML reader itself rejects).

#[cfg(feature = "cli")]
use std::process::Command;

#[cfg(feature = "cli")]
const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");

/// A valid scenario that uses most parts; each case breaks it in one place.
const BASE: &str = include_str!("bad_input_base.toml");

struct BadInput {
    what: &'static str,
    /// The text replaced (its first occurrence), or `None` to append.
    replace: Option<&'static str>,
    with: &'static str,
    /// The field path the message must name.
    field: &'static str,
    /// The last line of the message: the rule and the value.
    message: &'static str,
}

const CASES: &[BadInput] = &[
    BadInput {
        what: r#"servers zero"#,
        replace: Some(
            r#"servers = 2
service_time_min = { dist = "lognormal""#,
        ),
        with: r#"servers = 0
service_time_min = { dist = "lognormal""#,
        field: r#"stations.inspection.servers"#,
        message: r#"must be at least 1, got 0"#,
    },
    BadInput {
        what: r#"servers negative"#,
        replace: Some(
            r#"servers = 4
"#,
        ),
        with: r#"servers = -4
"#,
        field: r#"stations.pick.servers"#,
        message: r#"servers: must be between 1 and 4294967294, got -4"#,
    },
    BadInput {
        what: r#"servers a word"#,
        replace: Some(
            r#"servers = 4
"#,
        ),
        with: r#"servers = "many"
"#,
        field: r#"stations.pick.servers"#,
        message: r#"servers: must be a whole number or "infinite", got "many""#,
    },
    BadInput {
        what: r#"servers wrong type"#,
        replace: Some(
            r#"servers = 4
"#,
        ),
        with: r#"servers = 4.5
"#,
        field: r#"stations.pick.servers"#,
        message: r#"servers: must be a whole number or "infinite", got 4.5"#,
    },
    BadInput {
        what: r#"unknown key with suggestion"#,
        replace: Some(
            r#"servers = 4
"#,
        ),
        with: r#"servrs = 4
"#,
        field: r#"stations.pick.servrs"#,
        message: r#"unknown key "servrs"; did you mean "servers"? (valid keys here: servers, service_time_min, service_scaled_by, to, milestone, increment, shifts, priorities, queue_capacity, overflow, breakdowns, patience_min, renege_to)"#,
    },
    BadInput {
        what: r#"unknown top-level table"#,
        replace: None,
        with: r#"[stationz.x]
servers = 1
"#,
        field: r#"stationz"#,
        message: r#"unknown key "stationz"; did you mean "stations"? (valid keys here: simulation, sources, stations, delays, routers, dispatches, pools, stocks, sinks, intervals, tax, report)"#,
    },
    BadInput {
        what: r#"negative mean"#,
        replace: Some(r#"mean = 1.5 }"#),
        with: r#"mean = -1.5 }"#,
        field: r#"stations.review.service_time_min"#,
        message: r#"exponential.mean: must be finite and greater than 0, got -1.5"#,
    },
    BadInput {
        what: r#"NaN mean"#,
        replace: Some(r#"mean = 1.5 }"#),
        with: r#"mean = nan }"#,
        field: r#"stations.review.service_time_min"#,
        message: r#"exponential.mean: must be finite and greater than 0, got NaN"#,
    },
    BadInput {
        what: r#"infinite cv"#,
        replace: Some(r#"mean = 6, cv = 0.5 }"#),
        with: r#"mean = 6, cv = inf }"#,
        field: r#"stations.inspection.service_time_min"#,
        message: r#"lognormal.cv: must be finite and at least 0, got inf"#,
    },
    BadInput {
        what: r#"uniform low above high"#,
        replace: Some(r#"low = 10, high = 30"#),
        with: r#"low = 30, high = 10"#,
        field: r#"stations.inspection.breakdowns"#,
        message: r#"uniform.high: must be at least low, got 10"#,
    },
    BadInput {
        what: r#"unknown distribution"#,
        replace: Some(r#"dist = "gamma", mean = 0.5"#),
        with: r#"dist = "gama", mean = 0.5"#,
        field: r#"stations.pick.service_time_min"#,
        message: r#"unknown variant `gama`, expected one of `exponential`, `deterministic`, `uniform`, `triangular`, `truncated_normal`, `lognormal`, `gamma`, `weibull`, `empirical`, `discrete`"#,
    },
    BadInput {
        what: r#"missing distribution parameter"#,
        replace: Some(r#"{ dist = "lognormal", mean = 6, cv = 0.5 }"#),
        with: r#"{ dist = "lognormal", mean = 6 }"#,
        field: r#"stations.inspection.service_time_min"#,
        message: r#"missing field `cv`"#,
    },
    BadInput {
        what: r#"discrete probs not summing to 1"#,
        replace: Some(r#"probs = [0.6, 0.4]"#),
        with: r#"probs = [0.6, 0.3]"#,
        field: r#"sources.orders.attributes"#,
        message: r#"discrete.probs: must sum to 1, got 0.8999999999999999"#,
    },
    BadInput {
        what: r#"probability above 1"#,
        replace: Some(r#"{ to = "inspection", prob = 0.05 }, { to = "pick", prob = 0.95 }"#),
        with: r#"{ to = "inspection", prob = 1.05 }, { to = "pick", prob = -0.05 }"#,
        field: r#"routers.split.routes[0].prob"#,
        message: r#"must lie in [0, 1], got 1.05"#,
    },
    BadInput {
        what: r#"routes not summing to 1"#,
        replace: Some(r#"{ to = "pick", prob = 0.95 }"#),
        with: r#"{ to = "pick", prob = 0.9 }"#,
        field: r#"routers.split.routes"#,
        message: r#"probabilities must sum to 1, got 0.9500000000000001"#,
    },
    BadInput {
        what: r#"empty routes"#,
        replace: Some(
            r#"routes = [{ to = "inspection", prob = 0.05 }, { to = "pick", prob = 0.95 }]"#,
        ),
        with: r#"routes = []"#,
        field: r#"routers.split.routes"#,
        message: r#"must not be empty: class "default" has no routes of its own"#,
    },
    BadInput {
        what: r#"unknown station in a route"#,
        replace: Some(r#"{ to = "pick", prob = 0.95 }"#),
        with: r#"{ to = "pik", prob = 0.95 }"#,
        field: r#"routers.split.routes[1].to"#,
        message: r#"unknown node "pik"; did you mean "pick"?"#,
    },
    BadInput {
        what: r#"unknown node in to"#,
        replace: Some(r#"to = "trucks""#),
        with: r#"to = "truck""#,
        field: r#"stations.pick.to"#,
        message: r#"unknown node "truck"; did you mean "trucks"?"#,
    },
    BadInput {
        what: r#"unknown reject target"#,
        replace: Some(r#"reject_to = "rejected""#),
        with: r#"reject_to = "rejectd""#,
        field: r#"stations.inspection.overflow.reject_to"#,
        message: r#"unknown node "rejectd"; did you mean "rejected"?"#,
    },
    BadInput {
        what: r#"class shares not summing to 1"#,
        replace: Some(r#"standard = 0.9, express = 0.1"#),
        with: r#"standard = 0.9, express = 0.2"#,
        field: r#"sources.orders.classes"#,
        message: r#"probabilities must sum to 1, got 1.1"#,
    },
    BadInput {
        what: r#"unknown class in priorities"#,
        replace: Some(r#"priorities = { express = 0 }"#),
        with: r#"priorities = { expres = 0 }"#,
        field: r#"stations.review.priorities.expres"#,
        message: r#"unknown class "expres"; did you mean "express"?"#,
    },
    BadInput {
        what: r#"unknown attribute in a rule"#,
        replace: Some(r#"attribute = "basket_value_cny", op"#),
        with: r#"attribute = "basket_value", op"#,
        field: r#"routers.limit.rules[0].attribute"#,
        message: r#"unknown attribute "basket_value"; did you mean "basket_value_cny"?"#,
    },
    BadInput {
        what: r#"bad comparison"#,
        replace: Some(r#"op = ">""#),
        with: r#"op = "=>""#,
        field: r#"routers.limit.rules"#,
        message: r#"unknown variant `=>`, expected one of `>`, `>=`, `<`, `<=`, `==`, `!=`"#,
    },
    BadInput {
        what: r#"rule value NaN"#,
        replace: Some(r#"value = 5000,"#),
        with: r#"value = nan,"#,
        field: r#"routers.limit.rules[0].value"#,
        message: r#"must be finite, got NaN"#,
    },
    BadInput {
        what: r#"empty timetable days"#,
        replace: Some(r#"days = ["mon", "wed"], at"#),
        with: r#"days = [], at"#,
        field: r#"sources.flights.timetable[0].days"#,
        message: r#"must list at least one day"#,
    },
    BadInput {
        what: r#"bad day name"#,
        replace: Some(r#"days = ["mon", "wed"], at"#),
        with: r#"days = ["mon", "wensday"], at"#,
        field: r#"sources.flights.timetable"#,
        message: r#"unknown variant `wensday`, expected one of `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`"#,
    },
    BadInput {
        what: r#"bad clock time"#,
        replace: Some(r#"at = "06:30""#),
        with: r#"at = "25:30""#,
        field: r#"sources.flights.timetable"#,
        message: r#"must be a clock time "HH:MM" between 00:00 and 23:59, got "25:30""#,
    },
    BadInput {
        what: r#"malformed start date"#,
        replace: Some(r#"start = "2024-11-04T00:00""#),
        with: r#"start = "2024-13-04T00:00""#,
        field: r#"simulation.start"#,
        message: r#"start: must be a local date and time such as "2024-11-04T00:00", got "2024-13-04T00:00""#,
    },
    BadInput {
        what: r#"negative horizon"#,
        replace: Some(r#"horizon_h = 48"#),
        with: r#"horizon_h = -48"#,
        field: r#"simulation.horizon_h"#,
        message: r#"must be finite and greater than 0, got -48"#,
    },
    BadInput {
        what: r#"warm-up longer than the horizon"#,
        replace: Some(r#"warmup_h = 2"#),
        with: r#"warmup_h = 60"#,
        field: r#"simulation.warmup_h"#,
        message: r#"must be shorter than simulation.horizon_h (48), got 60"#,
    },
    BadInput {
        what: r#"negative warm-up"#,
        replace: Some(r#"warmup_h = 2"#),
        with: r#"warmup_h = -2"#,
        field: r#"simulation.warmup_h"#,
        message: r#"must be finite and at least 0, got -2"#,
    },
    BadInput {
        what: r#"zero sampling interval"#,
        replace: Some(
            r#"warmup_h = 2
"#,
        ),
        with: r#"warmup_h = 2
sample_every_min = 0
"#,
        field: r#"simulation.sample_every_min"#,
        message: r#"must be finite and greater than 0, got 0"#,
    },
    BadInput {
        what: r#"queue capacity without overflow"#,
        replace: Some(
            r#"overflow = { reject_to = "rejected" }
"#,
        ),
        with: r#""#,
        field: r#"stations.inspection.overflow"#,
        message: r#"is required with queue_capacity: "block" or { reject_to = "node" }"#,
    },
    BadInput {
        what: r#"patience without renege_to"#,
        replace: Some(
            r#"renege_to = "cancelled"
"#,
        ),
        with: r#""#,
        field: r#"stations.pick.renege_to"#,
        message: r#"is required with patience_min"#,
    },
    BadInput {
        what: r#"shifts on an infinite station"#,
        replace: Some(
            r#"servers = 3
"#,
        ),
        with: r#"servers = "infinite"
"#,
        field: r#"stations.review.shifts"#,
        message: r#"a station with infinitely many servers cannot have shifts"#,
    },
    BadInput {
        what: r#"shift with no day"#,
        replace: Some(r#"shifts = [{ days = ["mon", "tue"], from"#),
        with: r#"shifts = [{ days = [], from"#,
        field: r#"stations.review.shifts[0].days"#,
        message: r#"must list at least one day"#,
    },
    BadInput {
        what: r#"no server ever on shift"#,
        replace: Some(
            r#"servers = 3
"#,
        ),
        with: r#"servers = 0
"#,
        field: r#"stations.review.shifts"#,
        message: r#"no server is ever on shift; orders would wait forever"#,
    },
    BadInput {
        what: r#"delay cycle with no exit"#,
        replace: Some(
            r#"waybill = { dist = "exponential", mean = 2 } }
to = "review""#,
        ),
        with: r#"waybill = { dist = "exponential", mean = 2 } }
to = "documents2"

[delays.documents2]
latest_of_min = { x = { dist = "exponential", mean = 1 } }
to = "documents""#,
        field: r#"delays.documents"#,
        message: r#"orders that get here can never leave: no route from it leads to a sink (a cycle with no exit)"#,
    },
    BadInput {
        what: r#"dispatch batch size of zero"#,
        replace: Some(
            r#"capacity = 3000
"#,
        ),
        with: r#"capacity = 3000
batch_size = 0
"#,
        field: r#"dispatches.trucks.batch_size"#,
        message: r#"must be at least 1, got 0"#,
    },
    BadInput {
        what: r#"dispatch with no departure and no batch size"#,
        replace: Some(
            r#"departures = [{ at = "10:00" }, { at = "16:00" }]
"#,
        ),
        with: r#"departures = []
"#,
        field: r#"dispatches.trucks"#,
        message: r#"needs departures, a batch_size, or both; otherwise nothing would ever leave"#,
    },
    BadInput {
        what: r#"interval of an unknown milestone"#,
        replace: Some(r#"from = "declared""#),
        with: r#"from = "declard""#,
        field: r#"intervals.clearance.from"#,
        message: r#"unknown milestone "declard"; did you mean "declared"?"#,
    },
    BadInput {
        what: r#"a source with two processes"#,
        replace: Some(
            r#"rate_per_hour = 100
"#,
        ),
        with: r#"rate_per_hour = 100
profile = { hourly_per_hour = [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1] }
"#,
        field: r#"sources.orders"#,
        message: r#"must have exactly one of rate_per_hour, profile, timetable, replay_csv"#,
    },
    BadInput {
        what: r#"a source with no process"#,
        replace: Some(
            r#"rate_per_hour = 100
"#,
        ),
        with: r#""#,
        field: r#"sources.orders"#,
        message: r#"must have exactly one of rate_per_hour, profile, timetable, replay_csv"#,
    },
    BadInput {
        what: r#"rate profile with 23 hours"#,
        replace: Some(
            r#"rate_per_hour = 100
"#,
        ),
        with: r#"profile = { hourly_per_hour = [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1] }
"#,
        field: r#"sources.orders.profile.hourly_per_hour"#,
        message: r#"must list 24 rates, one per hour of the day, got 23"#,
    },
    BadInput {
        what: r#"zero rate"#,
        replace: Some(
            r#"rate_per_hour = 100
"#,
        ),
        with: r#"rate_per_hour = 0
"#,
        field: r#"sources.orders.rate_per_hour"#,
        message: r#"must be finite and greater than 0, got 0"#,
    },
    BadInput {
        what: r#"tax rate above 1"#,
        replace: Some(r#"food = { vat = 0.09 }"#),
        with: r#"food = { vat = 9 }"#,
        field: r#"tax.rates.food.vat"#,
        message: r#"must be a fraction between 0 and 1, got 9"#,
    },
    BadInput {
        what: r#"tax category missing"#,
        replace: Some(r#", food = { vat = 0.09 }"#),
        with: r#""#,
        field: r#"tax.rates"#,
        message: r#"category "food" of "category" has no rates"#,
    },
    BadInput {
        what: r#"service scaled by a category"#,
        replace: Some(r#"service_scaled_by = "items""#),
        with: r#"service_scaled_by = "category""#,
        field: r#"stations.pick.service_scaled_by"#,
        message: r#""category" is categorical; give a numeric attribute"#,
    },
    BadInput {
        what: r#"report names an unknown station"#,
        replace: Some(r#"officers = "review""#),
        with: r#"officers = "reveiw""#,
        field: r#"report.utilization.officers"#,
        message: r#"unknown station "reveiw"; did you mean "review"?"#,
    },
    BadInput {
        what: r#"a cycle with no exit"#,
        replace: Some(r#"routes = [{ to = "documents", prob = 1.0 }]"#),
        with: r#"routes = [{ to = "loop", prob = 1.0 }]
[routers.loop]
routes = [{ to = "limit", prob = 1.0 }]"#,
        field: r#"routers.loop"#,
        message: r#"routes form a cycle through routers only (limit -> loop -> limit); every cycle must pass through a station"#,
    },
    BadInput {
        what: r#"duplicate node name"#,
        replace: None,
        with: r#"[sinks.review]
"#,
        field: r#"sinks.review"#,
        message: r#"the name is already used by stations.review; node names must be unique"#,
    },
    BadInput {
        what: r#"a number of hours written as text"#,
        replace: Some(r#"horizon_h = 48"#),
        with: r#"horizon_h = "8 days""#,
        field: r#"simulation.horizon_h"#,
        message: r#"simulation.horizon_h: "8 days" is not a number; expected a number of hours, e.g. 48"#,
    },
    BadInput {
        what: r#"a rate in quotes"#,
        replace: Some(
            r#"rate_per_hour = 100
"#,
        ),
        with: r#"rate_per_hour = "100"
"#,
        field: r#"sources.orders.rate_per_hour"#,
        message: r#"sources.orders.rate_per_hour: "100" is text, not a number; expected a rate per hour, without quotes: 100"#,
    },
    BadInput {
        what: r#"a route share as a percentage"#,
        replace: Some(r#"{ to = "inspection", prob = 0.05 }"#),
        with: r#"{ to = "inspection", prob = "5%" }"#,
        field: r#"routers.split.routes[0].prob"#,
        message: r#"routers.split.routes[0].prob: "5%" is not a number; expected a share between 0 and 1, e.g. 0.05"#,
    },
    BadInput {
        what: r#"a distribution parameter with its unit"#,
        replace: Some(r#"mean = 1.5 }"#),
        with: r#"mean = "1.5 min" }"#,
        field: r#"stations.review.service_time_min.mean"#,
        message: r#"stations.review.service_time_min.mean: "1.5 min" is not a number; expected a number of minutes, e.g. 30"#,
    },
    BadInput {
        what: r#"a fraction of a vehicle's capacity"#,
        replace: Some(
            r#"capacity = 3000
"#,
        ),
        with: r#"capacity = 3000.5
"#,
        field: r#"dispatches.trucks.capacity"#,
        message: r#"dispatches.trucks.capacity: 3000.5 is not a whole number; expected a whole number of 0 or more, e.g. 3000"#,
    },
    BadInput {
        what: r#"a node name without quotes"#,
        replace: Some(r#"to = "left""#),
        with: r#"to = 3"#,
        field: r#"dispatches.trucks.to"#,
        message: r#"dispatches.trucks.to: 3 is not text; expected a name in quotes, e.g. "3""#,
    },
    BadInput {
        what: r#"one day where a list is expected"#,
        replace: Some(r#"days = ["mon", "wed"], at"#),
        with: r#"days = "mon", at"#,
        field: r#"sources.flights.timetable[0].days"#,
        message: r#"sources.flights.timetable[0].days: "mon" is not a list; expected a list in brackets, e.g. ["mon"]"#,
    },
    BadInput {
        what: r#"no [simulation] table"#,
        replace: Some(
            r#"[simulation]
start = "2024-11-04T00:00"
horizon_h = 48
warmup_h = 2
"#,
        ),
        with: r#""#,
        field: r#"simulation"#,
        message: r#"the [simulation] table is missing or empty; it must give horizon_h, the run length in hours (e.g. horizon_h = 168), unless every source stops by itself with max_arrivals (sources.orders has none)"#,
    },
    BadInput {
        what: r#"no horizon"#,
        replace: Some(
            r#"horizon_h = 48
"#,
        ),
        with: r#""#,
        field: r#"simulation.horizon_h"#,
        message: r#"is missing; give the run length in hours (e.g. horizon_h = 168), unless every source stops by itself with max_arrivals (sources.orders has none)"#,
    },
    BadInput {
        what: r#"one of many nodes misspelt"#,
        replace: None,
        with: r#"[routers.fan]
routes = [{ to = "sink", prob = 1.0 }]
[sinks.sink1]
[sinks.sink2]
[sinks.sink3]
[sinks.sink4]
[sinks.sink5]
[sinks.sink6]
[sinks.sink7]
"#,
        field: r#"routers.fan.routes[0].to"#,
        message: r#"unknown node "sink"; did you mean "sink1", "sink2", "sink3", "sink4" or "sink5"?"#,
    },
    BadInput {
        what: r#"a node name far from every node"#,
        replace: Some(r#"to = "trucks""#),
        with: r#"to = "warehouse_exit""#,
        field: r#"stations.pick.to"#,
        message: r#"unknown node "warehouse_exit"; none of the 10 nodes is close; orders can be sent to the names under stations, delays, routers, dispatches, pools, stocks and sinks"#,
    },
    BadInput {
        what: r#"a syntax error"#,
        replace: Some(
            r#"servers = 4
"#,
        ),
        with: r#"servers = = 4
"#,
        field: r#"stations.pick.servers"#,
        message: r#"extra `=`, expected nothing"#,
    },
];

fn scenario_of(case: &BadInput) -> String {
    let mut text = match case.replace {
        Some(old) => {
            assert!(BASE.contains(old), "{}: the base has no {old:?}", case.what);
            BASE.replacen(old, case.with, 1)
        }
        None => format!("{BASE}\n{}", case.with),
    };
    if case.what == "no server ever on shift" {
        text = text.replacen(
            "to = \"18:00\", servers = 5",
            "to = \"18:00\", servers = 0",
            1,
        );
    }
    text
}

#[test]
#[cfg(feature = "cli")]
fn every_bad_input_is_rejected_with_its_message() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let dir = std::env::temp_dir().join(format!("cbec-sim-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The base itself is valid.
    let base = dir.join("base.toml");
    std::fs::write(&base, BASE).unwrap();
    let ok = Command::new(BIN)
        .arg("validate")
        .arg(&base)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    for (i, case) in CASES.iter().enumerate() {
        let file = dir.join(format!("case{i}.toml"));
        std::fs::write(&file, scenario_of(case)).unwrap();
        let out = Command::new(BIN)
            .arg("run")
            .arg(&file)
            .args(["-n", "1", "--csv"])
            .arg(dir.join(format!("out{i}")))
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{}: {err}", case.what);
        assert!(!err.contains("panicked"), "{}: {err}", case.what);
        assert!(out.stdout.is_empty(), "{}: printed results", case.what);
        assert!(
            !dir.join(format!("out{i}")).exists(),
            "{}: wrote output",
            case.what
        );
        let expected_start = format!("error: {}: {}: ", file.display(), case.field);
        assert!(err.starts_with(&expected_start), "{}: {err}", case.what);
        assert!(
            err.trim_end().ends_with(case.message),
            "{}: {err}",
            case.what
        );
    }
}

#[test]
fn the_library_gives_the_same_messages() {
    for case in CASES {
        let err = cbec_sim::Scenario::from_toml_str(&scenario_of(case))
            .and_then(|s| s.build())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("{}: ", case.field)),
            "{}: {err}",
            case.what
        );
        assert!(
            err.trim_end().ends_with(case.message),
            "{}: {err}",
            case.what
        );
    }
}

#[test]
fn an_unreachable_part_is_a_warning_not_an_error() {
    let model = cbec_sim::Scenario::from_toml_str(&format!("{BASE}\n[sinks.orphan]\n"))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        model.warnings(),
        [
            "sinks.orphan: no order can reach it: no `to`, route, rule, overflow or renege target leads here"
        ]
    );
}

#[test]
fn bad_order_logs_name_the_file_line_and_rule() {
    let dir = std::env::temp_dir().join(format!("cbec-sim-badcsv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = "simulation = { horizon_h = 24, start = \"2024-11-11T00:00\" }\nsources.log = { replay_csv = \"log.csv\", to = \"done\" }\nsinks.done = {}\n";
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    for (log, message) in [
        (
            "time\n2024-11-11T00:00:05\n2024-11-11T00:00:01\n",
            "log.csv:3: time: rows must be in time order",
        ),
        ("time\n2024-11-11T25:00:05\n", "log.csv:2"),
        ("when\n2024-11-11T00:00:05\n", "time"),
        (
            "time,basket_value_cny\n2024-11-11T00:00:05,abc\n",
            "basket_value_cny",
        ),
    ] {
        std::fs::write(dir.join("log.csv"), log).unwrap();
        let err = cbec_sim::Scenario::from_path(dir.join("s.toml"))
            .and_then(|s| s.build())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("sources.log.replay_csv: "),
            "{log:?}: {err}"
        );
        assert!(err.contains(message), "{log:?}: {err}");
    }
}

/// No message about an unknown name lists more than five names, however
/// many there are: fifty sinks, one misspelt.
#[test]
fn an_unknown_name_never_lists_more_than_five_names() {
    let mut text = BASE.replacen(r#"to = "left""#, r#"to = "exit""#, 1);
    for i in 0..50 {
        text.push_str(&format!("\n[sinks.exit{i}]\n"));
    }
    let err = cbec_sim::Scenario::from_toml_str(&text)
        .and_then(|s| s.build())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("dispatches.trucks.to: "), "{err}");
    let quoted = err.matches('"').count() / 2 - 1; // the name asked for
    assert_eq!(quoted, 5, "{err}");
    assert!(
        err.ends_with(r#"did you mean "exit0", "exit1", "exit2", "exit3" or "exit4"?"#),
        "{err}"
    );
}
