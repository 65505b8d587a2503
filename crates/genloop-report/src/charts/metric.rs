//! A metric against generation: per arm the median across replicates with its 95 %
//! band, and where a closed form applies the mean (thin) beside the prediction
//! (dashed), which is an expectation; crosses mark generations the gate rejected.

use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_legend, frame, generation_label, generation_range, house_mesh, runs, Key, LegendEntry,
    OrMessage,
};
use crate::data::{ArmData, MetricInfo, Point, ReportData, Scale};
use crate::palette;

pub(crate) fn title(metric: &MetricInfo) -> String {
    if metric.unit.is_empty() {
        metric.name.clone()
    } else {
        format!("{} ({})", metric.name, metric.unit)
    }
}

pub(crate) fn caption(data: &ReportData, m: usize) -> String {
    let metric = &data.metrics[m];
    let mut caption = String::new();
    if !metric.description.is_empty() {
        caption.push_str(&metric.description);
        caption.push_str(". ");
    }
    caption.push_str("Solid: median across replicates; band: its 95 % bootstrap interval.");
    if data.arms.iter().any(|a| has_theory(a, &metric.name)) {
        caption.push_str(
            " Dashed: the closed-form expectation, which predicts the mean (thin line), not the median.",
        );
    }
    if data.arms.iter().any(|a| a.rejected.iter().any(|r| *r > 0)) {
        caption.push_str(
            " ×: generations the gate rejected in some replicates (larger: more of them).",
        );
    }
    if let Some((value, _)) = reference(&metric.name) {
        caption.push_str(&format!(" Grey dashed: {value}, chance level."));
    }
    if log_scale(data, m) {
        caption.push_str(" Logarithmic y axis.");
    }
    caption.extend(empty_reason(data, &metric.name));
    caption
}

/// Reference levels drawn as a grey dashed line: (metric, value, legend label).
const REFERENCES: &[(&str, f64, &str)] = &[("detector_auroc", 0.5, "chance (0.5)")];

fn reference(metric: &str) -> Option<(f64, &'static str)> {
    REFERENCES
        .iter()
        .find(|(name, _, _)| *name == metric)
        .map(|(_, value, label)| (*value, *label))
}

/// Whether `arm` measured `metric` in some generation (a series of n = 0 points is
/// an arm without, e.g., a detector).
pub(crate) fn has_data(arm: &ArmData, metric: &str) -> bool {
    arm.series
        .get(metric)
        .is_some_and(|points| points.iter().any(|p| p.n > 0))
}

/// Why a chart is empty, when it is.
fn empty_reason(data: &ReportData, metric: &str) -> Option<&'static str> {
    if !plotted(data, metric).is_empty() {
        return None;
    }
    let infinite = data.arms.iter().any(|a| {
        a.series
            .get(metric)
            .is_some_and(|points| points.iter().any(|p| p.n > 0 && p.median.is_infinite()))
    });
    Some(if infinite {
        " Nothing is drawn: every median is infinite (for example, a categorical fit that gave a category of the truth probability 0 has infinite KL to the truth and holdout NLL)."
    } else {
        " Nothing is drawn: no arm measured this metric."
    })
}

fn has_theory(arm: &ArmData, metric: &str) -> bool {
    arm.series
        .get(metric)
        .is_some_and(|points| points.iter().any(|p| p.theory.is_some_and(f64::is_finite)))
}

fn generations(data: &ReportData, metric: &str) -> usize {
    data.arms
        .iter()
        .filter_map(|a| a.series.get(metric).map(Vec::len))
        .max()
        .unwrap_or(0)
}

/// Every value the chart plots, for its y range.
fn plotted(data: &ReportData, metric: &str) -> Vec<f64> {
    let mut values = Vec::new();
    for arm in &data.arms {
        let theory = has_theory(arm, metric);
        for p in arm.series.get(metric).into_iter().flatten() {
            values.extend([p.median, p.median_ci95[0], p.median_ci95[1]]);
            if theory {
                values.push(p.mean);
                values.extend(p.theory);
            }
        }
    }
    values.retain(|v| v.is_finite());
    if !values.is_empty() {
        values.extend(reference(metric).map(|(value, _)| value));
    }
    values
}

fn log_scale(data: &ReportData, m: usize) -> bool {
    let metric = &data.metrics[m];
    match metric.scale {
        Scale::Linear => false,
        Scale::Log => plotted(data, &metric.name).iter().any(|v| *v > 0.0),
        Scale::Auto => {
            let values = plotted(data, &metric.name);
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            !values.is_empty() && min > 0.0 && max / min >= 10.0
        }
    }
}

pub(crate) fn draw<DB: DrawingBackend>(
    data: &ReportData,
    m: usize,
    plot: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let metric = &data.metrics[m];
    let count = generations(data, &metric.name);
    let log = log_scale(data, m);
    let mut values = plotted(data, &metric.name);
    if log {
        values.retain(|v| *v > 0.0);
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut builder = frame(plot);
    let y_desc = title(metric);
    if log {
        let (lo, hi) = if min < max {
            (min / 1.15, max * 1.15)
        } else {
            (min / 2.0, min * 2.0)
        };
        let mut chart = builder
            .build_cartesian_2d(generation_range(count), (lo..hi).log_scale())
            .or_msg()?;
        body(&mut chart, data, &metric.name, count, &y_desc, log)?;
    } else {
        let (lo, hi) = if !values.is_empty() && min < max {
            let pad = 0.05 * (max - min);
            (min - pad, max + pad)
        } else if !values.is_empty() {
            let pad = if min == 0.0 { 1.0 } else { 0.1 * min.abs() };
            (min - pad, min + pad)
        } else {
            (0.0, 1.0)
        };
        let mut chart = builder
            .build_cartesian_2d(generation_range(count), lo..hi)
            .or_msg()?;
        body(&mut chart, data, &metric.name, count, &y_desc, log)?;
    }
    draw_legend(legend, &legend_entries(data, &metric.name))
}

fn legend_entries(data: &ReportData, metric: &str) -> Vec<LegendEntry> {
    let mut entries: Vec<LegendEntry> = data
        .arms
        .iter()
        .enumerate()
        .filter(|(_, a)| has_data(a, metric))
        .map(|(i, a)| {
            LegendEntry::new(
                a.name.clone(),
                Key::Band {
                    colour: palette::series(i),
                },
            )
        })
        .collect();
    entries.push(LegendEntry::new(
        "median, 95 % band",
        Key::Line {
            colour: palette::TEXT,
            width: 2,
        },
    ));
    if data.arms.iter().any(|a| has_theory(a, metric)) {
        entries.push(LegendEntry::new(
            "mean",
            Key::Line {
                colour: palette::TEXT,
                width: 1,
            },
        ));
        entries.push(LegendEntry::new(
            "closed form (expectation)",
            Key::Dashed {
                colour: palette::TEXT,
            },
        ));
    }
    if let Some((_, label)) = reference(metric) {
        entries.push(LegendEntry::new(
            label,
            Key::Dashed {
                colour: palette::REFERENCE,
            },
        ));
    }
    if data.arms.iter().any(|a| a.rejected.iter().any(|r| *r > 0)) {
        entries.push(LegendEntry::new(
            "gate rejected",
            Key::Cross {
                colour: palette::TEXT,
            },
        ));
    }
    entries
}

fn body<DB, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    data: &ReportData,
    metric: &str,
    count: usize,
    y_desc: &str,
    log: bool,
) -> Result<(), String>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    house_mesh(chart.configure_mesh())
        .x_desc("generation")
        .y_desc(y_desc)
        .x_labels(count.clamp(2, 11))
        .y_labels(8)
        .x_label_formatter(&generation_label)
        .draw()
        .or_msg()?;
    // Log axes cannot show zero or negative values: they break the lines there.
    let shown = |v: f64| v.is_finite() && (!log || v > 0.0);
    if let Some((value, _)) = reference(metric).filter(|(value, _)| shown(*value)) {
        let range = generation_range(count);
        let line = vec![(range.start, value), (range.end, value)];
        chart
            .draw_series(DashedLineSeries::new(
                line,
                5,
                5,
                palette::REFERENCE.stroke_width(2),
            ))
            .or_msg()?;
    }
    for (i, arm) in data.arms.iter().enumerate() {
        let Some(points) = arm.series.get(metric) else {
            continue;
        };
        let colour = palette::series(i);
        for polygon in band(points, colour, &shown) {
            chart.draw_series(std::iter::once(polygon)).or_msg()?;
        }
        let line = |pick: fn(&Point) -> Option<f64>| segments(points, pick, &shown);
        for segment in line(|p| Some(p.median)) {
            chart
                .draw_series(LineSeries::new(segment.clone(), colour.stroke_width(2)))
                .or_msg()?;
            if count <= 12 {
                chart
                    .draw_series(
                        segment
                            .into_iter()
                            .map(|p| Circle::new(p, 3, colour.filled())),
                    )
                    .or_msg()?;
            }
        }
        if has_theory(arm, metric) {
            for segment in line(|p| Some(p.mean)) {
                chart
                    .draw_series(LineSeries::new(segment, colour.stroke_width(1)))
                    .or_msg()?;
            }
            for segment in line(|p| p.theory) {
                chart
                    .draw_series(DashedLineSeries::new(segment, 7, 5, colour.stroke_width(2)))
                    .or_msg()?;
            }
        }
        chart
            .draw_series(rejections(arm, points, colour, &shown))
            .or_msg()?;
    }
    Ok(())
}

/// The 95 % band of the median, one polygon per run of shown generations.
fn band(
    points: &[Point],
    colour: RGBColor,
    shown: &dyn Fn(f64) -> bool,
) -> Vec<Polygon<(f64, f64)>> {
    let x = |g: usize| g as f64;
    let mut polygons = Vec::new();
    for run in runs(points.len(), |g| {
        shown(points[g].median_ci95[0]) && shown(points[g].median_ci95[1])
    }) {
        if run.len() < 2 {
            continue;
        }
        let mut outline: Vec<(f64, f64)> = run
            .clone()
            .map(|g| (x(g), points[g].median_ci95[1]))
            .collect();
        outline.extend(run.clone().rev().map(|g| (x(g), points[g].median_ci95[0])));
        polygons.push(Polygon::new(outline, colour.mix(0.2).filled()));
    }
    polygons
}

/// The line of `pick` over generations, broken where it is missing or not shown.
fn segments(
    points: &[Point],
    pick: fn(&Point) -> Option<f64>,
    shown: &dyn Fn(f64) -> bool,
) -> Vec<Vec<(f64, f64)>> {
    runs(points.len(), |g| pick(&points[g]).is_some_and(shown))
        .into_iter()
        .map(|run| {
            run.map(|g| (g as f64, pick(&points[g]).unwrap_or(f64::NAN)))
                .collect()
        })
        .collect()
}

/// Crosses on the median where the gate rejected, larger for more replicates.
fn rejections(
    arm: &ArmData,
    points: &[Point],
    colour: RGBColor,
    shown: &dyn Fn(f64) -> bool,
) -> Vec<Cross<(f64, f64), i32>> {
    arm.rejected
        .iter()
        .enumerate()
        .filter(|(g, r)| **r > 0 && *g < points.len() && shown(points[*g].median))
        .map(|(g, r)| {
            let share = *r as f64 / arm.replicates.max(1) as f64;
            let size = 3 + (5.0 * share.min(1.0)).round() as i32;
            Cross::new((g as f64, points[g].median), size, colour.stroke_width(2))
        })
        .collect()
}
