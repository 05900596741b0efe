//! SVG charts drawn with plotters: each function returns one self-contained
//! `<svg>` document as a string, with a title, axis labels with units and a
//! legend in a panel right of the plot (never over the data).
//!
//! Report quality: every text is at least 14 px ([`TEXT_PX`]); a time axis
//! can carry calendar labels ([`Tick`]) instead of plain numbers.

use crate::error::{Error, Result};
use crate::report::table::readable;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The width of every chart, in pixels.
pub const WIDTH: u32 = 900;
/// The height of every chart, in pixels.
pub const HEIGHT: u32 = 480;
/// The smallest text on a chart (tick labels, legend), in pixels.
pub const TEXT_PX: f64 = 15.0;
/// Axis descriptions, in pixels.
const DESC_PX: f64 = 16.0;
/// The title, in pixels.
const TITLE_PX: f64 = 21.0;

/// A label on the x axis at a position of the data (a date at midnight, a
/// time of day), drawn instead of plotters' numbers.
pub type Tick = (f64, String);

/// A font `px` pixels high in the SVG (plotters writes a font's size
/// divided by 1.24).
fn font(px: f64) -> TextStyle<'static> {
    ("sans-serif", px * 1.24).into_font().color(&BLACK)
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Line(RGBColor),
    Box(RGBAColor),
    Dot(RGBAColor),
}

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

/// The whole canvas of a chart.
type Canvas<'b> = DrawingArea<SVGBackend<'b>, Shift>;

fn draw_svg(
    title: &str,
    draw: impl FnOnce(&Canvas<'_>) -> std::result::Result<(), String>,
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

/// `text` cut to `max` characters, with `…` where it was cut.
fn shortened(text: &str, max: usize) -> String {
    let c: Vec<char> = text.chars().collect();
    if c.len() > max {
        format!("{}…", c[..max - 1].iter().collect::<String>())
    } else {
        text.to_string()
    }
}

/// The characters of a line of the legend.
const LEGEND_CHARS: usize = 30;

/// `text` on at most two lines of at most `max` characters, broken after
/// a space, else an underscore, where it can be, the rest shortened.
fn wrapped(text: &str, max: usize) -> Vec<String> {
    let c: Vec<char> = text.chars().collect();
    if c.len() <= max {
        return vec![text.to_string()];
    }
    let after = |sep: char| {
        c[..max]
            .iter()
            .rposition(|&ch| ch == sep)
            .filter(|&at| at > max / 3)
    };
    let cut = after(' ').or_else(|| after('_')).map_or(max, |at| at + 1);
    let first: String = c[..cut].iter().collect();
    let rest: String = c[cut..].iter().collect();
    vec![
        first.trim_end().to_string(),
        shortened(rest.trim_start(), max),
    ]
}

/// The title at the top, the legend in a panel at the right, and the
/// area left for the plot.
fn frame<'b>(
    root: &Canvas<'b>,
    title: &str,
    legend: &[(String, Mark)],
) -> std::result::Result<Canvas<'b>, String> {
    let under = root
        .titled(title, font(TITLE_PX))
        .map_err(|e| e.to_string())?;
    if legend.is_empty() {
        return Ok(under);
    }
    let lines: Vec<Vec<String>> = legend
        .iter()
        .map(|(l, _)| wrapped(l, LEGEND_CHARS))
        .collect();
    let longest = lines
        .iter()
        .flatten()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let width = (44.0 + 8.6 * longest as f64).clamp(120.0, 320.0) as u32;
    let (plot, side) = under.split_horizontally(WIDTH - width);
    let mut y = 26;
    for ((_, mark), text) in legend.iter().zip(&lines) {
        let draw =
            |e: std::result::Result<(), _>| e.map_err(|e: DrawingAreaErrorKind<_>| e.to_string());
        match *mark {
            Mark::Line(c) => {
                draw(side.draw(&PathElement::new(vec![(6, y), (30, y)], c.stroke_width(3))))?
            }
            Mark::Box(c) => {
                draw(side.draw(&Rectangle::new([(6, y - 7), (30, y + 7)], c.filled())))?
            }
            Mark::Dot(c) => draw(side.draw(&Circle::new((18, y), 6, c.filled())))?,
        }
        for line in text {
            draw(side.draw(&Text::new(
                line.clone(),
                (38, y),
                font(TEXT_PX).pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
            y += 19;
        }
        y += 7;
    }
    Ok(plot)
}

/// The plotting area of a chart.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Axes on numeric x and y ranges with axis descriptions, numbers written
/// by [`readable`]; with `ticks`, the x axis carries those labels (and a
/// grid line at each) instead of numbers.
fn axes<'a, 'b>(
    root: &Canvas<'b>,
    area: &'a Canvas<'b>,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    x_label: &str,
    y_label: &str,
    ticks: &[Tick],
) -> std::result::Result<Chart<'a, 'b>, String> {
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(if ticks.is_empty() { 56 } else { 64 })
        .y_label_area_size(92)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    let number = |v: &f64| readable(Some(*v));
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_label)
        .y_desc(y_label)
        .label_style(font(TEXT_PX))
        .axis_desc_style(font(DESC_PX))
        .x_label_formatter(&number)
        .y_label_formatter(&number)
        .light_line_style(BLACK.mix(0.04));
    if !ticks.is_empty() {
        mesh.x_labels(0).disable_x_mesh();
    }
    mesh.draw().map_err(|e| e.to_string())?;
    for (x, label) in ticks.iter().filter(|(x, _)| (x0..=x1).contains(x)) {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(*x, y0), (*x, y1)],
                BLACK.mix(0.15),
            )))
            .map_err(|e| e.to_string())?;
        let (px, py) = chart.backend_coord(&(*x, y0));
        root.draw(&Text::new(
            label.clone(),
            (px, py + 8),
            font(TEXT_PX).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(|e| e.to_string())?;
    }
    Ok(chart)
}

/// Labels at the left of a horizontal-bar plot, one per band from the
/// top (band `i` spans `n - 1 - i .. n - i` on the y axis).
fn band_labels(
    root: &Canvas<'_>,
    chart: &Chart<'_, '_>,
    x0: f64,
    labels: &[String],
) -> std::result::Result<(), String> {
    let n = labels.len() as f64;
    for (i, l) in labels.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(x0, n - 0.5 - i as f64));
        root.draw(&Text::new(
            l.clone(),
            (px - 8, py),
            font(TEXT_PX).pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(|e| e.to_string())?;
    }
    Ok(())
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
    lines_on(title, x_label, y_label, series, &[])
}

/// Lines whose x axis is labelled by `ticks` (calendar dates and times,
/// say) instead of numbers.
///
/// # Errors
/// [`Error::Chart`] if plotters cannot draw it.
pub fn lines_on(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    ticks: &[Tick],
) -> Result<String> {
    let ((x0, x1), (y0, y1)) = extent(series);
    let legend: Vec<(String, Mark)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label.clone(), Mark::Line(palette(i))))
        .collect();
    draw_svg(title, |root| {
        let area = frame(root, title, &legend)?;
        let mut chart = axes(root, &area, (x0, x1), (y0, y1), x_label, y_label, ticks)?;
        for (i, s) in series.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    palette(i).stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// Draws a bar's error bar, vertical at `x` or horizontal at `y`.
fn error_bar(
    chart: &mut Chart<'_, '_>,
    at: f64,
    (lo, hi): (f64, f64),
    cap: f64,
    vertical: bool,
) -> std::result::Result<(), String> {
    let p = |along: f64, across: f64| {
        if vertical {
            (across, along)
        } else {
            (along, across)
        }
    };
    for line in [
        vec![p(lo, at), p(hi, at)],
        vec![p(lo, at - cap), p(lo, at + cap)],
        vec![p(hi, at - cap), p(hi, at + cap)],
    ] {
        chart
            .draw_series(std::iter::once(PathElement::new(
                line,
                BLACK.stroke_width(2),
            )))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Bars with optional error bars (effects with their confidence
/// intervals), named in the legend, in the order given. A horizontal line
/// marks zero.
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
    let legend: Vec<(String, Mark)> = bars
        .iter()
        .enumerate()
        .map(|(i, b)| (b.label.clone(), Mark::Box(palette(i).mix(0.8))))
        .collect();
    draw_svg(title, |root| {
        let area = frame(root, title, &legend)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(20)
            .y_label_area_size(92)
            .build_cartesian_2d(0f64..n as f64, y0..y1)
            .map_err(|e| e.to_string())?;
        let number = |v: &f64| readable(Some(*v));
        chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_x_axis()
            .y_desc(y_label)
            .label_style(font(TEXT_PX))
            .axis_desc_style(font(DESC_PX))
            .y_label_formatter(&number)
            .light_line_style(BLACK.mix(0.04))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, b) in bars.iter().enumerate() {
            let x = i as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.15, 0.0), (x + 0.85, b.value)],
                    palette(i).mix(0.8).filled(),
                )))
                .map_err(|e| e.to_string())?;
            if let Some(h) = b.half_width {
                error_bar(&mut chart, x + 0.5, (b.value - h, b.value + h), 0.12, true)?;
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (n as f64, 0.0)],
                BLACK,
            )))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Horizontal bars in groups: one band per category (named at the left,
/// the first at the top), one bar per group in each band, coloured by
/// group and named in the legend, each with its 95% interval when known
/// (utilisation by resource in the baseline and every variant).
/// `groups` are (name, one bar per category, `None` where unknown).
///
/// # Errors
/// [`Error::Chart`] if plotters cannot draw it.
pub fn grouped_bars(
    title: &str,
    x_label: &str,
    categories: &[String],
    groups: &[(String, Vec<Option<Bar>>)],
) -> Result<String> {
    let n = categories.len().max(1);
    let k = groups.len().max(1);
    let all = || groups.iter().flat_map(|(_, bars)| bars.iter().flatten());
    let (x0, x1) = padded(
        all().flat_map(|b| {
            let h = b.half_width.unwrap_or(0.0);
            [b.value - h, b.value + h]
        }),
        true,
    );
    let legend: Vec<(String, Mark)> = groups
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.clone(), Mark::Box(palette(i).mix(0.8))))
        .collect();
    let names: Vec<String> = categories.iter().map(|c| shortened(c, 22)).collect();
    let left = names.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    draw_svg(title, |root| {
        let area = frame(root, title, &legend)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size((24.0 + 8.6 * left as f64) as u32)
            .build_cartesian_2d(x0..x1, 0f64..n as f64)
            .map_err(|e| e.to_string())?;
        let number = |v: &f64| readable(Some(*v));
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(x_label)
            .label_style(font(TEXT_PX))
            .axis_desc_style(font(DESC_PX))
            .x_label_formatter(&number)
            .light_line_style(BLACK.mix(0.04))
            .draw()
            .map_err(|e| e.to_string())?;
        let step = 0.8 / k as f64;
        for (g, (_, bars)) in groups.iter().enumerate() {
            for (c, bar) in bars.iter().enumerate().take(n) {
                let Some(b) = bar else { continue };
                let top = (n - c) as f64 - 0.1 - step * g as f64;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, top - step * 0.9), (b.value, top)],
                        palette(g).mix(0.8).filled(),
                    )))
                    .map_err(|e| e.to_string())?;
                if let Some(h) = b.half_width {
                    let mid = top - step * 0.45;
                    error_bar(
                        &mut chart,
                        mid,
                        (b.value - h, b.value + h),
                        step * 0.3,
                        false,
                    )?;
                }
            }
        }
        band_labels(root, &chart, x0, &names)
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
    // Whole values (servers, say) are labelled one by one, not as 1.2, 1.4.
    let whole = points.len() <= 20 && points.iter().all(|p| p.x.fract() == 0.0 && p.x.abs() < 1e9);
    let ticks: Vec<Tick> = if whole {
        points.iter().map(|p| (p.x, readable(Some(p.x)))).collect()
    } else {
        Vec::new()
    };
    let color = palette(0);
    let red = palette(3);
    let mut legend = vec![
        ("mean over replications".to_string(), Mark::Line(color)),
        ("95% confidence band".to_string(), Mark::Box(color.mix(0.2))),
    ];
    if let Some((label, _)) = &target {
        legend.push((label.clone(), Mark::Line(red)));
    }
    draw_svg(title, |root| {
        let area = frame(root, title, &legend)?;
        let mut chart = axes(root, &area, (x0, x1), (y0, y1), x_label, y_label, &ticks)?;
        let mut band: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (p.x, p.mean + p.half_width))
            .collect();
        band.extend(points.iter().rev().map(|p| (p.x, p.mean - p.half_width)));
        chart
            .draw_series(std::iter::once(Polygon::new(band, color.mix(0.2).filled())))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.x, p.mean)),
                color.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p.x, p.mean), 4, color.filled())),
            )
            .map_err(|e| e.to_string())?;
        if let Some((_, y)) = target {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x0, y), (x1, y)],
                    red.stroke_width(3),
                )))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// A tornado chart: one horizontal bar per factor, largest at the top,
/// with its 95% interval as an error bar and the factor's name at the
/// left (shortened to its last 32 characters).
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
            if c.len() > 32 {
                format!("…{}", c[c.len() - 31..].iter().collect::<String>())
            } else {
                b.label.clone()
            }
        })
        .collect();
    let left = names.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    draw_svg(title, |root| {
        let area = frame(root, title, &[])?;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size((24.0 + 8.6 * left as f64) as u32)
            .build_cartesian_2d(0f64..x1, 0f64..n as f64)
            .map_err(|e| e.to_string())?;
        let number = |v: &f64| readable(Some(*v));
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(x_label)
            .label_style(font(TEXT_PX))
            .axis_desc_style(font(DESC_PX))
            .x_label_formatter(&number)
            .light_line_style(BLACK.mix(0.04))
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
                error_bar(
                    &mut chart,
                    y + 0.5,
                    ((b.value - h).max(0.0), b.value + h),
                    0.1,
                    false,
                )?;
            }
        }
        band_labels(root, &chart, 0.0, &names)
    })
}

/// Points on shared axes, one colour per series, with a legend and a
/// horizontal line at zero (effects against an assumption's value).
///
/// # Errors
/// [`Error::Chart`] if plotters cannot draw it.
pub fn scatter(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<String> {
    let ((x0, x1), (y0, y1)) = extent(series);
    let legend: Vec<(String, Mark)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label.clone(), Mark::Dot(palette(i).mix(0.8))))
        .collect();
    draw_svg(title, |root| {
        let area = frame(root, title, &legend)?;
        let mut chart = axes(root, &area, (x0, x1), (y0, y1), x_label, y_label, &[])?;
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
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_legend_labels_take_two_lines() {
        assert_eq!(wrapped("baseline", 30), ["baseline"]);
        assert_eq!(
            wrapped("one_more_reviewer x one_more_inspector", 30),
            ["one_more_reviewer x", "one_more_inspector"]
        );
        assert_eq!(wrapped("abcdefghij", 4), ["abcd", "efg…"]);
    }
}
