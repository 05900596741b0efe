//! One integration binary (saves link time): analytic correctness, event
//! ordering, determinism, scenario files, conservation, samplers, and the
//! shapes of the result documents.
//!
//! The statistical tests are meant for `cargo test --release` (the README's
//! test command); they also pass in debug builds, only slower.

mod assumptions;
mod bad_input;
mod calibration;
mod capacity;
mod cli;
mod conservation;
mod demand;
mod determinism;
mod distributions;
mod documents;
mod eventlog;
mod experiment;
mod fit;
mod fit_cli;
mod fit_command;
mod hongqiao;
mod hostile;
mod logistics_theory;
mod logistics_traces;
mod mechanisms;
mod memory;
mod ordering;
mod pool;
mod properties;
mod queueing_theory;
mod reference;
mod report;
mod robustness;
mod scenario;
mod sensitivity;
mod signals;
mod stock;
mod study_integrity;
mod support;
mod synchronisation;
mod tax_rules;
mod trace;
