//! The frame every chart shares: the canvas, the title, the legend panel
//! right of the plot (long labels on two lines), axes whose numbers are
//! [`readable`] and whose x labels may be given ([`Tick`]), labels at the
//! left of horizontal bars, error bars, padded ranges, the palette.

use super::{HEIGHT, Series, TEXT_PX, Tick, WIDTH};
use crate::error::{Error, Result};
use crate::report::table::readable;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Axis descriptions, in pixels.
pub(super) const DESC_PX: f64 = 16.0;
/// The title, in pixels.
pub(super) const TITLE_PX: f64 = 21.0;

/// A font `px` pixels high in the SVG (plotters writes a font's size
/// divided by 1.24).
pub(super) fn font(px: f64) -> TextStyle<'static> {
    ("sans-serif", px * 1.24).into_font().color(&BLACK)
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub(super) enum Mark {
    Line(RGBColor),
    Box(RGBAColor),
    Dot(RGBAColor),
}

/// The colour of the `i`-th series (Tableau 10, repeating).
pub(super) fn palette(i: usize) -> RGBColor {
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
pub(super) type Canvas<'b> = DrawingArea<SVGBackend<'b>, Shift>;

/// One chart as an SVG document: a white canvas of [`WIDTH`] x
/// [`HEIGHT`] on which `draw` draws; its error names the chart by `title`.
pub(super) fn draw_svg(
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
pub(super) fn shortened(text: &str, max: usize) -> String {
    let c: Vec<char> = text.chars().collect();
    if c.len() > max {
        format!("{}…", c[..max - 1].iter().collect::<String>())
    } else {
        text.to_string()
    }
}

/// The characters of a line of the legend.
pub(super) const LEGEND_CHARS: usize = 30;

/// `text` on at most two lines of at most `max` characters, broken after
/// a space, else an underscore, where it can be, the rest shortened.
pub(super) fn wrapped(text: &str, max: usize) -> Vec<String> {
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
pub(super) fn frame<'b>(
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
pub(super) type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Axes on numeric x and y ranges with axis descriptions, numbers written
/// by [`readable`]; with `ticks`, the x axis carries those labels (and a
/// grid line at each) instead of numbers.
pub(super) fn axes<'a, 'b>(
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

/// Axes of a horizontal-bar plot: numbers on the x axis from `x0` to
/// `x1` (written by [`readable`]), `n` bands on the y axis with room at
/// the left for labels of up to `left` characters ([`band_labels`]).
pub(super) fn bar_axes<'a, 'b>(
    area: &'a Canvas<'b>,
    (x0, x1): (f64, f64),
    n: usize,
    left: usize,
    x_label: &str,
) -> std::result::Result<Chart<'a, 'b>, String> {
    let mut chart = ChartBuilder::on(area)
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
    Ok(chart)
}

/// Labels at the left of a horizontal-bar plot, one per band from the
/// top (band `i` spans `n - 1 - i .. n - i` on the y axis).
pub(super) fn band_labels(
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
pub(super) fn padded(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
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
pub(super) fn extent(series: &[Series]) -> ((f64, f64), (f64, f64)) {
    let points = || series.iter().flat_map(|s| s.points.iter());
    (
        padded(points().map(|p| p.0), false),
        padded(points().map(|p| p.1), true),
    )
}

/// Draws a bar's error bar, vertical at `x` or horizontal at `y`.
pub(super) fn error_bar(
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
