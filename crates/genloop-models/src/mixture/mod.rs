//! The Gaussian mixture with full covariances, fitted by EM with k-means++
//! initialisation exactly as scikit-learn 1.9.1's `GaussianMixture(covariance_type=
//! "full", init_params="k-means++")` (see `algorithm.rs` for the steps).
//!
//! Sampling bias λ draws from Σⱼ wⱼ N(μⱼ, λΣⱼ) (Alemohammad et al. 2023).
//!
//! ```
//! use genloop_core::data::{TrainingSet, Vectors};
//! use genloop_core::model::{Estimator, FittedModel, Sampling};
//! use genloop_core::provenance::{Pool, Provenance};
//! use genloop_core::seed::RootSeed;
//! use genloop_models::mixture::MixtureEstimator;
//!
//! let truth = genloop_models::mixture::GaussianMixture::new(
//!     1,
//!     vec![0.5, 0.5],
//!     vec![-5.0, 5.0],
//!     vec![1.0, 1.0],
//! )
//! .unwrap();
//! let mut rng = RootSeed(1).stream("doc", 0, 0);
//! let data = truth.sample(2000, &Sampling::default(), &mut rng);
//! let estimator = MixtureEstimator::new(2, 1);
//! let train = TrainingSet::single(Provenance::new(Pool::Original, 0), data);
//! let model = estimator.fit(&train, &mut rng).unwrap();
//! let mut means = model.means().to_vec();
//! means.sort_by(f64::total_cmp);
//! assert!((means[0] + 5.0).abs() < 0.2 && (means[1] - 5.0).abs() < 0.2);
//! ```

mod algorithm;
mod components;
mod kernel;
mod statistics;
#[cfg(test)]
mod tests;

use genloop_core::normal::standard_normal;
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use genloop_core::data::{TrainingSet, Vectors};
use genloop_core::model::{Estimator, FitError, FittedModel, Sampling};
use genloop_core::seed::Rng;

use crate::vector::VectorModel;
pub use algorithm::FitSummary;
use components::Components;
pub use components::MixtureParameters;
/// eˣ for x ≤ 0, branch-free and vectorisable (also used by the KDE).
pub(crate) use kernel::exp_nonpositive;
use kernel::{Block, Output, BLOCK};

/// Checked hyper-parameters of the mixture (scikit-learn's names in brackets).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MixtureEstimator {
    /// Number of components k (`n_components`).
    pub components: usize,
    /// EM iterations per init at most (`max_iter`).
    pub max_iterations: usize,
    /// Stop when the mean log-likelihood per record changes by less (`tol`).
    pub tolerance: f64,
    /// Independent k-means++ starts; the best lower bound is kept (`n_init`).
    pub inits: usize,
    /// Added to each covariance's diagonal (`reg_covar`).
    pub reg_covar: f64,
    pub dim: usize,
}

impl MixtureEstimator {
    /// scikit-learn's defaults: 100 iterations, tolerance 1e-3, one init,
    /// reg_covar 1e-6.
    pub fn new(components: usize, dim: usize) -> Self {
        MixtureEstimator {
            components,
            max_iterations: 100,
            tolerance: 1e-3,
            inits: 1,
            reg_covar: 1e-6,
            dim,
        }
    }

    /// Fits on row-major records and reports how EM went.
    pub fn fit_vectors(
        &self,
        data: &Vectors,
        rng: &mut Rng,
    ) -> Result<(GaussianMixture, FitSummary), FitError> {
        let n = data.values.len() / data.dim;
        if self.components == 0 {
            return Err(FitError::Numerical(
                "a mixture needs at least one component; set `components` ≥ 1".into(),
            ));
        }
        if data.dim != self.dim {
            return Err(FitError::Numerical(format!(
                "the mixture expects {}-dimensional records, the training set has {}",
                self.dim, data.dim
            )));
        }
        if n == 0 {
            return Err(FitError::Empty);
        }
        if n < self.components {
            return Err(FitError::TooFew {
                needed: self.components,
                have: n,
                hint: "lower the mixture's `components` or raise the samples per generation",
            });
        }
        if let Some(index) = data.values.iter().position(|v| !v.is_finite()) {
            return Err(FitError::Numerical(format!(
                "record {} has a non-finite value ({}); the mixture cannot be fitted",
                index / data.dim,
                data.values[index]
            )));
        }
        let (components, summary) = algorithm::fit(&data.values, data.dim, self, rng)?;
        Ok((GaussianMixture { components }, summary))
    }
}

impl Estimator for MixtureEstimator {
    type Data = Vectors;
    type Model = GaussianMixture;

    fn fit(
        &self,
        train: &TrainingSet<Vectors>,
        rng: &mut Rng,
    ) -> Result<GaussianMixture, FitError> {
        if train.is_empty() {
            return Err(FitError::Empty);
        }
        let data = train.concatenated();
        self.fit_vectors(&data, rng).map(|(model, _)| model)
    }
}

/// A fitted mixture Σⱼ wⱼ N(μⱼ, Σⱼ). Serialised as its parameters; the Cholesky
/// factors are recomputed on loading.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MixtureParameters", into = "MixtureParameters")]
pub struct GaussianMixture {
    components: Components,
}

impl TryFrom<MixtureParameters> for GaussianMixture {
    type Error = FitError;

    fn try_from(p: MixtureParameters) -> Result<Self, FitError> {
        GaussianMixture::new(p.dim, p.weights, p.means, p.covariances)
    }
}

impl From<GaussianMixture> for MixtureParameters {
    fn from(model: GaussianMixture) -> Self {
        let c = model.components;
        MixtureParameters {
            dim: c.dim,
            weights: c.weights,
            means: c.means,
            covariances: c.covariances,
        }
    }
}

impl GaussianMixture {
    /// A mixture from its parameters: `weights` (k, positive, summing to 1), `means`
    /// (k×d) and `covariances` (k×d×d, each positive definite), row-major.
    pub fn new(
        dim: usize,
        weights: Vec<f64>,
        means: Vec<f64>,
        covariances: Vec<f64>,
    ) -> Result<Self, FitError> {
        let k = weights.len();
        let total: f64 = weights.iter().sum();
        if k == 0
            || dim == 0
            || means.len() != k * dim
            || covariances.len() != k * dim * dim
            || weights.iter().any(|w| !w.is_finite() || *w <= 0.0)
            || (total - 1.0).abs() > 1e-9
        {
            return Err(FitError::Numerical(format!(
                "invalid mixture parameters: {k} weights summing to {total}, {} mean values and \
                 {} covariance values for dimension {dim}",
                means.len(),
                covariances.len()
            )));
        }
        Components::new(MixtureParameters {
            dim,
            weights,
            means,
            covariances,
        })
        .map(|components| GaussianMixture { components })
    }

    pub fn components(&self) -> usize {
        self.components.count()
    }

    pub fn weights(&self) -> &[f64] {
        &self.components.weights
    }

    /// Component means, k×d row-major.
    pub fn means(&self) -> &[f64] {
        &self.components.means
    }

    /// Component covariances, k×d×d row-major.
    pub fn covariances(&self) -> &[f64] {
        &self.components.covariances
    }

    /// Log-density of one record.
    pub fn log_density(&self, x: &[f64]) -> f64 {
        self.log_prob(&Vectors::new(self.components.dim, x.to_vec()))[0]
    }
}

impl FittedModel for GaussianMixture {
    type Data = Vectors;

    /// Each record independently: a component j with probability wⱼ, then
    /// μⱼ + √λ Lⱼ z with z ~ N(0, I), so the records come in random order.
    fn sample(&self, n: usize, sampling: &Sampling, rng: &mut Rng) -> Vectors {
        let c = &self.components;
        let (d, k) = (c.dim, c.count());
        let mut cumulative = Vec::with_capacity(k);
        let mut running = 0.0;
        for w in &c.weights {
            running += w;
            cumulative.push(running);
        }
        let root = sampling.bias.sqrt();
        let mut values = Vec::with_capacity(n * d);
        let mut z = vec![0.0; d];
        for _ in 0..n {
            let u = rng.random::<f64>() * running;
            let j = cumulative.partition_point(|&v| v <= u).min(k - 1);
            z.iter_mut().for_each(|v| *v = standard_normal(rng));
            let l = &c.cholesky[j * d * d..(j + 1) * d * d];
            for i in 0..d {
                let s: f64 = (0..=i).map(|m| l[i * d + m] * z[m]).sum();
                values.push(c.means[j * d + i] + root * s);
            }
        }
        Vectors::new(d, values)
    }

    fn log_prob(&self, data: &Vectors) -> Vec<f64> {
        let d = self.components.dim;
        assert_eq!(
            data.dim, d,
            "records of dimension {} for a mixture of dimension {d}",
            data.dim
        );
        let mut block = Block::new(self.components(), d);
        let mut out = Vec::with_capacity(data.values.len() / d);
        for records in data.values.chunks(BLOCK * d) {
            block.load(records);
            kernel::expectation(&self.components, &mut block, Output::LogLikelihoods);
            out.extend_from_slice(&block.log_likelihood[..block.len]);
        }
        out
    }

    /// k·d means, k·d(d+1)/2 covariance entries and k − 1 weights (scikit-learn's
    /// `_n_parameters`).
    fn parameter_count(&self) -> usize {
        let (d, k) = (self.components.dim, self.components());
        k * d + k * d * (d + 1) / 2 + k - 1
    }
}

impl VectorModel for GaussianMixture {
    fn dim(&self) -> usize {
        self.components.dim
    }

    fn mean(&self) -> Vec<f64> {
        let c = &self.components;
        let d = c.dim;
        let mut mean = vec![0.0; d];
        for (j, w) in c.weights.iter().enumerate() {
            for i in 0..d {
                mean[i] += w * c.means[j * d + i];
            }
        }
        mean
    }

    /// Law of total covariance: Σⱼ wⱼ [Σⱼ + (μⱼ − μ)(μⱼ − μ)ᵀ].
    fn covariance(&self) -> Vec<f64> {
        let c = &self.components;
        let d = c.dim;
        let mean = self.mean();
        let mut covariance = vec![0.0; d * d];
        for (j, w) in c.weights.iter().enumerate() {
            let mu = &c.means[j * d..(j + 1) * d];
            let sigma = &c.covariances[j * d * d..(j + 1) * d * d];
            for a in 0..d {
                for b in 0..d {
                    covariance[a * d + b] +=
                        w * (sigma[a * d + b] + (mu[a] - mean[a]) * (mu[b] - mean[b]));
                }
            }
        }
        covariance
    }
}
