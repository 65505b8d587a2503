//! Histograms of per-sample perplexity under the generation-0 model, one outline per
//! selected generation (Shumailov et al. 2024, Fig. 1b): as generations pass, samples
//! the first model finds likely pile up and the tail of unlikely ones thins. Every
//! arm's chart has the same bins and axes.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_legend, frame, house_mesh, value_label, Key, LegendEntry, OrMessage};
use crate::data::ReportData;
use crate::palette;

pub(crate) const CAPTION: &str = "Density of the perplexity that the generation-0 model assigns to each \
     sample of the selected generations, over all replicates. Bins and axes are shared by every arm; \
     the 0.5 % most extreme values at each end are left out of the range.";

const BINS: usize = 40;

/// The shared binning: the central 99 % of every finite value of every arm.
fn range(data: &ReportData) -> Option<(f64, f64)> {
    let mut all: Vec<f64> = data
        .arms
        .iter()
        .flat_map(|a| a.perplexity.iter().flat_map(|s| s.values.iter().copied()))
        .filter(|v| v.is_finite())
        .collect();
    if all.is_empty() {
        return None;
    }
    all.sort_by(f64::total_cmp);
    let at = |q: f64| all[((all.len() - 1) as f64 * q).round() as usize];
    let (lo, hi) = (at(0.005), at(0.995));
    Some(if lo < hi {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    })
}

/// Density per bin: count / (all finite values of the generation × bin width).
fn densities(values: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    let width = (hi - lo) / BINS as f64;
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let mut counts = vec![0usize; BINS];
    for v in &finite {
        if *v >= lo && *v <= hi {
            counts[(((v - lo) / width) as usize).min(BINS - 1)] += 1;
        }
    }
    let total = finite.len().max(1) as f64;
    counts
        .into_iter()
        .map(|c| c as f64 / (total * width))
        .collect()
}

/// The generations shown, in order, over every arm: they share one colour each.
fn shown_generations(data: &ReportData) -> Vec<u32> {
    let mut generations: Vec<u32> = data
        .arms
        .iter()
        .flat_map(|a| a.perplexity.iter().map(|s| s.generation))
        .collect();
    generations.sort_unstable();
    generations.dedup();
    generations
}

pub(crate) fn draw<DB: DrawingBackend>(
    data: &ReportData,
    a: usize,
    plot: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let (lo, hi) = range(data).unwrap_or((0.0, 1.0));
    let top = data
        .arms
        .iter()
        .flat_map(|a| a.perplexity.iter())
        .flat_map(|s| densities(&s.values, lo, hi))
        .fold(0.0, f64::max);
    let mut chart = frame(plot)
        .build_cartesian_2d(lo..hi, 0.0..(top * 1.05).max(f64::MIN_POSITIVE))
        .or_msg()?;
    house_mesh(chart.configure_mesh())
        .x_desc("perplexity under the generation-0 model")
        .y_desc("density")
        .x_label_formatter(&value_label)
        .draw()
        .or_msg()?;
    let generations = shown_generations(data);
    let mut entries = Vec::new();
    for scores in &data.arms[a].perplexity {
        let k = generations
            .iter()
            .position(|g| *g == scores.generation)
            .unwrap_or(0);
        let colour = palette::series(k);
        let outline = outline(&densities(&scores.values, lo, hi), lo, hi);
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline.clone(),
                colour.mix(0.12).filled(),
            )))
            .or_msg()?;
        chart
            .draw_series(LineSeries::new(outline, colour.stroke_width(2)))
            .or_msg()?;
        entries.push(LegendEntry::new(
            format!(
                "generation {} (n = {})",
                scores.generation,
                scores.values.len()
            ),
            Key::Line { colour, width: 2 },
        ));
    }
    draw_legend(legend, &entries)
}

/// The outline of a histogram of `density` per bin over lo..hi, closed on the axis.
fn outline(density: &[f64], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let width = (hi - lo) / BINS as f64;
    let mut outline = vec![(lo, 0.0)];
    for (b, d) in density.iter().enumerate() {
        let x0 = lo + b as f64 * width;
        outline.extend([(x0, *d), (x0 + width, *d)]);
    }
    outline.push((hi, 0.0));
    outline
}
