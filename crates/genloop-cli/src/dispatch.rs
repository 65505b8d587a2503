//! From a checked experiment to a concrete task: the one place that maps config kinds
//! to types. Everything downstream is generic over a task whose data the loop can
//! curate ([`BuildFilter`], a [`Task`](genloop_core::task::Task) that builds filters).

use genloop_config::{Experiment, ModelSpec, SourceSpec};
use genloop_core::pipeline::curate::BuildFilter;
use genloop_core::seed::RootSeed;

use genloop_models::gaussian::GaussianEstimator;
use genloop_models::kde::KdeEstimator;
use genloop_models::mixture::MixtureEstimator;
use genloop_models::sources::{CategoricalSource, GaussianSource, LinearSource, MixtureSource};
use genloop_models::tasks::{CategoricalTask, LinearTask, VectorSource, VectorTask};
use genloop_text::task::{TextOrigin, TextSetup, TextTask};

/// Something to do with a task, whatever its concrete type.
pub trait TaskVisitor {
    type Output;
    fn visit<T: BuildFilter>(self, task: &T) -> Self::Output;
}

/// Build the experiment's task and hand it to `visitor`. The ground truth's random
/// parameters (mixture means, regression weights) come from the run-wide stream
/// `"source"`, so every arm and replicate sees the same truth.
pub fn dispatch<V: TaskVisitor>(experiment: &Experiment, visitor: V) -> anyhow::Result<V::Output> {
    if let ModelSpec::Ngram(ngram) = &experiment.model {
        let origin = match &experiment.source {
            SourceSpec::Corpus(corpus) => TextOrigin::Corpus(corpus),
            SourceSpec::Language(language) => TextOrigin::Language(language),
            _ => unreachable!("checked: the n-gram model takes text sources"),
        };
        let task = TextTask::build(&TextSetup {
            origin,
            ngram,
            tokenizer: experiment.tokenizer.as_ref(),
            base_dir: &experiment.base_dir,
            settings: &experiment.settings,
            arms: &experiment.arms,
            sample_texts: experiment.sample_texts,
        })?;
        return Ok(visitor.visit(&task));
    }
    let mut source_rng = RootSeed(experiment.settings.seed).global("source");
    let vector_source = || match &experiment.source {
        SourceSpec::Gaussian { mean, covariance } => {
            VectorSource::Gaussian(GaussianSource::new(mean.clone(), covariance.clone()))
        }
        SourceSpec::Mixture {
            dim,
            components,
            separation,
        } => VectorSource::Mixture(MixtureSource::new(
            *dim,
            *components,
            *separation,
            &mut RootSeed(experiment.settings.seed).global("source"),
        )),
        _ => unreachable!("checked: vector models take vector sources"),
    };
    let dim = experiment.source.dim();
    Ok(match (&experiment.model, &experiment.source) {
        (ModelSpec::Gaussian { estimator }, _) => visitor.visit(&VectorTask::new(
            vector_source(),
            GaussianEstimator {
                estimator: *estimator,
                dim,
            },
            true,
        )),
        (
            ModelSpec::Mixture {
                components,
                max_iterations,
                tolerance,
                inits,
                reg_covar,
            },
            _,
        ) => visitor.visit(&VectorTask::new(
            vector_source(),
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
        (ModelSpec::Kde { bandwidth }, _) => visitor.visit(&VectorTask::new(
            vector_source(),
            KdeEstimator {
                bandwidth: *bandwidth,
                dim,
            },
            false,
        )),
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
            LinearSource::new(*dim, weights.clone(), *noise_std, &mut source_rng),
            *design,
            *noise,
        )),
        _ => unreachable!("checked: model and source kinds are compatible"),
    })
}
