//! SVG charts drawn with plotters: each function returns one self-contained
//! `<svg>` document as a string, with a title, axis labels with units and a
//! legend in a panel right of the plot (never over the data).
//!
//! Report quality: every text is at least 14 px ([`TEXT_PX`]); a time axis
//! can carry calendar labels ([`Tick`]) instead of plain numbers.

mod frame;

use crate::error::Result;
use crate::report::table::readable;
use frame::{
    DESC_PX, Mark, axes, band_labels, bar_axes, draw_svg, error_bar, extent, font, frame, padded,
    palette, shortened,
};
use plotters::prelude::*;

/// The width of every chart, in pixels.
pub const WIDTH: u32 = 900;
/// The height of every chart, in pixels.
pub const HEIGHT: u32 = 480;
/// The smallest text on a chart (tick labels, legend), in pixels.
pub const TEXT_PX: f64 = 15.0;

/// A label on the x axis at a position of the data (a date at midnight, a
/// time of day), drawn instead of plotters' numbers.
pub type Tick = (f64, String);

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

/// Lines on shared axes (a CDF, a time series), with a legend.
///
/// # Errors
/// [`Error::Chart`](crate::Error::Chart) if plotters cannot draw it.
pub fn lines(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<String> {
    lines_on(title, x_label, y_label, series, &[])
}

/// Lines whose x axis is labelled by `ticks` (calendar dates and times,
/// say) instead of numbers.
///
/// # Errors
/// [`Error::Chart`](crate::Error::Chart) if plotters cannot draw it.
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

/// Bars with optional error bars (effects with their confidence
/// intervals), named in the legend, in the order given. A horizontal line
/// marks zero.
///
/// # Errors
/// [`Error::Chart`](crate::Error::Chart) if plotters cannot draw it.
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
/// [`Error::Chart`](crate::Error::Chart) if plotters cannot draw it.
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
        let mut chart = bar_axes(&area, (x0, x1), n, left, x_label)?;
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
/// [`Error::Chart`](crate::Error::Chart) if plotters cannot draw it.
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
/// [`Error::Chart`](crate::Error::Chart) if plotters cannot draw it.
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
        let mut chart = bar_axes(&area, (0.0, x1), n, left, x_label)?;
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
/// [`Error::Chart`](crate::Error::Chart) if plotters cannot draw it.
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
