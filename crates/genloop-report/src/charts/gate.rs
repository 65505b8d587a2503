//! The gate's decisions: per arm, the share of replicates whose candidate model was
//! rejected at each generation (the model in service was kept: rollback).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_legend, frame, generation_label, generation_range, house_mesh, Key, LegendEntry, OrMessage,
};
use crate::data::ReportData;
use crate::palette;

pub(crate) const CAPTION: &str =
    "Share of replicates in which the gate rejected the generation's candidate \
     model and kept the best accepted one in service. Arms without rejections are left out.";

fn shares(rejected: &[usize], replicates: usize) -> Vec<(f64, f64)> {
    rejected
        .iter()
        .enumerate()
        .map(|(g, r)| (g as f64, 100.0 * *r as f64 / replicates.max(1) as f64))
        .collect()
}

pub(crate) fn draw<DB: DrawingBackend>(
    data: &ReportData,
    plot: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let count = data
        .arms
        .iter()
        .map(|a| a.rejected.len())
        .max()
        .unwrap_or(0);
    let gated: Vec<(usize, &crate::data::ArmData)> = data
        .arms
        .iter()
        .enumerate()
        .filter(|(_, a)| a.rejected.iter().any(|r| *r > 0))
        .collect();
    let top = gated
        .iter()
        .flat_map(|(_, a)| shares(&a.rejected, a.replicates))
        .map(|(_, share)| share)
        .fold(0.0, f64::max);
    let mut chart = frame(plot)
        .build_cartesian_2d(generation_range(count), 0.0..(top * 1.1).clamp(1.0, 100.0))
        .or_msg()?;
    house_mesh(chart.configure_mesh())
        .x_desc("generation")
        .y_desc("replicates rejected (%)")
        .x_labels(count.clamp(2, 11))
        .x_label_formatter(&generation_label)
        .draw()
        .or_msg()?;
    let mut entries = Vec::new();
    for (i, arm) in gated {
        let colour = palette::series(i);
        let points = shares(&arm.rejected, arm.replicates);
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .or_msg()?;
        chart
            .draw_series(
                points
                    .into_iter()
                    .filter(|(_, share)| *share > 0.0)
                    .map(|p| Cross::new(p, 5, colour.stroke_width(2))),
            )
            .or_msg()?;
        entries.push(LegendEntry::new(
            arm.name.clone(),
            Key::Line { colour, width: 2 },
        ));
    }
    draw_legend(legend, &entries)
}
