//! Stability across weeks: whether each (weekday, hour) cell has the
//! same rate in every week observed, and the weekly totals that show a
//! trend.
//!
//! Weeks are 7-day blocks from the window's first date, so each week
//! has at most one day of each weekday: a (week, weekday, hour) cell is
//! one (date, hour) of the window.

use super::counts::Counts;
use super::poisson::{chi2_sf, deviance, garwood};
use super::separable::Separable;
use super::{Estimate, GTest, TestOutcome, WeekTotal};
use crate::model::CalendarDate;

/// The G-test of homogeneity across weeks, over the days `include`
/// keeps: `(G, df, p)`, `None` without a degree of freedom.
///
/// # Formula
/// Under the null each (weekday, hour) has one rate, estimated by its
/// pooled count over its pooled exposure `λ_wh = N_wh / E_wh`; a date's
/// cell expects `e λ_wh`. `G = Σ 2 (n ln(n/μ) - (n - μ))` over the
/// observed (date, hour) cells; `df = Σ_wh (k_wh - 1)` over the
/// (weekday, hour) pairs with an arrival, `k_wh` the dates observing
/// that pair (pairs with no arrival add nothing and are left out).
pub(super) fn homogeneity(
    counts: &Counts,
    include: impl Fn(usize) -> bool,
) -> Option<(f64, u64, f64)> {
    let days: Vec<usize> = (0..counts.n_days()).filter(|d| include(*d)).collect();
    let mut n = [[0.0; 24]; 7];
    let mut e = [[0.0; 24]; 7];
    let mut k = [[0u64; 24]; 7];
    for &d in &days {
        let w = counts.weekday(d).index();
        for h in 0..24 {
            let x = counts.exposure_h(d, h);
            if x > 0.0 {
                n[w][h] += counts.hours(d)[h] as f64;
                e[w][h] += x;
                k[w][h] += 1;
            }
        }
    }
    let mut g = 0.0;
    for &d in &days {
        let w = counts.weekday(d).index();
        for h in 0..24 {
            let x = counts.exposure_h(d, h);
            if x > 0.0 && n[w][h] > 0.0 {
                g += deviance(counts.hours(d)[h] as f64, x * n[w][h] / e[w][h]);
            }
        }
    }
    let df: u64 = (0..7)
        .flat_map(|w| (0..24).map(move |h| (w, h)))
        .filter(|(w, h)| n[*w][*h] > 0.0)
        .map(|(w, h)| k[w][h] - 1)
        .sum();
    (df > 0).then(|| (g, df, chi2_sf(g, df)))
}

/// The number of full weeks (7-day blocks of full days) in the window.
pub(super) fn full_weeks(counts: &Counts) -> usize {
    (0..counts.n_days().div_ceil(7))
        .filter(|k| {
            let days = 7 * k..7 * k + 7;
            days.end <= counts.n_days() && days.clone().all(|d| counts.is_full(d))
        })
        .count()
}

/// The stability test's outcome at `alpha`, promotion days left out.
pub(super) fn stability_outcome(counts: &Counts, flagged: &[usize], alpha: f64) -> TestOutcome {
    let weeks = full_weeks(counts);
    let untestable = |note: String| TestOutcome {
        test: None,
        rejects: false,
        note,
    };
    if weeks < 2 {
        return untestable(format!(
            "cannot be tested: needs at least two full weeks, the window has {weeks}"
        ));
    }
    match homogeneity(counts, |d| !flagged.contains(&d)) {
        None => untestable("cannot be tested: no (weekday, hour) was observed twice".into()),
        Some(t) => {
            let test = GTest::from_tuple(t);
            let rejects = test.p_value < alpha;
            let note = if rejects {
                format!(
                    "the profile changes across weeks (p = {:.3e})",
                    test.p_value
                )
            } else {
                format!("stable (p = {:.3})", test.p_value)
            };
            TestOutcome {
                test: Some(test),
                rejects,
                note,
            }
        }
    }
}

/// Each 7-day block from the window's first date against the profile.
pub(super) fn week_totals(
    counts: &Counts,
    base: &Separable,
    flagged: &[usize],
    level: f64,
) -> Vec<WeekTotal> {
    (0..counts.n_days().div_ceil(7))
        .map(|k| {
            let days = 7 * k..(7 * k + 7).min(counts.n_days());
            let kept: Vec<usize> = days.clone().filter(|d| !flagged.contains(d)).collect();
            let orders: u64 = kept.iter().map(|d| counts.day_total(*d)).sum();
            let observed_h: f64 = kept
                .iter()
                .flat_map(|d| (0..24).map(move |h| counts.exposure_h(*d, h)))
                .sum();
            let expected: f64 = kept
                .iter()
                .map(|d| base.day_means(counts, *d).iter().sum::<f64>())
                .sum();
            let ratio = (expected > 0.0).then(|| {
                let (lo, hi) = garwood(orders, level);
                Estimate::new(orders as f64 / expected, (lo / expected, hi / expected))
            });
            WeekTotal {
                start: CalendarDate(counts.date(7 * k)),
                observed_h,
                orders,
                promotion_days: (days.len() - kept.len()) as u32,
                expected,
                ratio,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(weeks: i64, rate: impl Fn(usize, usize) -> u64) -> Counts {
        let start: jiff::civil::DateTime = "2024-11-04T00:00".parse().unwrap();
        let end = start
            .checked_add(jiff::SignedDuration::from_hours(24 * 7 * weeks))
            .unwrap();
        let mut c = Counts::new(start, end).unwrap();
        for d in 0..c.n_days() {
            for h in 0..24 {
                for _ in 0..rate(d, h) {
                    c.push_offset((d * 24 + h) as i128 * super::super::counts::HOUR_NS);
                }
            }
        }
        c
    }

    #[test]
    fn identical_weeks_give_g_zero_and_the_right_df() {
        let c = counts(3, |d, h| (d % 7 + h) as u64 + 1);
        assert_eq!(full_weeks(&c), 3);
        let (g, df, p) = homogeneity(&c, |_| true).unwrap();
        assert!(g.abs() < 1e-9, "{g}");
        assert_eq!(df, 168 * 2);
        assert!((p - 1.0).abs() < 1e-9);
        let one = counts(1, |_, _| 3);
        assert_eq!(homogeneity(&one, |_| true), None);
    }
}
