//! The self-contained HTML report: one file, the plots inline as SVG, no script and
//! no network fetch (a Content-Security-Policy forbids both). Every piece of user or
//! corpus text — config, arm names, gate reasons, sampled documents — goes through
//! minijinja's HTML auto-escaping; only the SVG that plotters wrote (which escapes
//! its own text) is inserted as markup.

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::charts::sweep::{SweepData, SweepFigure};
use crate::charts::Figure;
use crate::data::{ArmData, ReportData};
use crate::format::number;
use crate::{palette, Error};

const TEMPLATE: &str = include_str!("templates/report.html");
const SWEEP_TEMPLATE: &str = include_str!("templates/sweep.html");
/// The style sheet both pages include.
const STYLE: &str = include_str!("templates/style.css");

/// Sampled documents longer than this many characters are cut in the report.
const SAMPLE_CHARS: usize = 600;
/// Documents shown per arm and generation.
const SAMPLES_SHOWN: usize = 3;
/// Gate rejections listed per arm.
const REJECTIONS_SHOWN: usize = 5;

#[derive(Serialize)]
struct View<'a> {
    data: &'a ReportData,
    arms: Vec<ArmView<'a>>,
    summary: Vec<MetricRows<'a>>,
    final_generation: usize,
    sections: Vec<Section>,
    samples: Vec<SampleArm<'a>>,
}

#[derive(Serialize)]
struct ArmView<'a> {
    name: &'a str,
    regime: &'a str,
    replicates: usize,
    colour: String,
    rejected: usize,
    rejections: Vec<RejectionView<'a>>,
    curation: Vec<CurationView<'a>>,
}

#[derive(Serialize)]
struct CurationView<'a> {
    filter: u32,
    kind: &'a str,
    outcome: &'a str,
    pool: &'a str,
    origin: &'a str,
    records: String,
    units: String,
}

#[derive(Serialize)]
struct RejectionView<'a> {
    replicate: u64,
    generation: u32,
    deployed: u32,
    reason: &'a str,
}

#[derive(Serialize)]
struct MetricRows<'a> {
    name: &'a str,
    unit: &'a str,
    direction: &'a str,
    rows: Vec<SummaryRow<'a>>,
}

#[derive(Serialize)]
struct SummaryRow<'a> {
    arm: &'a str,
    colour: String,
    first: String,
    last: String,
    last_mean: String,
    theory: String,
    n: usize,
}

#[derive(Serialize)]
struct Section {
    id: &'static str,
    title: &'static str,
    figures: Vec<FigureView>,
}

#[derive(Serialize)]
struct FigureView {
    id: String,
    title: String,
    caption: String,
    svg: String,
}

#[derive(Serialize)]
struct SampleArm<'a> {
    arm: &'a str,
    generations: Vec<SampleGeneration>,
}

#[derive(Serialize)]
struct SampleGeneration {
    generation: u32,
    replicate: u64,
    texts: Vec<String>,
}

/// The report as one HTML document, with `figures` (from [`crate::figures`]) inline.
pub fn render(data: &ReportData, figures: &[Figure], svgs: &[String]) -> Result<String, Error> {
    let view = View {
        data,
        arms: data
            .arms
            .iter()
            .enumerate()
            .map(|(i, a)| arm_view(i, a))
            .collect(),
        summary: summary_rows(data),
        final_generation: final_generation(data),
        sections: sections(figures, svgs),
        samples: samples(data),
    };
    render_page("report.html", TEMPLATE, &view)
}

/// Render `template` with the shared style sheet, HTML-escaping every value.
fn render_page(
    name: &'static str,
    template: &'static str,
    view: &impl Serialize,
) -> Result<String, Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".css") {
            AutoEscape::None
        } else {
            AutoEscape::Html
        }
    });
    env.add_template("style.css", STYLE)?;
    env.add_template(name, template)?;
    Ok(env.get_template(name)?.render(Serde(view))?)
}

#[derive(Serialize)]
struct SweepView<'a> {
    data: &'a SweepData,
    version: &'static str,
    sections: Vec<SweepSection<'a>>,
}

/// One swept parameter's figures.
#[derive(Serialize)]
struct SweepSection<'a> {
    key: &'a str,
    values: String,
    figures: Vec<FigureView>,
}

/// The report of a sweep as one HTML document, with `figures` (from
/// [`crate::sweep_figures`]) inline, grouped by parameter.
pub fn render_sweep(
    data: &SweepData,
    figures: &[SweepFigure],
    svgs: &[String],
) -> Result<String, Error> {
    let mut sections: Vec<SweepSection> = data
        .parameters
        .iter()
        .map(|p| SweepSection {
            key: &p.key,
            values: p.values.join(", "),
            figures: Vec::new(),
        })
        .collect();
    for (figure, svg) in figures.iter().zip(svgs) {
        sections[figure.parameter].figures.push(FigureView {
            id: figure.id.clone(),
            title: figure.title.clone(),
            caption: figure.caption.clone(),
            svg: svg.clone(),
        });
    }
    let view = SweepView {
        data,
        version: env!("CARGO_PKG_VERSION"),
        sections,
    };
    render_page("sweep.html", SWEEP_TEMPLATE, &view)
}

/// The report's sections in order, each with its figures as SVG.
fn sections(figures: &[Figure], svgs: &[String]) -> Vec<Section> {
    let mut sections: Vec<Section> = [
        ("metrics", "Metrics by generation"),
        ("gate", "Gate decisions"),
        ("composition", "Training-set composition"),
        (
            "curation",
            "Curation: kept and dropped by filter, channel and true origin",
        ),
        ("text", "Samples under the generation-0 model"),
    ]
    .into_iter()
    .map(|(id, title)| Section {
        id,
        title,
        figures: Vec::new(),
    })
    .collect();
    for (figure, svg) in figures.iter().zip(svgs) {
        let view = FigureView {
            id: figure.id.clone(),
            title: figure.title.clone(),
            caption: figure.caption.clone(),
            svg: svg.clone(),
        };
        if let Some(section) = sections.iter_mut().find(|s| s.id == figure.section) {
            section.figures.push(view);
        }
    }
    sections
}

/// The last generation of the longest series.
fn final_generation(data: &ReportData) -> usize {
    data.arms
        .iter()
        .flat_map(|a| a.series.values().map(Vec::len))
        .max()
        .unwrap_or(1)
        .saturating_sub(1)
}

fn arm_view(i: usize, arm: &ArmData) -> ArmView<'_> {
    ArmView {
        name: &arm.name,
        regime: &arm.regime,
        replicates: arm.replicates,
        colour: palette::hex(palette::series(i)),
        rejected: arm.rejected.iter().sum(),
        rejections: arm
            .rejection_examples
            .iter()
            .take(REJECTIONS_SHOWN)
            .map(|r| RejectionView {
                replicate: r.replicate,
                generation: r.generation,
                deployed: r.deployed,
                reason: &r.reason,
            })
            .collect(),
        curation: arm
            .curation
            .iter()
            .map(|c| CurationView {
                filter: c.filter,
                kind: &c.kind,
                outcome: &c.outcome,
                pool: &c.pool,
                origin: &c.origin,
                records: number(c.records),
                units: number(c.units),
            })
            .collect(),
    }
}

fn summary_rows(data: &ReportData) -> Vec<MetricRows<'_>> {
    data.metrics
        .iter()
        .map(|metric| MetricRows {
            name: &metric.name,
            unit: &metric.unit,
            direction: &metric.direction,
            rows: data
                .arms
                .iter()
                .enumerate()
                // Arms that never measured the metric (no detector, say) have no row.
                .filter(|(_, arm)| crate::charts::metric::has_data(arm, &metric.name))
                .filter_map(|(i, arm)| {
                    let points = arm.series.get(&metric.name)?;
                    let (first, last) = (points.first()?, points.last()?);
                    Some(SummaryRow {
                        arm: &arm.name,
                        colour: palette::hex(palette::series(i)),
                        first: with_interval(first.median, first.median_ci95),
                        last: with_interval(last.median, last.median_ci95),
                        last_mean: with_interval(last.mean, last.ci95),
                        theory: last.theory.map(number).unwrap_or_default(),
                        n: last.n,
                    })
                })
                .collect(),
        })
        .filter(|metric| !metric.rows.is_empty())
        .collect()
}

fn with_interval(value: f64, interval: [f64; 2]) -> String {
    format!(
        "{} [{}, {}]",
        number(value),
        number(interval[0]),
        number(interval[1])
    )
}

fn samples(data: &ReportData) -> Vec<SampleArm<'_>> {
    data.arms
        .iter()
        .filter(|a| !a.samples.is_empty())
        .map(|arm| SampleArm {
            arm: &arm.name,
            generations: arm
                .samples
                .iter()
                .map(|s| SampleGeneration {
                    generation: s.generation,
                    replicate: s.replicate,
                    texts: s
                        .texts
                        .iter()
                        .take(SAMPLES_SHOWN)
                        .map(|t| shorten(t))
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn shorten(text: &str) -> String {
    let count = text.chars().count();
    if count <= SAMPLE_CHARS {
        text.to_string()
    } else {
        let kept: String = text.chars().take(SAMPLE_CHARS).collect();
        format!("{kept} … ({} more characters)", count - SAMPLE_CHARS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_samples_are_cut() {
        let text = "a".repeat(SAMPLE_CHARS + 5);
        assert!(shorten(&text).ends_with("(5 more characters)"));
        assert_eq!(shorten("short"), "short");
    }
}
