//! The `[report]` table: which parts of a network the planner KPIs read.

use super::ModelBuilder;
use super::arrivals::CalendarDate;
use crate::error::{Error, Result};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// Which intervals, stations and sinks the planner KPIs are read from.
///
/// The planner KPIs (see
/// [`planner_kpi_names`](crate::experiment::planner_kpi_names)) have names a planner reads without a glossary: `orders_released_per_day`,
/// `lead_time_p95_h`, `lead_time_within_24h_share`, `clearance_mean_min`,
/// `backlog_at_end`, `tax_collected_cny`, `utilization_officers`,
/// `rejected_over_single_limit`, and so on.
///
/// In files:
/// ```toml
/// [report]
/// released = "clearance"        # interval whose completions count released orders
/// lead_time = "order_to_exit"   # interval: order placed -> left the zone
/// clearance = "clearance"       # interval: declaration -> release
/// utilization = { officers = "manual_review", pickers = "pick_pack" }
/// rejects = { over_single_limit = "rejected_single_limit" }
/// cancellations = { by_consumer = "cancelled_by_consumer" }
/// lead_times = { direct_mail_9610 = "direct_mail_clearance" }
/// peak_day = 2024-11-11          # optional: the day the peak_day_* KPIs describe
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReportSpec {
    /// Interval whose completions count as released orders.
    pub released: String,
    /// Interval of the end-to-end lead time.
    pub lead_time: String,
    /// Interval of the clearance time.
    pub clearance: String,
    /// Resource label → station, for utilisation.
    #[serde(default)]
    pub utilization: IndexMap<String, String>,
    /// Reject cause → sink.
    #[serde(default)]
    pub rejects: IndexMap<String, String>,
    /// Cancellation cause → sink.
    #[serde(default)]
    pub cancellations: IndexMap<String, String>,
    /// Further lead times: label → interval.
    #[serde(default)]
    pub lead_times: IndexMap<String, String>,
    /// The day the `peak_day_*` KPIs describe (a date inside the observed
    /// window, such as Double 11). Without it, each replication's own
    /// busiest whole day by orders placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_day: Option<CalendarDate>,
}

impl ReportSpec {
    /// Checks that every name refers to a part of `b`: an unknown interval,
    /// station or sink, or a label that is not a plain identifier, is an
    /// [`Error::Scenario`] at `report.<field>`.
    pub(crate) fn check(&self, b: &ModelBuilder) -> Result<()> {
        let intervals: Vec<&str> = b.intervals.keys().map(String::as_str).collect();
        let stations: Vec<&str> = b.stations.keys().map(String::as_str).collect();
        let sinks: Vec<&str> = b.sinks.keys().map(String::as_str).collect();
        let known = |field: String, what: &str, name: &str, names: &[&str]| -> Result<()> {
            if names.contains(&name) {
                Ok(())
            } else {
                let hint = crate::suggest::hint(
                    name,
                    names.iter().copied(),
                    &format!("{what}s"),
                    &format!("they are the names under {what}s"),
                );
                Err(Error::scenario(
                    field,
                    format!("unknown {what} \"{name}\"; {hint}"),
                ))
            }
        };
        known(
            "report.released".into(),
            "interval",
            &self.released,
            &intervals,
        )?;
        known(
            "report.lead_time".into(),
            "interval",
            &self.lead_time,
            &intervals,
        )?;
        known(
            "report.clearance".into(),
            "interval",
            &self.clearance,
            &intervals,
        )?;
        /// (field, label → name, kind of part, names of that kind)
        type Group<'a> = (
            &'a str,
            &'a IndexMap<String, String>,
            &'a str,
            &'a [&'a str],
        );
        let groups: [Group<'_>; 4] = [
            ("utilization", &self.utilization, "station", &stations),
            ("rejects", &self.rejects, "sink", &sinks),
            ("cancellations", &self.cancellations, "sink", &sinks),
            ("lead_times", &self.lead_times, "interval", &intervals),
        ];
        if let Some(day) = self.peak_day {
            let run = &b.simulation;
            let from = run
                .start
                .0
                .checked_add(jiff::SignedDuration::from_secs_f64(run.warmup_h * 3600.0));
            let to = run.horizon_h.and_then(|h| {
                run.start
                    .0
                    .checked_add(jiff::SignedDuration::from_secs_f64(h * 3600.0))
                    .ok()
            });
            let inside = match (from, to) {
                (Ok(f), Some(t)) => {
                    day.0 >= f.date() && day.0.to_datetime(jiff::civil::Time::midnight()) < t
                }
                _ => false,
            };
            if !inside {
                return Err(Error::scenario(
                    "report.peak_day",
                    format!(
                        "must be a date inside the observed window (simulation.start plus warmup_h to start plus horizon_h), got {}",
                        day.0
                    ),
                ));
            }
        }
        for (group, map, what, names) in groups {
            for (label, name) in map {
                let field = format!("report.{group}.{label}");
                if label.is_empty() || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    return Err(Error::scenario(
                        field,
                        "labels are KPI names: use letters, digits and `_`",
                    ));
                }
                known(field, what, name, names)?;
            }
        }
        Ok(())
    }
}
