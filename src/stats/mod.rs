//! Streaming, mergeable statistics whose memory does not grow with the horizon.
//!
//! - [`OnlineMoments`]: count, mean, variance, min and max (Welford, merged by
//!   Chan's formula);
//! - [`TimeWeighted`]: a piecewise-constant quantity (queue length, busy
//!   servers) averaged over time, finished into a [`TimeAverage`];
//! - [`DurationHistogram`]: quantiles of durations with a relative error of at
//!   most 1% (an HDR histogram with two significant digits);
//! - [`Tally`]: a count and a sum, for means on the hot path.
//!
//! Every type merges with another of its kind, so results of replications or
//! shards combine without keeping the observations.

mod histogram;
mod moments;
mod tally;
mod time_weighted;

pub use histogram::DurationHistogram;
pub use moments::OnlineMoments;
pub use tally::Tally;
pub use time_weighted::{TimeAverage, TimeWeighted};
