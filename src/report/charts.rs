//! SVG charts drawn with plotters: each function returns one self-contained
//! `<svg>` document as a string, with a title, axis labels with units and,
//! where there is more than one series, a legend.

use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 480;

/// One line of a chart: a label and its (x, y) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Points, in increasing x.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series called `label`.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
        }
    }
}

/// One bar: a label, a value and, optionally, the half-width of its 95%
/// confidence interval (drawn as an error bar).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// Height.
    pub value: f64,
    /// Half-width of the confidence interval, if any.
    pub half_width: Option<f64>,
}

/// One point of a curve with its confidence band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandPoint {
    /// Position on the x axis.
    pub x: f64,
    /// Mean.
    pub mean: f64,
    /// Half-width of the 95% confidence interval.
    pub half_width: f64,
}

fn palette(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
    ];
    COLORS[i % COLORS.len()]
}

fn draw_svg(
    title: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> std::result::Result<(), String>,
) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        let fail = |e: String| Error::Chart {
            chart: title.to_string(),
            reason: e,
        };
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    Ok(out)
}

/// The plotting area of a chart.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Axes for lines on numeric x and y ranges, with a title and axis labels.
fn line_axes<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    x_label: &str,
    y_label: &str,
) -> std::result::Result<Chart<'a, 'b>, String> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}

/// The legend of the labelled series, boxed, at `position`.
fn legend<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    position: SeriesLabelPosition,
) -> std::result::Result<(), String> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(|e| e.to_string())
}

/// The range of `values` padded by 5%, never empty.
fn padded(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
}

/// The padded x and y ranges of the points of `series` (y from zero).
fn extent(series: &[Series]) -> ((f64, f64), (f64, f64)) {
    let points = || series.iter().flat_map(|s| s.points.iter());
    (
        padded(points().map(|p| p.0), false),
        padded(points().map(|p| p.1), true),
    )
}

/// Lines on shared axes (a CDF, a time series), with a legend.
///
/// # Errors
/// [`Error::Chart`] if plotters cannot draw it.
pub fn lines(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<String> {
    let ((x0, x1), (y0, y1)) = extent(series);
    draw_svg(title, |root| {
        let mut chart = line_axes(root, title, (x0, x1), (y0, y1), x_label, y_label)?;
        for (i, s) in series.iter().enumerate() {
            let color = palette(i);
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(s.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}

/// Bars with optional error bars (effects with their confidence
/// intervals, utilisation by resource), named in the legend, in the
/// order given. A horizontal line marks zero.
///
/// # Errors
/// [`Error::Chart`] if plotters cannot draw it.
pub fn bars(title: &str, y_label: &str, bars: &[Bar]) -> Result<String> {
    let n = bars.len().max(1);
    let (y0, y1) = padded(
        bars.iter().flat_map(|b| {
            let h = b.half_width.unwrap_or(0.0);
            [b.value - h, b.value + h]
        }),
        true,
    );
    draw_svg(title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(70)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..n as f64, y0..y1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_x_axis()
            .y_desc(y_label)
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, b) in bars.iter().enumerate() {
            let x = i as f64;
            let color = palette(i);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.15, 0.0), (x + 0.85, b.value)],
                    color.mix(0.8).filled(),
                )))
                .map_err(|e| e.to_string())?
                .label(b.label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 18, y + 5)], color.mix(0.8).filled())
                });
            if let Some(h) = b.half_width {
                let mid = x + 0.5;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(mid, b.value - h), (mid, b.value + h)],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(|e| e.to_string())?;
                for y in [b.value - h, b.value + h] {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(mid - 0.12, y), (mid + 0.12, y)],
                            BLACK.stroke_width(2),
                        )))
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (n as f64, 0.0)],
                BLACK,
            )))
            .map_err(|e| e.to_string())?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}

/// A curve with its 95% confidence band, and an optional horizontal
/// target line (a sweep).
///
/// # Errors
/// [`Error::Chart`] if plotters cannot draw it.
pub fn curve_with_band(
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[BandPoint],
    target: Option<(String, f64)>,
) -> Result<String> {
    let (x0, x1) = padded(points.iter().map(|p| p.x), false);
    let (y0, y1) = padded(
        points
            .iter()
            .flat_map(|p| [p.mean - p.half_width, p.mean + p.half_width])
            .chain(target.iter().map(|t| t.1)),
        true,
    );
    draw_svg(title, |root| {
        let mut chart = line_axes(root, title, (x0, x1), (y0, y1), x_label, y_label)?;
        let color = palette(0);
        let mut band: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (p.x, p.mean + p.half_width))
            .collect();
        band.extend(points.iter().rev().map(|p| (p.x, p.mean - p.half_width)));
        chart
            .draw_series(std::iter::once(Polygon::new(band, color.mix(0.2).filled())))
            .map_err(|e| e.to_string())?
            .label("95% confidence band")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 18, y + 5)], color.mix(0.2).filled())
            });
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.x, p.mean)),
                color.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label("mean over replications")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p.x, p.mean), 4, color.filled())),
            )
            .map_err(|e| e.to_string())?;
        if let Some((label, y)) = target {
            let red = palette(3);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x0, y), (x1, y)],
                    red.stroke_width(2),
                )))
                .map_err(|e| e.to_string())?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], red.stroke_width(2))
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// A tornado chart: one horizontal bar per factor, largest at the top,
/// with its 95% interval as an error bar and the factor's name at the
/// left (shortened to its last 40 characters).
///
/// # Errors
/// [`Error::Chart`] if plotters cannot draw it.
pub fn tornado(title: &str, x_label: &str, bars: &[Bar]) -> Result<String> {
    let n = bars.len().max(1);
    let (_, x1) = padded(
        bars.iter().map(|b| b.value + b.half_width.unwrap_or(0.0)),
        true,
    );
    let names: Vec<String> = bars
        .iter()
        .map(|b| {
            let c: Vec<char> = b.label.chars().collect();
            if c.len() > 40 {
                format!("…{}", c[c.len() - 39..].iter().collect::<String>())
            } else {
                b.label.clone()
            }
        })
        .collect();
    draw_svg(title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(330)
            .build_cartesian_2d(0f64..x1, 0f64..n as f64)
            .map_err(|e| e.to_string())?;
        let label = |y: &f64| {
            let i = n as f64 - 1.0 - (y - 0.5).round();
            if (y - 0.5).fract().abs() < 1e-9 && i >= 0.0 && (i as usize) < names.len() {
                names[i as usize].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(2 * n + 1)
            .y_label_formatter(&label)
            .y_label_style(("sans-serif", 13))
            .x_desc(x_label)
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, b) in bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.15), (b.value, y + 0.85)],
                    palette(0).mix(0.8).filled(),
                )))
                .map_err(|e| e.to_string())?;
            if let Some(h) = b.half_width {
                let mid = y + 0.5;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![((b.value - h).max(0.0), mid), (b.value + h, mid)],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    })
}

/// Points on shared axes, one colour per series, with a legend and a
/// horizontal line at zero (effects against an assumption's value).
///
/// # Errors
/// [`Error::Chart`] if plotters cannot draw it.
pub fn scatter(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<String> {
    let ((x0, x1), (y0, y1)) = extent(series);
    draw_svg(title, |root| {
        let mut chart = line_axes(root, title, (x0, x1), (y0, y1), x_label, y_label)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x0, 0.0), (x1, 0.0)],
                BLACK,
            )))
            .map_err(|e| e.to_string())?;
        for (i, s) in series.iter().enumerate() {
            let color = palette(i);
            chart
                .draw_series(
                    s.points
                        .iter()
                        .map(|&p| Circle::new(p, 5, color.mix(0.8).filled())),
                )
                .map_err(|e| e.to_string())?
                .label(s.label.clone())
                .legend(move |(x, y)| Circle::new((x + 9, y), 5, color.mix(0.8).filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}
