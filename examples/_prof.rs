//! profiling scratch
use cbec_sim::*;
fn main() {
    let m = Model::builder()
        .with_source("arrivals", Source::poisson(540.0, "servers").with_max_arrivals(3_000_000))
        .with_station("servers", Station::new(10, Dist::exponential(1.0).unwrap(), "done"))
        .with_sink("done", Sink::new())
        .build().unwrap();
    let s = Simulation::new(&m, 1, 0).run();
    println!("{}", s.events);
}
