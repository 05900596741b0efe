//! The one entry point for replications: [`Experiment`], a consuming
//! builder ending in [`Experiment::run`], and its [`ExperimentResult`].
//!
//! A shard is a replication range, a precision stopping rule and a stop
//! flag (Ctrl-C) are options of the same builder, and an observer sees each
//! replication finish (for progress bars). Whatever the options, the
//! numbers of replication `i` are those of [`Simulation::new`]`(model,
//! seed, i)`, and results are folded in index order, so they are the same
//! bit for bit on 1 or N threads, in one run or in shards.
//!
//! Invariants:
//! - replications run in fixed chunks of [`CHUNK`] indices (or, with a
//!   precision rule, the rule's batches cut into chunks); chunk boundaries
//!   depend on the indices only, never on the number of threads;
//! - a stop flag only keeps replications from *starting*; the result
//!   keeps every replication that finished, each exactly what an
//!   uninterrupted run gives, and lists those of its span that did not in
//!   [`ShardResult::missing`].

use super::kpi::KpiEstimate;
use super::replications::{Replications, Seed};
use super::shard::{CHUNK, ShardResult};
use super::stopping::{Precision, StopDecision};
use crate::error::{Error, Result};
use crate::model::{Model, RunSummary, Simulation};
use serde::Serialize;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// Replications of a model: which ones, under which seed, with which
/// options. Build with [`Experiment::new`] and the `with_*` setters, then
/// [`run`](Experiment::run).
///
/// | option | default | setter |
/// | --- | --- | --- |
/// | master seed | `Seed(1)` | [`with_seed`](Experiment::with_seed) |
/// | replication range (a shard, or the most a precision rule may run) | `0..10` | [`with_replications`](Experiment::with_replications) |
/// | run until a KPI is precise enough | off | [`with_precision`](Experiment::with_precision) |
/// | stop starting replications once a flag is set | off | [`with_stop_flag`](Experiment::with_stop_flag) |
/// | call a function as each replication finishes | none | [`with_observer`](Experiment::with_observer) |
/// | keep every [`RunSummary`] (memory grows with the count) | off | [`with_summaries`](Experiment::with_summaries) |
///
/// [`run_folding`](Experiment::run_folding) runs them like
/// [`run`](Experiment::run) and also hands each summary, in index order,
/// to a fold (for charts), so none has to be kept.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::{Experiment, Precision, Replications, Seed};
/// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(30.0, "desk"))
///     .with_station("desk", Station::new(1, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(50.0))
///     .build()?;
/// // A shard: replications 8..16 of seed 42.
/// let shard = Experiment::new(&model)
///     .with_seed(Seed(42))
///     .with_replications(Replications::new(8..16)?)
///     .run()?;
/// assert_eq!((shard.finished(), shard.interrupted()), (8, false));
/// let wait = shard.shard.kpi("desk.wait_mean_min")?;
/// assert!(shard.shard.estimate(wait).mean.unwrap() > 0.0);
///
/// // Until the mean wait is known within ±10%, at most 200 replications.
/// let precise = Experiment::new(&model)
///     .with_seed(Seed(42))
///     .with_replications(Replications::first(200))
///     .with_precision(Precision::new("desk.wait_mean_min", 0.10))
///     .run()?;
/// assert!(precise.precision.unwrap().target_met);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Experiment<'a, F = fn(u64)> {
    model: &'a Model,
    seed: Seed,
    replications: Replications,
    precision: Option<Precision>,
    stop: Option<&'a AtomicBool>,
    observer: F,
    keep_summaries: bool,
}

impl<'a> Experiment<'a> {
    /// Replications `0..10` of `model` under `Seed(1)`, with no other option.
    pub fn new(model: &'a Model) -> Self {
        Experiment {
            model,
            seed: Seed::default(),
            replications: Replications::first(10),
            precision: None,
            stop: None,
            observer: |_| {},
            keep_summaries: false,
        }
    }
}

impl<'a, F: Fn(u64) + Sync> Experiment<'a, F> {
    /// The master seed.
    pub fn with_seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// The replications to run: a whole study (`0..n`), a shard (`a..b`),
    /// or, with a precision rule, the first index and the most to run.
    pub fn with_replications(mut self, replications: Replications) -> Self {
        self.replications = replications;
        self
    }

    /// Run only until `rule` is met (or the replication range is used up).
    pub fn with_precision(mut self, rule: Precision) -> Self {
        self.precision = Some(rule);
        self
    }

    /// Stop starting replications once `flag` is set (by a Ctrl-C handler,
    /// say). The replications finished by then are kept: see
    /// [`ExperimentResult::interrupted`].
    pub fn with_stop_flag(mut self, flag: &'a AtomicBool) -> Self {
        self.stop = Some(flag);
        self
    }

    /// Calls `observer(index)` as each replication finishes, from whichever
    /// thread ran it, in no particular order: for progress bars. The
    /// results are the same as without an observer.
    pub fn with_observer<G: Fn(u64) + Sync>(self, observer: G) -> Experiment<'a, G> {
        Experiment {
            model: self.model,
            seed: self.seed,
            replications: self.replications,
            precision: self.precision,
            stop: self.stop,
            observer,
            keep_summaries: self.keep_summaries,
        }
    }

    /// Keep every replication's [`RunSummary`] in
    /// [`ExperimentResult::summaries`]: memory then grows by a summary
    /// (about 1.4 MB for the Hongqiao baseline) per replication. Charts
    /// need only [`run_folding`](Experiment::run_folding).
    pub fn with_summaries(mut self) -> Self {
        self.keep_summaries = true;
        self
    }

    /// Runs the replications.
    ///
    /// # Errors
    /// As [`Experiment::run_folding`].
    pub fn run(self) -> Result<ExperimentResult> {
        self.run_folding(|_, _| {})
    }

    /// Runs the replications and calls `fold(index, summary)` with each
    /// one kept in the result, in index order (so what it builds is the
    /// same bit for bit on 1 or N threads), on the calling thread, before
    /// the summary is dropped: for charts or any statistic the KPI rows
    /// do not hold. At most [`CHUNK`] summaries are held at a time.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// use cbec_sim::experiment::{Experiment, Replications};
    /// let model = cbec_sim::presets::tandem().with_horizon(cbec_sim::SimTime::from_hours(20.0)).build()?;
    /// let mut seen = Vec::new();
    /// let r = Experiment::new(&model)
    ///     .with_replications(Replications::new(3..7)?)
    ///     .run_folding(|i, run| seen.push((i, run.network.entered)))?;
    /// assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), [3, 4, 5, 6]);
    /// assert!(seen.iter().all(|s| s.1 > 0) && r.finished() == 4);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Error::Experiment`] for an empty replication range or an invalid
    ///   precision rule, before anything runs;
    /// - [`Error::UnknownKpi`] if the precision rule names a KPI the model
    ///   does not offer (after its first batch, whose runs name the KPIs);
    /// - [`Error::Interrupted`] if the stop flag was set before the first
    ///   replication finished.
    pub fn run_folding(self, mut fold: impl FnMut(u64, &RunSummary)) -> Result<ExperimentResult> {
        let requested = self.replications.clone();
        if requested.is_empty() {
            return Err(Error::experiment(
                "replications",
                format!("the range {requested} is empty; at least 1 is needed"),
            ));
        }
        if let Some(rule) = &self.precision {
            rule.validate(requested.len())?;
        }
        let mut acc = Folded::default();
        let mut next = requested.start();
        let mut interrupted = false;
        loop {
            let size = match (&self.precision, acc.shard.is_some()) {
                (Some(rule), false) => rule.initial(),
                (Some(rule), true) => rule.batch(),
                (None, _) => requested.len(),
            };
            let end = next.saturating_add(size).min(requested.end());
            if self.run_batch(next..end, &mut acc, &mut fold) {
                interrupted = true;
                break;
            }
            next = end;
            if next == requested.end() {
                break;
            }
            if let Some(rule) = &self.precision
                && let Some(shard) = &acc.shard
                && rule.met_by(&watched(rule, shard)?)
            {
                break;
            }
        }
        let Some(mut shard) = acc.shard else {
            return Err(Error::Interrupted {
                finished: 0,
                requested: requested.len(),
            });
        };
        shard.partial = interrupted;
        let precision = match &self.precision {
            Some(rule) => {
                let watched = watched(rule, &shard)?;
                Some(StopDecision {
                    replications: shard.finished(),
                    target_met: rule.met_by(&watched),
                    watched: Some(watched),
                })
            }
            None => None,
        };
        Ok(ExperimentResult {
            finished: shard.finished(),
            shard,
            requested,
            interrupted,
            precision,
            summaries: acc.summaries,
        })
    }

    /// Runs the replications and returns only their summaries, in index
    /// order: no shard is folded (no KPI rows, no pooled histograms), so
    /// this is the cheapest way to get every [`RunSummary`]. Precision
    /// stopping needs the shard and is ignored here.
    ///
    /// # Errors
    /// [`Error::Experiment`] if the range is empty; [`Error::Interrupted`]
    /// if the stop flag was set before every replication started.
    pub fn run_summaries(self) -> Result<Vec<RunSummary>> {
        let requested = self.replications.clone();
        if requested.is_empty() {
            return Err(Error::experiment(
                "replications",
                format!("the range {requested} is empty; at least 1 is needed"),
            ));
        }
        let runs = self.run_chunk(requested.range());
        let finished = runs.iter().flatten().count() as u64;
        runs.into_iter()
            .collect::<Option<Vec<_>>>()
            .ok_or(Error::Interrupted {
                finished,
                requested: requested.len(),
            })
    }

    /// Runs `range` in chunks, folding each into `acc`; returns whether a
    /// stop cut it short.
    fn run_batch(
        &self,
        range: Range<u64>,
        acc: &mut Folded,
        fold: &mut impl FnMut(u64, &RunSummary),
    ) -> bool {
        // Kept summaries cost their memory anyway: one chunk, no barriers.
        let chunk = if self.keep_summaries {
            range.end - range.start
        } else {
            CHUNK
        };
        let mut start = range.start;
        while start < range.end {
            let end = start.saturating_add(chunk).min(range.end);
            let mut results = self.run_chunk(start..end).into_iter().peekable();
            let mut at = start;
            let mut skipped = false;
            // Each unbroken run of finished replications is folded in turn;
            // those skipped become the shard's missing ranges.
            while results.peek().is_some() {
                let runs: Vec<RunSummary> = results.by_ref().map_while(|r| r).collect();
                let done = at + runs.len() as u64;
                for (i, run) in (at..).zip(&runs) {
                    fold(i, run);
                }
                if !runs.is_empty() {
                    acc.fold(self.model, self.seed, at..done, runs, self.keep_summaries);
                }
                if results.peek().is_some() || done < end {
                    skipped = true;
                }
                at = done + 1;
            }
            if skipped {
                return true;
            }
            start = end;
        }
        false
    }

    /// Replications `range` in index order; `None` for each one skipped
    /// because the stop flag was set before it started.
    fn run_chunk(&self, range: Range<u64>) -> Vec<Option<RunSummary>> {
        let one = |i: u64| {
            if self.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                return None;
            }
            let r = Simulation::new(self.model, self.seed.0, i).run();
            (self.observer)(i);
            Some(r)
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            range.into_par_iter().map(one).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            range.map(one).collect()
        }
    }
}

/// The estimate of the KPI `rule` watches, over the runs of `shard`.
fn watched(rule: &Precision, shard: &ShardResult) -> Result<KpiEstimate> {
    let id = shard.kpi_for("precision", rule.kpi())?;
    Ok(shard.estimate(id))
}

/// What the finished chunks add up to.
#[derive(Default)]
struct Folded {
    shard: Option<ShardResult>,
    summaries: Vec<RunSummary>,
}

impl Folded {
    /// Adds the finished replications `range` (in index order).
    fn fold(
        &mut self,
        model: &Model,
        seed: Seed,
        range: Range<u64>,
        runs: Vec<RunSummary>,
        keep: bool,
    ) {
        let reps = Replications::new(range).expect("start <= end");
        let chunk = ShardResult::from_runs(model, seed, reps, &runs);
        self.shard = Some(match self.shard.take() {
            None => chunk,
            Some(acc) => acc.append(chunk),
        });
        if keep {
            self.summaries.extend(runs);
        }
    }
}

/// The result of an [`Experiment`]: the finished replications folded into
/// a [`ShardResult`], and how the run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct ExperimentResult {
    /// Every KPI of every finished replication, and the pooled time in
    /// system; it covers `shard.start..shard.end`.
    pub shard: ShardResult,
    /// The replications asked for.
    pub requested: Replications,
    /// Whether the stop flag cut the run short (see [`ExperimentResult::interrupted`]).
    interrupted: bool,
    /// Replications that finished (see [`ExperimentResult::finished`]).
    finished: u64,
    /// With a precision rule: whether it was met, after how many
    /// replications, and the watched KPI's estimate.
    pub precision: Option<StopDecision>,
    /// Each finished replication's summary, in index order, if
    /// [`Experiment::with_summaries`] asked for them; empty otherwise (and
    /// then left out of the serialized form).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub summaries: Vec<RunSummary>,
}

impl ExperimentResult {
    /// Replications that finished (and are in the result).
    #[must_use]
    pub fn finished(&self) -> u64 {
        self.finished
    }

    /// Whether the stop flag stopped the run before the replications it
    /// would have run (all of [`requested`](ExperimentResult::requested),
    /// or up to a precision rule's stop) finished. The result then holds
    /// every one of them that finished,
    /// [`finished`](ExperimentResult::finished) in all:
    /// `shard.start..shard.end` less the ranges in
    /// [`shard.missing`](ShardResult::missing), and should be reported as
    /// partial.
    #[must_use]
    pub fn interrupted(&self) -> bool {
        self.interrupted
    }

    /// The summaries, in index order (empty unless
    /// [`Experiment::with_summaries`] asked for them).
    #[must_use]
    pub fn into_summaries(self) -> Vec<RunSummary> {
        self.summaries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    fn model() -> Model {
        crate::presets::tandem()
            .with_horizon(SimTime::from_hours(40.0))
            .build()
            .unwrap()
    }

    #[test]
    fn summaries_alone_stop_and_refuse_like_a_run() {
        let m = model();
        let stop = AtomicBool::new(true);
        let err = Experiment::new(&m)
            .with_replications(reps(0..3))
            .with_stop_flag(&stop)
            .run_summaries()
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Interrupted {
                    finished: 0,
                    requested: 3
                }
            ),
            "{err}"
        );
        assert!(
            Experiment::new(&m)
                .with_replications(reps(3..3))
                .run_summaries()
                .is_err()
        );
    }

    fn reps(r: Range<u64>) -> Replications {
        Replications::new(r).unwrap()
    }

    /// Replications `r` of `m` under `seed`, no other option.
    fn plain(m: &Model, seed: u64, r: Range<u64>) -> ExperimentResult {
        Experiment::new(m)
            .with_seed(Seed(seed))
            .with_replications(reps(r))
            .run()
            .unwrap()
    }

    #[test]
    fn a_shard_holds_its_range_and_matches_the_whole_run() {
        let m = model();
        let whole = plain(&m, 3, 0..6);
        let a = plain(&m, 3, 0..2);
        let b = plain(&m, 3, 2..6);
        assert_eq!((b.shard.start, b.shard.end, b.finished()), (2, 6, 4));
        assert_eq!(
            ShardResult::merge(vec![b.shard, a.shard]).unwrap(),
            whole.shard
        );
        assert!(!whole.interrupted());
        assert!(whole.precision.is_none());
        assert!(whole.summaries.is_empty());
        let json = serde_json::to_value(&whole).unwrap();
        assert_eq!(json["interrupted"], false);
        assert_eq!(json["finished"], 6);
        assert_eq!(json["requested"]["end"], 6);
        assert!(json.get("summaries").is_none());
    }

    #[test]
    fn summaries_are_the_simulations_in_index_order() {
        let m = model();
        let r = Experiment::new(&m)
            .with_seed(Seed(9))
            .with_replications(reps(4..7))
            .with_summaries()
            .run()
            .unwrap();
        assert_eq!(r.summaries.len(), 3);
        for (k, s) in r.summaries.iter().enumerate() {
            assert_eq!(s, &Simulation::new(&m, 9, 4 + k as u64).run());
        }
        let without = plain(&m, 9, 4..7);
        assert_eq!(
            without.shard, r.shard,
            "keeping summaries changes nothing else"
        );
        let alone = Experiment::new(&m)
            .with_seed(Seed(9))
            .with_replications(reps(4..7))
            .run_summaries()
            .unwrap();
        assert_eq!(alone, r.summaries, "the same summaries without a shard");
        let mut folded = Vec::new();
        let f = Experiment::new(&m).with_seed(Seed(9));
        let f = f.with_replications(reps(4..7));
        let f = f.run_folding(|i, s| folded.push((i, s.clone()))).unwrap();
        assert!(
            f.shard == r.shard && f.summaries.is_empty(),
            "no other change"
        );
        let expected: Vec<_> = (4..).zip(alone).collect();
        assert!(folded == expected, "each summary, in index order");
    }

    #[test]
    fn the_observer_sees_every_replication() {
        let m = model();
        let seen = std::sync::Mutex::new(Vec::new());
        let _ = Experiment::new(&m)
            .with_replications(reps(0..5))
            .with_observer(|i| seen.lock().unwrap().push(i))
            .run()
            .unwrap();
        let mut seen = seen.into_inner().unwrap();
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, 3, 4]);
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn precision_stops_at_the_same_count_on_1_and_2_threads() {
        let m = model();
        let on = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                Experiment::new(&m)
                    .with_seed(Seed(5))
                    .with_replications(Replications::first(60))
                    .with_precision(
                        Precision::new("customs_review.wait_mean_min", 0.10)
                            .with_initial(4)
                            .with_batch(3),
                    )
                    .run()
                    .unwrap()
            })
        };
        let (one, two) = (on(1), on(2));
        assert_eq!(one, two);
        let d = one.precision.clone().unwrap();
        assert!(d.target_met);
        assert_eq!(d.replications, one.finished());
        assert!(
            d.replications >= 4 && (d.replications - 4) % 3 == 0,
            "{}",
            d.replications
        );
    }

    #[test]
    fn precision_missed_runs_the_whole_range() {
        let m = model();
        let r = Experiment::new(&m)
            .with_replications(Replications::first(7))
            .with_precision(
                Precision::new("customs_review.wait_mean_min", 1e-9)
                    .with_initial(2)
                    .with_batch(2),
            )
            .run()
            .unwrap();
        let d = r.precision.unwrap();
        assert_eq!((d.replications, d.target_met), (7, false));
    }

    #[test]
    fn precision_with_an_unknown_kpi_names_the_closest() {
        let m = model();
        let err = Experiment::new(&m)
            .with_replications(Replications::first(4))
            .with_precision(Precision::new("customs_review.wiat_mean_min", 0.1).with_initial(2))
            .run()
            .unwrap_err();
        match err {
            Error::UnknownKpi {
                option, closest, ..
            } => {
                assert_eq!(option, "precision");
                assert_eq!(closest, ["customs_review.wait_mean_min"]);
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn an_empty_range_is_an_error() {
        let m = model();
        let err = Experiment::new(&m)
            .with_replications(reps(3..3))
            .run()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "replications: the range 3..3 is empty; at least 1 is needed"
        );
    }

    #[test]
    fn a_flag_set_before_the_start_is_an_interruption_with_nothing_finished() {
        let m = model();
        let stop = AtomicBool::new(true);
        let err = Experiment::new(&m)
            .with_replications(Replications::first(4))
            .with_stop_flag(&stop)
            .run()
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Interrupted {
                    finished: 0,
                    requested: 4
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn interruption_keeps_the_finished_replications() {
        let m = model();
        let stop = AtomicBool::new(false);
        // Set the flag as replication 1 finishes: on one thread, 0 and 1
        // finish and nothing after them starts.
        let run = || {
            Experiment::new(&m)
                .with_seed(Seed(2))
                .with_replications(Replications::first(40))
                .with_stop_flag(&stop)
                .with_observer(|i| {
                    if i == 1 {
                        stop.store(true, Ordering::Relaxed);
                    }
                })
                .run()
                .unwrap()
        };
        #[cfg(feature = "parallel")]
        let r = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(run);
        #[cfg(not(feature = "parallel"))]
        let r = run();
        assert!(r.interrupted());
        assert_eq!((r.shard.start, r.shard.end, r.finished()), (0, 2, 2));
        let mut whole = plain(&m, 2, 0..2).shard;
        assert!(r.shard.partial && !whole.partial);
        whole.partial = true;
        assert!(
            r.shard == whole,
            "finished replications are those of an uninterrupted run"
        );
    }
}
