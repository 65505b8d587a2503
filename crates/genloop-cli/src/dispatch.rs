//! From a checked experiment to a concrete task: the one place that maps config kinds
//! to types. Everything downstream is generic over a task whose data the loop can
//! curate ([`BuildFilter`], a [`Task`](genloop_core::task::Task) that builds filters).

use std::path::Path;

use genloop_config::{Experiment, ModelSpec, SourceSpec};
use genloop_core::pipeline::curate::BuildFilter;
use genloop_core::seed::RootSeed;

use genloop_models::gaussian::GaussianEstimator;
use genloop_models::kde::KdeEstimator;
use genloop_models::mixture::MixtureEstimator;
use genloop_models::sources::{CategoricalSource, GaussianSource, LinearSource, MixtureSource};
use genloop_models::tasks::{CategoricalTask, LinearTask, VectorSource, VectorTask};
use genloop_text::task::{TextModelSpec, TextOrigin, TextSetup, TextTask};

/// The folder of a run that keeps its fitted models (transformer runs).
pub const CHECKPOINTS_DIR: &str = "checkpoints";

/// Something to do with a task, whatever its concrete type.
pub trait TaskVisitor {
    type Output;
    fn visit<T: BuildFilter>(self, task: &T) -> Self::Output;
}

/// Build the experiment's task and hand it to `visitor`. The ground truth's random
/// parameters (mixture means, regression weights) come from the run-wide stream
/// `"source"`, so every arm and replicate sees the same truth. `run_dir` is the run
/// folder of a run that writes one (models that keep checkpoints keep them there).
pub fn dispatch<V: TaskVisitor>(
    experiment: &Experiment,
    run_dir: Option<&Path>,
    visitor: V,
) -> anyhow::Result<V::Output> {
    let source_rng = || RootSeed(experiment.settings.seed).global("source");
    if let Some(model) = experiment.model.text() {
        return Ok(visitor.visit(&text_task(experiment, &model, run_dir)?));
    }
    Ok(match (&experiment.model, &experiment.source) {
        (
            ModelSpec::Categorical { smoothing },
            SourceSpec::Categorical {
                categories,
                exponent,
            },
        ) => visitor.visit(&CategoricalTask::new(
            CategoricalSource::new(*categories, *exponent),
            *smoothing,
        )),
        (
            ModelSpec::Linear { design, noise },
            SourceSpec::Linear {
                dim,
                weights,
                noise_std,
            },
        ) => visitor.visit(&LinearTask::new(
            LinearSource::new(*dim, weights.clone(), *noise_std, &mut source_rng()),
            *design,
            *noise,
        )),
        (model, source) => {
            let truth = vector_source(source, &mut source_rng());
            vector_task(model, truth, source.dim(), visitor)
        }
    })
}

/// The text task of a corpus or language run.
fn text_task(
    experiment: &Experiment,
    model: &TextModelSpec,
    run_dir: Option<&Path>,
) -> anyhow::Result<TextTask> {
    let origin = match &experiment.source {
        SourceSpec::Corpus(corpus) => TextOrigin::Corpus(corpus),
        SourceSpec::Language(language) => TextOrigin::Language(language),
        _ => unreachable!("checked: language models take text sources"),
    };
    let checkpoints = run_dir.map(|dir| dir.join(CHECKPOINTS_DIR));
    Ok(TextTask::build(&TextSetup {
        origin,
        model,
        tokenizer: experiment.tokenizer.as_ref(),
        base_dir: &experiment.base_dir,
        settings: &experiment.settings,
        arms: &experiment.arms,
        sample_texts: experiment.sample_texts,
        checkpoints: checkpoints
            .as_deref()
            .map(|dir| (dir, experiment.checkpoints)),
    })?)
}

fn vector_source(source: &SourceSpec, rng: &mut genloop_core::seed::Rng) -> VectorSource {
    match source {
        SourceSpec::Gaussian { mean, covariance } => {
            VectorSource::Gaussian(GaussianSource::new(mean.clone(), covariance.clone()))
        }
        SourceSpec::Mixture {
            dim,
            components,
            separation,
        } => VectorSource::Mixture(MixtureSource::new(*dim, *components, *separation, rng)),
        _ => unreachable!("checked: vector models take vector sources"),
    }
}

/// The Gaussian, mixture and KDE models on a vector source.
fn vector_task<V: TaskVisitor>(
    model: &ModelSpec,
    source: VectorSource,
    dim: usize,
    visitor: V,
) -> V::Output {
    match model {
        ModelSpec::Gaussian { estimator } => visitor.visit(&VectorTask::new(
            source,
            GaussianEstimator {
                estimator: *estimator,
                dim,
            },
            true,
        )),
        ModelSpec::Mixture {
            components,
            max_iterations,
            tolerance,
            inits,
            reg_covar,
        } => visitor.visit(&VectorTask::new(
            source,
            MixtureEstimator {
                components: *components,
                max_iterations: *max_iterations,
                tolerance: *tolerance,
                inits: *inits,
                reg_covar: *reg_covar,
                dim,
            },
            false,
        )),
        ModelSpec::Kde { bandwidth } => visitor.visit(&VectorTask::new(
            source,
            KdeEstimator {
                bandwidth: *bandwidth,
                dim,
            },
            false,
        )),
        _ => unreachable!("checked: model and source kinds are compatible"),
    }
}
