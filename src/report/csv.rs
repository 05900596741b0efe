//! CSV files of the result documents, for R, pandas or a spreadsheet: one
//! header line, one row per record, every number in one format ([`number`]:
//! the shortest text that reads back to the same `f64`, blank when
//! undefined).
//!
//! Each writer takes any [`std::io::Write`]; the `cbec-sim` command writes
//! the files named by [`RunReport`]'s and the other documents' CSV lists.
//!
//! # Examples
//! ```
//! use cbec_sim::experiment::KpiEstimate;
//! use cbec_sim::report::csv;
//! let mut out = Vec::new();
//! csv::summary(&mut out, &[
//!     KpiEstimate::from_values("wait_mean_min", [Some(1.0), Some(2.0), Some(3.0)]),
//!     KpiEstimate::from_values("never_defined", [None, None]),
//! ])?;
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "kpi,n,mean,std_dev,half_width_95,min,max\n\
//!      wait_mean_min,3,2,1,2.4841377117503334,1,3\n\
//!      never_defined,0,,,,,\n"
//! );
//! # Ok::<(), cbec_sim::Error>(())
//! ```

use crate::error::Result;
use crate::experiment::{KpiEstimate, ShardResult};
use crate::report::document::{
    CONFIRM_HEADERS, CapacityReport, CompareReport, FactorialReport, PLAN_HEADERS,
    RobustnessReport, RunReport, SensitivityReport, SweepReport,
};
use std::io::Write;

/// Columns of `summary.csv`.
pub const SUMMARY_HEADER: [&str; 7] =
    ["kpi", "n", "mean", "std_dev", "half_width_95", "min", "max"];
/// Columns of `effects.csv` (compare).
pub const EFFECTS_HEADER: [&str; 9] = [
    "variant",
    "kpi",
    "baseline_mean",
    "variant_mean",
    "effect_mean",
    "effect_half_width_95",
    "verdict",
    "n",
    "variance_reduction",
];
/// Columns of `sweep.csv`.
pub const SWEEP_HEADER: [&str; 6] = crate::report::document::SWEEP_HEADERS;
/// Columns of `sweep_all_kpis.csv`.
pub const SWEEP_ALL_HEADER: [&str; 4] = ["value", "kpi", "mean", "half_width_95"];
/// Columns of `factorial.csv`.
pub const FACTORIAL_HEADER: [&str; 5] = ["kpi", "effect_of", "mean", "half_width_95", "verdict"];

/// A number in a CSV cell: the shortest text that reads back to the same
/// value, blank when undefined.
///
/// ```
/// use cbec_sim::report::csv::number;
/// assert_eq!(number(Some(0.1 + 0.2)), "0.30000000000000004");
/// assert_eq!(number(Some(4.0)), "4");
/// assert_eq!(number(None), "");
/// ```
#[must_use]
pub fn number(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

/// Writes a header line and `rows`.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if `w` fails.
pub fn write<W, R>(w: W, header: &[&str], rows: impl IntoIterator<Item = R>) -> Result<()>
where
    W: Write,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let mut out = ::csv::Writer::from_writer(w);
    out.write_record(header)?;
    for r in rows {
        out.write_record(r)?;
    }
    out.flush().map_err(::csv::Error::from)?;
    Ok(())
}

/// The text of a CSV file written by `f`.
///
/// # Errors
/// What `f` returns.
pub fn to_text(f: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<String> {
    let mut out = Vec::new();
    f(&mut out)?;
    Ok(String::from_utf8(out).expect("CSV of UTF-8 text is UTF-8"))
}

/// `summary.csv`: each KPI's estimate over replications.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if `w` fails.
pub fn summary(w: impl Write, estimates: &[KpiEstimate]) -> Result<()> {
    write(
        w,
        &SUMMARY_HEADER,
        estimates.iter().map(|e| {
            [
                e.name.clone(),
                e.n.to_string(),
                number(e.mean),
                number(e.std_dev),
                number(e.half_width_95),
                number(e.min),
                number(e.max),
            ]
        }),
    )
}

/// `replications.csv`: one row per replication (its index, then every KPI).
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if `w` fails.
pub fn replications(w: impl Write, shard: &ShardResult) -> Result<()> {
    let mut header = vec!["replication"];
    header.extend(shard.kpis.iter().map(String::as_str));
    write(
        w,
        &header,
        shard.rows.iter().zip(shard.indices()).map(|(row, i)| {
            let mut record = vec![i.to_string()];
            record.extend(row.iter().map(|v| number(*v)));
            record
        }),
    )
}

/// `effects.csv`: every variant's effect on every KPI.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if `w` fails.
pub fn effects(w: impl Write, doc: &CompareReport) -> Result<()> {
    write(
        w,
        &EFFECTS_HEADER,
        doc.variants.iter().flat_map(|v| {
            v.differences.iter().map(|d| {
                let mut row = vec![v.name.clone(), d.kpi.clone()];
                row.extend(d.cells(number));
                row.extend([
                    d.verdict.to_string(),
                    d.effect.kpi.n.to_string(),
                    number(d.variance_reduction),
                ]);
                row
            })
        }),
    )
}

/// `sweep.csv`: the swept KPI at each value, and whether it meets the target.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if `w` fails.
pub fn sweep(w: impl Write, doc: &SweepReport) -> Result<()> {
    write(w, &SWEEP_HEADER, doc.rows(number))
}

/// `sweep_all_kpis.csv`: every KPI at each value.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if `w` fails.
pub fn sweep_all_kpis(w: impl Write, doc: &SweepReport) -> Result<()> {
    write(
        w,
        &SWEEP_ALL_HEADER,
        doc.sweep.points.iter().flat_map(|p| {
            p.all.iter().map(move |e| {
                [
                    p.value.to_string(),
                    e.kpi.name.clone(),
                    number(e.kpi.mean),
                    number(e.kpi.half_width_95),
                ]
            })
        }),
    )
}

/// `factorial.csv`: every effect on every KPI.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if `w` fails.
pub fn factorial(w: impl Write, doc: &FactorialReport) -> Result<()> {
    write(
        w,
        &FACTORIAL_HEADER,
        doc.kpis.iter().flat_map(|f| {
            f.main
                .iter()
                .chain(&f.interactions)
                .zip(f.rows())
                .map(|(e, r)| {
                    [
                        f.kpi.clone(),
                        r[0].clone(),
                        number(e.estimate.kpi.mean),
                        number(e.estimate.kpi.half_width_95),
                        r[3].clone(),
                    ]
                })
        }),
    )
}

/// The first line of every CSV file of a partial result (a run, merge,
/// comparison or sweep cut short by a signal, or a merge with missing
/// replications): a comment, so a reader that skips `#` lines
/// (`pandas.read_csv(comment="#")`) reads the rest as usual.
pub const PARTIAL_MARKER: &str =
    "# partial: interrupted before every replication finished; only those below are included";

/// Puts [`PARTIAL_MARKER`] on its own line before the text of each file.
///
/// # Examples
/// ```
/// let mut files = vec![("a.csv", "x\n1\n".to_string())];
/// cbec_sim::report::csv::mark_partial(&mut files);
/// assert_eq!(files[0].1, format!("{}\nx\n1\n", cbec_sim::report::csv::PARTIAL_MARKER));
/// ```
pub fn mark_partial(files: &mut [(&'static str, String)]) {
    for (_, text) in files {
        text.insert(0, '\n');
        text.insert_str(0, PARTIAL_MARKER);
    }
}

/// `morris.csv` of a sensitivity study: one row per KPI and factor (every
/// factor), in numbers: its Morris indices, for the top factors its Sobol
/// indices, and the KPI's noise floor and noise share.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if writing fails.
pub fn sensitivity(w: impl Write, doc: &SensitivityReport) -> Result<()> {
    let header = [
        "kpi",
        "rank",
        "factor",
        "mu_star",
        "mu_star_half_width",
        "mu",
        "sigma",
        "within_noise",
        "s1",
        "s1_half_width",
        "st",
        "st_half_width",
        "noise_mu_star",
        "noise_share",
    ];
    let rows = doc.study.kpis.iter().flat_map(|k| {
        k.morris.iter().enumerate().map(move |(i, r)| {
            let sobol = k
                .sobol
                .iter()
                .find(|s| s.factor == r.factor)
                .map(|s| s.index);
            let f = |x: f64| number(Some(x).filter(|x| x.is_finite()));
            let o = |x: Option<f64>| number(x.filter(|x| x.is_finite()));
            vec![
                k.kpi.clone(),
                (i + 1).to_string(),
                r.factor.clone(),
                f(r.index.mu_star),
                f(r.index.mu_star_half_width),
                f(r.index.mu),
                f(r.index.sigma),
                r.within_noise.to_string(),
                o(sobol.map(|s| s.first)),
                o(sobol.map(|s| s.first_half_width)),
                o(sobol.map(|s| s.total)),
                o(sobol.map(|s| s.total_half_width)),
                f(k.noise_mu_star),
                f(k.noise_share),
            ]
        })
    });
    write(w, &header, rows)
}

/// `robustness.csv` of a robustness study: one row per variant and KPI,
/// in numbers; and `robustness_draws.csv`: one row per variant, KPI and
/// draw, with the effect, its verdict and the assumptions' values there.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if writing fails.
pub fn robustness_files(doc: &RobustnessReport) -> Result<Vec<(&'static str, String)>> {
    let header = [
        "variant",
        "kpi",
        "mean",
        "p05",
        "p50",
        "p95",
        "share_up",
        "share_down",
        "share_neither",
        "threshold",
        "share_beyond",
        "driver",
        "driver_rank_correlation",
        "split_factor",
        "split_at",
        "below_n",
        "below_share_up",
        "below_share_down",
        "above_n",
        "above_share_up",
        "above_share_down",
    ];
    let f = |x: f64| number(Some(x).filter(|x| x.is_finite()));
    let rows = doc.study.variants.iter().flat_map(|v| {
        v.kpis.iter().map(move |e| {
            let d = e.drivers.first();
            let s = e.split.as_ref();
            vec![
                v.variant.clone(),
                e.kpi.clone(),
                f(e.mean),
                f(e.percentiles[0]),
                f(e.percentiles[1]),
                f(e.percentiles[2]),
                f(e.share_up),
                f(e.share_down),
                f(e.share_neither),
                number(e.threshold),
                number(e.share_beyond),
                d.map_or(String::new(), |d| d.factor.clone()),
                number(d.map(|d| d.rank_correlation)),
                s.map_or(String::new(), |s| s.factor.clone()),
                number(s.map(|s| s.at)),
                s.map_or(String::new(), |s| s.below.0.to_string()),
                number(s.map(|s| s.below.1)),
                number(s.map(|s| s.below.2)),
                s.map_or(String::new(), |s| s.above.0.to_string()),
                number(s.map(|s| s.above.1)),
                number(s.map(|s| s.above.2)),
            ]
        })
    });
    let summary = to_text(|w| write(w, &header, rows))?;
    let mut header: Vec<&str> = vec!["variant", "kpi", "draw", "effect", "verdict"];
    header.extend(doc.study.factors.iter().map(String::as_str));
    let rows = doc.study.variants.iter().flat_map(|v| {
        v.kpis.iter().flat_map(move |e| {
            e.effects.iter().enumerate().map(move |(d, x)| {
                let mut r = vec![
                    v.variant.clone(),
                    e.kpi.clone(),
                    d.to_string(),
                    number(Some(*x).filter(|x| x.is_finite())),
                    e.verdicts[d].to_string(),
                ];
                r.extend(doc.study.values[d].iter().map(|x| x.to_string()));
                r
            })
        })
    });
    let draws = to_text(|w| write(w, &header, rows))?;
    Ok(vec![
        ("robustness.csv", summary),
        ("robustness_draws.csv", draws),
    ])
}

/// The CSV files of a capacity search: `capacity_plan.csv` (one row per
/// resource) and `capacity_confirmation.csv` (the plan and each one unit
/// cheaper, per target, on fresh replications).
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if writing fails.
pub fn capacity_files(doc: &CapacityReport) -> Result<Vec<(&'static str, String)>> {
    Ok(vec![
        (
            "capacity_plan.csv",
            to_text(|w| write(w, &PLAN_HEADERS, doc.plan_rows()))?,
        ),
        (
            "capacity_confirmation.csv",
            to_text(|w| write(w, &CONFIRM_HEADERS, doc.confirmation_rows()))?,
        ),
    ])
}

/// The CSV files of a run: `summary.csv` and `replications.csv` (name, text).
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if writing fails.
pub fn run_files(doc: &RunReport, shard: &ShardResult) -> Result<Vec<(&'static str, String)>> {
    Ok(vec![
        ("summary.csv", to_text(|w| summary(w, &doc.estimates()))?),
        ("replications.csv", to_text(|w| replications(w, shard))?),
    ])
}

/// The CSV file of a comparison: `effects.csv` (name, text).
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if writing fails.
pub fn compare_files(doc: &CompareReport) -> Result<Vec<(&'static str, String)>> {
    Ok(vec![("effects.csv", to_text(|w| effects(w, doc))?)])
}

/// The CSV files of a sweep: `sweep.csv` and `sweep_all_kpis.csv`.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if writing fails.
pub fn sweep_files(doc: &SweepReport) -> Result<Vec<(&'static str, String)>> {
    Ok(vec![
        ("sweep.csv", to_text(|w| sweep(w, doc))?),
        ("sweep_all_kpis.csv", to_text(|w| sweep_all_kpis(w, doc))?),
    ])
}

/// The CSV file of a sensitivity study: `morris.csv`.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if writing fails.
pub fn sensitivity_files(doc: &SensitivityReport) -> Result<Vec<(&'static str, String)>> {
    Ok(vec![("morris.csv", to_text(|w| sensitivity(w, doc))?)])
}

/// The CSV file of a factorial design: `factorial.csv`.
///
/// # Errors
/// [`Error::Csv`](crate::Error::Csv) if writing fails.
pub fn factorial_files(doc: &FactorialReport) -> Result<Vec<(&'static str, String)>> {
    Ok(vec![("factorial.csv", to_text(|w| factorial(w, doc))?)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_when_they_must_be() {
        let text = to_text(|w| write(w, &["a", "b"], [["x,y", "1"]])).unwrap();
        assert_eq!(text, "a,b\n\"x,y\",1\n");
    }

    #[test]
    fn numbers_read_back_exactly() {
        for x in [1.0 / 3.0, 1e-300, 123_456_789.125, -0.0] {
            assert_eq!(number(Some(x)).parse::<f64>().unwrap(), x);
        }
    }
}
