//! Promotion days: full days whose total is far from what the weekly
//! profile fitted without them predicts, found one at a time.
//!
//! Each pass fits the separable profile to the days not yet flagged and,
//! for every testable day, refits it without that day (leave one out)
//! and takes the day's expected total under that fit. The day whose
//! total is furthest from its expectation (largest Poisson deviance;
//! ties to the earliest) is tested exactly against the other unflagged
//! full days of its weekday, whose counts estimate its weekday's rate:
//! given the two totals' sum, the day's is binomial under the hourly
//! profile's exposures (the conditional test of two Poisson rates, so
//! the error of the estimated rate is accounted for, not taken as
//! known); if its two-sided p-value is
//! below `alpha / m` (Bonferroni over the `m` days testable in the first
//! pass) it is flagged and the next pass begins; otherwise the search
//! stops. Flagging the most extreme day first keeps a large promotion
//! from inflating its weekday's factor and dragging the same weekday's
//! ordinary days out with it.
//!
//! A day is testable when it is a full day (all 24 hours in the window)
//! and another full, unflagged day of the same weekday remains to
//! predict it.

use super::counts::Counts;
use super::poisson::{chi2_sf, conditional_test, deviance, garwood, poisson_test, z};
use super::separable::{Information, Separable, Table, fit};
use super::{DemandOptions, Estimate, GTest, PromotionDay};
use crate::model::CalendarDate;

/// What the search found.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Detection {
    /// The flagged days, in the order they were found.
    pub(super) flagged: Vec<usize>,
    /// Passes made (fits of the unflagged days).
    pub(super) passes: u32,
    /// Days testable in the first pass (the Bonferroni count).
    pub(super) tested: usize,
    /// Full days never testable: their weekday has no other full day.
    pub(super) alone: Vec<usize>,
}

/// Whether `day` is testable given the days already `flagged`.
fn testable(counts: &Counts, day: usize, flagged: &[usize]) -> bool {
    let w = counts.weekday(day);
    counts.is_full(day)
        && !flagged.contains(&day)
        && (0..counts.n_days()).any(|d| {
            d != day && counts.is_full(d) && counts.weekday(d) == w && !flagged.contains(&d)
        })
}

/// The expected total of `day` under the fit of `base` without it
/// (`base` includes it), warm-started from `warm`.
pub(super) fn left_out_fit(
    counts: &Counts,
    base: &Table,
    warm: &Separable,
    day: usize,
) -> Separable {
    let mut t = base.clone();
    t.add_day(counts, day, -1.0);
    fit(&t, Some(warm))
}

/// Finds the promotion days of `counts` at family-wise `alpha`.
pub(super) fn detect(counts: &Counts, alpha: f64) -> Detection {
    let n_days = counts.n_days();
    let first: Vec<usize> = (0..n_days).filter(|d| testable(counts, *d, &[])).collect();
    let alone = (0..n_days)
        .filter(|d| counts.is_full(*d) && !first.contains(d))
        .collect();
    let threshold = alpha / first.len().max(1) as f64;
    let mut flagged: Vec<usize> = Vec::new();
    let mut passes = 0;
    // Each pass flags a day or stops, and leaves each weekday at least
    // one unflagged full day: at most n_days passes.
    loop {
        passes += 1;
        let base = Table::from_days(counts, |d| !flagged.contains(&d));
        let whole = fit(&base, None);
        let mut worst: Option<(f64, usize, f64)> = None;
        for day in (0..n_days).filter(|d| testable(counts, *d, &flagged)) {
            let loo = left_out_fit(counts, &base, &whole, day);
            let expected: f64 = loo.day_means(counts, day).iter().sum();
            let dev = deviance(counts.day_total(day) as f64, expected);
            if worst.is_none_or(|(w, _, _)| dev > w) {
                worst = Some((dev, day, expected));
            }
        }
        match worst {
            Some((_, day, _)) if against_its_weekday(counts, &whole, day, &flagged) < threshold => {
                flagged.push(day);
            }
            _ => break,
        }
    }
    Detection {
        flagged,
        passes,
        tested: first.len(),
        alone,
    }
}
/// The conditional test of `day`'s total against the other unflagged full
/// days of its weekday, each day's expected count its exposure-weighted
/// hourly rates under `fit` (the weekday factor cancels).
fn against_its_weekday(counts: &Counts, fit: &Separable, day: usize, flagged: &[usize]) -> f64 {
    let w = counts.weekday(day);
    let mu = |d: usize| -> f64 {
        (0..24)
            .map(|h| fit.hourly[h] * counts.exposure_h(d, h))
            .sum()
    };
    let others: Vec<usize> = (0..counts.n_days())
        .filter(|&d| {
            d != day && counts.is_full(d) && counts.weekday(d) == w && !flagged.contains(&d)
        })
        .collect();
    let n_other: u64 = others.iter().map(|&d| counts.day_total(d)).sum();
    let mu_other: f64 = others.iter().map(|&d| mu(d)).sum();
    conditional_test(counts.day_total(day), mu(day), n_other, mu_other)
}

/// Flagged day `d` against the base profile (which leaves it out).
pub(super) fn promotion_day(
    counts: &Counts,
    info: &Information<'_>,
    base: &Separable,
    d: usize,
    options: DemandOptions,
    notes: &mut Vec<String>,
) -> PromotionDay {
    let mut means = base.day_means(counts, d);
    let n = counts.day_total(d);
    let exposure: [f64; 24] = std::array::from_fn(|h| counts.exposure_h(d, h));
    let mut var_expected = info.var_log_total(&exposure, counts.weekday(d).index());
    if means.iter().sum::<f64>() == 0.0 {
        var_expected = None;
        // Its weekday's factor is 0 (no arrival on its other days): the
        // factor is taken against the hourly rates alone.
        means = std::array::from_fn(|h| base.hourly[h] * counts.exposure_h(d, h));
        notes.push(format!(
            "{}: its weekday has no arrival on other days; its factor is on the hourly rates alone",
            counts.date(d)
        ));
    }
    let expected: f64 = means.iter().sum();
    let factor = if expected > 0.0 {
        factor_interval(n, expected, var_expected.unwrap_or(0.0), options.level)
    } else {
        Estimate::new(1.0, (1.0, 1.0))
    };
    // The day's hourly shape: each hour's share of the day under the profile.
    let scaled: [f64; 24] = std::array::from_fn(|h| {
        if expected > 0.0 {
            means[h] * n as f64 / expected
        } else {
            0.0
        }
    });
    let hours = counts.hours(d);
    let positive = scaled.iter().filter(|m| **m > 0.0).count() as u64;
    let shape = (positive >= 2 && n > 0).then(|| {
        let g: f64 = (0..24).map(|h| deviance(hours[h] as f64, scaled[h])).sum();
        GTest::from_tuple((g, positive - 1, chi2_sf(g, positive - 1)))
    });
    let hour_factors = if shape.is_some_and(|s| s.p_value < options.alpha) {
        let orphan: Vec<String> = (0..24)
            .filter(|h| scaled[*h] == 0.0 && hours[*h] > 0)
            .map(|h| format!("{h:02}:00"))
            .collect();
        if !orphan.is_empty() {
            notes.push(format!(
                "{}: arrivals at {} where the profile's rate is 0; the dated factor cannot reproduce them",
                counts.date(d),
                orphan.join(", ")
            ));
        }
        (0..24)
            .map(|h| {
                if scaled[h] > 0.0 {
                    hours[h] as f64 / scaled[h]
                } else {
                    1.0
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    PromotionDay {
        date: CalendarDate(counts.date(d)),
        day: counts.weekday(d),
        orders: n,
        expected,
        p_value: poisson_test(n, expected),
        factor,
        shape,
        hour_factors,
    }
}

/// `n / expected` with Garwood's interval on `n` divided by `expected`,
/// widened for the error of `expected` (`var_log` the variance of its
/// log): on the log scale each of the count's half-widths and the
/// expected's Wald half-width add in quadrature.
fn factor_interval(n: u64, expected: f64, var_log: f64, level: f64) -> Estimate {
    let (lo, hi) = garwood(n, level);
    let spread = z(level) * var_log.max(0.0).sqrt();
    let widen = |half: f64| half.hypot(spread);
    let f = n as f64 / expected;
    if n == 0 {
        return Estimate::new(0.0, (0.0, hi / expected * spread.exp()));
    }
    let nf = n as f64;
    Estimate::new(
        f,
        (
            f * (-widen((nf / lo).ln())).exp(),
            f * widen((hi / nf).ln()).exp(),
        ),
    )
}
