//! The `[simulation]` table: the observed window (calendar start, horizon,
//! warm-up), the pre-roll before it and the drain after it, and the
//! sampling of time series, in the units a user writes (hours, minutes),
//! checked here and only here, and converted to [`SimTime`] once.
//!
//! # The run clock
//! A run starts `preroll_h` before `start`, on the scenario's own calendar
//! (the demand, shifts and dated factors of the days before), so the
//! observed window opens on a centre already holding the orders a real
//! one would hold. On the run clock (time zero = `start − preroll_h`):
//!
//! ```text
//! 0 ─ pre-roll ─ start ─ warm-up ─ window opens ─── window ─── horizon ─ drain ─┤
//! ```
//!
//! Statistics cover the window; the drain (no new orders) only lets the
//! orders that entered in the window finish, for the cohort lead times.

use super::limits;
use crate::calendar::StartTime;
use crate::error::{Error, Result};
use crate::rng::Synchronisation;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// The `[simulation]` table: run length and calendar.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RunLength {
    /// Run length in hours. Without it, every source needs `max_arrivals`
    /// and a run ends when the last order has left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_h: Option<f64>,
    /// Warm-up in hours: statistics restart at this time. Default 0.
    #[serde(default)]
    pub warmup_h: f64,
    /// Local date and time of time zero. Default `2024-01-01T00:00` (a Monday).
    #[serde(default)]
    pub start: StartTime,
    /// Sample queue lengths every this many minutes, for charts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_every_min: Option<f64>,
    /// Hours simulated before `start` on the scenario's own calendar, so
    /// the window opens loaded (a number of hours, or `"auto"`: see
    /// [`Preroll`]). Default 0: the run starts empty at `start`.
    #[serde(default, skip_serializing_if = "Preroll::is_zero")]
    pub preroll_h: Preroll,
    /// Hours the run goes on after the horizon with no new orders, so the
    /// orders that entered in the window can leave (their lead times are
    /// then measured, not cut off). The run stops as soon as they have all
    /// left. Default 0: orders still inside at the horizon count at their
    /// age so far, and lead-time figures are lower bounds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub drain_h: f64,
    /// Whose streams an order's own draws come from: `"by_order"` (the
    /// default: each order keeps its numbers across a scenario's variants)
    /// or `"by_node"` (the node's stream, in arrival order; the numbers
    /// published before this choice existed). See [`crate::rng`].
    #[serde(default, skip_serializing_if = "Synchronisation::is_default")]
    pub random_numbers: Synchronisation,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// How long a run goes before its calendar start (`simulation.preroll_h`).
///
/// In files, a number of hours (`preroll_h = 120`) or `"auto"`: the
/// longest path through the network, each stage at the 99th percentile of
/// its service or delay time (waits not counted), rounded up to whole days
/// and at least one day. The rule is a floor: check it with the start-up
/// check (`cbec-sim run --check-startup`), which doubles the pre-roll and
/// compares the headline KPIs.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Preroll {
    /// This many hours.
    Hours(f64),
    /// Chosen from the model (see the type's docs).
    Auto,
}

impl Default for Preroll {
    fn default() -> Self {
        Preroll::Hours(0.0)
    }
}

impl Preroll {
    fn is_zero(&self) -> bool {
        *self == Preroll::Hours(0.0)
    }
}

impl Serialize for Preroll {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Preroll::Hours(h) => s.serialize_f64(*h),
            Preroll::Auto => s.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for Preroll {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Preroll;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number of hours or \"auto\"")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Preroll, E> {
                Ok(Preroll::Hours(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Preroll, E> {
                Ok(Preroll::Hours(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Preroll, E> {
                Ok(Preroll::Hours(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Preroll, E> {
                if v == "auto" {
                    Ok(Preroll::Auto)
                } else {
                    Err(E::custom(format!(
                        "expected a number of hours or \"auto\", got \"{}\"",
                        crate::excerpt::excerpt(v, 40)
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Checks that a model without a horizon still ends: if no source stops
/// by itself (no `max_arrivals`, no replayed log), the horizon is what is
/// missing, and with it, when nothing else is given either, the whole
/// `[simulation]` table. A source left without `max_arrivals` beside
/// others that have one is reported by the source.
pub(super) fn check_an_end(b: &super::ModelBuilder) -> Result<()> {
    let endless = b
        .sources
        .iter()
        .find(|(_, s)| s.max_arrivals.is_none() && !s.replays());
    let any_counted = b.sources.values().any(|s| s.max_arrivals.is_some());
    let Some((name, _)) = endless.filter(|_| !any_counted) else {
        return Ok(());
    };
    let rule = format!(
        "the run length in hours (e.g. horizon_h = 168), unless every source stops by itself with max_arrivals (sources.{name} has none)"
    );
    Err(if b.simulation == RunLength::default() {
        Error::scenario(
            "simulation",
            format!("the [simulation] table is missing or empty; it must give horizon_h, {rule}"),
        )
    } else {
        Error::scenario("simulation.horizon_h", format!("is missing; give {rule}"))
    })
}

/// A run length checked and on the simulation clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CompiledRunLength {
    /// The pre-roll: the calendar start on the run clock.
    pub(crate) preroll: SimTime,
    /// The end of the window on the run clock (pre-roll included).
    pub(crate) horizon: Option<SimTime>,
    /// The opening of the window on the run clock (pre-roll included).
    pub(crate) warmup: SimTime,
    /// The longest drain after the horizon.
    pub(crate) drain: SimTime,
    pub(crate) sample_every: Option<SimTime>,
    pub(crate) random_numbers: Synchronisation,
}

impl RunLength {
    /// Checks the run length: a finite positive horizon, a finite warm-up
    /// at least 0 and shorter than the horizon, a sampling interval the
    /// run can afford. Errors name the `simulation.*` field and the value
    /// in its own unit.
    pub(crate) fn compile(&self) -> Result<CompiledRunLength> {
        let preroll = match self.preroll_h {
            Preroll::Hours(p) if p.is_finite() && p >= 0.0 => {
                limits::horizon("simulation.preroll_h", p)?;
                p
            }
            Preroll::Hours(p) => {
                return Err(Error::scenario(
                    "simulation.preroll_h",
                    format!("must be finite and at least 0, got {p}"),
                ));
            }
            Preroll::Auto => {
                return Err(Error::scenario(
                    "simulation.preroll_h",
                    "\"auto\" is resolved when the model is built; compile it through ModelBuilder::build",
                ));
            }
        };
        if preroll > 0.0 && self.horizon_h.is_none() {
            return Err(Error::scenario(
                "simulation.preroll_h",
                format!(
                    "needs simulation.horizon_h: a run without one ends when its sources are used up, which a pre-roll could do before the window opens, got {preroll}"
                ),
            ));
        }
        let d = self.drain_h;
        if !(d.is_finite() && d >= 0.0) {
            return Err(Error::scenario(
                "simulation.drain_h",
                format!("must be finite and at least 0, got {d}"),
            ));
        }
        if d > 0.0 && self.horizon_h.is_none() {
            return Err(Error::scenario(
                "simulation.drain_h",
                format!(
                    "needs simulation.horizon_h: a run without one already goes on until every order has left, got {d}"
                ),
            ));
        }
        let horizon = match self.horizon_h {
            Some(h) if h.is_finite() && h > 0.0 => {
                limits::horizon("simulation.horizon_h", h)?;
                Some(SimTime::from_hours(h))
            }
            Some(h) => {
                return Err(Error::scenario(
                    "simulation.horizon_h",
                    format!("must be finite and greater than 0, got {h}"),
                ));
            }
            None => None,
        };
        let w = self.warmup_h;
        if !(w.is_finite() && w >= 0.0) {
            return Err(Error::scenario(
                "simulation.warmup_h",
                format!("must be finite and at least 0, got {w}"),
            ));
        }
        if let Some(h) = self.horizon_h
            && w >= h
        {
            return Err(Error::scenario(
                "simulation.warmup_h",
                format!("must be shorter than simulation.horizon_h ({h}), got {w}"),
            ));
        }
        let sample_every = match self.sample_every_min {
            Some(m) if m.is_finite() && m > 0.0 => {
                let every = SimTime::from_minutes(m);
                limits::sampling(
                    "simulation.sample_every_min",
                    every.secs(),
                    horizon.map(SimTime::secs),
                )?;
                Some(every)
            }
            Some(m) => {
                return Err(Error::scenario(
                    "simulation.sample_every_min",
                    format!("must be finite and greater than 0, got {m}"),
                ));
            }
            None => None,
        };
        let whole = preroll + self.horizon_h.unwrap_or(0.0) + d;
        if preroll > 0.0 || d > 0.0 {
            limits::horizon(
                if d > 0.0 {
                    "simulation.drain_h"
                } else {
                    "simulation.preroll_h"
                },
                whole,
            )?;
        }
        self.check_calendar_covers(horizon)?;
        let p = SimTime::from_hours(preroll);
        Ok(CompiledRunLength {
            preroll: p,
            horizon: horizon.map(|h| SimTime::from_hours(preroll + h.hours())),
            warmup: SimTime::from_hours(preroll + w),
            drain: SimTime::from_hours(d),
            sample_every,
            random_numbers: self.random_numbers,
        })
    }

    /// The local date and time at which a run starts: `start` less the
    /// pre-roll (a pre-roll still `"auto"` counts as 0).
    #[must_use]
    pub fn run_start(&self) -> jiff::civil::DateTime {
        let p = match self.preroll_h {
            Preroll::Hours(p) if p.is_finite() && p >= 0.0 => p,
            _ => 0.0,
        };
        jiff::SignedDuration::try_from_secs_f64(p * 3600.0)
            .ok()
            .and_then(|d| self.start.0.checked_sub(d).ok())
            .unwrap_or(jiff::civil::DateTime::MIN)
    }
}

/// How far past the start the calendar must reach when a run has no
/// horizon (it ends when its last order leaves): ten years.
const UNBOUNDED_RUN_YEARS: i64 = 10;

impl RunLength {
    /// The calendar (years up to 9999) must hold every instant of the run:
    /// past its end, dates, weekdays and hours of day would all freeze at
    /// the last representable instant and arrivals would stop without a
    /// word.
    fn check_calendar_covers(&self, horizon: Option<SimTime>) -> Result<()> {
        let start = self.start.0;
        if let Preroll::Hours(p) = self.preroll_h
            && jiff::SignedDuration::try_from_secs_f64(p * 3600.0)
                .ok()
                .and_then(|d| start.checked_sub(d).ok())
                .is_none()
        {
            return Err(Error::scenario(
                "simulation.preroll_h",
                format!(
                    "{start} less a pre-roll of {p} h is before the calendar's first instant {}; give a shorter pre-roll",
                    jiff::civil::DateTime::MIN.strftime("%Y-%m-%dT%H:%M:%S")
                ),
            ));
        }
        let (span, what) = match horizon {
            Some(h) if self.drain_h > 0.0 => (
                jiff::SignedDuration::from_secs_f64(h.secs() + self.drain_h * 3600.0),
                format!(
                    "the horizon of {} h and the drain of {} h",
                    h.hours(),
                    self.drain_h
                ),
            ),
            Some(h) => (
                jiff::SignedDuration::from_secs_f64(h.secs()),
                format!("the horizon of {} h", h.hours()),
            ),
            None => (
                jiff::SignedDuration::from_hours(UNBOUNDED_RUN_YEARS * 366 * 24),
                format!("{UNBOUNDED_RUN_YEARS} years (a run without simulation.horizon_h)"),
            ),
        };
        match start.checked_add(span) {
            Ok(_) => Ok(()),
            Err(_) => Err(Error::scenario(
                "simulation.start",
                format!(
                    "{start} plus {what} passes the calendar's last instant {}; give an earlier start",
                    jiff::civil::DateTime::MAX.strftime("%Y-%m-%dT%H:%M:%S")
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(horizon_h: Option<f64>, warmup_h: f64, sample_every_min: Option<f64>) -> RunLength {
        RunLength {
            horizon_h,
            warmup_h,
            sample_every_min,
            ..RunLength::default()
        }
    }

    #[test]
    fn a_run_length_compiles_to_the_clock() {
        let c = run(Some(168.0), 24.0, Some(30.0)).compile().unwrap();
        assert_eq!(c.horizon, Some(SimTime::from_hours(168.0)));
        assert_eq!(c.warmup, SimTime::from_hours(24.0));
        assert_eq!(c.sample_every, Some(SimTime::from_minutes(30.0)));
    }

    #[test]
    fn a_run_past_the_calendar_end_is_refused() {
        let mut r = run(Some(72.0), 0.0, None);
        r.start = StartTime("9999-12-30T00:00".parse().unwrap());
        let e = r.compile().unwrap_err().to_string();
        assert!(
            e.starts_with("simulation.start: 9999-12-30T00:00:00 plus the horizon of 72 h passes the calendar's last instant 9999-12-31T23:59:59"),
            "{e}"
        );
        r.horizon_h = Some(24.0);
        assert!(r.compile().is_ok(), "the last whole day still fits");
        r.horizon_h = None;
        assert!(r.compile().unwrap_err().to_string().contains("10 years"));
    }

    #[test]
    fn errors_name_the_field_and_the_value_in_its_unit() {
        let e = |r: RunLength| r.compile().unwrap_err().to_string();
        assert_eq!(
            e(run(Some(-1.0), 0.0, None)),
            "simulation.horizon_h: must be finite and greater than 0, got -1"
        );
        assert_eq!(
            e(run(Some(10.0), 100.0, None)),
            "simulation.warmup_h: must be shorter than simulation.horizon_h (10), got 100"
        );
        assert_eq!(
            e(run(None, f64::NAN, None)),
            "simulation.warmup_h: must be finite and at least 0, got NaN"
        );
        assert!(
            e(run(Some(10.0), 0.0, Some(0.0)))
                .starts_with("simulation.sample_every_min: must be finite")
        );
    }
}
