//! Calibration from operators' event logs: the foundation of fitting a
//! scenario to what a bonded centre recorded.
//!
//! An operator logs one row per order and event (`order`, `event`, `time`,
//! optional attribute columns). An [`EventMap`] (a TOML file) says which
//! event names the log may have and what they mean to a fit: **stages**
//! (a duration from one event to another), **routes** (an event counted
//! among the orders that had another: a share) and the **arrival** event
//! (demand). [`EventLog`] reads a log in one streaming pass against the
//! map and keeps what a fit needs: per stage the completed durations and
//! the right-censored ages of stages still open at the log's end, per
//! route the trials and successes, and the arrival times.
//!
//! [`EventLogWriter`] goes the other way: it turns a simulation's order
//! events into the rows of such a log, through the same map, so that a fit
//! can be tested on a log whose true parameters are known.
//!
//! The format of both files is in `docs/event-log.md`.
//!
//! | file | concept |
//! |---|---|
//! | `map.rs` | [`EventMap`]: the event names, stages, routes and arrival event |
//! | `log/` | [`EventLog`]: the streaming parser and what it accumulates ([`StageSample`], [`RouteCount`]), over a [`Window`] of the log |
//! | `calibration.rs` | [`Calibration`]: a whole log fitted through its map (stages, routes, demand) and the values a template takes from it |
//! | `fitted.rs` | [`fitted_scenario`]: a template with the calibrated values set and their `C` ranges ([`Calibrated`]) |
//! | `holdout/` | [`check_holdout`]: the held-out weeks simulated with their actual orders and compared stage by stage ([`HoldoutCheck`], [`StageComparison`]) |
//! | `share.rs` | [`Share`]: a route's share with its exact interval ([`RouteCount::share`]) |
//! | `stage_kind.rs` | [`StageKind`]: what a stage's duration measures (service, wait, sojourn) |
//! | `staffing.rs` | [`apply_shifts`]: servers and shifts from an operator's shift file |
//! | `synthetic.rs` | [`EventLogWriter`]: a simulation's order events as a log |
//! | `fit/` | [`fit_durations`]: a stage's durations fitted by censored maximum likelihood across the families, chosen by AIC, tested by a bootstrap ([`DurationFit`]) |
//! | `demand/` | [`fit_demand`], [`DemandFit`]: an hour-of-day × weekday rate profile with promotion days, intervals and tests of separability and stability |

mod calibration;
mod demand;
mod fit;
mod fitted;
mod holdout;
mod log;
mod map;
mod share;
mod staffing;
mod stage_kind;
mod synthetic;
mod text;

pub use calibration::{Calibration, CalibrationOptions, RouteCalibration, StageCalibration};
pub use demand::{
    CellRate, DemandFit, DemandOptions, Estimate, GTest, HourlyRate, MAX_WINDOW_DAYS, PromotionDay,
    TestOutcome, WeekTotal, WeekdayFactor, fit_demand,
};
pub use fit::{
    Candidate, Choice, Criterion, DurationFit, Family, FitOptions, GoodnessOfFit, Law,
    MAX_BOOTSTRAP, MIN_GOF_COMPLETED, Param, fit_durations,
};
pub use fitted::{Calibrated, FittedScenario, fitted_scenario};
pub use holdout::{
    HoldoutCheck, HoldoutOptions, MAX_HOLDOUT_REPLICATIONS, QuantileEstimate, StageComparison,
    check_holdout,
};
pub use log::{EventLog, MAX_LIVE_ORDERS, RouteCount, StageSample, Window};
pub use map::{EventMap, MAX_EVENTS, StageKind};
pub use share::Share;
pub use staffing::apply_shifts;
pub use synthetic::EventLogWriter;
