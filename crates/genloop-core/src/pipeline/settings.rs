//! What a run is told: run-wide sizes and seed ([`RunSettings`]), and the arms it
//! compares ([`Arm`]).

use serde::Serialize;

use super::curate::{BuildFilter, Chain, FilterSpec};
use super::gate::GateSpec;
use super::mix::RegimeSpec;
use super::pools::contamination::ContaminationSpec;
use super::results::LoopError;
use crate::metrics::MetricSpec;
use crate::model::Sampling;
use crate::task::Task;

/// Run-wide sizes and seed, shared by every arm.
#[derive(Clone, Debug, Serialize)]
pub struct RunSettings {
    pub seed: u64,
    pub replicates: usize,
    /// Number of fits, generation 0 (on the original data) included.
    pub generations: usize,
    /// Original (human) training units.
    pub original: usize,
    /// Holdout units.
    pub holdout: usize,
    /// Measure `synthetic_share_before` / `_after` (some arm curates or is
    /// contaminated).
    pub measure_curation: bool,
    /// Measure the detector metrics (some arm has a detector filter).
    pub measure_detector: bool,
}

/// Every metric of a run, in order: the task's, then the loop's curation metrics.
pub fn metric_specs<T: Task>(task: &T, settings: &RunSettings) -> Vec<MetricSpec> {
    let mut specs = task.metrics().to_vec();
    if settings.measure_curation {
        specs.extend_from_slice(crate::metrics::CURATION_SHARES);
    }
    if settings.measure_detector {
        specs.extend_from_slice(crate::metrics::DETECTOR);
    }
    specs
}

/// One policy compared in a run: regime, sampling and gate. Arms of one run share
/// every random stream (common random numbers).
#[derive(Clone, Debug, Serialize)]
pub struct Arm {
    pub name: String,
    pub regime: RegimeSpec,
    pub sampling: Sampling,
    pub gate: GateSpec,
    /// Machine text inside the fresh stream.
    pub contamination: Option<ContaminationSpec>,
    /// The curation chain between mix and fit.
    pub filters: Vec<FilterSpec>,
}

impl Arm {
    /// The arm's curation chain, built with the task's filters.
    pub fn chain<T: BuildFilter>(&self, task: &T) -> Result<Chain<T>, LoopError> {
        Chain::build(task, &self.filters).map_err(|source| LoopError::Filter {
            arm: self.name.clone(),
            source,
        })
    }
}
