//! Demand fits (issue 17): arrivals generated from a known rate profile
//! give back its hourly rates within their intervals, its promotion day
//! with a factor interval covering the truth, and no other; the tests of
//! separability and stability accept the profiles that have those
//! properties and reject ones that lack them; bad windows are refused
//! with their values; the output is deterministic.

use cbec_sim::calibrate::{DemandFit, DemandOptions, EventLog, EventMap, fit_demand};
use cbec_sim::{
    Calendar, DatedFactor, Day, Error, Model, RateProfile, SimTime, Simulation, Sink, Source,
};
use jiff::SignedDuration;
use jiff::civil::{Date, DateTime, date};
use statrs::distribution::{Binomial, DiscreteCDF};

/// Monday 4 November 2024: the windows start here.
fn start() -> DateTime {
    "2024-11-04T00:00".parse().unwrap()
}

fn at(days: i64) -> DateTime {
    start() + SignedDuration::from_hours(24 * days)
}

/// The true hourly rates: 20 orders per hour on average (the sine sums
/// to zero over the day), 8 at night, 32 at 10:00.
fn hourly() -> Vec<f64> {
    (0..24)
        .map(|h| 20.0 + 12.0 * (2.0 * std::f64::consts::PI * (h as f64 - 4.0) / 24.0).sin())
        .collect()
}

/// True weekday factors, mean 1 over the week.
const WEEKDAY: [f64; 7] = [1.1, 1.0, 1.0, 1.0, 1.1, 0.9, 0.9];

fn profile() -> RateProfile {
    Day::ALL.iter().fold(RateProfile::new(hourly()), |p, d| {
        p.with_weekday_factor(*d, WEEKDAY[d.index()])
    })
}

/// The arrivals of `profile` over `days` days from [`start`], replication
/// `rep` of seed 17.
fn arrivals(profile: RateProfile, days: i64, rep: u64) -> Vec<DateTime> {
    let model = Model::builder()
        .with_source("orders", Source::profile(profile, "done"))
        .with_sink("done", Sink::new())
        .with_start(start())
        .with_horizon(SimTime::from_days(days as f64))
        .build()
        .unwrap();
    let calendar = Calendar::new(start());
    let mut sim = Simulation::new(&model, 17, rep);
    let mut out = Vec::new();
    while let Some(t) = sim.step().filter(|t| t.days() < days as f64) {
        out.push(calendar.datetime(t));
    }
    out
}

fn fit(arrivals: &[DateTime], days: i64, options: &DemandOptions) -> DemandFit {
    fit_demand(arrivals.iter().copied(), start(), at(days), options).unwrap()
}

/// Hour factors that double hours 8-12 and lower the others so that the
/// day's expected total is unchanged.
fn mornings_doubled_same_total() -> Vec<f64> {
    let r = hourly();
    let total: f64 = r.iter().sum();
    let mornings: f64 = r[8..=12].iter().sum();
    let rest = (total - 2.0 * mornings) / (total - mornings);
    (0..24)
        .map(|h| if (8..=12).contains(&h) { 2.0 } else { rest })
        .collect()
}

/// Over 8 seeds of 4 weeks with 11 November (a Monday) at 3 times its
/// rates: that day, and no other, is a promotion with an interval
/// covering 3; the hourly rates' 95% intervals cover the truth as often
/// as a binomial count allows; neither test rejects.
#[test]
fn recovers_the_promotion_day_and_the_hourly_rates() {
    const SEEDS: u64 = 8;
    // Family-wise 1e-3 per seed: a correct fit falsely flags a day, or
    // falsely rejects either test, in some seed with probability at most
    // 8 × 3 × 1e-3 (Bonferroni over seeds and the three tests).
    let options = DemandOptions::default().with_alpha(1e-3);
    let promo = date(2024, 11, 11);
    let truth = profile().with_date(DatedFactor::new(promo, 3.0, 1.0));
    let mut covered = 0u64;
    let mut weekday_covered = 0u64;
    let mut factor_covered = 0u64;
    for rep in 0..SEEDS {
        let f = fit(&arrivals(truth.clone(), 28, rep), 28, &options);
        assert_eq!(f.days_tested, 28);
        assert_eq!(f.promotions.len(), 1, "seed {rep}: {f}");
        let p = &f.promotions[0];
        assert_eq!(p.date.0, promo);
        // The factor's interval (Garwood on the count, widened for the
        // error of the expected, which rests on three other Mondays)
        // covers 3 with probability about 0.95: counted below. At level
        // 0.9999 a miss in any of the 8 seeds has probability about 8e-4.
        factor_covered += u64::from(p.factor.covers(3.0));
        let wide = fit_demand(
            arrivals(truth.clone(), 28, rep),
            start(),
            at(28),
            &options.with_level(0.9999),
        )
        .unwrap();
        assert!(
            wide.promotions[0].factor.covers(3.0),
            "seed {rep}: {:?}",
            wide.promotions[0]
        );
        assert!(
            p.hour_factors.is_empty(),
            "the promotion has the profile's shape"
        );
        for (h, truth) in f.hourly.iter().zip(hourly()) {
            covered += u64::from(h.rate_per_hour.covers(truth));
        }
        for w in &f.weekdays {
            weekday_covered += u64::from(w.factor.unwrap().covers(WEEKDAY[w.day.index()]));
        }
        assert!(!f.separability.rejects, "seed {rep}: {:?}", f.separability);
        assert!(!f.stability.rejects, "seed {rep}: {:?}", f.stability);
    }
    // Each interval covers its truth with probability 0.95 (Wald, with
    // hundreds of arrivals per hour: the normal approximation is good),
    // nearly independently across hours and seeds, so the count is
    // Binomial(n, 0.95); a correct fit falls below the bound with
    // probability at most 1e-4.
    for (what, n, k) in [
        ("hourly rates", 24 * SEEDS, covered),
        ("weekday factors", 7 * SEEDS, weekday_covered),
        ("promotion factors", SEEDS, factor_covered),
    ] {
        let bound = lowest_plausible(n, 0.95, 1e-4);
        println!("{what}: {k} of {n} intervals cover the truth (bound {bound})");
        assert!(
            k >= bound,
            "{what}: {k} of {n} intervals cover the truth, below {bound}"
        );
    }
}

/// The smallest k such that P(X < k) <= `tail` for X ~ Binomial(n, p).
fn lowest_plausible(n: u64, p: f64, tail: f64) -> u64 {
    let b = Binomial::new(p, n).unwrap();
    (0..=n)
        .take_while(|k| *k == 0 || b.cdf(k - 1) <= tail)
        .last()
        .unwrap()
}

/// One week whose hours 8-12 doubled: with the other hours lowered so
/// each day's total is unchanged, no day is a promotion and the
/// stability test rejects; doubled outright, the week's days are
/// promotion days whose hour factors carry the doubling.
#[test]
fn stability_rejects_a_week_whose_mornings_doubled() {
    // Default options: a correct fit falsely flags a day in the first
    // case with probability at most 0.01.
    let options = DemandOptions::default();
    let week3 = (14..21).map(|d| at(d).date());
    let shifted = week3.clone().fold(profile(), |p, d| {
        p.with_date(DatedFactor::new(d, 1.0, 1.0).with_hour_factors(mornings_doubled_same_total()))
    });
    let f = fit(&arrivals(shifted, 28, 0), 28, &options);
    assert!(f.promotions.is_empty(), "{f}");
    // The doubling adds about 0.75 Σ_{8..12} r ≈ 117 to the G statistic's
    // mean per day (df 504), far beyond the 1% critical value (about 579).
    assert!(f.stability.rejects, "{:?}", f.stability);
    assert!(
        f.stability
            .note
            .starts_with("the profile changes across weeks (p = ")
    );

    let mut doubled_hours = vec![1.0; 24];
    doubled_hours[8..=12].fill(2.0);
    let doubled = week3.clone().fold(profile(), |p, d| {
        p.with_date(DatedFactor::new(d, 1.0, 1.0).with_hour_factors(doubled_hours.clone()))
    });
    let arrivals = arrivals(doubled, 28, 1);
    let f = fit(&arrivals, 28, &options);
    let dates: Vec<Date> = f.promotions.iter().map(|p| p.date.0).collect();
    assert_eq!(dates, week3.collect::<Vec<_>>(), "{f}");
    // Hour factors reproduce each day's hourly counts: factor × hour
    // factor × the profile's rate on that weekday = count.
    let (mut mornings, mut mornings_base, mut rest, mut rest_base) = (0.0, 0.0, 0.0, 0.0);
    for p in &f.promotions {
        assert_eq!(p.hour_factors.len(), 24, "{p:?}");
        let w = f.weekdays[p.day.index()].factor.unwrap().estimate;
        for h in 0..24 {
            let count = arrivals
                .iter()
                .filter(|t| t.date() == p.date.0 && t.hour() as usize == h)
                .count() as f64;
            let base = f.hourly[h].rate_per_hour.estimate * w;
            let modelled = p.factor.estimate * p.hour_factors[h] * base;
            assert!(
                (modelled - count).abs() < 1e-9 * count.max(1.0),
                "{h}: {modelled} vs {count}"
            );
            if (8..=12).contains(&h) {
                (mornings, mornings_base) = (mornings + count, mornings_base + base);
            } else {
                (rest, rest_base) = (rest + count, rest_base + base);
            }
        }
    }
    // The mornings' rate ratio to the rest's is 2. Standard error: the
    // week's mornings (~2200 orders) and rest (~2300) give 3.0% relative,
    // the base profile's three weeks another 1.7% for each part: 3.9% in
    // all; 4 standard errors are 16%.
    let ratio = (mornings / mornings_base) / (rest / rest_base);
    assert!((ratio - 2.0).abs() < 2.0 * 0.16, "ratio {ratio}");
}

/// A weekend shape (mornings doubled on Saturdays and Sundays, the day's
/// total unchanged) is an interaction the separable profile cannot
/// represent: the separability test rejects, the stability test (the
/// interaction is the same every week) does not, and no day is flagged.
#[test]
fn an_interaction_makes_the_separability_test_reject() {
    let weekends = (0..28)
        .map(at)
        .filter(|d| d.weekday().to_monday_zero_offset() >= 5);
    let truth = weekends.fold(profile(), |p, d| {
        p.with_date(
            DatedFactor::new(d.date(), 1.0, 1.0).with_hour_factors(mornings_doubled_same_total()),
        )
    });
    // Alpha 0.01 each: a correct fit fails one of the three checks with
    // probability at most 0.03.
    let f = fit(&arrivals(truth, 28, 2), 28, &DemandOptions::default());
    assert!(f.promotions.is_empty(), "{f}");
    assert!(f.separability.rejects, "{:?}", f.separability);
    assert!(
        f.separability.note.contains("cannot represent"),
        "{}",
        f.separability.note
    );
    assert!(!f.stability.rejects, "{:?}", f.stability);
    // The table shows it: Saturday 10:00 is about twice Wednesday 10:00
    // × 0.9.
    let cell = |d: Day, h: u8| {
        f.table
            .iter()
            .find(|c| c.day == d && c.hour == h)
            .unwrap()
            .rate_per_hour
            .unwrap()
    };
    assert!(cell(Day::Sat, 10).low > cell(Day::Wed, 10).high, "{f}");
}

/// Arrivals every 20 minutes from 09:00 to 17:00 (3 an hour), on `days`
/// days from the start.
fn office_hours(days: i64) -> impl Iterator<Item = DateTime> {
    (0..days).flat_map(|d| (0..24).map(move |k| at(d) + SignedDuration::from_mins(9 * 60 + 20 * k)))
}

#[test]
fn fewer_than_seven_days_leave_the_unobserved_weekdays_at_one() {
    let f = fit_demand(office_hours(3), start(), at(3), &DemandOptions::default()).unwrap();
    let unobserved: Vec<Day> = f
        .weekdays
        .iter()
        .filter(|w| w.factor.is_none())
        .map(|w| w.day)
        .collect();
    assert_eq!(unobserved, [Day::Thu, Day::Fri, Day::Sat, Day::Sun]);
    assert!(
        f.notes
            .iter()
            .any(|n| n.contains("weekdays never observed: thu, fri, sat, sun")),
        "{:?}",
        f.notes
    );
    let p = f.profile();
    assert_eq!(p.weekday_factors[&Day::Sun], 1.0);
    assert_eq!(p.weekday_factors[&Day::Mon], 1.0);
    assert!(p.hourly_per_hour.iter().all(|r| r.is_finite()));
    for h in &f.hourly {
        let r = h.rate_per_hour;
        assert!(
            r.estimate.is_finite() && r.low.is_finite() && r.high.is_finite(),
            "{h:?}"
        );
    }
    // Each day is its weekday's only one: none tested, so none flagged.
    assert_eq!((f.days_tested, f.days_untested.len()), (0, 3));
    assert!(
        f.stability
            .note
            .contains("needs at least two full weeks, the window has 0")
    );
    assert!(!f.to_json().contains("NaN"));
}

#[test]
fn hours_without_arrivals_have_rate_zero_and_an_upper_limit() {
    let f = fit_demand(office_hours(14), start(), at(14), &DemandOptions::default()).unwrap();
    let night = f.hourly[3].rate_per_hour;
    assert_eq!((night.estimate, night.low), (0.0, 0.0));
    // Garwood's upper limit for a count of 0 (3.689 at 95%) over the 14
    // hours observed (weekday factors 1, every weekday twice).
    assert!((night.high - 3.688_879 / 14.0).abs() < 1e-5, "{night:?}");
    let busy = f.hourly[10].rate_per_hour;
    assert!((busy.estimate - 3.0).abs() < 1e-12 && busy.low < 3.0 && busy.high > 3.0);
    assert!(f.promotions.is_empty());
    assert!(f.stability.test.unwrap().statistic.abs() < 1e-9);
}

#[test]
fn empty_or_reversed_windows_and_stray_arrivals_are_refused_with_their_values() {
    let options = DemandOptions::default();
    let err = |a: Vec<DateTime>, s: DateTime, e: DateTime, o: &DemandOptions| {
        let e = fit_demand(a, s, e, o).unwrap_err();
        assert!(matches!(e, Error::Scenario { .. }), "{e}");
        e.to_string()
    };
    assert_eq!(
        err(vec![], start(), start(), &options),
        "demand.window_end: must be after window_start 2024-11-04T00:00:00, got 2024-11-04T00:00:00; the window is empty"
    );
    assert_eq!(
        err(vec![], at(1), start(), &options),
        "demand.window_end: must be after window_start 2024-11-05T00:00:00, got 2024-11-04T00:00:00; the window is empty"
    );
    assert_eq!(
        err(vec![at(0), at(3)], start(), at(2), &options),
        "demand.arrivals[1]: 2024-11-07T00:00:00 is outside the window 2024-11-04T00:00:00 to 2024-11-06T00:00:00"
    );
    assert_eq!(
        err(vec![], start(), at(2), &options.with_level(1.0)),
        "demand.level: must be between 0 and 1 (exclusive), got 1"
    );
}

#[test]
fn one_week_cannot_test_stability() {
    let f = fit(&arrivals(profile(), 7, 3), 7, &DemandOptions::default());
    assert_eq!(f.stability.test, None);
    assert_eq!(
        f.stability.note,
        "cannot be tested: needs at least two full weeks, the window has 1"
    );
    assert!(
        f.to_string()
            .contains("Stability across weeks: cannot be tested")
    );
}

#[test]
fn same_input_same_json_and_the_log_gives_the_same_fit() {
    let a = arrivals(profile(), 14, 4);
    let one = fit(&a, 14, &DemandOptions::default()).to_json();
    let two = fit(&a, 14, &DemandOptions::default()).to_json();
    assert_eq!(one, two);
    // The same arrivals through an event log: its window is its first
    // row to its last.
    let map = EventMap::from_toml_str(
        "arrival = \"placed\"\n[events]\nplaced = { once = true, end = true }\n",
    )
    .unwrap();
    let mut text = String::from("order,event,time\n");
    let rows = a.iter().map(|t| t.round(jiff::Unit::Second).unwrap());
    let rows: Vec<DateTime> = rows.collect();
    for (i, t) in rows.iter().enumerate() {
        text.push_str(&format!("{i},placed,{}\n", t.strftime("%Y-%m-%dT%H:%M:%S")));
    }
    let log = EventLog::from_reader(text.as_bytes(), &map, "log.csv").unwrap();
    let from_log = DemandFit::from_log(&log, &DemandOptions::default()).unwrap();
    let direct = fit_demand(
        rows.iter().copied(),
        log.start(),
        log.end(),
        &DemandOptions::default(),
    )
    .unwrap();
    assert_eq!(from_log.to_json(), direct.to_json());
}

/// Ten million arrivals stream through (only counts are kept): one every
/// 0.12096 s over two weeks, so every hour has 29 761.9 on average.
#[test]
fn ten_million_arrivals_stream_through() {
    const N: i64 = 10_000_000;
    let step = SignedDuration::from_hours(24 * 14).as_nanos() as i64 / N;
    let stream = (0..N).map(|i| start() + SignedDuration::from_nanos(i * step));
    let f = fit_demand(stream, start(), at(14), &DemandOptions::default()).unwrap();
    assert_eq!(f.orders, N as u64);
    let per_hour = N as f64 / (14.0 * 24.0);
    for h in &f.hourly {
        // Even spacing: each of the 14 cells of an hour of day has the
        // mean count up to one arrival, and so has their mean.
        assert!((h.rate_per_hour.estimate - per_hour).abs() <= 1.0, "{h:?}");
    }
}
