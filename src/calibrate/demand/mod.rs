//! Demand: an hour-of-day × weekday rate profile with dated factors,
//! fitted to arrival times, with exact and Wald intervals, promotion
//! days, and tests of separability and of stability across weeks.
//!
//! The method is documented on [`DemandFit`].

mod counts;
mod display;
mod poisson;
mod promotion;
mod separable;
mod stability;

pub use counts::MAX_WINDOW_DAYS;

use self::counts::Counts;
use self::poisson::{garwood, z};
use self::separable::{Information, Table};
use super::log::EventLog;
use crate::calendar::Day;
use crate::error::{Error, Result};
use crate::model::{CalendarDate, DatedFactor, RateProfile};
use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

/// The options of a demand fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DemandOptions {
    /// Confidence level of every interval, in (0, 1). Default 0.95.
    pub level: f64,
    /// Significance of the tests, in (0, 1): family-wise over the days
    /// for the promotion search (Bonferroni), and per test for a
    /// promotion day's hourly shape, separability and stability.
    /// Default 0.01.
    pub alpha: f64,
}

impl Default for DemandOptions {
    fn default() -> Self {
        DemandOptions {
            level: 0.95,
            alpha: 0.01,
        }
    }
}

impl DemandOptions {
    /// The same with confidence level `level`.
    #[must_use]
    pub fn with_level(mut self, level: f64) -> Self {
        self.level = level;
        self
    }

    /// The same with significance `alpha`.
    #[must_use]
    pub fn with_alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    fn validate(&self) -> Result<()> {
        for (name, v) in [("level", self.level), ("alpha", self.alpha)] {
            if !(v > 0.0 && v < 1.0) {
                return Err(Error::scenario(
                    format!("demand.{name}"),
                    format!("must be between 0 and 1 (exclusive), got {v}"),
                ));
            }
        }
        Ok(())
    }
}

/// An estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Estimate {
    /// The point estimate.
    pub estimate: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
}

impl Estimate {
    fn new(estimate: f64, (low, high): (f64, f64)) -> Self {
        Estimate {
            estimate,
            low,
            high,
        }
    }

    /// Whether the interval contains `x`.
    #[must_use]
    pub fn covers(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// One cell of the 7×24 table: the rate at an hour of a weekday over the
/// days that are not promotion days.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CellRate {
    /// The weekday.
    pub day: Day,
    /// The hour of day, 0 for 00:00-01:00.
    pub hour: u8,
    /// Arrivals in the cell.
    pub orders: u64,
    /// Hours the cell was observed.
    pub observed_h: f64,
    /// Orders per hour with Garwood's exact interval; `None` if the cell
    /// was never observed.
    pub rate_per_hour: Option<Estimate>,
}

/// An hourly rate of the separable profile: orders per hour at that hour
/// on a weekday of factor 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct HourlyRate {
    /// The hour of day, 0 for 00:00-01:00.
    pub hour: u8,
    /// Arrivals at that hour (promotion days left out).
    pub orders: u64,
    /// Orders per hour, with its Wald interval on the log scale (`[0,
    /// high]` at a rate of 0).
    pub rate_per_hour: Estimate,
}

/// A weekday's factor in the separable profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WeekdayFactor {
    /// The weekday.
    pub day: Day,
    /// Arrivals on it (promotion days left out).
    pub orders: u64,
    /// Hours it was observed.
    pub observed_h: f64,
    /// The factor (mean 1 over the observed weekdays) with its Wald
    /// interval on the log scale; `None` if the weekday was never
    /// observed, and the profile then uses 1.
    pub factor: Option<Estimate>,
}

/// A likelihood-ratio (G) test against the chi-squared distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GTest {
    /// The statistic, twice the log-likelihood ratio.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: u64,
    /// The upper chi-squared tail at the statistic.
    pub p_value: f64,
}

impl GTest {
    fn from_tuple((statistic, df, p_value): (f64, u64, f64)) -> Self {
        GTest {
            statistic,
            df,
            p_value,
        }
    }
}

/// A test's result, whether it rejects at the fit's `alpha`, and what it
/// means (or why it could not be made).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TestOutcome {
    /// The test; `None` if it could not be made.
    pub test: Option<GTest>,
    /// Whether its p-value is below `alpha`.
    pub rejects: bool,
    /// What the result means for the profile.
    pub note: String,
}

/// A promotion day: a dated factor on the profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PromotionDay {
    /// The date.
    pub date: CalendarDate,
    /// Its weekday.
    pub day: Day,
    /// Arrivals on it.
    pub orders: u64,
    /// Arrivals the profile (fitted without the promotion days) expects.
    pub expected: f64,
    /// The exact two-sided Poisson p-value of `orders` against `expected`
    /// (compare with `alpha` over the days tested).
    pub p_value: f64,
    /// `orders / expected`, with Garwood's interval on `orders` divided
    /// by `expected`, widened for the error of `expected` (its log's Wald
    /// half-width, from the profile's Poisson information, added in
    /// quadrature to each of the count's half-widths on the log scale).
    pub factor: Estimate,
    /// The G-test of the day's hourly shape against the profile's.
    pub shape: Option<GTest>,
    /// Empty when the shape is the profile's; otherwise 24 multipliers,
    /// hour by hour, such that `factor × hour_factors[h] ×` the profile's
    /// rate gives the day's count at hour `h` (their mean weighted by the
    /// profile's expected counts is 1). An hour where the profile expects
    /// nothing gets 1.
    pub hour_factors: Vec<f64>,
}

/// One week (a 7-day block from the window's first date) against the
/// profile: a trend shows as ratios that drift.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WeekTotal {
    /// The block's first date.
    pub start: CalendarDate,
    /// Hours observed, promotion days left out.
    pub observed_h: f64,
    /// Arrivals, promotion days left out.
    pub orders: u64,
    /// Promotion days in the block.
    pub promotion_days: u32,
    /// Arrivals the separable profile expects over the same hours.
    pub expected: f64,
    /// `orders / expected` with Garwood's interval on `orders` divided by
    /// `expected`; `None` when nothing is expected.
    pub ratio: Option<Estimate>,
}

/// Demand fitted to arrival times.
///
/// The fit reads arrivals in one pass and keeps only their counts per
/// (date, clock hour) of the observation window, with the exact hours
/// each such cell was observed (partial hours at the window's ends pro
/// rata). From those:
///
/// 1. **Promotion days** ([`PromotionDay`]): a full day whose total is far
///    above or below what the other days of its weekday predict, under
///    the hourly profile fitted without it (two-sided exact conditional
///    test of two Poisson rates, Bonferroni over the days tested,
///    family-wise [`DemandOptions::alpha`]); found one at a time, the
///    most extreme first, each fit leaving out the days already found.
///    Each becomes a [`DatedFactor`]: observed over expected, with
///    Garwood's interval on the count divided by the expected, widened
///    for the expected's own error (it rests on the few other days of the
///    same weekday); and, when
///    the day's hourly shape differs from the profile's (a G-test at
///    `alpha`), its 24 hour factors. Partial days at the window's ends,
///    and full days whose weekday has no other full day, are not tested.
/// 2. **The 7×24 table** ([`CellRate`]) of the other days: count over
///    exposure with Garwood's exact interval per cell.
/// 3. **The separable profile** the model runs ([`HourlyRate`],
///    [`WeekdayFactor`]): hourly rates × weekday factors, the maximum
///    likelihood fit of the Poisson log-linear model with exposure
///    (iterative proportional fitting), weekday factors normalised to
///    **mean 1 over the weekdays observed** (a weekday never observed is
///    left at 1 and said so), so an hourly rate is the rate on an average
///    weekday. Intervals are Wald on the log scale from the Poisson
///    information at the fit, under that normalisation. The G-test of
///    separability compares the 7×24 table with it.
/// 4. **Stability across weeks**: a G-test that each (weekday, hour) rate
///    is the same in every week (weeks are 7-day blocks from the window's
///    first date; promotion days left out; it needs two full weeks), and
///    the weekly totals against the profile ([`WeekTotal`]).
///
/// The G-tests read their p-values from the chi-squared distribution:
/// good when the cells expect a few arrivals or more. The promotion test
/// is exact and conditional: the day's total against the other days of
/// its weekday, so the error of their rate is part of the test (taking
/// the fitted expectation as known made it liberal: one false promotion
/// in 30 four-week logs of `examples/data/operator/truth.toml`). The fit
/// is deterministic: the same arrivals give
/// the same numbers, bit for bit.
///
/// [`DemandFit::profile`] is the [`RateProfile`] a scenario runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DemandFit {
    /// The observation window's start.
    pub window_start: DateTime,
    /// The observation window's end.
    pub window_end: DateTime,
    /// The options of the fit.
    pub options: DemandOptions,
    /// Arrivals in the window.
    pub orders: u64,
    /// The 7×24 table, Monday 00:00 first, promotion days left out.
    pub table: Vec<CellRate>,
    /// The profile's 24 hourly rates.
    pub hourly: Vec<HourlyRate>,
    /// The profile's 7 weekday factors, Monday first.
    pub weekdays: Vec<WeekdayFactor>,
    /// The promotion days, in date order.
    pub promotions: Vec<PromotionDay>,
    /// Days tested for a promotion (the Bonferroni count).
    pub days_tested: usize,
    /// Days not tested: partial days at the window's ends and full days
    /// without another full day of their weekday.
    pub days_untested: Vec<CalendarDate>,
    /// Passes of the promotion search (fits without the days found).
    pub passes: u32,
    /// The full 7×24 table against hourly × weekday.
    pub separability: TestOutcome,
    /// The (weekday, hour) rates across weeks.
    pub stability: TestOutcome,
    /// The weeks, in order.
    pub weeks: Vec<WeekTotal>,
    /// What a planner should know: unobserved weekdays, untested days.
    pub notes: Vec<String>,
}

/// Fits demand to `arrivals` observed from `window_start` to
/// `window_end` (the method is on [`DemandFit`]), reading them once and
/// keeping only counts per date and hour.
///
/// # Errors
/// [`Error::Scenario`] at `demand.window_end` for a window that is
/// empty, reversed, shorter than a day or longer than
/// [`MAX_WINDOW_DAYS`]; at `demand.arrivals[i]` for an arrival outside
/// the window; at `demand.level` or `demand.alpha` for an option
/// outside (0, 1).
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::calibrate::{DemandOptions, fit_demand};
/// use jiff::{SignedDuration, civil::DateTime};
/// let start: DateTime = "2024-11-04T00:00".parse().unwrap();
/// let end: DateTime = "2024-11-18T00:00".parse().unwrap();
/// // Two orders at 10:00 and one at 15:30 on every day of two weeks.
/// let arrivals = (0..14).flat_map(|d| {
///     [600, 601, 930].map(|m| start + SignedDuration::from_mins(d * 1440 + m))
/// });
/// let fit = fit_demand(arrivals, start, end, &DemandOptions::default())?;
/// assert_eq!(fit.orders, 42);
/// assert_eq!(fit.hourly[10].rate_per_hour.estimate, 2.0);
/// assert_eq!(fit.hourly[15].rate_per_hour.estimate, 1.0);
/// assert!(fit.promotions.is_empty());
/// let profile = fit.profile();
/// assert_eq!(profile.hourly_per_hour[9], 0.0);
/// # Ok(()) }
/// ```
pub fn fit_demand(
    arrivals: impl IntoIterator<Item = DateTime>,
    window_start: DateTime,
    window_end: DateTime,
    options: &DemandOptions,
) -> Result<DemandFit> {
    options.validate()?;
    let mut counts = Counts::new(window_start, window_end)?;
    for (i, at) in arrivals.into_iter().enumerate() {
        counts.push(at, i as u64)?;
    }
    Ok(fit_counts(&counts, *options))
}

impl DemandFit {
    /// Fits demand to the arrivals of `log`, over the window from its
    /// first row to its last ([`EventLog::start`] to [`EventLog::end`]).
    ///
    /// # Errors
    /// As [`fit_demand`]: a log shorter than a day is refused.
    pub fn from_log(log: &EventLog, options: &DemandOptions) -> Result<DemandFit> {
        options.validate()?;
        let mut counts = Counts::new(log.start(), log.end())?;
        let len = counts.len_ns();
        for t in log.arrivals() {
            // Within the window up to the rounding of seconds to f64.
            let ns = (t.secs() * 1e9).round() as i128;
            counts.push_offset(ns.clamp(0, len));
        }
        Ok(fit_counts(&counts, *options))
    }

    /// The rate profile a scenario runs: the hourly rates, the weekday
    /// factors (1 for a weekday never observed) and a dated factor per
    /// promotion day (its `first_hour_factor` 1, its hour factors when
    /// its shape differs).
    #[must_use]
    pub fn profile(&self) -> RateProfile {
        let hourly = self
            .hourly
            .iter()
            .map(|h| h.rate_per_hour.estimate)
            .collect();
        let mut p = RateProfile::new(hourly);
        for w in &self.weekdays {
            p = p.with_weekday_factor(w.day, w.factor.map_or(1.0, |f| f.estimate));
        }
        for d in &self.promotions {
            p = p.with_date(
                DatedFactor::new(d.date.0, d.factor.estimate, 1.0)
                    .with_hour_factors(d.hour_factors.clone()),
            );
        }
        p
    }

    /// The fit as pretty JSON (deterministic: the same input gives the
    /// same text).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The whole fit from the counts.
fn fit_counts(counts: &Counts, options: DemandOptions) -> DemandFit {
    let DemandOptions { level, alpha } = options;
    let detection = promotion::detect(counts, alpha);
    let mut flagged = detection.flagged.clone();
    flagged.sort_unstable();
    let base_days = |d: usize| !flagged.contains(&d);
    let table = Table::from_days(counts, base_days);
    let base = separable::fit(&table, None);
    let iv = separable::intervals(&table, &base, level, z(level));
    let info = Information::new(&table, &base);
    let mut notes = Vec::new();

    let cells = cell_rates(&table, level);
    let hourly = (0..24)
        .map(|h| HourlyRate {
            hour: h as u8,
            orders: (0..7).map(|w| table.n[w][h]).sum::<f64>() as u64,
            rate_per_hour: Estimate::new(base.hourly[h], iv.hourly[h]),
        })
        .collect();
    let weekdays: Vec<WeekdayFactor> = Day::ALL
        .iter()
        .map(|&day| {
            let w = day.index();
            WeekdayFactor {
                day,
                orders: table.n[w].iter().sum::<f64>() as u64,
                observed_h: table.e[w].iter().sum(),
                factor: iv.weekday[w].map(|i| Estimate::new(base.weekday[w], i)),
            }
        })
        .collect();
    let unobserved: Vec<String> = weekdays
        .iter()
        .filter(|w| w.factor.is_none())
        .map(|w| day_name(w.day).to_string())
        .collect();
    if !unobserved.is_empty() {
        notes.push(format!(
            "weekdays never observed: {}; their factors are left at 1 and the others have mean 1",
            unobserved.join(", ")
        ));
    }

    let promotions: Vec<PromotionDay> = flagged
        .iter()
        .map(|&d| promotion::promotion_day(counts, &info, &base, d, options, &mut notes))
        .collect();
    let untested: Vec<usize> = (0..counts.n_days())
        .filter(|d| !counts.is_full(*d) || detection.alone.contains(d))
        .collect();
    let partial: Vec<String> = (0..counts.n_days())
        .filter(|d| !counts.is_full(*d))
        .map(|d| counts.date(d).to_string())
        .collect();
    if !partial.is_empty() {
        notes.push(format!(
            "partial days not tested for a promotion (they are in the profile): {}",
            partial.join(", ")
        ));
    }
    if !detection.alone.is_empty() {
        let alone: Vec<String> = detection
            .alone
            .iter()
            .map(|d| counts.date(*d).to_string())
            .collect();
        notes.push(format!(
            "days not tested for a promotion, having no other full day of their weekday to be compared with: {}",
            alone.join(", ")
        ));
    }

    let separability = separable::separability_outcome(&table, &base, alpha);
    let stability = stability::stability_outcome(counts, &flagged, alpha);
    let weeks = stability::week_totals(counts, &base, &flagged, level);
    DemandFit {
        window_start: counts.start(),
        window_end: counts.end(),
        options,
        orders: counts.total(),
        table: cells,
        hourly,
        weekdays,
        promotions,
        days_tested: detection.tested,
        days_untested: untested
            .iter()
            .map(|d| CalendarDate(counts.date(*d)))
            .collect(),
        passes: detection.passes,
        separability,
        stability,
        weeks,
        notes,
    }
}

/// The 7×24 table with Garwood's intervals.
fn cell_rates(table: &Table, level: f64) -> Vec<CellRate> {
    let mut cells = Vec::with_capacity(168);
    for day in Day::ALL {
        let w = day.index();
        for h in 0..24 {
            let (n, e) = (table.n[w][h] as u64, table.e[w][h]);
            let rate_per_hour = (e > 0.0).then(|| {
                let (lo, hi) = garwood(n, level);
                Estimate::new(n as f64 / e, (lo / e, hi / e))
            });
            cells.push(CellRate {
                day,
                hour: h as u8,
                orders: n,
                observed_h: e,
                rate_per_hour,
            });
        }
    }
    cells
}

/// `mon` … `sun`, as in files.
fn day_name(day: Day) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.index()]
}
