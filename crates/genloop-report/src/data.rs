//! The report's input: everything the plots and the HTML show, already aggregated.
//! The caller (the `genloop` binary) fills it from a run's store; nothing here reads
//! files, the clock or the environment.

use std::collections::BTreeMap;

use serde::Serialize;

pub use genloop_core::aggregate::CurationTotal;

/// One run, as the report shows it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReportData {
    /// The config's `name`.
    pub name: String,
    /// What an unfinished run lacks; the report says so before anything else.
    pub unfinished: Option<String>,
    pub provenance: Provenance,
    /// The config text, byte for byte.
    pub config: String,
    /// Metrics in the order the task declares them.
    pub metrics: Vec<MetricInfo>,
    /// Arms in config order.
    pub arms: Vec<ArmData>,
    /// What the training-set sizes count: "records" (numeric data) or "tokens" (text).
    pub composition_unit: String,
}

/// Where the results come from: only stored values, never the time of rendering, so
/// the report of a finished run regenerates byte for byte.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Provenance {
    pub genloop_version: String,
    /// FNV-1a 64 of the config text, hex.
    pub config_hash: String,
    pub seed: u64,
    pub replicates: usize,
    pub generations: usize,
    /// UTC, ISO 8601, as stored when the first arm started.
    pub started_at: String,
    /// UTC, ISO 8601, as stored when the last arm finished; None while unfinished.
    pub finished_at: Option<String>,
}

/// A metric's declaration.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MetricInfo {
    /// Stable name (`variance_ratio`, …).
    pub name: String,
    pub unit: String,
    /// `lower_is_better`, `higher_is_better` or `target:<value>`.
    pub direction: String,
    /// One-line meaning, shown in the caption; may be empty.
    pub description: String,
    pub scale: Scale,
}

/// The y axis of a metric's plot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    #[default]
    Linear,
    Log,
    /// Log when every plotted value is positive and they span a factor of 10 or more
    /// (variances under `replace` shrink geometrically).
    Auto,
}

/// One arm: its aggregates per metric and generation, gate decisions, training-set
/// composition and, for text runs, per-sample scores and sample documents.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ArmData {
    /// As the config names it.
    pub name: String,
    pub regime: String,
    /// Replicates stored.
    pub replicates: usize,
    /// Metric name → one point per generation.
    pub series: BTreeMap<String, Vec<Point>>,
    /// Per generation: replicates whose candidate the gate rejected.
    pub rejected: Vec<usize>,
    /// A few rejections with their stored reasons.
    pub rejection_examples: Vec<Rejection>,
    /// Per generation: the mean training set, by pool and generation of origin.
    pub composition: Vec<Vec<CompositionPart>>,
    /// Per-sample perplexity under the generation-0 model, for selected generations
    /// (store kind `ppl_gen0`); empty when the run has none.
    pub perplexity: Vec<Scores>,
    /// Sampled documents for selected generations (store kind `sample`); empty when
    /// the run has none.
    pub samples: Vec<Samples>,
    /// What each curation filter kept and dropped; empty without filters.
    pub curation: Vec<CurationTotal>,
}

/// Aggregates of one metric at one generation across replicates.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Point {
    pub median: f64,
    /// 95 % bootstrap interval of the median (exact, from order statistics).
    pub median_ci95: [f64; 2],
    pub mean: f64,
    /// 95 % interval of the mean (Student t, or a percentile bootstrap).
    pub ci95: [f64; 2],
    /// Closed-form expectation (of the mean) where one applies.
    pub theory: Option<f64>,
    /// Replicates with a value.
    pub n: usize,
}

/// A generation the gate rejected in one replicate.
#[derive(Clone, Debug, Serialize)]
pub struct Rejection {
    pub replicate: u64,
    pub generation: u32,
    pub reason: String,
    /// The generation of the model kept in service instead.
    pub deployed: u32,
}

/// Mean size of one part of a training set.
#[derive(Clone, Debug, Serialize)]
pub struct CompositionPart {
    /// `original`, `fresh` or `synthetic`.
    pub pool: String,
    pub origin_generation: u32,
    pub units: f64,
}

/// Per-sample scores of one generation, over all replicates.
#[derive(Clone, Debug, Serialize)]
pub struct Scores {
    pub generation: u32,
    pub values: Vec<f64>,
}

/// Sampled documents of one generation of one replicate.
#[derive(Clone, Debug, Serialize)]
pub struct Samples {
    pub generation: u32,
    pub replicate: u64,
    pub texts: Vec<String>,
}
