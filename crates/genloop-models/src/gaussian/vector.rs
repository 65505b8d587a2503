//! The Gaussian as a [`VectorModel`]: its moments are its parameters, and its holdout
//! negative log-likelihood is exact from the holdout's sufficient statistics.

use super::{Gaussian, LN_2PI};
use crate::linalg;
use crate::moments::VectorHoldout;
use crate::vector::VectorModel;

impl VectorModel for Gaussian {
    fn dim(&self) -> usize {
        self.mean.len()
    }

    fn mean(&self) -> Vec<f64> {
        self.mean.clone()
    }

    fn covariance(&self) -> Vec<f64> {
        self.covariance.clone()
    }

    fn as_gaussian(&self) -> Option<&Gaussian> {
        Some(self)
    }

    /// Exact, from the holdout's mean x̄ and scatter S:
    /// ½[d ln 2π + ln|Σ| + tr(Σ⁻¹S) + (x̄ − μ)ᵀΣ⁻¹(x̄ − μ)].
    fn holdout_nll(&self, holdout: &VectorHoldout) -> f64 {
        let d = self.dim();
        let diff: Vec<f64> = holdout
            .mean
            .iter()
            .zip(&self.mean)
            .map(|(a, b)| a - b)
            .collect();
        let inv = &self.cache.inverse;
        0.5 * (d as f64 * LN_2PI
            + self.cache.log_det
            + linalg::trace_product(inv, &holdout.scatter, d)
            + linalg::quadratic_form(inv, d, &diff))
    }
}
