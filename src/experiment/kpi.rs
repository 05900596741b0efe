//! Planner-level KPIs read from replications, with their spread.
//!
//! A [`KpiCatalogue`] names every KPI a run offers, in a stable order; a
//! [`KpiId`] is a name checked against it (an unknown name is an
//! [`Error::UnknownKpi`] with the closest valid one), so user code looks
//! KPIs up by handle rather than by matching strings.

use super::planner::{daily_entries, planner_entries};
use crate::error::{Error, Result};
use crate::model::{Model, RunSummary, Simulation, StationSummary};
use crate::stats::{DurationHistogram, OnlineMoments};
use crate::suggest::{MAX_SUGGESTIONS, closest};
use serde::{Deserialize, Serialize};

/// One KPI estimated across replications.
///
/// # Formula
/// `mean ± t_{0.975, n-1} · sd / √n`: the half-width of the two-sided 95%
/// Student-t confidence interval for the mean over independent replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KpiEstimate {
    /// KPI name with its unit, such as `review.wait_mean_min`.
    pub name: String,
    /// Replications in which the KPI was defined.
    pub n: u64,
    /// Mean over replications.
    pub mean: Option<f64>,
    /// Standard deviation over replications.
    pub std_dev: Option<f64>,
    /// Half-width of the 95% confidence interval of the mean.
    pub half_width_95: Option<f64>,
    /// Smallest replication value.
    pub min: Option<f64>,
    /// Largest replication value.
    pub max: Option<f64>,
}

impl KpiEstimate {
    /// Estimates a KPI from per-replication values (`None` where undefined).
    pub fn from_values(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<f64>>,
    ) -> Self {
        let m: OnlineMoments = values.into_iter().flatten().collect();
        KpiEstimate {
            name: name.into(),
            n: m.count(),
            mean: m.mean(),
            std_dev: m.std_dev(),
            half_width_95: m.confidence_half_width(0.95),
            min: m.min(),
            max: m.max(),
        }
    }

    /// The estimate of KPI `name` among `estimates`, checked.
    ///
    /// # Errors
    /// [`Error::UnknownKpi`] at `kpi`, with the closest valid name.
    pub fn find<'a>(estimates: &'a [KpiEstimate], name: &str) -> Result<&'a KpiEstimate> {
        let id = kpi_index("kpi", name, estimates.iter().map(|e| e.name.as_str()))?;
        Ok(&estimates[id.0])
    }

    /// The relative half-width, `half_width_95 / |mean|`.
    #[must_use]
    pub fn relative_half_width(&self) -> Option<f64> {
        let (m, h) = (self.mean?, self.half_width_95?);
        (m != 0.0).then(|| h / m.abs())
    }
}

/// A KPI checked against a catalogue: its position in catalogue order.
///
/// Get one from [`KpiCatalogue::kpi`] or [`ShardResult::kpi`](super::ShardResult::kpi).
/// A handle is valid for every catalogue of runs of the same model (and
/// of variants that keep its parts: KPIs are read by part name), and for
/// shards of that model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KpiId(pub(crate) usize);

impl KpiId {
    /// The position in catalogue order (the column of [`ShardResult::rows`](super::ShardResult::rows)).
    #[must_use]
    pub fn index(self) -> usize {
        self.0
    }
}

/// The KPI called `kpi` among `names`, or an [`Error::UnknownKpi`] at
/// `option` with the closest names (at most five).
pub(crate) fn kpi_index<'a>(
    option: &str,
    kpi: &str,
    names: impl Iterator<Item = &'a str> + Clone,
) -> Result<KpiId> {
    names
        .clone()
        .position(|n| n == kpi)
        .map(KpiId)
        .ok_or_else(|| Error::UnknownKpi {
            option: option.to_string(),
            name: kpi.to_string(),
            closest: closest(kpi, names.clone(), MAX_SUGGESTIONS)
                .into_iter()
                .map(str::to_string)
                .collect(),
            known: names.map(str::to_string).collect(),
        })
}

/// How to read one KPI from a run.
pub(super) type Reader = Box<dyn Fn(&RunSummary) -> Option<f64> + Send + Sync>;

/// How to read one KPI from a station's summary.
type StationKpi = fn(&StationSummary) -> Option<f64>;

/// The catalogue of KPIs a run offers, in a stable order: the network
/// first, then each station, each dispatch point, each credit pool, each interval and each
/// sink, in model order.
pub struct KpiCatalogue {
    entries: Vec<(String, Reader)>,
}

impl std::fmt::Debug for KpiCatalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|e| &e.0))
            .finish()
    }
}

/// The quantiles offered beside each mean time: (name part, level).
const QUANTILES: [(&str, f64); 4] = [("p50", 0.50), ("p90", 0.90), ("p95", 0.95), ("p99", 0.99)];

pub(super) fn minutes(secs: Option<f64>) -> Option<f64> {
    secs.map(|s| s / 60.0)
}

pub(super) fn observed_days(r: &RunSummary) -> Option<f64> {
    let d = r.network.in_system.duration / 86_400.0;
    (d > 0.0).then_some(d)
}

impl KpiCatalogue {
    /// Every KPI of a run shaped like `example` (same stations, sinks, intervals).
    ///
    /// If the model names its planner parts ([`ReportSpec`](crate::ReportSpec)), the planner
    /// KPIs come first (see [`planner_kpi_names`](super::planner_kpi_names)).
    ///
    /// Names (times in minutes; quantiles `p50`, `p90`, `p95`, `p99` from
    /// histograms within 1%):
    /// - network: `network.time_in_system_mean_min`,
    ///   `network.time_in_system_{p50,p90,p95,p99}_min`,
    ///   `network.in_system_mean` (L), `network.in_system_at_start` and
    ///   `network.in_system_at_end` (the orders inside as the window opens
    ///   and closes: over a finite window `L = λW` holds only up to them),
    ///   `network.entered_per_day`, `network.left_per_day`;
    /// - per station or delay: `<name>.wait_mean_min`,
    ///   `.wait_{p50,p90,p95,p99}_min`, `.prob_wait` (among admitted
    ///   orders), `.queue_mean` (Lq), `.in_station_mean` (L),
    ///   `.sojourn_mean_min` (W), `.utilization`, `.throughput_per_hour`,
    ///   `.blocking_probability` (rejected ÷ offered), `.rejected`,
    ///   `.reneged`, `.overtime_h`; with several classes, per class
    ///   `<name>.by_class.<class>.wait_mean_min` and `.sojourn_mean_min`;
    /// - per dispatch point: `<name>.wait_mean_min`, `.vehicles`;
    /// - per credit pool ([`Pool`](crate::Pool)): `<name>.utilization`
    ///   (time-average drawn ÷ balance), `.blocked_share` (share of time
    ///   with orders waiting), `.wait_mean_min` (over every order that
    ///   drew, 0 for those that did not wait), `.waiting_mean`,
    ///   `.waiting_max`, `.draws`, `.oversize`;
    /// - per stock ([`Stock`](crate::Stock)): `<name>.fill_rate` (share of
    ///   orders served at once), `.stocked_out_share` (share of time with
    ///   orders waiting), `.wait_mean_h` (over every order that drew),
    ///   `.waiting_max`, `.on_hand_mean` (units), `.cancelled`,
    ///   `.lots_received`, `.waiting_at_end`;
    /// - per interval: `<name>.mean_min`, `.{p50,p90,p95,p99}_min`;
    /// - per sink: `<name>.per_day`, `.time_in_system_mean_min`; with
    ///   several classes, `<name>.by_class.<class>.time_in_system_mean_min`;
    /// - per calendar day of the window: `day.<date>.entered`, `.left`,
    ///   `.in_system_at_end`, and with planner KPIs the daily ones (see
    ///   [`daily_kpi_names`](super::daily_kpi_names)).
    #[must_use]
    ///
    /// Readers look parts up by name, so a variant with other parts still
    /// reads each KPI from the part of the same name.
    pub fn for_run(example: &RunSummary) -> Self {
        let mut entries = example
            .report
            .as_ref()
            .map(|spec| planner_entries(spec, example))
            .unwrap_or_default();
        entries.extend::<Vec<(String, Reader)>>(vec![(
            "network.time_in_system_mean_min".into(),
            Box::new(|r| minutes(r.network.time_in_system.mean())),
        )]);
        for (label, q) in QUANTILES {
            entries.push((
                format!("network.time_in_system_{label}_min"),
                Box::new(move |r| {
                    r.network
                        .time_in_system_hist
                        .quantile(q)
                        .map(|t| t.minutes())
                }),
            ));
        }
        entries.extend::<Vec<(String, Reader)>>(vec![
            (
                "network.in_system_mean".into(),
                Box::new(|r| r.network.in_system.mean()),
            ),
            (
                "network.in_system_at_start".into(),
                Box::new(|r| Some(r.network.in_system_at_start as f64)),
            ),
            (
                "network.in_system_at_end".into(),
                Box::new(|r| Some(r.conservation.in_system as f64)),
            ),
            (
                "network.left_per_day".into(),
                Box::new(|r| Some(r.network.left as f64 / observed_days(r)?)),
            ),
            (
                "network.entered_per_day".into(),
                Box::new(|r| Some(r.network.entered as f64 / observed_days(r)?)),
            ),
        ]);
        for s in &example.stations {
            let reader = |f: StationKpi| -> Reader {
                let name = s.name.clone();
                Box::new(move |r: &RunSummary| r.station(&name).and_then(f))
            };
            let kpis: [(&str, StationKpi); 15] = [
                ("wait_mean_min", |s| s.wait_mean_min()),
                ("wait_p50_min", |s| s.wait_quantile_min(0.50)),
                ("wait_p90_min", |s| s.wait_quantile_min(0.90)),
                ("wait_p95_min", |s| s.wait_quantile_min(0.95)),
                ("wait_p99_min", |s| s.wait_quantile_min(0.99)),
                ("prob_wait", |s| s.prob_wait()),
                ("queue_mean", |s| s.mean_queue()),
                ("in_station_mean", |s| s.mean_in_station()),
                ("sojourn_mean_min", |s| s.sojourn_mean_min()),
                ("utilization", |s| s.utilization()),
                ("throughput_per_hour", |s| s.throughput_per_hour()),
                ("blocking_probability", |s| s.blocking_probability()),
                ("rejected", |s| Some(s.rejected as f64)),
                ("reneged", |s| Some(s.reneged as f64)),
                ("overtime_h", |s| Some(s.overtime_hours())),
            ];
            for (kpi, f) in kpis {
                entries.push((format!("{}.{kpi}", s.name), reader(f)));
            }
            for (i, c) in s.by_class.iter().enumerate() {
                let (a, b) = (s.name.clone(), s.name.clone());
                entries.push((
                    format!("{}.by_class.{}.wait_mean_min", s.name, c.class),
                    Box::new(move |r| r.station(&a)?.by_class.get(i)?.wait_mean_min()),
                ));
                entries.push((
                    format!("{}.by_class.{}.sojourn_mean_min", s.name, c.class),
                    Box::new(move |r| r.station(&b)?.by_class.get(i)?.time_mean_min()),
                ));
            }
        }
        for d in &example.dispatches {
            let (a, b) = (d.name.clone(), d.name.clone());
            entries.push((
                format!("{}.wait_mean_min", d.name),
                Box::new(move |r| minutes(r.dispatch(&a)?.wait.mean())),
            ));
            entries.push((
                format!("{}.vehicles", d.name),
                Box::new(move |r| Some(r.dispatch(&b)?.vehicles as f64)),
            ));
        }
        for p in &example.pools {
            type PoolKpi = fn(&crate::PoolSummary) -> Option<f64>;
            let kpis: [(&str, PoolKpi); 7] = [
                ("utilization", |s| s.utilization()),
                ("blocked_share", |s| s.blocked_share()),
                ("wait_mean_min", |s| minutes(s.wait.mean())),
                ("waiting_mean", |s| s.waiting.mean()),
                ("waiting_max", |s| Some(s.waiting.max)),
                ("draws", |s| Some(s.draws as f64)),
                ("oversize", |s| Some(s.oversize as f64)),
            ];
            for (kpi, f) in kpis {
                let name = p.name.clone();
                entries.push((
                    format!("{}.{kpi}", p.name),
                    Box::new(move |r| f(r.pool(&name)?)),
                ));
            }
        }
        for p in &example.stocks {
            type StockKpi = fn(&crate::StockSummary) -> Option<f64>;
            let kpis: [(&str, StockKpi); 8] = [
                ("fill_rate", |s| s.fill_rate()),
                ("stocked_out_share", |s| s.stocked_out.mean()),
                ("wait_mean_h", |s| s.wait.mean().map(|w| w / 3600.0)),
                ("waiting_max", |s| Some(s.waiting.max)),
                ("on_hand_mean", |s| Some(s.on_hand)),
                ("cancelled", |s| Some(s.cancelled as f64)),
                ("lots_received", |s| Some(s.lots_received as f64)),
                ("waiting_at_end", |s| Some(s.waiting_at_end as f64)),
            ];
            for (kpi, f) in kpis {
                let name = p.name.clone();
                entries.push((
                    format!("{}.{kpi}", p.name),
                    Box::new(move |r| f(r.stock(&name)?)),
                ));
            }
        }
        for iv in &example.intervals {
            let (a, b) = (iv.name.clone(), iv.name.clone());
            entries.push((
                format!("{}.mean_min", iv.name),
                Box::new(move |r| minutes(r.interval(&a)?.duration.mean())),
            ));
            for (label, q) in QUANTILES {
                let b = b.clone();
                entries.push((
                    format!("{}.{label}_min", iv.name),
                    Box::new(move |r| {
                        r.interval(&b)?
                            .duration_hist
                            .quantile(q)
                            .map(|t| t.minutes())
                    }),
                ));
            }
        }
        for s in &example.sinks {
            let (a, b) = (s.name.clone(), s.name.clone());
            entries.push((
                format!("{}.per_day", s.name),
                Box::new(move |r| Some(r.sink(&a)?.count as f64 / observed_days(r)?)),
            ));
            entries.push((
                format!("{}.time_in_system_mean_min", s.name),
                Box::new(move |r| minutes(r.sink(&b)?.time_in_system.mean())),
            ));
            for (i, c) in s.by_class.iter().enumerate() {
                let a = s.name.clone();
                entries.push((
                    format!("{}.by_class.{}.time_in_system_mean_min", s.name, c.class),
                    Box::new(move |r| r.sink(&a)?.by_class.get(i)?.time_mean_min()),
                ));
            }
        }
        for d in &example.window_dates {
            let (a, b, c) = (d.clone(), d.clone(), d.clone());
            let day = |r: &RunSummary, date: &str| r.days.iter().position(|x| x.date == date);
            entries.push((
                format!("day.{d}.entered"),
                Box::new(move |r| Some(r.days[day(r, &a)?].entered as f64)),
            ));
            entries.push((
                format!("day.{d}.left"),
                Box::new(move |r| Some(r.days[day(r, &b)?].left as f64)),
            ));
            entries.push((
                format!("day.{d}.in_system_at_end"),
                Box::new(move |r| Some(r.days[day(r, &c)?].in_system_at_end as f64)),
            ));
        }
        if let Some(spec) = &example.report {
            entries.extend(daily_entries(spec, &example.window_dates));
        }
        KpiCatalogue { entries }
    }

    /// KPI names, in catalogue order.
    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.entries.iter().map(|e| e.0.as_str())
    }

    /// The KPI called `name`, checked.
    ///
    /// # Errors
    /// [`Error::UnknownKpi`] at `kpi`, with the closest valid name.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// use cbec_sim::experiment::{Experiment, KpiCatalogue, Replications};
    /// let model = cbec_sim::presets::tandem().with_horizon(cbec_sim::SimTime::from_hours(20.0)).build()?;
    /// let runs = Experiment::new(&model).with_replications(Replications::first(2)).with_summaries().run()?.summaries;
    /// let catalogue = KpiCatalogue::for_run(&runs[0]);
    /// let wait = catalogue.kpi("customs_review.wait_mean_min")?;
    /// assert!(catalogue.get(wait, &runs[1]).is_some());
    /// let typo = catalogue.kpi("customs_review.wiat_mean_min").unwrap_err().to_string();
    /// assert!(typo.contains("did you mean \"customs_review.wait_mean_min\"?"), "{typo}");
    /// # Ok(()) }
    /// ```
    pub fn kpi(&self, name: &str) -> Result<KpiId> {
        kpi_index("kpi", name, self.names())
    }

    /// [`KpiCatalogue::kpi`], naming `option` (a command-line flag, say)
    /// in the error.
    ///
    /// # Errors
    /// [`Error::UnknownKpi`] at `option`, with the closest valid name.
    pub fn kpi_for(&self, option: &str, name: &str) -> Result<KpiId> {
        kpi_index(option, name, self.names())
    }

    /// Every KPI a run of `model` offers, known before any replication
    /// runs: the catalogue of a run that has not started, whose parts are
    /// the model's. It names the same KPIs, in the same order, as
    /// [`KpiCatalogue::for_run`] on any finished run of `model`, so a
    /// misspelt name can be refused before a long experiment.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// use cbec_sim::experiment::KpiCatalogue;
    /// let model = cbec_sim::presets::tandem().with_horizon(cbec_sim::SimTime::from_hours(20.0)).build()?;
    /// let catalogue = KpiCatalogue::for_model(&model);
    /// assert!(catalogue.kpi("customs_review.wait_mean_min").is_ok());
    /// let typo = catalogue.kpi_for("--kpi", "customs_review.wiat_mean_min").unwrap_err().to_string();
    /// assert!(typo.starts_with("--kpi: unknown KPI"), "{typo}");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn for_model(model: &Model) -> Self {
        Self::for_run(&Simulation::new(model, 0, 0).summary())
    }

    /// The name of a KPI.
    ///
    /// # Panics
    /// If `id` comes from a catalogue with more KPIs than this one.
    #[must_use]
    pub fn name(&self, id: KpiId) -> &str {
        &self.entries[id.0].0
    }

    /// The value of a KPI in one run (`None` where undefined).
    ///
    /// # Panics
    /// If `id` comes from a catalogue with more KPIs than this one.
    #[must_use]
    pub fn get(&self, id: KpiId, run: &RunSummary) -> Option<f64> {
        (self.entries[id.0].1)(run)
    }

    /// Every KPI, in catalogue order.
    pub fn ids(&self) -> impl Iterator<Item = KpiId> + use<> {
        (0..self.entries.len()).map(KpiId)
    }

    /// Every KPI estimated across `runs`, in catalogue order.
    #[must_use]
    pub fn estimate(&self, runs: &[RunSummary]) -> Vec<KpiEstimate> {
        self.entries
            .iter()
            .map(|(name, f)| KpiEstimate::from_values(name.clone(), runs.iter().map(f)))
            .collect()
    }

    /// Per-replication values: one row per run, one column per KPI.
    #[must_use]
    pub fn rows(&self, runs: &[RunSummary]) -> Vec<Vec<Option<f64>>> {
        runs.iter()
            .map(|r| self.entries.iter().map(|(_, f)| f(r)).collect())
            .collect()
    }
}

/// Confidence of the backlog test: a stable system is flagged in at most
/// 1% of studies (less, as the variance is bounded from above).
const BACKLOG_CONFIDENCE: f64 = 0.99;

/// A warning if the backlog grew through the window, tested over
/// replications so that a stable system is not flagged by chance.
///
/// The orders in the system at the window's end are compared with a
/// reference: those at its opening when it opens loaded (after a pre-roll
/// or warm-up, usually at the same time of day as it ends), else the
/// time-average number in the system (a backlog growing steadily from
/// empty ends at twice its average; a stable one ends near it). The
/// backlog grew when the end exceeds 1.2 times the reference with 99%
/// confidence (one-sided Student t on the mean over replications, with
/// the standard deviation of the difference bounded above by the sum of
/// the two: the two are correlated, and this needs no per-replication
/// rows), and by at least 10 orders and, from a loaded opening, 5% of a
/// day's entries.
///
/// Where a stable system's end is on average its reference (a window in
/// steady state, or opening and closing at the same time of day), the line
/// tested is 0.2 times the reference above it, so a stable system is
/// flagged in at most 1% of studies: on the stable tandem line (every
/// stage at utilisation 0.83) none of 100 ten-replication studies is,
/// warmed up or from empty (a test checks it). A window that ends in a
/// long start-up transient or at a daily peak while opening in a trough
/// breaks that assumption (the bound on the variance kept such cases
/// unflagged in our trials). With one replication there is no variance to
/// test against, and no flag is given.
#[must_use]
pub fn growing_backlog(estimates: &[KpiEstimate]) -> Option<String> {
    let find = |n: &str| estimates.iter().find(|e| e.name == n);
    let end = find("network.in_system_at_end")?;
    let avg = find("network.in_system_mean")?;
    let start = find("network.in_system_at_start");
    let (e, a) = (end.mean?, avg.mean?);
    let s = start.and_then(|x| x.mean).unwrap_or(0.0);
    let per_day = find("network.entered_per_day")
        .and_then(|x| x.mean)
        .unwrap_or(0.0);
    let reference = match start {
        Some(x) if s > 0.0 => x,
        _ => avg,
    };
    let r = reference.mean?;
    let floor = if s > 0.0 {
        (0.05 * per_day).max(10.0)
    } else {
        10.0
    };
    if e - s < floor {
        return None;
    }
    let grew = match (end.std_dev, reference.std_dev, end.n.min(reference.n)) {
        (Some(sd_e), Some(sd_r), n) if n >= 2 => {
            let t = statrs::distribution::StudentsT::new(0.0, 1.0, (n - 1) as f64)
                .map(|t| {
                    use statrs::distribution::ContinuousCDF;
                    t.inverse_cdf(BACKLOG_CONFIDENCE)
                })
                .ok()?;
            let se = (sd_e + 1.2 * sd_r) / (n as f64).sqrt();
            e - 1.2 * r - t * se > 0.0
        }
        _ => false,
    };
    grew.then(|| {
        format!(
            "the backlog grew through the window: {s:.0} orders in the system at its opening, {e:.0} at its end, {a:.0} on average; the system does not keep up with its demand (see `cbec-sim explain`), and no pre-roll will bring it to a steady state"
        )
    })
}

/// The network time-in-system distribution of all `runs` pooled: quantiles
/// over every order of every replication.
#[must_use]
pub fn pooled_time_in_system(runs: &[RunSummary]) -> DurationHistogram {
    let mut h = DurationHistogram::new();
    for r in runs {
        h.merge(&r.network.time_in_system_hist);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 3] = ["desk.wait_mean_min", "desk.utilization", "done.per_day"];

    #[test]
    fn kpi_index_finds_the_position() {
        let id = kpi_index("kpi", "desk.utilization", NAMES.into_iter()).unwrap();
        assert_eq!(id.index(), 1);
    }

    #[test]
    fn kpi_index_names_the_closest_and_lists_all() {
        match kpi_index("precision", "desk.utilisation", NAMES.into_iter()) {
            Err(Error::UnknownKpi {
                option,
                name,
                closest,
                known,
            }) => {
                assert_eq!(
                    (option.as_str(), name.as_str()),
                    ("precision", "desk.utilisation")
                );
                assert_eq!(closest, ["desk.utilization"]);
                assert_eq!(known, NAMES);
            }
            other => panic!("{other:?}"),
        }
        let far = kpi_index("kpi", "lead_time", NAMES.into_iter()).unwrap_err();
        assert!(matches!(far, Error::UnknownKpi { ref closest, .. } if closest.is_empty()));
        assert_eq!(
            far.to_string(),
            "kpi: unknown KPI \"lead_time\"; the KPIs are \"desk.wait_mean_min\", \"desk.utilization\" and \"done.per_day\""
        );
    }

    #[test]
    fn estimate_find_is_checked() {
        let estimates: Vec<KpiEstimate> = NAMES
            .iter()
            .map(|n| KpiEstimate::from_values(*n, [Some(1.0), Some(2.0)]))
            .collect();
        assert_eq!(
            KpiEstimate::find(&estimates, "done.per_day").unwrap().name,
            "done.per_day"
        );
        assert!(KpiEstimate::find(&estimates, "done.perday").is_err());
    }

    #[test]
    fn relative_half_width_needs_a_non_zero_mean() {
        let zero = KpiEstimate::from_values("k", [Some(-1.0), Some(1.0)]);
        assert_eq!(zero.relative_half_width(), None);
        let one = KpiEstimate::from_values("k", [Some(1.0)]);
        assert_eq!(one.relative_half_width(), None, "one value has no interval");
    }
}
