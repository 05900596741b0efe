//! A stage's durations fitted by censored maximum likelihood across the
//! crate's families, chosen by an information criterion and tested for
//! goodness of fit: the statistics behind issue 17's `fit` (the
//! counterpart of R's `fitdistrplus::fitdistcens` and of Arena's Input
//! Analyzer).
//!
//! [`fit_durations`] takes completed durations and right-censored ages in
//! seconds (what [`StageSample`] holds) and:
//!
//! 1. fits each [`Family`] by maximum likelihood, completed durations
//!    adding `ln f(x)` and censored ones `ln S(c)` (so an order still open
//!    when the log ends counts as "at least this long", not dropped);
//! 2. gives each parameter a Wald interval from the observed information
//!    on the log scale ([`Param`]);
//! 3. ranks the families by AIC (or BIC) and notes when the best two are
//!    within 2 units (the data cannot tell them apart);
//! 4. tests the best one: the Kolmogorov–Smirnov distance between the
//!    Kaplan–Meier estimate and the fitted CDF, with a p-value by a
//!    parametric bootstrap that refits the parameters on each replicate
//!    and censors it as the data were: a censored duration at its own
//!    age, a completed one at a censoring time drawn from the reverse
//!    Kaplan–Meier estimate beyond its duration ([`GoodnessOfFit`]). If it is
//!    rejected at `alpha`, the fit offers the empirical law instead;
//! 5. builds that empirical law from the Kaplan–Meier quantiles.
//!
//! To see what dropping the censored durations would do, pass an empty
//! censored slice.
//!
//! The rules for units, zero durations, degenerate data and
//! reproducibility are on [`fit_durations`].
//!
//! | file | concept |
//! |---|---|
//! | `family.rs` | [`Family`], [`Law`]: densities, survival, CDF, sampling |
//! | `simplex.rs` | Nelder–Mead minimisation |
//! | `mle.rs` | censored maximum likelihood and Wald intervals ([`Param`]) |
//! | `km.rs` | the Kaplan–Meier estimate, its KS distance and quantiles |
//! | `gof.rs` | the bootstrap goodness-of-fit test ([`GoodnessOfFit`]) |
//! | `result.rs` | [`DurationFit`], [`Candidate`], [`Choice`], [`Criterion`] |

mod family;
mod gof;
mod km;
mod mle;
mod result;
mod simplex;

pub use family::{Family, Law};
pub use gof::GoodnessOfFit;
pub use mle::Param;
pub use result::{Candidate, Choice, Criterion, DurationFit};

use super::log::StageSample;
use crate::dist::DistSpec;
use crate::error::{Error, Result};
use km::KaplanMeier;
use mle::Sample;

/// Most bootstrap replicates of a goodness-of-fit test: 9,999 (a p-value
/// to 1/10,000, far finer than any rejection level needs). More would only
/// make a run that seems to hang.
pub const MAX_BOOTSTRAP: usize = 9_999;

/// How [`fit_durations`] fits, ranks and tests.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FitOptions {
    /// The families to fit ([`Family::ALL`] by default); one family alone
    /// fits and tests just that family.
    pub families: Vec<Family>,
    /// The criterion that ranks the families (AIC by default).
    pub criterion: Criterion,
    /// The confidence level of the parameters' intervals (0.95).
    pub level: f64,
    /// Bootstrap replicates of the goodness-of-fit test (199); 0 skips
    /// the test.
    pub bootstrap: usize,
    /// Most durations the test uses (2000): beyond it, a subsample drawn
    /// by `seed`, the same every time. The test statistic and its p-value
    /// then refer to the subsample, with the parameters refitted on it;
    /// on a million durations any small misfit would be rejected, and the
    /// cap keeps the test about a law's shape rather than its decimals.
    pub gof_max_n: usize,
    /// The level at which the best family is rejected in favour of the
    /// empirical law (0.05).
    pub alpha: f64,
    /// The master seed of the bootstrap.
    pub seed: u64,
    /// The clock's resolution in seconds (1): a completed duration of 0
    /// is read as half of it.
    pub resolution_secs: f64,
    /// Most points of the empirical law (99).
    pub empirical_points: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            families: Family::ALL.to_vec(),
            criterion: Criterion::Aic,
            level: 0.95,
            bootstrap: 199,
            gof_max_n: 2000,
            alpha: 0.05,
            seed: 0,
            resolution_secs: 1.0,
            empirical_points: 99,
        }
    }
}

impl FitOptions {
    /// With only `families` fitted.
    pub fn with_families(mut self, families: &[Family]) -> Self {
        self.families = families.to_vec();
        self
    }
    /// With the ranking `criterion`.
    pub fn with_criterion(mut self, criterion: Criterion) -> Self {
        self.criterion = criterion;
        self
    }
    /// With the intervals' confidence `level`, in (0, 1).
    pub fn with_level(mut self, level: f64) -> Self {
        self.level = level;
        self
    }
    /// With `replicates` bootstrap replicates (0: no test).
    pub fn with_bootstrap(mut self, replicates: usize) -> Self {
        self.bootstrap = replicates;
        self
    }
    /// With at most `n` durations in the test (at least 2).
    pub fn with_gof_max_n(mut self, n: usize) -> Self {
        self.gof_max_n = n;
        self
    }
    /// With the rejection level `alpha`, in (0, 1).
    pub fn with_alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
    /// With the bootstrap's master `seed`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// With the clock's resolution in seconds (> 0).
    pub fn with_resolution_secs(mut self, secs: f64) -> Self {
        self.resolution_secs = secs;
        self
    }
    /// With at most `points` points in the empirical law (at least 2).
    pub fn with_empirical_points(mut self, points: usize) -> Self {
        self.empirical_points = points;
        self
    }

    fn validate(&self) -> Result<()> {
        let open_unit = |option: &str, v: f64| {
            if v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(Error::experiment(
                    option,
                    format!("must lie in (0, 1), got {v}"),
                ))
            }
        };
        if self.families.is_empty() {
            return Err(Error::experiment(
                "fit.families",
                "must name at least one family, got none",
            ));
        }
        open_unit("fit.level", self.level)?;
        if self.bootstrap > MAX_BOOTSTRAP {
            return Err(Error::experiment(
                "fit.bootstrap",
                format!(
                    "must be at most {MAX_BOOTSTRAP} replicates (a p-value to 1/{}), got {}",
                    MAX_BOOTSTRAP + 1,
                    self.bootstrap
                ),
            ));
        }
        open_unit("fit.alpha", self.alpha)?;
        if !(self.resolution_secs.is_finite() && self.resolution_secs > 0.0) {
            return Err(Error::experiment(
                "fit.resolution_secs",
                format!(
                    "must be finite and greater than 0, got {}",
                    self.resolution_secs
                ),
            ));
        }
        if self.gof_max_n < 2 {
            return Err(Error::experiment(
                "fit.gof_max_n",
                format!("must be at least 2, got {}", self.gof_max_n),
            ));
        }
        if self.empirical_points < 2 {
            return Err(Error::experiment(
                "fit.empirical_points",
                format!("must be at least 2, got {}", self.empirical_points),
            ));
        }
        Ok(())
    }
}

/// Fewest completed durations for a goodness-of-fit test.
pub const MIN_GOF_COMPLETED: usize = 5;

/// Fits `completed_secs` durations and `censored_secs` right-censored ages
/// (seconds; the true duration is at least the age) across the
/// [`Family`]s, in the steps of the [`calibrate`](crate::calibrate)
/// table's `fit/` row: fit each family, give each parameter a Wald
/// interval, rank by the criterion, test the best by a bootstrap, offer
/// the empirical law when it is rejected.
///
/// # Units and zeros
/// Durations come in seconds and every law, parameter and log-likelihood
/// goes out in minutes (a scenario's `service_time_min`). An operator's
/// clock ticks in whole seconds, so a completed duration of 0 means
/// "shorter than one tick": it is read as half the resolution
/// ([`FitOptions::resolution_secs`], 1 s by default), and the bootstrap
/// records its draws below the resolution the same way. A censored age
/// of 0 adds nothing to the likelihood (`S(0) = 1`).
///
/// # Degenerate data
/// No duration at all, or no completed one (every duration censored: the
/// likelihood then grows without bound with the mean), is an error. With
/// fewer than two distinct completed durations the two-parameter families
/// have no maximum (their spread goes to 0) and only the exponential is
/// fitted; when every completed duration is the same (and no censored age
/// exceeds it) the durations look deterministic and the single-point
/// empirical law is offered, with a note.
///
/// # Reproducibility
/// The bootstrap replicate `b` draws from the stream of `(seed, b)` and the
/// subsample from its own stream ([`crate::rng::stream_rng`]); replicates run in
/// parallel with the `parallel` feature and are collected in index order,
/// so the result is bit-identical on any number of threads.
///
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::calibrate::{fit_durations, Choice, Family, FitOptions};
/// use cbec_sim::rng::{StreamId, stream_rng};
/// use cbec_sim::{Dist, DistSpec};
/// // 400 review times, lognormal with mean 6 minutes; 100 still open.
/// let law = Dist::lognormal(360.0, 0.8)?;
/// let mut rng = stream_rng(1, 0, StreamId(0));
/// let all: Vec<f64> = (0..500).map(|_| law.sample(&mut rng)).collect();
/// let (done, open) = all.split_at(400);
/// let open: Vec<f64> = open.iter().map(|t| t / 2.0).collect(); // ages so far
/// let fit = fit_durations(done, &open, &FitOptions::default().with_bootstrap(49))?;
/// assert_eq!(fit.chosen, Choice::Family(Family::Lognormal));
/// let DistSpec::Lognormal { mean, .. } = fit.spec else { unreachable!() };
/// let p = &fit.chosen_candidate().unwrap().params[0];
/// assert!(p.low.unwrap() < mean && mean < p.high.unwrap());
/// assert!((4.0..8.0).contains(&mean), "minutes");
/// println!("{fit}");
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::Experiment`] for an option out of range (`fit.families`, `fit.level`,
/// `fit.bootstrap` above [`MAX_BOOTSTRAP`],
/// `fit.alpha`, `fit.resolution_secs`, `fit.gof_max_n`,
/// `fit.empirical_points`); [`Error::Scenario`] at `completed_secs[i]` or
/// `censored_secs[i]` for a negative or non-finite value, and at
/// `completed_secs` when there is no duration or no completed one.
pub fn fit_durations(
    completed_secs: &[f64],
    censored_secs: &[f64],
    options: &FitOptions,
) -> Result<DurationFit> {
    fit_named(
        completed_secs,
        censored_secs,
        options,
        ["completed_secs", "censored_secs"],
    )
}

impl StageSample {
    /// The stage's completed and censored durations fitted by
    /// [`fit_durations`]; the ages of orders that left while in the stage
    /// ([`StageSample::exits`]) are censored with those open at the end.
    ///
    /// # Errors
    /// As [`fit_durations`]; the field is `stages.<name>.durations`.
    pub fn fit(&self, options: &FitOptions) -> Result<DurationFit> {
        let secs = |v: &[crate::time::SimTime]| v.iter().map(|t| t.secs()).collect::<Vec<_>>();
        let field = format!("stages.{}", self.name());
        fit_named(
            &secs(self.durations()),
            &[secs(self.censored()), secs(self.exits())].concat(),
            options,
            [&format!("{field}.durations"), &format!("{field}.censored")],
        )
    }
}

fn check(values: &[f64], field: &str) -> Result<()> {
    match values.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        Some(i) => Err(Error::scenario(
            format!("{field}[{i}]"),
            format!(
                "a duration must be finite and at least 0, got {}",
                values[i]
            ),
        )),
        None => Ok(()),
    }
}

fn fit_named(
    completed_secs: &[f64],
    censored_secs: &[f64],
    options: &FitOptions,
    fields: [&str; 2],
) -> Result<DurationFit> {
    options.validate()?;
    check(completed_secs, fields[0])?;
    check(censored_secs, fields[1])?;
    if completed_secs.is_empty() {
        let reason = if censored_secs.is_empty() {
            "no durations: both the completed and the censored durations are empty, so there is nothing to fit".to_string()
        } else {
            let longest = censored_secs.iter().copied().fold(0.0, f64::max);
            format!(
                "no completed duration: all {} durations are censored (the longest at {longest} s), so the likelihood has no maximum (it grows with the mean); the durations are only known to exceed their ages",
                censored_secs.len()
            )
        };
        return Err(Error::scenario(fields[0], reason));
    }
    let zero_min = options.resolution_secs / 2.0 / 60.0;
    let zeros = completed_secs.iter().filter(|x| **x == 0.0).count();
    let completed: Vec<f64> = completed_secs
        .iter()
        .map(|x| if *x == 0.0 { zero_min } else { x / 60.0 })
        .collect();
    let censored: Vec<f64> = censored_secs.iter().map(|c| c / 60.0).collect();
    let sample = Sample::new(completed.clone(), censored.clone());
    let n_all = (completed.len() + censored.len()) as f64;
    let mut notes = Vec::new();
    if zeros > 0 {
        notes.push(format!(
            "{zeros} completed durations of 0 s read as {} s (half the clock's resolution)",
            options.resolution_secs / 2.0
        ));
    }

    let first = completed[0];
    let distinct = completed.iter().any(|x| *x != first);
    let deterministic = !distinct && completed.len() >= 2 && !censored.iter().any(|c| *c > first);
    let mut candidates = Vec::new();
    for &family in &options.families {
        if candidates.iter().any(|c: &Candidate| c.family == family) {
            continue;
        }
        if !distinct && family != Family::Exponential {
            continue;
        }
        let Some(theta) = sample.mle(family) else {
            notes.push(format!(
                "{family}: the likelihood has no maximum the search could find; not a candidate"
            ));
            continue;
        };
        let loglik = sample.loglik(family, &theta);
        let params = mle::wald(&sample, family, &theta, options.level);
        let estimates: Vec<f64> = params.iter().map(|p| p.estimate).collect();
        let Ok(law) = Law::new(family, &estimates) else {
            continue;
        };
        if params.iter().any(|p| p.low.is_none()) {
            notes.push(format!(
                "{family}: the observed information is not positive definite (a flat likelihood); no intervals"
            ));
        }
        let k = params.len() as f64;
        candidates.push(Candidate {
            family,
            spec: law.spec(),
            params,
            loglik,
            aic: 2.0 * k - 2.0 * loglik,
            bic: k * n_all.ln() - 2.0 * loglik,
            delta: 0.0,
        });
    }
    if !distinct {
        notes.push(format!(
            "every completed duration is {} s: the two-parameter families have no maximum (their spread goes to 0); only the exponential is fitted",
            completed_secs[0]
        ));
    }
    let criterion = options.criterion;
    candidates.sort_by(|a, b| a.score(criterion).total_cmp(&b.score(criterion)));
    let best = candidates.first().map(|c| c.score(criterion));
    for c in &mut candidates {
        c.delta = c.score(criterion) - best.unwrap_or(0.0);
    }
    if let [a, b, ..] = candidates.as_slice()
        && b.delta < 2.0
    {
        notes.push(format!(
            "the families cannot be told apart: {} and {} are within 2 {criterion} units ({:.2}); the lower is chosen",
            a.family, b.family, b.delta
        ));
    }

    let km = KaplanMeier::new(&completed, &censored);
    let empirical = DistSpec::Empirical {
        samples: km.quantiles(options.empirical_points, completed.len()),
    };
    if km.end() < 1.0 {
        notes.push(format!(
            "the longest duration ({} min) is censored: the Kaplan-Meier estimate reaches only {:.4}, so the empirical law is truncated at the last completed duration",
            num(km.last),
            km.end()
        ));
    }

    let mut chosen = candidates
        .first()
        .map_or(Choice::Empirical, |c| Choice::Family(c.family));
    let mut gof = None;
    if deterministic {
        notes.push(format!(
            "all {} completed durations equal {} s: they look deterministic and no continuous family fits; the empirical law (a single point) is offered",
            completed.len(),
            completed_secs[0]
        ));
        chosen = Choice::Empirical;
    } else if let Choice::Family(family) = chosen
        && options.bootstrap > 0
    {
        if completed.len() < MIN_GOF_COMPLETED {
            notes.push(format!(
                "only {} completed durations: too few for a goodness-of-fit test (at least {MIN_GOF_COMPLETED})",
                completed.len()
            ));
        } else {
            let plan = gof::Plan {
                family,
                replicates: options.bootstrap,
                max_n: options.gof_max_n,
                seed: options.seed,
                zero: (zeros > 0).then_some((zero_min, options.resolution_secs / 60.0)),
            };
            gof = gof::test(&completed, &censored, plan);
            match &gof {
                Some(g) if g.p_value < options.alpha => {
                    notes.push(format!(
                        "none fits well: the best family ({family}) is rejected at the {} level (Kolmogorov-Smirnov p = {:.4}); the empirical law is offered instead",
                        options.alpha, g.p_value
                    ));
                    chosen = Choice::Empirical;
                }
                Some(g) if g.n < completed.len() + censored.len() => notes.push(format!(
                    "the goodness-of-fit test used a subsample of {} of the {} durations (fit.gof_max_n)",
                    g.n,
                    completed.len() + censored.len()
                )),
                Some(_) => {}
                None => notes.push(format!(
                    "{family}: could not be refitted for the goodness-of-fit test; not tested"
                )),
            }
        }
    }
    let spec = match chosen {
        Choice::Family(f) => candidates
            .iter()
            .find(|c| c.family == f)
            .map_or_else(|| empirical.clone(), |c| c.spec.clone()),
        Choice::Empirical => empirical.clone(),
    };
    Ok(DurationFit {
        completed: completed.len(),
        censored: censored.len(),
        zeros,
        criterion,
        candidates,
        chosen,
        spec,
        empirical,
        gof,
        notes,
    })
}

/// Four decimals.
fn num(v: f64) -> String {
    format!("{v:.4}")
}
