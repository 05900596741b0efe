//! The planner's text block of a [`DemandFit`].

use super::{DemandFit, Estimate, TestOutcome, day_name};
use std::fmt;

fn interval(e: &Estimate) -> String {
    format!("{:.3} [{:.3}, {:.3}]", e.estimate, e.low, e.high)
}

fn test_line(f: &mut fmt::Formatter<'_>, name: &str, t: &TestOutcome) -> fmt::Result {
    match &t.test {
        Some(g) => writeln!(
            f,
            "{name}: G = {:.1}, df {}, p = {:.3e}: {}",
            g.statistic, g.df, g.p_value, t.note
        ),
        None => writeln!(f, "{name}: {}", t.note),
    }
}

impl fmt::Display for DemandFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = self.options.level * 100.0;
        writeln!(
            f,
            "Demand from {} to {}: {} orders; {pct}% intervals, tests at alpha {}",
            self.window_start, self.window_end, self.orders, self.options.alpha
        )?;
        writeln!(
            f,
            "Hourly rates, orders per hour on a weekday of factor 1 (promotion days left out):"
        )?;
        for h in &self.hourly {
            writeln!(
                f,
                "  {:02}:00  {:>7} orders  {}",
                h.hour,
                h.orders,
                interval(&h.rate_per_hour)
            )?;
        }
        writeln!(f, "Weekday factors (mean 1 over the observed weekdays):")?;
        for w in &self.weekdays {
            match &w.factor {
                Some(e) => writeln!(
                    f,
                    "  {}  {:>7} orders  {}",
                    day_name(w.day),
                    w.orders,
                    interval(e)
                )?,
                None => writeln!(f, "  {}  not observed: 1", day_name(w.day))?,
            }
        }
        writeln!(
            f,
            "Promotion days (exact Poisson test of the day's total, Bonferroni over {} days):{}",
            self.days_tested,
            if self.promotions.is_empty() {
                " none"
            } else {
                ""
            }
        )?;
        for p in &self.promotions {
            let shape = match (&p.shape, p.hour_factors.is_empty()) {
                (Some(s), false) => format!("its own hourly shape (p = {:.3e})", s.p_value),
                (Some(s), true) => format!("the profile's hourly shape (p = {:.3})", s.p_value),
                (None, _) => "hourly shape not tested".into(),
            };
            writeln!(
                f,
                "  {} {}  {} orders, {:.1} expected (p = {:.3e}): factor {}; {shape}",
                p.date.0,
                day_name(p.day),
                p.orders,
                p.expected,
                p.p_value,
                interval(&p.factor)
            )?;
        }
        test_line(
            f,
            "Separability (7x24 table vs hourly x weekday)",
            &self.separability,
        )?;
        test_line(f, "Stability across weeks", &self.stability)?;
        writeln!(f, "Weeks against the profile (promotion days left out):")?;
        for w in &self.weeks {
            let ratio = w.ratio.as_ref().map_or("-".into(), interval);
            writeln!(
                f,
                "  from {}  {:>6.1} h  {:>7} orders  {:>9.1} expected  ratio {ratio}",
                w.start.0, w.observed_h, w.orders, w.expected
            )?;
        }
        for n in &self.notes {
            writeln!(f, "Note: {n}")?;
        }
        Ok(())
    }
}
