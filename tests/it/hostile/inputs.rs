//! Hostile inputs (issue 12, families 2, 4, 5, 8, 9, 10 and 11): wrong
//! numbers that would run with exit 0, inputs that would hang or fill
//! memory, calendar edges, messages that point at the wrong place, checks
//! that miss a cause, and nonsense accepted silently. Each row is refused
//! with exit 2, nothing printed and the field, value and rule named; or,
//! where the input is legal but suspicious, runs with a warning naming
//! the cause.
//!
//! A few cases cannot be a row (a FIFO, an 18 MB line, bytes that are not
//! UTF-8): they are tests of their own at the end.

use super::{Case, Stdout, case, run_table};

/// A refused input: exit 2, nothing printed, nothing left behind.
const fn no(
    what: &'static str,
    family: u8,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    stderr: &'static [&'static str],
) -> Case {
    case(family, what, files, args, 2, stderr)
}

/// A legal but suspicious input (`no`'s case, turned around): the run
/// goes ahead (exit 0) with a warning on stderr.
const fn warns(case: Case) -> Case {
    Case {
        code: 0,
        stdout: Stdout::Any,
        ..case
    }
}

/// Checks the scenario `s.toml`.
const V: &[&str] = &["validate", "s.toml"];
/// One short replication of `s.toml`.
const RUN: &[&str] = &["run", "-q", "-n", "1", "s.toml"];

/// `[simulation]`: 48 hours from Monday 4 November 2024.
macro_rules! sim {
    () => {
        "[simulation]\nstart = \"2024-11-04T00:00\"\nhorizon_h = 48\n\n"
    };
    ($extra:literal) => {
        concat!(
            "[simulation]\nstart = \"2024-11-04T00:00\"\nhorizon_h = 48\n",
            $extra,
            "\n\n"
        )
    };
}

/// The source `orders` into `desk`, with `$body` as its process.
macro_rules! src {
    ($body:literal) => {
        concat!("[sources.orders]\nto = \"desk\"\n", $body, "\n\n")
    };
}

/// The station `desk` (one server, 1 min exponential) with `$extra`
/// lines, and the sink `done`.
macro_rules! desk {
    () => {
        desk!("")
    };
    ($extra:literal) => {
        concat!(
            "[stations.desk]\nservers = 1\nservice_time_min = { dist = \"exponential\", mean = 1 }\nto = \"done\"\n",
            $extra,
            "\n\n[sinks.done]\n"
        )
    };
}

/// A valid scenario with `$sim_extra` in `[simulation]`, `$src` as the
/// source's process and `$desk` added to the station.
macro_rules! tiny {
    ($sim_extra:literal, $src:literal, $desk:literal) => {
        concat!(sim!($sim_extra), src!($src), desk!($desk))
    };
    ($src:literal) => {
        concat!(sim!(), src!($src), desk!())
    };
}

/// The tiny scenario at 30 orders an hour, with `$extra` on the desk.
macro_rules! desk_with {
    ($extra:literal) => {
        tiny!("", "rate_per_hour = 30", $extra)
    };
}

/// A scenario replaying `orders.csv`, its station scaled by `items`.
macro_rules! replay {
    () => {
        concat!(
            sim!(),
            src!("replay_csv = \"orders.csv\""),
            desk!("service_scaled_by = \"items\"")
        )
    };
}

/// A taxed scenario: orders of 100 CNY, one item, all `food` with the
/// rates `$rates`, taxed at the desk's milestone, with `$extra` in `[tax]`.
macro_rules! taxed {
    ($rates:literal, $extra:literal) => {
        concat!(
            sim!(),
            src!("rate_per_hour = 30\nattributes = { basket_value_cny = { dist = \"deterministic\", value = 100 }, items = { dist = \"deterministic\", value = 1 } }\ncategories = { category = { food = 1.0 } }"),
            desk!("milestone = \"released\""),
            "\n[tax]\nat = \"released\"\nvalue_attribute = \"basket_value_cny\"\ncategory_attribute = \"category\"\n",
            $extra,
            "\nrates = { food = ",
            $rates,
            " }\n"
        )
    };
}

/// A blocking `desk` that the station `first` (with `$extra`) can send
/// orders to by another way than its service.
macro_rules! blocking_behind_first {
    ($extra:literal) => {
        concat!(
            sim!(),
            "[sources.orders]\nrate_per_hour = 30\nto = \"first\"\n\n",
            "[stations.first]\nservers = 1\nservice_time_min = { dist = \"exponential\", mean = 1 }\nto = \"done\"\n",
            $extra,
            "\n\n",
            desk!("queue_capacity = 2\noverflow = \"block\"")
        )
    };
}

/// A measures file with `m1` (one more desk).
const MEASURES: &str = r#"[[measure]]
name = "m1"
title = "One more desk"
press_release = "-"
patches = [{ path = "stations.desk.servers", add = 1, assumption = "[A]" }]
"#;

static CASES: &[Case] = &[
    // ---- Family 2: every value that becomes a time, rate, count or scale
    no(
        "negative items in a replayed log scale a service time",
        2,
        &[
            ("s.toml", replay!()),
            (
                "orders.csv",
                "time,items\n2024-11-04T01:00:00,2\n2024-11-04T02:00:00,-3\n",
            ),
        ],
        V,
        &[
            "sources.orders.replay_csv",
            "orders.csv:3: items: must be at least 0",
            "scales the service time",
            "got -3",
        ],
    ),
    no(
        "a negative basket value in a replayed log is what the tax is assessed on",
        2,
        &[
            (
                "s.toml",
                concat!(
                    sim!(),
                    src!("replay_csv = \"orders.csv\"\ncategories = { category = { food = 1.0 } }"),
                    desk!("milestone = \"released\""),
                    "\n[tax]\nat = \"released\"\nvalue_attribute = \"basket_value_cny\"\ncategory_attribute = \"category\"\nrates = { food = { vat = 0.09 } }\n"
                ),
            ),
            (
                "orders.csv",
                "time,basket_value_cny\n2024-11-04T01:00:00,-250\n",
            ),
        ],
        V,
        &["orders.csv:2: basket_value_cny: must be at least 0", "tax"],
    ),
    // ---- The tax rules: general-goods tariff, single-item rule, freight
    no(
        "a negative general-goods tariff",
        2,
        &[("s.toml", taxed!("{ vat = 0.13, tariff = -0.1 }", ""))],
        V,
        &[
            "tax.rates.food.tariff",
            "got -0.1",
            "at least 0",
            "general-goods tariff",
        ],
    ),
    no(
        "a consumption tax of 100% (the composite divides by 1 - consumption)",
        2,
        &[(
            "s.toml",
            taxed!("{ vat = 0.13, consumption = 1.0, tariff = 0.1 }", ""),
        )],
        V,
        &["tax.rates.food.consumption", "got 1", "below 0.9"],
    ),
    no(
        "a negative consumption tax",
        2,
        &[(
            "s.toml",
            taxed!("{ vat = 0.13, consumption = -0.15, tariff = 0.1 }", ""),
        )],
        V,
        &["tax.rates.food.consumption", "got -0.15", "at least 0"],
    ),
    no(
        "the single-item rule on an unknown items attribute",
        2,
        &[(
            "s.toml",
            taxed!(
                "{ vat = 0.13, tariff = 0.1 }",
                "items_attribute = \"itmes\""
            ),
        )],
        V,
        &[
            "tax.items_attribute",
            "unknown attribute \"itmes\"",
            "items",
        ],
    ),
    no(
        "the single-item rule on a categorical attribute",
        2,
        &[(
            "s.toml",
            taxed!(
                "{ vat = 0.13, tariff = 0.1 }",
                "items_attribute = \"category\""
            ),
        )],
        V,
        &[
            "tax.items_attribute",
            "\"category\" is categorical",
            "numeric",
        ],
    ),
    no(
        "the single-item rule without a general-goods tariff",
        2,
        &[(
            "s.toml",
            taxed!("{ vat = 0.13 }", "items_attribute = \"items\""),
        )],
        V,
        &["tax.rates.food.tariff", "missing", "general-goods tariff"],
    ),
    no(
        "a single limit of 0 CNY",
        2,
        &[(
            "s.toml",
            taxed!(
                "{ vat = 0.13, tariff = 0.1 }",
                "items_attribute = \"items\"\nsingle_limit_cny = 0"
            ),
        )],
        V,
        &["tax.single_limit_cny", "got 0", "above 0"],
    ),
    no(
        "a negative freight and insurance share",
        2,
        &[(
            "s.toml",
            taxed!("{ vat = 0.13 }", "freight_insurance = { share = -0.01 }"),
        )],
        V,
        &["tax.freight_insurance.share", "got -0.01", "at least 0"],
    ),
    no(
        "a negative fixed freight and insurance",
        2,
        &[(
            "s.toml",
            taxed!("{ vat = 0.13 }", "freight_insurance = { fixed_cny = -5 }"),
        )],
        V,
        &["tax.freight_insurance.fixed_cny", "got -5", "at least 0"],
    ),
    no(
        "an unknown freight and insurance field",
        2,
        &[(
            "s.toml",
            taxed!("{ vat = 0.13 }", "freight_insurance = { fixed = 5 }"),
        )],
        V,
        &["tax.freight_insurance", "fixed"],
    ),
    no(
        "NaN in a replayed attribute",
        2,
        &[
            ("s.toml", replay!()),
            ("orders.csv", "time,items\n2024-11-04T01:00:00,NaN\n"),
        ],
        V,
        &["orders.csv:2: items: must be a number, got \"NaN\""],
    ),
    no(
        "infinity in a replayed attribute",
        2,
        &[
            ("s.toml", replay!()),
            ("orders.csv", "time,items\n2024-11-04T01:00:00,inf\n"),
        ],
        V,
        &["orders.csv:2: items: must be a number, got \"inf\""],
    ),
    no(
        "a replayed row before the start",
        2,
        &[
            ("s.toml", replay!()),
            ("orders.csv", "time,items\n2024-11-03T23:00:00,1\n"),
        ],
        V,
        &["orders.csv:2: time: 2024-11-03T23:00:00 is before the simulation start"],
    ),
    no(
        "a NaN horizon",
        2,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nhorizon_h = nan\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &[
            "simulation.horizon_h: line ",
            "must be finite and greater than 0, got NaN",
        ],
    ),
    no(
        "an infinite horizon",
        2,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nhorizon_h = inf\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &[
            "simulation.horizon_h: line ",
            "must be finite and greater than 0, got inf",
        ],
    ),
    no(
        "a warm-up of minus infinity",
        2,
        &[("s.toml", tiny!("warmup_h = -inf", "rate_per_hour = 30", ""))],
        V,
        &[
            "simulation.warmup_h: line ",
            "must be finite and at least 0, got -inf",
        ],
    ),
    no(
        "a NaN sampling interval",
        2,
        &[(
            "s.toml",
            tiny!("sample_every_min = nan", "rate_per_hour = 30", ""),
        )],
        V,
        &[
            "simulation.sample_every_min: line ",
            "must be finite and greater than 0, got NaN",
        ],
    ),
    no(
        "a negative zero service mean",
        2,
        &[(
            "s.toml",
            concat!(
                sim!(),
                src!("rate_per_hour = 30"),
                "[stations.desk]\nservers = 1\nservice_time_min = { dist = \"exponential\", mean = -0.0 }\nto = \"done\"\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "stations.desk.service_time_min",
            "exponential.mean: must be finite and greater than 0, got -0",
        ],
    ),
    no(
        "a negative hourly rate",
        2,
        &[(
            "s.toml",
            tiny!(
                "profile = { hourly_per_hour = [5, 5, 5, -5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5] }"
            ),
        )],
        V,
        &[
            "sources.orders.profile.hourly_per_hour[3]: line ",
            "must be finite and at least 0, got -5",
        ],
    ),
    no(
        "a NaN weekday factor",
        2,
        &[(
            "s.toml",
            tiny!(
                "profile = { hourly_per_hour = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], weekday_factors = { sat = nan } }"
            ),
        )],
        V,
        &[
            "sources.orders.profile.weekday_factors.sat: line ",
            "must be finite and at least 0, got NaN",
        ],
    ),
    no(
        "a negative dated factor",
        2,
        &[(
            "s.toml",
            tiny!(
                "profile = { hourly_per_hour = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], dates = [{ date = \"2024-11-05\", factor = -2 }] }"
            ),
        )],
        V,
        &[
            "sources.orders.profile.dates[0].factor: line ",
            "must be finite and at least 0, got -2",
        ],
    ),
    no(
        "a rate of minus infinity",
        2,
        &[("s.toml", tiny!("rate_per_hour = -inf"))],
        V,
        &[
            "sources.orders.rate_per_hour: line ",
            "must be finite and greater than 0, got -inf",
        ],
    ),
    no(
        "a negative patience",
        2,
        &[(
            "s.toml",
            desk_with!(
                "patience_min = { dist = \"exponential\", mean = -5 }\nrenege_to = \"done\""
            ),
        )],
        V,
        &[
            "stations.desk.patience_min",
            "exponential.mean: must be finite and greater than 0, got -5",
        ],
    ),
    no(
        "a negative batch bound",
        2,
        &[(
            "s.toml",
            tiny!(
                "timetable = [{ at = \"06:00\", batch = { dist = \"uniform\", low = -10, high = 10 } }]"
            ),
        )],
        V,
        &["uniform.low: must be finite and at least 0, got -10"],
    ),
    no(
        "a negative repair time",
        2,
        &[(
            "s.toml",
            desk_with!(
                "breakdowns = { time_between_failures_h = { dist = \"exponential\", mean = 10 }, repair_time_min = { dist = \"deterministic\", value = -30 } }"
            ),
        )],
        V,
        &[
            "stations.desk.breakdowns",
            "deterministic.value: must be finite and at least 0, got -30",
        ],
    ),
    // ---- Family 4: hangs
    no(
        "a device as the scenario",
        4,
        &[],
        &["validate", "/dev/zero"],
        &["/dev/zero: cannot be read: is not a regular file"],
    ),
    no(
        "stdin as the scenario",
        4,
        &[],
        &["run", "-q", "/dev/stdin"],
        &["/dev/stdin: cannot be read: is not a regular file"],
    ),
    no(
        "a folder as the scenario",
        4,
        &[],
        &["validate", "{dir}"],
        &["{dir}: cannot be read: is not a regular file"],
    ),
    no(
        "a device as the order log",
        4,
        &[(
            "s.toml",
            concat!(sim!(), src!("replay_csv = \"/dev/zero\""), desk!()),
        )],
        V,
        &[
            "sources.orders.replay_csv: line ",
            "/dev/zero: is not a regular file",
        ],
    ),
    no(
        "stdin as the order log",
        4,
        &[(
            "s.toml",
            concat!(sim!(), src!("replay_csv = \"/dev/stdin\""), desk!()),
        )],
        RUN,
        &[
            "sources.orders.replay_csv: line ",
            "/dev/stdin: is not a regular file",
        ],
    ),
    no(
        "a folder as the order log",
        4,
        &[(
            "s.toml",
            concat!(sim!(), src!("replay_csv = \".\""), desk!()),
        )],
        V,
        &["sources.orders.replay_csv", "is not a regular file"],
    ),
    no(
        "a loop through a zero-time station that almost never exits",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"check\"\n\n",
                "[stations.check]\nservers = 1\nservice_time_min = { dist = \"deterministic\", value = 0 }\nto = \"again\"\n\n",
                "[routers.again]\nroutes = [{ to = \"check\", prob = 0.999999999 }, { to = \"done\", prob = 0.000000001 }]\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "stations.check: line ",
            "routes form a cycle through routers and stations whose service time is always 0 (check -> again -> check)",
        ],
    ),
    no(
        "a loop through a zero-time delay",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"wait\"\n\n",
                "[delays.wait]\nlatest_of_min = { a = { dist = \"deterministic\", value = 0 } }\nto = \"again\"\n\n",
                "[routers.again]\nroutes = [{ to = \"wait\", prob = 0.5 }, { to = \"done\", prob = 0.5 }]\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "delays.wait: line ",
            "routes form a cycle",
            "whose service time is always 0",
        ],
    ),
    no(
        "a full room that turns orders away to itself",
        4,
        &[(
            "s.toml",
            desk_with!("queue_capacity = 0\noverflow = { reject_to = \"desk\" }"),
        )],
        V,
        &[
            "stations.desk: line ",
            "routes form a cycle that takes no time (desk -> desk)",
            "turned away by a full room",
        ],
    ),
    no(
        "a full room that turns orders away through a router back to itself",
        4,
        &[(
            "s.toml",
            concat!(
                desk_with!("queue_capacity = 1\noverflow = { reject_to = \"retry\" }"),
                "\n[routers.retry]\nroutes = [{ to = \"desk\", prob = 0.99 }, { to = \"done\", prob = 0.01 }]\n"
            ),
        )],
        V,
        &["routes form a cycle that takes no time (desk -> retry -> desk)"],
    ),
    no(
        "no patience at all, giving up back into the same line",
        4,
        &[(
            "s.toml",
            desk_with!(
                "patience_min = { dist = \"deterministic\", value = 0 }\nrenege_to = \"desk\""
            ),
        )],
        V,
        &[
            "stations.desk: line ",
            "routes form a cycle that takes no time (desk -> desk)",
            "giving up at once",
        ],
    ),
    no(
        "a full load sent straight back to its dispatch point",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"trucks\"\n\n",
                "[dispatches.trucks]\nbatch_size = 2\nto = \"again\"\n\n",
                "[routers.again]\nroutes = [{ to = \"trucks\", prob = 0.5 }, { to = \"done\", prob = 0.5 }]\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "dispatches.trucks: line ",
            "routes form a cycle that takes no time (again -> trucks -> again)",
            "leaving in a full load",
        ],
    ),
    no(
        "failures a nanosecond apart",
        4,
        &[(
            "s.toml",
            desk_with!(
                "breakdowns = { time_between_failures_h = { dist = \"exponential\", mean = 1e-12 }, repair_time_min = { dist = \"deterministic\", value = 0 } }"
            ),
        )],
        V,
        &[
            "stations.desk.breakdowns: line ",
            "a failure and its repair must take at least one second on average",
            "got 3.6e-9 s",
        ],
    ),
    no(
        "a rate the clock cannot tell apart",
        4,
        &[("s.toml", tiny!("rate_per_hour = 1e300"))],
        V,
        &[
            "sources.orders.rate_per_hour: line ",
            "must be at most 1e7 orders an hour",
            "got 1e300",
        ],
    ),
    no(
        "a rate table whose peak the clock cannot tell apart",
        4,
        &[(
            "s.toml",
            tiny!(
                "profile = { hourly_per_hour = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], weekday_factors = { mon = 1e7 } }"
            ),
        )],
        V,
        &[
            "sources.orders.profile at its peak: line ",
            "must be at most 1e7",
        ],
    ),
    no(
        "a sampling interval of a microsecond",
        4,
        &[(
            "s.toml",
            tiny!("sample_every_min = 1e-6", "rate_per_hour = 30", ""),
        )],
        V,
        &[
            "simulation.sample_every_min: line ",
            "must be at least",
            "one second",
        ],
    ),
    no(
        "more samples than a run can hold",
        4,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nhorizon_h = 90000\nsample_every_min = 0.02\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &[
            "simulation.sample_every_min: line ",
            "would take",
            "samples over the horizon",
        ],
    ),
    no(
        "a pre-roll of 3e15 hours (past what a duration can hold)",
        5,
        &[(
            "s.toml",
            concat!(
                sim!("preroll_h = 3e15"),
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &["simulation.preroll_h", "got 3e15"],
    ),
    no(
        "a negative pre-roll",
        2,
        &[(
            "s.toml",
            concat!(sim!("preroll_h = -24"), src!("rate_per_hour = 30"), desk!()),
        )],
        V,
        &[
            "simulation.preroll_h",
            "must be finite and at least 0, got -24",
        ],
    ),
    no(
        "a pre-roll that is a word other than auto",
        9,
        &[(
            "s.toml",
            concat!(
                sim!("preroll_h = \"AUTO\""),
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &["preroll_h", "a number of hours or \"auto\"", "AUTO"],
    ),
    no(
        "a pre-roll without a horizon (its orders could be used up before the window)",
        11,
        &[(
            "s.toml",
            concat!(
                "[simulation]\npreroll_h = 24\n\n",
                src!("rate_per_hour = 30\nmax_arrivals = 10"),
                desk!()
            ),
        )],
        V,
        &["simulation.preroll_h", "needs simulation.horizon_h"],
    ),
    no(
        "a drain without a horizon",
        11,
        &[(
            "s.toml",
            concat!(
                "[simulation]\ndrain_h = 24\n\n",
                src!("rate_per_hour = 30\nmax_arrivals = 10"),
                desk!()
            ),
        )],
        V,
        &["simulation.drain_h", "needs simulation.horizon_h"],
    ),
    no(
        "--check-startup on one replication (no interval to test against)",
        10,
        &[(
            "s.toml",
            concat!(sim!(), src!("rate_per_hour = 30"), desk!()),
        )],
        &["run", "-q", "-n", "1", "--check-startup", "s.toml"],
        &["at least 2 replications", "got 1"],
    ),
    no(
        "a horizon of a billion hours",
        4,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nhorizon_h = 1e9\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &[
            "simulation.horizon_h: line 2, column 13: must be at most 1e5 h",
            "got 1e9",
        ],
    ),
    no(
        "a full load that does not fit in a vehicle",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"trucks\"\n\n",
                "[dispatches.trucks]\ncapacity = 3\nbatch_size = 5\nto = \"done\"\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "dispatches.trucks.batch_size: line ",
            "must be at most the capacity of a vehicle (3), got 5",
        ],
    ),
    no(
        "a source with no horizon and no end",
        4,
        &[(
            "s.toml",
            concat!("[simulation]\n\n", src!("rate_per_hour = 30"), desk!()),
        )],
        V,
        &[
            "simulation: line ",
            "the [simulation] table is missing or empty; it must give horizon_h, the run length in hours",
        ],
    ),
    // ---- Family 5: memory
    no(
        "a timetable batch of 1e12",
        5,
        &[(
            "s.toml",
            tiny!(
                "timetable = [{ at = \"06:00\", batch = { dist = \"deterministic\", value = 1e12 } }]"
            ),
        )],
        V,
        &[
            "sources.orders.timetable[0].batch: line ",
            "must have a mean of at most 1e6 orders a batch, got 1e12",
        ],
    ),
    no(
        "a heavy-tailed timetable batch",
        5,
        &[(
            "s.toml",
            tiny!(
                "timetable = [{ at = \"06:00\", batch = { dist = \"lognormal\", mean = 100, cv = 1e6 } }]"
            ),
        )],
        V,
        &[
            "sources.orders.timetable[0].batch: line ",
            "spreads too wide",
            "more than the 1e7 a batch may hold",
        ],
    ),
    no(
        "a Weibull batch whose mean is astronomical",
        5,
        &[(
            "s.toml",
            tiny!(
                "timetable = [{ at = \"06:00\", batch = { dist = \"weibull\", shape = 0.01, scale = 100 } }]"
            ),
        )],
        V,
        &[
            "sources.orders.timetable[0].batch: line ",
            "must have a mean of at most 1e6",
        ],
    ),
    no(
        "dated factors whose product overflows",
        5,
        &[(
            "s.toml",
            tiny!(
                "profile = { hourly_per_hour = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], dates = [{ date = \"2024-11-05\", factor = 1e200, first_hour_factor = 1e200 }] }"
            ),
        )],
        V,
        &[
            "sources.orders.profile at its peak: line ",
            "must be at most 1e7",
            "got inf",
        ],
    ),
    no(
        "a rate of 1e308",
        5,
        &[("s.toml", tiny!("rate_per_hour = 1e308"))],
        V,
        &[
            "sources.orders.rate_per_hour: line ",
            "must be at most 1e7",
            "got 1e308",
        ],
    ),
    no(
        "an endless device as the order log, run",
        5,
        &[(
            "s.toml",
            concat!(sim!(), src!("replay_csv = \"/dev/zero\""), desk!()),
        )],
        RUN,
        &["/dev/zero: is not a regular file"],
    ),
    no(
        "a time series of many samples of many stations",
        5,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nhorizon_h = 50000\nsample_every_min = 1\n\n",
                "[sources.orders]\nrate_per_hour = 30\nto = \"a\"\n\n",
                "[stations.a]\nservers = 1\nservice_time_min = { dist = \"exponential\", mean = 1 }\nto = \"b\"\n\n",
                "[stations.b]\nservers = 1\nservice_time_min = { dist = \"exponential\", mean = 1 }\nto = \"c\"\n\n",
                "[stations.c]\nservers = 1\nservice_time_min = { dist = \"exponential\", mean = 1 }\nto = \"desk\"\n\n",
                desk!()
            ),
        )],
        V,
        &[
            "simulation.sample_every_min: line 3, column 20: would take 3e6 samples of 4 stations and delays (1.2e7 values)",
        ],
    ),
    no(
        "a horizon of 1e12 hours",
        5,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nhorizon_h = 1e12\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        RUN,
        &["simulation.horizon_h: line ", "must be at most 1e5 h"],
    ),
    no(
        "a sampling interval of a millisecond over a week",
        5,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nhorizon_h = 168\nsample_every_min = 0.00001\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        RUN,
        &["simulation.sample_every_min: line ", "must be at least"],
    ),
    // ---- Family 8: calendar edges
    no(
        "a start two days before the calendar ends, run for 72 hours",
        8,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nstart = \"9999-12-30T00:00\"\nhorizon_h = 72\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &[
            "simulation.start: line ",
            "9999-12-30T00:00:00 plus the horizon of 72 h passes the calendar's last instant 9999-12-31T23:59:59",
        ],
    ),
    no(
        "a start at the calendar's last day without a horizon",
        8,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nstart = \"9999-12-31T00:00\"\n\n",
                src!("rate_per_hour = 30\nmax_arrivals = 10"),
                desk!()
            ),
        )],
        V,
        &[
            "simulation.start",
            "10 years (a run without simulation.horizon_h)",
        ],
    ),
    no(
        "a start with a +08:00 offset",
        8,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nstart = \"2024-11-04T00:00+08:00\"\nhorizon_h = 48\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &[
            "simulation.start",
            "without a UTC offset",
            "\"+08:00\" is refused rather than ignored",
            "got \"2024-11-04T00:00+08:00\"",
        ],
    ),
    no(
        "a start in UTC (Z)",
        8,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nstart = \"2024-11-04T00:00Z\"\nhorizon_h = 48\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &[
            "simulation.start",
            "without a UTC offset",
            "\"Z\" is refused",
        ],
    ),
    no(
        "a bare TOML offset date-time as the start",
        8,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nstart = 2024-11-04T00:00:00-05:00\nhorizon_h = 48\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &["simulation.start", "without a UTC offset", "\"-05:00\""],
    ),
    no(
        "an order log time with an offset",
        8,
        &[
            ("s.toml", replay!()),
            ("orders.csv", "time,items\n2024-11-04T01:00:00+08:00,1\n"),
        ],
        V,
        &[
            "orders.csv:2: time: must be local port time without a UTC offset",
            "\"+08:00\"",
        ],
    ),
    no(
        "an order log time in UTC",
        8,
        &[
            ("s.toml", replay!()),
            ("orders.csv", "time,items\n2024-11-04T01:00:00Z,1\n"),
        ],
        V,
        &[
            "orders.csv:2: time: must be local port time without a UTC offset",
            "\"Z\"",
        ],
    ),
    no(
        "a start on 30 February",
        8,
        &[(
            "s.toml",
            concat!(
                "[simulation]\nstart = \"2024-02-30T00:00\"\nhorizon_h = 48\n\n",
                src!("rate_per_hour = 30"),
                desk!()
            ),
        )],
        V,
        &["simulation.start", "got \"2024-02-30T00:00\""],
    ),
    // ---- Family 9: messages name the user's field and value, briefly
    no(
        "a missing field is reported against its own table",
        9,
        &[(
            "s.toml",
            concat!(
                sim!(),
                src!("rate_per_hour = 30"),
                "[stations.desk]\nservers = 1\nto = \"done\"\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "s.toml: stations.desk: ",
            "missing field `service_time_min`",
        ],
    ),
    no(
        "a duplicate table is reported against itself",
        9,
        &[(
            "s.toml",
            concat!(
                tiny!("rate_per_hour = 30"),
                "\n[stations.desk]\nservers = 2\n"
            ),
        )],
        V,
        &["s.toml: stations.desk: ", "duplicate"],
    ),
    no(
        "a count written with 301 digits",
        9,
        &[(
            "s.toml",
            concat!(
                sim!(),
                src!("rate_per_hour = 30"),
                "[stations.desk]\nservers = 1e300\nservice_time_min = { dist = \"exponential\", mean = 1 }\nto = \"done\"\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "stations.desk.servers",
            "must be a whole number or \"infinite\", got 1e300",
        ],
    ),
    no(
        "a negative mean of 300 digits",
        9,
        &[(
            "s.toml",
            concat!(
                sim!(),
                src!("rate_per_hour = 30"),
                "[stations.desk]\nservers = 1\nservice_time_min = { dist = \"exponential\", mean = -1e300 }\nto = \"done\"\n[sinks.done]\n"
            ),
        )],
        V,
        &["exponential.mean: must be finite and greater than 0, got -1e300"],
    ),
    no(
        "a long list of probabilities is quoted as an excerpt",
        9,
        &[(
            "s.toml",
            tiny!(
                "",
                "rate_per_hour = 30\nattributes = { items = { dist = \"discrete\", values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], probs = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1] }}",
                ""
            ),
        )],
        V,
        &[
            "discrete.probs: must have one probability per value, got [0.1, 0.1",
            "...",
        ],
    ),
    no(
        "a ragged row of an order log names the file and the columns",
        9,
        &[
            ("s.toml", replay!()),
            (
                "orders.csv",
                "time,items\n2024-11-04T01:00:00,1\n2024-11-04T02:00:00,1,7\n",
            ),
        ],
        V,
        &[
            "sources.orders.replay_csv",
            "orders.csv:3: the row has 3 fields, but the header has 2 (time, items)",
        ],
    ),
    no(
        "an order log time that is not a date-time",
        9,
        &[
            ("s.toml", replay!()),
            (
                "orders.csv",
                "time,items\n2024-11-04T01:00:00,1\nyesterday,1\n",
            ),
        ],
        V,
        &[
            "orders.csv:3: time: must be a local date-time such as 2024-11-11T00:00:05, got \"yesterday\"",
        ],
    ),
    no(
        "an order log without a time column",
        9,
        &[
            ("s.toml", replay!()),
            ("orders.csv", "when,items\n2024-11-04T01:00:00,1\n"),
        ],
        V,
        &["orders.csv:1: needs a `time` column"],
    ),
    no(
        "an empty order log",
        9,
        &[("s.toml", replay!()), ("orders.csv", "time,items\n")],
        V,
        &["orders.csv:1: has no rows"],
    ),
    no(
        "a long bad value in an order log is quoted as an excerpt",
        9,
        &[
            ("s.toml", replay!()),
            (
                "orders.csv",
                "time,items\n2024-11-04T01:00:00,one-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one\n",
            ),
        ],
        V,
        &[
            "orders.csv:2: items: must be a number, got \"one-one-one-one-one-one-one-one-one-one-...\"",
        ],
    ),
    no(
        "a missing order log names the field and the file",
        9,
        &[("s.toml", replay!())],
        V,
        &["sources.orders.replay_csv: ", "orders.csv: cannot be read"],
    ),
    no(
        "a long number in a distribution parameter is written short",
        9,
        &[(
            "s.toml",
            desk_with!(
                "breakdowns = { time_between_failures_h = { dist = \"uniform\", low = 1000000000000000000000000000000, high = 1 }, repair_time_min = { dist = \"exponential\", mean = 1 } }"
            ),
        )],
        V,
        &[
            "stations.desk.breakdowns",
            "low = 1e30",
            "stations.desk.breakdowns.time_between_failures_h.low: 1e30 is out of range; expected a number of hours, e.g. 48",
        ],
    ),
    no(
        "a missing field of a sub-table",
        9,
        &[(
            "s.toml",
            concat!(
                sim!(),
                src!("rate_per_hour = 30"),
                desk!(),
                "\n[intervals.clearance]\nfrom = \"a\"\n"
            ),
        )],
        V,
        &["s.toml: intervals.clearance: ", "missing field `to`"],
    ),
    // ---- Family 10: checks that miss a cause
    warns(no(
        "breakdowns that halve a station's time count in its load",
        10,
        &[(
            "s.toml",
            concat!(
                sim!(),
                src!("rate_per_hour = 50"),
                "[stations.desk]\nservers = 1\nservice_time_min = { dist = \"deterministic\", value = 1 }\nto = \"done\"\n",
                "breakdowns = { time_between_failures_h = { dist = \"deterministic\", value = 1 }, repair_time_min = { dist = \"deterministic\", value = 60 } }\n\n[sinks.done]\n"
            ),
        )],
        RUN,
        &[
            "warning: desk is offered 1.67 times its capacity, counting breakdowns that leave it up 50% of the time",
            "its queue grows without bound",
        ],
    )),
    warns(no(
        "a finite room that turns orders away does not grow without bound",
        10,
        &[(
            "s.toml",
            tiny!(
                "",
                "rate_per_hour = 120",
                "queue_capacity = 5\noverflow = { reject_to = \"done\" }"
            ),
        )],
        RUN,
        &[
            "warning: desk is offered 2.00 times its capacity",
            "its room of 5 stays full and about 50% of the orders offered are turned away",
        ],
    )),
    warns(no(
        "a finite room that blocks backs up behind it",
        10,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 120\nto = \"first\"\n\n",
                "[stations.first]\nservers = 4\nservice_time_min = { dist = \"exponential\", mean = 1 }\nto = \"desk\"\n\n",
                desk!("queue_capacity = 5\noverflow = \"block\"")
            ),
        )],
        RUN,
        &[
            "warning: desk is offered",
            "its room of 5 stays full and the excess backs up outside it",
        ],
    )),
    no(
        "a blocking room right behind a source",
        10,
        &[(
            "s.toml",
            desk_with!("queue_capacity = 0\noverflow = \"block\""),
        )],
        V,
        &[
            "stations.desk.overflow: line ",
            "\"block\" keeps an order at the station that served it, but sources.orders sends its new orders here",
            "uncounted",
        ],
    ),
    no(
        "a blocking room behind a router behind a source",
        10,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"split\"\n\n",
                "[routers.split]\nroutes = [{ to = \"desk\", prob = 1.0 }]\n\n",
                desk!("queue_capacity = 2\noverflow = \"block\"")
            ),
        )],
        V,
        &[
            "stations.desk.overflow",
            "sources.orders sends its new orders here",
        ],
    ),
    no(
        "a blocking room behind a dispatch point",
        10,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"trucks\"\n\n",
                "[dispatches.trucks]\ndepartures = [{ at = \"10:00\" }]\nto = \"desk\"\n\n",
                desk!("queue_capacity = 2\noverflow = \"block\"")
            ),
        )],
        V,
        &[
            "stations.desk.overflow",
            "dispatches.trucks sends the orders its vehicles carry here",
        ],
    ),
    no(
        "a blocking room as another room's reject target",
        10,
        &[(
            "s.toml",
            blocking_behind_first!("queue_capacity = 1\noverflow = { reject_to = \"desk\" }"),
        )],
        V,
        &[
            "stations.desk.overflow",
            "stations.first sends the orders it turns away or that give up waiting here",
        ],
    ),
    no(
        "a blocking room as a renege target",
        10,
        &[(
            "s.toml",
            blocking_behind_first!(
                "patience_min = { dist = \"exponential\", mean = 5 }\nrenege_to = \"desk\""
            ),
        )],
        V,
        &["stations.desk.overflow", "stations.first sends"],
    ),
    // ---- Family 11: nonsense accepted silently
    no(
        "the same measure twice",
        11,
        &[
            ("s.toml", tiny!("rate_per_hour = 30")),
            ("m.toml", MEASURES),
        ],
        &[
            "run",
            "-q",
            "-n",
            "1",
            "s.toml",
            "--measures-file",
            "m.toml",
            "--measure",
            "m1",
            "--measure",
            "m1",
        ],
        &["measures m1: is given twice; each measure may be applied once"],
    ),
    no(
        "the same measure twice in one variant",
        11,
        &[
            ("s.toml", tiny!("rate_per_hour = 30")),
            ("m.toml", MEASURES),
        ],
        &[
            "compare",
            "-q",
            "-n",
            "2",
            "s.toml",
            "--measures-file",
            "m.toml",
            "--measure",
            "m1+m1",
        ],
        &["measures m1: is given twice"],
    ),
    no(
        "a node name with a dot",
        11,
        &[(
            "s.toml",
            concat!(tiny!("rate_per_hour = 30"), "[sinks.\"left.side\"]\n"),
        )],
        V,
        &[
            "sinks.left.side: line ",
            "node names may hold only letters, digits, `_` and `-`",
            "got '.'",
        ],
    ),
    no(
        "a node name with a newline",
        11,
        &[(
            "s.toml",
            concat!(tiny!("rate_per_hour = 30"), "[sinks.\"left\\nside\"]\n"),
        )],
        V,
        &[
            "sinks.left\\nside: line ",
            "node names may hold only",
            "got '\\n'",
        ],
    ),
    no(
        "a node name with a space",
        11,
        &[(
            "s.toml",
            concat!(tiny!("rate_per_hour = 30"), "[sinks.\"left side\"]\n"),
        )],
        V,
        &["node names may hold only letters", "got ' '"],
    ),
    no(
        "a node name with a comma",
        11,
        &[(
            "s.toml",
            concat!(tiny!("rate_per_hour = 30"), "[sinks.\"a,b\"]\n"),
        )],
        V,
        &["node names may hold only letters", "got ','"],
    ),
    no(
        "a node name with a quote",
        11,
        &[(
            "s.toml",
            concat!(tiny!("rate_per_hour = 30"), "[sinks.'a\"b']\n"),
        )],
        V,
        &["node names may hold only letters", "got '\"'"],
    ),
    no(
        "a node name with a control character",
        11,
        &[(
            "s.toml",
            concat!(tiny!("rate_per_hour = 30"), "[sinks.\"bell\\u0007\"]\n"),
        )],
        V,
        &["node names may hold only letters", "got '\\u{7}'"],
    ),
    no(
        "a node name of 96 characters",
        11,
        &[(
            "s.toml",
            concat!(
                tiny!("rate_per_hour = 30"),
                "[sinks.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n"
            ),
        )],
        V,
        &[
            "node names must be at most 64 characters, got 96",
            "aaaaaaaaaa...",
        ],
    ),
    no(
        "an empty node name",
        11,
        &[(
            "s.toml",
            concat!(tiny!("rate_per_hour = 30"), "[sinks.\"\"]\n"),
        )],
        V,
        &["sinks: line ", "node names must not be empty"],
    ),
    no(
        "servers at the no-limit value",
        11,
        &[(
            "s.toml",
            concat!(
                sim!(),
                src!("rate_per_hour = 30"),
                "[stations.desk]\nservers = 4294967295\nservice_time_min = { dist = \"exponential\", mean = 1 }\nto = \"done\"\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "stations.desk.servers",
            "servers: must be between 1 and 4294967294, got 4294967295",
        ],
    ),
    no(
        "servers on a shift at the no-limit value",
        11,
        &[(
            "s.toml",
            desk_with!("shifts = [{ from = \"08:00\", to = \"18:00\", servers = 4294967295 }]"),
        )],
        V,
        &[
            "stations.desk.shifts[0].servers: line ",
            "must be at most 4294967294, got 4294967295",
        ],
    ),
    no(
        "a vehicle capacity at the no-limit value",
        11,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"trucks\"\n\n",
                "[dispatches.trucks]\ndepartures = [{ at = \"10:00\" }]\ncapacity = 4294967295\nto = \"done\"\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "dispatches.trucks.capacity: line ",
            "must be at most 4294967294, got 4294967295; leave the field out for no limit",
        ],
    ),
    no(
        "a room at the no-limit value",
        11,
        &[(
            "s.toml",
            desk_with!("queue_capacity = 4294967295\noverflow = { reject_to = \"done\" }"),
        )],
        V,
        &[
            "stations.desk.queue_capacity: line ",
            "must be at most",
            "got 4294967295",
        ],
    ),
    warns(no(
        "a replayed log entirely after the horizon",
        11,
        &[
            ("s.toml", replay!()),
            ("orders.csv", "time,items\n2024-11-10T01:00:00,1\n"),
        ],
        RUN,
        &[
            "warning: sources.orders: creates no order within the horizon of 48 h",
            "the run will have no orders",
        ],
    )),
    warns(no(
        "a timetable with no slot inside the horizon",
        11,
        &[(
            "s.toml",
            tiny!(
                "timetable = [{ days = [\"fri\"], at = \"06:00\", batch = { dist = \"deterministic\", value = 10 } }]"
            ),
        )],
        RUN,
        &[
            "warning: sources.orders: creates no order within the horizon",
            "the run will have no orders",
        ],
    )),
    warns(no(
        "a rate table that is zero throughout the horizon",
        11,
        &[(
            "s.toml",
            tiny!(
                "profile = { hourly_per_hour = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], weekday_factors = { mon = 0, tue = 0 } }"
            ),
        )],
        RUN,
        &["warning: sources.orders: creates no order within the horizon"],
    )),
    warns(no(
        "one silent source of two",
        11,
        &[(
            "s.toml",
            concat!(
                tiny!("rate_per_hour = 30"),
                "\n[sources.flights]\nto = \"desk\"\ntimetable = [{ days = [\"sun\"], at = \"06:00\", batch = { dist = \"deterministic\", value = 10 } }]\n"
            ),
        )],
        RUN,
        &["warning: sources.flights: creates no order within the horizon"],
    )),
    no(
        "a credit pool with a negative balance",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"guarantee\"\nattributes = { tax = { dist = \"deterministic\", value = 5 } }\n\n",
                "[pools.guarantee]\nbalance = -100\ndraw_attribute = \"tax\"\nsettlement_days_of_month = [1, 16]\nto = \"done\"\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "pools.guarantee.balance: line ",
            "must be a finite number above 0, got -100",
        ],
    ),
    no(
        "a credit pool drawn by an unknown attribute",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"guarantee\"\nattributes = { tax = { dist = \"deterministic\", value = 5 } }\n\n",
                "[pools.guarantee]\nbalance = 100\ndraw_attribute = \"taxx\"\nsettlement_days_of_month = [1, 16]\nto = \"done\"\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "pools.guarantee.draw_attribute: line ",
            "unknown attribute \"taxx\"",
        ],
    ),
    no(
        "a credit pool leading to an unknown node",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"guarantee\"\nattributes = { tax = { dist = \"deterministic\", value = 5 } }\n\n",
                "[pools.guarantee]\nbalance = 100\ndraw_attribute = \"tax\"\nsettlement_days_of_month = [1, 16]\nto = \"dne\"\n\n[sinks.done]\n"
            ),
        )],
        V,
        &["pools.guarantee.to: line ", "unknown node \"dne\""],
    ),
    no(
        "a credit pool that is never restored",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"guarantee\"\nattributes = { tax = { dist = \"deterministic\", value = 5 } }\n\n",
                "[pools.guarantee]\nbalance = 100\ndraw_attribute = \"tax\"\nto = \"done\"\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "pools.guarantee: line ",
            "needs a settlement (settlement or settlement_days_of_month) or a top_up",
        ],
    ),
    no(
        "a monthly settlement on day 32",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"guarantee\"\nattributes = { tax = { dist = \"deterministic\", value = 5 } }\n\n",
                "[pools.guarantee]\nbalance = 100\ndraw_attribute = \"tax\"\nsettlement_days_of_month = [1, 32]\nto = \"done\"\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "pools.guarantee.settlement_days_of_month[1]: line ",
            "must be a day of the month from 1 to 31, got 32",
        ],
    ),
    no(
        "a top-up that takes no time (it hung: each asked for the next at the same instant)",
        4,
        &[(
            "s.toml",
            concat!(
                sim!(),
                "[sources.orders]\nrate_per_hour = 30\nto = \"guarantee\"\nattributes = { tax = { dist = \"deterministic\", value = 5 } }\n\n",
                "[pools.guarantee]\nbalance = 100\ndraw_attribute = \"tax\"\ntop_up = { below = 99.9, delay_h = 0, amount = 1e-300 }\nto = \"done\"\n\n[sinks.done]\n"
            ),
        )],
        V,
        &[
            "pools.guarantee.top_up.delay_h: line ",
            "must be at least one second",
            "got 0",
        ],
    ),
    no(
        "a replayed draw that is negative (it drew 0 silently)",
        2,
        &[
            (
                "s.toml",
                concat!(
                    sim!(),
                    "[sources.lists]\nreplay_csv = \"lists.csv\"\nto = \"guarantee\"\n\n",
                    "[pools.guarantee]\nbalance = 100\ndraw_attribute = \"tax\"\nsettlement_days_of_month = [1, 16]\nto = \"done\"\n\n[sinks.done]\n"
                ),
            ),
            ("lists.csv", "time,tax\n2024-11-04T01:00:00,-50\n"),
        ],
        V,
        &[
            "lists.csv:2: tax: must be at least 0",
            "the amount drawn on the pool",
            "got -50",
        ],
    ),
    no(
        "a tariff of 1e308 (the tax came out infinite with exit 0)",
        2,
        &[("s.toml", taxed!("{ vat = 0.13, tariff = 1e308 }", ""))],
        V,
        &["tax.rates.food.tariff", "below 10", "got 1e308"],
    ),
    no(
        "a consumption tax a hair below 1 (a composite rate of 1e9)",
        2,
        &[(
            "s.toml",
            taxed!("{ vat = 0.13, consumption = 0.9999999999 }", ""),
        )],
        V,
        &[
            "tax.rates.food.consumption",
            "below 0.9",
            "got 0.9999999999",
        ],
    ),
];

#[test]
fn hostile_inputs_are_refused_or_warned_about() {
    assert!(CASES.len() >= 75, "{} cases", CASES.len());
    for family in [2, 4, 5, 8, 9, 10, 11] {
        assert!(
            CASES.iter().any(|c| c.family == family),
            "no case of family {family}"
        );
    }
    run_table("inputs", CASES);
}

/// A fresh folder for a test of its own.
fn folder(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cbec-sim-inputs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the command in `dir`, killing it if it takes over 20 s (a hang).
fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cbec-sim"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("{args:?} hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Runs `args` in `dir` and checks it is refused: exit 2, nothing on
/// stdout, a message of at most `max_len` bytes holding each of `wants`.
fn refused(dir: &std::path::Path, args: &[&str], wants: &[&str], max_len: usize) {
    let out = run_in(dir, args);
    let err = String::from_utf8_lossy(&out.stderr);
    let shown: String = err.chars().take(2000).collect();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {shown}");
    assert!(
        err.len() <= max_len,
        "{args:?}: {} bytes of message",
        err.len()
    );
    for want in wants {
        assert!(err.contains(want), "{args:?}: lacks {want:?}: {shown}");
    }
    assert!(out.stdout.is_empty(), "{args:?} printed");
}

/// A FIFO as the scenario or as the order log is refused at once, not
/// read (which would wait for a writer forever).
#[test]
fn a_fifo_is_refused_not_read() {
    let dir = folder("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("pipe"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; skipped");
        return;
    }
    let wants = ["pipe: cannot be read: is not a regular file"];
    refused(&dir, &["validate", "pipe"], &wants, 1000);
    let scenario = concat!(sim!(), src!("replay_csv = \"pipe\""), desk!());
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    let wants = ["sources.orders.replay_csv: line 7, column 14: pipe: is not a regular file"];
    refused(&dir, &["run", "-q", "-n", "1", "s.toml"], &wants, 1000);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An 18 MB faulty line, in a scenario and in an order log, is quoted as a
/// short excerpt: the message stays a few lines long.
#[test]
fn an_18_mb_faulty_line_is_quoted_as_a_short_excerpt() {
    let dir = folder("long-line");
    let long = "9".repeat(18 << 20);
    let scenario = format!(
        "{}[sources.orders]\nto = \"desk\"\nrate_per_hour = 30 {long}\n\n{}",
        sim!(),
        desk!()
    );
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    let wants = ["sources.orders.rate_per_hour", "..."];
    refused(&dir, &["validate", "s.toml"], &wants, 2000);
    let _ = std::fs::remove_dir_all(&dir);
    let log = format!("time,items\n2024-11-04T01:00:00,x{long}\n");
    let wants = ["orders.csv:2: items: must be a number, got \"x999"];
    log_refused("long-log", log.as_bytes(), &wants);
}

/// Replays `log` as `orders.csv` and checks `validate` refuses it.
fn log_refused(name: &str, log: &[u8], wants: &[&str]) {
    let dir = folder(name);
    std::fs::write(dir.join("s.toml"), replay!()).unwrap();
    std::fs::write(dir.join("orders.csv"), log).unwrap();
    refused(&dir, &["validate", "s.toml"], wants, 1000);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An order log field that is not UTF-8 names the file, the line and the
/// column.
#[test]
fn an_order_log_that_is_not_utf8_names_the_column() {
    let mut bytes = b"time,items\n2024-11-04T01:00:00,1\n2024-11-04T02:00:00,".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
    let wants =
        ["sources.orders.replay_csv: line 7, column 14: orders.csv:3: items: is not UTF-8 text"];
    log_refused("utf8", &bytes, &wants);
}

/// A model of 2,001 nodes is refused by its size before anything is
/// allocated per node (each station keeps about 180 KB per replication).
#[test]
fn a_model_with_too_many_nodes_is_refused() {
    let dir = folder("nodes");
    let mut text = String::from(
        "[simulation]\nhorizon_h = 1\n\n[sources.orders]\nrate_per_hour = 1\nto = \"s1\"\n\n",
    );
    for i in 1..=1998 {
        let to = if i == 1998 {
            "done".to_string()
        } else {
            format!("s{}", i + 1)
        };
        text.push_str(&format!(
            "[stations.s{i}]\nservers = 1\nservice_time_min = {{ dist = \"exponential\", mean = 1 }}\nto = \"{to}\"\n\n"
        ));
    }
    text.push_str("[sinks.done]\n");
    std::fs::write(dir.join("ok.toml"), &text).unwrap();
    let out = run_in(&dir, &["validate", "ok.toml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.push_str("[sinks.one_too_many]\n");
    std::fs::write(dir.join("s.toml"), &text).unwrap();
    let wants = [
        "s.toml: scenario: has 2001 nodes",
        "more than the 2000 a model may have",
    ];
    refused(&dir, &["validate", "s.toml"], &wants, 1000);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An order log of 300 columns is refused by the attribute bound: every
/// order would carry 300 values.
#[test]
fn an_order_log_with_too_many_columns_is_refused() {
    let header: Vec<String> = (0..300).map(|i| format!("c{i}")).collect();
    let row = vec!["1"; 300].join(",");
    let log = format!("time,{}\n2024-11-04T01:00:00,{row}\n", header.join(","));
    let wants = [
        "attributes: the model has 300 attributes",
        "more than the 256 an order may carry",
    ];
    log_refused("columns", log.as_bytes(), &wants);
}
