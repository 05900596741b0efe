//! `cbec-sim sweep`: one parameter over a list or a range of values, on
//! common random numbers; a capacity or demand curve and where a target
//! breaks.

use crate::common::{
    Common, Failure, build, failed, invalid, load_scenario, make_dir, num, progress, set_threads,
    write_csv_file,
};
use crate::visuals;
use cbec_sim::experiment::{Replications, Seed, Sweep, Target, sweep};
use cbec_sim::{Measure, Patch, PatchOp, Scenario};
use indicatif::ProgressDrawTarget;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("points").required(true).args(["values", "range"])))]
pub(crate) struct SweepArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// The parameter, by its path in the scenario (as in a measure's patch),
    /// e.g. stations.manual_review.shifts[0].servers.
    #[arg(long)]
    param: String,
    /// The values, comma-separated: 4,6,8,10.
    #[arg(long, value_delimiter = ',')]
    values: Vec<f64>,
    /// The values as FROM..TO:STEP (TO included): 4..12:2.
    #[arg(long)]
    range: Option<String>,
    /// A target on a KPI's mean: KPI<=X or KPI>=X, e.g. clearance_p95_min<=60.
    #[arg(long)]
    target: Option<String>,
    /// The KPI on the curve (default: the target's, else lead_time_p95_h or the
    /// network's mean time in system).
    #[arg(long)]
    kpi: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The values of `FROM..TO:STEP`, `TO` included.
fn parse_values(text: &str) -> Result<Vec<f64>, Failure> {
    let bad = || {
        invalid(format!(
            "--range: must be FROM..TO:STEP with STEP > 0 and FROM <= TO, got \"{text}\""
        ))
    };
    let (span, step) = text.split_once(':').ok_or_else(bad)?;
    let (a, b) = span.split_once("..").ok_or_else(bad)?;
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let (a, b, step) = (
        num(a).ok_or_else(bad)?,
        num(b).ok_or_else(bad)?,
        num(step).ok_or_else(bad)?,
    );
    if step <= 0.0 || a > b || (b - a) / step > 10_000.0 {
        return Err(bad());
    }
    let n = ((b - a) / step + 1e-9).floor() as usize;
    Ok((0..=n).map(|i| a + step * i as f64).collect())
}

/// The scenario with `param` set to `value`.
pub(crate) fn with_value(base: &Scenario, param: &str, value: f64) -> cbec_sim::Result<Scenario> {
    let v = if value.fract() == 0.0 && value.abs() < 9.0e15 {
        toml::Value::Integer(value as i64)
    } else {
        toml::Value::Float(value)
    };
    let measure = Measure::new(
        "sweep",
        format!("{param} = {value}"),
        "-",
        vec![Patch::new(param, PatchOp::Set(v), "the swept value")],
    );
    base.with_measures([&measure])
}

pub(crate) fn sweep_command(args: &SweepArgs) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    if args.common.replications == 0 {
        return Err(invalid("--replications: must be at least 1, got 0"));
    }
    let base = load_scenario(&args.scenario)?;
    let model = build(&base, &args.scenario)?;
    let values = match &args.range {
        Some(r) => parse_values(r)?,
        None => args.values.clone(),
    };
    let target = args
        .target
        .as_deref()
        .map(Target::parse)
        .transpose()
        .map_err(invalid)?;
    let kpi = match (&args.kpi, &target) {
        (Some(k), _) => k.clone(),
        (None, Some((k, _))) => k.clone(),
        (None, None) if base.report.is_some() => "lead_time_p95_h".to_string(),
        (None, None) => "network.time_in_system_mean_min".to_string(),
    };
    if let (Some(k), Some((tk, _))) = (&args.kpi, &target)
        && k != tk
    {
        return Err(invalid(format!(
            "--kpi {k} and --target on {tk}: the target must be on the swept KPI"
        )));
    }
    // Check every value builds before running any.
    for v in &values {
        with_value(&base, &args.param, *v)
            .and_then(|s| s.build())
            .map_err(|e| invalid(format!("--param {} = {v}: {e}", args.param)))?;
    }
    let bar = progress(values.len() as u64);
    if !args.common.quiet && std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
    }
    let curve: Sweep = sweep(
        &values,
        |v| {
            bar.inc(1);
            with_value(&base, &args.param, v)?.build()
        },
        &kpi,
        target.map(|t| t.1),
        Seed(args.common.seed),
        Replications::first(args.common.replications),
    )
    .map_err(invalid)?;
    bar.finish_and_clear();
    let rows: Vec<Vec<String>> = curve
        .points
        .iter()
        .map(|p| {
            let meets = match (curve.target, p.estimate.mean) {
                (Some(t), Some(m)) => if t.met_by(m) { "meets" } else { "misses" }.to_string(),
                _ => String::new(),
            };
            vec![
                format!("{}", p.value),
                num(p.estimate.mean),
                num(p.estimate.half_width_95),
                num(p.estimate.min),
                num(p.estimate.max),
                meets,
            ]
        })
        .collect();
    let headers = ["value", "mean", "± 95% CI", "min", "max", "target"];
    if let Some(dir) = &args.common.csv {
        make_dir(dir)?;
        write_csv_file(&dir.join("sweep.csv"), &headers, &rows)?;
        let all: Vec<Vec<String>> = curve
            .points
            .iter()
            .flat_map(|p| {
                p.all.iter().map(move |e| {
                    vec![
                        p.value.to_string(),
                        e.name.clone(),
                        num(e.mean),
                        num(e.half_width_95),
                    ]
                })
            })
            .collect();
        write_csv_file(
            &dir.join("sweep_all_kpis.csv"),
            &["value", "kpi", "mean", "half_width_95"],
            &all,
        )?;
    }
    visuals::write_visuals(
        args.common.plot.as_deref(),
        args.common.report.as_deref(),
        || visuals::sweep_visuals(&curve, &args.param),
        |v| {
            visuals::simple_report(
                &format!("cbec-sim sweep: {}", args.scenario.display()),
                &format!(
                    "{} swept over {} values, {} replications each with seed {} (common random numbers). {}",
                    args.param,
                    values.len(),
                    args.common.replications,
                    args.common.seed,
                    verdict_text(&curve)
                ),
                &args.scenario,
                &model,
                vec![(
                    format!("{} at each value of {}", curve.kpi, args.param),
                    headers.to_vec(),
                    rows.clone(),
                )],
                v,
            )
        },
    )?;
    if args.common.json {
        let doc = serde_json::json!({
            "schema": "cbec-sim/sweep/1",
            "scenario": args.scenario.display().to_string(),
            "param": args.param,
            "seed": args.common.seed,
            "replications": args.common.replications,
            "sweep": curve,
        });
        out!("{}", serde_json::to_string_pretty(&doc).map_err(failed)?);
        return Ok(());
    }
    out!(
        "{}: {} against {}",
        args.scenario.display(),
        curve.kpi,
        args.param
    );
    out!(
        "replications 0..{} (seed {}) at every value, common random numbers",
        args.common.replications,
        args.common.seed
    );
    out!();
    out!(
        "{:>12} {:>14} {:>12} {:>12} {:>12} {:>8}",
        headers[0],
        headers[1],
        headers[2],
        headers[3],
        headers[4],
        headers[5]
    );
    for r in &rows {
        out!(
            "{:>12} {:>14} {:>12} {:>12} {:>12} {:>8}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5]
        );
    }
    out!();
    out!("{}", verdict_text(&curve));
    Ok(())
}

fn verdict_text(curve: &Sweep) -> String {
    let Some(t) = curve.target else {
        return "No target given (--target KPI<=X or KPI>=X).".to_string();
    };
    let meets = curve.meets_at.map_or("no value meets it".to_string(), |v| {
        format!("first met at {v}")
    });
    let breaks = curve
        .breaks_at
        .map_or("no value misses it".to_string(), |v| {
            format!("first missed at {v}")
        });
    format!(
        "Target {} {t}: {meets}; {breaks} (in the order of the values).",
        curve.kpi
    )
}
