//! Dispatch points: parcels wait for a vehicle that leaves at scheduled
//! clock times (with a capacity per vehicle) and/or as soon as a full load
//! waits.
//!
//! The configuration ([`Dispatch`], [`WeeklyTime`]), its compiled form
//! (departure slots as week offsets), the compile step and the runtime:
//! parcels arrive, vehicles leave with the oldest parcels first.

use super::NodeKind;
use super::arrivals::next_slot;
use super::build::Registry;
use super::sim::{Event, Simulation};
use super::trace::OrderEvent;
use super::{Limit, NodeId};
use crate::calendar::{ClockTime, Day};
use crate::engine::{EntityId, EventClass};
use crate::error::{Error, Result};
use crate::stats::{DurationHistogram, OnlineMoments, TimeWeighted};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// A clock time on given weekdays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct WeeklyTime {
    /// Days. Default: every day.
    #[serde(default = "all_days")]
    pub days: Vec<Day>,
    /// Clock time.
    pub at: ClockTime,
}

fn all_days() -> Vec<Day> {
    Day::ALL.to_vec()
}

impl WeeklyTime {
    /// `at` (`"HH:MM"`) on `days`.
    ///
    /// # Errors
    /// [`Error::Scenario`] if `at` is not a clock time.
    pub fn new(days: &[Day], at: &str) -> Result<Self> {
        Ok(WeeklyTime {
            days: days.to_vec(),
            at: ClockTime::parse(at).map_err(|e| Error::scenario("at", e))?,
        })
    }
}

/// Holds parcels until a vehicle leaves: at scheduled clock times (truck
/// departures, carrier pick-ups), and/or as soon as a full load is waiting.
///
/// # Semantics
/// - Parcels wait in arrival order.
/// - At each time in `departures`, a vehicle leaves with the oldest
///   parcels, at most `capacity` of them (all, without a capacity); parcels
///   left over wait for the next one. A departure with nothing waiting sends
///   no vehicle.
/// - With `batch_size`, a vehicle also leaves the moment `batch_size`
///   parcels are waiting, with exactly that many.
/// - The time each parcel waited is measured.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Day, Dispatch, WeeklyTime};
/// let trucks = Dispatch::new("delivered")
///     .with_departure(WeeklyTime::new(&Day::ALL, "10:00")?)
///     .with_departure(WeeklyTime::new(&Day::ALL, "18:00")?)
///     .with_capacity(3000);
/// assert_eq!(trucks.departures.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Dispatch {
    /// Scheduled departures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departures: Vec<WeeklyTime>,
    /// A vehicle leaves as soon as this many parcels wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u32>,
    /// Most parcels per scheduled vehicle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Where parcels go when their vehicle leaves.
    pub to: String,
    /// Milestone stamped on arrival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
}

impl Dispatch {
    /// A dispatch point leading to `to`, with no departures yet.
    #[must_use]
    pub fn new(to: impl Into<String>) -> Self {
        Dispatch {
            departures: Vec::new(),
            batch_size: None,
            capacity: None,
            to: to.into(),
            milestone: None,
        }
    }

    /// Adds a scheduled departure.
    #[must_use]
    pub fn with_departure(mut self, at: WeeklyTime) -> Self {
        self.departures.push(at);
        self
    }

    /// A vehicle leaves as soon as `n` parcels wait.
    #[must_use]
    pub fn with_batch_size(mut self, n: u32) -> Self {
        self.batch_size = Some(n);
        self
    }

    /// At most `n` parcels per scheduled vehicle.
    #[must_use]
    pub fn with_capacity(mut self, n: u32) -> Self {
        self.capacity = Some(n);
        self
    }

    /// Stamps the milestone `name` on arrival.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }
}

/// A dispatch point compiled for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DispatchNode {
    pub(crate) name: String,
    /// Departure times as week offsets in seconds, sorted.
    pub(crate) slots: Vec<f64>,
    pub(crate) batch_size: Option<u32>,
    /// Most parcels per scheduled vehicle.
    pub(crate) capacity: Limit,
    pub(crate) to: NodeId,
}

impl DispatchNode {
    /// Checks dispatch point `name` and resolves its names.
    pub(crate) fn compile(reg: &Registry, name: &str, d: &Dispatch) -> Result<Self> {
        let f = |x: &str| format!("dispatches.{name}.{x}");
        if d.departures.is_empty() && d.batch_size.is_none() {
            return Err(Error::scenario(
                format!("dispatches.{name}"),
                "needs departures, a batch_size, or both; otherwise nothing would ever leave",
            ));
        }
        if d.batch_size == Some(0) {
            return Err(Error::scenario(
                f("batch_size"),
                "must be at least 1, got 0",
            ));
        }
        if d.capacity == Some(0) {
            return Err(Error::scenario(f("capacity"), "must be at least 1, got 0"));
        }
        let capacity = match d.capacity {
            Some(c) => reg.limit(&f("capacity"), c)?,
            None => Limit::NONE,
        };
        if let (Some(b), Some(c)) = (d.batch_size, d.capacity)
            && b > c
        {
            return Err(Error::scenario(
                f("batch_size"),
                format!(
                    "must be at most the capacity of a vehicle ({c}), got {b}: a full load would not fit in one"
                ),
            ));
        }
        let mut slots = Vec::new();
        for (i, w) in d.departures.iter().enumerate() {
            if w.days.is_empty() {
                return Err(Error::scenario(
                    f(&format!("departures[{i}].days")),
                    "must list at least one day",
                ));
            }
            for day in &w.days {
                slots.push(day.index() as f64 * 86_400.0 + w.at.secs());
            }
        }
        slots.sort_by(f64::total_cmp);
        slots.dedup();
        Ok(DispatchNode {
            name: name.to_string(),
            slots,
            batch_size: d.batch_size,
            capacity,
            to: reg.target(&f("to"), &d.to)?,
        })
    }
}

/// A dispatch point during one replication.
#[derive(Debug)]
pub(crate) struct DispatchState {
    pub(crate) held: VecDeque<EntityId>,
    pub(crate) arrivals: u64,
    pub(crate) departures: u64,
    pub(crate) vehicles: u64,
    pub(crate) wait: OnlineMoments,
    pub(crate) wait_hist: DurationHistogram,
    pub(crate) held_avg: TimeWeighted,
}

impl DispatchState {
    /// An empty dispatch point at `now`.
    pub(crate) fn new(now: SimTime) -> Self {
        DispatchState {
            held: VecDeque::new(),
            arrivals: 0,
            departures: 0,
            vehicles: 0,
            wait: OnlineMoments::new(),
            wait_hist: DurationHistogram::new(),
            held_avg: TimeWeighted::new(now, 0.0),
        }
    }

    /// Forgets what was counted before `now` (the end of the warm-up).
    pub(crate) fn restart(&mut self, now: SimTime) {
        self.arrivals = 0;
        self.departures = 0;
        self.vehicles = 0;
        self.wait = OnlineMoments::new();
        self.wait_hist.reset();
        self.held_avg.restart(now);
    }
}

impl Simulation<'_> {
    /// Schedules the first scheduled vehicle of dispatch point `d`, if any.
    pub(crate) fn schedule_first_departure(&mut self, d: usize, week_offset: f64) {
        let node = &self.model.dispatches[d];
        if !node.slots.is_empty() {
            let (dt, _) = next_slot(&node.slots, week_offset, true);
            self.calendar.schedule(
                SimTime::from_secs(dt),
                EventClass::Release,
                Event::Departure { dispatch: d as u16 },
            );
        }
    }

    /// Parcel `id` arrives at dispatch point `d`; a full load leaves at once.
    #[inline(never)]
    pub(crate) fn dispatch_arrival(&mut self, d: usize, id: EntityId, now: SimTime) {
        self.orders[id].entered = now;
        let st = &mut self.dispatches[d];
        st.arrivals += 1;
        st.held.push_back(id);
        st.held_avg.update(now, st.held.len() as f64);
        if let Some(b) = self.model.dispatches[d].batch_size
            && st.held.len() >= b as usize
        {
            self.depart(d, b as usize, now);
        }
    }

    /// A scheduled vehicle leaves dispatch point `d` with what fits.
    #[inline(never)]
    pub(crate) fn scheduled_departure(&mut self, d: usize, now: SimTime) {
        let node = &self.model.dispatches[d];
        let n = node.capacity.cap(self.dispatches[d].held.len());
        self.depart(d, n, now);
        let w = self.model.calendar.week_offset(now);
        let (dt, _) = next_slot(&node.slots, w, false);
        self.calendar.schedule(
            SimTime::from_secs(now.secs() + dt),
            EventClass::Release,
            Event::Departure { dispatch: d as u16 },
        );
    }

    /// A vehicle leaves dispatch point `d` with its `n` oldest parcels.
    #[inline(never)]
    fn depart(&mut self, d: usize, n: usize, now: SimTime) {
        if n == 0 {
            return;
        }
        let to = self.model.dispatches[d].to;
        self.dispatches[d].vehicles += 1;
        for _ in 0..n {
            let st = &mut self.dispatches[d];
            let id = st.held.pop_front().expect("n parcels are waiting");
            if self.tallying {
                let wait = now - self.orders[id].entered;
                st.wait.push(wait.secs());
                st.wait_hist.record(wait);
                st.departures += 1;
            }
            self.trace(OrderEvent::Release, NodeKind::Dispatch(d), id, now);
            let target = self.resolve(to, id, now);
            self.moving.push_back((target, id));
        }
        let st = &mut self.dispatches[d];
        st.held_avg.update(now, st.held.len() as f64);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Dispatch, Model, SimTime, Sink, Source};

    #[test]
    fn a_full_load_must_fit_in_a_vehicle() {
        let with = |batch: u32, capacity: u32| {
            Model::builder()
                .with_source("orders", Source::poisson(10.0, "trucks"))
                .with_dispatch(
                    "trucks",
                    Dispatch::new("done")
                        .with_batch_size(batch)
                        .with_capacity(capacity),
                )
                .with_sink("done", Sink::new())
                .with_horizon(SimTime::from_hours(1.0))
                .build()
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(with(3, 3), Ok(()));
        assert_eq!(
            with(5, 3),
            Err("dispatches.trucks.batch_size: must be at most the capacity of a vehicle (3), got 5: a full load would not fit in one".into())
        );
    }
}
