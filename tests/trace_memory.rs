//! A trace of a million orders is written in constant memory: the live
//! heap while tracing does not grow with the number of orders.
//!
//! A counting global allocator wraps the system one for this test binary
//! alone (it counts every thread, so this binary holds just this test).

use cbec_sim::report::TraceWriter;
use cbec_sim::{
    Dist, Model, Observer, OrderRecord, ResourceRecord, Route, Router, Simulation, Sink, Source,
    Station,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use std::alloc::System;
use std::io::Write;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes on the heap now (a reallocation counts its growth as allocated
/// and its shrinking as deallocated).
fn live_heap() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

/// Counts the bytes written and throws them away.
#[derive(Default)]
struct Counted(u64);

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Passes every record on, sampling the live heap every 4,096 records.
struct Sampled<'w, 'm> {
    writer: &'w mut TraceWriter<'m, Counted>,
    records: u64,
    peak: i64,
}

impl Sampled<'_, '_> {
    fn sample(&mut self) {
        self.records += 1;
        if self.records.is_multiple_of(4096) {
            self.peak = self.peak.max(live_heap());
        }
    }
}

impl Observer for Sampled<'_, '_> {
    fn order(&mut self, r: &OrderRecord<'_>) {
        self.writer.order(r);
        self.sample();
    }
    fn resource(&mut self, r: &ResourceRecord<'_>) {
        self.writer.resource(r);
        self.sample();
    }
}

/// `orders` orders through a router and a tandem of two stations (load 0.8
/// and 0.75), each with its class and two attributes; the run ends when
/// the last has left.
fn model(orders: u64) -> Model {
    Model::builder()
        .with_source(
            "orders",
            Source::poisson(600.0, "split")
                .with_max_arrivals(orders)
                .with_attribute("items", Dist::uniform(1.0, 5.0).unwrap())
                .with_attribute("value_cny", Dist::lognormal(250.0, 1.2).unwrap()),
        )
        .with_router(
            "split",
            Router::new(vec![Route::new("check", 1.0)]).with_milestone("declared"),
        )
        .with_station(
            "check",
            Station::new(8, Dist::exponential(0.64).unwrap(), "pack"),
        )
        .with_station(
            "pack",
            Station::new(6, Dist::exponential(0.45).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .build()
        .unwrap()
}

/// Traces the run of `orders` orders: (peak live heap while tracing, above
/// the heap before the run; bytes of CSV written; order rows).
fn trace(orders: u64) -> (i64, u64, u64) {
    let model = model(orders);
    let mut writer =
        TraceWriter::new(&model, Some(Counted::default()), Some(Counted::default())).unwrap();
    let before = live_heap();
    let mut sampled = Sampled {
        writer: &mut writer,
        records: 0,
        peak: before,
    };
    let mut sim = Simulation::new(&model, 3, 0);
    sim.observe(&mut sampled);
    let summary = sim.run();
    let peak = sampled.peak - before;
    assert_eq!(summary.sinks[0].count, orders, "every order left");
    let rows = writer.rows().0;
    let (o, r) = writer.finish().unwrap();
    (peak, o.unwrap().0 + r.unwrap().0, rows)
}

#[test]
fn a_million_order_trace_is_written_in_constant_memory() {
    let (small_peak, small_bytes, _) = trace(10_000);
    let (peak, bytes, rows) = trace(1_000_000);
    eprintln!(
        "tracing 10,000 orders: peak heap {small_peak} B above the start, {small_bytes} B of CSV; \
         1,000,000 orders: peak heap {peak} B, {bytes} B of CSV, {rows} order rows"
    );
    // Nine order rows per order (arrive at the source, route, then arrive,
    // start and end at each station, leave): a whole trace in memory would
    // be more than a gigabyte.
    assert_eq!(rows, 9_000_000, "order rows");
    assert!(bytes > 500_000_000, "{bytes} B");
    // What the heap holds is what the run holds anyway (the orders in the
    // system at their most, a few hundred here, in tables that grow by
    // doubling) and the CSV buffers: measured, about 240 kB for both runs.
    assert!(
        peak < 1 << 20,
        "tracing a million orders holds {peak} B of heap beyond the run's start"
    );
    assert!(
        peak < small_peak + (256 << 10),
        "the heap grows with the orders traced: {small_peak} B for 10,000, {peak} B for 1,000,000"
    );
}
