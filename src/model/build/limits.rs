//! Bounds on inputs that would stall the clock, explode the number of
//! events or exhaust memory instead of giving a result. Each bound is far
//! beyond any port this crate is meant for (the Hongqiao centre peaks near
//! 7,000 orders an hour), and each error names the field, the value, the
//! bound and why it exists.

use crate::error::{Error, Result};

/// Most orders per hour a source (or a rate table at its peak) may offer:
/// ten million, about 2,800 a second. Above it, arrivals a few
/// nanoseconds apart round onto the same instant of the `f64` clock.
pub(crate) const MAX_RATE_PER_HOUR: f64 = 1e7;

/// Largest mean batch size on a timetable: a million orders at once.
pub(crate) const MAX_BATCH_MEAN: f64 = 1e6;

/// Shortest sampling interval for time series, seconds.
pub(crate) const MIN_SAMPLE_EVERY_SECS: f64 = 1.0;

/// Most samples a time series may take over a run (each sample holds a
/// value per station): ten million.
pub(crate) const MAX_SAMPLES: f64 = 1e7;

/// Longest run, hours: 100,000 (over eleven years). The offered load and
/// the calendar work by the hour and the day of the run, so the horizon
/// bounds what they hold.
pub(crate) const MAX_HORIZON_H: f64 = 1e5;

/// Largest single draw of a timetable batch, orders: ten million. A
/// heavy-tailed batch distribution whose mean passes the mean bound could
/// still draw a batch that fills memory; a draw above this is cut to it.
pub(crate) const MAX_BATCH_DRAW: f64 = 1e7;

/// How many standard deviations above its mean a batch distribution must
/// stay within [`MAX_BATCH_DRAW`]: by Chebyshev's inequality, at most one
/// batch in ten thousand can then reach the cap (and a draw that does is
/// cut to it).
const BATCH_SPREAD_SDS: f64 = 100.0;

/// Most nodes a model may have: 2,000 (the Hongqiao model has 51).
/// Each station or delay keeps about 180 KB of statistics per replication
/// in flight (histograms of waits and sojourns), so memory grows with
/// nodes; at the bound one replication holds about 360 MB.
pub(crate) const MAX_NODES: usize = 2_000;

/// `Ok` if `holds`, else the error at `field` with the reason `reason` gives.
fn within(field: &str, holds: bool, reason: impl FnOnce() -> String) -> Result<()> {
    if holds {
        Ok(())
    } else {
        Err(Error::scenario(field, reason()))
    }
}

/// Most attributes an order may carry (drawn, categorical, counters and
/// the columns of replayed logs): 256. Every live order holds a value per
/// attribute, so a log of thousands of columns would multiply the memory
/// of every order in the system.
pub(crate) const MAX_ATTRIBUTES: usize = 256;

/// Checks the number of attributes against [`MAX_ATTRIBUTES`].
pub(crate) fn attributes(n: usize) -> Result<()> {
    within("attributes", n <= MAX_ATTRIBUTES, || {
        format!(
            "the model has {n} attributes (drawn, categorical, counters and replayed log columns), more than the {MAX_ATTRIBUTES} an order may carry: every order in the system holds a value for each"
        )
    })
}

/// Checks the number of nodes against [`MAX_NODES`].
pub(crate) fn nodes(n: usize) -> Result<()> {
    within("scenario", n <= MAX_NODES, || {
        format!(
            "has {n} nodes (sources, stations, delays, routers, dispatch points and sinks), more than the {MAX_NODES} a model may have: each station keeps about 180 KB of statistics per replication"
        )
    })
}

/// Checks a horizon (hours) against [`MAX_HORIZON_H`].
pub(crate) fn horizon(field: &str, hours: f64) -> Result<()> {
    within(field, hours <= MAX_HORIZON_H, || {
        format!("must be at most {MAX_HORIZON_H:e} h (over eleven years), got {hours:e}")
    })
}

/// Checks the spread of a batch distribution (mean and standard
/// deviation, orders) at `field`.
pub(crate) fn batch_spread(field: &str, mean: f64, sd: f64) -> Result<()> {
    let reach = mean + BATCH_SPREAD_SDS * sd;
    within(field, reach.is_finite() && reach <= MAX_BATCH_DRAW, || {
        format!(
            "spreads too wide: its mean plus {BATCH_SPREAD_SDS} standard deviations is {reach:e} orders, more than the {MAX_BATCH_DRAW:e} a batch may hold (mean {mean:e}, sd {sd:e})"
        )
    })
}

/// Checks an arrival rate (orders per hour) at `field`.
pub(crate) fn rate(field: &str, per_hour: f64) -> Result<()> {
    within(
        field,
        per_hour.is_finite() && per_hour <= MAX_RATE_PER_HOUR,
        || {
            format!(
                "must be at most {MAX_RATE_PER_HOUR:e} orders an hour (arrivals closer than the clock can tell apart), got {per_hour:e}"
            )
        },
    )
}

/// Checks a mean batch size at `field`.
pub(crate) fn batch_mean(field: &str, mean: f64) -> Result<()> {
    within(field, mean.is_finite() && mean <= MAX_BATCH_MEAN, || {
        format!("must have a mean of at most {MAX_BATCH_MEAN:e} orders a batch, got {mean:e}")
    })
}

/// Most station samples a time series may hold over a run (samples times
/// stations and delays): ten million, about 80 MB per replication.
pub(crate) const MAX_STATION_SAMPLES: f64 = 1e7;

/// Checks the size of the time series: `samples` samples of `stations`
/// stations and delays each.
pub(crate) fn series(samples: f64, stations: usize) -> Result<()> {
    let values = samples * stations as f64;
    within(
        "simulation.sample_every_min",
        values <= MAX_STATION_SAMPLES,
        || {
            format!(
                "would take {samples:e} samples of {stations} stations and delays ({values:e} values) over the horizon, more than {MAX_STATION_SAMPLES:e} (about 80 MB per replication); sample less often"
            )
        },
    )
}

/// Checks a sampling interval (`every_secs`) against the run length.
pub(crate) fn sampling(field: &str, every_secs: f64, horizon_secs: Option<f64>) -> Result<()> {
    let Some(horizon) = horizon_secs else {
        return Err(Error::scenario(
            field,
            "needs simulation.horizon_h: without a horizon a run that samples would never end",
        ));
    };
    if every_secs < MIN_SAMPLE_EVERY_SECS {
        return Err(Error::scenario(
            field,
            format!(
                "must be at least {} min (one second), got {} min",
                MIN_SAMPLE_EVERY_SECS / 60.0,
                every_secs / 60.0
            ),
        ));
    }
    let samples = horizon / every_secs;
    if samples > MAX_SAMPLES {
        return Err(Error::scenario(
            field,
            format!(
                "would take {samples:e} samples over the horizon, more than {MAX_SAMPLES:e}; sample less often"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dist, Model, RateProfile, SimTime, Sink, Source, Station};

    /// The error of a one-desk model fed by `source`, sampled every
    /// `sample` if given, over an hour unless it samples.
    fn error_of(source: Source, sample: Option<SimTime>) -> String {
        let mut b = Model::builder()
            .with_source("orders", source)
            .with_station(
                "desk",
                Station::new(1, Dist::exponential(1.0).unwrap(), "done"),
            )
            .with_sink("done", Sink::new());
        b = match sample {
            Some(every) => b.with_time_series(every),
            None => b.with_horizon(SimTime::from_hours(1.0)),
        };
        b.build().unwrap_err().to_string()
    }

    #[test]
    fn a_model_that_would_stall_or_never_end_is_refused() {
        let err = error_of(Source::poisson(1e300, "desk"), None);
        assert!(
            err.starts_with("sources.orders.rate_per_hour: must be at most 1e7"),
            "{err}"
        );
        let peak = RateProfile::new(vec![1e6; 24]).with_weekday_factor(crate::Day::Mon, 100.0);
        let err = error_of(Source::profile(peak, "desk"), None);
        assert!(
            err.starts_with("sources.orders.profile at its peak: must be at most 1e7"),
            "{err}"
        );
        let once = Source::poisson(1.0, "desk").with_max_arrivals(3);
        let err = error_of(once, Some(SimTime::from_minutes(30.0)));
        assert!(err.contains("never end"), "{err}");
    }

    #[test]
    fn a_time_series_is_bounded_by_samples_times_stations() {
        assert!(series(384.0, 16).is_ok());
        let e = series(1e6, 50).unwrap_err().to_string();
        assert!(
            e.starts_with("simulation.sample_every_min: would take 1e6 samples of 50 stations and delays (5e7 values)"),
            "{e}"
        );
    }

    #[test]
    fn the_numbers_of_nodes_and_attributes_are_bounded() {
        assert!(attributes(MAX_ATTRIBUTES).is_ok());
        assert!(attributes(MAX_ATTRIBUTES + 1).is_err());
        assert!(nodes(MAX_NODES).is_ok());
        let e = nodes(MAX_NODES + 1).unwrap_err().to_string();
        assert!(e.starts_with("scenario: has 2001 nodes"), "{e}");
    }

    #[test]
    fn horizons_and_batch_spreads_are_bounded() {
        assert!(horizon("h", 8760.0).is_ok());
        assert_eq!(
            horizon("simulation.horizon_h", 1e9)
                .unwrap_err()
                .to_string(),
            "simulation.horizon_h: must be at most 1e5 h (over eleven years), got 1e9"
        );
        assert!(batch_spread("b", 400.0, 100.0).is_ok());
        let e = batch_spread("sources.f.timetable[0].batch", 100.0, 1e8).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("sources.f.timetable[0].batch: spreads too wide"),
            "{e}"
        );
        assert!(batch_spread("b", 1.0, f64::INFINITY).is_err());
    }

    #[test]
    fn a_heavy_tailed_timetable_batch_is_refused() {
        let batch = |d: Dist| crate::ScheduledBatch::new(&[crate::Day::Mon], "06:00", d).unwrap();
        let err = error_of(
            Source::timetable(vec![batch(Dist::lognormal(100.0, 1e6).unwrap())], "desk"),
            None,
        );
        assert!(err.contains("spreads too wide"), "{err}");
        let err = error_of(
            Source::timetable(vec![batch(Dist::weibull(0.01, 100.0).unwrap())], "desk"),
            None,
        );
        assert!(err.contains("must have a mean of at most 1e6"), "{err}");
    }

    #[test]
    fn bounds_accept_ordinary_values_and_name_the_field() {
        assert!(rate("r", 7000.0).is_ok());
        let e = rate("sources.orders.rate_per_hour", 1e300).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("sources.orders.rate_per_hour: must be at most 1e7"),
            "{e}"
        );
        assert!(batch_mean("b", 400.0).is_ok());
        assert!(batch_mean("b", 1e12).is_err());
        assert!(sampling("s", 1800.0, Some(7.0 * 86400.0)).is_ok());
        assert!(sampling("s", 0.06, Some(3600.0)).is_err());
        assert!(
            sampling("s", 60.0, None)
                .unwrap_err()
                .to_string()
                .contains("never end")
        );
        assert!(
            sampling("s", 1.0, Some(1e9))
                .unwrap_err()
                .to_string()
                .contains("samples")
        );
    }
}
