//! Promotion days: full days whose total is far from what the weekly
//! profile fitted without them predicts, found one at a time.
//!
//! Each pass fits the separable profile to the days not yet flagged and,
//! for every testable day, refits it without that day (leave one out)
//! and takes the day's expected total under that fit. The day whose
//! total is furthest from its expectation (largest Poisson deviance;
//! ties to the earliest) is tested exactly; if its two-sided p-value is
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
use super::poisson::{deviance, poisson_test};
use super::separable::{Separable, Table, fit};

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
            Some((_, day, expected))
                if poisson_test(counts.day_total(day), expected) < threshold =>
            {
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
