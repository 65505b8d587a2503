//! Histograms of per-sample perplexity under the generation-0 model, one outline per
//! selected generation (Shumailov et al. 2024, Fig. 1b): as generations pass, samples
//! the first model finds likely pile up and the tail of unlikely ones thins. Every
//! arm's chart has the same bins and axes. Perplexities have a long right tail, so the
//! bins are of equal width in log₁₀ perplexity and the x axis is logarithmic (a linear
//! axis squeezed the bulk into a few bins).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_legend, frame, house_mesh, value_label, Key, LegendEntry, OrMessage};
use crate::data::ReportData;
use crate::palette;

pub(crate) const CAPTION: &str = "Density of the perplexity that the generation-0 model assigns to each \
     sample of the selected generations, over all replicates, on a logarithmic x axis (bins of equal \
     width in log₁₀ perplexity). Bins and axes are shared by every arm; the 0.5 % most extreme values \
     at each end are left out of the range.";

const BINS: usize = 40;

/// log₁₀ of the positive finite values (a perplexity is at least 1).
fn logs(values: &[f64]) -> Vec<f64> {
    values
        .iter()
        .filter(|v| v.is_finite() && **v > 0.0)
        .map(|v| v.log10())
        .collect()
}

/// The shared binning, in log₁₀ perplexity: the central 99 % of every value of every
/// arm.
fn range(data: &ReportData) -> Option<(f64, f64)> {
    let mut all: Vec<f64> = data
        .arms
        .iter()
        .flat_map(|a| a.perplexity.iter().flat_map(|s| logs(&s.values)))
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

/// Density per bin of log₁₀ perplexity: count / (all values of the generation × bin
/// width).
fn densities(values: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    let width = (hi - lo) / BINS as f64;
    let finite = logs(values);
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
    let (from, to) = (10f64.powf(lo), 10f64.powf(hi));
    let x_range = (from..to).log_scale().with_key_points(log_ticks(from, to));
    let mut chart = frame(plot)
        .build_cartesian_2d(x_range, 0.0..(top * 1.05).max(f64::MIN_POSITIVE))
        .or_msg()?;
    house_mesh(chart.configure_mesh())
        .x_desc("perplexity under the generation-0 model (log scale)")
        .y_desc("density per unit of log₁₀ perplexity")
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

/// Round tick values within `from..=to` for a logarithmic axis: the first of 1, 1-2-5
/// and 1…9 times the powers of ten that gives at least 4, else 5 values evenly spaced
/// in log and rounded to two significant digits (a range inside one decade).
fn log_ticks(from: f64, to: f64) -> Vec<f64> {
    let decades = from.log10().floor() as i32..=to.log10().ceil() as i32;
    for mantissas in [
        &[1.0][..],
        &[1.0, 2.0, 5.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    ] {
        let ticks: Vec<f64> = decades
            .clone()
            .flat_map(|d| mantissas.iter().map(move |m| m * 10f64.powi(d)))
            .filter(|t| (from..=to).contains(t))
            .collect();
        if ticks.len() >= 4 {
            return ticks;
        }
    }
    let (a, b) = (from.log10(), to.log10());
    let mut ticks: Vec<f64> = (0..5)
        .map(|i| {
            let v = 10f64.powf(a + (b - a) * (i as f64 + 0.5) / 5.0);
            let scale = 10f64.powi(v.log10().floor() as i32 - 1);
            (v / scale).round() * scale
        })
        .filter(|t| (from..=to).contains(t))
        .collect();
    ticks.dedup();
    ticks
}

/// The outline of a histogram of `density` per bin over lo..hi (log₁₀ units), closed
/// on the axis, in perplexity units for the logarithmic axis.
fn outline(density: &[f64], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let width = (hi - lo) / BINS as f64;
    let at = |log: f64| 10f64.powf(log);
    let mut outline = vec![(at(lo), 0.0)];
    for (b, d) in density.iter().enumerate() {
        let x0 = lo + b as f64 * width;
        outline.extend([(at(x0), *d), (at(x0 + width), *d)]);
    }
    outline.push((at(hi), 0.0));
    outline
}

#[cfg(test)]
mod tests {
    use super::log_ticks;

    #[test]
    fn log_ticks_are_round_and_inside_the_range() {
        assert_eq!(log_ticks(3.0, 20_000.0), [10.0, 100.0, 1000.0, 10_000.0]);
        assert_eq!(log_ticks(3.0, 120.0), [5.0, 10.0, 20.0, 50.0, 100.0]);
        let narrow = log_ticks(22.4, 44.7);
        assert!(narrow.len() >= 3, "{narrow:?}");
        assert!(narrow
            .iter()
            .all(|t| (22.4..=44.7).contains(t) && t.fract() == 0.0));
    }
}
