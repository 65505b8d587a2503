//! What every model of vectors offers the metrics: its moments, and its holdout
//! negative log-likelihood (computed from sufficient statistics where possible).
//! The Gaussian's implementation, which uses them, is in `gaussian/vector.rs`.

use genloop_core::data::Vectors;
use genloop_core::model::FittedModel;
use genloop_core::task::mean_nll;

use crate::gaussian::Gaussian;
use crate::moments::VectorHoldout;

/// A fitted model of vectors.
pub trait VectorModel: FittedModel<Data = Vectors> {
    fn dim(&self) -> usize;

    /// Mean of the fitted distribution.
    fn mean(&self) -> Vec<f64>;

    /// Covariance of the fitted distribution, row-major.
    fn covariance(&self) -> Vec<f64>;

    /// The model itself when the fitted distribution is Gaussian (enables
    /// the closed-form W₂ and KL to a Gaussian truth).
    fn as_gaussian(&self) -> Option<&Gaussian> {
        None
    }

    /// Mean negative log-likelihood of the holdout set.
    fn holdout_nll(&self, holdout: &VectorHoldout) -> f64 {
        mean_nll(self, &holdout.data)
    }
}
