//! One replicate, read like the pipeline diagram: release fresh data, mix, curate,
//! fit, evaluate, gate, sample and publish — one short function per stage over a
//! [`ReplicateState`].

use std::sync::Arc;

use super::curate::{synthetic_share, BuildFilter, Chain, Curation, CurationCount, FilterContext};
use super::evaluate::{measure, Measures};
use super::fit::fit;
use super::gate::{Decision, Gate, Service};
use super::pools::contamination::Web;
use super::pools::{FreshRelease, Pools};
use super::results::{GenerationResult, LoopError, ReplicateResult};
use super::sample::Publishing;
use super::settings::{metric_specs, Arm, RunSettings};
use crate::data::{Dataset, TrainingSet};
use crate::model::Start;
use crate::provenance::{CompositionEntry, Pool};
use crate::seed::RootSeed;
use crate::task::{Evaluation, ModelOf, Task};

/// One replicate: generation 0 on the original data, then `generations − 1` fits on
/// the regime's mix, curated by the arm's filters and judged by `gate`.
pub fn run_replicate<T: BuildFilter>(
    task: &T,
    settings: &RunSettings,
    arm: &Arm,
    gate: &dyn Gate,
    replicate: u64,
) -> Result<ReplicateResult, LoopError> {
    let (run, original, chain) = Replicate::prepare(task, settings, arm, gate, replicate)?;
    let mut state = run.start(original, chain)?;
    for g in 0..=run.last {
        let generation = if g == 0 {
            run.generation0(&state)
        } else {
            run.release_fresh(&mut state, g);
            let train = run.mix(&state, g);
            let (train, mut generation) = run.curate(&mut state, g, train);
            generation.decision = match run.fit(&state, g, &train)? {
                Some(candidate) => run.gate(&mut state, g, candidate, &mut generation),
                None => {
                    Decision::reject("curation dropped every record; the model in service stays")
                }
            };
            generation
        };
        let samples = run.sample(&state, g);
        run.evaluate(&mut state, g, generation, samples.as_deref());
        run.publish(&mut state, g, samples);
    }
    if let Some(checkpoints) = task.checkpoints() {
        checkpoints
            .finish(&arm.name, &state.result)
            .map_err(|source| run.checkpoint_error(source))?;
    }
    Ok(state.result)
}

/// A replicate between generations: the pools, what the models published, the
/// curation chain and which batches it has judged, the generation-0, best and
/// deployed models, and the results so far.
pub struct ReplicateState<T: Task> {
    pub pools: Pools<T::Data>,
    pub web: Web<T::Data>,
    pub curation: Curation<T>,
    /// The generation-0 model, fitted on the original data.
    pub model0: ModelOf<T>,
    /// The model in service and the best accepted one.
    pub service: Service<ModelOf<T>>,
    pub result: ReplicateResult,
}

/// What stays fixed through one replicate.
struct Replicate<'a, T: Task> {
    task: &'a T,
    settings: &'a RunSettings,
    arm: &'a Arm,
    gate: &'a dyn Gate,
    replicate: u64,
    seed: RootSeed,
    measures: Measures<T>,
    /// Held-out human data the filters calibrate on (drawn when there are filters).
    calibration: Option<T::Data>,
    estimator: T::Estimator,
    fresh: FreshRelease<'a>,
    publishing: Publishing<'a>,
    last: u32,
}

/// What one generation produced before its model in service is measured.
struct Generation {
    composition: Vec<CompositionEntry>,
    decision: Decision,
    candidate_value: Option<f64>,
    curation: Vec<CurationCount>,
    /// Synthetic share of the training set before and after curation.
    shares: [f64; 2],
    /// The first detector's metrics (NaN without one).
    detector: [f64; 4],
}

impl Generation {
    fn new(composition: Vec<CompositionEntry>, decision: Decision) -> Self {
        Generation {
            composition,
            decision,
            candidate_value: None,
            curation: Vec::new(),
            shares: [0.0, 0.0],
            detector: [f64::NAN; 4],
        }
    }
}

impl<'a, T: BuildFilter> Replicate<'a, T> {
    /// Draw the replicate's original data, holdout (and validation) and
    /// calibration data; build its chain and estimator.
    fn prepare(
        task: &'a T,
        settings: &'a RunSettings,
        arm: &'a Arm,
        gate: &'a dyn Gate,
        replicate: u64,
    ) -> Result<(Self, T::Data, Chain<T>), LoopError> {
        let seed = RootSeed(settings.seed);
        let original = task.draw_pool(
            Pool::Original,
            0,
            settings.original,
            &mut seed.stream("original", replicate, 0),
        );
        let measures = Measures::draw(task, gate, &original, settings.holdout, seed, replicate);
        let chain = arm.chain(task)?;
        // Filters calibrate (detector threshold, perplexity percentiles) on held-out
        // human data of their own.
        let calibration = (!chain.is_empty()).then(|| {
            task.draw_pool(
                Pool::Holdout,
                2,
                settings.holdout,
                &mut seed.stream("calibration", replicate, 0),
            )
        });
        let estimator = task.estimator(&original);
        let last = settings.generations.saturating_sub(1) as u32;
        let contamination = arm.contamination.as_ref().filter(|_| arm.regime.fresh > 0);
        let fresh = FreshRelease {
            units: arm.regime.fresh,
            keep_history: arm.regime.keeps_fresh_history(),
            contamination,
            last,
        };
        let publishing = Publishing::new(
            &arm.regime,
            original.units(),
            contamination,
            task.needs_samples(),
            last,
        );
        let run = Replicate {
            task,
            settings,
            arm,
            gate,
            replicate,
            seed,
            measures,
            calibration,
            estimator,
            fresh,
            publishing,
            last,
        };
        Ok((run, original, chain))
    }

    /// Generation 0: the model fitted on the original data goes into service; the
    /// original data start the curation history.
    fn start(&self, original: T::Data, chain: Chain<T>) -> Result<ReplicateState<T>, LoopError> {
        let pools = Pools::new(original);
        let train = TrainingSet::new(vec![pools.original.clone()]);
        let model0 = self.fit_or_load(0, &train, Start::none())?;
        let mut curation = Curation::new(chain);
        if !curation.chain.is_empty() {
            curation.admit_original(self.task, &train, &pools.original);
        }
        let value0 = self
            .measures
            .gate_value(self.task, self.gate, &model0, &model0);
        let metric_count = metric_specs(self.task, self.settings).len();
        let generations = self.settings.generations;
        Ok(ReplicateState {
            pools,
            web: Web::default(),
            curation,
            service: Service::new(model0.clone(), value0),
            model0,
            result: ReplicateResult {
                replicate: self.replicate,
                generations: Vec::with_capacity(generations),
                metric_count,
                metrics: Vec::with_capacity(generations * metric_count),
                artifacts: Vec::new(),
            },
        })
    }

    /// What generation 0 records: the original data, accepted.
    fn generation0(&self, state: &ReplicateState<T>) -> Generation {
        let train = TrainingSet::new(vec![state.pools.original.clone()]);
        let mut generation = Generation::new(
            train.composition(),
            Decision::accept("generation 0: fitted on the original data"),
        );
        generation.candidate_value = state.service.best_value;
        generation
    }

    /// Pools: the fresh data of generation `g`, contaminated by the web.
    fn release_fresh(&self, state: &mut ReplicateState<T>, g: u32) {
        self.fresh.release(
            self.task,
            &mut state.pools,
            &state.web,
            self.seed,
            self.replicate,
            g,
        );
    }

    /// Mix: the regime's training set of generation `g`.
    fn mix(&self, state: &ReplicateState<T>, g: u32) -> TrainingSet<T::Data> {
        self.arm.regime.mix(g, &state.pools, || {
            self.seed.stream("mix", self.replicate, u64::from(g))
        })
    }

    /// Curate: the chain judges the batches new to it; survivors go back into the
    /// pools.
    fn curate(
        &self,
        state: &mut ReplicateState<T>,
        g: u32,
        train: TrainingSet<T::Data>,
    ) -> (TrainingSet<T::Data>, Generation) {
        let mut generation = Generation::new(Vec::new(), Decision::accept("no gate"));
        generation.shares[0] = synthetic_share(&train);
        let train = if state.curation.chain.is_empty() {
            train
        } else {
            let context = FilterContext {
                task: self.task,
                replicate: self.replicate,
                generation: g,
                reference: &state.model0,
                deployed: &state.service.deployed.1,
                calibration: self.calibration.as_ref().expect("drawn when filters exist"),
                seed: self.seed,
            };
            let curated = state.curation.curate(&context, &train, &mut state.pools);
            generation.curation = curated.counts;
            generation.detector = curated.detector.unwrap_or([f64::NAN; 4]);
            curated.set
        };
        generation.shares[1] = synthetic_share(&train);
        generation.composition = train.composition();
        (train, generation)
    }

    /// Fit: the candidate of generation `g`; `None` when curation left nothing to
    /// train on (the model in service stays).
    fn fit(
        &self,
        state: &ReplicateState<T>,
        g: u32,
        train: &TrainingSet<T::Data>,
    ) -> Result<Option<ModelOf<T>>, LoopError> {
        if train.is_empty() {
            if !state.curation.chain.is_empty() {
                return Ok(None);
            }
            return Err(LoopError::EmptyTrainingSet {
                arm: self.arm.name.clone(),
                replicate: self.replicate,
                generation: g,
            });
        }
        let start = Start {
            in_service: Some(&state.service.deployed.1),
            generation0: Some(&state.model0),
        };
        self.fit_or_load(g, train, start).map(Some)
    }

    /// The candidate of generation `g`: read back where an interrupted run already
    /// fitted it (the task keeps checkpoints), fitted and kept otherwise.
    fn fit_or_load(
        &self,
        g: u32,
        train: &TrainingSet<T::Data>,
        start: Start<'_, ModelOf<T>>,
    ) -> Result<ModelOf<T>, LoopError> {
        let checkpoints = self.task.checkpoints();
        if let Some(checkpoints) = checkpoints {
            let kept = checkpoints
                .load(&self.arm.name, self.replicate, g)
                .map_err(|source| self.checkpoint_error(source))?;
            if let Some(model) = kept {
                return Ok(model);
            }
        }
        let model = fit::<T>(&self.estimator, train, start, self.seed, self.replicate, g)
            .map_err(|e| self.fit_error(g, e))?;
        if let Some(checkpoints) = checkpoints {
            checkpoints
                .save(&self.arm.name, self.replicate, g, &model)
                .map_err(|source| self.checkpoint_error(source))?;
        }
        Ok(model)
    }

    /// Evaluate the candidate on the validation draw, and gate it: accepted, it goes
    /// into service; rejected, the best accepted model does.
    fn gate(
        &self,
        state: &mut ReplicateState<T>,
        g: u32,
        candidate: ModelOf<T>,
        generation: &mut Generation,
    ) -> Decision {
        let value = self
            .measures
            .gate_value(self.task, self.gate, &candidate, &state.model0);
        generation.candidate_value = value;
        state.service.judge(self.gate, g, candidate, value)
    }

    /// Sample: the model in service samples, when anything uses its samples.
    fn sample(&self, state: &ReplicateState<T>, g: u32) -> Option<Arc<T::Data>> {
        self.publishing.sample(
            &state.service.deployed.1,
            &self.arm.sampling,
            self.seed,
            self.replicate,
            g,
        )
    }

    /// Evaluate the model in service on the holdout and record generation `g`.
    fn evaluate(
        &self,
        state: &mut ReplicateState<T>,
        g: u32,
        generation: Generation,
        samples: Option<&T::Data>,
    ) {
        let evaluation = Evaluation {
            model: &state.service.deployed.1,
            truth: &self.measures.truth,
            generation0: &state.model0,
            samples,
        };
        let result = &mut state.result;
        measure(
            self.task,
            &evaluation,
            self.replicate,
            g,
            &mut result.metrics,
            &mut result.artifacts,
        );
        if self.settings.measure_curation {
            result.metrics.extend_from_slice(&generation.shares);
        }
        if self.settings.measure_detector {
            result.metrics.extend_from_slice(&generation.detector);
        }
        result.generations.push(GenerationResult {
            generation: g,
            composition: generation.composition,
            decision: generation.decision,
            candidate_value: generation.candidate_value,
            deployed: state.service.deployed.0,
            curation: generation.curation,
        });
    }

    /// Publish the samples: the next synthetic batch and the web.
    fn publish(&self, state: &mut ReplicateState<T>, g: u32, samples: Option<Arc<T::Data>>) {
        if let Some(batch) = samples {
            self.publishing
                .publish(batch, g, &mut state.pools, &mut state.web);
        }
    }

    fn checkpoint_error(&self, source: super::checkpoints::CheckpointError) -> LoopError {
        LoopError::Checkpoint {
            arm: self.arm.name.clone(),
            replicate: self.replicate,
            source,
        }
    }

    fn fit_error(&self, generation: u32, source: crate::model::FitError) -> LoopError {
        LoopError::Fit {
            arm: self.arm.name.clone(),
            replicate: self.replicate,
            generation,
            source,
        }
    }
}
