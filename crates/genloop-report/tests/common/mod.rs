//! A small run, built by hand: three arms over six generations, two metrics, one arm
//! with closed-form predictions, one with gate rejections, composition, and the text
//! artefacts (perplexity scores, sampled documents).

#![allow(dead_code)]

use genloop_report::{
    ArmData, CompositionPart, MetricInfo, Point, Provenance, Rejection, ReportData, Samples, Scale,
    Scores,
};

pub const GENERATIONS: usize = 6;
pub const SCRIPT: &str = "<script>alert(1)</script>";
pub const IMG: &str = "\"><img src=x onerror=alert(1)>";

pub fn point(median: f64, theory: Option<f64>) -> Point {
    Point {
        median,
        median_ci95: [median * 0.8, median * 1.2],
        mean: median * 1.1,
        ci95: [median * 0.9, median * 1.3],
        theory,
        n: 20,
    }
}

/// Deterministic pseudo-random numbers in (0, 1) (a 64-bit LCG, Knuth's constants).
fn uniforms(seed: u64, count: usize) -> Vec<f64> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        })
        .collect()
}

fn composition(kind: &str) -> Vec<Vec<CompositionPart>> {
    let part = |pool: &str, origin: u32, units: f64| CompositionPart {
        pool: pool.into(),
        origin_generation: origin,
        units,
    };
    (0..GENERATIONS as u32)
        .map(|g| match (kind, g) {
            (_, 0) => vec![part("original", 0, 100.0)],
            ("replace", g) => vec![part("synthetic", g - 1, 100.0)],
            (_, g) => {
                let mut parts = vec![part("original", 0, 100.0), part("fresh", g, 20.0)];
                parts.extend((0..g).map(|o| part("synthetic", o, 100.0)));
                parts
            }
        })
        .collect()
}

/// The fixture; `names` are the three arm names (config order).
pub fn fixture_named(names: [&str; 3]) -> ReportData {
    let mut arms = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let mut arm = ArmData {
            name: name.to_string(),
            regime: ["replace", "accumulate", "replace"][i].into(),
            replicates: 20,
            rejected: vec![0; GENERATIONS],
            composition: composition(["replace", "accumulate", "replace"][i]),
            ..Default::default()
        };
        // Variance: the first arm collapses geometrically (and has a closed form).
        let variance: Vec<Point> = (0..GENERATIONS)
            .map(|g| match i {
                0 => point(0.5f64.powi(g as i32), Some(1.1 * 0.5f64.powi(g as i32))),
                1 => point(1.0 - 0.01 * g as f64, None),
                _ => point(0.9 + 0.01 * g as f64, None),
            })
            .collect();
        let nll: Vec<Point> = (0..GENERATIONS)
            .map(|g| point(1.4 + 0.1 * (i * g) as f64, None))
            .collect();
        arm.series.insert("variance_ratio".into(), variance);
        arm.series.insert("holdout_nll".into(), nll);
        if i == 2 {
            arm.rejected = vec![0, 3, 10, 0, 20, 5];
            arm.rejection_examples = vec![Rejection {
                replicate: 0,
                generation: 1,
                reason: format!("holdout_nll worse than the best {SCRIPT} {IMG}"),
                deployed: 0,
            }];
        }
        arm.perplexity = [0u32, 2, 5]
            .iter()
            .map(|&g| Scores {
                generation: g,
                values: uniforms(u64::from(g) + 10 * i as u64, 400)
                    .into_iter()
                    .map(|u| 20.0 + 30.0 * u / (1.0 + g as f64))
                    .collect(),
            })
            .collect();
        arm.samples = [0u32, 5]
            .iter()
            .map(|&g| Samples {
                generation: g,
                replicate: 0,
                texts: vec![
                    format!("generation {g} says {SCRIPT}"),
                    format!("and {IMG} too"),
                ],
            })
            .collect();
        arms.push(arm);
    }
    ReportData {
        name: "fixture".into(),
        unfinished: None,
        provenance: Provenance {
            genloop_version: "0.1.0".into(),
            config_hash: "0123456789abcdef".into(),
            seed: 7,
            replicates: 20,
            generations: GENERATIONS,
            started_at: "2026-01-02T03:04:05Z".into(),
            finished_at: Some("2026-01-02T03:04:09Z".into()),
        },
        config: format!("name = \"fixture\"\n# {SCRIPT}\n# {IMG}\n"),
        metrics: vec![
            MetricInfo {
                name: "variance_ratio".into(),
                unit: "ratio".into(),
                direction: "target:1".into(),
                description: "tr Σ̂ / tr Σ₀".into(),
                scale: Scale::Auto,
            },
            MetricInfo {
                name: "holdout_nll".into(),
                unit: "nats per record".into(),
                direction: "lower_is_better".into(),
                description: String::new(),
                scale: Scale::Linear,
            },
        ],
        arms,
        composition_unit: "records".into(),
    }
}

pub fn fixture() -> ReportData {
    fixture_named(["replace", "accumulate", "gated"])
}

/// One SVG element as plotters writes it: its tag and attributes.
#[derive(Debug)]
pub struct Element {
    pub tag: String,
    pub attributes: Vec<(String, String)>,
}

impl Element {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Number of points of a polyline.
    pub fn points(&self) -> usize {
        self.get("points")
            .map_or(0, |p| p.split_whitespace().count())
    }
}

/// Every element of `tag` in `svg` (plotters writes one element per line, attributes
/// in double quotes).
pub fn elements(svg: &str, tag: &str) -> Vec<Element> {
    let open = format!("<{tag} ");
    svg.match_indices(&open)
        .map(|(start, _)| {
            let rest = &svg[start + open.len()..];
            let end = rest.find('>').unwrap_or(rest.len());
            let mut attributes = Vec::new();
            let mut text = &rest[..end];
            while let Some(eq) = text.find("=\"") {
                let key = text[..eq].trim().to_string();
                let after = &text[eq + 2..];
                let close = after.find('"').unwrap_or(after.len());
                attributes.push((key, after[..close].to_string()));
                text = &after[(close + 1).min(after.len())..];
            }
            Element {
                tag: tag.to_string(),
                attributes,
            }
        })
        .collect()
}

/// The text content of every `<text>` element.
pub fn texts(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .map(|chunk| {
            let start = chunk.find('>').map_or(0, |i| i + 1);
            let end = chunk.find("</text>").unwrap_or(chunk.len());
            chunk[start..end].trim().to_string()
        })
        .collect()
}
