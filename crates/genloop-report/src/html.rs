//! The self-contained HTML report: one file, the plots inline as SVG, no script and
//! no network fetch (a Content-Security-Policy forbids both). Every piece of user or
//! corpus text — config, arm names, gate reasons, sampled documents — goes through
//! minijinja's HTML auto-escaping; only the SVG that plotters wrote (which escapes
//! its own text) is inserted as markup.

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::charts::Figure;
use crate::data::{ArmData, ReportData};
use crate::{palette, Error};

const TEMPLATE: &str = include_str!("templates/report.html");

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
pub fn render(data: &ReportData, figures: &[Figure]) -> Result<String, Error> {
    let mut sections = vec![
        Section {
            id: "metrics",
            title: "Metrics by generation",
            figures: Vec::new(),
        },
        Section {
            id: "gate",
            title: "Gate decisions",
            figures: Vec::new(),
        },
        Section {
            id: "composition",
            title: "Training-set composition",
            figures: Vec::new(),
        },
        Section {
            id: "curation",
            title: "Curation: kept and dropped by filter, channel and true origin",
            figures: Vec::new(),
        },
        Section {
            id: "text",
            title: "Samples under the generation-0 model",
            figures: Vec::new(),
        },
    ];
    for figure in figures {
        let view = FigureView {
            id: figure.id.clone(),
            title: figure.title.clone(),
            caption: figure.caption.clone(),
            svg: figure.svg(data)?,
        };
        if let Some(section) = sections.iter_mut().find(|s| s.id == figure.section) {
            section.figures.push(view);
        }
    }
    let final_generation = data
        .arms
        .iter()
        .flat_map(|a| a.series.values().map(Vec::len))
        .max()
        .unwrap_or(1)
        .saturating_sub(1);
    let view = View {
        data,
        arms: data
            .arms
            .iter()
            .enumerate()
            .map(|(i, a)| arm_view(i, a))
            .collect(),
        summary: summary_rows(data),
        final_generation,
        sections,
        samples: samples(data),
    };
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("report.html", TEMPLATE)?;
    Ok(env.get_template("report.html")?.render(Serde(&view))?)
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

/// A number with 4 significant digits and no trailing zeros; scientific notation when
/// very large or small; `n/a` for a missing value and `∞` for an infinite one.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "n/a".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-3..5).contains(&magnitude) {
        let text = format!("{v:.3e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        return format!("{}e{exponent}", trim_zeros(mantissa));
    }
    let decimals = (3 - magnitude).max(0) as usize;
    trim_zeros(&format!("{v:.decimals$}")).to_string()
}

fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(0.98491), "0.9849");
        assert_eq!(number(0.2), "0.2");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(123.456), "123.5");
        assert_eq!(number(12345.0), "12345");
        assert_eq!(number(0.0001234), "1.234e-4");
        assert_eq!(number(2.0e6), "2e6");
        assert_eq!(number(-0.5), "-0.5");
        assert_eq!(number(f64::NAN), "n/a");
        assert_eq!(number(f64::INFINITY), "∞");
    }

    #[test]
    fn long_samples_are_cut() {
        let text = "a".repeat(SAMPLE_CHARS + 5);
        assert!(shorten(&text).ends_with("(5 more characters)"));
        assert_eq!(shorten("short"), "short");
    }
}
