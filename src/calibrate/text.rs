//! The text a planner reads: a calibration and a holdout check.

use super::calibration::Calibration;
use super::holdout::{HoldoutCheck, QuantileEstimate};
use std::fmt;

/// A number in minutes, with three significant digits or whole minutes.
fn min(v: f64) -> String {
    if !v.is_finite() {
        return if v == f64::INFINITY {
            "∞".into()
        } else {
            "–".into()
        };
    }
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn with_interval(q: &QuantileEstimate) -> String {
    format!("{} [{}, {}]", min(q.estimate), min(q.low), min(q.high))
}

impl fmt::Display for Calibration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Fitted from {}: {} rows, {} orders, {} to {}; intervals at {}%",
            self.log,
            self.rows,
            self.orders,
            self.start,
            self.end,
            (self.level * 100.0).round()
        )?;
        for s in &self.stages {
            writeln!(f)?;
            let target = s
                .calibrates
                .as_deref()
                .map(|p| format!(" -> {p}"))
                .unwrap_or_default();
            writeln!(
                f,
                "stage {} ({}: {} -> {}){target}",
                s.stage,
                s.kind.label(),
                s.from,
                s.to
            )?;
            match (&s.fit, &s.skipped) {
                (Some(fit), _) => write!(f, "{fit}")?,
                (None, why) => writeln!(f, "not fitted: {}", why.as_deref().unwrap_or(""))?,
            }
            if s.exited > 0 {
                writeln!(
                    f,
                    "{} orders left while in the stage (neither completed nor censored)",
                    s.exited
                )?;
            }
        }
        if !self.routes.is_empty() {
            writeln!(f)?;
            writeln!(f, "routes (exact Clopper-Pearson intervals)")?;
            for r in &self.routes {
                let target = r
                    .calibrates
                    .as_deref()
                    .map(|p| format!(" -> {p}"))
                    .unwrap_or_default();
                match &r.share {
                    Some(s) => writeln!(
                        f,
                        "  {}: {:.4} [{:.4}, {:.4}], {} of {} decided ({} undecided){target}",
                        r.route, s.estimate, s.low, s.high, s.successes, s.trials, r.undecided
                    )?,
                    None => writeln!(f, "  {}: no decided trial{target}", r.route)?,
                }
            }
        }
        if let Some(d) = &self.demand {
            writeln!(f)?;
            write!(f, "{d}")?;
        }
        if !self.notes.is_empty() {
            writeln!(f)?;
            for n in &self.notes {
                writeln!(f, "note: {n}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for HoldoutCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Held-out weeks: the {} orders arriving from {} to {}, replayed at their times through the fitted scenario ({} replications from {}); durations completed by {}, in minutes, {}% intervals",
            self.orders,
            self.from,
            self.until,
            self.replications,
            self.simulated_from,
            self.until,
            (self.level * 100.0).round()
        )?;
        writeln!(
            f,
            "{:<18} {:<8} {:>7} {:>7} {:>24} {:>24} {:>24} {:>24} {:>7}  verdict",
            "stage",
            "kind",
            "obs_n",
            "sim_n",
            "observed p50",
            "simulated p50",
            "observed p95",
            "simulated p95",
            "KS p",
        )?;
        for s in &self.stages {
            let agree = s.quantiles_agree();
            let verdict = match agree {
                [true, true] => "p50 and p95 within the observed intervals".to_string(),
                [false, false] => "p50 and p95 outside the observed intervals".to_string(),
                [true, false] => "p95 outside the observed interval".to_string(),
                [false, true] => "p50 outside the observed interval".to_string(),
            };
            writeln!(
                f,
                "{:<18} {:<8} {:>7} {:>7} {:>24} {:>24} {:>24} {:>24} {:>7.3}  {verdict}",
                s.stage,
                s.kind,
                s.observed_n,
                s.simulated_n,
                with_interval(&s.observed[0]),
                with_interval(&s.simulated[0]),
                with_interval(&s.observed[1]),
                with_interval(&s.simulated[1]),
                s.ks_p_value
            )?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}
