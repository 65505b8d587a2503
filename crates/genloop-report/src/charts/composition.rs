//! Training-set composition: per generation a stacked bar of the mean training set by
//! pool (original, fresh, synthetic) and generation of origin, lighter for older
//! cohorts. Each arm has its own y axis: accumulating arms grow to many times the
//! size of the others, which would flatten them on a shared one.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_legend, frame, generation_label, generation_range, house_mesh, Key, LegendEntry, OrMessage,
};
use crate::data::{ArmData, ReportData};
use crate::palette;

const POOLS: [&str; 3] = ["original", "fresh", "synthetic"];

pub(crate) fn caption(data: &ReportData) -> String {
    format!(
        "Mean training set of each generation over replicates, in {}: blue = original (the archive), \
         green = fresh human data, vermillion = synthetic data; within a pool, darker = a later \
         generation of origin. Each arm's chart has its own y axis.",
        unit(data)
    )
}

/// What the training-set sizes count: `records` unless the data says otherwise.
pub(crate) fn unit(data: &ReportData) -> &str {
    if data.composition_unit.is_empty() {
        "records"
    } else {
        &data.composition_unit
    }
}

fn pool_rank(pool: &str) -> usize {
    POOLS.iter().position(|p| *p == pool).unwrap_or(POOLS.len())
}

/// One arm's chart, its sizes counted in `unit`.
pub(crate) fn draw<DB: DrawingBackend>(
    arm: &ArmData,
    unit: &str,
    plot: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let count = arm.composition.len();
    let top = arm
        .composition
        .iter()
        .map(|parts| parts.iter().map(|p| p.units).sum::<f64>())
        .fold(0.0, f64::max);
    let mut chart = frame(plot)
        .build_cartesian_2d(generation_range(count), 0.0..(top * 1.05).max(1.0))
        .or_msg()?;
    let y_desc = format!("training set ({unit})");
    house_mesh(chart.configure_mesh())
        .disable_x_mesh()
        .x_desc("generation")
        .y_desc(y_desc)
        .x_labels(count.clamp(2, 11))
        .x_label_formatter(&generation_label)
        .draw()
        .or_msg()?;
    chart.draw_series(bars(arm)).or_msg()?;
    draw_legend(legend, &legend_entries(arm))
}

/// One stacked bar per generation: pools in order, older cohorts first and lighter.
fn bars(arm: &ArmData) -> Vec<Rectangle<(f64, f64)>> {
    let last_origin = arm
        .composition
        .iter()
        .flatten()
        .map(|p| p.origin_generation)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut bars = Vec::new();
    for (g, parts) in arm.composition.iter().enumerate() {
        let mut parts: Vec<_> = parts.iter().filter(|p| p.units > 0.0).collect();
        parts.sort_by_key(|p| (pool_rank(&p.pool), p.origin_generation));
        let mut bottom = 0.0;
        for part in parts {
            // The archive is one cohort; fresh and synthetic data fade with age.
            let age = if part.pool == "original" {
                0.0
            } else {
                1.0 - f64::from(part.origin_generation) / last_origin
            };
            let colour = palette::lighten(palette::pool(&part.pool), 0.6 * age);
            let (x0, x1) = (g as f64 - 0.4, g as f64 + 0.4);
            bars.push(Rectangle::new(
                [(x0, bottom), (x1, bottom + part.units)],
                colour.filled(),
            ));
            bottom += part.units;
        }
    }
    bars
}

/// A swatch per pool present, and one saying what lighter means.
fn legend_entries(arm: &ArmData) -> Vec<LegendEntry> {
    let present: Vec<&str> = POOLS
        .into_iter()
        .filter(|pool| {
            arm.composition
                .iter()
                .flatten()
                .any(|p| p.pool == *pool && p.units > 0.0)
        })
        .collect();
    let mut entries: Vec<LegendEntry> = present
        .iter()
        .map(|pool| {
            LegendEntry::new(
                *pool,
                Key::Swatch {
                    colour: palette::pool(pool),
                },
            )
        })
        .collect();
    if let Some(newest) = present.iter().rev().find(|p| **p != "original") {
        entries.push(LegendEntry::new(
            "lighter: older origin",
            Key::Swatch {
                colour: palette::lighten(palette::pool(newest), 0.6),
            },
        ));
    }
    entries
}
