//! The parameters of a Gaussian mixture in flat row-major arrays, with the cached
//! factors the E-step and the sampler need, and the per-record kernel both share.
//!
//! Layout for k components in d dimensions: `weights` k, `means` k·d,
//! `covariances` / `cholesky` / `precision_cholesky` k·d·d (component j at
//! `j·d·d..`), `log_norm` k. `precision_cholesky` is L⁻¹ (lower triangular, where
//! Σ = L Lᵀ), so the Mahalanobis distance is ‖L⁻¹(x − μ)‖² with no division; it is
//! scikit-learn's `precisions_cholesky_` transposed.

use genloop_core::model::FitError;
use serde::{Deserialize, Serialize};

use crate::linalg;

pub(super) const LN_2PI: f64 = 1.837_877_066_409_345_5;

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Components {
    pub dim: usize,
    pub weights: Vec<f64>,
    pub means: Vec<f64>,
    pub covariances: Vec<f64>,
    pub cholesky: Vec<f64>,
    pub precision_cholesky: Vec<f64>,
    /// ln wⱼ − ½ d ln 2π − ½ ln |Σⱼ|: the weighted log-density at the mean.
    pub log_norm: Vec<f64>,
}

/// The parameters of a mixture: the serialised form of a `GaussianMixture`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixtureParameters {
    pub dim: usize,
    pub weights: Vec<f64>,
    /// k×d, row-major.
    pub means: Vec<f64>,
    /// k×d×d, row-major.
    pub covariances: Vec<f64>,
}

impl Components {
    /// Components from their parameters; the caches are filled by [`Self::refresh`].
    pub fn new(parameters: MixtureParameters) -> Result<Self, FitError> {
        let MixtureParameters {
            dim,
            weights,
            means,
            covariances,
        } = parameters;
        let k = weights.len();
        assert_eq!(means.len(), k * dim, "means must be k×d");
        assert_eq!(
            covariances.len(),
            k * dim * dim,
            "covariances must be k×d×d"
        );
        let mut components = Components {
            dim,
            weights,
            means,
            covariances,
            cholesky: vec![0.0; k * dim * dim],
            precision_cholesky: vec![0.0; k * dim * dim],
            log_norm: vec![0.0; k],
        };
        components.refresh()?;
        Ok(components)
    }

    pub fn count(&self) -> usize {
        self.weights.len()
    }

    /// Recomputes the Cholesky factors, their inverses and the log-normalisers from
    /// `weights` and `covariances`, in place.
    pub fn refresh(&mut self) -> Result<(), FitError> {
        let d = self.dim;
        let dd = d * d;
        for j in 0..self.count() {
            let covariance = &self.covariances[j * dd..(j + 1) * dd];
            let l = linalg::cholesky(covariance, d).ok_or_else(|| {
                FitError::Numerical(format!(
                    "component {j} of the mixture has an ill-defined covariance (weight {:.3e}, \
                     tr Σ = {:.3e}): it collapsed onto too few distinct records; lower `components`, \
                     raise `reg_covar` or scale the data",
                    self.weights[j],
                    linalg::trace(covariance, d)
                ))
            })?;
            let inverse = &mut self.precision_cholesky[j * dd..(j + 1) * dd];
            invert_lower(&l, d, inverse);
            let half_log_det: f64 = (0..d).map(|i| l[i * d + i].ln()).sum();
            self.log_norm[j] = self.weights[j].ln() - 0.5 * d as f64 * LN_2PI - half_log_det;
            self.cholesky[j * dd..(j + 1) * dd].copy_from_slice(&l);
        }
        Ok(())
    }
}

/// L⁻¹ of a lower-triangular d×d factor, written into `out` (lower triangular).
fn invert_lower(l: &[f64], d: usize, out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    for column in 0..d {
        out[column * d + column] = 1.0 / l[column * d + column];
        for row in column + 1..d {
            let mut s = 0.0;
            for m in column..row {
                s -= l[row * d + m] * out[m * d + column];
            }
            out[row * d + column] = s / l[row * d + row];
        }
    }
}
