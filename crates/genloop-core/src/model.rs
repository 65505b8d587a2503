//! The model interface: every generative model, whatever its data, is fitted,
//! sampled and scored through these traits.
//!
//! Config → checked settings → [`Estimator`] → fitted [`FittedModel`]: an estimator
//! holds validated hyper-parameters and cannot be sampled; only a fitted model can.

use serde::{Deserialize, Serialize};

use crate::data::{Dataset, TrainingSet};
use crate::seed::Rng;

/// How a fitted model is sampled: the sampling bias of MAD (Alemohammad et al.), and
/// the decoding controls of discrete models.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sampling {
    /// Numeric models sample N(μ, λΣ): λ < 1 trades diversity for fidelity.
    pub bias: f64,
    /// Discrete models sample p^(1/T), renormalised.
    pub temperature: f64,
    /// Keep only the k most probable outcomes (0 = all). Reserved for sequence models.
    pub top_k: usize,
    /// Nucleus sampling mass (1 = all). Reserved for sequence models.
    pub top_p: f64,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            bias: 1.0,
            temperature: 1.0,
            top_k: 0,
            top_p: 1.0,
        }
    }
}

impl Sampling {
    /// True when sampling reproduces the fitted distribution exactly.
    pub fn is_unbiased(&self) -> bool {
        self.bias == 1.0 && self.temperature == 1.0 && self.top_k == 0 && self.top_p == 1.0
    }
}

/// Why a fit failed; the loop adds replicate and generation.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error("training set is empty")]
    Empty,
    #[error("{needed} records are needed, the training set has {have}: {hint}")]
    TooFew {
        needed: usize,
        have: usize,
        hint: &'static str,
    },
    #[error("{0}")]
    Numerical(String),
}

/// Validated hyper-parameters of one model kind: fits a model on a training set.
pub trait Estimator: Send + Sync {
    type Data: Dataset;
    type Model: FittedModel<Data = Self::Data>;

    /// Whether `fit` draws random numbers. Closed-form fits (Gaussian, categorical,
    /// OLS) say no, and the loop skips deriving their stream.
    const USES_RNG: bool = true;

    fn fit(&self, train: &TrainingSet<Self::Data>, rng: &mut Rng) -> Result<Self::Model, FitError>;

    /// Fit, given the models an estimator may start from instead of from scratch (a
    /// neural model fine-tunes the model in service or the base model). Estimators
    /// whose fit has no starting point ignore them.
    fn fit_from(
        &self,
        train: &TrainingSet<Self::Data>,
        _start: Start<'_, Self::Model>,
        rng: &mut Rng,
    ) -> Result<Self::Model, FitError> {
        self.fit(train, rng)
    }
}

/// The models a generation's fit may start from.
pub struct Start<'a, M> {
    /// The model in service (none at generation 0).
    pub in_service: Option<&'a M>,
    /// The generation-0 model (none at generation 0).
    pub generation0: Option<&'a M>,
}

impl<M> Start<'_, M> {
    /// Generation 0: nothing to start from.
    pub fn none() -> Self {
        Start {
            in_service: None,
            generation0: None,
        }
    }
}

impl<M> Clone for Start<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Start<'_, M> {}

/// A fitted generative model.
pub trait FittedModel: Clone + Send + Sync + 'static {
    type Data: Dataset;

    /// `n` records drawn from the model under `sampling`.
    fn sample(&self, n: usize, sampling: &Sampling, rng: &mut Rng) -> Self::Data;

    /// Natural-log probability (density, for continuous data) of each record.
    fn log_prob(&self, data: &Self::Data) -> Vec<f64>;

    /// Number of free parameters (reported, and used by information criteria).
    fn parameter_count(&self) -> usize;
}

/// A ground-truth source: the "human" data whose distribution is known exactly.
pub trait Source: Send + Sync {
    type Data: Dataset;

    fn draw(&self, n: usize, rng: &mut Rng) -> Self::Data;

    /// Exact natural-log density of each record, where it exists.
    fn log_density(&self, data: &Self::Data) -> Option<Vec<f64>>;
}
