//! A count and a sum: the mean of a stream without its variance, for the
//! hot path where a Welford update (with its division) costs too much,
//! such as per-class figures at every station. Mergeable.

use serde::{Deserialize, Serialize};

/// Count and sum of a stream of values.
///
/// # Formula
/// `mean = sum / count`. Adding in a different order can change the last
/// bits of `sum`; within one replication the order is the event order, so
/// results are reproducible.
///
/// # Examples
/// ```
/// use cbec_sim::stats::Tally;
/// let mut t = Tally::new();
/// for x in [1.0, 2.0, 6.0] { t.push(x); }
/// assert_eq!((t.count(), t.mean()), (3, Some(3.0)));
/// assert_eq!(Tally::new().mean(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Tally {
    count: u64,
    sum: f64,
}

impl Tally {
    /// An empty tally.
    #[must_use]
    pub const fn new() -> Self {
        Tally { count: 0, sum: 0.0 }
    }

    /// Adds one value.
    #[inline(always)]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
    }

    /// Values added.
    #[must_use]
    pub const fn count(&self) -> u64 {
        self.count
    }

    /// Their sum.
    #[must_use]
    pub const fn sum(&self) -> f64 {
        self.sum
    }

    /// Their mean, `None` when empty.
    #[must_use]
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// Adds another tally's values.
    pub fn merge(&mut self, other: &Tally) {
        self.count += other.count;
        self.sum += other.sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_equals_pushing_everything() {
        let (mut a, mut b, mut all) = (Tally::new(), Tally::new(), Tally::new());
        for x in [1.0, 2.5, 4.0] {
            a.push(x);
            all.push(x);
        }
        for x in [8.0, 16.0] {
            b.push(x);
            all.push(x);
        }
        a.merge(&b);
        assert_eq!(a, all);
        assert_eq!(a.mean(), Some(31.5 / 5.0));
    }
}
