//! `cbec-sim factorial`: a 2^k full factorial over measures, with main
//! effects and two-factor interactions.

use crate::common::{
    Common, Failure, MeasureSource, build, chosen_measures, failed, invalid, load_scenario,
    make_dir, num, set_threads, write_csv_file,
};
use crate::visuals;
use cbec_sim::Measure;
use cbec_sim::experiment::{Factorial, Replications, Seed, factorial_all, planner_kpi_names};
use cbec_sim::report::charts::{self, Bar};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct FactorialArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// A factor: off is the scenario, on is the scenario with this measure
    /// (repeat for 2 to 10 factors).
    #[arg(long = "measure", value_name = "NAME", required = true)]
    measures: Vec<String>,
    /// KPIs to show (repeatable; default: the planner KPIs, or every KPI).
    #[arg(long = "kpi", value_name = "KPI")]
    kpis: Vec<String>,
    #[command(flatten)]
    source: MeasureSource,
    #[command(flatten)]
    common: Common,
}

fn rows(f: &Factorial) -> Vec<Vec<String>> {
    f.main
        .iter()
        .chain(&f.interactions)
        .map(|e| {
            vec![
                e.factors.join(" x "),
                num(e.estimate.mean),
                num(e.estimate.half_width_95),
                match (e.estimate.mean, e.estimate.half_width_95) {
                    (Some(m), Some(h)) if m.abs() <= h => "~0".to_string(),
                    (Some(_), Some(_)) => String::new(),
                    _ => "n/a".to_string(),
                },
            ]
        })
        .collect()
}

pub(crate) fn factorial_command(args: &FactorialArgs) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    if args.measures.len() > 10 {
        return Err(invalid(format!(
            "--measure: at most 10 factors (1,024 design points), got {}",
            args.measures.len()
        )));
    }
    let base = load_scenario(&args.scenario)?;
    let model = build(&base, &args.scenario)?;
    let measures = chosen_measures(&args.measures, &args.source)?;
    // Every design point must build before any runs.
    let point = |levels: &[bool]| {
        let on: Vec<&Measure> = measures
            .iter()
            .zip(levels)
            .filter(|(_, l)| **l)
            .map(|(m, _)| m)
            .collect();
        base.with_measures(on).and_then(|s| s.build())
    };
    for p in 0..1usize << measures.len() {
        let levels: Vec<bool> = (0..measures.len()).map(|i| p >> i & 1 == 1).collect();
        point(&levels).map_err(|e| invalid(format!("{}: {e}", args.scenario.display())))?;
    }
    if !args.common.quiet {
        eprintln!(
            "running {} design points x {} replications",
            1usize << measures.len(),
            args.common.replications
        );
    }
    let names: Vec<&str> = args.measures.iter().map(String::as_str).collect();
    let all = factorial_all(
        &names,
        point,
        Seed(args.common.seed),
        Replications::first(args.common.replications),
    )
    .map_err(invalid)?;
    let shown: Vec<&Factorial> = if args.kpis.is_empty() {
        match &base.report {
            Some(r) => {
                let names = planner_kpi_names(r, base.tax.is_some());
                all.iter().filter(|f| names.contains(&f.kpi)).collect()
            }
            None => all.iter().collect(),
        }
    } else {
        args.kpis
            .iter()
            .map(|k| {
                all.iter().find(|f| &f.kpi == k).ok_or_else(|| {
                    invalid(format!(
                        "--kpi: unknown KPI \"{k}\"; KPIs: {}",
                        all.iter()
                            .map(|f| f.kpi.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    let headers = ["effect of", "mean", "± 95% CI", ""];
    if let Some(dir) = &args.common.csv {
        make_dir(dir)?;
        let csv_rows: Vec<Vec<String>> = all
            .iter()
            .flat_map(|f| {
                rows(f).into_iter().map(move |mut r| {
                    r.insert(0, f.kpi.clone());
                    r
                })
            })
            .collect();
        write_csv_file(
            &dir.join("factorial.csv"),
            &["kpi", "effect_of", "mean", "half_width_95", "verdict"],
            &csv_rows,
        )?;
    }
    let make = || {
        let mut v = visuals::Visuals::new();
        for (i, f) in shown.iter().take(4).enumerate() {
            let bars: Vec<Bar> = f
                .main
                .iter()
                .chain(&f.interactions)
                .filter_map(|e| {
                    Some(Bar {
                        label: e.factors.join(" x "),
                        value: e.estimate.mean?,
                        half_width: e.estimate.half_width_95,
                    })
                })
                .collect();
            v.push(
                &format!("factorial_{i}_{}", f.kpi),
                &format!("Main effects and two-factor interactions on {}, with 95% confidence intervals.", f.kpi),
                charts::bars(&format!("Effects on {}", f.kpi), &format!("change in {}", f.kpi), &bars),
            )?;
        }
        Ok(v)
    };
    visuals::write_visuals(
        args.common.plot.as_deref(),
        args.common.report.as_deref(),
        make,
        |v| {
            let tables = shown
                .iter()
                .map(|f| (format!("Effects on {}", f.kpi), headers.to_vec(), rows(f)))
                .collect();
            visuals::simple_report(
                &format!("cbec-sim factorial: {}", args.scenario.display()),
                &format!(
                    "2^{} full factorial over {}, {} replications per design point with seed {} (common random numbers). A main effect is the mean KPI with the measure on minus off, averaged over the other factors; an interaction is half the difference between one factor's effect with the other on and off.",
                    measures.len(),
                    args.measures.join(", "),
                    args.common.replications,
                    args.common.seed
                ),
                &args.scenario,
                &model,
                tables,
                v,
            )
        },
    )?;
    if args.common.json {
        let doc = serde_json::json!({
            "schema": "cbec-sim/factorial/1",
            "scenario": args.scenario.display().to_string(),
            "factors": args.measures,
            "seed": args.common.seed,
            "replications": args.common.replications,
            "kpis": all,
        });
        out!("{}", serde_json::to_string_pretty(&doc).map_err(failed)?);
        return Ok(());
    }
    out!(
        "{}: 2^{} factorial over {} ({} replications per point, seed {}, common random numbers)",
        args.scenario.display(),
        measures.len(),
        args.measures.join(", "),
        args.common.replications,
        args.common.seed
    );
    for f in shown {
        out!();
        out!("== {}", f.kpi);
        out!(
            "{:<60} {:>14} {:>12} {:>4}",
            headers[0],
            headers[1],
            headers[2],
            headers[3]
        );
        for r in rows(f) {
            out!("{:<60} {:>14} {:>12} {:>4}", r[0], r[1], r[2], r[3]);
        }
    }
    Ok(())
}
