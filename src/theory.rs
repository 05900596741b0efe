//! Closed-form queueing results, used to validate the engine and to compute
//! offered load before a run.
//!
//! Rates and times may be in any unit, as long as they agree (arrivals per
//! minute with service times in minutes, say).

/// Erlang's loss formula: the blocking probability of M/M/c/c.
///
/// # Formula
/// `B(0, a) = 1`, `B(k, a) = a·B(k-1, a) / (k + a·B(k-1, a))`, the stable
/// recursion for `B(c, a) = (a^c / c!) / Σ_{k=0..c} a^k / k!`, where `a = λ/μ`
/// is the offered load in erlangs.
///
/// ```
/// let b = cbec_sim::theory::erlang_b(2, 1.0);
/// assert!((b - 0.2).abs() < 1e-12);
/// ```
#[must_use]
pub fn erlang_b(servers: u32, load: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=servers {
        b = load * b / (f64::from(k) + load * b);
    }
    b
}

/// Erlang's delay formula: the probability that an arrival waits in M/M/c,
/// or `None` if the queue is unstable (`load >= servers`).
///
/// # Formula
/// `C(c, a) = B(c, a) / (1 - ρ·(1 - B(c, a)))` with `ρ = a/c`.
///
/// ```
/// let c = cbec_sim::theory::erlang_c(2, 1.0).unwrap();
/// assert!((c - 1.0 / 3.0).abs() < 1e-12);
/// ```
#[must_use]
pub fn erlang_c(servers: u32, load: f64) -> Option<f64> {
    let c = f64::from(servers);
    if load.is_nan() || load >= c || servers == 0 {
        return None;
    }
    let b = erlang_b(servers, load);
    Some(b / (1.0 - (load / c) * (1.0 - b)))
}

/// The M/M/c queue: Poisson arrivals at rate `lambda`, `c` servers each
/// completing at rate `mu`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MMc {
    /// Arrival rate.
    pub lambda: f64,
    /// Service rate of one server (1 / mean service time).
    pub mu: f64,
    /// Number of servers.
    pub servers: u32,
}

impl MMc {
    /// Server utilisation `ρ = λ / (cμ)`.
    #[must_use]
    pub fn utilization(&self) -> f64 {
        self.lambda / (f64::from(self.servers) * self.mu)
    }

    /// Probability of waiting (Erlang C), `None` if unstable.
    #[must_use]
    pub fn prob_wait(&self) -> Option<f64> {
        erlang_c(self.servers, self.lambda / self.mu)
    }

    /// Mean waiting time in queue, `Wq = C / (cμ - λ)`.
    #[must_use]
    pub fn mean_wait(&self) -> Option<f64> {
        Some(self.prob_wait()? / (f64::from(self.servers) * self.mu - self.lambda))
    }

    /// Mean number in the system, `L = λ(Wq + 1/μ)` (Little's law).
    #[must_use]
    pub fn mean_in_system(&self) -> Option<f64> {
        Some(self.lambda * (self.mean_wait()? + 1.0 / self.mu))
    }

    /// The `q`-quantile of the waiting time.
    ///
    /// # Formula
    /// `P(Wq > t) = C·exp(-(cμ - λ)·t)`, so the quantile is 0 when
    /// `q <= 1 - C`, otherwise `ln(C / (1 - q)) / (cμ - λ)`.
    #[must_use]
    pub fn wait_quantile(&self, q: f64) -> Option<f64> {
        let c = self.prob_wait()?;
        if q <= 1.0 - c {
            return Some(0.0);
        }
        Some((c / (1.0 - q)).ln() / (f64::from(self.servers) * self.mu - self.lambda))
    }
}

/// Pollaczek–Khinchine: the mean wait in M/G/1, or `None` if unstable.
///
/// # Formula
/// `Wq = λ·E[S²] / (2(1 - ρ))` with `ρ = λ·E[S]` and
/// `E[S²] = E[S]²·(1 + scv)`, `scv` being the squared coefficient of
/// variation of the service time (0 for M/D/1, 1 for M/M/1).
///
/// ```
/// // M/D/1 at ρ = 0.5 waits half as long as M/M/1.
/// let md1 = cbec_sim::theory::pollaczek_khinchine_wait(0.5, 1.0, 0.0).unwrap();
/// assert!((md1 - 0.5).abs() < 1e-12);
/// ```
#[must_use]
pub fn pollaczek_khinchine_wait(lambda: f64, mean_service: f64, scv: f64) -> Option<f64> {
    let rho = lambda * mean_service;
    if rho.is_nan() || rho >= 1.0 {
        return None;
    }
    let es2 = mean_service * mean_service * (1.0 + scv);
    Some(lambda * es2 / (2.0 * (1.0 - rho)))
}

/// Total arrival rate at each node of an open Jackson network.
///
/// `external[i]` is the external arrival rate at node `i`; `routing[i][j]`
/// the probability that a job leaving `i` goes to `j` (the rest leaves the
/// network). Returns `None` if the traffic equations have no non-negative
/// solution (a closed loop that no job leaves).
///
/// # Formula
/// `λ_j = γ_j + Σ_i λ_i·P_ij`, solved by fixed-point iteration to a relative
/// change below 1e-13.
///
/// ```
/// // A single station with 50% feedback doubles its throughput.
/// let flows = cbec_sim::theory::jackson_flows(&[1.0], &[vec![0.5]]).unwrap();
/// assert!((flows[0] - 2.0).abs() < 1e-9);
/// ```
#[must_use]
pub fn jackson_flows(external: &[f64], routing: &[Vec<f64>]) -> Option<Vec<f64>> {
    let n = external.len();
    if routing.len() != n || routing.iter().any(|r| r.len() != n) {
        return None;
    }
    let mut lambda = external.to_vec();
    for _ in 0..1_000_000 {
        let next: Vec<f64> = (0..n)
            .map(|j| external[j] + (0..n).map(|i| lambda[i] * routing[i][j]).sum::<f64>())
            .collect();
        let change = next
            .iter()
            .zip(&lambda)
            .map(|(a, b)| (a - b).abs() / a.abs().max(1e-300))
            .fold(0.0, f64::max);
        lambda = next;
        if change < 1e-13 {
            return Some(lambda);
        }
        if lambda.iter().any(|l| !l.is_finite()) {
            return None;
        }
    }
    None
}

/// Stationary distribution of a birth–death chain on `0..=max_n` with
/// birth rate `lambda` (while `n < max_n`) and death rate `death(n)` in state `n`.
///
/// # Formula
/// `p_n ∝ Π_{k=1..n} λ / death(k)`, normalised.
#[must_use]
pub fn birth_death(lambda: f64, death: impl Fn(u32) -> f64, max_n: u32) -> Vec<f64> {
    let mut p = Vec::with_capacity(max_n as usize + 1);
    let mut w = 1.0;
    p.push(w);
    for n in 1..=max_n {
        w *= lambda / death(n);
        p.push(w);
    }
    let total: f64 = p.iter().sum();
    p.iter().map(|x| x / total).collect()
}

/// The M/M/c/K queue: at most `capacity` jobs in the system (`capacity >= c`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MMcK {
    /// Arrival rate.
    pub lambda: f64,
    /// Service rate of one server.
    pub mu: f64,
    /// Number of servers.
    pub servers: u32,
    /// Most jobs in the system, in service or waiting.
    pub capacity: u32,
}

impl MMcK {
    fn distribution(&self) -> Vec<f64> {
        let (mu, c) = (self.mu, self.servers);
        birth_death(self.lambda, |n| f64::from(n.min(c)) * mu, self.capacity)
    }

    /// Probability that an arrival is turned away, `p_K` (PASTA).
    ///
    /// ```
    /// use cbec_sim::theory::{MMcK, erlang_b};
    /// let loss = MMcK { lambda: 2.0, mu: 1.0, servers: 3, capacity: 3 };
    /// assert!((loss.blocking() - erlang_b(3, 2.0)).abs() < 1e-12);
    /// ```
    #[must_use]
    pub fn blocking(&self) -> f64 {
        *self.distribution().last().expect("non-empty")
    }

    /// Mean number in the system.
    #[must_use]
    pub fn mean_in_system(&self) -> f64 {
        self.distribution()
            .iter()
            .enumerate()
            .map(|(n, p)| n as f64 * p)
            .sum()
    }
}

/// The M/M/c+M queue: waiting jobs abandon after an exponential patience
/// of rate `theta` (Palm's model, Erlang A).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    /// Arrival rate.
    pub lambda: f64,
    /// Service rate of one server.
    pub mu: f64,
    /// Number of servers.
    pub servers: u32,
    /// Abandonment rate of one waiting job (1 / mean patience).
    pub theta: f64,
}

impl ErlangA {
    /// Birth–death with death rate `min(n, c)μ + max(n - c, 0)θ`,
    /// truncated where the tail is negligible.
    fn distribution(&self) -> Vec<f64> {
        let (mu, c, theta) = (self.mu, self.servers, self.theta);
        let max_n = c + 10_000;
        birth_death(
            self.lambda,
            |n| f64::from(n.min(c)) * mu + f64::from(n.saturating_sub(c)) * theta,
            max_n,
        )
    }

    /// Mean number waiting.
    #[must_use]
    pub fn mean_queue(&self) -> f64 {
        let c = self.servers as usize;
        self.distribution()
            .iter()
            .enumerate()
            .skip(c)
            .map(|(n, p)| (n - c) as f64 * p)
            .sum()
    }

    /// Share of arrivals that abandon: `θ·Lq / λ` (abandonments per unit
    /// time over arrivals per unit time).
    #[must_use]
    pub fn abandonment(&self) -> f64 {
        self.theta * self.mean_queue() / self.lambda
    }
}

/// Cobham's formula: mean waits in a non-preemptive priority M/G/1 queue.
///
/// Classes are given most urgent first, each with its arrival rate and the
/// first two moments of its service time. Returns the mean wait of each
/// class, or `None` if the queue is unstable.
///
/// # Formula
/// `W_k = W0 / ((1 - σ_{k-1})(1 - σ_k))` with `W0 = Σ_i λ_i E[S_i²] / 2` and
/// `σ_k = Σ_{i<=k} λ_i E[S_i]`.
///
/// ```
/// // Two classes, exponential service of mean 1: W0 = 0.8.
/// let w = cbec_sim::theory::cobham_waits(&[(0.3, 1.0, 2.0), (0.5, 1.0, 2.0)]).unwrap();
/// assert!((w[0] - 0.8 / 0.7).abs() < 1e-12);
/// assert!((w[1] - 0.8 / (0.7 * 0.2)).abs() < 1e-12);
/// ```
#[must_use]
pub fn cobham_waits(classes: &[(f64, f64, f64)]) -> Option<Vec<f64>> {
    let w0: f64 = classes.iter().map(|(l, _, es2)| l * es2).sum::<f64>() / 2.0;
    let mut sigma = 0.0;
    let mut out = Vec::with_capacity(classes.len());
    for (l, es, _) in classes {
        let before = sigma;
        sigma += l * es;
        if sigma >= 1.0 {
            return None;
        }
        out.push(w0 / ((1.0 - before) * (1.0 - sigma)));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ErlangA {
        /// Share of arrivals that find the server busy and leave at once
        /// (the θ → ∞ limit), for the test above.
        fn abundance_check(&self) -> f64 {
            // θ·Lq/λ tends to P(arrival finds all servers busy).
            self.abandonment()
        }
    }

    #[test]
    fn erlang_b_textbook_values() {
        // Tables: B(10, 7) = 0.07874, B(5, 3) = 0.11005.
        assert!((erlang_b(10, 7.0) - 0.07874).abs() < 1e-5);
        assert!((erlang_b(5, 3.0) - 0.11005).abs() < 1e-5);
        assert_eq!(erlang_b(0, 3.0), 1.0);
    }

    #[test]
    fn mm1_is_the_c1_case() {
        let q = MMc {
            lambda: 0.9,
            mu: 1.0,
            servers: 1,
        };
        assert!((q.prob_wait().unwrap() - 0.9).abs() < 1e-12);
        assert!((q.mean_wait().unwrap() - 9.0).abs() < 1e-9);
        assert!((q.mean_in_system().unwrap() - 9.0).abs() < 1e-9);
        assert!((q.wait_quantile(0.5).unwrap() - (0.9f64 / 0.5).ln() / 0.1).abs() < 1e-9);
        assert_eq!(q.wait_quantile(0.05), Some(0.0));
    }

    #[test]
    fn erlang_c_textbook_value() {
        // M/M/3 with a = 2: C = 4/9.
        assert!((erlang_c(3, 2.0).unwrap() - 4.0 / 9.0).abs() < 1e-12);
        assert_eq!(erlang_c(3, 3.0), None);
    }

    #[test]
    fn unstable_queues_have_no_answer() {
        assert_eq!(pollaczek_khinchine_wait(1.0, 1.0, 1.0), None);
        assert_eq!(
            MMc {
                lambda: 2.0,
                mu: 1.0,
                servers: 2
            }
            .mean_wait(),
            None
        );
        assert_eq!(jackson_flows(&[1.0], &[vec![1.0]]), None);
    }

    #[test]
    fn mmck_reduces_to_mmc_for_large_k() {
        let k = MMcK {
            lambda: 0.5,
            mu: 1.0,
            servers: 1,
            capacity: 200,
        };
        assert!(k.blocking() < 1e-50);
        assert!(
            (k.mean_in_system() - 1.0).abs() < 1e-9,
            "M/M/1 at rho 0.5 has L = 1"
        );
        // M/M/1/2 by hand: p ∝ 1, ρ, ρ² with ρ = 0.5 → p2 = 0.25/1.75.
        let small = MMcK {
            lambda: 0.5,
            mu: 1.0,
            servers: 1,
            capacity: 2,
        };
        assert!((small.blocking() - 0.25 / 1.75).abs() < 1e-12);
    }

    #[test]
    fn erlang_a_limits() {
        // Very impatient: nobody waits long, abandonment is almost P(wait) for M/M/1/1.
        let a = ErlangA {
            lambda: 1.0,
            mu: 1.0,
            servers: 1,
            theta: 1e6,
        };
        assert!((a.abundance_check() - 0.5).abs() < 1e-3);
        // Very patient: the queue approaches M/M/1 at ρ = 0.5 (Lq = 0.5).
        let p = ErlangA {
            lambda: 0.5,
            mu: 1.0,
            servers: 1,
            theta: 1e-9,
        };
        assert!((p.mean_queue() - 0.5).abs() < 1e-5);
    }

    #[test]
    fn pk_reduces_to_mm1() {
        let pk = pollaczek_khinchine_wait(0.8, 1.0, 1.0).unwrap();
        let mm1 = MMc {
            lambda: 0.8,
            mu: 1.0,
            servers: 1,
        }
        .mean_wait()
        .unwrap();
        assert!((pk - mm1).abs() < 1e-12);
    }
}
