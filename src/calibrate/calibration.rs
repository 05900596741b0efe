//! A whole log fitted through its map: every stage's durations, every
//! route's share, the demand; and the values a template takes from them.

use super::demand::{DemandFit, DemandOptions};
use super::fit::{Choice, DurationFit, FitOptions};
use super::fitted::Calibrated;
use super::log::EventLog;
use super::map::{EventMap, StageKind};
use super::share::Share;
use crate::error::{Error, Result};
use jiff::civil::DateTime;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Gamma};

/// How to fit a log: the options of the duration fits and of the demand
/// fit (their levels should agree: [`CalibrationOptions::with_level`]
/// sets both, and the routes').
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CalibrationOptions {
    /// Options of every stage's fit.
    pub fit: FitOptions,
    /// Options of the demand fit.
    pub demand: DemandOptions,
}

impl CalibrationOptions {
    /// The same, with every interval at `level` (0.95 by default).
    #[must_use]
    pub fn with_level(mut self, level: f64) -> Self {
        self.fit = self.fit.with_level(level);
        self.demand = self.demand.with_level(level);
        self
    }

    /// The confidence level of the intervals.
    #[must_use]
    pub fn level(&self) -> f64 {
        self.fit.level
    }
}

/// One stage of the map, fitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageCalibration {
    /// The stage's name in the map.
    pub stage: String,
    /// Its events.
    pub from: String,
    /// Its end event.
    pub to: String,
    /// What its duration is (service, wait, sojourn).
    pub kind: StageKind,
    /// The scenario distribution it calibrates, if any.
    pub calibrates: Option<String>,
    /// Orders that left while in the stage (cancelled): neither completed
    /// nor censored.
    pub exited: u64,
    /// The fit, unless there was nothing to fit.
    pub fit: Option<DurationFit>,
    /// Why there is no fit.
    pub skipped: Option<String>,
}

/// One route of the map, with its share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteCalibration {
    /// The route's name in the map.
    pub route: String,
    /// The scenario probability it calibrates, if any.
    pub calibrates: Option<String>,
    /// The share with its exact interval; `None` without a decided trial.
    pub share: Option<Share>,
    /// Trials still undecided at the log's end (left out of the share).
    pub undecided: u64,
    /// For an event that may repeat: the share of its events followed by
    /// another of the same order (a loop taken again), with its exact
    /// interval ([`RouteCount::repeat_share`](super::RouteCount::repeat_share)).
    pub repeat: Option<Share>,
    /// The scenario probability the repeat share calibrates, if any.
    pub repeat_calibrates: Option<String>,
}

/// A log fitted through its map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// The log, as named.
    pub log: String,
    /// Its first row and where it was read to (the cut, with a holdout).
    pub start: DateTime,
    /// The end of what was read.
    pub end: DateTime,
    /// Rows and orders read.
    pub rows: u64,
    /// Orders read.
    pub orders: u64,
    /// The confidence level of every interval.
    pub level: f64,
    /// Every stage of the map, in its order.
    pub stages: Vec<StageCalibration>,
    /// Every route of the map, in its order.
    pub routes: Vec<RouteCalibration>,
    /// The demand, fitted from the arrival event (`None` when the log is
    /// shorter than the demand fit needs: see `notes`).
    pub demand: Option<DemandFit>,
    /// What a reader must know.
    pub notes: Vec<String>,
}

impl Calibration {
    /// Fits every stage, route and the demand of `log`, read through `map`.
    ///
    /// A stage without a completed duration is skipped with the reason; a
    /// demand fit that cannot be made (a log shorter than a day) is left
    /// out with a note, unless the map's `demand` asks for it (then it is
    /// an error).
    ///
    /// # Errors
    /// An option out of range; the demand fit's error when the map names a
    /// `demand` source.
    pub fn from_log(log: &EventLog, map: &EventMap, options: &CalibrationOptions) -> Result<Self> {
        let level = options.level();
        let mut notes = Vec::new();
        let mut stages = Vec::new();
        for (k, sample) in log.stages().iter().enumerate() {
            let spec = &map.stages[k];
            let (fit, skipped) = if sample.durations().is_empty() {
                (
                    None,
                    Some(format!(
                        "no completed duration ({} censored)",
                        sample.censored().len()
                    )),
                )
            } else {
                (Some(sample.fit(&options.fit)?), None)
            };
            if spec.kind == StageKind::Sojourn && spec.calibrates.is_some() {
                notes.push(format!(
                    "stage {}: the log holds only its ends ({} -> {}), so it is fitted as a delay, waiting included",
                    spec.name,
                    map.name(spec.from),
                    map.name(spec.to)
                ));
            }
            stages.push(StageCalibration {
                stage: spec.name.clone(),
                from: map.name(spec.from).to_string(),
                to: map.name(spec.to).to_string(),
                kind: spec.kind,
                calibrates: spec.calibrates.clone(),
                exited: sample.exited(),
                fit,
                skipped,
            });
        }
        let routes = log
            .routes()
            .iter()
            .zip(&map.routes)
            .map(|((name, count), spec)| RouteCalibration {
                route: name.clone(),
                calibrates: spec.calibrates.as_ref().map(|c| c.0.clone()),
                share: count.share(level),
                undecided: count.undecided,
                repeat: if spec.repeatable {
                    count.repeat_share(level)
                } else {
                    None
                },
                repeat_calibrates: spec.repeat_calibrates.as_ref().map(|c| c.0.clone()),
            })
            .collect();
        let demand = match DemandFit::from_log(log, &options.demand) {
            Ok(d) => Some(d),
            Err(e) if map.demand().is_some() => {
                return Err(Error::scenario(
                    "demand",
                    format!("the arrivals of {} cannot be fitted: {e}", log.origin()),
                ));
            }
            Err(e) => {
                notes.push(format!("demand not fitted: {e}"));
                None
            }
        };
        Ok(Calibration {
            log: log.origin().to_string(),
            start: log.start(),
            end: log.end(),
            rows: log.rows(),
            orders: log.orders(),
            level,
            stages,
            routes,
            demand,
            notes,
        })
    }

    /// The stage `name`.
    #[must_use]
    pub fn stage(&self, name: &str) -> Option<&StageCalibration> {
        self.stages.iter().find(|s| s.stage == name)
    }

    /// The values the map says to calibrate, for a template whose
    /// document (as written) is `template`: each stage's chosen law with
    /// its parameters' intervals, each route's share with its exact
    /// interval (its `rebalance` taking up the change), the demand
    /// source's profile with the interval of its level and of each
    /// weekday and promotion factor.
    ///
    /// # Errors
    /// [`Error::Scenario`] at `stages.<name>.calibrates` for a station's
    /// service time calibrated by a stage that is not a service (waiting
    /// would be counted as service), or for a stage with no fit; at
    /// `routes.<name>.calibrates` for a route without a share; at
    /// `demand` for a demand source the template lacks or a demand not
    /// fitted.
    pub fn calibrated(&self, map: &EventMap, template: &toml::Table) -> Result<Vec<Calibrated>> {
        let mut out = Vec::new();
        let pct = (self.level * 100.0).round();
        for s in &self.stages {
            let Some(path) = &s.calibrates else { continue };
            let field = format!("stages.{}.calibrates", s.stage);
            if path.starts_with("stations.") && s.kind != StageKind::Service {
                return Err(Error::scenario(
                    field,
                    format!(
                        "\"{path}\" is a station's service time, but the stage is a {} ({} -> {}), so its durations include waiting; calibrate it from a stage of kind \"service\" (from a server taking the order), or calibrate a delay",
                        s.kind.label(),
                        s.from,
                        s.to
                    ),
                ));
            }
            let Some(fit) = &s.fit else {
                return Err(Error::scenario(
                    field,
                    format!(
                        "stage {} has no fit ({}), so \"{path}\" cannot be calibrated",
                        s.stage,
                        s.skipped.as_deref().unwrap_or("no durations")
                    ),
                ));
            };
            let value = toml::Value::try_from(&fit.spec).map_err(|e| {
                Error::scenario(field.clone(), format!("cannot be written as TOML: {e}"))
            })?;
            let mut ranges = Vec::new();
            if let (Choice::Family(family), Some(c)) = (fit.chosen, fit.chosen_candidate()) {
                for p in &c.params {
                    if let (Some(low), Some(high)) = (p.low, p.high)
                        && low < high
                    {
                        ranges.push(Calibrated::range(
                            format!("{path}.{}", p.name),
                            low,
                            high,
                            format!(
                                "{} of stage {} ({family}), {pct}% interval of the censored maximum-likelihood fit to {} ({} completed, {} censored)",
                                p.name, s.stage, self.log, fit.completed, fit.censored
                            ),
                        ));
                    }
                }
            }
            out.push(Calibrated {
                by: format!("stages.{}.calibrates", s.stage),
                path: path.clone(),
                value,
                rebalance: None,
                ranges,
            });
        }
        for (r, spec) in self.routes.iter().zip(&map.routes) {
            let targets = [
                (&spec.calibrates, r.share.as_ref(), "calibrates", "share"),
                (
                    &spec.repeat_calibrates,
                    r.repeat.as_ref(),
                    "repeat_calibrates",
                    "repeat share",
                ),
            ];
            for (target, share, key, what) in targets {
                let Some((path, rebalance)) = target else {
                    continue;
                };
                let Some(share) = share else {
                    return Err(Error::scenario(
                        format!("routes.{}.{key}", r.route),
                        format!(
                            "route {} has no decided trial for its {what} in the log, so \"{path}\" cannot be calibrated",
                            r.route
                        ),
                    ));
                };
                let ranges = if share.low < share.high {
                    vec![Calibrated::range(
                        path.clone(),
                        share.low,
                        share.high,
                        format!(
                            "{what} of route {}: {} of {} in {}, exact (Clopper-Pearson) {pct}% interval",
                            r.route, share.successes, share.trials, self.log
                        ),
                    )]
                } else {
                    Vec::new()
                };
                out.push(Calibrated {
                    by: format!("routes.{}.{key}", r.route),
                    path: path.clone(),
                    value: toml::Value::Float(share.estimate),
                    rebalance: rebalance.clone(),
                    ranges,
                });
            }
        }
        if let Some(path) = map.demand() {
            out.push(self.demand_value(path, template)?);
        }
        Ok(out)
    }

    /// The demand source at `path` with the fitted profile in place of
    /// its arrival process.
    fn demand_value(&self, path: &str, template: &toml::Table) -> Result<Calibrated> {
        let Some(demand) = &self.demand else {
            return Err(Error::scenario(
                "demand",
                "the demand was not fitted (see the notes), so it cannot be calibrated",
            ));
        };
        let name = path.strip_prefix("sources.").ok_or_else(|| {
            Error::scenario(
                "demand",
                format!("must name a source, `sources.<name>`, got \"{path}\""),
            )
        })?;
        let Some(toml::Value::Table(source)) = template
            .get("sources")
            .and_then(|s| s.as_table())
            .and_then(|s| s.get(name))
        else {
            return Err(Error::scenario(
                "demand",
                format!("\"{path}\" is not a source of the template"),
            ));
        };
        let mut source = source.clone();
        for key in ["rate_per_hour", "timetable", "replay_csv", "profile"] {
            source.remove(key);
        }
        let profile = demand.profile();
        let value = toml::Value::try_from(&profile)
            .map_err(|e| Error::scenario("demand", format!("cannot be written as TOML: {e}")))?;
        source.insert("profile".into(), value);
        let pct = (self.level * 100.0).round();
        let mut ranges = Vec::new();
        // The level: every hourly rate scaled together by the interval of
        // the orders' total outside promotion days (exact Poisson).
        let promo: u64 = demand.promotions.iter().map(|p| p.orders).sum();
        let n = demand.orders.saturating_sub(promo);
        let top = (0..profile.hourly_per_hour.len())
            .max_by(|&a, &b| profile.hourly_per_hour[a].total_cmp(&profile.hourly_per_hour[b]));
        if let (Some(top), true) = (top, n > 0) {
            let rate = profile.hourly_per_hour[top];
            let tail = (1.0 - self.level) / 2.0;
            let nf = n as f64;
            let low = Gamma::new(nf, 1.0).map_or(f64::NAN, |g| g.inverse_cdf(tail)) / nf;
            let high =
                Gamma::new(nf + 1.0, 1.0).map_or(f64::NAN, |g| g.inverse_cdf(1.0 - tail)) / nf;
            if rate > 0.0 && low < high {
                let mut a = Calibrated::range(
                    format!("{path}.profile.hourly_per_hour[{top}]"),
                    rate * low,
                    rate * high,
                    format!(
                        "demand level: every hourly rate scaled together by the exact {pct}% Poisson interval of the {n} orders outside promotion days in {}",
                        self.log
                    ),
                );
                a.together = (0..profile.hourly_per_hour.len())
                    .filter(|&h| h != top && profile.hourly_per_hour[h] > 0.0)
                    .map(|h| format!("{path}.profile.hourly_per_hour[{h}]"))
                    .collect();
                ranges.push(a);
            }
        }
        for w in &demand.weekdays {
            if let Some(f) = w.factor
                && f.low < f.high
            {
                let day = toml::Value::try_from(w.day)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                ranges.push(Calibrated::range(
                    format!("{path}.profile.weekday_factors.{day}"),
                    f.low,
                    f.high,
                    format!("weekday factor of {day}, {pct}% interval from {}", self.log),
                ));
            }
        }
        for (i, p) in demand.promotions.iter().enumerate() {
            if p.factor.low < p.factor.high {
                ranges.push(Calibrated::range(
                    format!("{path}.profile.dates[{i}].factor"),
                    p.factor.low,
                    p.factor.high,
                    format!(
                        "promotion day {} ({} orders, {:.0} expected), {pct}% interval from {}",
                        p.date.0, p.orders, p.expected, self.log
                    ),
                ));
            }
        }
        Ok(Calibrated {
            by: "demand".into(),
            path: path.to_string(),
            value: toml::Value::Table(source),
            rebalance: None,
            ranges,
        })
    }
}
