//! [`CapacityReport`], the `cbec-sim/capacity/1` document: the least-cost
//! plan of resources that meets the service targets, how it was found and
//! how it held on fresh replications.

use super::{Document, Setup};
use crate::experiment::{Capacity, PlanResult};
use crate::report::table::{Column, Table};
use serde::{Deserialize, Serialize};

/// The result of `cbec-sim capacity`: schema `cbec-sim/capacity/1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityReport {
    /// `cbec-sim/capacity/1`.
    pub schema: String,
    /// The scenario.
    pub scenario: String,
    /// The search.
    pub search: Capacity,
    /// Whether the search was cut short (a signal or the evaluation limit).
    #[serde(default)]
    pub partial: bool,
    /// Warnings about the models studied (an overloaded station, a part no
    /// order reaches), as every command gives them, named by variant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// How the results were made (the scenario's horizon and warm-up; the
    /// search's replications).
    pub setup: Setup,
}

/// The column names of the plan table and of `capacity_plan.csv`.
pub const PLAN_HEADERS: [&str; 5] = ["resource", "cost/unit", "scenario", "start", "plan"];

/// The column names of the plan-and-neighbours table and of
/// `capacity_confirmation.csv` (one target's columns after `plan` and `cost`).
pub const CONFIRM_HEADERS: [&str; 6] = ["plan", "cost", "target", "met", "share [95% CI]", "mean"];

impl Document for CapacityReport {
    const SCHEMA: &'static str = "cbec-sim/capacity/1";
}

impl CapacityReport {
    /// The document of `search` on `scenario`.
    #[must_use]
    pub fn new(scenario: impl Into<String>, setup: Setup, search: Capacity) -> Self {
        CapacityReport {
            flags: Vec::new(),
            schema: Self::SCHEMA.to_string(),
            scenario: scenario.into(),
            partial: search.cut_short,
            search,
            setup,
        }
    }

    /// One row per resource: cost, the scenario's units, the start and the plan.
    #[must_use]
    pub fn plan_rows(&self) -> Vec<Vec<String>> {
        let s = &self.search;
        s.resources
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    r.path.clone(),
                    r.cost.to_string(),
                    s.scenario_units[i].to_string(),
                    s.start[i].to_string(),
                    s.plan
                        .as_ref()
                        .map_or("-".to_string(), |p| p.units[i].to_string()),
                ]
            })
            .collect()
    }

    /// Rows of a plan, one per target.
    fn plan_result_rows(&self, label: &str, p: &PlanResult) -> Vec<Vec<String>> {
        let units: Vec<String> = p.units.iter().map(u64::to_string).collect();
        p.targets
            .iter()
            .zip(&self.search.targets)
            .map(|(t, st)| {
                vec![
                    format!("{label} [{}]", units.join(", ")),
                    p.cost.to_string(),
                    format!("{} {}", st.kpi, st.target),
                    format!("{}/{}", t.met, t.n),
                    format!(
                        "{:.3} [{:.3}, {:.3}]",
                        t.share(),
                        t.share_interval.0,
                        t.share_interval.1
                    ),
                    t.mean.map_or("-".into(), |m| format!("{m:.4}")),
                ]
            })
            .collect()
    }

    /// The confirmation rows: the plan, then each neighbour.
    #[must_use]
    pub fn confirmation_rows(&self) -> Vec<Vec<String>> {
        let Some(c) = &self.search.confirmation else {
            return Vec::new();
        };
        let mut rows = self.plan_result_rows("plan", &c.plan);
        for n in &c.neighbours {
            rows.extend(self.plan_result_rows("one cheaper", n));
        }
        rows
    }

    fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
        let columns = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if i == 0 || *h == "target" {
                    Column::left(*h)
                } else {
                    Column::right(*h)
                }
            })
            .collect();
        Table::new(columns).with_rows(rows)
    }

    /// The verdict in words.
    #[must_use]
    pub fn verdict(&self) -> String {
        let s = &self.search;
        let pct = 100.0 * s.probability;
        match (&s.plan, &s.confirmation) {
            (None, _) if s.cut_short => format!(
                "The search was cut short after {} plans before any met every target in {pct:.0}% of replications.",
                s.evaluated.len()
            ),
            (None, _) => format!(
                "No plan within the bounds meets every target in {pct:.0}% of replications: raise a resource's max or relax a target."
            ),
            (Some(p), Some(c)) if c.confirmed => {
                let low = c
                    .plan
                    .targets
                    .iter()
                    .map(|t| t.share_interval.0)
                    .fold(1.0f64, f64::min);
                format!(
                    "Plan of cost {}: it meets every target in at least {pct:.0}% of the search's replications and of {} fresh ones (the lowest 95% lower bound on a target's share there is {low:.2}), and each plan one unit cheaper misses a target there: least-cost among its neighbours (a local optimum).",
                    p.cost,
                    c.plan.targets.first().map_or(0, |t| t.n)
                )
            }
            (Some(p), Some(c)) if !c.plan.feasible => format!(
                "Plan (cost {}) met the targets on the search's replications but not on the fresh ones: the targets sit at the edge of what it achieves; run with more replications (-n) before relying on it.",
                p.cost
            ),
            (Some(p), Some(_)) => format!(
                "Plan (cost {}) holds on fresh replications, but a plan one unit cheaper also met the targets there: it may not be the least; run with more replications (-n).",
                p.cost
            ),
            (Some(p), None) => format!(
                "Plan (cost {}), not confirmed (the confirmation was interrupted).",
                p.cost
            ),
        }
    }

    /// What the search did, in one paragraph.
    #[must_use]
    pub fn intro(&self) -> String {
        let s = &self.search;
        let targets: Vec<String> = s
            .targets
            .iter()
            .map(|t| format!("{} {}", t.kpi, t.target))
            .collect();
        format!(
            "Least-cost staffing of {} resources in {} such that each target ({}) holds in at least {:.0}% of replications. Start from the offered load, greedy marginal allocation on common random numbers ({} replications a plan, seed {}), then units dropped while the targets hold; {} plans, {} scenario runs in all. {}",
            s.resources.len(),
            self.scenario,
            targets.join("; "),
            100.0 * s.probability,
            self.setup.replications.len(),
            self.setup.seed.value(),
            s.evaluated.len(),
            s.runs,
            self.verdict()
        )
    }

    /// The text `cbec-sim capacity` prints.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        if self.partial {
            s.push_str("PARTIAL RESULTS: the search was cut short\n");
        }
        s.push_str(&self.intro());
        s.push_str("\n\n");
        s.push_str(&Self::table(&PLAN_HEADERS, self.plan_rows()).to_string());
        let confirm = self.confirmation_rows();
        if !confirm.is_empty() {
            s.push_str("\nOn fresh replications:\n");
            s.push_str(&Self::table(&CONFIRM_HEADERS, confirm).to_string());
        }
        for f in &self.flags {
            s.push_str(&format!("warning: {f}\n"));
        }
        s
    }
}
