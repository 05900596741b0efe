//! Shared tolerances and helpers. Every statistical tolerance in the suite is
//! derived here from the replications' standard error.

use cbec_sim::stats::OnlineMoments;
use cbec_sim::{Model, Replications, RunSummary, Seed, run_replications};

/// How many standard errors a replication mean may lie from theory.
///
/// With independent replications the mean is close to normal, so a correct
/// engine fails a single check with probability about 6e-5; the seeds are
/// fixed, so a passing suite passes every time.
pub(crate) const Z: f64 = 4.0;

/// Relative error bound of the histogram quantiles (documented in
/// `DurationHistogram`), added to the statistical tolerance of quantile checks.
pub(crate) const HISTOGRAM_REL_ERROR: f64 = 0.01;

/// Replications per analytic check.
pub(crate) const REPLICATIONS: u64 = 40;

pub(crate) fn replicate(model: &Model, seed: u64) -> Vec<RunSummary> {
    run_replications(model, Seed(seed), Replications::first(REPLICATIONS)).unwrap()
}

/// Mean and standard error of `kpi` across replications.
pub(crate) fn across(runs: &[RunSummary], kpi: impl Fn(&RunSummary) -> f64) -> OnlineMoments {
    runs.iter().map(kpi).collect()
}

/// Asserts that the replication mean of a KPI lies within `Z` standard
/// errors (plus `extra`, a documented deterministic error bound) of `expected`.
#[track_caller]
pub(crate) fn assert_matches(what: &str, m: &OnlineMoments, expected: f64, extra: f64) {
    let mean = m.mean().expect("replications");
    let se = m.std_error().expect("at least two replications");
    let tol = Z * se + extra;
    // The figures of docs/validation.md: `cargo test --release --test it -- --nocapture --test-threads 1`.
    println!("VALIDATION\t{what}\t{mean}\t{se}\t{expected}\t{tol}");
    assert!(
        (mean - expected).abs() <= tol,
        "{what}: simulated {mean:.5} ± {se:.5} (se), theory {expected:.5}, tolerance {tol:.5}"
    );
    // A tolerance wider than the effect it checks would make the test toothless.
    assert!(
        tol < 0.1 * expected.abs().max(1e-9) || expected == 0.0,
        "{what}: tolerance {tol} too wide for {expected}"
    );
}

/// The text of every `<td>` cell of an HTML document, tags inside removed.
#[cfg(feature = "report")]
pub(crate) fn td_cells(html: &str) -> Vec<String> {
    html.split("<td>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</td>").map(|(cell, _)| cell.to_string()))
        .collect()
}

/// The numbers written in `text` (`20,153`, `-0.0123`, `71.6%`), as the
/// digits and point they were written with, thousands separators dropped.
#[cfg(feature = "report")]
pub(crate) fn numbers_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_is_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || (c == '.' && !cur.is_empty() && next_is_digit) {
            cur.push(c);
        } else if c == ',' && !cur.is_empty() && next_is_digit {
            // a thousands separator: not a digit
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The significant digits of a number written as digits and a point:
/// leading zeros never count, trailing zeros of a whole number do not
/// either (`5863000` has 4, `0.0123` 3, `20.50` 4).
#[cfg(feature = "report")]
pub(crate) fn significant_digits(number: &str) -> usize {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    if number.contains('.') {
        digits.len()
    } else {
        digits.trim_end_matches('0').len()
    }
}

#[cfg(feature = "report")]
#[test]
fn significant_digits_are_counted_as_a_reader_counts_them() {
    assert_eq!(numbers_in("20,153 (+3; lower)"), ["20153", "3"]);
    assert_eq!(
        numbers_in("0.0123 to 5,863,225.2939"),
        ["0.0123", "5863225.2939"]
    );
    assert_eq!(numbers_in("lead_time_p95_h"), ["95"]);
    assert_eq!(significant_digits("5863225.2939"), 11);
    assert_eq!(significant_digits("20152.5000"), 9);
    assert_eq!(significant_digits("5863000"), 4);
    assert_eq!(significant_digits("0.0123"), 3);
    assert_eq!(significant_digits("0"), 0);
}
