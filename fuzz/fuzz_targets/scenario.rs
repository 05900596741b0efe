//! Scenario text -> parse -> check -> a short run. Any input must give a
//! scenario or an error, never a panic; a model that builds must run.
#![no_main]

use cbec_sim::{Scenario, Simulation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
