//! The `cbec-sim` command: run a scenario's replications, compare it with
//! measures or other scenarios, sweep a parameter, run a factorial design,
//! check or explain a scenario, list the measures, merge shard files,
//! write a synthetic operator event log.
//!
//! Exit codes: 0 success, 2 invalid input (with the message), 1 any other
//! failure (writing an output file or stdout, say; the table is still
//! printed when it can be), 130 interrupted by SIGINT, SIGTERM or SIGHUP
//! (`run`, `compare` and `sweep` report and write what finished, marked
//! partial; a second signal, or one during another command, ends the
//! program at once and removes the temporary files being written).
//!
//! The command parses arguments, shows progress, handles signals and exit
//! codes; every table, document, CSV file and chart it prints or writes
//! comes from [`cbec_sim::report`].

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod capacity;
mod common;
mod compare;
mod explain;
mod factorial;
mod fit;
mod log;
mod robustness;
mod run;
mod sensitivity;
mod sweep;
mod trace;

/// Cross-border e-commerce clearance simulation.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario's replications and print each KPI with its 95% confidence interval.
    ///
    /// Example: cbec-sim run scenarios/hongqiao_baseline.toml -n 20 --plot charts --report report.html
    Run(run::RunArgs),
    /// Compare a baseline with variants (measures or scenario files) on common random numbers.
    ///
    /// Example: cbec-sim compare scenarios/hongqiao_double11.toml --all-measures -n 20 --report compare.html
    Compare(compare::CompareArgs),
    /// Sweep one parameter: a capacity or demand curve, and where a target breaks.
    ///
    /// Example: cbec-sim sweep scenarios/hongqiao_double11.toml --param stations.xray.servers --values 1,2,3,4 --target lead_time_p95_h<=24
    Sweep(sweep::SweepArgs),
    /// A 2^k factorial over measures: main effects and two-factor interactions.
    ///
    /// Example: cbec-sim factorial scenarios/hongqiao_double11.toml --measure expedited_clearance_7x24 --measure electronic_bills_and_payments
    Factorial(factorial::FactorialArgs),
    /// Check a scenario file without running it.
    ///
    /// Example: cbec-sim validate scenarios/hongqiao_baseline.toml
    Validate(explain::ValidateArgs),
    /// The network as a list of stages with capacities and the load the inputs offer (or, with --kpis, the KPI names).
    ///
    /// Example: cbec-sim explain scenarios/hongqiao_double11.toml
    Explain(explain::ExplainArgs),
    /// List the built-in measures (or those of a file) with their sources and patches.
    ///
    /// Example: cbec-sim measures --file my-measures.toml
    Measures(explain::MeasuresArgs),
    /// Which ranged assumptions drive the headline KPIs: Morris screening, then Sobol indices on the top factors.
    ///
    /// Example: cbec-sim sensitivity scenarios/hongqiao_baseline.toml --trajectories 6 -n 2 --report sensitivity.html
    Sensitivity(sensitivity::SensitivityArgs),
    /// Each measure's effect across plausible assumption values: shares up and down, what flips it.
    ///
    /// Example: cbec-sim robustness scenarios/hongqiao_double11.toml --all-measures --draws 20 -n 4
    Robustness(robustness::RobustnessArgs),
    /// The least-cost staffing that meets service targets in a share of replications.
    ///
    /// Example: cbec-sim capacity scenarios/hongqiao_double11.toml --resource stations.xray.servers=3:1..8 --target peak_day_backlog_at_end<=60000 -n 10
    Capacity(capacity::CapacityArgs),
    /// List a scenario's ranged assumptions: value, range, shape, source.
    ///
    /// Example: cbec-sim assumptions scenarios/hongqiao_double11.toml
    Assumptions(explain::AssumptionsArgs),
    /// Write a synthetic operator event log of one replication, named through an event map, and summarise what a fit would read from it.
    ///
    /// Example: cbec-sim log scenarios/tandem.toml --map examples/data/tandem_events.toml --out tandem_events.csv --weeks 1
    Log(log::LogArgs),
    /// Fit an operator's event log into a scenario: demand, stage times and route shares with their intervals, written as calibrated [C] numbers of a template; --holdout checks the fit on weeks it did not see.
    ///
    /// Example: cbec-sim fit examples/data/operator/log.csv --map examples/data/operator/events.toml --out fitted.toml --holdout last-week
    Fit(fit::FitArgs),
    /// Merge shard files written by `run --shard A..B --out FILE` and summarise them.
    ///
    /// Example: cbec-sim merge shard-*.json --json
    Merge(run::MergeArgs),
}

impl Command {
    /// The scenario file the command reads, for the commands that take
    /// KPI names (to name it in "`cbec-sim explain <scenario> --kpis` lists
    /// them").
    fn kpi_scenario(&self) -> Option<std::path::PathBuf> {
        match self {
            Command::Run(a) => Some(a.scenario.clone()),
            Command::Compare(a) => Some(a.scenario.clone()),
            Command::Sweep(a) => Some(a.scenario.clone()),
            Command::Factorial(a) => Some(a.scenario.clone()),
            Command::Sensitivity(a) => Some(a.scenario.clone()),
            Command::Robustness(a) => Some(a.scenario.clone()),
            Command::Capacity(a) => Some(a.scenario.clone()),
            _ => None,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    common::catch_signals();
    let scenario = cli.command.kpi_scenario();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Compare(args) => compare::compare(&args),
        Command::Sweep(args) => sweep::sweep_command(&args),
        Command::Factorial(args) => factorial::factorial_command(&args),
        Command::Validate(args) => explain::validate(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Measures(args) => explain::list_measures(&args),
        Command::Sensitivity(args) => sensitivity::sensitivity_command(&args),
        Command::Robustness(args) => robustness::robustness_command(&args),
        Command::Capacity(args) => capacity::capacity_command(&args),
        Command::Assumptions(args) => explain::list_assumptions(&args),
        Command::Merge(args) => run::merge(args),
        Command::Log(args) => log::log_command(&args),
        Command::Fit(args) => fit::fit_command(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let message = match &scenario {
                Some(path) => common::name_the_scenario(&f.message, path),
                None => f.message,
            };
            eprintln!("error: {message}");
            ExitCode::from(f.code)
        }
    }
}
