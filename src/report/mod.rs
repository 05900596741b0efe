//! The outputs of the crate: result documents with their JSON schemas,
//! text tables, CSV files and, behind the `report` feature, SVG charts and
//! a self-contained HTML report. The `cbec-sim` command prints and writes
//! nothing that this module does not make, so a researcher embedding the
//! crate gets the same tables, JSON, CSV and reports as the command.
//!
//! - [`document`]: [`RunReport`] (`cbec-sim/summary/1`), [`CompareReport`]
//!   (`cbec-sim/compare/1`), [`SweepReport`] (`cbec-sim/sweep/1`) and
//!   [`FactorialReport`] (`cbec-sim/factorial/1`), each with the setup of
//!   its run and its text rendering;
//! - [`table`]: the one text-table renderer;
//! - [`csv`](mod@csv): the CSV files of each document, one number format;
//! - [`describe`]: a scenario's network and offered load, overload
//!   warnings, the list of measures;
//! - [`output`]: writing the files safely: paths checked before a run,
//!   temporary files renamed over regular files only, FIFOs and devices
//!   written straight to, several files all or none, temporary files
//!   removed on failure or signal;
//! - `charts`, `visuals`, [`ChartData`], [`HtmlReport`], `pages` and
//!   [`Provenance`] (feature `report`): SVG charts (plotters), which charts
//!   each command draws, what they need from the replications (folded one
//!   at a time, so no run summary is kept), the HTML blocks, each
//!   command's report in one layout (warnings, a summary a manager reads in
//!   a minute, details, the full tables folded, a footer saying how it was
//!   made).

#[cfg(feature = "report")]
mod calibration;
#[cfg(feature = "report")]
mod chart_data;
#[cfg(feature = "report")]
pub mod charts;
pub mod csv;
pub mod describe;
pub mod document;
#[cfg(feature = "report")]
mod html;
pub mod output;
#[cfg(feature = "report")]
pub mod pages;
#[cfg(feature = "report")]
mod provenance;
#[cfg(feature = "report")]
mod summary;
pub mod table;
pub mod trace;
#[cfg(feature = "report")]
pub mod visuals;

#[cfg(feature = "report")]
pub use calibration::calibration_html;
#[cfg(feature = "report")]
pub use chart_data::ChartData;
pub use document::{CompareReport, Document, FactorialReport, RunReport, Setup, SweepReport};
#[cfg(feature = "report")]
pub use html::HtmlReport;
#[cfg(feature = "report")]
pub use provenance::Provenance;
pub use table::{Column, Table};
pub use trace::TraceWriter;
#[cfg(feature = "report")]
pub use visuals::{interval_cdf, mean_queue_series};

#[cfg(test)]
pub(crate) mod tests {
    /// A one-desk scenario for the module's unit tests.
    pub(crate) const TINY: &str = r#"
[simulation]
horizon_h = 20
warmup_h = 1

[sources.orders]
rate_per_hour = 30
to = "desk"

[stations.desk]
servers = 1
service_time_min = { dist = "exponential", mean = 1.0 }
to = "out"

[sinks.out]
"#;
}
