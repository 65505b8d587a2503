//! The report of a sweep: for each swept parameter and each metric, the final
//! generation's mean against the parameter's values, one line per arm. A point is the
//! mean over the cells with that value (each cell's own mean over its replicates),
//! so it averages over the other parameters and the seeds; its bar spans the smallest
//! and largest of those cell means.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::{
    draw_legend, frame, house_mesh, to_png, to_svg, Canvas, Drawing, Key, LegendEntry, OrMessage,
};
use crate::format::file_safe;
use crate::{palette, Error};

/// What a sweep report shows.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SweepData {
    /// The base config's `name`.
    pub name: String,
    /// Cells in the sweep, and how many of them are finished (only those are shown).
    pub cells: usize,
    pub finished: usize,
    /// The final generation the points are taken at.
    pub generation: usize,
    pub parameters: Vec<SweepParameter>,
}

/// One swept key.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SweepParameter {
    pub key: String,
    /// Its values, as written in the sweep (TOML syntax), in the sweep's order.
    pub values: Vec<String>,
    pub series: Vec<SweepSeries>,
}

/// One arm's line for one metric: a point per value (None where no cell has it).
#[derive(Clone, Debug, Default, Serialize)]
pub struct SweepSeries {
    pub metric: String,
    pub arm: String,
    pub points: Vec<Option<SweepPoint>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SweepPoint {
    /// Mean over cells of the cells' means.
    pub mean: f64,
    /// Smallest and largest cell mean.
    pub low: f64,
    pub high: f64,
    pub cells: usize,
}

/// One figure of a sweep report: a metric against a parameter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepFigure {
    /// File stem and HTML id: `sweep-regime.fresh-variance_ratio` made file-safe.
    pub id: String,
    pub title: String,
    pub caption: String,
    pub parameter: usize,
    pub metric: String,
    pub width: u32,
    pub height: u32,
}

/// Every figure: each parameter against each metric that has a finite point.
pub fn sweep_figures(data: &SweepData) -> Vec<SweepFigure> {
    let mut out = Vec::new();
    for (p, parameter) in data.parameters.iter().enumerate() {
        let mut metrics: Vec<&str> = Vec::new();
        for series in &parameter.series {
            if !metrics.contains(&series.metric.as_str()) {
                metrics.push(&series.metric);
            }
        }
        for metric in metrics {
            out.push(SweepFigure {
                id: format!("sweep-{}-{}", file_safe(&parameter.key), file_safe(metric)),
                title: format!("{metric} at generation {} by {}", data.generation, parameter.key),
                caption: format!(
                    "Final-generation {metric} against {}: per arm, the mean over the cells with that value (over the other parameters and seeds) of each cell's mean over its replicates; bars span the smallest and largest cell mean.",
                    parameter.key
                ),
                parameter: p,
                metric: metric.to_string(),
                width: 960,
                height: 420,
            });
        }
    }
    out
}

impl SweepFigure {
    pub fn svg(&self, data: &SweepData) -> Result<String, Error> {
        to_svg(&self.canvas(), &(self, data))
    }

    pub fn png(&self, data: &SweepData) -> Result<Vec<u8>, Error> {
        to_png(&self.canvas(), &(self, data))
    }

    fn canvas(&self) -> Canvas<'_> {
        Canvas {
            id: &self.id,
            title: &self.title,
            width: self.width,
            height: self.height,
        }
    }
}

impl Drawing for (&SweepFigure, &SweepData) {
    fn draw<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Shift>,
        legend: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        let (figure, data) = *self;
        let parameter = &data.parameters[figure.parameter];
        let lines: Vec<(usize, &SweepSeries)> = parameter
            .series
            .iter()
            .filter(|s| s.metric == figure.metric)
            .enumerate()
            .collect();
        let finite = lines
            .iter()
            .flat_map(|(_, s)| s.points.iter().flatten())
            .flat_map(|p| [p.low, p.high])
            .filter(|v| v.is_finite());
        let (min, max) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let (lo, hi) = match (min.is_finite(), min < max) {
            (false, _) => (0.0, 1.0),
            (true, true) => (min - 0.05 * (max - min), max + 0.05 * (max - min)),
            (true, false) => (
                min - 0.1 * min.abs().max(1e-9),
                max + 0.1 * max.abs().max(1e-9),
            ),
        };
        let count = parameter.values.len();
        let mut chart = frame(plot)
            .build_cartesian_2d(-0.5..(count as f64 - 0.5), lo..hi)
            .or_msg()?;
        let label = |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                parameter
                    .values
                    .get(i as usize)
                    .cloned()
                    .unwrap_or_default()
            } else {
                String::new()
            }
        };
        house_mesh(chart.configure_mesh())
            .x_desc(parameter.key.as_str())
            .y_desc(figure.metric.as_str())
            .x_labels(count.clamp(2, 12) + 1)
            .y_labels(8)
            .x_label_formatter(&label)
            .draw()
            .or_msg()?;
        for (i, series) in &lines {
            let colour = palette::series(*i);
            let points: Vec<(f64, SweepPoint)> = series
                .points
                .iter()
                .enumerate()
                .filter_map(|(x, p)| p.filter(|p| p.mean.is_finite()).map(|p| (x as f64, p)))
                .collect();
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|(x, p)| (*x, p.mean)),
                    colour.stroke_width(2),
                ))
                .or_msg()?;
            chart
                .draw_series(points.iter().map(|(x, p)| {
                    PathElement::new(vec![(*x, p.low), (*x, p.high)], colour.stroke_width(2))
                }))
                .or_msg()?;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|(x, p)| Circle::new((*x, p.mean), 4, colour.filled())),
                )
                .or_msg()?;
        }
        let entries: Vec<LegendEntry> = lines
            .iter()
            .map(|(i, s)| {
                LegendEntry::new(
                    s.arm.clone(),
                    Key::Line {
                        colour: palette::series(*i),
                        width: 2,
                    },
                )
            })
            .collect();
        draw_legend(legend, &entries)
    }
}
