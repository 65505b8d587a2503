//! The generational loop: pools → mix (regime) → curate → fit → evaluate → gate →
//! sample, for every replicate of an arm, in parallel, reporting through observers.
//!
//! The loop does not care what is fitted or how long a fit takes; it threads the pools
//! and the accepted model from one generation to the next and hands each finished
//! replicate to the observers (progress bar, SQLite store).

use rayon::prelude::*;
use serde::Serialize;

use std::collections::HashSet;
use std::sync::Arc;

use super::curate::{self as curation, CurationCount, FilterContext, FilterSpec, Stage};
use super::gate::{Decision, GateSpec, HoldoutGate};
use super::mix::subsample::subsample;
use super::mix::RegimeSpec;
use super::pools::contamination::ContaminationSpec;
use super::pools::Pools;
use crate::data::{Dataset, Part, TrainingSet};
use crate::metrics::MetricSpec;
use crate::model::{Estimator, FitError, FittedModel, Sampling};
use crate::provenance::{CompositionEntry, Pool, Provenance};
use crate::seed::RootSeed;
use crate::task::{Artifact, Evaluation, ModelOf, Task};

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
    #[error("arm `{arm}`: {source}")]
    Filter {
        arm: String,
        #[source]
        source: curation::FilterError,
    },
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
    // Build the chain once up front, so a bad filter table fails before any work.
    build_filters(task, arm)?;
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

/// Build every arm's filters once, so a bad `[[filters]]` table is reported before
/// anything is written.
pub fn check_filters<T: Task>(task: &T, arms: &[Arm]) -> Result<(), LoopError> {
    arms.iter()
        .try_for_each(|arm| build_filters(task, arm).map(|_| ()))
}

fn build_filters<T: Task>(task: &T, arm: &Arm) -> Result<Vec<Stage<T>>, LoopError> {
    arm.filters
        .iter()
        .map(|spec| {
            task.build_filter(spec).map(|filter| Stage {
                filter,
                pools: spec.pools.clone(),
            })
        })
        .collect::<Result<_, _>>()
        .map_err(|source| LoopError::Filter {
            arm: arm.name.clone(),
            source,
        })
}

fn bind_gate<T: Task>(
    task: &T,
    spec: &GateSpec,
) -> Result<Option<(usize, HoldoutGate)>, LoopError> {
    match spec {
        GateSpec::None => Ok(None),
        GateSpec::Holdout { metric, tolerance } => {
            let metrics = task.metrics();
            let index = metrics
                .iter()
                .position(|m| m.name == metric)
                .ok_or_else(|| LoopError::UnknownGateMetric {
                    metric: metric.clone(),
                    available: metrics
                        .iter()
                        .map(|m| m.name)
                        .collect::<Vec<_>>()
                        .join(", "),
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
/// the regime's mix, curated by the arm's filters.
pub fn run_replicate<T: Task>(
    task: &T,
    settings: &RunSettings,
    arm: &Arm,
    gate: Option<&(usize, HoldoutGate)>,
    replicate: u64,
) -> Result<ReplicateResult, LoopError> {
    let seed = RootSeed(settings.seed);
    let original = task.draw_pool(
        Pool::Original,
        0,
        settings.original,
        &mut seed.stream("original", replicate, 0),
    );
    let holdout = task.draw_pool(
        Pool::Holdout,
        0,
        settings.holdout,
        &mut seed.stream("holdout", replicate, 0),
    );
    let truth = task.truth(holdout, &original);
    // The gate judges on its own validation draw, so the holdout metrics stay an
    // unbiased test of the selected models.
    let validation = gate.map(|_| {
        let draw = task.draw_pool(
            Pool::Holdout,
            1,
            settings.holdout,
            &mut seed.stream("validation", replicate, 0),
        );
        task.truth(draw, &original)
    });
    let mut filters = build_filters(task, arm)?;
    // Filters calibrate (detector threshold, perplexity percentiles) on held-out
    // human data of their own.
    let calibration = (!filters.is_empty()).then(|| {
        task.draw_pool(
            Pool::Holdout,
            2,
            settings.holdout,
            &mut seed.stream("calibration", replicate, 0),
        )
    });
    let estimator = task.estimator(&original);
    let synthetic_per_generation = arm.regime.synthetic_per_generation(original.units());
    let contamination = arm.contamination.as_ref().filter(|_| arm.regime.fresh > 0);
    // Sample-based metrics and contamination need samples even where the regime
    // uses none.
    let sample_size = if synthetic_per_generation > 0 {
        synthetic_per_generation
    } else if contamination.is_some() {
        arm.regime.fresh.max(arm.regime.samples)
    } else {
        arm.regime.samples.max(1)
    };
    let mut pools = Pools::new(original);
    // What the models in service published, for contamination.
    let mut web: Vec<Part<T::Data>> = Vec::new();
    let fit_error = |generation: u32, source: FitError| LoopError::Fit {
        arm: arm.name.clone(),
        replicate,
        generation,
        source,
    };
    let last = settings.generations.saturating_sub(1) as u32;

    // Generation 0: the model fitted on the original human data.
    let train = TrainingSet::new(vec![pools.original.clone()]);
    let model0 = estimator
        .fit(&train, &mut fit_stream::<T>(seed, replicate, 0))
        .map_err(|e| fit_error(0, e))?;
    // Batches already seen by the curation chain (dedup checks new ones against
    // the history); the original data are the first.
    let mut seen: HashSet<(Pool, u32, crate::provenance::Provenance)> = HashSet::new();
    if !filters.is_empty() {
        curation::admit_all(task, &mut filters, &train);
        seen.insert(batch_key(&pools.original));
    }
    let mut scratch = Vec::new();
    let mut gate_value = |model: &ModelOf<T>, model0: &ModelOf<T>| -> Option<f64> {
        let (index, _) = gate?;
        let v = validation.as_ref()?;
        task.evaluate(
            &Evaluation {
                model,
                truth: v,
                generation0: model0,
                samples: None,
            },
            &mut scratch,
        );
        Some(scratch[*index])
    };
    let mut best_value = gate_value(&model0, &model0);
    let mut best = (0u32, model0.clone());
    let mut deployed = (0u32, model0.clone());

    let metric_count = metric_specs(task, settings).len();
    let mut generations = Vec::with_capacity(settings.generations);
    let mut all_metrics = Vec::with_capacity(settings.generations * metric_count);
    let mut artifacts = Vec::new();
    let mut metrics = Vec::new();
    let mut composition = train.composition();
    let mut decision = Decision::accept("generation 0: fitted on the original data");
    let mut candidate_value = best_value;
    let mut counts = Vec::new();
    let mut shares = [0.0, 0.0];
    let mut detector = [f64::NAN; 4];

    for g in 0..=last {
        if g > 0 {
            if arm.regime.fresh > 0 {
                let mut batch = task.draw_pool(
                    Pool::Fresh,
                    g,
                    arm.regime.fresh,
                    &mut seed.stream("fresh", replicate, u64::from(g)),
                );
                if !arm.regime.keeps_fresh_history() {
                    pools.fresh.clear();
                }
                let machine_units = contamination.map_or(0, |c| {
                    (c.share(g, last) * arm.regime.fresh as f64).round() as usize
                });
                if machine_units > 0 {
                    // The same human draw, its tail replaced by machine text.
                    batch = prefix(&batch, arm.regime.fresh.saturating_sub(machine_units));
                }
                pools
                    .fresh
                    .push(Part::new(Provenance::new(Pool::Fresh, g), batch));
                if let (Some(spec), true) = (contamination, machine_units > 0) {
                    let sources: Vec<Part<T::Data>> = web
                        .iter()
                        .filter(|p| spec.draws_from(p.provenance.generation, g))
                        .cloned()
                        .collect();
                    let picked = subsample(
                        &sources,
                        machine_units,
                        &mut seed.stream("contamination", replicate, u64::from(g)),
                    );
                    pools.fresh.extend(
                        picked
                            .into_iter()
                            .map(|part| part.arriving_via(Pool::Fresh, g)),
                    );
                }
            }
            let mut train = arm
                .regime
                .mix(g, &pools, || seed.stream("mix", replicate, u64::from(g)));
            shares[0] = curation::synthetic_share(&train);
            if !filters.is_empty() {
                // A batch is curated once: when it first reaches a training set. The
                // survivors of whole batches replace them in the pools.
                let new: Vec<bool> = train
                    .parts
                    .iter()
                    .map(|p| !seen.contains(&batch_key(p)))
                    .collect();
                let persist: Vec<bool> = train
                    .parts
                    .iter()
                    .zip(&new)
                    .map(|(p, &new)| new && pools.holds(p))
                    .collect();
                let context = FilterContext {
                    task,
                    replicate,
                    generation: g,
                    reference: &model0,
                    deployed: &deployed.1,
                    calibration: calibration.as_ref().expect("drawn when filters exist"),
                    seed,
                };
                let curated = curation::curate(&mut filters, &context, &train, &new, &persist);
                for ((part, survivors), _) in train
                    .parts
                    .iter()
                    .zip(&curated.survivors)
                    .zip(&persist)
                    .filter(|(_, &persist)| persist)
                {
                    seen.insert(batch_key(part));
                    if survivors.len() < part.data.len() {
                        pools.replace(part, part.select(survivors));
                    }
                }
                counts = curated.counts;
                detector = curated.detector.unwrap_or([f64::NAN; 4]);
                train = curated.set;
            }
            shares[1] = curation::synthetic_share(&train);
            composition = train.composition();
            if train.is_empty() && !filters.is_empty() {
                // Curation left nothing to train on: keep the model in service.
                candidate_value = None;
                decision =
                    Decision::reject("curation dropped every record; the model in service stays");
            } else {
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
                candidate_value = gate_value(&candidate, &model0);
                decision = match (gate, best_value, candidate_value) {
                    (Some((_, gate)), Some(best_so_far), Some(value)) => {
                        let decision = gate.decide(value, best_so_far);
                        if decision.accepted && gate.improves(value, best_so_far) {
                            best_value = Some(value);
                            best = (g, candidate.clone());
                        }
                        decision
                    }
                    _ => Decision::accept("no gate"),
                };
                deployed = if decision.accepted {
                    (g, candidate)
                } else {
                    // Roll back to the best accepted model.
                    best.clone()
                };
            }
        }
        // The model in service publishes its samples: the synthetic pool of the next
        // generation, the web that contaminates later fresh data, and the material of
        // sample-based metrics.
        let publish = synthetic_per_generation > 0 && g < last;
        let to_web = contamination.is_some() && g < last;
        let samples = (publish || to_web || task.needs_samples()).then(|| {
            Arc::new(deployed.1.sample(
                if publish {
                    synthetic_per_generation
                } else {
                    sample_size
                },
                &arm.sampling,
                &mut seed.stream("sample", replicate, u64::from(g)),
            ))
        });
        let evaluation = Evaluation {
            model: &deployed.1,
            truth: &truth,
            generation0: &model0,
            samples: samples.as_deref(),
        };
        task.evaluate(&evaluation, &mut metrics);
        for artifact in task.artifacts(&evaluation, replicate) {
            artifacts.push((g, artifact));
        }
        all_metrics.extend_from_slice(&metrics);
        if settings.measure_curation {
            all_metrics.extend_from_slice(&shares);
        }
        if settings.measure_detector {
            all_metrics.extend_from_slice(&detector);
        }
        generations.push(GenerationResult {
            generation: g,
            composition: std::mem::take(&mut composition),
            decision: std::mem::replace(&mut decision, Decision::accept("no gate")),
            candidate_value,
            deployed: deployed.0,
            curation: std::mem::take(&mut counts),
        });
        detector = [f64::NAN; 4];
        if let Some(batch) = samples {
            let provenance = Provenance::new(Pool::Synthetic, g);
            if let Some(spec) = contamination.filter(|_| to_web) {
                web.push(Part::shared(provenance, Arc::clone(&batch)));
                // Keep only what later generations may still draw from.
                web.retain(|p| spec.draws_from(p.provenance.generation, g + 1));
            }
            if publish {
                if !arm.regime.keeps_synthetic_history() {
                    pools.synthetic.clear();
                }
                pools.synthetic.push(Part::shared(provenance, batch));
            }
        }
    }
    Ok(ReplicateResult {
        replicate,
        generations,
        metric_count,
        metrics: all_metrics,
        artifacts,
    })
}

/// Identity of a batch for the curation history.
fn batch_key<D>(part: &Part<D>) -> (Pool, u32, crate::provenance::Provenance) {
    (part.channel, part.arrived, part.provenance)
}

/// The first records of `data` holding `units` units (all of them when fewer).
fn prefix<D: Dataset>(data: &D, units: usize) -> D {
    let mut taken = 0;
    let mut count = 0;
    while count < data.len() && taken < units {
        taken += data.units_of(count);
        count += 1;
    }
    let indices: Vec<usize> = (0..count).collect();
    data.select(&indices)
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
