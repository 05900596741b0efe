//! Splitting a study into shards by replication range, and merging them.
//!
//! A [`ShardResult`] is what an [`Experiment`](super::Experiment) over a
//! replication range returns: one row of KPI values per replication and
//! the pooled time-in-system histogram. Invariant: merging shards that
//! tile a range gives exactly the result of one run over it (rows are
//! taken in replication order, histogram counts add), whatever the order
//! the shards are given in.

use super::kpi::{KpiCatalogue, KpiEstimate, KpiId, kpi_index};
use super::replications::{Replications, Seed};
use crate::error::{Error, Result};
use crate::model::{Model, RunSummary};
use crate::rng::StreamId;
use crate::stats::DurationHistogram;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Replications run and folded together at a time by an
/// [`Experiment`](super::Experiment) that keeps no summaries, so memory
/// stays flat however many replications run.
pub const CHUNK: u64 = 32;

/// Version of the shard file format; merging refuses other versions.
///
/// Version 2 added `missing`: the replications of `start..end` that an
/// interrupted run did not finish.
pub const SHARD_FORMAT_VERSION: u32 = 2;

/// The largest shard file [`ShardResult::merge_files`] reads: 256 MiB.
/// A shard holds about 20 bytes per KPI and replication (a 100-KPI model
/// reaches it at about 130,000 replications); split larger studies into
/// more shards.
pub const MAX_SHARD_FILE_BYTES: u64 = 256 << 20;

/// The most JSON items (counted as commas) a shard file may hold:
/// 2^23, about 8.4 million values (a 100-KPI model at 80,000
/// replications). With the file size, it bounds what reading a shard
/// allocates to a few hundred MB, however the file is written (a value
/// as short as `0,` becomes a 16-byte slot in memory).
pub const MAX_SHARD_ITEMS: usize = 1 << 23;

/// The result of replications `start..end` (less `missing`) of one model
/// under one seed, in a form that merges exactly with the results of
/// other ranges.
///
/// It keeps one row of KPI values per replication (a few dozen numbers
/// each) and the pooled time-in-system histogram (integer counts), so
/// merging shards and estimating gives exactly the numbers of one run over
/// the whole range: rows are taken in replication order, counts add.
///
/// Written as JSON by [`ShardResult::to_json`]; the `format_version` field
/// says which layout a file uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Ranges `[a, b)` inside `start..end` whose replications did not
    /// finish (an interrupted run), sorted; empty for a whole shard, and
    /// then left out of the JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<(u64, u64)>,
    /// Whether the run that made it was stopped (by a signal) before every
    /// replication it was asked for finished: `missing` lists the gaps
    /// inside `start..end`, and those after `end` were not run. A merge
    /// with such a shard is partial too. Left out of the JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// KPI names, the columns of `rows`.
    pub kpis: Vec<String>,
    /// Per finished replication, in index order: the KPI values (`None` where undefined).
    pub rows: Vec<Vec<Option<f64>>>,
    /// Network time in system, every order of every replication.
    pub time_in_system: DurationHistogram,
}

/// The fingerprint of a model: FNV-1a of its description's debug form,
/// which holds every parameter, including the rows of replayed order logs.
#[must_use]
pub fn model_fingerprint(model: &Model) -> u64 {
    StreamId::fnv1a(format!("{:?}", model.description()).as_bytes())
}

/// The first fields of a shard file, read before the rest so that a file
/// of another format version is named as such.
#[derive(Deserialize)]
struct Header {
    format_version: u32,
}

impl ShardResult {
    /// The shard of already finished `runs` (replications `range`, in order).
    #[must_use]
    pub fn from_runs(model: &Model, seed: Seed, range: Replications, runs: &[RunSummary]) -> Self {
        let catalogue = runs.first().map(KpiCatalogue::for_run);
        let mut time_in_system = DurationHistogram::new();
        for r in runs {
            time_in_system.merge(&r.network.time_in_system_hist);
        }
        ShardResult {
            format_version: SHARD_FORMAT_VERSION,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            model_fingerprint: model_fingerprint(model),
            seed: seed.0,
            start: range.start(),
            end: range.end(),
            missing: Vec::new(),
            partial: false,
            kpis: catalogue
                .as_ref()
                .map(|c| c.names().map(str::to_string).collect())
                .unwrap_or_default(),
            rows: catalogue.map(|c| c.rows(runs)).unwrap_or_default(),
            time_in_system,
        }
    }

    /// The replications the shard holds, in index order: `start..end`
    /// less `missing`. There are as many as `rows`.
    pub fn indices(&self) -> impl Iterator<Item = u64> + '_ {
        let mut gaps = self.missing.iter().peekable();
        (self.start..self.end).filter(move |i| {
            while gaps.peek().is_some_and(|g| g.1 <= *i) {
                gaps.next();
            }
            gaps.peek().is_none_or(|g| g.0 > *i)
        })
    }

    /// How many replications the shard holds.
    #[must_use]
    pub fn finished(&self) -> u64 {
        let span = self.end.saturating_sub(self.start);
        span.saturating_sub(self.missing.iter().map(|g| g.1.saturating_sub(g.0)).sum())
    }

    /// Whether the shard is [`partial`](ShardResult::partial) or
    /// replications inside `start..end` are missing: results over it must
    /// be reported as partial.
    #[must_use]
    pub fn is_partial(&self) -> bool {
        self.partial || !self.missing.is_empty()
    }

    /// This shard followed by `next`, which starts at or after its end
    /// (same model, seed and KPIs); replications in between are missing.
    pub(crate) fn append(mut self, mut next: ShardResult) -> ShardResult {
        debug_assert!(self.end <= next.start);
        if self.end < next.start {
            self.missing.push((self.end, next.start));
        }
        self.missing.append(&mut next.missing);
        self.partial |= next.partial;
        self.end = next.end;
        self.rows.extend(next.rows);
        self.time_in_system.merge(&next.time_in_system);
        self
    }

    /// Checks that the shard is whole and consistent: this format version
    /// and crate version, `start < end`, `missing` sorted ranges strictly
    /// inside, one row per replication held, one value per KPI in each row,
    /// finite values and distinct KPI names.
    ///
    /// # Errors
    /// [`Error::Shard`] naming the shard and what is wrong.
    pub fn validate(&self) -> Result<()> {
        let refuse = |reason: String| Err(Error::shard(self.label(), reason));
        if self.format_version != SHARD_FORMAT_VERSION {
            return refuse(format!(
                "format version {} cannot be read by this version (expects {SHARD_FORMAT_VERSION})",
                self.format_version
            ));
        }
        let ours = env!("CARGO_PKG_VERSION");
        if self.crate_version != ours {
            return refuse(format!(
                "was written by cbec-sim {}, this is {ours}: merge shards of one version",
                excerpt(&self.crate_version)
            ));
        }
        if self.start >= self.end {
            return refuse("the range is empty or reversed: start must be below end".into());
        }
        let mut after = self.start;
        for &(a, b) in &self.missing {
            if a <= after || b <= a || b >= self.end {
                return refuse(format!(
                    "missing range {a}..{b} is not sorted, empty, or not strictly inside the range"
                ));
            }
            after = b;
        }
        let held = self.finished();
        if self.rows.len() as u64 != held {
            return refuse(format!(
                "holds {} rows for {held} replications",
                self.rows.len()
            ));
        }
        let mut names: Vec<&str> = self.kpis.iter().map(String::as_str).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return refuse(format!("lists the KPI \"{}\" twice", excerpt(w[0])));
        }
        for (row, i) in self.rows.iter().zip(self.indices()) {
            if row.len() != self.kpis.len() {
                return refuse(format!(
                    "the row of replication {i} holds {} values for {} KPIs",
                    row.len(),
                    self.kpis.len()
                ));
            }
            if row.iter().flatten().any(|v| !v.is_finite()) {
                return refuse(format!(
                    "the row of replication {i} holds a non-finite value"
                ));
            }
        }
        Ok(())
    }

    /// `shard A..B`, for messages.
    fn label(&self) -> String {
        format!("shard {}..{}", self.start, self.end)
    }

    /// Merges shards of one model and seed into the result of their whole range.
    ///
    /// # Errors
    /// [`Error::Shard`] if there are no shards, if one does not
    /// [`validate`](ShardResult::validate), if they differ in model, seed or
    /// KPIs, if their ranges overlap or leave a gap, or if the pooled
    /// histogram counts would overflow.
    pub fn merge(shards: Vec<ShardResult>) -> Result<ShardResult> {
        merge_named(shards.into_iter().map(|s| (None, s)).collect())
    }

    /// Reads the shard files `paths` (written by [`ShardResult::to_json`])
    /// and merges them, as [`ShardResult::merge`]. Only regular files of at
    /// most [`MAX_SHARD_FILE_BYTES`] and [`MAX_SHARD_ITEMS`] values are read.
    ///
    /// # Errors
    /// [`Error::Io`] for a file that cannot be read; [`Error::Shard`]
    /// naming the file for one that is not a regular file, is too large,
    /// does not parse, or does not fit the others.
    pub fn merge_files<P: AsRef<Path>>(paths: &[P]) -> Result<ShardResult> {
        let mut shards = Vec::with_capacity(paths.len());
        for p in paths {
            let path = p.as_ref();
            let text = read_bounded(path)?;
            let shard = Self::from_json(&text).map_err(|e| e.in_file(path))?;
            shards.push((Some(path.to_path_buf()), shard));
        }
        merge_named(shards)
    }

    /// The KPI called `name` among this shard's, checked.
    ///
    /// # Errors
    /// [`Error::UnknownKpi`] at `kpi`, with the closest valid name.
    pub fn kpi(&self, name: &str) -> Result<KpiId> {
        self.kpi_for("kpi", name)
    }

    /// [`ShardResult::kpi`], naming `option` in the error.
    pub(crate) fn kpi_for(&self, option: &str, name: &str) -> Result<KpiId> {
        kpi_index(option, name, self.kpis.iter().map(String::as_str))
    }

    /// One KPI estimated over the shard's replications.
    ///
    /// # Panics
    /// If `id` comes from a catalogue with more KPIs than the shard, or a
    /// row is shorter than the KPI list (a shard that does not
    /// [`validate`](ShardResult::validate)).
    #[must_use]
    pub fn estimate(&self, id: KpiId) -> KpiEstimate {
        let k = id.index();
        KpiEstimate::from_values(self.kpis[k].clone(), self.values(id))
    }

    /// One KPI's value in each of the shard's replications, in index
    /// order (`None` where it is undefined).
    pub fn values(&self, id: KpiId) -> impl Iterator<Item = Option<f64>> + '_ {
        let k = id.index();
        self.rows.iter().map(move |row| row[k])
    }

    /// Every KPI estimated over the shard's replications.
    #[must_use]
    pub fn estimates(&self) -> Vec<KpiEstimate> {
        (0..self.kpis.len())
            .map(|k| self.estimate(KpiId(k)))
            .collect()
    }

    /// The shard as JSON.
    ///
    /// # Errors
    /// Never in practice; a serialisation failure is reported as [`Error::Shard`].
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(json_error)
    }

    /// Reads a shard written by [`ShardResult::to_json`] and
    /// [validates](ShardResult::validate) it.
    ///
    /// # Errors
    /// [`Error::Shard`] for another format version, with the line and
    /// column of malformed JSON (kept as the source), or for a shard that
    /// does not validate.
    pub fn from_json(text: &str) -> Result<Self> {
        let header: Header = serde_json::from_str(text).map_err(json_error)?;
        if header.format_version != SHARD_FORMAT_VERSION {
            return Err(Error::shard(
                "shard",
                format!(
                    "format version {} cannot be read by this version (expects {SHARD_FORMAT_VERSION})",
                    header.format_version
                ),
            ));
        }
        let shard: ShardResult = serde_json::from_str(text).map_err(json_error)?;
        shard.validate()?;
        Ok(shard)
    }
}

/// At most 60 characters of `text`, with `...` if cut.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}

/// The text of the shard file `path`: a regular file of at most
/// [`MAX_SHARD_FILE_BYTES`].
fn read_bounded(path: &Path) -> Result<String> {
    use std::io::Read;
    let named = |reason: String| Error::shard("shard", reason).in_file(path);
    let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    if !meta.is_file() {
        return Err(named("is not a regular file".into()));
    }
    let too_big = || {
        named(format!(
            "is larger than {} MiB, the most a shard file may be; split the study into more shards",
            MAX_SHARD_FILE_BYTES >> 20
        ))
    };
    if meta.len() > MAX_SHARD_FILE_BYTES {
        return Err(too_big());
    }
    let file = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let mut text = String::new();
    file.take(MAX_SHARD_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| Error::read(path, e))?;
    if text.len() as u64 > MAX_SHARD_FILE_BYTES {
        return Err(too_big());
    }
    if text.bytes().filter(|b| *b == b',').count() > MAX_SHARD_ITEMS {
        return Err(named(format!(
            "holds more than {MAX_SHARD_ITEMS} values, the most a shard file may; split the study into more shards"
        )));
    }
    Ok(text)
}

/// An [`Error::Shard`] for a JSON failure.
fn json_error(e: serde_json::Error) -> Error {
    Error::Shard {
        file: None,
        shard: "shard".into(),
        reason: e.to_string(),
        source: Some(e),
    }
}

/// Merges shards, each with the file it came from (if any) for the errors.
fn merge_named(mut shards: Vec<(Option<PathBuf>, ShardResult)>) -> Result<ShardResult> {
    for (file, s) in &shards {
        s.validate().map_err(|e| match file {
            Some(f) => e.in_file(f),
            None => e,
        })?;
    }
    shards.sort_by_key(|s| s.1.start);
    let mut iter = shards.into_iter();
    let (_, mut merged) = iter
        .next()
        .ok_or_else(|| Error::shard("shards", "nothing to merge"))?;
    for (file, s) in iter {
        let refuse = |reason: String| Error::Shard {
            file: file.clone(),
            shard: s.label(),
            reason,
            source: None,
        };
        if s.model_fingerprint != merged.model_fingerprint {
            return Err(refuse("comes from a different scenario".into()));
        }
        if s.seed != merged.seed {
            return Err(refuse(format!(
                "has seed {}, the others {}",
                s.seed, merged.seed
            )));
        }
        if s.kpis != merged.kpis {
            return Err(refuse("lists different KPIs".into()));
        }
        if s.start != merged.end {
            let problem = if s.start < merged.end {
                "overlaps"
            } else {
                "leaves a gap after"
            };
            return Err(refuse(format!(
                "{problem} replications {}..{}",
                merged.start, merged.end
            )));
        }
        if merged
            .time_in_system
            .count()
            .checked_add(s.time_in_system.count())
            .is_none()
        {
            return Err(refuse(
                "its order counts overflow the pooled histogram".into(),
            ));
        }
        merged = merged.append(s);
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(start: u64, end: u64, seed: u64) -> ShardResult {
        ShardResult {
            format_version: SHARD_FORMAT_VERSION,
            crate_version: env!("CARGO_PKG_VERSION").into(),
            model_fingerprint: 7,
            seed,
            start,
            end,
            missing: Vec::new(),
            partial: false,
            kpis: vec!["k".into()],
            rows: (start..end).map(|i| vec![Some(i as f64)]).collect(),
            time_in_system: DurationHistogram::new(),
        }
    }

    #[test]
    fn merge_sorts_and_appends() {
        let merged = ShardResult::merge(vec![shard(2, 4, 1), shard(0, 2, 1)]).unwrap();
        assert_eq!(merged, shard(0, 4, 1));
        assert_eq!(shard(0, 2, 1).append(shard(2, 4, 1)), merged);
    }

    #[test]
    fn merge_refusals_name_the_shard() {
        let err = ShardResult::merge(vec![shard(0, 2, 1), shard(2, 3, 9)]).unwrap_err();
        assert!(matches!(err, Error::Shard { file: None, .. }));
        assert_eq!(err.to_string(), "shard 2..3: has seed 9, the others 1");
        let mut other = shard(2, 3, 1);
        other.kpis = vec!["j".into()];
        let err = ShardResult::merge(vec![shard(0, 2, 1), other]).unwrap_err();
        assert_eq!(err.to_string(), "shard 2..3: lists different KPIs");
    }

    #[test]
    fn appending_past_a_gap_lists_it_as_missing() {
        let s = shard(0, 2, 1).append(shard(5, 7, 1));
        assert_eq!((s.start, s.end, s.missing.clone()), (0, 7, vec![(2, 5)]));
        assert_eq!(s.indices().collect::<Vec<_>>(), [0, 1, 5, 6]);
        assert_eq!(s.finished(), 4);
        assert!(s.is_partial() && !s.partial);
        s.validate().unwrap();
        assert_eq!(s.estimate(KpiId(0)).mean, Some(3.0));
        let back = ShardResult::from_json(&s.to_json().unwrap()).unwrap();
        assert_eq!(back, s);
        // Whole shards leave both fields out of the JSON.
        let whole = shard(0, 2, 1).to_json().unwrap();
        assert!(!whole.contains("missing") && !whole.contains("partial"));
    }

    #[test]
    fn validation_refuses_inconsistent_shards() {
        let refused = |f: fn(&mut ShardResult)| {
            let mut s = shard(0, 3, 1);
            f(&mut s);
            s.validate().unwrap_err().to_string()
        };
        assert_eq!(
            refused(|s| {
                s.rows.pop();
            }),
            "shard 0..3: holds 2 rows for 3 replications"
        );
        assert_eq!(
            refused(|s| s.rows[1].clear()),
            "shard 0..3: the row of replication 1 holds 0 values for 1 KPIs"
        );
        assert_eq!(
            refused(|s| s.start = 3),
            "shard 3..3: the range is empty or reversed: start must be below end"
        );
        assert!(refused(|s| s.crate_version = "9.9.9".into()).contains("cbec-sim 9.9.9"));
        assert!(refused(|s| s.missing = vec![(1, 1)]).contains("missing range 1..1"));
        assert!(refused(|s| s.rows[0][0] = Some(f64::NAN)).contains("non-finite"));
        assert!(refused(|s| s.kpis.push("k".into())).contains("twice"));
    }

    #[test]
    fn kpi_lookup_and_estimate() {
        let s = shard(0, 4, 1);
        let k = s.kpi("k").unwrap();
        assert_eq!(s.estimate(k).mean, Some(1.5));
        assert_eq!(s.estimates(), vec![s.estimate(k)]);
        assert!(matches!(s.kpi("kk"), Err(Error::UnknownKpi { .. })));
    }

    #[test]
    fn json_round_trip_and_its_error() {
        let s = shard(3, 5, 2);
        assert_eq!(ShardResult::from_json(&s.to_json().unwrap()).unwrap(), s);
        let err = ShardResult::from_json("[").unwrap_err();
        assert!(
            std::error::Error::source(&err)
                .unwrap()
                .is::<serde_json::Error>()
        );
        assert!(err.to_string().starts_with("shard: "), "{err}");
    }
}
