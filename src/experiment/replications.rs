//! Which replications to run: the master [`Seed`] and a validated range of
//! replication indices ([`Replications`]).
//!
//! Both are newtypes so that a seed and a replication count, two `u64`s,
//! cannot be swapped at a call site. Replication `i` under seed `s` is the
//! same run wherever it is computed (see [`crate::rng`]), so a range is all
//! a shard needs to say which part of a study it holds.
//!
//! Invariant: a [`Replications`] always has `start <= end`; it may be empty
//! (the experiment entry points refuse an empty range when they need runs).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The master seed of an experiment.
///
/// Every random stream of replication `i` is derived from (seed, `i`, the
/// stream's name), so the same seed gives the same numbers bit for bit.
///
/// ```
/// use cbec_sim::experiment::Seed;
/// assert_eq!(Seed(7).value(), 7);
/// assert_eq!(Seed::default(), Seed(1), "the command line's default");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seed(pub u64);

impl Seed {
    /// The seed as a number.
    #[must_use]
    pub fn value(self) -> u64 {
        self.0
    }
}

impl Default for Seed {
    /// `Seed(1)`, the command line's default.
    fn default() -> Self {
        Seed(1)
    }
}

impl std::fmt::Display for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A range of replication indices `start..end`, with `start <= end`.
///
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::experiment::Replications;
/// let shard = Replications::new(10..20)?;
/// assert_eq!((shard.start(), shard.end(), shard.len()), (10, 20, 10));
/// assert_eq!(Replications::first(8).range(), 0..8);
/// assert_eq!(Replications::from_count(10, 5)?, shard.split_at(15).0);
/// assert!(Replications::new(5..3).is_err());
/// assert!(Replications::from_count(u64::MAX, 2).is_err());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Range<u64>", into = "Range<u64>")]
pub struct Replications {
    start: u64,
    end: u64,
}

impl Replications {
    /// The replications `range.start..range.end`.
    ///
    /// # Errors
    /// [`Error::Experiment`] at `replications` if `start > end`.
    pub fn new(range: Range<u64>) -> Result<Self> {
        if range.start > range.end {
            return Err(Error::experiment(
                "replications",
                format!(
                    "the range {}..{} ends before it starts",
                    range.start, range.end
                ),
            ));
        }
        Ok(Replications {
            start: range.start,
            end: range.end,
        })
    }

    /// The first `count` replications, `0..count`.
    #[must_use]
    pub fn first(count: u64) -> Self {
        Replications {
            start: 0,
            end: count,
        }
    }

    /// `count` replications from `start`.
    ///
    /// # Errors
    /// [`Error::Experiment`] at `replications` if `start + count` overflows.
    pub fn from_count(start: u64, count: u64) -> Result<Self> {
        let end = start.checked_add(count).ok_or_else(|| {
            Error::experiment(
                "replications",
                format!("{count} replications from {start} run past the last index"),
            )
        })?;
        Ok(Replications { start, end })
    }

    /// The first index.
    #[must_use]
    pub fn start(&self) -> u64 {
        self.start
    }

    /// One past the last index.
    #[must_use]
    pub fn end(&self) -> u64 {
        self.end
    }

    /// The number of replications.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The indices, as a range.
    #[must_use]
    pub fn range(&self) -> Range<u64> {
        self.start..self.end
    }

    /// The replications before `at` and those from `at` on; `at` is
    /// clamped into the range.
    #[must_use]
    pub fn split_at(&self, at: u64) -> (Self, Self) {
        let at = at.clamp(self.start, self.end);
        (
            Replications {
                start: self.start,
                end: at,
            },
            Replications {
                start: at,
                end: self.end,
            },
        )
    }
}

impl TryFrom<Range<u64>> for Replications {
    type Error = Error;
    fn try_from(range: Range<u64>) -> Result<Self> {
        Self::new(range)
    }
}

impl From<Replications> for Range<u64> {
    fn from(r: Replications) -> Self {
        r.range()
    }
}

impl std::fmt::Display for Replications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replications_new_ok() {
        for r in [0..0, 0..1, 3..3, 5..9, 0..u64::MAX] {
            let reps = Replications::new(r.clone()).unwrap();
            assert_eq!(reps.range(), r);
            assert_eq!(reps.len(), r.end - r.start);
        }
    }

    #[test]
    fn replications_new_err() {
        let (start, end) = (5, 3);
        let err = Replications::new(start..end).unwrap_err();
        assert!(matches!(err, Error::Experiment { .. }));
        assert_eq!(
            err.to_string(),
            "replications: the range 5..3 ends before it starts"
        );
    }

    #[test]
    fn replications_from_count_ok_and_err() {
        assert_eq!(
            Replications::from_count(4, 3).unwrap(),
            Replications::new(4..7).unwrap()
        );
        assert_eq!(
            Replications::from_count(u64::MAX, 0).unwrap().len(),
            0,
            "an empty range at the last index"
        );
        assert!(matches!(
            Replications::from_count(u64::MAX - 1, 2),
            Err(Error::Experiment { .. })
        ));
    }

    #[test]
    fn first_is_zero_based_and_may_be_empty() {
        assert_eq!(Replications::first(3).range(), 0..3);
        assert!(Replications::first(0).is_empty());
    }

    #[test]
    fn split_at_clamps_into_the_range() {
        let r = Replications::new(10..20).unwrap();
        let (a, b) = r.split_at(14);
        assert_eq!((a.range(), b.range()), (10..14, 14..20));
        let (a, b) = r.split_at(99);
        assert_eq!((a.range(), b.range()), (10..20, 20..20));
        let (a, b) = r.split_at(0);
        assert_eq!((a.range(), b.range()), (10..10, 10..20));
    }

    #[test]
    fn serde_checks_the_range() {
        let r: Replications = serde_json::from_str(r#"{"start":2,"end":5}"#).unwrap();
        assert_eq!(r.range(), 2..5);
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"start":2,"end":5}"#);
        assert!(serde_json::from_str::<Replications>(r#"{"start":5,"end":2}"#).is_err());
    }

    #[test]
    fn seed_shows_and_orders_as_its_number() {
        assert_eq!(Seed(42).to_string(), "42");
        assert!(Seed(1) < Seed(2));
        assert_eq!(serde_json::to_string(&Seed(9)).unwrap(), "9");
    }
}
