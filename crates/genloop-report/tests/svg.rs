//! Structural checks of the figures: axes, one median line and band per arm, the
//! closed form dashed where it exists, gate markers, stacked composition bars, the
//! perplexity histograms, PNG output, escaping and determinism.

mod common;

use common::{elements, fixture, fixture_named, texts, IMG, SCRIPT};
use genloop_report::{arm_colour, figures, Figure, ReportData, Scale};

fn figure<'a>(all: &'a [Figure], id: &str) -> &'a Figure {
    all.iter().find(|f| f.id == id).unwrap_or_else(|| {
        panic!(
            "no figure `{id}` among {:?}",
            all.iter().map(|f| &f.id).collect::<Vec<_>>()
        )
    })
}

/// The legend panel starts here: the rightmost 240 pixels of a 960-pixel figure.
const LEGEND_X: f64 = 720.0;

fn first_x(e: &common::Element) -> f64 {
    e.get("points")
        .and_then(|p| p.split(',').next())
        .and_then(|x| x.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Polylines of the plot area (not the legend) drawn in `colour` with stroke width
/// `width`.
fn polylines(svg: &str, colour: &str, width: &str) -> Vec<common::Element> {
    elements(svg, "polyline")
        .into_iter()
        .filter(|e| e.get("stroke") == Some(colour) && e.get("stroke-width") == Some(width))
        .filter(|e| first_x(e) < LEGEND_X)
        .collect()
}

#[test]
fn the_figures_are_one_per_metric_gate_composition_and_histogram() {
    let data = fixture();
    let ids: Vec<String> = figures(&data).into_iter().map(|f| f.id).collect();
    assert_eq!(
        ids,
        [
            "metric-variance_ratio",
            "metric-holdout_nll",
            "gate",
            "composition-0-replace",
            "composition-1-accumulate",
            "composition-2-gated",
            "perplexity-0-replace",
            "perplexity-1-accumulate",
            "perplexity-2-gated",
        ]
    );
    // Numeric runs have no text artefacts, runs without rejections no gate chart.
    let mut plain = fixture();
    for arm in &mut plain.arms {
        arm.perplexity.clear();
        arm.samples.clear();
        arm.rejected.iter_mut().for_each(|r| *r = 0);
    }
    let ids: Vec<String> = figures(&plain).into_iter().map(|f| f.id).collect();
    assert!(
        ids.iter()
            .all(|id| !id.starts_with("perplexity") && id != "gate"),
        "{ids:?}"
    );
}

#[test]
fn metric_chart_has_labelled_axes_a_median_and_band_per_arm_and_the_theory_dashed() {
    let data = fixture();
    let all = figures(&data);
    let svg = figure(&all, "metric-variance_ratio").svg(&data).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let labels = texts(&svg);
    for needed in [
        "generation",
        "variance_ratio (ratio)",
        "replace",
        "accumulate",
        "gated",
    ] {
        assert!(
            labels.iter().any(|t| t == needed),
            "no text `{needed}` in {labels:?}"
        );
    }
    // Generation ticks 0..5 on the x axis.
    for g in 0..common::GENERATIONS {
        assert!(labels.iter().any(|t| *t == g.to_string()), "no tick {g}");
    }
    // Axes: plotters draws each axis as a line or polyline in the text colour.
    let axes = elements(&svg, "polyline")
        .into_iter()
        .chain(elements(&svg, "line"))
        .filter(|e| e.get("stroke") == Some("#222222"))
        .count();
    assert!(axes >= 2, "axes missing");
    for (i, arm) in data.arms.iter().enumerate() {
        let colour = arm_colour(i);
        // The median: one line through every generation.
        let medians: Vec<_> = polylines(&svg, &colour, "2")
            .into_iter()
            .filter(|p| p.points() == common::GENERATIONS)
            .collect();
        assert_eq!(medians.len(), 1, "arm {}: one median line", arm.name);
        // The band: one translucent polygon.
        let bands = elements(&svg, "polygon")
            .into_iter()
            .filter(|p| p.get("fill") == Some(colour.as_str()) && p.get("opacity") == Some("0.2"))
            .count();
        assert_eq!(bands, 1, "arm {}: one band", arm.name);
        // The closed form: dashes (many short polylines) and a thin mean line, only
        // for the arm that has one.
        let dashes = polylines(&svg, &colour, "2").len() - 1;
        let means = polylines(&svg, &colour, "1").len();
        if i == 0 {
            assert!(dashes >= 5, "theory dashed: {dashes} dashes");
            assert_eq!(means, 1);
        } else {
            assert_eq!(
                (dashes, means),
                (0, 0),
                "arm {} has no closed form",
                arm.name
            );
        }
    }
    // Series count: as many distinct median colours as arms.
    let mut colours: Vec<String> = elements(&svg, "polyline")
        .into_iter()
        .filter(|p| p.points() == common::GENERATIONS && p.get("stroke-width") == Some("2"))
        .filter_map(|p| p.get("stroke").map(str::to_string))
        .collect();
    colours.sort();
    colours.dedup();
    assert_eq!(colours.len(), data.arms.len());
    // Gate markers: crosses (two strokes each) in the gated arm's colour at the four
    // generations with rejections.
    let crosses = elements(&svg, "line")
        .into_iter()
        .filter(|l| l.get("stroke") == Some(arm_colour(2).as_str()))
        .count();
    assert!(crosses >= 8, "gate crosses: {crosses} strokes");
}

#[test]
fn variances_spanning_a_decade_get_a_log_axis() {
    let data = fixture();
    let all = figures(&data);
    let variance = figure(&all, "metric-variance_ratio");
    assert!(
        variance.caption.contains("Logarithmic"),
        "{}",
        variance.caption
    );
    let log_labels = texts(&variance.svg(&data).unwrap());
    let mut linear = fixture();
    linear.metrics[0].scale = Scale::Linear;
    let linear_all = figures(&linear);
    let linear_figure = figure(&linear_all, "metric-variance_ratio");
    assert!(!linear_figure.caption.contains("Logarithmic"));
    assert_ne!(log_labels, texts(&linear_figure.svg(&linear).unwrap()));
    // Decades label a log axis.
    assert!(log_labels.iter().any(|t| t == "0.1"), "{log_labels:?}");
    // The NLL stays linear.
    assert!(!figure(&all, "metric-holdout_nll")
        .caption
        .contains("Logarithmic"));
}

#[test]
fn composition_stacks_pools_and_cohorts() {
    let data = fixture();
    let all = figures(&data);
    let svg = figure(&all, "composition-1-accumulate").svg(&data).unwrap();
    let labels = texts(&svg);
    assert!(
        labels.iter().any(|t| t == "training set (records)"),
        "{labels:?}"
    );
    let rects: Vec<_> = elements(&svg, "rect")
        .into_iter()
        .filter(|r| r.get("opacity") == Some("1") && r.get("fill") != Some("#FFFFFF"))
        .collect();
    // Generation 0: original; g ≥ 1: original + fresh + g synthetic cohorts; plus
    // four legend swatches.
    let bars: usize = 1 + (1..common::GENERATIONS).map(|g| 2 + g).sum::<usize>();
    assert_eq!(rects.len(), bars + 4, "{} rects", rects.len());
    for pool in ["original", "fresh", "synthetic"] {
        assert!(labels.iter().any(|t| t == pool), "legend names {pool}");
    }
    // Cohorts of different origin have different shades.
    let mut fills: Vec<&str> = rects.iter().filter_map(|r| r.get("fill")).collect();
    fills.sort_unstable();
    fills.dedup();
    assert!(fills.len() >= 7, "{fills:?}");
}

#[test]
fn perplexity_histograms_share_their_axes() {
    let data = fixture();
    let all = figures(&data);
    let first = figure(&all, "perplexity-0-replace").svg(&data).unwrap();
    let second = figure(&all, "perplexity-1-accumulate").svg(&data).unwrap();
    let ticks = |svg: &str| -> Vec<String> {
        texts(svg)
            .into_iter()
            .filter(|t| t.parse::<f64>().is_ok())
            .collect()
    };
    assert_eq!(
        ticks(&first),
        ticks(&second),
        "same bins and axes in every arm"
    );
    let labels = texts(&first);
    // A logarithmic perplexity axis (issue 12: a linear one squeezed the long tail).
    assert!(labels
        .iter()
        .any(|t| t == "density per unit of log₁₀ perplexity"));
    assert!(labels
        .iter()
        .any(|t| t == "perplexity under the generation-0 model (log scale)"));
    for g in [0, 2, 5] {
        assert!(
            labels
                .iter()
                .any(|t| t.starts_with(&format!("generation {g} "))),
            "legend names generation {g}"
        );
    }
}

#[test]
fn png_renders_with_text_and_is_deterministic() {
    let data = fixture();
    for figure in figures(&data) {
        let bytes = figure.png(&data).unwrap();
        assert_eq!(
            bytes,
            figure.png(&data).unwrap(),
            "{} is deterministic",
            figure.id
        );
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (figure.width, figure.height));
        // Not blank: many colours (anti-aliased text and lines), many non-white pixels.
        let mut colours: Vec<&[u8]> = pixels.chunks(3).collect();
        let ink = colours.iter().filter(|c| **c != [255, 255, 255]).count();
        colours.sort_unstable();
        colours.dedup();
        assert!(
            colours.len() > 30,
            "{}: {} colours",
            figure.id,
            colours.len()
        );
        assert!(ink > 5_000, "{}: {ink} non-white pixels", figure.id);
        // Text is drawn: the title's row (top 30 px) has dark pixels.
        let width = figure.width as usize;
        let dark_title = pixels[..30 * width * 3]
            .chunks(3)
            .filter(|c| c.iter().all(|v| *v < 100))
            .count();
        assert!(dark_title > 50, "{}: title not drawn", figure.id);
    }
}

#[test]
fn svg_is_deterministic_and_escapes_names() {
    let data: ReportData = fixture_named([SCRIPT, IMG, "plain"]);
    for figure in figures(&data) {
        let svg = figure.svg(&data).unwrap();
        assert_eq!(
            svg,
            figure.svg(&data).unwrap(),
            "{} is deterministic",
            figure.id
        );
        assert!(
            !svg.contains("<script") && !svg.contains("<img"),
            "{} leaks markup",
            figure.id
        );
        // File names stay plain.
        assert!(
            figure
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_+.".contains(c)),
            "{}",
            figure.id
        );
    }
    let svg = figures(&data)[0].svg(&data).unwrap();
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the name is shown as text"
    );
}
