//! From a checked experiment to a concrete task: the one place that maps config kinds
//! to types. Everything downstream is generic over a task whose data the loop can
//! curate ([`BuildFilter`], a [`Task`](genloop_core::task::Task) that builds filters).

use genloop_core::config::{Experiment, ModelSpec, SourceSpec};
use genloop_core::pipeline::curate::BuildFilter;
use genloop_core::seed::RootSeed;

use genloop_models::gaussian::GaussianEstimator;
use genloop_models::kde::KdeEstimator;
use genloop_models::mixture::MixtureEstimator;
use genloop_models::sources::{CategoricalSource, GaussianSource, LinearSource, MixtureSource};
use genloop_models::tasks::{CategoricalTask, LinearTask, VectorSource, VectorTask};
use genloop_text::task::TextTask;

/// Something to do with a task, whatever its concrete type.
pub trait TaskVisitor {
    type Output;
    fn visit<T: BuildFilter>(self, task: &T) -> Self::Output;
}

/// Build the experiment's task and hand it to `visitor`. The ground truth's random
/// parameters (mixture means, regression weights) come from the run-wide stream
/// `"source"`, so every arm and replicate sees the same truth.
pub fn dispatch<V: TaskVisitor>(experiment: &Experiment, visitor: V) -> anyhow::Result<V::Output> {
    if let ModelSpec::Ngram(_) = &experiment.model {
        let task = TextTask::build(experiment)?;
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
