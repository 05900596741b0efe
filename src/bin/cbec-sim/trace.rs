//! `cbec-sim run --trace FILE.csv --resource-trace FILE.csv`: the order
//! and resource traces of chosen replications (the library's
//! [`TraceWriter`] does the work; the columns are in its module docs).

use crate::common::{Failure, INTERRUPTED, check_paths, failed, invalid, parse_range_of};
use cbec_sim::Model;
use cbec_sim::report::TraceWriter;
use cbec_sim::report::output::{OutputKind, StreamedOutput};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// Trace options of `cbec-sim run`.
#[derive(Debug, clap::Args)]
pub(crate) struct TraceArgs {
    /// Write one row per order event (arrive, start, end, route, block,
    /// reject, renege, release, leave) of the traced replications to this
    /// CSV file.
    #[arg(long, value_name = "FILE.csv")]
    trace: Option<PathBuf>,
    /// Write one row per change of a station's servers, lines and
    /// breakdowns of the traced replications to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    resource_trace: Option<PathBuf>,
    /// Replications to trace, A..B (default: the first one run).
    #[arg(long, value_name = "A..B")]
    trace_replications: Option<String>,
}

/// What to trace, checked before the run.
#[derive(Debug)]
pub(crate) struct TracePlan {
    orders: Option<PathBuf>,
    resources: Option<PathBuf>,
    replications: Range<u64>,
}

impl TraceArgs {
    /// The plan, if a trace is asked for: the replications must be among
    /// those run (`run`), and each file must be writable.
    pub(crate) fn plan(&self, run: &Range<u64>) -> Result<Option<TracePlan>, Failure> {
        if self.trace.is_none() && self.resource_trace.is_none() {
            if self.trace_replications.is_some() {
                return Err(invalid(
                    "--trace-replications: needs --trace FILE.csv or --resource-trace FILE.csv",
                ));
            }
            return Ok(None);
        }
        let replications = match &self.trace_replications {
            Some(text) => parse_range_of("--trace-replications", text)?,
            None => run.start..run.start + 1,
        };
        if replications.start < run.start || replications.end > run.end {
            return Err(invalid(format!(
                "--trace-replications: {}..{} is not among the replications run ({}..{}): trace some of those, or run more",
                replications.start, replications.end, run.start, run.end
            )));
        }
        if let (Some(a), Some(b)) = (&self.trace, &self.resource_trace)
            && crate::common::same_file(a, b)
        {
            return Err(invalid(format!(
                "--resource-trace {}: is also the --trace file; give two files",
                b.display()
            )));
        }
        check_paths(&[
            ("--trace", self.trace.as_deref(), OutputKind::File),
            (
                "--resource-trace",
                self.resource_trace.as_deref(),
                OutputKind::File,
            ),
        ])?;
        Ok(Some(TracePlan {
            orders: self.trace.clone(),
            resources: self.resource_trace.clone(),
            replications,
        }))
    }
}

impl TracePlan {
    /// Checks that the traced replications are among those that ran
    /// (`ran`: with `--precision`, fewer than the most it may run).
    pub(crate) fn check_ran(&self, ran: &Range<u64>) -> Result<(), Failure> {
        let r = &self.replications;
        if r.start < ran.start || r.end > ran.end {
            return Err(invalid(format!(
                "--trace-replications: {}..{} is not among the replications that ran ({}..{}); nothing was traced",
                r.start, r.end, ran.start, ran.end
            )));
        }
        Ok(())
    }

    /// Runs the traced replications again (each gives the numbers it gave
    /// in the study) and writes the traces. A signal stops before the next
    /// replication: the files then hold the complete ones, and the result
    /// is `false`.
    pub(crate) fn write(&self, model: &Model, seed: u64, quiet: bool) -> Result<bool, Failure> {
        let open = |flag: &str, p: &Option<PathBuf>| {
            p.as_deref()
                .map(StreamedOutput::create)
                .transpose()
                .map_err(|e| failed(format!("{flag}: {e}")))
        };
        let orders = open("--trace", &self.orders)?;
        let resources = open("--resource-trace", &self.resources)?;
        let mut writer =
            TraceWriter::new(model, orders, resources).map_err(|e| self.failure(&e))?;
        let mut complete = true;
        for r in self.replications.clone() {
            if INTERRUPTED.load(Ordering::SeqCst) {
                eprintln!(
                    "trace: stopped by a signal before replication {r}; the files hold replications {}..{r}",
                    self.replications.start
                );
                complete = false;
                break;
            }
            if !quiet {
                eprintln!("tracing replication {r}...");
            }
            let _ = writer.trace(seed, r);
        }
        let rows = writer.rows();
        let (orders, resources) = writer.finish().map_err(|e| self.failure(&e))?;
        for out in [orders, resources].into_iter().flatten() {
            out.commit().map_err(failed)?;
        }
        if !quiet {
            let wrote = |p: &Option<PathBuf>, n: u64| {
                p.as_deref()
                    .map(|p: &Path| format!("{n} rows to {}", p.display()))
            };
            let parts: Vec<String> = [wrote(&self.orders, rows.0), wrote(&self.resources, rows.1)]
                .into_iter()
                .flatten()
                .collect();
            eprintln!("trace: {}", parts.join(", "));
        }
        Ok(complete)
    }

    /// A write error of the traces, naming the files.
    fn failure(&self, e: &cbec_sim::Error) -> Failure {
        let files: Vec<String> = [&self.orders, &self.resources]
            .into_iter()
            .flatten()
            .map(|p| p.display().to_string())
            .collect();
        failed(format!("--trace {}: {e}", files.join(", ")))
    }
}
