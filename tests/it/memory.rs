//! Memory per order in the system, at the Double 11 week's peak: stated
//! (the README's Performance section) and bounded here.

use cbec_sim::{Scenario, SimTime, Simulation};

/// At the moment the most orders are inside (sampled every half hour of
/// replication 0, up to the horizon): the order table holds at most twice
/// what its slots need (it grows by doubling and keeps its slots for
/// reuse; a slot is the 32-byte record, 8 bytes per stamp and attribute,
/// and 4 in the free list), there are as many slots as the most orders
/// inside at once, and the lines and the calendar add less than a tenth
/// on top.
#[test]
fn double11_peak_memory_per_order_is_bounded() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hongqiao_double11.toml");
    let model = Scenario::from_path(path).unwrap().build().unwrap();
    let horizon = model.horizon().expect("the week has a horizon").hours();
    let mut sim = Simulation::new(&model, 1, 0);
    let (mut peak, mut at) = (0, 0.0);
    let mut h = 0.0;
    while h < horizon {
        h += 0.5;
        sim.run_until(SimTime::from_hours(h));
        if sim.in_system() > peak {
            (peak, at) = (sim.in_system(), h);
        }
    }
    // The peak is the Double 11 backlog, tens of thousands of orders.
    assert!(peak > 30_000, "peak of {peak} orders at {at} h");
    let mut sim = Simulation::new(&model, 1, 0);
    sim.run_until(SimTime::from_hours(at));
    let m = sim.memory();
    assert_eq!(m.orders, peak);
    assert!(m.slots >= m.orders);
    // The record is 32 bytes; each stamp and attribute 8.
    assert_eq!((m.slot_bytes - 32) % 8, 0);
    // A slot's record, stamps and attributes, plus its free-list entry.
    assert!(m.order_table <= 2 * m.slots * (m.slot_bytes + 4), "{m:?}");
    let per_order = m.per_order().unwrap();
    assert!(
        per_order <= 2.0 * m.slot_bytes as f64,
        "{per_order} B per order: {m:?}"
    );
    assert_eq!(m.slot_bytes, 216);
}
