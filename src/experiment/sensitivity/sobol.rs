//! Variance-based sensitivity: Sobol first-order and total indices from a
//! Saltelli design (matrices `A`, `B` and `A` with column `i` from `B`),
//! with the Saltelli (2010) first-order and Jansen (1999) total estimators
//! and bootstrap intervals, as SALib's `sobol.analyze` computes them. The
//! base points are an Owen-scrambled Sobol sequence (`sobol_burley`).

use crate::error::{Error, Result};
use crate::rng::SimRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

/// Most factors a Saltelli design takes: the Sobol sequence has 256
/// dimensions and the design needs two per factor.
pub const MAX_SOBOL_FACTORS: usize = 128;

/// Most base rows: the sequence is defined for the first 2^16 indices.
pub const MAX_SOBOL_ROWS: usize = 1 << 16;

/// A Saltelli design of `n` base rows over `factors` factors: `n (k + 2)`
/// points, rows of `A`, then of `B`, then of each `AB_i`.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltelliDesign {
    /// Number of factors.
    pub factors: usize,
    /// Base rows.
    pub n: usize,
    /// The points, in unit coordinates.
    pub points: Vec<Vec<f64>>,
}

impl SaltelliDesign {
    /// A design of `n` base rows for `factors` factors, scrambled by `seed`.
    ///
    /// # Errors
    /// [`Error::Experiment`] at `sobol` for no factors, more than
    /// [`MAX_SOBOL_FACTORS`], or fewer than 2 rows.
    pub fn new(factors: usize, n: usize, seed: u32) -> Result<Self> {
        if factors == 0 || factors > MAX_SOBOL_FACTORS {
            return Err(Error::experiment(
                "sobol",
                format!("takes 1 to {MAX_SOBOL_FACTORS} factors, got {factors}"),
            ));
        }
        if !(2..=MAX_SOBOL_ROWS).contains(&n) {
            return Err(Error::experiment(
                "sobol",
                format!("takes 2 to {MAX_SOBOL_ROWS} base rows, got {n}"),
            ));
        }
        let k = factors;
        // Index 0 of an Owen-scrambled sequence is as good as any other.
        let row = |r: usize, first_dim: usize| -> Vec<f64> {
            (0..k)
                .map(|d| f64::from(sobol_burley::sample(r as u32, (first_dim + d) as u32, seed)))
                .collect()
        };
        let a: Vec<Vec<f64>> = (0..n).map(|r| row(r, 0)).collect();
        let b: Vec<Vec<f64>> = (0..n).map(|r| row(r, k)).collect();
        let mut points = Vec::with_capacity(n * (k + 2));
        points.extend(a.iter().cloned());
        points.extend(b.iter().cloned());
        for i in 0..k {
            for r in 0..n {
                let mut p = a[r].clone();
                p[i] = b[r][i];
                points.push(p);
            }
        }
        Ok(SaltelliDesign { factors, n, points })
    }

    /// First-order and total indices of each factor from the outputs `y`
    /// at the design's points, with 95% bootstrap intervals over the base
    /// rows (`resamples` resamples drawn from `seed`).
    #[must_use]
    pub fn analyze(&self, y: &[f64], resamples: usize, seed: u64) -> Vec<SobolIndex> {
        let (n, k) = (self.n, self.factors);
        let fa = &y[..n];
        let fb = &y[n..2 * n];
        let rows: Vec<usize> = (0..n).collect();
        let mut rng = SimRng::seed_from_u64(seed);
        let draws: Vec<Vec<usize>> = (0..resamples)
            .map(|_| (0..n).map(|_| rng.random_range(0..n)).collect())
            .collect();
        (0..k)
            .map(|i| {
                let fab = &y[(2 + i) * n..(3 + i) * n];
                let (s1, st) = indices(fa, fb, fab, &rows);
                let boot: Vec<(f64, f64)> = draws.iter().map(|d| indices(fa, fb, fab, d)).collect();
                SobolIndex {
                    first: s1,
                    first_half_width: half_width(boot.iter().map(|b| b.0)),
                    total: st,
                    total_half_width: half_width(boot.iter().map(|b| b.1)),
                }
            })
            .collect()
    }
}

/// (S1, ST) over the rows `rows` (with repeats for a bootstrap).
fn indices(fa: &[f64], fb: &[f64], fab: &[f64], rows: &[usize]) -> (f64, f64) {
    let m = rows.len() as f64;
    let both = rows.iter().flat_map(|&r| [fa[r], fb[r]]);
    let mean = both.clone().sum::<f64>() / (2.0 * m);
    let var = both.map(|x| (x - mean).powi(2)).sum::<f64>() / (2.0 * m - 1.0);
    let s1 = rows.iter().map(|&r| fb[r] * (fab[r] - fa[r])).sum::<f64>() / m / var;
    let st = rows.iter().map(|&r| (fa[r] - fab[r]).powi(2)).sum::<f64>() / (2.0 * m) / var;
    (s1, st)
}

/// 1.96 standard deviations of the bootstrap values.
fn half_width(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = values.clone().count() as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    1.959_963_984_540_054 * var.sqrt()
}

/// The Sobol indices of one factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SobolIndex {
    /// First-order index: the share of output variance from this factor alone.
    pub first: f64,
    /// Half-width of its 95% bootstrap interval.
    pub first_half_width: f64,
    /// Total index: the share that involves this factor, interactions included.
    pub total: f64,
    /// Half-width of its 95% bootstrap interval.
    pub total_half_width: f64,
}
