//! The d-dimensional Gaussian with full covariance: the model of Shumailov et al.'s
//! and Kazdan et al.'s closed forms (docs/formulas.md §3).
//!
//! `estimator = "mle"` divides the scatter by M, `"unbiased"` by M − 1. Sampling bias
//! λ draws from N(μ, λΣ) (Alemohammad et al. 2023).

use genloop_core::normal::{standard_normal, Ziggurat};
use serde::{Deserialize, Serialize};

use genloop_core::data::{TrainingSet, Vectors};
use genloop_core::model::{Estimator, FitError, FittedModel, Sampling};
use genloop_core::seed::Rng;

use crate::linalg;
use crate::moments::moments;

mod vector;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// How the covariance scatter is normalised (config: `estimator`): by M (`mle`) or
/// by M − 1 (`unbiased`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceEstimator {
    Mle,
    Unbiased,
}

/// Checked hyper-parameters of the Gaussian.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GaussianEstimator {
    pub estimator: VarianceEstimator,
    pub dim: usize,
}

/// A fitted Gaussian N(μ, Σ). Serialised as its parameters; deserialising checks
/// them and rebuilds the Cholesky cache.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GaussianParams", into = "GaussianParams")]
pub struct Gaussian {
    pub mean: Vec<f64>,
    /// Row-major d×d.
    pub covariance: Vec<f64>,
    cache: Cache,
}

/// The serialised form of a [`Gaussian`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GaussianParams {
    pub mean: Vec<f64>,
    pub covariance: Vec<f64>,
}

impl TryFrom<GaussianParams> for Gaussian {
    type Error = String;

    fn try_from(p: GaussianParams) -> Result<Self, String> {
        if p.covariance.len() != p.mean.len() * p.mean.len() {
            return Err(format!(
                "covariance has {} entries for a {}-d mean",
                p.covariance.len(),
                p.mean.len()
            ));
        }
        Gaussian::new(p.mean, p.covariance).map_err(|e| e.to_string())
    }
}

impl From<Gaussian> for GaussianParams {
    fn from(g: Gaussian) -> Self {
        GaussianParams {
            mean: g.mean,
            covariance: g.covariance,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Cache {
    cholesky: Vec<f64>,
    inverse: Vec<f64>,
    log_det: f64,
}

impl Gaussian {
    /// A Gaussian from its parameters; fails when Σ is not positive definite.
    pub fn new(mean: Vec<f64>, covariance: Vec<f64>) -> Result<Self, FitError> {
        let d = mean.len();
        assert_eq!(covariance.len(), d * d, "covariance must be d×d");
        if d == 1 && covariance[0] > 0.0 && covariance[0].is_finite() {
            let v = covariance[0];
            return Ok(Gaussian {
                mean,
                covariance,
                cache: Cache {
                    cholesky: vec![v.sqrt()],
                    inverse: vec![1.0 / v],
                    log_det: v.ln(),
                },
            });
        }
        let cholesky = linalg::cholesky(&covariance, d).ok_or_else(|| {
            FitError::Numerical(format!(
                "the fitted covariance is not positive definite (tr Σ = {:.3e}): the samples have collapsed onto a subspace; raise the samples per generation",
                linalg::trace(&covariance, d)
            ))
        })?;
        let log_det = linalg::log_det_from_cholesky(&cholesky, d);
        let inverse = linalg::inverse_from_cholesky(&cholesky, d);
        Ok(Gaussian {
            mean,
            covariance,
            cache: Cache {
                cholesky,
                inverse,
                log_det,
            },
        })
    }

    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    pub fn log_det(&self) -> f64 {
        self.cache.log_det
    }

    pub fn inverse(&self) -> &[f64] {
        &self.cache.inverse
    }

    /// Log-density of one point.
    pub fn log_density(&self, x: &[f64]) -> f64 {
        let d = self.dim();
        let mut z: Vec<f64> = x.iter().zip(&self.mean).map(|(a, b)| a - b).collect();
        linalg::forward_solve(&self.cache.cholesky, d, &mut z);
        let q: f64 = z.iter().map(|v| v * v).sum();
        -0.5 * (d as f64 * LN_2PI + self.cache.log_det + q)
    }

    /// `n` draws of N(μ, scale·Σ).
    pub fn draw(&self, n: usize, scale: f64, rng: &mut Rng) -> Vectors {
        let d = self.dim();
        let mut values = Vec::with_capacity(n * d);
        if d == 1 {
            let mu = self.mean[0];
            let sd = (scale * self.covariance[0]).sqrt();
            let zig = Ziggurat::get();
            values.resize(n, 0.0);
            for v in values.iter_mut() {
                *v = mu + sd * zig.sample(rng);
            }
            return Vectors::new(1, values);
        }
        let l = &self.cache.cholesky;
        let root = scale.sqrt();
        let mut z = vec![0.0; d];
        for _ in 0..n {
            z.iter_mut().for_each(|v| *v = standard_normal(rng));
            for i in 0..d {
                let mut s = 0.0;
                for k in 0..=i {
                    s += l[i * d + k] * z[k];
                }
                values.push(self.mean[i] + root * s);
            }
        }
        Vectors::new(d, values)
    }
}

impl Estimator for GaussianEstimator {
    type Data = Vectors;
    type Model = Gaussian;
    const USES_RNG: bool = false;

    fn fit(&self, train: &TrainingSet<Vectors>, _rng: &mut Rng) -> Result<Gaussian, FitError> {
        let n = train.len();
        let needed = match self.estimator {
            VarianceEstimator::Unbiased => 2,
            VarianceEstimator::Mle => 1,
        }
        .max(self.dim + 1);
        if n < needed {
            return Err(FitError::TooFew {
                needed,
                have: n,
                hint: "raise the samples per generation",
            });
        }
        let (mean, mut covariance) = moments(train.chunks(), self.dim);
        if self.estimator == VarianceEstimator::Unbiased {
            let factor = n as f64 / (n - 1) as f64;
            covariance.iter_mut().for_each(|v| *v *= factor);
        }
        Gaussian::new(mean, covariance)
    }
}

impl FittedModel for Gaussian {
    type Data = Vectors;

    fn sample(&self, n: usize, sampling: &Sampling, rng: &mut Rng) -> Vectors {
        self.draw(n, sampling.bias, rng)
    }

    fn log_prob(&self, data: &Vectors) -> Vec<f64> {
        data.rows().map(|x| self.log_density(x)).collect()
    }

    fn parameter_count(&self) -> usize {
        let d = self.dim();
        d + d * (d + 1) / 2
    }
}

/// Squared 2-Wasserstein distance between N(μ₁, Σ₁) and N(μ₂, Σ₂):
/// ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₂^½ Σ₁ Σ₂^½)^½) (Dowson & Landau 1982).
/// `sqrt2` is Σ₂^½, precomputed for the truth.
pub fn w2_squared(m1: &[f64], s1: &[f64], m2: &[f64], s2: &[f64], sqrt2: &[f64]) -> f64 {
    let d = m1.len();
    let mean_term: f64 = m1.iter().zip(m2).map(|(a, b)| (a - b).powi(2)).sum();
    let cross = if d == 1 {
        (s1[0] * s2[0]).max(0.0).sqrt()
    } else {
        let inner = linalg::matmul(&linalg::matmul(sqrt2, s1, d), sqrt2, d);
        linalg::trace(&linalg::sym_sqrt(&inner, d), d)
    };
    (mean_term + linalg::trace(s1, d) + linalg::trace(s2, d) - 2.0 * cross).max(0.0)
}

/// KL(N₀ ‖ N₁) = ½[tr(Σ₁⁻¹Σ₀) + (μ₁ − μ₀)ᵀΣ₁⁻¹(μ₁ − μ₀) − d + ln|Σ₁| − ln|Σ₀|].
pub fn kl_divergence(truth: &Gaussian, model: &Gaussian) -> f64 {
    let d = truth.dim();
    let diff: Vec<f64> = model
        .mean
        .iter()
        .zip(&truth.mean)
        .map(|(a, b)| a - b)
        .collect();
    0.5 * (linalg::trace_product(model.inverse(), &truth.covariance, d)
        + linalg::quadratic_form(model.inverse(), d, &diff)
        - d as f64
        + model.log_det()
        - truth.log_det())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moments::VectorHoldout;
    use crate::vector::VectorModel;
    use genloop_core::seed::RootSeed;

    #[test]
    fn holdout_nll_from_statistics_matches_the_direct_sum() {
        let truth = Gaussian::new(vec![0.5, -1.0], vec![2.0, 0.3, 0.3, 1.0]).unwrap();
        let data = truth.draw(500, 1.0, &mut RootSeed(4).stream("t", 0, 0));
        let holdout = VectorHoldout::new(data.clone());
        let model = Gaussian::new(vec![0.4, -0.8], vec![1.5, 0.1, 0.1, 1.2]).unwrap();
        let direct = -model.log_prob(&data).iter().sum::<f64>() / 500.0;
        assert!((model.holdout_nll(&holdout) - direct).abs() < 1e-10);
    }

    #[test]
    fn divergences_vanish_at_the_truth_and_match_one_dimension() {
        let a = Gaussian::new(vec![0.0], vec![1.0]).unwrap();
        let b = Gaussian::new(vec![1.0], vec![4.0]).unwrap();
        assert!(kl_divergence(&a, &a).abs() < 1e-12);
        // KL(N(0,1) ‖ N(1,4)) = ½(1/4 + 1/4 − 1 + ln 4).
        let want = 0.5 * (0.25 + 0.25 - 1.0 + 4f64.ln());
        assert!((kl_divergence(&a, &b) - want).abs() < 1e-12);
        // W₂² = (μ₁−μ₂)² + (σ₁−σ₂)² = 1 + 1.
        assert!(
            (w2_squared(&b.mean, &b.covariance, &a.mean, &a.covariance, &[1.0]) - 2.0).abs()
                < 1e-12
        );
        let c = Gaussian::new(vec![0.0, 0.0], vec![1.0, 0.0, 0.0, 1.0]).unwrap();
        let e = Gaussian::new(vec![1.0, 0.0], vec![4.0, 0.0, 0.0, 1.0]).unwrap();
        let eye = [1.0, 0.0, 0.0, 1.0];
        assert!(
            (w2_squared(&e.mean, &e.covariance, &c.mean, &c.covariance, &eye) - 2.0).abs() < 1e-9
        );
    }
}
