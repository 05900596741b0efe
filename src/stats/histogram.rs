//! Duration quantiles from an HDR histogram: fixed memory whatever the
//! horizon, a stated relative error (1%), mergeable across replications.

use crate::time::SimTime;
use hdrhistogram::Histogram;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The highest trackable value given to `hdrhistogram`: 2^50 µs, about 35
/// years. Its buckets reach 2^51 − 1 µs; a longer duration is counted in
/// the bucket of 2^50 µs, as `saturating_record` does.
const MAX_MICROS: u64 = 1 << 50;
/// Two significant digits: bucket widths are at most 1/128 of their value.
const SIGFIG: u8 = 2;

/// The bucket layout `hdrhistogram` gives `new_with_bounds(1, MAX_MICROS,
/// SIGFIG)`: 256 sub-buckets (the smallest power of two at or above
/// 2 × 10^SIGFIG), of which buckets after the first use the upper 128, and
/// a unit of 1 µs. A test checks every constant against the crate.
mod layout {
    /// log2 of the sub-buckets' half count (128).
    pub(super) const HALF_MAGNITUDE: u32 = 7;
    /// The mask that sends every value below 256 to the first bucket.
    pub(super) const SUB_BUCKET_MASK: u64 = 255;
    /// 64 − log2(unit) − log2(sub-bucket count).
    pub(super) const LEADING_ZERO_BASE: u32 = 56;
    /// Number of counters: 44 buckets (up to 2^51 − 1 µs) plus the
    /// first's lower half.
    pub(super) const LEN: usize = 5760;
    /// Where a value beyond the last bucket is counted: the bucket of the
    /// highest trackable value (what `saturating_record` does).
    pub(super) const CLAMPED: usize = index_of(super::MAX_MICROS);

    /// The counter of `value`, as `hdrhistogram`'s `index_for`.
    #[inline]
    pub(super) const fn index_of(value: u64) -> usize {
        let bucket = LEADING_ZERO_BASE - (value | SUB_BUCKET_MASK).leading_zeros();
        let sub_bucket = value >> bucket;
        (((bucket as u64 + 1) << HALF_MAGNITUDE) + sub_bucket - (1 << HALF_MAGNITUDE)) as usize
    }

    /// The lowest value counted at `index`, as `hdrhistogram`'s `value_for`.
    pub(super) const fn value_of(index: usize) -> u64 {
        let half = 1usize << HALF_MAGNITUDE;
        let (bucket, sub_bucket) = if index < half {
            (0, index as u64)
        } else {
            (
                (index >> HALF_MAGNITUDE) - 1,
                ((index & (half - 1)) + half) as u64,
            )
        };
        sub_bucket << bucket
    }
}

/// Quantiles of durations, from an HDR histogram.
///
/// Durations are recorded in whole microseconds. A reported quantile lies
/// within **1%** of the true sample quantile (relative error at most 1/256:
/// buckets are at most 1/128 of their value wide and the midpoint of the
/// bucket is reported), plus half a microsecond of rounding. Memory is fixed
/// (about 45 KB) whatever the number of observations or the horizon.
///
/// Recording is the engine's hot path, so the counters are kept here, in
/// `hdrhistogram`'s exact layout (from 1 µs, two significant digits),
/// and a value costs a few instructions; every reading (quantiles, the
/// distribution function, shares, serialisation) is done by `hdrhistogram`
/// itself on a histogram rebuilt from the counters, so the numbers are the
/// crate's.
///
/// # Examples
/// ```
/// use cbec_sim::{stats::DurationHistogram, SimTime};
/// let mut h = DurationHistogram::new();
/// for s in 1..=100 { h.record(SimTime::from_secs(s as f64)); }
/// let p95 = h.quantile(0.95).unwrap().secs();
/// assert!((p95 - 95.0).abs() <= 0.01 * 95.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DurationHistogram {
    /// Count per bucket, in `hdrhistogram`'s layout (see `layout`).
    counts: Box<[u64]>,
    /// Number of recorded durations.
    total: u64,
}

impl Default for DurationHistogram {
    fn default() -> Self {
        Self::new()
    }
}

/// An empty histogram with this module's bounds, for questions about the
/// bucket layout that do not depend on the counts.
fn empty() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_MICROS, SIGFIG).expect("constant bounds are valid")
}

impl DurationHistogram {
    /// An empty histogram.
    #[must_use]
    pub fn new() -> Self {
        DurationHistogram {
            counts: vec![0; layout::LEN].into_boxed_slice(),
            total: 0,
        }
    }

    /// Records one duration.
    #[inline]
    pub fn record(&mut self, d: SimTime) {
        // Durations are never negative, so adding 0.5 and truncating rounds to
        // the nearest microsecond (and avoids a libm call on the hot path);
        // `as` saturates, so a negative value (impossible) would land at 0.
        let micros = (d.secs() * 1e6 + 0.5) as u64;
        let i = layout::index_of(micros);
        // A value past the last bucket is clamped as `saturating_record` does.
        let i = if i < layout::LEN { i } else { layout::CLAMPED };
        self.counts[i] = self.counts[i].saturating_add(1);
        self.total = self.total.saturating_add(1);
    }

    /// The same counts as an `hdrhistogram` histogram, for reading.
    fn hdr(&self) -> Histogram<u64> {
        let mut h = empty();
        for (i, &c) in self.counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            h.record_n(layout::value_of(i), c)
                .expect("every counter's value is inside the bounds");
        }
        h
    }

    /// Number of recorded durations.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The `q`-quantile (`q` in `[0, 1]`), or `None` if nothing was recorded.
    #[must_use]
    pub fn quantile(&self, q: f64) -> Option<SimTime> {
        if self.total == 0 {
            return None;
        }
        let h = self.hdr();
        let v = h.value_at_quantile(q.clamp(0.0, 1.0));
        Some(SimTime::from_secs(h.median_equivalent(v) as f64 / 1e6))
    }

    /// The empirical distribution function: (duration, share of durations
    /// at or below it) at each recorded bucket, in increasing order, for
    /// charts. Empty if nothing was recorded.
    #[must_use]
    pub fn cdf(&self) -> Vec<(SimTime, f64)> {
        let h = self.hdr();
        let total = h.len() as f64;
        let mut seen = 0u64;
        h.iter_recorded()
            .map(|v| {
                seen += v.count_at_value();
                (
                    SimTime::from_secs(v.value_iterated_to() as f64 / 1e6),
                    seen as f64 / total,
                )
            })
            .collect()
    }

    /// The share of recorded durations at or below `d`, within the bucket resolution.
    #[must_use]
    pub fn share_at_or_below(&self, d: SimTime) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        Some(self.count_at_or_below(d) as f64 / self.total as f64)
    }

    /// The number of recorded durations at or below `d`, within the bucket
    /// resolution.
    #[must_use]
    pub fn count_at_or_below(&self, d: SimTime) -> u64 {
        let micros = (d.secs() * 1e6).round() as u64;
        self.hdr()
            .iter_recorded()
            .take_while(|v| v.value_iterated_to() <= micros)
            .map(|v| v.count_at_value())
            .sum()
    }

    /// The width of the bucket that holds `d`: two quantiles that differ by
    /// less than this cannot be told apart by this histogram (at most 1/128
    /// of `d`, and 1 µs near zero).
    ///
    /// ```
    /// use cbec_sim::{stats::DurationHistogram, SimTime};
    /// let w = DurationHistogram::new().resolution_at(SimTime::from_hours(20.0));
    /// assert!(w > SimTime::ZERO && w.secs() <= 20.0 * 3600.0 / 128.0);
    /// ```
    #[must_use]
    pub fn resolution_at(&self, d: SimTime) -> SimTime {
        let micros = ((d.secs().max(0.0)) * 1e6).round() as u64;
        let micros = micros.clamp(1, MAX_MICROS);
        // The layout alone answers: one empty histogram serves every call.
        static LAYOUT: std::sync::OnceLock<Histogram<u64>> = std::sync::OnceLock::new();
        let layout = LAYOUT.get_or_init(empty);
        SimTime::from_secs(layout.equivalent_range(micros) as f64 / 1e6)
    }

    /// Adds every duration recorded in `other`.
    pub fn merge(&mut self, other: &DurationHistogram) {
        for (c, o) in self.counts.iter_mut().zip(&other.counts) {
            *c = c.saturating_add(*o);
        }
        self.total = self.total.saturating_add(other.total);
    }

    /// Forgets every recorded duration.
    pub fn reset(&mut self) {
        self.counts.fill(0);
        self.total = 0;
    }
}

/// Serialised as `[[micros, count], ...]` over the non-empty buckets.
impl Serialize for DurationHistogram {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let buckets: Vec<(u64, u64)> = self
            .hdr()
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect();
        buckets.serialize(s)
    }
}

impl<'de> Deserialize<'de> for DurationHistogram {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let buckets = Vec::<(u64, u64)>::deserialize(d)?;
        // `hdrhistogram` checks each bucket (a value past the bounds is an
        // error, not clamped), then its counters are taken over.
        let mut h = empty();
        let mut total: u64 = 0;
        for (value, count) in buckets {
            total = total.checked_add(count).ok_or_else(|| {
                D::Error::custom("histogram counts overflow: they add up to more than 2^64 - 1")
            })?;
            h.record_n(value, count)
                .map_err(|e| D::Error::custom(format!("histogram bucket {value}: {e:?}")))?;
        }
        let mut out = DurationHistogram::new();
        for v in h.iter_recorded() {
            out.counts[layout::index_of(v.value_iterated_to())] += v.count_at_value();
        }
        out.total = total;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_within_one_percent() {
        let mut h = DurationHistogram::new();
        let xs: Vec<f64> = (1..=10_000).map(|i| i as f64 * 0.37).collect();
        for x in &xs {
            h.record(SimTime::from_secs(*x));
        }
        for q in [0.5, 0.9, 0.95, 0.99] {
            let exact = xs[((q * xs.len() as f64).ceil() as usize) - 1];
            let got = h.quantile(q).unwrap().secs();
            assert!(
                (got - exact).abs() <= 0.01 * exact,
                "q={q} got {got} exact {exact}"
            );
        }
    }

    #[test]
    fn merge_equals_recording_everything() {
        let (mut a, mut b, mut all) = (
            DurationHistogram::new(),
            DurationHistogram::new(),
            DurationHistogram::new(),
        );
        for i in 0..1000 {
            let d = SimTime::from_secs(i as f64 * 1.7);
            if i % 3 == 0 {
                a.record(d)
            } else {
                b.record(d)
            }
            all.record(d);
        }
        a.merge(&b);
        assert_eq!(a, all);
    }

    #[test]
    fn serde_round_trip() {
        let mut h = DurationHistogram::new();
        for i in 0..100 {
            h.record(SimTime::from_secs(i as f64));
        }
        let text = serde_json_like(&h);
        let back: DurationHistogram = toml::from_str::<Wrapper>(&text).unwrap().h;
        assert_eq!(back, h);
    }

    #[derive(Serialize, Deserialize)]
    struct Wrapper {
        h: DurationHistogram,
    }

    #[derive(Serialize)]
    struct BucketsWrapper {
        h: Vec<(u64, u64)>,
    }

    fn serde_json_like(h: &DurationHistogram) -> String {
        toml::to_string(&Wrapper { h: h.clone() }).unwrap()
    }

    /// The layout's constants are `hdrhistogram`'s.
    #[test]
    fn layout_is_hdrhistograms() {
        let h = empty();
        assert_eq!(h.distinct_values(), layout::LEN);
        for i in 0..layout::LEN {
            let v = layout::value_of(i);
            assert_eq!(layout::index_of(v), i, "index {i}");
            assert_eq!(h.lowest_equivalent(v), v, "index {i}");
            // The bucket's top value still belongs to it.
            assert_eq!(layout::index_of(h.highest_equivalent(v)), i, "index {i}");
        }
        assert_eq!(layout::value_of(layout::CLAMPED), MAX_MICROS);
    }

    /// Value by value, these counters hold what `hdrhistogram`'s
    /// `saturating_record` would: the same counts, total, least and
    /// greatest values, so every reading is the crate's. The values cross
    /// every magnitude, from 0 to past the clamp.
    #[test]
    fn counts_as_saturating_record_does() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(19);
        let (mut ours, mut theirs) = (DurationHistogram::new(), empty());
        for k in 0..200_000 {
            let micros: u64 = match k % 4 {
                0 => rng.random_range(0..1_000),
                1 => rng.random::<u64>() >> rng.random_range(0..64),
                2 => rng.random_range((1 << 50) - 5_000..(1 << 52)),
                _ => u64::MAX - rng.random_range(0..3),
            };
            // Whole microseconds recorded through `record` as seconds.
            let secs = micros as f64 / 1e6;
            let rounded = (secs * 1e6 + 0.5) as u64;
            ours.record(SimTime::from_secs(secs));
            theirs.saturating_record(rounded);
        }
        assert_eq!(ours.count(), theirs.len());
        assert!(ours.hdr() == theirs, "counters differ from hdrhistogram's");
        // Merging adds as the crate's `add` does, and the shard form is the
        // crate's iteration of the same buckets.
        let (mut half, mut crate_half) = (DurationHistogram::new(), empty());
        for k in 0..50_000u64 {
            let micros = (k * k * 7919) % (1 << 40);
            let d = SimTime::from_secs(micros as f64 / 1e6);
            let rounded = (d.secs() * 1e6 + 0.5) as u64;
            half.record(d);
            crate_half.saturating_record(rounded);
        }
        let mut theirs_all = crate_half.clone();
        theirs_all.add(&theirs).unwrap();
        half.merge(&ours);
        assert!(
            half.hdr() == theirs_all,
            "merge differs from hdrhistogram's add"
        );
        let buckets: Vec<(u64, u64)> = theirs_all
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect();
        let text = serde_json_like(&half);
        let theirs_text = toml::to_string(&BucketsWrapper { h: buckets }).unwrap();
        assert_eq!(text, theirs_text);
        for q in [0.0, 0.001, 0.25, 0.5, 0.95, 0.999, 1.0] {
            assert_eq!(
                ours.hdr().value_at_quantile(q),
                theirs.value_at_quantile(q),
                "q = {q}"
            );
        }
    }

    #[test]
    fn empty_has_no_quantile() {
        assert_eq!(DurationHistogram::new().quantile(0.5), None);
    }
}
