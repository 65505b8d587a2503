//! Per-generation aggregates of a run, computed from its store alone: mean, median,
//! mean of log, the 95 % intervals of the mean and the median, and the closed-form
//! prediction.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use genloop_config::{self as config, prediction, Experiment};
use genloop_core::aggregate::{Aggregator, Summary};
use genloop_core::seed::RootSeed;
use genloop_store::{ExperimentRow, Store, StoredMetric};

#[derive(Clone, Debug, Serialize)]
pub struct MetricSummary {
    pub mean: f64,
    pub median: f64,
    pub mean_log: Option<f64>,
    /// 95 % interval of the mean (Student t; a percentile bootstrap when
    /// `output.bootstrap` > 0).
    pub ci95: [f64; 2],
    /// 95 % bootstrap interval of the median (exact, `aggregate::bootstrap_median_ci`).
    pub median_ci95: [f64; 2],
    pub std_error: f64,
    pub n: usize,
    pub theory: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GenerationSummary {
    pub generation: usize,
    pub metrics: BTreeMap<String, MetricSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ArmSummary {
    pub name: String,
    pub regime: String,
    pub replicates: usize,
    /// Generations the gate rejected, over all replicates.
    pub rejected: usize,
    /// Metric names in the task's order.
    pub metric_order: Vec<String>,
    pub generations: Vec<GenerationSummary>,
    /// What each filter kept and dropped (mean records and units per replicate,
    /// summed over generations), by outcome, channel (`pool`) and true `origin`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub curation: Vec<genloop_store::CurationTotal>,
}

/// The `--json` document: `generations` is the first arm's (the only one for a
/// single-arm config); `arms` holds every arm.
#[derive(Clone, Debug, Serialize)]
pub struct RunSummary {
    pub name: String,
    /// What an unfinished run lacks (absent once every arm has finished).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfinished: Option<String>,
    pub generations: Vec<GenerationSummary>,
    pub arms: Vec<ArmSummary>,
}

/// Aggregate every arm stored in `store`.
pub fn from_store(store: &Store) -> anyhow::Result<(RunSummary, Experiment)> {
    let rows = store.experiments()?;
    let first = rows.first().ok_or_else(|| {
        anyhow::anyhow!("{}: the store holds no experiment", store.path().display())
    })?;
    let experiment = config::from_toml(&first.config, "stored config")?;
    let mut arms = Vec::new();
    for row in &rows {
        let a = experiment
            .arms
            .iter()
            .position(|a| a.name == row.arm)
            .ok_or_else(|| {
                anyhow::anyhow!("stored arm `{}` is not in the stored config", row.arm)
            })?;
        arms.push(arm_summary(store, row, &experiment, a)?);
    }
    let summary = RunSummary {
        name: experiment.name.clone(),
        unfinished: unfinished(store, &rows, &experiment)?,
        generations: arms
            .first()
            .map(|a| a.generations.clone())
            .unwrap_or_default(),
        arms,
    };
    Ok((summary, experiment))
}

/// What `store`'s run lacks, or None when it is finished (see [`unfinished`]).
pub fn unfinished_run(store: &Store) -> anyhow::Result<Option<String>> {
    let rows = store.experiments()?;
    let Some(first) = rows.first() else {
        return Ok(Some("unfinished run: no arm has started".into()));
    };
    let experiment = config::from_toml(&first.config, "stored config")?;
    unfinished(store, &rows, &experiment)
}

/// `unfinished run: arm accumulate has 144 of 400 replicates, arm recipe has not
/// started; ...`, or None when every arm of the config has finished.
fn unfinished(
    store: &Store,
    rows: &[ExperimentRow],
    experiment: &Experiment,
) -> anyhow::Result<Option<String>> {
    let mut missing = Vec::new();
    for arm in &experiment.arms {
        match rows.iter().find(|r| r.arm == arm.name) {
            Some(row) if row.finished_at.is_some() => {}
            Some(row) => missing.push(format!(
                "arm {} has {} of {} replicates",
                arm.name,
                store.completed_replicates(row.id)?.len(),
                row.replicates
            )),
            None => missing.push(format!("arm {} has not started", arm.name)),
        }
    }
    Ok((!missing.is_empty()).then(|| {
        format!(
            "unfinished run: {}; these figures cover only what is finished (rerun with --resume to complete it)",
            missing.join(", ")
        )
    }))
}

/// The aggregates of arm `a` of `experiment`, stored as `row`.
fn arm_summary(
    store: &Store,
    row: &ExperimentRow,
    experiment: &Experiment,
    a: usize,
) -> anyhow::Result<ArmSummary> {
    let arm = &experiment.arms[a];
    let specs = store.metric_specs(row.id)?;
    let matrices: Vec<Vec<Vec<f64>>> = specs
        .iter()
        .map(|s| store.metric_matrix(row.id, &s.name))
        .collect::<Result<_, _>>()?;
    let generations = matrices.first().map_or(0, |m| m.len());
    let mut per_generation: Vec<GenerationSummary> = (0..generations)
        .map(|generation| GenerationSummary {
            generation,
            metrics: BTreeMap::new(),
        })
        .collect();
    for ((g, m), s) in summarize_cells(experiment, &row.arm, &specs, &matrices) {
        let name = &specs[m].name;
        let theory = prediction::expected(experiment, arm, name, g);
        per_generation[g]
            .metrics
            .insert(name.clone(), MetricSummary::new(s, theory));
    }
    Ok(ArmSummary {
        name: row.arm.clone(),
        regime: arm.regime.kind.name().to_string(),
        replicates: store.completed_replicates(row.id)?.len(),
        rejected: store.rejections(row.id)?.len(),
        metric_order: specs.iter().map(|s| s.name.clone()).collect(),
        generations: per_generation,
        curation: store.curation_totals(row.id)?,
    })
}

/// Every (generation, metric) cell of `matrices` (`[metric][generation][replicate]`)
/// summarised, in parallel; with `output.bootstrap` > 0 each cell resamples from its
/// own stream, `bootstrap/<arm>/<metric>` at the generation.
fn summarize_cells(
    experiment: &Experiment,
    arm: &str,
    specs: &[StoredMetric],
    matrices: &[Vec<Vec<f64>>],
) -> Vec<((usize, usize), Summary)> {
    let seed = RootSeed(experiment.settings.seed);
    let aggregator = Aggregator::new(experiment.bootstrap);
    let generations = matrices.first().map_or(0, |m| m.len());
    let cells: Vec<(usize, usize)> = (0..generations)
        .flat_map(|g| (0..specs.len()).map(move |m| (g, m)))
        .collect();
    let summaries: Vec<Summary> = cells
        .par_iter()
        .map(|&(g, m)| {
            let values = matrices[m].get(g).map_or(&[][..], Vec::as_slice);
            aggregator.summarize(values, specs[m].positive, || {
                seed.stream(&format!("bootstrap/{arm}/{}", specs[m].name), 0, g as u64)
            })
        })
        .collect();
    cells.into_iter().zip(summaries).collect()
}

impl MetricSummary {
    /// A metric's aggregates at one generation and its closed-form prediction.
    fn new(s: Summary, theory: Option<f64>) -> MetricSummary {
        MetricSummary {
            mean: s.mean,
            median: s.median,
            mean_log: s.mean_log,
            ci95: s.ci95,
            median_ci95: s.median_ci95,
            std_error: s.std_error,
            n: s.n,
            theory,
        }
    }
}

/// Headline metrics for the text table, in order of preference.
const HEADLINE: &[&str] = &[
    "variance_ratio",
    "mean_sq_error",
    "param_error",
    "test_mse",
    "holdout_cross_entropy",
    "entropy",
    "support_size",
    "kl_to_truth",
    "vocab_survival",
    "holdout_nll",
];

fn number(v: f64) -> String {
    if !v.is_finite() {
        format!("{v}")
    } else if v != 0.0 && (v.abs() >= 1e4 || v.abs() < 1e-3) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

/// A human-readable table per arm: mean [95 % interval] and, where a closed form
/// applies, the prediction in parentheses.
pub fn render_text(summary: &RunSummary) -> String {
    let mut out = String::new();
    if let Some(unfinished) = &summary.unfinished {
        let _ = writeln!(out, "{unfinished}");
    }
    let _ = writeln!(
        out,
        "{}: mean over replicates [95 % interval] (closed-form prediction)",
        summary.name
    );
    for arm in &summary.arms {
        let metrics: Vec<&str> = HEADLINE
            .iter()
            .copied()
            .filter(|m| arm.metric_order.iter().any(|n| n == m))
            .take(3)
            .collect();
        let _ = writeln!(
            out,
            "\n== {} (regime {}, {} replicates{})",
            arm.name,
            arm.regime,
            arm.replicates,
            if arm.rejected > 0 {
                format!(", gate rejected {} generations", arm.rejected)
            } else {
                String::new()
            }
        );
        let mut header = format!("{:>5}", "gen");
        for m in &metrics {
            let _ = write!(header, "  {:<42}", m);
        }
        let _ = writeln!(out, "{}", header.trim_end());
        for g in text_table_generations(arm.generations.len()) {
            let mut line = format!("{g:>5}");
            for m in &metrics {
                let cell = match arm.generations[g].metrics.get(*m) {
                    Some(s) => {
                        let mut cell = format!(
                            "{} [{}, {}]",
                            number(s.mean),
                            number(s.ci95[0]),
                            number(s.ci95[1])
                        );
                        if let Some(t) = s.theory {
                            let _ = write!(cell, " ({})", number(t));
                        }
                        cell
                    }
                    None => "-".into(),
                };
                let _ = write!(line, "  {cell:<42}");
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        render_curation(&mut out, arm);
    }
    out
}

/// Per filter: records kept and dropped per replicate, human vs machine (true
/// origin), and the synthetic share before and after curation at the last
/// generation.
fn render_curation(out: &mut String, arm: &ArmSummary) {
    if arm.curation.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "   curation (records per replicate, all generations): filter  kept human/machine  dropped human/machine"
    );
    let mut filters: Vec<(u32, &str)> = arm
        .curation
        .iter()
        .map(|c| (c.filter, c.kind.as_str()))
        .collect();
    filters.dedup();
    for (filter, kind) in filters {
        let sum = |kept: bool, machine: bool| -> f64 {
            arm.curation
                .iter()
                .filter(|c| {
                    c.filter == filter
                        && (c.outcome == "kept") == kept
                        && (c.origin == "synthetic") == machine
                })
                .map(|c| c.records)
                .fold(0.0, |a, b| a + b)
        };
        let _ = writeln!(
            out,
            "   {:>2} {:<18} {:>10} / {:<10} {:>10} / {:<10}",
            filter,
            kind,
            number(sum(true, false)),
            number(sum(true, true)),
            number(sum(false, false)),
            number(sum(false, true)),
        );
    }
    if let Some(last) = arm.generations.last() {
        let share = |name: &str| last.metrics.get(name).map(|s| s.mean);
        if let (Some(before), Some(after)) = (
            share("synthetic_share_before"),
            share("synthetic_share_after"),
        ) {
            let _ = writeln!(
                out,
                "   synthetic share of the training set at generation {}: {} before curation, {} after",
                last.generation,
                number(before),
                number(after)
            );
        }
    }
}

/// Generations shown in the text table: 0, 1, 2, 5, 10, 20, 50, … and the last.
fn text_table_generations(count: usize) -> Vec<usize> {
    genloop_report::selected_generations(count, usize::MAX)
        .into_iter()
        .map(|g| g as usize)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_shown() {
        assert_eq!(text_table_generations(50), vec![0, 1, 2, 5, 10, 20, 49]);
        assert_eq!(text_table_generations(1), vec![0]);
        assert_eq!(text_table_generations(3), vec![0, 1, 2]);
    }
}
