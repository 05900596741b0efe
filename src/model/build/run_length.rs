//! The `[simulation]` table: run length, warm-up, calendar start and the
//! sampling of time series, in the units a user writes (hours, minutes),
//! checked here and only here, and converted to [`SimTime`] once.

use super::limits;
use crate::calendar::StartTime;
use crate::error::{Error, Result};
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
}

/// A run length checked and on the simulation clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CompiledRunLength {
    pub(crate) horizon: Option<SimTime>,
    pub(crate) warmup: SimTime,
    pub(crate) sample_every: Option<SimTime>,
}

impl RunLength {
    /// Checks the run length: a finite positive horizon, a finite warm-up
    /// at least 0 and shorter than the horizon, a sampling interval the
    /// run can afford. Errors name the `simulation.*` field and the value
    /// in its own unit.
    pub(crate) fn compile(&self) -> Result<CompiledRunLength> {
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
        self.check_calendar_covers(horizon)?;
        Ok(CompiledRunLength {
            horizon,
            warmup: SimTime::from_hours(w),
            sample_every,
        })
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
        let (span, what) = match horizon {
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
