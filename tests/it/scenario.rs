//! Scenario files: same model as the Rust API, and precise errors.

use cbec_sim::{Dist, Error, Interval, Model, Scenario, SimTime, Simulation, Sink, Station};

/// The preset line with the milestones and run length of `scenarios/tandem.toml`.
fn tandem_in_rust() -> Model {
    cbec_sim::presets::tandem()
        .with_station(
            "document_check",
            Station::new(2, Dist::exponential(1.0).unwrap(), "customs_review")
                .with_milestone("declared"),
        )
        .with_station(
            "pick_pack",
            Station::new(4, Dist::exponential(2.0).unwrap(), "released").with_milestone("packed"),
        )
        .with_sink("released", Sink::new().with_milestone("released"))
        .with_interval("clearance", Interval::new("declared", "packed"))
        .with_horizon(SimTime::from_hours(1000.0))
        .with_warmup(SimTime::from_hours(20.0))
        .build()
        .unwrap()
}

#[test]
fn toml_and_rust_api_give_the_same_model() {
    let from_file = Scenario::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/tandem.toml"
    ))
    .unwrap()
    .build()
    .unwrap();
    let from_rust = tandem_in_rust();
    assert_eq!(from_file, from_rust);
    let short = |m: &Model| {
        m.with_run_length(Some(SimTime::from_hours(50.0)), SimTime::ZERO)
            .unwrap()
    };
    assert_eq!(
        Simulation::new(&short(&from_file), 8, 0).run(),
        Simulation::new(&short(&from_rust), 8, 0).run()
    );
}

#[test]
fn scenario_round_trips_through_toml() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/tandem.toml"
    ))
    .unwrap();
    let s = Scenario::from_toml_str(&text).unwrap();
    let again = Scenario::from_toml_str(&toml::to_string(&s).unwrap()).unwrap();
    assert_eq!(s, again);
}

fn error_of(text: &str) -> String {
    match Scenario::from_toml_str(text).and_then(|s| s.build()) {
        Ok(_) => panic!("accepted an invalid scenario:\n{text}"),
        Err(e) => e.to_string(),
    }
}

const BASE: &str = r#"
simulation = { horizon_h = 10 }
sources.orders = { rate_per_hour = 20, to = "desk" }
stations.desk = { servers = 1, service_time_min = { dist = "exponential", mean = 2 }, to = "done" }
sinks.done = {}
"#;

fn with(replace: &str, by: &str) -> String {
    assert!(BASE.contains(replace), "{replace}");
    BASE.replace(replace, by)
}

#[test]
fn the_base_scenario_is_valid() {
    Scenario::from_toml_str(BASE).unwrap().build().unwrap();
}

/// Each bad input, with the message it must print (field, value, rule).
#[test]
fn bad_inputs_name_field_value_and_rule() {
    let cases: Vec<(String, &str)> = vec![
        (
            with("servers = 1", "servers = 0"),
            "stations.desk.servers: must be at least 1, got 0",
        ),
        (
            with("rate_per_hour = 20", "rate_per_hour = -3"),
            "sources.orders.rate_per_hour: must be finite and greater than 0, got -3",
        ),
        (
            with("rate_per_hour = 20", "rate_per_hour = nan"),
            "sources.orders.rate_per_hour: must be finite and greater than 0, got NaN",
        ),
        (
            with("to = \"done\"", "to = \"dne\""),
            "stations.desk.to: unknown node \"dne\"; did you mean \"done\"?",
        ),
        (
            with("to = \"desk\"", "to = \"orders\""),
            "sources.orders.to: \"orders\" is a source; orders cannot be sent into a source",
        ),
        (
            with("horizon_h = 10", "horizon_h = 0"),
            "simulation.horizon_h: must be finite and greater than 0, got 0",
        ),
        (
            with("horizon_h = 10", "horizon_h = 10, warmup_h = 12"),
            "simulation.warmup_h: must be shorter than simulation.horizon_h (10), got 12",
        ),
        (
            with("horizon_h = 10", "warmup_h = 1"),
            "simulation.horizon_h: is missing; give the run length in hours (e.g. horizon_h = 168), unless every source stops by itself with max_arrivals (sources.orders has none)",
        ),
        (
            with("sinks.done = {}", ""),
            "sinks: at least one sink is required: a [sinks.<name>] table, where orders leave",
        ),
        (
            with(
                "rate_per_hour = 20,",
                "rate_per_hour = 20, classes = { a = 0.5, b = 0.6 },",
            ),
            "sources.orders.classes: probabilities must sum to 1, got 1.1",
        ),
        (
            with(
                "rate_per_hour = 20,",
                "rate_per_hour = 20, classes = { a = 1.5, b = -0.5 },",
            ),
            "sources.orders.classes.a: must lie in [0, 1], got 1.5",
        ),
        (
            with(
                "rate_per_hour = 20,",
                "rate_per_hour = 20, max_arrivals = 0,",
            ),
            "sources.orders.max_arrivals: must be at least 1, got 0",
        ),
    ];
    for (text, expected) in &cases {
        assert_eq!(&error_of(text), expected, "for:\n{text}");
    }
}

#[test]
fn router_errors_name_the_route() {
    let router = |routes: &str| {
        format!(
            "{}\nrouters.r = {{ routes = [{routes}] }}\n",
            with("to = \"done\" }", "to = \"r\" }")
        )
    };
    assert_eq!(
        error_of(&router(
            r#"{ to = "done", prob = 0.5 }, { to = "desk", prob = 0.4 }"#
        )),
        "routers.r.routes: probabilities must sum to 1, got 0.9"
    );
    assert_eq!(
        error_of(&router(r#"{ to = "done", prob = 1.2 }"#)),
        "routers.r.routes[0].prob: must lie in [0, 1], got 1.2"
    );
    assert_eq!(
        error_of(&router(
            r#"{ to = "done", prob = 0.5 }, { to = "nowhere", prob = 0.5 }"#
        )),
        "routers.r.routes[1].to: unknown node \"nowhere\"; the nodes are \"desk\", \"r\" and \"done\""
    );
    let two_routers = format!(
        "{}\nrouters.r = {{ routes = [{{ to = \"s\", prob = 1 }}] }}\nrouters.s = {{ routes = [{{ to = \"r\", prob = 1 }}] }}\n",
        with("to = \"done\" }", "to = \"r\" }")
    );
    assert_eq!(
        error_of(&two_routers),
        "routers.s: routes form a cycle through routers only (r -> s -> r); every cycle must pass through a station"
    );
    let unknown_class = format!(
        "{}\nrouters.r = {{ routes = [{{ to = \"done\", prob = 1 }}], by_class.express = [{{ to = \"done\", prob = 1 }}] }}\n",
        with("to = \"done\" }", "to = \"r\" }")
    );
    assert_eq!(
        error_of(&unknown_class),
        "routers.r.by_class.express: unknown class \"express\"; the classes are \"default\""
    );
}

#[test]
fn parse_errors_carry_line_and_key() {
    let unknown_key = error_of(&with("servers = 1", "servers = 1, severs = 2"));
    assert!(
        unknown_key.starts_with("stations.desk.severs: TOML parse error at line 4"),
        "{unknown_key}"
    );
    assert!(
        unknown_key.contains("unknown key \"severs\"; did you mean \"servers\"?"),
        "{unknown_key}"
    );
    assert!(unknown_key.contains("line 4"), "{unknown_key}");
    let bad_dist = error_of(&with("mean = 2", "mean = -2"));
    assert!(
        bad_dist.contains("exponential.mean: must be finite and greater than 0, got -2"),
        "{bad_dist}"
    );
    let bad_servers = error_of(&with("servers = 1", "servers = \"many\""));
    assert!(
        bad_servers.contains("servers: must be a whole number or \"infinite\""),
        "{bad_servers}"
    );
    let negative_servers = error_of(&with("servers = 1", "servers = -1"));
    assert!(
        negative_servers.contains("servers: must be between 1 and"),
        "{negative_servers}"
    );
}

#[test]
fn unreadable_file_names_the_file() {
    let err = Scenario::from_path("/nonexistent/scenario.toml").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/scenario.toml: cannot be read: "),
        "{err}"
    );
}

#[test]
fn error_is_send_sync_static() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Error>();
}

/// Bad inputs for the logistics parts, each with the message it must print.
#[test]
fn bad_logistics_inputs_name_field_value_and_rule() {
    let station = |extra: &str| with("to = \"done\" }", &format!("to = \"done\", {extra} }}"));
    let cases: Vec<(String, &str)> = vec![
        (station("queue_capacity = 3"), "stations.desk.overflow: is required with queue_capacity: \"block\" or { reject_to = \"node\" }"),
        (station("overflow = \"block\""), "stations.desk.queue_capacity: is required with overflow"),
        (station("queue_capacity = 3, overflow = { reject_to = \"nowhere\" }"), "stations.desk.overflow.reject_to: unknown node \"nowhere\"; the nodes are \"desk\" and \"done\""),
        (station("patience_min = { dist = \"exponential\", mean = 5 }"), "stations.desk.renege_to: is required with patience_min"),
        (station("priorities = { vip = 0 }"), "stations.desk.priorities.vip: unknown class \"vip\"; the classes are \"default\""),
        (station("shifts = [{ days = [], from = \"08:00\", to = \"17:00\", servers = 2 }]"), "stations.desk.shifts[0].days: must list at least one day"),
        (with("servers = 1", "servers = 0").replace("to = \"done\" }", "to = \"done\", shifts = [{ from = \"08:00\", to = \"17:00\", servers = 0 }] }"), "stations.desk.shifts: no server is ever on shift; orders would wait forever"),
        (with("rate_per_hour = 20,", "rate_per_hour = 20, profile = { hourly_per_hour = [1] },"), "sources.orders: must have exactly one of rate_per_hour, profile, timetable, replay_csv"),
        (with("rate_per_hour = 20,", "profile = { hourly_per_hour = [1, 2] },"), "sources.orders.profile.hourly_per_hour: must list 24 rates, one per hour of the day, got 2"),
        (with("rate_per_hour = 20,", "profile = { hourly_per_hour = [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0] },"), "sources.orders.profile: the rate is zero at every hour of the week; no order would ever arrive"),
        (with("rate_per_hour = 20,", "profile = { hourly_per_hour = [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,-1] },"), "sources.orders.profile.hourly_per_hour[23]: must be finite and at least 0, got -1"),
        (with("rate_per_hour = 20,", "timetable = [{ days = [], at = \"06:00\", batch = { dist = \"deterministic\", value = 3 } }],"), "sources.orders.timetable[0].days: must list at least one day"),
        (format!("{BASE}\ndispatches.trucks = {{ to = \"done\" }}\n"), "dispatches.trucks: needs departures, a batch_size, or both; otherwise nothing would ever leave"),
        (format!("{BASE}\ndispatches.trucks = {{ to = \"done\", batch_size = 0 }}\n"), "dispatches.trucks.batch_size: must be at least 1, got 0"),
        (format!("{BASE}\ndelays.docs = {{ latest_of_min = {{}}, to = \"done\" }}\n"), "delays.docs.latest_of_min: must list at least one part"),
        (with("to = \"done\" }", "to = \"r\" }") + "\nrouters.r = { routes = [{ to = \"done\", prob = 1 }], rules = [{ attribute = \"weight_kg\", op = \">\", value = 2, to = \"done\" }] }\n", "routers.r.rules[0].attribute: unknown attribute \"weight_kg\"; there are no attributes; attributes are declared by the sources' `attributes` and `categories` tables"),
        (with("rate_per_hour = 20,", "rate_per_hour = 20, attributes = { basket_value_cny = { dist = \"exponential\", mean = 200 } },").replace("to = \"done\" }", "to = \"r\" }") + "\nrouters.r = { routes = [{ to = \"done\", prob = 1 }], rules = [{ attribute = \"basket_value_cny\", op = \">\", value = \"high\", to = \"done\" }] }\n", "routers.r.rules[0].value: \"basket_value_cny\" is numeric: give a number, got \"high\""),
    ];
    for (text, expected) in &cases {
        assert_eq!(&error_of(text), expected, "for:\n{text}");
    }
}

#[test]
fn malformed_times_and_dates_are_parse_errors() {
    let bad_clock = error_of(&with(
        "to = \"done\" }",
        "to = \"done\", shifts = [{ from = \"8h30\", to = \"17:00\", servers = 2 }] }",
    ));
    assert!(
        bad_clock.contains("must be a clock time \"HH:MM\" between 00:00 and 23:59, got \"8h30\""),
        "{bad_clock}"
    );
    let bad_day = error_of(&with(
        "to = \"done\" }",
        "to = \"done\", shifts = [{ days = [\"monday\"], from = \"08:00\", to = \"17:00\", servers = 2 }] }",
    ));
    assert!(bad_day.contains("unknown variant `monday`"), "{bad_day}");
    let bad_start = error_of(&with(
        "horizon_h = 10",
        "horizon_h = 10, start = \"11/11/2024\"",
    ));
    assert!(
        bad_start.contains(
            "start: must be a local date and time such as \"2024-11-04T00:00\", got \"11/11/2024\""
        ),
        "{bad_start}"
    );
    let bad_date = error_of(&with(
        "rate_per_hour = 20,",
        "profile = { hourly_per_hour = [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1], dates = [{ date = \"2024-13-01\", factor = 2 }] },",
    ));
    assert!(
        bad_date.contains("date: must be a date such as \"2024-11-11\", got \"2024-13-01\""),
        "{bad_date}"
    );
}

/// A measure that sets a value of the wrong type is told the path, the
/// value and the form the field takes, as a file would be.
#[test]
fn a_patch_of_the_wrong_type_names_the_path_and_the_form() {
    let base = Scenario::from_toml_str(BASE).unwrap();
    let measure = |patch: &str| {
        let ms = cbec_sim::Measure::list_from_toml_str(&format!(
            "[[measure]]\nname = \"m\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{patch}]\n"
        ))
        .unwrap();
        base.with_measures(&ms).unwrap_err().to_string()
    };
    assert_eq!(
        measure(r#"{ path = "simulation.horizon_h", set = "8 days", assumption = "a" }"#),
        "measures m: the patched scenario is invalid: simulation.horizon_h: \"8 days\" is not a number; expected a number of hours, e.g. 48"
    );
    assert_eq!(
        measure(r#"{ path = "stations.desk.to", set = 3, assumption = "a" }"#),
        "measures m: the patched scenario is invalid: stations.desk.to: 3 is not text; expected a name in quotes, e.g. \"3\""
    );
    assert_eq!(
        base.with_value("stations.desk.service_time_min", 2.0)
            .unwrap_err()
            .to_string(),
        "measures sweep: the patched scenario is invalid: stations.desk.service_time_min: 2 is not a distribution; expected a table such as { dist = \"exponential\", mean = 2 }"
    );
    assert!(
        measure(r#"{ path = "stations.dsek.servers", set = 3, assumption = "a" }"#)
            .ends_with("no key \"dsek\" in \"stations\"; did you mean \"desk\"?")
    );
}
