//! Durations drawn from a distribution given in a unit of the user's
//! (minutes, hours), converted to [`SimTime`] once, when the model is built.
//!
//! Scenario fields carry their unit in their name (`service_time_min`,
//! `time_between_failures_h`); the compile step wraps each such
//! distribution in a [`DurationDist`] with its seconds per unit, so the
//! event loop draws [`SimTime`] directly and does no unit arithmetic.
//!
//! A draw is `dist.sample(rng) * secs_per_unit`: the same arithmetic, bit
//! for bit, as scaling the draw by hand (and exact for seconds, where the
//! factor is 1).

use crate::dist::Dist;
use crate::time::{SimTime, TimeUnit};

/// A distribution of durations in a known unit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DurationDist {
    dist: Dist,
    secs_per_unit: f64,
}

impl DurationDist {
    /// Draws of `dist` are durations in `unit`.
    pub(crate) fn new(dist: Dist, unit: TimeUnit) -> Self {
        DurationDist {
            dist,
            secs_per_unit: unit.secs(),
        }
    }

    /// One duration.
    #[inline(always)]
    pub(crate) fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> SimTime {
        SimTime::from_secs(self.dist.sample(rng) * self.secs_per_unit)
    }

    /// Whether a draw can be exactly zero with positive probability.
    pub(crate) fn can_be_zero(&self) -> bool {
        self.dist.can_be_zero()
    }

    /// The mean duration.
    pub(crate) fn mean(&self) -> SimTime {
        SimTime::from_secs(self.dist.mean() * self.secs_per_unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{StreamId, stream_rng};

    #[test]
    fn draws_equal_the_hand_scaled_draw_bit_for_bit() {
        let d = Dist::lognormal(2.5, 0.8).unwrap();
        let stream = StreamId::named("test", "duration", "draws");
        let (mut a, mut b) = (stream_rng(1, 2, stream), stream_rng(1, 2, stream));
        let minutes = DurationDist::new(d.clone(), TimeUnit::Minutes);
        for _ in 0..1000 {
            assert_eq!(minutes.sample(&mut a).secs(), d.sample(&mut b) * 60.0);
        }
    }

    #[test]
    fn mean_is_converted_to_seconds() {
        let d = Dist::exponential(1.5).unwrap();
        assert_eq!(
            DurationDist::new(d.clone(), TimeUnit::Hours).mean().secs(),
            5400.0
        );
        assert_eq!(
            DurationDist::new(d.clone(), TimeUnit::Minutes)
                .mean()
                .secs(),
            90.0
        );
        assert_eq!(DurationDist::new(d, TimeUnit::Seconds).mean().secs(), 1.5);
    }
}
