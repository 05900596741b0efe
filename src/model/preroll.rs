//! The automatic pre-roll (`simulation.preroll_h = "auto"`): the longest
//! path an order can take through the network, each stage at the 99th
//! percentile of its service or delay time, rounded up to whole days.
//!
//! It is a floor, not a proof: waits in queues are not counted (they are
//! what the pre-roll is for), nor are vehicle headways or service scaled
//! by an attribute. The start-up check (doubling the pre-roll and
//! comparing the headline KPIs) is what shows that it was long enough.

use super::station::ServiceTime;
use super::{Model, NodeKind};
use crate::rng::{StreamId, stream_rng};
use crate::time::SimTime;

/// Draws per stage for its 99th percentile: the estimate's standard error
/// is about 0.2 percentage points of probability, far inside the rounding
/// to whole days.
const DRAWS: usize = 4096;

/// The quantile each stage is taken at.
const QUANTILE: f64 = 0.99;

/// The shortest automatic pre-roll, hours.
const MIN_HOURS: f64 = 24.0;

impl Model {
    /// The upper-quantile time of the longest path from a source to a
    /// sink: each station or delay at the 99th percentile of its service
    /// time (a "latest of" at the latest part's), routers, dispatch points
    /// and sinks at 0. Cycles are cut where a depth-first search from the
    /// sources closes them, so each node counts once on a path.
    ///
    /// This is the `"auto"` pre-roll's rule before rounding (see
    /// [`Preroll`](crate::model::Preroll)).
    #[must_use]
    pub fn longest_path_p99(&self) -> SimTime {
        let n = self.nodes.len();
        let weight: Vec<f64> = (0..n)
            .map(|i| match self.nodes[i].kind {
                NodeKind::Station(s) => {
                    stage_p99(&self.stations[s].service, &self.stations[s].name)
                }
                _ => 0.0,
            })
            .collect();
        // Longest simple-ish path by DFS with memo over the DAG left once
        // back edges (edges into a node on the current path) are dropped.
        let mut best: Vec<Option<f64>> = vec![None; n];
        let mut on_path = vec![false; n];
        let mut longest = 0.0f64;
        for i in 0..n {
            if matches!(self.nodes[i].kind, NodeKind::Source(_)) {
                longest = longest.max(self.longest_from(i, &weight, &mut best, &mut on_path));
            }
        }
        SimTime::from_secs(longest)
    }

    fn longest_from(
        &self,
        i: usize,
        weight: &[f64],
        best: &mut [Option<f64>],
        on_path: &mut [bool],
    ) -> f64 {
        if let Some(b) = best[i] {
            return b;
        }
        on_path[i] = true;
        let mut tail = 0.0f64;
        for j in self.successors(i, false) {
            if !on_path[j] {
                tail = tail.max(self.longest_from(j, weight, best, on_path));
            }
        }
        on_path[i] = false;
        let b = weight[i] + tail;
        best[i] = Some(b);
        b
    }

    /// The automatic pre-roll in hours: [`Model::longest_path_p99`]
    /// rounded up to whole days, at least one day.
    #[must_use]
    pub(crate) fn auto_preroll_hours(&self) -> f64 {
        let h = self.longest_path_p99().hours();
        ((h / 24.0).ceil() * 24.0).max(MIN_HOURS)
    }
}

/// The 99th percentile of one stage's service time, seconds, from
/// [`DRAWS`] draws of a fixed stream (the same for every run).
fn stage_p99(service: &ServiceTime, name: &str) -> f64 {
    let mut rng = stream_rng(0, 0, StreamId::named("preroll", name, "p99"));
    let mut draws: Vec<f64> = (0..DRAWS)
        .map(|_| match service {
            ServiceTime::One(d) => d.sample(&mut rng).secs(),
            ServiceTime::LatestOf(parts) => parts
                .iter()
                .map(|d| d.sample(&mut rng).secs())
                .fold(0.0, f64::max),
        })
        .collect();
    draws.sort_by(f64::total_cmp);
    draws[((DRAWS as f64 * QUANTILE).ceil() as usize).min(DRAWS) - 1]
}

#[cfg(test)]
mod tests {
    use crate::{Delay, Dist, Model, Route, Router, SimTime, Sink, Source, Station};

    #[test]
    fn the_longest_path_takes_the_slow_branch_at_its_99th_percentile() {
        // Two branches after a router: a 2 h fixed delay, or a 10 h one.
        let model = Model::builder()
            .with_source("orders", Source::poisson(1.0, "split"))
            .with_router(
                "split",
                Router::new(vec![Route::new("fast", 0.9), Route::new("slow", 0.1)]),
            )
            .with_delay(
                "fast",
                Delay::latest_of("done").with_part("a", Dist::deterministic(120.0).unwrap()),
            )
            .with_delay(
                "slow",
                Delay::latest_of("desk")
                    .with_part("a", Dist::deterministic(600.0).unwrap())
                    .with_part("b", Dist::deterministic(60.0).unwrap()),
            )
            .with_station(
                "desk",
                Station::new(1, Dist::deterministic(30.0).unwrap(), "done"),
            )
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(10.0))
            .build()
            .unwrap();
        assert_eq!(model.longest_path_p99(), SimTime::from_minutes(630.0));
        assert_eq!(model.auto_preroll_hours(), 24.0);
    }

    #[test]
    fn a_loop_counts_each_stage_once() {
        let model = Model::builder()
            .with_source("orders", Source::poisson(1.0, "work"))
            .with_station(
                "work",
                Station::new(1, Dist::deterministic(1500.0).unwrap(), "check"),
            )
            .with_router(
                "check",
                Router::new(vec![Route::new("work", 0.5), Route::new("done", 0.5)]),
            )
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(10.0))
            .build()
            .unwrap();
        assert_eq!(model.longest_path_p99(), SimTime::from_minutes(1500.0));
        assert_eq!(model.auto_preroll_hours(), 48.0);
    }
}
