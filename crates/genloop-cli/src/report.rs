//! `genloop report`: a run folder's store → the report's input ([`ReportData`]) → the
//! pure renderers of `genloop_report` → files, each written atomically. Everything
//! comes from the store (times included), so a finished run's report regenerates
//! byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use genloop_report::{
    ArmData, CompositionPart, MetricInfo, Point, Provenance, Rejection, ReportData, Samples, Scale,
    Scores,
};
use genloop_store::{ExperimentRow, Store};
use rayon::prelude::*;

use crate::args::ReportFormat;
use crate::files::write_atomic;
use crate::runner::STORE_FILE;
use crate::summary::{self, ArmSummary, RunSummary};

/// The HTML report in a run folder.
pub const REPORT_FILE: &str = "report.html";
/// The folder of the plots (`<id>.svg`, `<id>.png`) in a run folder.
pub const PLOTS_DIR: &str = "plots";
/// Store kinds written by text tasks: per-sample perplexity under the generation-0
/// model, and sampled documents.
pub const PERPLEXITY_KIND: &str = "ppl_gen0";
pub const SAMPLE_KIND: &str = "sample";
/// Generations shown in the histograms and sample lists.
const SHOWN_GENERATIONS: usize = 6;
/// Gate rejections kept as examples per arm.
const REJECTION_EXAMPLES: usize = 5;

/// Render the report of the run folder `dir` in `format` and write it; returns the
/// files written. `html` writes `report.html` and every plot as SVG and PNG.
/// A sweep or plan folder (one with `cells.json`) gets the sweep report instead.
pub fn write(dir: &Path, format: ReportFormat) -> anyhow::Result<Vec<PathBuf>> {
    if dir
        .join(crate::commands::sweep::folder::CELLS_FILE)
        .is_file()
    {
        return crate::commands::sweep::report::write(dir, format);
    }
    let store = Store::open(&dir.join(STORE_FILE))?;
    let (run, _) = summary::from_store(&store)?;
    if let Some(unfinished) = &run.unfinished {
        eprintln!("warning: {}: {unfinished}", dir.display());
    }
    write_with_summary(dir, &store, &run, format)
}

/// [`write`] with the aggregates already computed from `store` (as `run` has them).
pub fn write_with_summary(
    dir: &Path,
    store: &Store,
    run: &RunSummary,
    format: ReportFormat,
) -> anyhow::Result<Vec<PathBuf>> {
    let data = data_from_store(store, run)?;
    let figures = genloop_report::figures(&data);
    let plots: Vec<(&genloop_report::Figure, &ReportData)> =
        figures.iter().map(|f| (f, &data)).collect();
    write_files(dir, format, &plots, |svgs| {
        genloop_report::html_with_svgs(&data, &figures, svgs)
    })
}

/// A figure with the data it draws, as the report's files need it.
pub trait Plot: Sync {
    /// The file stem in `plots/`.
    fn id(&self) -> &str;
    fn svg(&self) -> Result<String, genloop_report::Error>;
    fn png(&self) -> Result<Vec<u8>, genloop_report::Error>;
}

impl Plot for (&genloop_report::Figure, &ReportData) {
    fn id(&self) -> &str {
        &self.0.id
    }
    fn svg(&self) -> Result<String, genloop_report::Error> {
        self.0.svg(self.1)
    }
    fn png(&self) -> Result<Vec<u8>, genloop_report::Error> {
        self.0.png(self.1)
    }
}

/// Write the page (`page` gets every plot's SVG, in order) and the plots in `format`;
/// returns the files written. Every plot is rendered once, in parallel: the SVGs
/// (written as files and inlined in the page) beside the PNGs.
pub fn write_files<P: Plot>(
    dir: &Path,
    format: ReportFormat,
    plots: &[P],
    page: impl FnOnce(&[String]) -> Result<String, genloop_report::Error>,
) -> anyhow::Result<Vec<PathBuf>> {
    let path = |plot: &P, ext: &str| dir.join(PLOTS_DIR).join(format!("{}.{ext}", plot.id()));
    let (svgs, pngs) = rayon::join(
        || -> anyhow::Result<Vec<String>> {
            if format == ReportFormat::Png {
                return Ok(Vec::new());
            }
            Ok(plots.par_iter().map(Plot::svg).collect::<Result<_, _>>()?)
        },
        || -> anyhow::Result<Vec<PathBuf>> {
            if format == ReportFormat::Svg {
                return Ok(Vec::new());
            }
            plots
                .par_iter()
                .map(|p| {
                    let png = path(p, "png");
                    write_atomic(&png, &p.png()?)?;
                    Ok(png)
                })
                .collect()
        },
    );
    let (svgs, mut written) = (svgs?, pngs?);
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if format == ReportFormat::Html {
        files.push((dir.join(REPORT_FILE), page(&svgs)?.into_bytes()));
    }
    for (plot, svg) in plots.iter().zip(svgs) {
        files.push((path(plot, "svg"), svg.into_bytes()));
    }
    files
        .par_iter()
        .map(|(file, bytes)| write_atomic(file, bytes))
        .collect::<anyhow::Result<Vec<()>>>()?;
    written.extend(files.into_iter().map(|(file, _)| file));
    Ok(written)
}

/// Everything the report shows, from the store alone and its aggregates
/// (`summary::from_store`).
pub fn data_from_store(store: &Store, run: &RunSummary) -> anyhow::Result<ReportData> {
    let rows = store.experiments()?;
    let first = rows.first().ok_or_else(|| {
        anyhow::anyhow!("{}: the store holds no experiment", store.path().display())
    })?;
    let metrics = store
        .metric_specs(first.id)?
        .into_iter()
        .map(|spec| MetricInfo {
            description: genloop_core::metrics::by_name(&spec.name)
                .map(|m| m.description.to_string())
                .unwrap_or_default(),
            scale: if spec.positive {
                Scale::Auto
            } else {
                Scale::Linear
            },
            name: spec.name,
            unit: spec.unit,
            direction: spec.direction,
        })
        .collect();
    let mut arms = Vec::new();
    let mut token_counts = false;
    for (row, arm) in rows.iter().zip(&run.arms) {
        let (data, tokens) = arm_data(store, row, arm)?;
        token_counts |= tokens;
        arms.push(data);
    }
    Ok(ReportData {
        name: run.name.clone(),
        unfinished: run.unfinished.clone(),
        provenance: provenance(&rows),
        config: first.config.clone(),
        metrics,
        arms,
        composition_unit: if token_counts { "tokens" } else { "records" }.into(),
    })
}

/// The run's stored identity and times: the first arm's start, the last arm's end
/// (None while any arm is unfinished).
fn provenance(rows: &[ExperimentRow]) -> Provenance {
    let first = &rows[0];
    let finished: Option<Vec<&String>> = rows.iter().map(|r| r.finished_at.as_ref()).collect();
    Provenance {
        genloop_version: first.genloop_version.clone(),
        config_hash: first.config_hash.clone(),
        seed: first.seed,
        replicates: first.replicates,
        generations: first.generations,
        started_at: rows
            .iter()
            .map(|r| r.started_at.clone())
            .min()
            .unwrap_or_default(),
        finished_at: finished.and_then(|times| times.into_iter().max().cloned()),
    }
}

/// One arm's report data, and whether its training sets are counted in tokens
/// (units differ from records).
fn arm_data(
    store: &Store,
    row: &ExperimentRow,
    arm: &ArmSummary,
) -> anyhow::Result<(ArmData, bool)> {
    let count = arm.generations.len();
    let (rejected, rejection_examples) = rejections(store, row.id, count)?;
    let (composition, tokens) = composition(store, row.id, count)?;
    let shown = genloop_report::selected_generations(count, SHOWN_GENERATIONS);
    let perplexity = store
        .sample_scores(row.id, PERPLEXITY_KIND)?
        .into_iter()
        .filter(|(g, _)| shown.contains(g))
        .map(|(generation, values)| Scores { generation, values })
        .collect();
    let data = ArmData {
        name: arm.name.clone(),
        regime: arm.regime.clone(),
        replicates: arm.replicates,
        series: series(arm),
        rejected,
        rejection_examples,
        composition,
        perplexity,
        samples: samples(store, row.id, &shown)?,
        curation: arm.curation.clone(),
    };
    Ok((data, tokens))
}

/// Metric name → the summary's aggregates at each generation (NaN where missing).
fn series(arm: &ArmSummary) -> BTreeMap<String, Vec<Point>> {
    let mut series = BTreeMap::new();
    for name in &arm.metric_order {
        let points = arm
            .generations
            .iter()
            .map(|g| {
                g.metrics.get(name).map_or(
                    Point {
                        median: f64::NAN,
                        median_ci95: [f64::NAN; 2],
                        mean: f64::NAN,
                        ci95: [f64::NAN; 2],
                        theory: None,
                        n: 0,
                    },
                    |s| Point {
                        median: s.median,
                        median_ci95: s.median_ci95,
                        mean: s.mean,
                        ci95: s.ci95,
                        theory: s.theory,
                        n: s.n,
                    },
                )
            })
            .collect();
        series.insert(name.clone(), points);
    }
    series
}

/// Per generation, the replicates whose candidate the gate rejected; and the first
/// few rejections with their reasons.
fn rejections(
    store: &Store,
    experiment_id: i64,
    count: usize,
) -> anyhow::Result<(Vec<usize>, Vec<Rejection>)> {
    let rejections = store.rejections(experiment_id)?;
    let mut rejected = vec![0usize; count];
    for (_, generation, _, _) in &rejections {
        if let Some(slot) = rejected.get_mut(*generation as usize) {
            *slot += 1;
        }
    }
    let examples = rejections
        .into_iter()
        .take(REJECTION_EXAMPLES)
        .map(|(replicate, generation, reason, deployed)| Rejection {
            replicate,
            generation,
            reason,
            deployed,
        })
        .collect();
    Ok((rejected, examples))
}

/// The sampled documents of the `shown` generations, from the first replicate that
/// stored any.
fn samples(store: &Store, experiment_id: i64, shown: &[u32]) -> anyhow::Result<Vec<Samples>> {
    let Some(replicate) = store.first_text_replicate(experiment_id, SAMPLE_KIND)? else {
        return Ok(Vec::new());
    };
    Ok(store
        .sample_texts(experiment_id, SAMPLE_KIND, replicate)?
        .into_iter()
        .filter(|(g, _)| shown.contains(g))
        .map(|(generation, texts)| Samples {
            generation,
            replicate,
            texts,
        })
        .collect())
}

/// Mean training set per generation by pool and generation of origin; from the pool
/// totals when the run stored pools only (each part then takes its own generation as
/// origin).
fn composition(
    store: &Store,
    experiment_id: i64,
    count: usize,
) -> anyhow::Result<(Vec<Vec<CompositionPart>>, bool)> {
    let mut parts: Vec<Vec<CompositionPart>> = vec![Vec::new(); count];
    let detailed = store.mean_composition_by_origin(experiment_id)?;
    let tokens = detailed.iter().any(|c| c.units != c.records);
    if detailed.is_empty() {
        for (generation, original, fresh, synthetic) in store.mean_composition(experiment_id)? {
            if let Some(slot) = parts.get_mut(generation as usize) {
                for (pool, units) in [
                    ("original", original),
                    ("fresh", fresh),
                    ("synthetic", synthetic),
                ] {
                    slot.push(CompositionPart {
                        pool: pool.into(),
                        origin_generation: generation,
                        units,
                    });
                }
            }
        }
    }
    for c in detailed {
        if let Some(slot) = parts.get_mut(c.generation as usize) {
            slot.push(CompositionPart {
                pool: c.pool,
                origin_generation: c.origin_generation,
                units: c.units,
            });
        }
    }
    Ok((parts, tokens))
}
