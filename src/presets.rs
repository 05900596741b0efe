//! Ready-made networks: the reference models of the benchmarks and tests,
//! handy as starting points.

use crate::dist::Dist;
use crate::model::{ModelBuilder, Route, Router, Sink, Source, Station};

/// The four-stage clearance line of the engine benchmark (every number an
/// illustrative assumption):
///
/// ```text
/// orders (Poisson 100/h) → document_check (2 servers, exponential 1 min)
///   → customs_review (3 servers, lognormal mean 1.5 min, cv 1)
///   → inspection_split: 5% → inspection (2 servers, exponential 20 min) → pick_pack
///                       95% → pick_pack (4 servers, exponential 2 min) → released
/// ```
///
/// No run length is set: add a horizon, or replace the source with one that
/// has `max_arrivals`. Every station runs at 83% utilisation.
///
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{presets, SimTime, Simulation};
/// let model = presets::tandem().with_horizon(SimTime::from_hours(10.0)).build()?;
/// assert_eq!(model.station_names().count(), 4);
/// assert!(Simulation::new(&model, 1, 0).run().conservation.holds());
/// # Ok(()) }
/// ```
pub fn tandem() -> ModelBuilder {
    let exp = |mean| Dist::exponential(mean).expect("positive constant mean");
    ModelBuilder::new()
        .with_source("orders", Source::poisson(100.0, "document_check"))
        .with_station(
            "document_check",
            Station::new(2, exp(1.0), "customs_review"),
        )
        .with_station(
            "customs_review",
            Station::new(
                3,
                Dist::lognormal(1.5, 1.0).expect("valid constants"),
                "inspection_split",
            ),
        )
        .with_router(
            "inspection_split",
            Router::new(vec![
                Route::new("inspection", 0.05),
                Route::new("pick_pack", 0.95),
            ]),
        )
        .with_station("inspection", Station::new(2, exp(20.0), "pick_pack"))
        .with_station("pick_pack", Station::new(4, exp(2.0), "released"))
        .with_sink("released", Sink::new())
}
