//! Ground-truth sources: the "human" data whose distribution is known exactly
//! (docs/architecture.md, "Ground-truth sources").

use std::sync::Arc;

use genloop_core::normal::standard_normal;
use rand::Rng as _;

use genloop_core::data::{Labeled, Symbols, Vectors};
use genloop_core::model::Source;
use genloop_core::seed::Rng;

use crate::gaussian::Gaussian;
use crate::linalg;

/// N(μ₀, Σ₀).
#[derive(Clone, Debug)]
pub struct GaussianSource {
    pub truth: Gaussian,
    /// Σ₀^½, for the W₂ distance.
    pub covariance_sqrt: Vec<f64>,
}

impl GaussianSource {
    pub fn new(mean: Vec<f64>, covariance: Vec<f64>) -> Self {
        let d = mean.len();
        let covariance_sqrt = linalg::sym_sqrt(&covariance, d);
        GaussianSource {
            truth: Gaussian::new(mean, covariance).expect("checked positive definite"),
            covariance_sqrt,
        }
    }
}

impl Source for GaussianSource {
    type Data = Vectors;

    fn draw(&self, n: usize, rng: &mut Rng) -> Vectors {
        self.truth.draw(n, 1.0, rng)
    }

    fn log_density(&self, data: &Vectors) -> Option<Vec<f64>> {
        Some(data.rows().map(|x| self.truth.log_density(x)).collect())
    }
}

/// An equal-weight mixture of unit-covariance Gaussians whose means are drawn once per
/// run from N(0, separation²·I) (stream `"source"` of the root seed).
#[derive(Clone, Debug)]
pub struct MixtureSource {
    pub dim: usize,
    pub means: Vec<Vec<f64>>,
}

impl MixtureSource {
    pub fn new(dim: usize, components: usize, separation: f64, rng: &mut Rng) -> Self {
        let means = (0..components)
            .map(|_| {
                (0..dim)
                    .map(|_| {
                        let z = standard_normal(rng);
                        separation * z
                    })
                    .collect()
            })
            .collect();
        MixtureSource { dim, means }
    }

    /// Overall mean.
    pub fn mean(&self) -> Vec<f64> {
        let k = self.means.len() as f64;
        (0..self.dim)
            .map(|i| self.means.iter().map(|m| m[i]).sum::<f64>() / k)
            .collect()
    }

    /// Overall covariance: I + covariance of the component means (law of total
    /// covariance).
    pub fn covariance(&self) -> Vec<f64> {
        let d = self.dim;
        let mu = self.mean();
        let k = self.means.len() as f64;
        let mut cov = vec![0.0; d * d];
        for m in &self.means {
            for i in 0..d {
                for j in 0..d {
                    cov[i * d + j] += (m[i] - mu[i]) * (m[j] - mu[j]) / k;
                }
            }
        }
        for i in 0..d {
            cov[i * d + i] += 1.0;
        }
        cov
    }
}

impl Source for MixtureSource {
    type Data = Vectors;

    fn draw(&self, n: usize, rng: &mut Rng) -> Vectors {
        let mut values = Vec::with_capacity(n * self.dim);
        for _ in 0..n {
            let component = &self.means[rng.random_range(0..self.means.len())];
            for m in component {
                let z = standard_normal(rng);
                values.push(m + z);
            }
        }
        Vectors::new(self.dim, values)
    }

    fn log_density(&self, data: &Vectors) -> Option<Vec<f64>> {
        let k = self.means.len() as f64;
        let norm = -0.5 * self.dim as f64 * (2.0 * std::f64::consts::PI).ln() - k.ln();
        Some(
            data.rows()
                .map(|x| {
                    let terms: Vec<f64> = self
                        .means
                        .iter()
                        .map(|m| {
                            norm - 0.5 * x.iter().zip(m).map(|(a, b)| (a - b).powi(2)).sum::<f64>()
                        })
                        .collect();
                    log_sum_exp(&terms)
                })
                .collect(),
        )
    }
}

/// ln Σ exp(aᵢ), stable.
pub fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// A categorical distribution over `categories` symbols: uniform, or Zipf with
/// p(i) ∝ (i + 1)^(−s).
#[derive(Clone, Debug)]
pub struct CategoricalSource {
    pub probs: Vec<f64>,
    cumulative: Vec<f64>,
}

impl CategoricalSource {
    pub fn new(categories: usize, exponent: f64) -> Self {
        let weights: Vec<f64> = (0..categories)
            .map(|i| ((i + 1) as f64).powf(-exponent))
            .collect();
        let total: f64 = weights.iter().sum();
        let probs: Vec<f64> = weights.iter().map(|w| w / total).collect();
        CategoricalSource {
            cumulative: cumulative(&probs),
            probs,
        }
    }
}

/// Running sums of `probs`, the last forced to 1.
pub fn cumulative(probs: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out: Vec<f64> = probs
        .iter()
        .map(|p| {
            acc += p;
            acc
        })
        .collect();
    if let Some(last) = out.last_mut() {
        *last = 1.0;
    }
    out
}

/// Inverse-CDF draw: the first category whose cumulative probability exceeds u.
pub fn draw_categorical(cumulative: &[f64], rng: &mut Rng) -> u32 {
    let u: f64 = rng.random();
    cumulative
        .partition_point(|&c| c <= u)
        .min(cumulative.len() - 1) as u32
}

impl Source for CategoricalSource {
    type Data = Symbols;

    fn draw(&self, n: usize, rng: &mut Rng) -> Symbols {
        Symbols {
            categories: self.probs.len(),
            values: (0..n)
                .map(|_| draw_categorical(&self.cumulative, rng))
                .collect(),
        }
    }

    fn log_density(&self, data: &Symbols) -> Option<Vec<f64>> {
        Some(
            data.values
                .iter()
                .map(|&v| self.probs[v as usize].ln())
                .collect(),
        )
    }
}

/// y = x·w* + ε with x ~ N(0, I_d), ε ~ N(0, σ²) (Gerstgrasser et al. 2024).
#[derive(Clone, Debug)]
pub struct LinearSource {
    pub weights: Vec<f64>,
    pub noise_std: f64,
}

impl LinearSource {
    /// Weights given, or drawn once per run from N(0, I/d) (stream `"source"`).
    pub fn new(dim: usize, weights: Option<Vec<f64>>, noise_std: f64, rng: &mut Rng) -> Self {
        let weights = weights.unwrap_or_else(|| {
            let scale = 1.0 / (dim as f64).sqrt();
            (0..dim)
                .map(|_| {
                    let z = standard_normal(rng);
                    scale * z
                })
                .collect()
        });
        LinearSource { weights, noise_std }
    }

    pub fn dim(&self) -> usize {
        self.weights.len()
    }
}

/// `n` inputs from N(0, I_d), row-major.
pub fn gaussian_design(n: usize, dim: usize, rng: &mut Rng) -> Vec<f64> {
    (0..n * dim).map(|_| standard_normal(rng)).collect()
}

/// Labels x·w + scale·ε for each row of `x`.
pub fn linear_labels(x: &[f64], weights: &[f64], noise_std: f64, rng: &mut Rng) -> Vec<f64> {
    x.chunks_exact(weights.len())
        .map(|row| {
            let z = standard_normal(rng);
            row.iter().zip(weights).map(|(a, b)| a * b).sum::<f64>() + noise_std * z
        })
        .collect()
}

impl Source for LinearSource {
    type Data = Labeled;

    fn draw(&self, n: usize, rng: &mut Rng) -> Labeled {
        let x = gaussian_design(n, self.dim(), rng);
        let y = linear_labels(&x, &self.weights, self.noise_std, rng);
        Labeled {
            dim: self.dim(),
            x: Arc::new(x),
            y,
        }
    }

    fn log_density(&self, data: &Labeled) -> Option<Vec<f64>> {
        let var = self.noise_std * self.noise_std;
        Some(
            (0..data.len())
                .map(|i| {
                    let pred: f64 = data
                        .row(i)
                        .iter()
                        .zip(&self.weights)
                        .map(|(a, b)| a * b)
                        .sum();
                    -0.5 * ((2.0 * std::f64::consts::PI * var).ln()
                        + (data.y[i] - pred).powi(2) / var)
                })
                .collect(),
        )
    }
}

use genloop_core::data::Dataset as _;
