//! The HTML report of `cbec-sim fit`: what each stage, route and the
//! demand were fitted to, with intervals and goodness of fit; and, with a
//! holdout, the held-out weeks observed against simulated, with a
//! quantile-quantile chart per stage.

use crate::calibrate::{Calibration, Choice, HoldoutCheck, QuantileEstimate};
use crate::error::Result;
use crate::report::charts::{self, Series};
use crate::report::table::readable;
use crate::report::{HtmlReport, Provenance};

fn q(e: &QuantileEstimate) -> String {
    let high = if e.high == f64::INFINITY {
        "∞".to_string()
    } else {
        readable(Some(e.high))
    };
    format!(
        "{} [{}, {high}]",
        readable(Some(e.estimate)),
        readable(Some(e.low))
    )
}

/// The warnings of a fit: stages no family fits, stages not fitted,
/// held-out quantiles outside the observed intervals.
fn warnings(c: &Calibration, h: Option<&HoldoutCheck>) -> Vec<String> {
    let mut w = Vec::new();
    for s in &c.stages {
        match &s.fit {
            Some(fit) if fit.chosen == Choice::Empirical => w.push(format!(
                "stage {}: no family fits well; the empirical law is offered ({})",
                s.stage,
                fit.notes.join("; ")
            )),
            Some(_) => {}
            None => w.push(format!(
                "stage {}: not fitted ({})",
                s.stage,
                s.skipped.as_deref().unwrap_or("")
            )),
        }
    }
    if let Some(d) = &c.demand {
        for t in [&d.separability, &d.stability] {
            if t.rejects {
                w.push(format!("demand: {}", t.note));
            }
        }
    }
    if let Some(h) = h {
        for s in &h.stages {
            let [p50, p95] = s.quantiles_agree();
            if !(p50 && p95) {
                w.push(format!(
                    "held-out weeks, stage {}: simulated {} outside the observed interval",
                    s.stage,
                    match (p50, p95) {
                        (false, false) => "p50 and p95",
                        (false, true) => "p50",
                        _ => "p95",
                    }
                ));
            }
        }
    }
    w
}

/// The report of a fit and, if given, its holdout check.
///
/// # Errors
/// [`Error::Chart`](crate::Error::Chart) if a chart cannot be drawn.
pub fn calibration_html(
    c: &Calibration,
    holdout: Option<&HoldoutCheck>,
    provenance: &Provenance,
) -> Result<String> {
    let pct = (c.level * 100.0).round();
    let mut r = HtmlReport::new(format!("cbec-sim fit: {}", c.log));
    r.warnings(&warnings(c, holdout));
    r.heading("Summary");
    r.paragraph(format!(
        "The event log {} ({} rows, {} orders, {} to {}) fitted through its map: each stage's durations by censored maximum likelihood across four families, chosen by {}; each route's share; the demand's hour-of-day and weekday profile with its promotion days. Intervals at {pct}%.",
        c.log,
        readable(Some(c.rows as f64)),
        readable(Some(c.orders as f64)),
        c.start,
        c.end,
        c.stages
            .iter()
            .find_map(|s| s.fit.as_ref())
            .map_or("AIC".to_string(), |f| format!("{:?}", f.criterion).to_uppercase()),
    ));
    let stage_rows: Vec<Vec<String>> = c
        .stages
        .iter()
        .map(|s| {
            let (chosen, params, gof, n) = match &s.fit {
                Some(f) => {
                    let chosen = match f.chosen {
                        Choice::Family(fam) => fam.to_string(),
                        Choice::Empirical => "empirical".into(),
                    };
                    let params = f
                        .chosen_candidate()
                        .map(|cand| {
                            cand.params
                                .iter()
                                .map(|p| {
                                    format!(
                                        "{} {} [{}, {}]",
                                        p.name,
                                        readable(Some(p.estimate)),
                                        readable(p.low),
                                        readable(p.high)
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    let gof = f.gof.as_ref().map_or("-".into(), |g| {
                        format!(
                            "D {} p {}",
                            readable(Some(g.statistic)),
                            readable(Some(g.p_value))
                        )
                    });
                    (
                        chosen,
                        params,
                        gof,
                        format!("{} + {} censored", f.completed, f.censored),
                    )
                }
                None => (
                    "-".into(),
                    s.skipped.clone().unwrap_or_default(),
                    "-".into(),
                    "0".into(),
                ),
            };
            vec![
                s.stage.clone(),
                format!("{} ({} → {})", s.kind.label(), s.from, s.to),
                n,
                chosen,
                params,
                gof,
                s.calibrates.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    r.table(
        format!("Stages: durations in minutes, parameters with {pct}% intervals"),
        &[
            "stage",
            "kind (events)",
            "durations",
            "chosen",
            "parameters",
            "goodness of fit (KS, bootstrap)",
            "calibrates",
        ],
        stage_rows,
    );
    if !c.routes.is_empty() {
        let rows = c
            .routes
            .iter()
            .map(|r| match &r.share {
                Some(s) => vec![
                    r.route.clone(),
                    format!(
                        "{} [{}, {}]",
                        readable(Some(s.estimate)),
                        readable(Some(s.low)),
                        readable(Some(s.high))
                    ),
                    format!(
                        "{} of {} ({} undecided)",
                        s.successes, s.trials, r.undecided
                    ),
                    r.calibrates.clone().unwrap_or_else(|| "-".into()),
                ],
                None => vec![
                    r.route.clone(),
                    "-".into(),
                    "no decided trial".into(),
                    "-".into(),
                ],
            })
            .collect();
        r.table(
            format!("Routes: shares with exact {pct}% intervals"),
            &["route", "share", "trials", "calibrates"],
            rows,
        );
    }
    if let Some(h) = holdout {
        r.heading("Held-out weeks");
        r.paragraph(format!(
            "The {} orders arriving from {} to {} were held out of the fit, then replayed at their times through the fitted scenario ({} replications, starting empty at {}). Both sides count the durations completed by {} of orders arriving from {}; p50 and p95 in minutes with {pct}% intervals (observed: from order statistics; simulated: over replications).",
            h.orders, h.from, h.until, h.replications, h.simulated_from, h.until, h.from
        ));
        let rows = h
            .stages
            .iter()
            .map(|s| {
                let [a, b] = s.quantiles_agree();
                vec![
                    s.stage.clone(),
                    s.kind.clone(),
                    s.observed_n.to_string(),
                    q(&s.observed[0]),
                    q(&s.simulated[0]),
                    q(&s.observed[1]),
                    q(&s.simulated[1]),
                    readable(Some(s.ks_p_value)),
                    match (a, b) {
                        (true, true) => "agrees".into(),
                        _ => "differs".into(),
                    },
                ]
            })
            .collect();
        r.table(
            "Observed and simulated, stage by stage",
            &[
                "stage",
                "kind",
                "observed",
                "observed p50",
                "simulated p50",
                "observed p95",
                "simulated p95",
                "KS p",
                "p50 and p95",
            ],
            rows,
        );
        for s in &h.stages {
            let top = s.qq.iter().fold(0.0f64, |m, &(a, b)| m.max(a).max(b));
            let svg = charts::lines(
                &format!("{}: quantiles, observed against simulated", s.stage),
                "observed (minutes)",
                "simulated (minutes)",
                &[
                    Series::new("quantiles 1%..99%", s.qq.clone()),
                    Series::new("equal", vec![(0.0, 0.0), (top, top)]),
                ],
            )?;
            r.chart(
                format!("Stage {}: the 1st to 99th percentiles of the held-out durations, observed (x) and simulated (y); on the diagonal they agree", s.stage),
                svg,
            );
        }
    }
    if let Some(d) = &c.demand {
        let hourly = d
            .hourly
            .iter()
            .map(|h| (f64::from(h.hour) + 0.5, h.rate_per_hour.estimate))
            .collect();
        let low = d
            .hourly
            .iter()
            .map(|h| (f64::from(h.hour) + 0.5, h.rate_per_hour.low))
            .collect();
        let high = d
            .hourly
            .iter()
            .map(|h| (f64::from(h.hour) + 0.5, h.rate_per_hour.high))
            .collect();
        let svg = charts::lines(
            "Orders per hour by hour of day (weekday factor 1)",
            "hour of day",
            "orders per hour",
            &[
                Series::new("fitted", hourly),
                Series::new(format!("{pct}% low"), low),
                Series::new(format!("{pct}% high"), high),
            ],
        )?;
        r.heading("Demand");
        r.chart("The fitted hourly rates with their intervals", svg);
        let mut text = HtmlReport::new("");
        text.preformatted(d.to_string());
        r.details("The demand fit in full", text);
    }
    let mut full = HtmlReport::new("");
    full.preformatted(c.to_string());
    r.details("Every fit in full", full);
    r.footer("cbec-sim version", env!("CARGO_PKG_VERSION"));
    r.footer("command", &provenance.command_line);
    r.footer("date of the run", &provenance.date);
    Ok(r.to_html())
}
