//! The generational loop: pools → mix (regime) → curate → fit → evaluate → gate →
//! sample, for every replicate of an arm, in parallel, reporting through observers.
//!
//! The loop does not care what is fitted or how long a fit takes; it threads the pools
//! and the accepted model from one generation to the next and hands each finished
//! replicate to the observers (progress bar, SQLite store).

use rayon::prelude::*;
use serde::Serialize;

use crate::data::{Part, TrainingSet};
use crate::gate::{Decision, GateSpec, HoldoutGate};
use crate::model::{Estimator, FitError, FittedModel, Sampling};
use crate::provenance::{CompositionEntry, Pool, Provenance};
use crate::regime::{Pools, RegimeSpec};
use crate::seed::RootSeed;
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
}

/// One policy compared in a run: regime, sampling and gate. Arms of one run share
/// every random stream (common random numbers).
#[derive(Clone, Debug, Serialize)]
pub struct Arm {
    pub name: String,
    pub regime: RegimeSpec,
    pub sampling: Sampling,
    pub gate: GateSpec,
}

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
}

impl ReplicateResult {
    /// The metrics after `generation`.
    pub fn metrics_at(&self, generation: usize) -> &[f64] {
        &self.metrics[generation * self.metric_count..(generation + 1) * self.metric_count]
    }
}

/// An observer's failure (a store that cannot write, for example).
pub type ObserverError = Box<dyn std::error::Error + Send + Sync>;

/// Receives the loop's progress. `replicate_done` is called from worker threads as
/// replicates finish; `chunk_done` on the calling thread, in replicate order.
pub trait Observer: Sync {
    fn replicate_done(&self, _arm: &Arm, _result: &ReplicateResult) {}
    fn chunk_done(&self, _arm: &Arm, _results: &[ReplicateResult]) -> Result<(), ObserverError> {
        Ok(())
    }
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

/// An observer that keeps every result in memory, in replicate order.
#[derive(Default)]
pub struct Collect(std::sync::Mutex<Vec<ReplicateResult>>);

impl Collect {
    pub fn into_inner(self) -> Vec<ReplicateResult> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Observer for Collect {
    fn chunk_done(&self, _arm: &Arm, results: &[ReplicateResult]) -> Result<(), ObserverError> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(results);
        Ok(())
    }
}

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
    #[error("observer failed: {0}")]
    Observer(ObserverError),
}

/// Replicates handed to the observers per chunk: small enough to resume after an
/// interruption without much lost work, large enough to keep both cores busy.
pub const DEFAULT_CHUNK: usize = 32;

/// Run `replicates` of one arm, in parallel chunks, handing each chunk's results to
/// the observer in replicate order (memory stays bounded by the chunk). Results are
/// identical whatever the number of threads.
pub fn run_arm<T: Task>(
    task: &T,
    settings: &RunSettings,
    arm: &Arm,
    replicates: &[u64],
    observer: &dyn Observer,
) -> Result<(), LoopError> {
    let gate = bind_gate(task, &arm.gate)?;
    for chunk in replicates.chunks(DEFAULT_CHUNK) {
        let results: Vec<ReplicateResult> = chunk
            .par_iter()
            .map(|&r| {
                let result = run_replicate(task, settings, arm, gate.as_ref(), r)?;
                observer.replicate_done(arm, &result);
                Ok(result)
            })
            .collect::<Result<_, LoopError>>()?;
        observer
            .chunk_done(arm, &results)
            .map_err(LoopError::Observer)?;
    }
    Ok(())
}

fn bind_gate<T: Task>(task: &T, spec: &GateSpec) -> Result<Option<(usize, HoldoutGate)>, LoopError> {
    match spec {
        GateSpec::None => Ok(None),
        GateSpec::Holdout { metric, tolerance } => {
            let metrics = task.metrics();
            let index = metrics.iter().position(|m| m.name == metric).ok_or_else(|| {
                LoopError::UnknownGateMetric {
                    metric: metric.clone(),
                    available: metrics.iter().map(|m| m.name).collect::<Vec<_>>().join(", "),
                }
            })?;
            Ok(Some((
                index,
                HoldoutGate {
                    metric: metrics[index],
                    tolerance: *tolerance,
                },
            )))
        }
    }
}

/// One replicate: generation 0 on the original data, then `generations − 1` fits on
/// the regime's mix.
pub fn run_replicate<T: Task>(
    task: &T,
    settings: &RunSettings,
    arm: &Arm,
    gate: Option<&(usize, HoldoutGate)>,
    replicate: u64,
) -> Result<ReplicateResult, LoopError> {
    let seed = RootSeed(settings.seed);
    let original = task.draw(settings.original, &mut seed.stream("original", replicate, 0));
    let holdout = task.draw(settings.holdout, &mut seed.stream("holdout", replicate, 0));
    let truth = task.truth(holdout);
    // The gate judges on its own validation draw, so the holdout metrics stay an
    // unbiased test of the selected models.
    let validation = gate.map(|_| {
        task.truth(task.draw(settings.holdout, &mut seed.stream("validation", replicate, 0)))
    });
    let mut gate_metrics = Vec::new();
    let mut gate_value = |model: &crate::task::ModelOf<T>, test_metrics: &[f64]| -> Option<f64> {
        let (index, _) = gate?;
        match &validation {
            Some(v) => {
                task.evaluate(model, v, &mut gate_metrics);
                Some(gate_metrics[*index])
            }
            None => Some(test_metrics[*index]),
        }
    };
    let estimator = task.estimator(&original);
    let original_units = {
        use crate::data::Dataset;
        original.units()
    };
    let synthetic_per_generation = arm.regime.synthetic_per_generation(original_units);
    let mut pools = Pools::new(original);
    let fit_error = |generation: u32, source: FitError| LoopError::Fit {
        arm: arm.name.clone(),
        replicate,
        generation,
        source,
    };

    // Generation 0: the model fitted on the original human data.
    let train = TrainingSet::new(vec![pools.original.clone()]);
    let model0 = estimator
        .fit(&train, &mut fit_stream::<T>(seed, replicate, 0))
        .map_err(|e| fit_error(0, e))?;
    let mut metrics = Vec::new();
    task.evaluate(&model0, &truth, &mut metrics);
    let mut gate_state = gate_value(&model0, &metrics);
    let mut deployed = (0u32, model0.clone());
    let mut best = (0u32, model0, metrics.clone());
    let mut deployed_metrics = metrics.clone();
    let mut generations = Vec::with_capacity(settings.generations);
    let mut all_metrics = Vec::with_capacity(settings.generations * metrics.len());
    all_metrics.extend_from_slice(&metrics);
    generations.push(GenerationResult {
        generation: 0,
        composition: train.composition(),
        decision: Decision::accept("generation 0: fitted on the original data"),
        candidate_value: gate_state,
        deployed: 0,
    });

    for g in 1..settings.generations as u32 {
        // The accepted model of generation g − 1 publishes its samples.
        if synthetic_per_generation > 0 {
            let batch = deployed.1.sample(
                synthetic_per_generation,
                &arm.sampling,
                &mut seed.stream("sample", replicate, u64::from(g - 1)),
            );
            if !arm.regime.keeps_synthetic_history() {
                pools.synthetic.clear();
            }
            pools
                .synthetic
                .push(Part::new(Provenance::new(Pool::Synthetic, g - 1), batch));
        }
        if arm.regime.fresh > 0 {
            let batch = task.draw(arm.regime.fresh, &mut seed.stream("fresh", replicate, u64::from(g)));
            if !keeps_fresh_history(&arm.regime) {
                pools.fresh.clear();
            }
            pools
                .fresh
                .push(Part::new(Provenance::new(Pool::Fresh, g), batch));
        }
        let train = arm
            .regime
            .mix(g, &pools, || seed.stream("mix", replicate, u64::from(g)));
        // Curation hook: the filter chain runs here (empty until curation lands).
        if train.is_empty() {
            return Err(LoopError::EmptyTrainingSet {
                arm: arm.name.clone(),
                replicate,
                generation: g,
            });
        }
        let candidate = estimator
            .fit(&train, &mut fit_stream::<T>(seed, replicate, g))
            .map_err(|e| fit_error(g, e))?;
        task.evaluate(&candidate, &truth, &mut metrics);
        let candidate_gate_value = gate_value(&candidate, &metrics);
        let (decision, candidate_value) = match (gate, gate_state, candidate_gate_value) {
            (Some((_, gate)), Some(best_value), Some(value)) => {
                let decision = gate.decide(value, best_value);
                if decision.accepted && gate.improves(value, best_value) {
                    gate_state = Some(value);
                    best = (g, candidate.clone(), metrics.clone());
                }
                (decision, Some(value))
            }
            _ => (Decision::accept("no gate"), None),
        };
        if decision.accepted {
            deployed = (g, candidate);
            deployed_metrics.clone_from(&metrics);
        } else {
            // Roll back to the best accepted model.
            deployed = (best.0, best.1.clone());
            deployed_metrics.clone_from(&best.2);
        }
        generations.push(GenerationResult {
            generation: g,
            composition: train.composition(),
            decision,
            candidate_value,
            deployed: deployed.0,
        });
        all_metrics.extend_from_slice(&deployed_metrics);
    }
    Ok(ReplicateResult {
        replicate,
        generations,
        metric_count: metrics.len(),
        metrics: all_metrics,
    })
}

/// The fit stream, derived only for estimators that draw.
fn fit_stream<T: Task>(seed: RootSeed, replicate: u64, generation: u32) -> crate::seed::Rng {
    if <T::Estimator as Estimator>::USES_RNG {
        seed.stream("fit", replicate, u64::from(generation))
    } else {
        use rand::SeedableRng;
        crate::seed::Rng::from_seed([1; 32])
    }
}

fn keeps_fresh_history(regime: &RegimeSpec) -> bool {
    use crate::regime::RegimeKind::*;
    matches!(regime.kind, Accumulate | AccumulateSubsample { .. } | RealOnly)
}
