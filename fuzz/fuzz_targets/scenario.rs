//! Scenario text -> parse -> check -> a short run. Any input must give a
//! scenario or an error, never a panic; a model that builds must run.
//! The same bytes are also read as an order log (`replay_csv`), which must
//! give a log or an error, never a panic.
#![no_main]

use cbec_sim::{OrderLog, Scenario, Simulation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Order logs come from any file, so any bytes (not only UTF-8) must be
    // refused with an error or read.
    if let Ok(log) = OrderLog::from_reader(data, "fuzz.csv") {
        assert!(!log.is_empty());
        let _ = log.columns();
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = Scenario::from_toml_str(text) else {
        return;
    };
    // Measures and documents must round-trip without panicking too.
    let _ = scenario.with_measures([]);
    let Ok(model) = scenario.build() else {
        return;
    };
    let _ = model.offered_load();
    let mut sim = Simulation::new(&model, 1, 0);
    // A bounded number of events: a valid model may be arbitrarily busy.
    for _ in 0..20_000 {
        if sim.step().is_none() {
            break;
        }
    }
    let _ = sim.summary();
});
