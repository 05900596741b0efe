//! An event log of two million rows is read in bounded memory: the heap
//! while parsing is a constant plus the results (one number per completed
//! stage and per arrival), never the rows.
//!
//! A counting global allocator wraps the system one for this test binary
//! alone (it counts every thread, so this binary holds just this test).

use cbec_sim::calibrate::{EventLog, EventMap};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use std::alloc::System;
use std::io::Read;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes on the heap now.
fn live_heap() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

/// Each order's events and their offsets from its arrival, in seconds.
const EVENTS: [(&str, i64); 4] = [
    ("placed", 0),
    ("declared", 5),
    ("released", 65),
    ("left", 100),
];

/// A log made as it is read, in time order: an order every 10 seconds,
/// each with the four events of `EVENTS` (so ten orders are open at
/// once), sampling the heap at every read.
struct Generated {
    rows: u64,
    written: u64,
    /// The current time step (5 s each) and the next event offset to try.
    step: i64,
    next: usize,
    buf: Vec<u8>,
    pos: usize,
    peak: i64,
}

impl Generated {
    fn new(rows: u64) -> Self {
        Generated {
            rows,
            written: 0,
            step: 0,
            next: 0,
            buf: b"order,event,time,channel\n".to_vec(),
            pos: 0,
            peak: 0,
        }
    }

    /// Refills the buffer with the next rows.
    fn refill(&mut self) {
        use std::io::Write;
        self.buf.clear();
        self.pos = 0;
        let start = jiff::civil::date(2024, 11, 11).at(0, 0, 0, 0);
        while self.buf.len() < 1 << 14 && self.written < self.rows {
            let t = self.step * 5;
            let (name, offset) = EVENTS[self.next];
            if t >= offset && (t - offset) % 10 == 0 {
                let order = (t - offset) / 10;
                let at = start
                    .checked_add(jiff::SignedDuration::from_secs(t))
                    .unwrap();
                writeln!(self.buf, "{order},{name},{at},app").unwrap();
                self.written += 1;
            }
            self.next += 1;
            if self.next == EVENTS.len() {
                self.next = 0;
                self.step += 1;
            }
        }
    }
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        self.peak = self.peak.max(live_heap());
        if self.pos == self.buf.len() {
            self.refill();
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn two_million_rows_are_read_in_bounded_memory() {
    let map = EventMap::from_toml_str(
        r#"
        arrival = "placed"
        [events]
        placed = { once = true }
        declared = { once = true, after = ["placed"] }
        released = { once = true }
        left = { once = true, end = true, after = ["released"] }
        [stages.list_review]
        from = "declared"
        to = "released"
        "#,
    )
    .unwrap();
    let rows = 2_000_000;
    let mut input = Generated::new(rows);
    let before = live_heap();
    let started = std::time::Instant::now();
    let log = EventLog::from_reader(&mut input, &map, "generated").unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(log.rows(), rows);
    let orders = log.orders();
    // The log stops mid-stream: the last ten or so orders are still open.
    assert!(orders >= rows / 4 && orders <= rows / 4 + 11, "{orders}");
    assert!(log.peak_live_orders() <= 11, "{}", log.peak_live_orders());
    assert!(log.live_at_end() <= 11, "{}", log.live_at_end());
    let review = log.stage("list_review").unwrap();
    assert!(review.durations().len() as u64 >= orders - 11);
    assert!(review.censored().iter().all(|c| c.secs() < 60.0));
    assert!(review.durations().iter().all(|d| d.secs() == 60.0));
    // The results: a duration and an arrival (8 bytes each) per order;
    // vectors at most double their length.
    let results = 2 * 8 * orders as i64;
    let peak = input.peak - before;
    println!(
        "{rows} rows in {elapsed:.2} s ({:.2} million rows/s); peak heap {:.1} MB, of which results at most {:.1} MB; the rows' text is {:.1} MB",
        rows as f64 / elapsed / 1e6,
        peak as f64 / 1e6,
        2.0 * results as f64 / 1e6,
        input.written as f64 * 40.0 / 1e6
    );
    // A constant (the csv and read buffers, the map of open orders) of at
    // most 1 MB plus twice the results: far below the rows themselves.
    assert!(
        peak <= (1 << 20) + 2 * results,
        "peak heap {peak} bytes for {orders} orders"
    );
}
