//! Nelder–Mead minimisation for the two-parameter likelihoods (and the
//! one-parameter Weibull profile).
//!
//! Written here rather than taken from `argmin`: the problems are of one
//! or two dimensions on a log scale with good starting values, and the
//! method fits in a page, while `argmin` with its math backend would add
//! a compile-time cost out of proportion on the two-core build machine.
//! The standard coefficients (reflection 1, expansion 2, contraction ½,
//! shrink ½) are used, with one restart from the best point found (a
//! simplex can collapse early; restarting is the usual remedy).

/// The best point found and its value.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
}

/// The simplex has converged when its values lie within this (relative)
/// and its vertices within [`X_TOL`] of the best one.
const F_TOL: f64 = 1e-12;
/// Largest coordinate distance from the best vertex at convergence: on a
/// log scale, a relative precision of 1e-8 in each parameter.
const X_TOL: f64 = 1e-8;

/// Minimises `f` from `start` with an initial simplex of side `step` in
/// each coordinate, within `max_evals` evaluations (shared by the first
/// run and the restart). Non-finite values count as `+inf`.
pub(crate) fn minimise(
    mut f: impl FnMut(&[f64]) -> f64,
    start: &[f64],
    step: f64,
    max_evals: usize,
) -> Minimum {
    let mut eval = |x: &[f64]| {
        let v = f(x);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut best = run(&mut eval, start, step, max_evals / 2);
    let again = run(&mut eval, &best.0, step / 2.0, max_evals / 2);
    if again.1 <= best.1 {
        best = again;
    }
    Minimum {
        x: best.0,
        f: best.1,
    }
}

/// One Nelder–Mead run: the best vertex and its value.
fn run(
    eval: &mut impl FnMut(&[f64]) -> f64,
    start: &[f64],
    step: f64,
    max_evals: usize,
) -> (Vec<f64>, f64) {
    let n = start.len();
    let mut pts: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut p = start.to_vec();
        p[i] += step;
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| eval(p)).collect();
    let mut used = n + 1;
    while used < max_evals {
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        let (fb, fw) = (vals[0], vals[n]);
        let spread = pts[1..]
            .iter()
            .flat_map(|p| p.iter().zip(&pts[0]).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if fb.is_finite() && fw - fb <= F_TOL * (1.0 + fb.abs()) && spread <= X_TOL {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| pts[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64)
            .collect();
        let toward = |t: f64| -> Vec<f64> {
            centroid
                .iter()
                .zip(&pts[n])
                .map(|(c, w)| c + t * (w - c))
                .collect()
        };
        let reflected = toward(-1.0);
        let fr = eval(&reflected);
        used += 1;
        if fr < vals[0] {
            let expanded = toward(-2.0);
            let fe = eval(&expanded);
            used += 1;
            (pts[n], vals[n]) = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < vals[n - 1] {
            (pts[n], vals[n]) = (reflected, fr);
        } else {
            let (contracted, fc) = if fr < vals[n] {
                let c = toward(-0.5);
                let fc = eval(&c);
                (c, fc)
            } else {
                let c = toward(0.5);
                let fc = eval(&c);
                (c, fc)
            };
            used += 1;
            if fc < vals[n].min(fr) {
                (pts[n], vals[n]) = (contracted, fc);
            } else {
                for i in 1..=n {
                    let p: Vec<f64> = pts[0]
                        .iter()
                        .zip(&pts[i])
                        .map(|(b, x)| b + 0.5 * (x - b))
                        .collect();
                    vals[i] = eval(&p);
                    pts[i] = p;
                }
                used += n;
            }
        }
    }
    let i = (0..=n)
        .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap_or(0);
    (pts.swap_remove(i), vals[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let rosen = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = minimise(rosen, &[-1.2, 1.0], 0.5, 4000);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-5 && (m.x[1] - 1.0).abs() < 1e-5,
            "{m:?}"
        );
    }

    #[test]
    fn one_dimension_and_nan_regions() {
        let f = |x: &[f64]| {
            if x[0] < 0.0 {
                f64::NAN
            } else {
                (x[0] - 3.0).powi(2)
            }
        };
        let m = minimise(f, &[1.0], 0.5, 400);
        assert!((m.x[0] - 3.0).abs() < 1e-7, "{m:?}");
    }
}
