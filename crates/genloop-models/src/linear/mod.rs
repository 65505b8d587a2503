//! Linear regression by ordinary least squares, as in the model-collapse analyses of
//! Gerstgrasser et al. (2024) and Dohmatob et al. (2024).
//!
//! `design = "fixed"`: synthetic labels are drawn for the original inputs X, reused
//! every generation (the papers' setting). `"fresh"`: new inputs x ~ N(0, I) each
//! generation. `noise = "known"`: synthetic labels use the source's true σ;
//! `"estimated"`: the residual variance RSS/(T − d).

use std::sync::Arc;

use genloop_core::normal::standard_normal;
use serde::{Deserialize, Serialize};

use genloop_core::data::{Dataset, Labeled, TrainingSet};
use genloop_core::model::{Estimator, FitError, FittedModel, Sampling};
use genloop_core::seed::Rng;

use crate::linalg;
use crate::sources::gaussian_design;

/// Where synthetic labels are drawn (config: `design`): at the original inputs
/// (`fixed`) or at new inputs each generation (`fresh`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    Fixed,
    Fresh,
}

/// The label noise of synthetic data (config: `noise`): the source's true σ
/// (`known`) or the residual estimate (`estimated`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseMode {
    Known,
    Estimated,
}

/// Checked hyper-parameters, bound to one replicate's original inputs when the design
/// is fixed.
#[derive(Clone, Debug)]
pub struct LinearEstimator {
    pub dim: usize,
    pub design: Design,
    pub noise: NoiseMode,
    /// The source's σ, used when `noise` is known.
    pub true_noise_std: f64,
    /// The original inputs, reused for synthetic labels when the design is fixed.
    pub fixed_inputs: Option<Arc<Vec<f64>>>,
}

/// A fitted linear model y = x·ŵ + N(0, σ̂²).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LinearModel {
    pub weights: Vec<f64>,
    pub noise_std: f64,
    #[serde(skip)]
    pub fixed_inputs: Option<Arc<Vec<f64>>>,
}

impl LinearModel {
    pub fn predict(&self, x: &[f64]) -> f64 {
        x.iter().zip(&self.weights).map(|(a, b)| a * b).sum()
    }
}

impl Estimator for LinearEstimator {
    type Data = Labeled;
    type Model = LinearModel;
    const USES_RNG: bool = false;

    fn fit(&self, train: &TrainingSet<Labeled>, _rng: &mut Rng) -> Result<LinearModel, FitError> {
        let d = self.dim;
        let n = train.len();
        if n < d + 1 {
            return Err(FitError::TooFew {
                needed: d + 1,
                have: n,
                hint: "OLS needs more rows than weights",
            });
        }
        // Normal equations XᵀX w = Xᵀy, accumulated over the training set's batches.
        let mut xtx = vec![0.0; d * d];
        let mut xty = vec![0.0; d];
        for chunk in train.chunks() {
            for (i, &y) in chunk.y.iter().enumerate() {
                let row = chunk.row(i);
                for a in 0..d {
                    xty[a] += row[a] * y;
                    for b in 0..=a {
                        xtx[a * d + b] += row[a] * row[b];
                    }
                }
            }
        }
        for a in 0..d {
            for b in 0..a {
                xtx[b * d + a] = xtx[a * d + b];
            }
        }
        let l = linalg::cholesky(&xtx, d).ok_or_else(|| {
            FitError::Numerical("XᵀX is singular: the inputs are collinear".into())
        })?;
        let mut w = xty;
        linalg::cholesky_solve(&l, d, &mut w);
        let noise_std = match self.noise {
            NoiseMode::Known => self.true_noise_std,
            NoiseMode::Estimated => {
                let mut rss = 0.0;
                for chunk in train.chunks() {
                    for (i, &y) in chunk.y.iter().enumerate() {
                        let pred: f64 = chunk.row(i).iter().zip(&w).map(|(a, b)| a * b).sum();
                        rss += (y - pred).powi(2);
                    }
                }
                (rss / (n - d) as f64).sqrt()
            }
        };
        Ok(LinearModel {
            weights: w,
            noise_std,
            fixed_inputs: match self.design {
                Design::Fixed => self.fixed_inputs.clone(),
                Design::Fresh => None,
            },
        })
    }
}

impl FittedModel for LinearModel {
    type Data = Labeled;

    /// `n` rows: with a fixed design the original inputs in order (cycled when n
    /// exceeds them), else fresh inputs; labels x·ŵ + √λ·σ̂·ε.
    fn sample(&self, n: usize, sampling: &Sampling, rng: &mut Rng) -> Labeled {
        let d = self.weights.len();
        let x = match &self.fixed_inputs {
            Some(fixed) if fixed.len() == n * d => Arc::clone(fixed),
            Some(fixed) => Arc::new((0..n * d).map(|i| fixed[i % fixed.len()]).collect()),
            None => Arc::new(gaussian_design(n, d, rng)),
        };
        let scale = sampling.bias.sqrt() * self.noise_std;
        let y = x
            .chunks_exact(d)
            .map(|row| {
                let z = standard_normal(rng);
                self.predict(row) + scale * z
            })
            .collect();
        Labeled { dim: d, x, y }
    }

    fn log_prob(&self, data: &Labeled) -> Vec<f64> {
        let var = self.noise_std * self.noise_std;
        (0..data.len())
            .map(|i| {
                let r = data.y[i] - self.predict(data.row(i));
                -0.5 * ((2.0 * std::f64::consts::PI * var).ln() + r * r / var)
            })
            .collect()
    }

    fn parameter_count(&self) -> usize {
        self.weights.len() + 1
    }
}
