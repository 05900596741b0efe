//! The separable profile: hourly rates × weekday factors, fitted to a
//! 7×24 table of counts and exposures by maximum likelihood (the Poisson
//! log-linear model `log μ = log exposure + log a_hour + log b_weekday`),
//! by iterative proportional fitting; its Wald intervals on the log scale
//! from the Poisson information; and the G-test of separability.

use super::counts::Counts;
use super::poisson::{chi2_sf, deviance, garwood};
use super::{GTest, TestOutcome};

/// Most sweeps of iterative proportional fitting; it stops earlier when
/// the weekday factors move by less than [`IPF_TOLERANCE`] (relative).
const IPF_SWEEPS: usize = 10_000;
const IPF_TOLERANCE: f64 = 1e-13;

/// Counts and exposures (hours) by weekday (Monday first) and hour.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Table {
    pub(super) n: [[f64; 24]; 7],
    pub(super) e: [[f64; 24]; 7],
}

impl Table {
    /// The table of the days of `counts` that `include` keeps.
    pub(super) fn from_days(counts: &Counts, include: impl Fn(usize) -> bool) -> Table {
        let mut t = Table {
            n: [[0.0; 24]; 7],
            e: [[0.0; 24]; 7],
        };
        for day in (0..counts.n_days()).filter(|d| include(*d)) {
            t.add_day(counts, day, 1.0);
        }
        t
    }

    /// Adds (`sign` 1) or takes away (`sign` -1) day `day`.
    pub(super) fn add_day(&mut self, counts: &Counts, day: usize, sign: f64) {
        let w = counts.weekday(day).index();
        for h in 0..24 {
            self.n[w][h] += sign * counts.hours(day)[h] as f64;
            self.e[w][h] += sign * counts.exposure_h(day, h);
        }
    }

    /// Whether weekday `w` has any observed hour.
    pub(super) fn observed(&self, w: usize) -> bool {
        self.e[w].iter().any(|e| *e > 0.0)
    }
}

/// Hourly rates (orders per hour) and weekday factors, normalised to
/// mean 1 over the observed weekdays; an unobserved weekday's factor is 1.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Separable {
    pub(super) hourly: [f64; 24],
    pub(super) weekday: [f64; 7],
}

impl Separable {
    /// The fitted mean of cell (`w`, `h`) of `t`.
    pub(super) fn mean(&self, t: &Table, w: usize, h: usize) -> f64 {
        t.e[w][h] * self.hourly[h] * self.weekday[w]
    }

    /// The expected arrivals on day `day` of `counts` by hour.
    pub(super) fn day_means(&self, counts: &Counts, day: usize) -> [f64; 24] {
        let w = counts.weekday(day).index();
        std::array::from_fn(|h| counts.exposure_h(day, h) * self.hourly[h] * self.weekday[w])
    }
}

/// The maximum-likelihood separable fit of `t`, by iterative
/// proportional fitting (each sweep matches the hourly, then the
/// weekday, totals), from `warm` if given.
///
/// The margins of the fit equal those of the table: that is the
/// likelihood equation of the log-linear model. A weekday with no
/// arrival gets factor 0; an hour with none gets rate 0.
pub(super) fn fit(t: &Table, warm: Option<&Separable>) -> Separable {
    let observed: [bool; 7] = std::array::from_fn(|w| t.observed(w));
    let by_hour: [f64; 24] = std::array::from_fn(|h| (0..7).map(|w| t.n[w][h]).sum());
    let by_day: [f64; 7] = std::array::from_fn(|w| t.n[w].iter().sum());
    let mut b = warm.map_or([1.0; 7], |s| s.weekday);
    for w in 0..7 {
        if !observed[w] {
            b[w] = 1.0;
        }
    }
    let hourly = |b: &[f64; 7]| -> [f64; 24] {
        std::array::from_fn(|h| {
            let den: f64 = (0..7).map(|w| t.e[w][h] * b[w]).sum();
            if den > 0.0 { by_hour[h] / den } else { 0.0 }
        })
    };
    for _ in 0..IPF_SWEEPS {
        let a = hourly(&b);
        let mut next = b;
        for w in (0..7).filter(|w| observed[*w]) {
            let den: f64 = (0..24).map(|h| t.e[w][h] * a[h]).sum();
            // A weekday whose hours all have rate 0 has no arrival either:
            // its factor is free; keep it.
            if den > 0.0 {
                next[w] = by_day[w] / den;
            }
        }
        normalise(&mut next, &observed);
        let moved = (0..7)
            .map(|w| (next[w] - b[w]).abs() / b[w].max(next[w]).max(f64::MIN_POSITIVE))
            .fold(0.0, f64::max);
        b = next;
        if moved < IPF_TOLERANCE {
            break;
        }
    }
    Separable {
        hourly: hourly(&b),
        weekday: b,
    }
}

/// Scales the observed weekday factors to mean 1 (a fit with no arrival
/// at all keeps them).
fn normalise(b: &mut [f64; 7], observed: &[bool; 7]) {
    let k = observed.iter().filter(|o| **o).count();
    let mean = (0..7).filter(|w| observed[*w]).map(|w| b[w]).sum::<f64>() / k.max(1) as f64;
    if mean > 0.0 {
        for w in (0..7).filter(|w| observed[*w]) {
            b[w] /= mean;
        }
    }
}

/// Intervals of the hourly rates and of the observed weekday factors, as
/// `(low, high)`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Intervals {
    pub(super) hourly: [(f64, f64); 24],
    pub(super) weekday: [Option<(f64, f64)>; 7],
}

/// The Poisson information of the log-linear model at a fit, reduced to
/// what the variances of log-scale quantities need.
///
/// # Formula
/// With `μ` the fitted cell means, over the hours and weekdays with a
/// positive estimate, `m_h` and `n_w` their hourly and weekday totals,
/// `π_w = b_w / Σ b`, `k_h,w = μ_wh / m_h`, and `S` the Schur complement
/// of the hourly block of the information (one weekday, the reference,
/// left out to fix the scale):
/// `S_wv = n_w δ_wv - Σ_h μ_wh μ_vh / m_h`. Under the mean-1
/// normalisation of the weekday factors,
///
/// - `var(log a_h) = 1/m_h + (k_h - π)' S⁻¹ (k_h - π)` (just `1/m_h`,
///   Poisson's, when every weekday is observed equally);
/// - `var(log b_w) = (e_w - π)' S⁻¹ (e_w - π)`;
/// - for a total `T = Σ_h x_h a_h b_w` over exposures `x` (a day's
///   expected count), with `s_h` each hour's share of it,
///   `var(log T) = Σ_h s_h²/m_h + (K's - e_w)' S⁻¹ (K's - e_w)`.
#[derive(Debug)]
pub(super) struct Information<'a> {
    t: &'a Table,
    fit: &'a Separable,
    hours: Vec<usize>,
    m: [f64; 24],
    /// The weekdays with a positive factor less the reference, and their π.
    free: Vec<usize>,
    pi: Vec<f64>,
    /// The Cholesky factor of `S`; `None` when it is singular (hours and
    /// weekdays that share no observed cell).
    chol: Option<Vec<Vec<f64>>>,
}

impl<'a> Information<'a> {
    pub(super) fn new(t: &'a Table, fit: &'a Separable) -> Self {
        let days: Vec<usize> = (0..7)
            .filter(|w| t.observed(*w) && fit.weekday[*w] > 0.0)
            .collect();
        let hours: Vec<usize> = (0..24).filter(|h| fit.hourly[*h] > 0.0).collect();
        let m: [f64; 24] = std::array::from_fn(|h| days.iter().map(|w| fit.mean(t, *w, h)).sum());
        let b_sum: f64 = days.iter().map(|w| fit.weekday[*w]).sum();
        let free = days[days.len().min(1)..].to_vec();
        let pi = free.iter().map(|w| fit.weekday[*w] / b_sum).collect();
        let k = free.len();
        let mut s = vec![vec![0.0; k]; k];
        for (i, w) in free.iter().enumerate() {
            let n_w: f64 = hours.iter().map(|h| fit.mean(t, *w, *h)).sum();
            for (j, v) in free.iter().enumerate() {
                let cross: f64 = hours
                    .iter()
                    .map(|h| fit.mean(t, *w, *h) * fit.mean(t, *v, *h) / m[*h])
                    .sum();
                s[i][j] = if i == j { n_w } else { 0.0 } - cross;
            }
        }
        Information {
            t,
            fit,
            hours,
            m,
            free,
            pi,
            chol: cholesky(s),
        }
    }

    fn quad(&self, g: &[f64]) -> Option<f64> {
        self.chol.as_ref().map(|l| quadratic_inverse(l, g))
    }

    /// `var(log a_h)`, for an hour with a positive rate.
    pub(super) fn var_log_hourly(&self, h: usize) -> Option<f64> {
        let g: Vec<f64> = self
            .free
            .iter()
            .zip(&self.pi)
            .map(|(w, p)| self.fit.mean(self.t, *w, h) / self.m[h] - p)
            .collect();
        Some(1.0 / self.m[h] + self.quad(&g)?)
    }

    /// `var(log b_w)`, for a weekday with a positive factor.
    pub(super) fn var_log_weekday(&self, w: usize) -> Option<f64> {
        let g: Vec<f64> = self
            .free
            .iter()
            .zip(&self.pi)
            .map(|(v, p)| f64::from(u8::from(*v == w)) - p)
            .collect();
        self.quad(&g)
    }

    /// `var(log T)` for `T = Σ_h exposure_h a_h b_w`, when `T > 0` and
    /// weekday `w` has a positive factor.
    pub(super) fn var_log_total(&self, exposure: &[f64; 24], w: usize) -> Option<f64> {
        if !(self.fit.weekday[w] > 0.0 && self.t.observed(w)) {
            return None;
        }
        let part: Vec<f64> = self
            .hours
            .iter()
            .map(|h| exposure[*h] * self.fit.hourly[*h])
            .collect();
        let total: f64 = part.iter().sum();
        if total.is_nan() || total <= 0.0 {
            return None;
        }
        let share: Vec<f64> = part.iter().map(|p| p / total).collect();
        let own: f64 = self
            .hours
            .iter()
            .zip(&share)
            .map(|(h, s)| s * s / self.m[*h])
            .sum();
        let g: Vec<f64> = self
            .free
            .iter()
            .map(|v| {
                let ks: f64 = self
                    .hours
                    .iter()
                    .zip(&share)
                    .map(|(h, s)| s * self.fit.mean(self.t, *v, *h) / self.m[*h])
                    .sum();
                ks - f64::from(u8::from(*v == w))
            })
            .collect();
        Some(own + self.quad(&g)?)
    }
}

/// The intervals of `fit` (of `t`) at `level`, `z` its normal quantile:
/// Wald on the log scale with the variances of [`Information`].
///
/// A rate or factor estimated at 0 gets `[0, U / exposure]`, `U` the
/// upper Garwood limit of a count of 0. Should the information be
/// singular, each interval is Garwood's on its own total given the other
/// estimates.
pub(super) fn intervals(t: &Table, fit: &Separable, level: f64, z: f64) -> Intervals {
    let info = Information::new(t, fit);
    let (_, zero_high) = garwood(0, level);
    let wald = |est: f64, var: f64| {
        let half = z * var.max(0.0).sqrt();
        (est * (-half).exp(), est * half.exp())
    };
    let mut out = Intervals {
        hourly: [(0.0, 0.0); 24],
        weekday: [None; 7],
    };
    for h in 0..24 {
        let a = fit.hourly[h];
        let exposure: f64 = (0..7).map(|w| t.e[w][h] * fit.weekday[w]).sum();
        out.hourly[h] = if a == 0.0 {
            (0.0, zero_high / exposure)
        } else {
            match info.var_log_hourly(h) {
                Some(v) => wald(a, v),
                None => conditional(t.n.iter().map(|r| r[h]).sum(), exposure, level),
            }
        };
    }
    for w in (0..7).filter(|w| t.observed(*w)) {
        let b = fit.weekday[w];
        let exposure: f64 = (0..24).map(|h| t.e[w][h] * fit.hourly[h]).sum();
        out.weekday[w] = Some(if b == 0.0 {
            (0.0, zero_high / exposure)
        } else {
            match info.var_log_weekday(w) {
                Some(v) => wald(b, v),
                None => conditional(t.n[w].iter().sum(), exposure, level),
            }
        });
    }
    out
}

/// Garwood's interval on a total `n` over an effective exposure.
fn conditional(n: f64, exposure: f64, level: f64) -> (f64, f64) {
    let (lo, hi) = garwood(n as u64, level);
    (lo / exposure, hi / exposure)
}

/// The lower Cholesky factor of the symmetric matrix `a`, or `None` if
/// it is not numerically positive definite. (A 6×6 at most: the
/// weekdays less the reference.)
fn cholesky(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let scale = (0..k).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    for j in 0..k {
        let d = a[j][j] - (0..j).map(|p| a[j][p] * a[j][p]).sum::<f64>();
        if d.is_nan() || d <= 1e-12 * scale {
            return None;
        }
        a[j][j] = d.sqrt();
        for i in j + 1..k {
            a[i][j] = (a[i][j] - (0..j).map(|p| a[i][p] * a[j][p]).sum::<f64>()) / a[j][j];
        }
        for row in a.iter_mut().take(j) {
            row[j] = 0.0;
        }
    }
    Some(a)
}

/// `g' A⁻¹ g` from the Cholesky factor `l` of `A`: `|L⁻¹ g|²`.
fn quadratic_inverse(l: &[Vec<f64>], g: &[f64]) -> f64 {
    let mut y = vec![0.0; g.len()];
    for i in 0..g.len() {
        y[i] = (g[i] - (0..i).map(|p| l[i][p] * y[p]).sum::<f64>()) / l[i][i];
    }
    y.iter().map(|v| v * v).sum()
}

/// The G statistic and its degrees of freedom for the separable fit
/// against the full 7×24 table, `None` with no degree of freedom.
///
/// `df` = the cells whose hour and weekday have a positive estimate and
/// that were observed, less the fit's free parameters (those hours plus
/// those weekdays less one). Cells of an hour or weekday without an
/// arrival add nothing to the statistic and are left out.
pub(super) fn separability(t: &Table, fit: &Separable) -> Option<(f64, u64, f64)> {
    let days: Vec<usize> = (0..7)
        .filter(|w| t.observed(*w) && fit.weekday[*w] > 0.0)
        .collect();
    let hours: Vec<usize> = (0..24).filter(|h| fit.hourly[*h] > 0.0).collect();
    let mut g = 0.0;
    let mut cells = 0u64;
    for w in &days {
        for h in &hours {
            if t.e[*w][*h] > 0.0 {
                cells += 1;
                g += deviance(t.n[*w][*h], fit.mean(t, *w, *h));
            }
        }
    }
    let params = (hours.len() + days.len()).saturating_sub(1) as u64;
    let df = cells.checked_sub(params).filter(|d| *d > 0)?;
    Some((g, df, chi2_sf(g, df)))
}

/// The separability test's outcome at `alpha`.
pub(super) fn separability_outcome(table: &Table, base: &Separable, alpha: f64) -> TestOutcome {
    match separability(table, base) {
        None => TestOutcome {
            test: None,
            rejects: false,
            note: "cannot be tested: the table has no cell beyond the profile's parameters".into(),
        },
        Some(t) => {
            let test = GTest::from_tuple(t);
            let rejects = test.p_value < alpha;
            let note = if rejects {
                format!(
                    "the hour-of-day shape differs between weekdays (p = {:.3e}); the model's profile (hourly rates × weekday factors) cannot represent this interaction; the 7×24 table shows it",
                    test.p_value
                )
            } else {
                format!(
                    "hourly rates × weekday factors fit the 7×24 table (p = {:.3})",
                    test.p_value
                )
            };
            TestOutcome {
                test: Some(test),
                rejects,
                note,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table with every cell observed `weeks` hours.
    fn table(rate: impl Fn(usize, usize) -> f64, weeks: f64) -> Table {
        Table {
            n: std::array::from_fn(|w| std::array::from_fn(|h| (rate(w, h) * weeks).round())),
            e: [[weeks; 24]; 7],
        }
    }

    #[test]
    fn a_separable_table_is_fitted_exactly_with_mean_one_weekday_factors() {
        let b = [1.2, 1.0, 1.0, 1.0, 1.3, 0.8, 0.7];
        let t = table(|w, h| b[w] * (10.0 + h as f64) * 10.0, 4.0);
        let f = fit(&t, None);
        for (w, truth) in b.iter().enumerate() {
            assert!((f.weekday[w] - truth).abs() < 1e-12, "{w}: {:?}", f.weekday);
        }
        for h in 0..24 {
            assert!((f.hourly[h] - (10.0 + h as f64) * 10.0).abs() < 1e-9);
        }
        let (g, df, _) = separability(&t, &f).unwrap();
        assert!(g.abs() < 1e-9, "{g}");
        assert_eq!(df, 7 * 24 - 24 - 6);
    }

    #[test]
    fn balanced_exposure_gives_the_poisson_variance_of_the_hourly_total() {
        // Every weekday observed equally: var(log a_h) = 1 / N_h exactly.
        let b = [1.2, 1.0, 1.0, 1.0, 1.3, 0.8, 0.7];
        let t = table(|w, h| b[w] * (10.0 + h as f64), 4.0);
        let f = fit(&t, None);
        let z = 1.959_963_984_540_054;
        let iv = intervals(&t, &f, 0.95, z);
        for h in 0..24 {
            let n: f64 = (0..7).map(|w| t.n[w][h]).sum();
            let (lo, hi) = iv.hourly[h];
            let half = z / n.sqrt();
            assert!((lo / f.hourly[h] - (-half).exp()).abs() < 1e-9, "{h}");
            assert!((hi / f.hourly[h] - half.exp()).abs() < 1e-9, "{h}");
        }
        for w in 0..7 {
            let (lo, hi) = iv.weekday[w].unwrap();
            assert!(lo < f.weekday[w] && f.weekday[w] < hi);
        }
    }

    #[test]
    fn zero_rates_and_unobserved_weekdays() {
        let mut t = table(|_, h| if h < 3 { 0.0 } else { 5.0 }, 1.0);
        // Only Monday and Tuesday observed.
        for w in 2..7 {
            t.n[w] = [0.0; 24];
            t.e[w] = [0.0; 24];
        }
        let f = fit(&t, None);
        assert_eq!(f.weekday[2..], [1.0; 5]);
        assert!((f.weekday[0] - 1.0).abs() < 1e-12);
        let iv = intervals(&t, &f, 0.95, 1.96);
        assert_eq!(iv.hourly[0].0, 0.0);
        // Exposure 2 hours (factors 1): Garwood's 3.689 / 2.
        assert!((iv.hourly[0].1 - 3.688_879 / 2.0).abs() < 1e-5);
        assert_eq!(iv.weekday[3], None);
        assert!(
            iv.hourly
                .iter()
                .all(|(l, h)| l.is_finite() && h.is_finite())
        );
    }
}
