//! `cbec-sim compare`: the baseline against variants (measures or other
//! scenario files) on common random numbers, with paired effects.

use crate::common::{
    Common, Failure, MeasureSource, build, failed, invalid, load_measures, load_scenario, make_dir,
    num, run_all, set_threads, write_csv_file,
};
use crate::visuals;
use cbec_sim::experiment::{Difference, KpiCatalogue, differences, planner_kpi_names};
use cbec_sim::{Measure, MeasureKind, Scenario};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["measures", "all_measures", "variants"])))]
pub(crate) struct CompareArgs {
    /// Baseline scenario file (TOML).
    scenario: PathBuf,
    /// A variant: the baseline with this measure (repeatable; `a+b` applies both).
    #[arg(long = "measure", value_name = "NAME")]
    measures: Vec<String>,
    /// One variant per measure, and one with every policy measure together.
    #[arg(long)]
    all_measures: bool,
    /// A variant: another scenario file with the same node names (repeatable).
    #[arg(long = "variant", value_name = "FILE")]
    variants: Vec<PathBuf>,
    /// KPIs to show (repeatable; default: the planner KPIs, or every KPI).
    #[arg(long = "kpi", value_name = "KPI")]
    kpis: Vec<String>,
    #[command(flatten)]
    source: MeasureSource,
    #[command(flatten)]
    common: Common,
}

/// The variants to run: (name, scenario).
fn variants(args: &CompareArgs, base: &Scenario) -> Result<Vec<(String, Scenario)>, Failure> {
    let available = load_measures(args.source.measures_file.as_deref())?;
    let mut out = Vec::new();
    let patched = |ms: &[&Measure]| {
        base.with_measures(ms.iter().copied())
            .map_err(|e| invalid(format!("{}: {e}", args.scenario.display())))
    };
    for name in &args.measures {
        let ms = name
            .split('+')
            .map(|n| Measure::find(&available, n.trim()).map_err(invalid))
            .collect::<Result<Vec<&Measure>, _>>()?;
        out.push((name.clone(), patched(&ms)?));
    }
    if args.all_measures {
        for m in &available {
            out.push((m.name.clone(), patched(&[m])?));
        }
        let policies: Vec<&Measure> = available
            .iter()
            .filter(|m| m.kind == MeasureKind::Policy)
            .collect();
        if policies.len() > 1 {
            out.push(("all_policy_measures".to_string(), patched(&policies)?));
        }
    }
    for file in &args.variants {
        let name = file.file_stem().map_or_else(
            || file.display().to_string(),
            |s| s.to_string_lossy().to_string(),
        );
        out.push((name, load_scenario(file)?));
    }
    Ok(out)
}

fn row(d: &Difference) -> Vec<String> {
    vec![
        d.name.clone(),
        num(d.baseline.mean),
        num(d.variant.mean),
        num(d.effect.mean),
        num(d.effect.half_width_95),
        d.verdict().to_string(),
    ]
}

pub(crate) fn compare(args: &CompareArgs) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    let base = load_scenario(&args.scenario)?;
    let base_model = build(&base, &args.scenario)?;
    let variants = variants(args, &base)?;
    let models = variants
        .iter()
        .map(|(name, s)| {
            s.build()
                .map_err(|e| invalid(format!("variant {name}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let baseline = run_all(&base_model, &args.common, "baseline")?;
    let catalogue = KpiCatalogue::for_run(&baseline[0]);
    let shown: Vec<String> = if args.kpis.is_empty() {
        match &base.report {
            Some(r) => planner_kpi_names(r, base.tax.is_some()),
            None => catalogue.names().map(str::to_string).collect(),
        }
    } else {
        for k in &args.kpis {
            // The error reads "kpi: unknown KPI ..., did you mean ...".
            catalogue.kpi(k).map_err(|e| invalid(format!("--{e}")))?;
        }
        args.kpis.clone()
    };
    let mut results = Vec::new();
    for ((name, _), model) in variants.iter().zip(&models) {
        let runs = run_all(model, &args.common, name)?;
        let diffs = differences(&baseline, &runs);
        results.push((name.clone(), runs, diffs));
    }
    let pick = |diffs: &[Difference]| -> Vec<Difference> {
        shown
            .iter()
            .filter_map(|k| diffs.iter().find(|d| &d.name == k).cloned())
            .collect()
    };
    if let Some(dir) = &args.common.csv {
        make_dir(dir)?;
        let mut rows = Vec::new();
        for (name, _, diffs) in &results {
            for d in diffs {
                let mut r = vec![name.clone()];
                r.extend(row(d));
                r.push(d.effect.n.to_string());
                r.push(
                    d.variance_reduction
                        .map_or_else(String::new, |v| v.to_string()),
                );
                rows.push(r);
            }
        }
        write_csv_file(
            &dir.join("effects.csv"),
            &[
                "variant",
                "kpi",
                "baseline_mean",
                "variant_mean",
                "effect_mean",
                "effect_half_width_95",
                "verdict",
                "n",
                "variance_reduction",
            ],
            &rows,
        )?;
    }
    visuals::write_visuals(
        args.common.plot.as_deref(),
        args.common.report.as_deref(),
        || visuals::compare_visuals(&base, &baseline, &results, &shown),
        |v| {
            let tables = results
                .iter()
                .map(|(name, _, diffs)| (name.clone(), pick(diffs).iter().map(row).collect()))
                .collect();
            visuals::compare_report(
                &args.scenario,
                &base_model,
                args.common.seed,
                args.common.replications,
                tables,
                v,
            )
        },
    )?;
    if args.common.json {
        let doc = serde_json::json!({
            "schema": "cbec-sim/compare/1",
            "scenario": args.scenario.display().to_string(),
            "seed": args.common.seed,
            "replications": args.common.replications,
            "variants": results.iter().map(|(name, _, diffs)| serde_json::json!({
                "name": name,
                "differences": diffs.iter().map(|d| serde_json::json!({
                    "kpi": d.name,
                    "baseline": d.baseline,
                    "variant": d.variant,
                    "effect": d.effect,
                    "verdict": d.verdict(),
                    "variance_reduction": d.variance_reduction,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        out!("{}", serde_json::to_string_pretty(&doc).map_err(failed)?);
        return Ok(());
    }
    out!("baseline: {}", args.scenario.display());
    out!(
        "replications 0..{} (seed {}), common random numbers; effect = variant - baseline with its 95% CI",
        args.common.replications,
        args.common.seed
    );
    out!(
        "\"~0\": the interval contains 0; \"=0\": exactly 0 in every replication; up/down: the whole interval is above/below 0"
    );
    for (name, _, diffs) in &results {
        out!();
        out!("== {name}");
        out!(
            "{:<44} {:>14} {:>14} {:>14} {:>12} {:>7}",
            "KPI",
            "baseline",
            "variant",
            "effect",
            "± 95% CI",
            ""
        );
        for d in pick(diffs) {
            let r = row(&d);
            out!(
                "{:<44} {:>14} {:>14} {:>14} {:>12} {:>7}",
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5]
            );
        }
    }
    Ok(())
}
