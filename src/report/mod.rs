//! Charts and reports: SVG charts (plotters) and a self-contained HTML
//! report, from the runs of an experiment. Behind the `report` feature
//! (on with the default `cli` feature).

pub mod charts;
mod html;

pub use html::HtmlReport;

use crate::model::RunSummary;
use crate::stats::DurationHistogram;
use charts::Series;

/// The distribution of interval `interval` over every order of every run,
/// as CDF points (hours, share at or below), for [`charts::lines`].
/// Empty if no run has the interval.
#[must_use]
pub fn interval_cdf(label: &str, runs: &[RunSummary], interval: &str) -> Series {
    let mut pooled = DurationHistogram::new();
    for r in runs {
        if let Some(iv) = r.interval(interval) {
            pooled.merge(&iv.duration_hist);
        }
    }
    Series::new(
        label,
        pooled
            .cdf()
            .into_iter()
            .map(|(t, share)| (t.hours(), share))
            .collect(),
    )
}

/// The queue length at `station` over time, averaged over runs at each
/// sample time (hours from the start), for [`charts::lines`]. Empty if the
/// runs were not sampled (`sample_every_min`) or have no such station.
#[must_use]
pub fn mean_queue_series(label: &str, runs: &[RunSummary], station: &str) -> Series {
    let columns: Vec<(&[f64], &[u32])> = runs
        .iter()
        .filter_map(|r| {
            let s = r.series.as_ref()?;
            let q = s.stations.iter().find(|x| x.name == station)?;
            Some((s.times.as_slice(), q.queue.as_slice()))
        })
        .collect();
    let Some(len) = columns.iter().map(|c| c.1.len()).min() else {
        return Series::new(label, Vec::new());
    };
    let points = (0..len)
        .map(|i| {
            let mean =
                columns.iter().map(|c| f64::from(c.1[i])).sum::<f64>() / columns.len() as f64;
            (columns[0].0[i] / 3600.0, mean)
        })
        .collect();
    Series::new(label, points)
}
