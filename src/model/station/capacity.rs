//! A station's capacity over time: shifts (servers by time of week) and
//! breakdowns (the whole station down until repaired).
//!
//! Configuration ([`Breakdowns`]; shifts are [`Shift`](crate::Shift)s on the station),
//! compile step (shift profiles, durations in seconds) and the events:
//! a shift change, a failure, a repair. All three are capacity events:
//! at one instant they happen after service completions and before any
//! order arrives (see the crate docs on same-time events).
//!
//! Rules: a job in service when its server goes off shift is finished, the
//! time past the shift end counted as overtime; a job in service when the
//! station fails is finished too, but no new job starts until the repair.

use super::Station;
use crate::calendar::{WEEK_SECS, WeeklyProfile};
use crate::dist::Dist;
use crate::engine::EventClass;
use crate::error::{Error, Result};
use crate::model::Limit;
use crate::model::duration::DurationDist;
use crate::model::sim::{Event, Simulation};
use crate::time::{SimTime, TimeUnit};
use serde::{Deserialize, Serialize};

/// Failures of the whole station: while it is down no service starts.
///
/// # Semantics
/// Up-times are drawn from `time_between_failures_h` (hours), counted from
/// the end of the previous repair (the first from time zero); repairs from
/// `repair_time_min` (minutes). When the station fails, **jobs already in
/// service finish**; waiting jobs wait until the repair ends, then start on
/// every free server at once. Availability is the share of time up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Breakdowns {
    /// Up-time between failures, hours.
    pub time_between_failures_h: Dist,
    /// Repair time, minutes.
    pub repair_time_min: Dist,
}

impl Breakdowns {
    /// Failures every `time_between_failures_h` hours, repairs of `repair_time_min` minutes.
    #[must_use]
    pub fn new(time_between_failures_h: Dist, repair_time_min: Dist) -> Self {
        Breakdowns {
            time_between_failures_h,
            repair_time_min,
        }
    }
}

/// Breakdowns compiled: up-times and repair times as durations.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BreakdownTimes {
    pub(crate) up: DurationDist,
    pub(crate) repair: DurationDist,
}

/// The shift profile of a station, if it has shifts.
pub(super) fn compile_shifts(
    field: &str,
    s: &Station,
    infinite: bool,
) -> Result<Option<WeeklyProfile>> {
    if s.shifts.is_empty() {
        return Ok(None);
    }
    if infinite {
        return Err(Error::scenario(
            field,
            "a station with infinitely many servers cannot have shifts",
        ));
    }
    for (i, sh) in s.shifts.iter().enumerate() {
        if sh.days.is_empty() {
            return Err(Error::scenario(
                format!("{field}[{i}].days"),
                "must list at least one day",
            ));
        }
        // The largest u32 means "no limit": a shift cannot have it.
        if sh.servers > Limit::MAX_FINITE {
            return Err(Error::scenario(
                format!("{field}[{i}].servers"),
                format!("must be at most {}, got {}", Limit::MAX_FINITE, sh.servers),
            ));
        }
    }
    let outside = match s.servers {
        super::Servers::Finite(c) => c,
        super::Servers::Infinite => unreachable!("checked above"),
    };
    let profile = WeeklyProfile::from_shifts(outside, &s.shifts);
    if profile.max() == 0 {
        return Err(Error::scenario(
            field,
            "no server is ever on shift; orders would wait forever",
        ));
    }
    Ok(Some(profile))
}

/// Breakdowns with their durations in seconds.
pub(super) fn compile_breakdowns(
    field: &str,
    b: Option<&Breakdowns>,
) -> Result<Option<BreakdownTimes>> {
    let Some(b) = b else {
        return Ok(None);
    };
    if b.time_between_failures_h.mean() <= 0.0 {
        return Err(Error::scenario(
            format!("{field}.time_between_failures_h"),
            "must have a mean greater than 0, or the station would fail without end",
        ));
    }
    // A failure and its repair take at least a second on average, or the
    // failures alone would flood the event calendar.
    let cycle_secs = b.time_between_failures_h.mean() * 3600.0 + b.repair_time_min.mean() * 60.0;
    if cycle_secs < 1.0 {
        return Err(Error::scenario(
            field,
            format!(
                "a failure and its repair must take at least one second on average (time_between_failures_h plus repair_time_min), got {cycle_secs:e} s"
            ),
        ));
    }
    Ok(Some(BreakdownTimes {
        up: DurationDist::new(b.time_between_failures_h.clone(), TimeUnit::Hours),
        repair: DurationDist::new(b.repair_time_min.clone(), TimeUnit::Minutes),
    }))
}

impl Simulation<'_> {
    /// Schedules station `s`'s first shift change and first failure.
    pub(crate) fn schedule_capacity_events(&mut self, s: usize, week_offset: f64) {
        let node = &self.model.stations[s];
        let station = s as u16;
        if let Some(p) = &node.shifts
            && let Some(dt) = p.next_change(week_offset)
        {
            self.calendar.schedule(
                SimTime::from_secs(dt),
                EventClass::Capacity,
                Event::ShiftChange { station },
            );
        }
        if let Some(b) = &node.breakdowns {
            let t = b.up.sample(&mut self.stations[s].failure_rng);
            self.calendar
                .schedule(t, EventClass::Capacity, Event::Failure { station });
        }
    }

    /// The servers of station `s` change with its shifts.
    #[inline(never)]
    pub(crate) fn shift_change(&mut self, s: usize, now: SimTime) {
        let profile = self.model.stations[s]
            .shifts
            .as_ref()
            .expect("shift events only with shifts");
        // Evaluate just past the boundary, so rounding cannot land us on the old value.
        let w = self.model.calendar.week_offset(now) + 1e-3;
        let st = &mut self.stations[s];
        st.on_shift = Limit::at_most(profile.value_at(w % WEEK_SECS));
        st.stats.on_shift.update(now, st.on_shift_count());
        st.stats
            .overtime
            .update(now, f64::from(st.on_shift.excess(st.busy)));
        if let Some(dt) = profile.next_change(w % WEEK_SECS) {
            self.calendar.schedule(
                SimTime::from_secs(now.secs() + 1e-3 + dt),
                EventClass::Capacity,
                Event::ShiftChange { station: s as u16 },
            );
        }
        self.fill(s, now);
    }

    /// Station `s` fails; its repair is scheduled.
    #[inline(never)]
    pub(crate) fn failure(&mut self, s: usize, now: SimTime) {
        let b = self.model.stations[s]
            .breakdowns
            .as_ref()
            .expect("failures only with breakdowns");
        let st = &mut self.stations[s];
        st.up = false;
        st.stats.available.update(now, 0.0);
        let d = b.repair.sample(&mut st.repair_rng);
        self.calendar.schedule(
            now + d,
            EventClass::Capacity,
            Event::Repair { station: s as u16 },
        );
    }

    /// Station `s` is repaired; its next failure is scheduled and waiting
    /// jobs start on every free server.
    #[inline(never)]
    pub(crate) fn repair(&mut self, s: usize, now: SimTime) {
        let b = self.model.stations[s]
            .breakdowns
            .as_ref()
            .expect("repairs only with breakdowns");
        let st = &mut self.stations[s];
        st.up = true;
        st.stats.available.update(now, 1.0);
        let d = b.up.sample(&mut st.failure_rng);
        self.calendar.schedule(
            now + d,
            EventClass::Capacity,
            Event::Failure { station: s as u16 },
        );
        self.fill(s, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_cycle_under_a_second_is_refused() {
        let b = |up_h: f64, repair_min: f64| {
            Breakdowns::new(
                Dist::deterministic(up_h).unwrap(),
                Dist::deterministic(repair_min).unwrap(),
            )
        };
        let check = |b: &Breakdowns| compile_breakdowns("stations.x.breakdowns", Some(b));
        assert!(check(&b(1.0, 10.0)).is_ok());
        assert!(
            check(&b(0.0002, 0.005)).is_ok(),
            "0.72 s up, a repair 0.3 s"
        );
        assert!(check(&b(0.0002, 0.0)).is_err(), "0.72 s up, no repair");
        let e = check(&b(1e-12, 0.0)).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "stations.x.breakdowns: a failure and its repair must take at least one second"
            ),
            "{e}"
        );
    }
}
