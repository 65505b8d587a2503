//! What the loop hands back: one [`GenerationResult`] per generation, gathered in a
//! [`ReplicateResult`], or a [`LoopError`].

use serde::Serialize;

use super::curate::{CurationCount, FilterError};
use super::gate::Decision;
use crate::model::FitError;
use crate::provenance::CompositionEntry;
use crate::task::Artifact;

/// What happened at one generation of one replicate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GenerationResult {
    pub generation: u32,
    pub composition: Vec<CompositionEntry>,
    pub decision: Decision,
    /// The gate metric of the candidate model on the validation set (None without a
    /// gate).
    pub candidate_value: Option<f64>,
    /// Generation of the model in service after this generation (differs from
    /// `generation` after a rollback).
    pub deployed: u32,
    /// What each filter kept and dropped, by channel and true origin.
    pub curation: Vec<CurationCount>,
}

/// One replicate's record. Metrics are kept flat, `generations × metric_count`, so a
/// thousand-generation replicate costs one allocation for them, not a thousand.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplicateResult {
    pub replicate: u64,
    pub generations: Vec<GenerationResult>,
    pub metric_count: usize,
    /// Metrics of the model in service after each generation, aligned with the
    /// task's metric list.
    pub metrics: Vec<f64>,
    /// Per-generation records beyond metrics (sample texts, per-sample scores).
    pub artifacts: Vec<(u32, Artifact)>,
}

impl ReplicateResult {
    /// The metrics after `generation`.
    pub fn metrics_at(&self, generation: usize) -> &[f64] {
        &self.metrics[generation * self.metric_count..(generation + 1) * self.metric_count]
    }
}

/// An observer's failure (a store that cannot write, for example).
pub type ObserverError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    #[error("arm `{arm}`, replicate {replicate}, generation {generation}: fit failed: {source}")]
    Fit {
        arm: String,
        replicate: u64,
        generation: u32,
        #[source]
        source: FitError,
    },
    #[error("arm `{arm}`, replicate {replicate}, generation {generation}: the training set is empty; give the regime synthetic samples or fresh data")]
    EmptyTrainingSet {
        arm: String,
        replicate: u64,
        generation: u32,
    },
    #[error("gate metric `{metric}` is not measured by this task; measured: {available}")]
    UnknownGateMetric { metric: String, available: String },
    #[error("arm `{arm}`: {source}")]
    Filter {
        arm: String,
        #[source]
        source: FilterError,
    },
    #[error("arm `{arm}`, replicate {replicate}: {source}")]
    Checkpoint {
        arm: String,
        replicate: u64,
        #[source]
        source: super::checkpoints::CheckpointError,
    },
    #[error("observer failed: {0}")]
    Observer(ObserverError),
}
