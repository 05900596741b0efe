//! The text of one replication's summary ([`std::fmt::Display`] for
//! [`RunSummary`]): what stopped it, the orders in and out, and each
//! station's and sink's headline figures, in words with their units.

use super::StopReason;
use super::summary::RunSummary;
use std::fmt;

/// `x` with `d` decimals, or `-` where it is undefined.
fn or_dash(x: Option<f64>, d: usize) -> String {
    x.filter(|v| v.is_finite())
        .map_or_else(|| "-".to_string(), |v| format!("{v:.d$}"))
}

/// A summary as lines of text: the run, the orders, one line per station
/// (over the observed span) and per sink.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Dist, Model, SimTime, Simulation, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(30.0, "desk"))
///     .with_station("desk", Station::new(1, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(100.0))
///     .build()?;
/// let text = Simulation::new(&model, 1, 0).run().to_string();
/// assert!(text.starts_with("replication 0 of seed 1: stopped at the horizon, 100.0 h"), "{text}");
/// let line = text.lines().find(|l| l.starts_with("  desk: 1 server, utilisation ")).unwrap();
/// // rho = 0.5; one 100-hour run's utilisation has a standard deviation of
/// // about 0.013, so this allows more than four.
/// let u: f64 = line["  desk: 1 server, utilisation ".len()..][..5].parse().unwrap();
/// assert!((u - 0.5).abs() < 0.06, "{text}");
/// # Ok(()) }
/// ```
impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.stop {
            StopReason::Horizon => "stopped at the horizon",
            StopReason::Drained => "stopped with no event left",
            StopReason::Paused => "paused",
        };
        writeln!(
            f,
            "replication {} of seed {}: {why}, {:.1} h, observed from {:.1} h ({} events)",
            self.replication,
            self.seed,
            self.end_time.hours(),
            self.warmup.hours(),
            self.events
        )?;
        let c = &self.conservation;
        writeln!(
            f,
            "orders over the whole run: {} entered, {} left, {} inside at the end",
            c.entered,
            c.by_sink.iter().sum::<u64>(),
            c.in_system
        )?;
        for s in &self.stations {
            let servers = match s.servers {
                Some(1) => "1 server".to_string(),
                Some(n) => format!("{n} servers"),
                None => "no server limit".to_string(),
            };
            writeln!(
                f,
                "  {}: {servers}, utilisation {}, mean wait {} min, mean queue {}, {} served",
                s.name,
                or_dash(s.utilization(), 3),
                or_dash(s.wait_mean_min(), 2),
                or_dash(s.mean_queue(), 2),
                s.departures
            )?;
        }
        for k in &self.sinks {
            writeln!(
                f,
                "  {}: {} orders left, mean time in system {} min",
                k.name,
                k.count,
                or_dash(k.time_in_system.mean().map(|s| s / 60.0), 2)
            )?;
        }
        Ok(())
    }
}
