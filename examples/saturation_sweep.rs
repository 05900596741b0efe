//! The orders per day at which the Hongqiao centre stops keeping up: the
//! baseline week with 1210 demand scaled from 1x to 3x, on common random
//! numbers, reading orders released per day, the backlog at the end and
//! the p95 lead time at each level.
//!
//! Customs release keeps up at every level; picking and packing do not.
//! Saturation is read where the centre stops shipping what it is offered:
//! the first level at which the backlog left at the end of the week exceeds
//! one day of demand. Run it with `cargo run --release --example saturation_sweep`.

use cbec_sim::experiment::{KpiEstimate, sweep};
use cbec_sim::report::table::{Column, Table};
use cbec_sim::{Measure, Patch, PatchOp, Replications, Scenario, Seed};

fn main() -> cbec_sim::Result<()> {
    let base = Scenario::from_path(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hongqiao_baseline.toml"),
    )?;
    let started = std::time::Instant::now();
    let scaled = |factor: f64| {
        // Progress on stderr: the sweep builds each level just before running it.
        eprintln!(
            "demand x{factor}: 6 replications ({:.0} s elapsed)",
            started.elapsed().as_secs_f64()
        );
        let demand = Measure::new(
            "demand",
            format!("1210 demand x{factor}"),
            "(a demand level of the sweep)",
            vec![Patch::new(
                "sources.orders_1210.profile.hourly_per_hour",
                PatchOp::Scale(factor),
                "the swept demand level",
            )],
        );
        base.with_measures([&demand])?.build()
    };
    let factors: Vec<f64> = (0..=8).map(|i| 1.0 + 0.25 * f64::from(i)).collect();
    let curve = sweep(
        &factors,
        scaled,
        "backlog_at_end",
        None,
        Seed(3),
        Replications::first(6),
    )?;
    let baseline_per_day = 20_000.0; // the baseline's 1210 orders/day (hongqiao_baseline.toml)
    println!(
        "Hongqiao baseline week, 1210 demand scaled, 6 replications per level (common random numbers)"
    );
    let mut table = Table::new(vec![
        Column::right("demand").width(7),
        Column::right("orders/day").width(12),
        Column::right("released/day").width(14),
        Column::right("shipped/day").width(14),
        Column::right("backlog at end").width(16),
        Column::right("lead p95 (h)").width(14),
    ]);
    let mut saturation = None;
    let mut backlogs = Vec::new();
    for p in &curve.points {
        let kpi = |name: &str| -> cbec_sim::Result<f64> {
            Ok(KpiEstimate::find(&p.all, name)?.mean.unwrap_or(f64::NAN))
        };
        let offered = baseline_per_day * p.value;
        let backlog = p.estimate.mean.unwrap_or(f64::NAN);
        table.push([
            format!("{:.2}x", p.value),
            format!("{offered:.0}"),
            format!("{:.0}", kpi("orders_released_per_day")?),
            format!("{:.0}", kpi("left_zone.per_day")?),
            format!("{backlog:.0}"),
            format!("{:.2}", kpi("lead_time_p95_h")?),
        ]);
        if saturation.is_none() && backlog > offered {
            saturation = Some((p.value, offered));
        }
        backlogs.push(backlog);
    }
    print!("{table}");
    match saturation {
        Some((f, offered)) => println!(
            "The centre stops keeping up at about {offered:.0} orders/day ({f}x the baseline): more than a day's demand is left at the end of the week."
        ),
        None => println!("The centre keeps up at every level swept."),
    }

    // Running the example is a test of what it prints: the centre keeps up
    // with the baseline's demand, stops keeping up somewhere inside the
    // swept range, and the backlog grows with demand.
    let (factor, _) = saturation.expect("a saturation point within 1x..3x");
    assert!(factor > 1.0 && factor <= 3.0, "saturation at {factor}x");
    assert!(backlogs[0] < baseline_per_day, "the baseline keeps up");
    assert!(
        backlogs.last() > backlogs.first(),
        "backlog grows with demand"
    );
    Ok(())
}
