//! Splitting a study into shards by replication range, and merging them.

use super::kpi::{KpiCatalogue, KpiEstimate};
use super::run_replications_observed_while;
use crate::error::{Error, Result};
use crate::model::{Model, RunSummary};
use crate::rng::StreamId;
use crate::stats::DurationHistogram;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// Replications run and folded together at a time by [`ShardResult::run_observed`].
pub const CHUNK: u64 = 32;

/// Version of the shard file format; merging refuses other versions.
pub const SHARD_FORMAT_VERSION: u32 = 1;

/// The result of replications `start..end` of one model under one seed, in
/// a form that merges exactly with the results of other ranges.
///
/// It keeps one row of KPI values per replication (a few dozen numbers
/// each) and the pooled time-in-system histogram (integer counts), so
/// merging shards and estimating gives exactly the numbers of one run over
/// the whole range: rows are taken in replication order, counts add.
///
/// Written as JSON by [`ShardResult::to_json`]; the `format_version` field
/// says which layout a file uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShardResult {
    /// [`SHARD_FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// `cbec-sim` version of the writer.
    pub crate_version: String,
    /// FNV-1a hash of the model description: shards of different models do not merge.
    pub model_fingerprint: u64,
    /// Master seed.
    pub seed: u64,
    /// First replication index.
    pub start: u64,
    /// One past the last replication index.
    pub end: u64,
    /// KPI names, the columns of `rows`.
    pub kpis: Vec<String>,
    /// Per replication, in index order: the KPI values (`None` where undefined).
    pub rows: Vec<Vec<Option<f64>>>,
    /// Network time in system, every order of every replication.
    pub time_in_system: DurationHistogram,
}

/// The fingerprint of a model: FNV-1a of its description's debug form.
#[must_use]
pub fn model_fingerprint(model: &Model) -> u64 {
    StreamId::fnv1a(format!("{:?}", model.description()).as_bytes())
}

impl ShardResult {
    /// Runs replications `range` of `model` under `seed`.
    ///
    /// # Errors
    /// [`Error::Scenario`] if the range is empty.
    pub fn run(model: &Model, seed: u64, range: Range<u64>) -> Result<Self> {
        Self::run_observed(model, seed, range, |_| {})
    }

    /// [`ShardResult::run`], calling `done(index)` as each replication finishes.
    ///
    /// Replications run in fixed chunks of [`CHUNK`] indices; each chunk's
    /// summaries are folded into the result (a row each, histogram counts
    /// added) and dropped, so memory stays flat however many replications
    /// run. Chunk boundaries depend on the indices only, never on the
    /// number of threads.
    ///
    /// # Errors
    /// [`Error::Scenario`] if the range is empty.
    pub fn run_observed(
        model: &Model,
        seed: u64,
        range: Range<u64>,
        done: impl Fn(u64) + Sync,
    ) -> Result<Self> {
        Self::run_interruptible(model, seed, range, done, &AtomicBool::new(false))
    }

    /// [`ShardResult::run_observed`] that stops early once `stop` is set
    /// (by a Ctrl-C handler, say): replications not yet started are
    /// skipped, and the result covers the longest run of finished
    /// replications from the start, `start..end` with `end` possibly short
    /// of `range.end` (compare them to tell). Each finished replication is
    /// exactly what an uninterrupted run gives.
    ///
    /// # Errors
    /// [`Error::Scenario`] if the range is empty, or if `stop` was set
    /// before the first replication finished.
    pub fn run_interruptible(
        model: &Model,
        seed: u64,
        range: Range<u64>,
        done: impl Fn(u64) + Sync,
        stop: &AtomicBool,
    ) -> Result<Self> {
        if range.is_empty() {
            return Err(Error::scenario(
                "shard",
                format!("the replication range {range:?} is empty"),
            ));
        }
        let mut result: Option<ShardResult> = None;
        let mut start = range.start;
        while start < range.end {
            let end = (start + CHUNK).min(range.end);
            let finished: Vec<Option<RunSummary>> =
                run_replications_observed_while(model, seed, start..end, &done, || {
                    !stop.load(Ordering::Relaxed)
                });
            let runs: Vec<RunSummary> = finished.into_iter().map_while(|r| r).collect();
            if runs.is_empty() {
                break;
            }
            let end = start + runs.len() as u64;
            let chunk = Self::from_runs(model, seed, start..end, &runs);
            result = Some(match result {
                None => chunk,
                Some(mut acc) => {
                    acc.end = chunk.end;
                    acc.rows.extend(chunk.rows);
                    acc.time_in_system.merge(&chunk.time_in_system);
                    acc
                }
            });
            start = end;
        }
        result.ok_or_else(|| {
            Error::scenario(
                "shard",
                "interrupted before the first replication finished; nothing to report",
            )
        })
    }

    /// The shard of already finished `runs` (replications `range`, in order).
    #[must_use]
    pub fn from_runs(model: &Model, seed: u64, range: Range<u64>, runs: &[RunSummary]) -> Self {
        let catalogue = runs.first().map(KpiCatalogue::for_run);
        let mut time_in_system = DurationHistogram::new();
        for r in runs {
            time_in_system.merge(&r.network.time_in_system_hist);
        }
        ShardResult {
            format_version: SHARD_FORMAT_VERSION,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            model_fingerprint: model_fingerprint(model),
            seed,
            start: range.start,
            end: range.end,
            kpis: catalogue
                .as_ref()
                .map(|c| c.names().map(str::to_string).collect())
                .unwrap_or_default(),
            rows: catalogue.map(|c| c.rows(runs)).unwrap_or_default(),
            time_in_system,
        }
    }

    /// Merges shards of one model and seed into the result of their whole range.
    ///
    /// # Errors
    /// [`Error::Scenario`] if there are no shards, if they differ in format
    /// version, model, seed or KPIs, or if their ranges overlap or leave a gap.
    pub fn merge(mut shards: Vec<ShardResult>) -> Result<ShardResult> {
        shards.sort_by_key(|s| s.start);
        let mut iter = shards.into_iter();
        let mut merged = iter
            .next()
            .ok_or_else(|| Error::scenario("shards", "nothing to merge"))?;
        if merged.format_version != SHARD_FORMAT_VERSION {
            return Err(Error::scenario(
                "shards",
                format!(
                    "format version {} cannot be read by this version (expects {SHARD_FORMAT_VERSION})",
                    merged.format_version
                ),
            ));
        }
        for s in iter {
            let what = format!("shard {}..{}", s.start, s.end);
            if s.format_version != merged.format_version {
                return Err(Error::scenario(
                    what,
                    format!(
                        "format version {} differs from {}",
                        s.format_version, merged.format_version
                    ),
                ));
            }
            if s.model_fingerprint != merged.model_fingerprint {
                return Err(Error::scenario(what, "comes from a different scenario"));
            }
            if s.seed != merged.seed {
                return Err(Error::scenario(
                    what,
                    format!("has seed {}, the others {}", s.seed, merged.seed),
                ));
            }
            if s.kpis != merged.kpis {
                return Err(Error::scenario(what, "lists different KPIs"));
            }
            if s.start != merged.end {
                let problem = if s.start < merged.end {
                    "overlaps"
                } else {
                    "leaves a gap after"
                };
                return Err(Error::scenario(
                    what,
                    format!("{problem} replications {}..{}", merged.start, merged.end),
                ));
            }
            merged.end = s.end;
            merged.rows.extend(s.rows);
            merged.time_in_system.merge(&s.time_in_system);
        }
        Ok(merged)
    }

    /// Every KPI estimated over the shard's replications.
    #[must_use]
    pub fn estimates(&self) -> Vec<KpiEstimate> {
        self.kpis
            .iter()
            .enumerate()
            .map(|(k, name)| {
                KpiEstimate::from_values(name.clone(), self.rows.iter().map(|row| row[k]))
            })
            .collect()
    }

    /// The shard as JSON.
    ///
    /// # Errors
    /// Never in practice; a serialisation failure is reported as [`Error::Scenario`].
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::scenario("shard", e.to_string()))
    }

    /// Reads a shard written by [`ShardResult::to_json`].
    ///
    /// # Errors
    /// [`Error::Scenario`] with the line and column of malformed JSON.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::scenario("shard", e.to_string()))
    }
}
