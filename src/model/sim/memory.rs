//! What a replication holds in memory for the orders inside it, read from
//! its tables' capacities (so it counts the spare room a growing table
//! keeps, not only what is in use).

use super::Simulation;
use serde::Serialize;
use std::collections::VecDeque;
use std::mem::size_of;

/// Heap memory a running replication holds, by table, in bytes.
///
/// The figures are the tables' capacities times their entries' sizes: what
/// the replication holds, spare room included, not what the allocator adds
/// around it. Per-node statistics (histograms, moments) do not grow with
/// the orders inside and are left out, and so is the record of service
/// starts that [`Simulation::record_service_starts`] keeps (it grows with
/// the run, not with the orders inside).
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Dist, Model, SimTime, Simulation, Sink, Source, Station};
/// let model = Model::builder()
///     .with_source("orders", Source::poisson(120.0, "desk"))
///     .with_station("desk", Station::new(1, Dist::exponential(1.0)?, "done"))
///     .with_sink("done", Sink::new())
///     .with_horizon(SimTime::from_hours(2.0))
///     .build()?;
/// let mut sim = Simulation::new(&model, 7, 0);
/// sim.run_until(SimTime::from_hours(2.0)); // twice the desk's capacity: a queue grows
/// let memory = sim.memory();
/// assert_eq!(memory.orders, sim.in_system());
/// assert!(memory.per_order().unwrap() < 200.0);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MemoryUse {
    /// Orders in the system.
    pub orders: usize,
    /// Slots in the order table: the most orders inside at once so far.
    pub slots: usize,
    /// Bytes per slot: the 32-byte record, 8 per milestone stamp and 8 per
    /// attribute.
    pub slot_bytes: usize,
    /// The order table: one 32-byte record, the milestone stamps and the
    /// attributes per slot (slots are reused, so there are as many as the
    /// most orders ever inside at once), and the list of free slots.
    pub order_table: usize,
    /// The waiting lines: stations' queues and blocked lines, pools' and
    /// stocks' lines, dispatch points' loads and the orders moving at the
    /// current instant (4 bytes per order in a station's queue).
    pub lines: usize,
    /// The event calendar: 24 bytes per pending event.
    pub calendar: usize,
    /// A traced run's book-keeping per order slot (its number and the
    /// server it holds; 0 without an observer).
    pub trace: usize,
}

impl MemoryUse {
    /// Every table together.
    #[must_use]
    pub fn total(&self) -> usize {
        self.order_table + self.lines + self.calendar + self.trace
    }

    /// Bytes per order in the system, `None` when it is empty.
    #[must_use]
    pub fn per_order(&self) -> Option<f64> {
        (self.orders > 0).then(|| self.total() as f64 / self.orders as f64)
    }
}

/// Bytes a deque's capacity holds.
fn deque<T>(d: &VecDeque<T>) -> usize {
    d.capacity() * size_of::<T>()
}

impl Simulation<'_> {
    /// The memory this replication holds now, by table (see [`MemoryUse`]).
    #[must_use]
    pub fn memory(&self) -> MemoryUse {
        let stations: usize = self
            .stations
            .iter()
            .map(|s| s.queues.iter().map(deque).sum::<usize>() + deque(&s.blocked))
            .sum();
        let pools: usize = self
            .pools
            .iter()
            .map(|p| {
                p.held.iter().map(deque).sum::<usize>()
                    + p.stock.outstanding.capacity() * size_of::<(crate::engine::EntityId, f64)>()
            })
            .sum();
        let dispatches: usize = self.dispatches.iter().map(|d| deque(&d.held)).sum();
        MemoryUse {
            orders: self.orders.live(),
            slots: self.orders.slots(),
            slot_bytes: self.orders.slot_bytes(),
            order_table: self.orders.bytes(),
            lines: stations + pools + dispatches + deque(&self.moving),
            calendar: self.calendar.bytes(),
            trace: self.tracer.as_ref().map_or(0, |t| t.bytes()),
        }
    }
}
