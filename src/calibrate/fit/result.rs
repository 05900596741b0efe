//! What a fit returns: the candidates ranked by the information
//! criterion, the chosen law, the goodness of fit and the notes, with a
//! readable summary (like `summary()` of R's fitdistrplus).

use super::family::Family;
use super::gof::GoodnessOfFit;
use super::mle::Param;
use crate::dist::DistSpec;
use serde::Serialize;
use std::fmt;

/// The information criterion that ranks the families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Criterion {
    /// Akaike's, `2k - 2ℓ`.
    #[default]
    Aic,
    /// Schwarz's, `k ln n - 2ℓ` with `n` the durations (completed and
    /// censored).
    Bic,
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Criterion::Aic => "AIC",
            Criterion::Bic => "BIC",
        })
    }
}

/// One family fitted by maximum likelihood.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Candidate {
    /// The family.
    pub family: Family,
    /// The fitted law, in minutes.
    pub spec: DistSpec,
    /// Its parameters with their Wald intervals (times in minutes).
    pub params: Vec<Param>,
    /// The maximised log-likelihood of the durations in minutes.
    pub loglik: f64,
    /// `2k - 2ℓ`.
    pub aic: f64,
    /// `k ln n - 2ℓ`.
    pub bic: f64,
    /// This candidate's criterion less the best one's (0 for the best).
    pub delta: f64,
}

impl Candidate {
    /// Its value of `criterion`.
    #[must_use]
    pub fn score(&self, criterion: Criterion) -> f64 {
        match criterion {
            Criterion::Aic => self.aic,
            Criterion::Bic => self.bic,
        }
    }
}

/// The law a fit offers for a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Choice {
    /// The best family by the criterion (and not rejected by the test).
    Family(Family),
    /// The Kaplan–Meier quantiles: no family fits, or the durations look
    /// deterministic.
    Empirical,
}

/// A stage's durations fitted across the families, with the choice, the
/// goodness of fit and the notes a reader should see. Built by
/// [`fit_durations`](super::fit_durations).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[must_use]
#[non_exhaustive]
pub struct DurationFit {
    /// Completed durations.
    pub completed: usize,
    /// Right-censored durations.
    pub censored: usize,
    /// Completed durations of 0 (read as half the clock's resolution).
    pub zeros: usize,
    /// The criterion that ranked the candidates.
    pub criterion: Criterion,
    /// The families that could be fitted, best first.
    pub candidates: Vec<Candidate>,
    /// What the fit offers.
    pub chosen: Choice,
    /// The chosen law, in minutes (a scenario's `service_time_min`).
    pub spec: DistSpec,
    /// The Kaplan–Meier quantiles as an empirical law, in minutes.
    pub empirical: DistSpec,
    /// The test of the best family; `None` when not run (no bootstrap
    /// asked for, too few durations, no family fitted).
    pub gof: Option<GoodnessOfFit>,
    /// What a reader should know: families that could not be fitted,
    /// families the data cannot tell apart, a rejected fit, a truncated
    /// empirical law, zero durations.
    pub notes: Vec<String>,
}

impl DurationFit {
    /// The chosen candidate, unless the empirical law is chosen.
    #[must_use]
    pub fn chosen_candidate(&self) -> Option<&Candidate> {
        match self.chosen {
            Choice::Family(f) => self.candidates.iter().find(|c| c.family == f),
            Choice::Empirical => None,
        }
    }

    /// The candidate of `family`, if it was fitted.
    #[must_use]
    pub fn candidate(&self, family: Family) -> Option<&Candidate> {
        self.candidates.iter().find(|c| c.family == family)
    }
}

/// Four significant digits, without an exponent for everyday sizes.
fn num(v: f64) -> String {
    if v == 0.0 || (1e-3..1e6).contains(&v.abs()) {
        let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{v:.digits$}")
    } else {
        format!("{v:.3e}")
    }
}

impl fmt::Display for DurationFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "fitted by maximum likelihood: {} completed, {} censored durations (minutes)",
            self.completed, self.censored
        )?;
        let c = self.criterion;
        writeln!(
            f,
            "{:<12} {:>12} {:>12} {:>12} {:>8}  parameters [{}% Wald interval]",
            "family",
            "loglik",
            "AIC",
            "BIC",
            format!("Δ{c}"),
            self.candidates
                .first()
                .and_then(|c| c.params.first())
                .map_or(95.0, |p| p.level * 100.0)
        )?;
        for cand in &self.candidates {
            let params: Vec<String> = cand
                .params
                .iter()
                .map(|p| match (p.low, p.high) {
                    (Some(l), Some(h)) => {
                        format!("{} {} [{}, {}]", p.name, num(p.estimate), num(l), num(h))
                    }
                    _ => format!("{} {} [no interval]", p.name, num(p.estimate)),
                })
                .collect();
            writeln!(
                f,
                "{:<12} {:>12.2} {:>12.2} {:>12.2} {:>8.2}  {}",
                cand.family.name(),
                cand.loglik,
                cand.aic,
                cand.bic,
                cand.delta,
                params.join(", ")
            )?;
        }
        if let Some(g) = &self.gof {
            writeln!(
                f,
                "goodness of fit ({}): Kolmogorov-Smirnov D = {} on {} durations, p = {} ({} bootstrap replicates refitting the parameters)",
                g.family,
                num(g.statistic),
                g.n,
                num(g.p_value),
                g.replicates
            )?;
        }
        let chosen = match self.chosen {
            Choice::Family(fam) => fam.name().to_string(),
            Choice::Empirical => "empirical".to_string(),
        };
        let spec = match &self.spec {
            DistSpec::Empirical { samples } => format!(
                "{} quantiles from {} to {}",
                samples.len(),
                num(samples.first().copied().unwrap_or(0.0)),
                num(samples.last().copied().unwrap_or(0.0))
            ),
            _ => self
                .chosen_candidate()
                .map(|c| {
                    c.params
                        .iter()
                        .map(|p| format!("{} = {}", p.name, num(p.estimate)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
        };
        write!(f, "chosen: {chosen} ({spec})")?;
        for note in &self.notes {
            write!(f, "\nnote: {note}")?;
        }
        Ok(())
    }
}
