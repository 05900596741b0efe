//! Morris elementary effects: a one-at-a-time screening design of `r`
//! trajectories through a grid on the unit hypercube, and the indices
//! `mu`, `mu*` (with a bootstrap interval) and `sigma` of each factor
//! (Morris 1991; `mu*` after Campolongo, Cariboni and Saltelli 2007; the
//! interval as SALib's `morris.analyze`).

use crate::rng::SimRng;
use rand::{Rng, RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

/// A Morris design: `trajectories` paths of `factors + 1` points each; on
/// step `j` of a path one factor moves by `±delta`.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisDesign {
    /// Number of factors.
    pub factors: usize,
    /// Grid levels per factor (even).
    pub levels: usize,
    /// The step, `levels / (2 (levels - 1))`, in unit coordinates.
    pub delta: f64,
    /// The points, trajectory by trajectory, in unit coordinates.
    pub points: Vec<Vec<f64>>,
    /// For point `t (k + 1) + j + 1`: the factor that moved from the point
    /// before it, and the sign of its move.
    pub moves: Vec<(usize, f64)>,
}

impl MorrisDesign {
    /// `trajectories` random trajectories for `factors` factors on a grid
    /// of `levels` levels, drawn from `seed`.
    ///
    /// # Panics
    /// Never for the checked sizes: `levels` must be even and at least 2,
    /// `factors` and `trajectories` at least 1 (the callers check them).
    #[must_use]
    pub fn new(factors: usize, trajectories: usize, levels: usize, seed: u64) -> Self {
        let delta = levels as f64 / (2.0 * (levels as f64 - 1.0));
        let step = 1.0 / (levels as f64 - 1.0);
        // Base grid levels from which +delta stays inside [0, 1].
        let bases = levels / 2;
        let mut rng = SimRng::seed_from_u64(seed);
        let mut points = Vec::with_capacity(trajectories * (factors + 1));
        let mut moves = Vec::with_capacity(trajectories * factors);
        for _ in 0..trajectories {
            let mut order: Vec<usize> = (0..factors).collect();
            for i in (1..factors).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            let up: Vec<bool> = (0..factors).map(|_| rng.random::<bool>()).collect();
            let mut x: Vec<f64> = (0..factors)
                .map(|i| {
                    let base = rng.random_range(0..bases) as f64 * step;
                    if up[i] { base } else { base + delta }
                })
                .collect();
            points.push(x.clone());
            for &i in &order {
                let sign = if up[i] { 1.0 } else { -1.0 };
                x[i] += sign * delta;
                points.push(x.clone());
                moves.push((i, sign));
            }
        }
        MorrisDesign {
            factors,
            levels,
            delta,
            points,
            moves,
        }
    }

    /// Number of trajectories.
    #[must_use]
    pub fn trajectories(&self) -> usize {
        self.points.len() / (self.factors + 1)
    }

    /// Each move's step in unit coordinates (`±delta`), in move order.
    #[must_use]
    pub fn unit_steps(&self) -> Vec<f64> {
        self.moves.iter().map(|m| m.1 * self.delta).collect()
    }

    /// The elementary effects of each factor from the outputs `y` at the
    /// design's points, given each move's step as a share of the factor's
    /// range (signed; [`MorrisDesign::unit_steps`] when the values are
    /// the unit coordinates): output units per whole range of the factor.
    /// A move whose step is 0 (a count that rounds to the same value)
    /// tells nothing and is left out.
    #[must_use]
    pub fn elementary_effects(&self, y: &[f64], steps: &[f64]) -> Vec<Vec<f64>> {
        let k = self.factors;
        let mut ee = vec![Vec::with_capacity(self.trajectories()); k];
        for t in 0..self.trajectories() {
            for j in 0..k {
                let m = t * k + j;
                let (i, _) = self.moves[m];
                let at = t * (k + 1) + j;
                if steps[m] != 0.0 {
                    ee[i].push((y[at + 1] - y[at]) / steps[m]);
                }
            }
        }
        ee
    }

    /// The Morris indices of each factor from the outputs `y` and the
    /// moves' `steps` (as [`MorrisDesign::elementary_effects`]), with a 95%
    /// bootstrap interval on `mu*` (`resamples` resamples of each factor's
    /// effects, drawn from `seed`).
    #[must_use]
    pub fn analyze(
        &self,
        y: &[f64],
        steps: &[f64],
        resamples: usize,
        seed: u64,
    ) -> Vec<MorrisIndex> {
        let mut rng = SimRng::seed_from_u64(seed);
        self.elementary_effects(y, steps)
            .into_iter()
            .map(|ee| MorrisIndex::of(&ee, resamples, &mut rng))
            .collect()
    }
}

/// The Morris indices of one factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MorrisIndex {
    /// Mean elementary effect (signed: effects of both signs cancel).
    pub mu: f64,
    /// Mean absolute elementary effect: the factor's overall importance.
    pub mu_star: f64,
    /// Half-width of a 95% bootstrap interval on `mu_star`.
    pub mu_star_half_width: f64,
    /// Standard deviation of the effects: non-linearity or interactions.
    pub sigma: f64,
}

impl MorrisIndex {
    fn of(ee: &[f64], resamples: usize, rng: &mut impl Rng) -> Self {
        let n = ee.len();
        if n == 0 {
            return MorrisIndex {
                mu: f64::NAN,
                mu_star: f64::NAN,
                mu_star_half_width: f64::NAN,
                sigma: f64::NAN,
            };
        }
        let mean = |v: &mut dyn Iterator<Item = f64>| {
            let (s, c) = v.fold((0.0, 0usize), |(s, c), x| (s + x, c + 1));
            s / c as f64
        };
        let mu = mean(&mut ee.iter().copied());
        let mu_star = mean(&mut ee.iter().map(|x| x.abs()));
        let sigma = if n > 1 {
            (ee.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            f64::NAN
        };
        let boot: Vec<f64> = (0..resamples)
            .map(|_| mean(&mut (0..n).map(|_| ee[rng.random_range(0..n)].abs())))
            .collect();
        let bm = boot.iter().sum::<f64>() / resamples.max(1) as f64;
        let sd = (boot.iter().map(|x| (x - bm).powi(2)).sum::<f64>()
            / (resamples.max(2) - 1) as f64)
            .sqrt();
        MorrisIndex {
            mu,
            mu_star,
            mu_star_half_width: 1.959_963_984_540_054 * sd,
            sigma,
        }
    }
}
