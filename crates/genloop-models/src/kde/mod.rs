//! Gaussian kernel density estimate: p(x) = (1/n) Σᵢ N(x; xᵢ, H).
//!
//! Bandwidth as `scipy.stats.gaussian_kde` (SciPy 1.17): for the rules the kernel
//! covariance is H = f²·S, with S the unbiased data covariance (divide by n − 1) and
//! Scott's factor f = n^(−1/(d+4)) or Silverman's f = (n(d+2)/4)^(−1/(d+4));
//! `Fixed(h)` is the isotropic H = h²·I. Sampling bias λ scales H by λ: a training
//! record drawn uniformly plus N(0, λH) noise.
//!
//! ```
//! use std::sync::Arc;
//! use genloop_core::data::Vectors;
//! use genloop_core::model::FittedModel;
//! use genloop_models::kde::{Bandwidth, Kde};
//!
//! // Two points at 0 and 2, unit kernel: the density at 1 is N(1; 0, 1).
//! let kde = Kde::new(Arc::new(Vectors::new(1, vec![0.0, 2.0])), Bandwidth::Fixed(1.0)).unwrap();
//! let lp = kde.log_prob(&Vectors::new(1, vec![1.0]));
//! assert!((lp[0] - (-0.5 - 0.918_938_533_204_672_7)).abs() < 1e-12);
//! ```

#[cfg(test)]
mod tests;

use std::sync::Arc;

use genloop_core::normal::standard_normal;
use rand::Rng as _;

use genloop_core::data::{TrainingSet, Vectors};
use genloop_core::model::{Estimator, FitError, FittedModel, Sampling};
use genloop_core::seed::Rng;
use serde::{Deserialize, Serialize};

use crate::linalg;
use crate::mixture::exp_nonpositive;
use crate::moments::moments;
use crate::vector::VectorModel;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// The kernel bandwidth (config: `bandwidth`): Scott's or Silverman's rule, or a
/// fixed isotropic h.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bandwidth {
    Scott,
    Silverman,
    Fixed(f64),
}

/// Checked hyper-parameters of the KDE.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KdeEstimator {
    /// The kernel width: a rule of thumb (Scott, Silverman) or a fixed value.
    pub bandwidth: Bandwidth,
    /// Dimension of the vectors.
    pub dim: usize,
}

impl Estimator for KdeEstimator {
    type Data = Vectors;
    type Model = Kde;

    fn fit(&self, train: &TrainingSet<Vectors>, _rng: &mut Rng) -> Result<Kde, FitError> {
        if train.is_empty() {
            return Err(FitError::Empty);
        }
        // A single batch is shared, not copied.
        let points = match train.parts.as_slice() {
            [part] => Arc::clone(&part.data),
            _ => Arc::new(train.concatenated()),
        };
        if points.dim != self.dim {
            return Err(FitError::Numerical(format!(
                "the KDE expects {}-dimensional records, the training set has {}",
                self.dim, points.dim
            )));
        }
        Kde::new(points, self.bandwidth)
    }
}

/// A fitted KDE: the training records (shared) and the kernel.
#[derive(Clone, Debug)]
pub struct Kde {
    points: Arc<Vectors>,
    /// L⁻¹xᵢ for each record, where H = L Lᵀ: the kernel becomes the unit Gaussian.
    whitened: Arc<Vec<f64>>,
    /// The bandwidth factor f (the rules) or h (`Fixed`).
    factor: f64,
    /// L, lower triangular, row-major.
    kernel_cholesky: Vec<f64>,
    /// −ln n − ½ d ln 2π − ln |L|.
    log_norm: f64,
    mean: Vec<f64>,
    /// MLE covariance of the records.
    scatter: Vec<f64>,
}

impl Kde {
    /// A KDE on `points` with the kernel `bandwidth` picks.
    pub fn new(points: Arc<Vectors>, bandwidth: Bandwidth) -> Result<Self, FitError> {
        let d = points.dim;
        let n = points.values.len() / d;
        if n == 0 {
            return Err(FitError::Empty);
        }
        if let Some(index) = points.values.iter().position(|v| !v.is_finite()) {
            return Err(FitError::Numerical(format!(
                "record {} has a non-finite value ({}); the KDE cannot be fitted",
                index / d,
                points.values[index]
            )));
        }
        let (mean, scatter) = moments(std::iter::once(points.as_ref()), d);
        let (factor, kernel_cholesky) = match bandwidth {
            Bandwidth::Fixed(h) => {
                if !(h > 0.0 && h.is_finite()) {
                    return Err(FitError::Numerical(format!(
                        "the KDE bandwidth must be positive and finite, got {h}"
                    )));
                }
                let mut l = vec![0.0; d * d];
                (0..d).for_each(|i| l[i * d + i] = h);
                (h, l)
            }
            Bandwidth::Scott | Bandwidth::Silverman => {
                let needed = (d + 1).max(2);
                if n < needed {
                    return Err(FitError::TooFew {
                        needed,
                        have: n,
                        hint: "the bandwidth rule needs a non-singular data covariance; raise the samples per generation or use a fixed bandwidth",
                    });
                }
                let exponent = -1.0 / (d as f64 + 4.0);
                let factor = match bandwidth {
                    Bandwidth::Scott => (n as f64).powf(exponent),
                    _ => (n as f64 * (d as f64 + 2.0) / 4.0).powf(exponent),
                };
                let unbiased = n as f64 / (n as f64 - 1.0);
                let covariance: Vec<f64> = scatter.iter().map(|v| v * unbiased).collect();
                let l = linalg::cholesky(&covariance, d).ok_or_else(|| {
                    FitError::Numerical(format!(
                        "the KDE's data covariance is singular (tr S = {:.3e}): the records lie in a lower-dimensional subspace; use a fixed bandwidth or raise the samples per generation",
                        linalg::trace(&covariance, d)
                    ))
                })?;
                (factor, l.iter().map(|v| v * factor).collect())
            }
        };
        let mut whitened = points.values.clone();
        for row in whitened.chunks_exact_mut(d) {
            linalg::forward_solve(&kernel_cholesky, d, row);
        }
        let half_log_det: f64 = (0..d).map(|i| kernel_cholesky[i * d + i].ln()).sum();
        Ok(Kde {
            points,
            whitened: Arc::new(whitened),
            factor,
            log_norm: -(n as f64).ln() - 0.5 * d as f64 * LN_2PI - half_log_det,
            kernel_cholesky,
            mean,
            scatter,
        })
    }

    /// The training records.
    pub fn points(&self) -> &Vectors {
        &self.points
    }

    /// Scott's or Silverman's factor f, or h for a fixed bandwidth.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// The kernel covariance H, row-major.
    pub fn kernel_covariance(&self) -> Vec<f64> {
        let d = self.points.dim;
        let l = &self.kernel_cholesky;
        let mut h = vec![0.0; d * d];
        for a in 0..d {
            for b in 0..d {
                h[a * d + b] = (0..d).map(|m| l[a * d + m] * l[b * d + m]).sum();
            }
        }
        h
    }

    fn records(&self) -> usize {
        self.whitened.len() / self.points.dim
    }

    /// ln p(x), with `distances` a scratch buffer of one value per training record.
    fn log_density_into(&self, x: &[f64], query: &mut [f64], distances: &mut [f64]) -> f64 {
        let d = self.points.dim;
        query.copy_from_slice(x);
        linalg::forward_solve(&self.kernel_cholesky, d, query);
        match d {
            1 => squared_distances_fixed::<1>(&self.whitened, query, distances),
            2 => squared_distances_fixed::<2>(&self.whitened, query, distances),
            3 => squared_distances_fixed::<3>(&self.whitened, query, distances),
            _ => {
                for (q, w) in distances.iter_mut().zip(self.whitened.chunks_exact(d)) {
                    *q = w
                        .iter()
                        .zip(query.iter())
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum();
                }
            }
        }
        // Log-sum-exp over the records, shifted by the nearest one. Four interleaved
        // partial sums (a fixed order) let both reductions vectorise.
        let nearest = lanes(
            distances,
            f64::INFINITY,
            |acc, q| if q < acc { q } else { acc },
        );
        let nearest = nearest.into_iter().fold(f64::INFINITY, f64::min);
        for q in distances.iter_mut() {
            *q = exp_nonpositive(-0.5 * (*q - nearest));
        }
        let sums = lanes(distances, 0.0, |acc, v| acc + v);
        let sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
        self.log_norm - 0.5 * nearest + sum.ln()
    }
}

/// Folds `values` into four interleaved accumulators: element i goes to lane i mod 4.
#[inline(always)]
fn lanes(values: &[f64], init: f64, step: impl Fn(f64, f64) -> f64) -> [f64; 4] {
    let mut acc = [init; 4];
    let whole = values.len() / 4 * 4;
    for chunk in values[..whole].chunks_exact(4) {
        for l in 0..4 {
            acc[l] = step(acc[l], chunk[l]);
        }
    }
    for (l, v) in values[whole..].iter().enumerate() {
        acc[l] = step(acc[l], *v);
    }
    acc
}

/// ‖y − wᵢ‖² for every whitened record into `out`, for a dimension known at compile
/// time so that the loop vectorises. (Not inlined: inlined into one caller, the
/// instances for different D can be merged back into one loop over a run-time
/// dimension.)
#[inline(never)]
fn squared_distances_fixed<const D: usize>(whitened: &[f64], y: &[f64], out: &mut [f64]) {
    let y: [f64; D] = std::array::from_fn(|a| y[a]);
    for (q, w) in out.iter_mut().zip(whitened.chunks_exact(D)) {
        let mut s = 0.0;
        for a in 0..D {
            s += (y[a] - w[a]) * (y[a] - w[a]);
        }
        *q = s;
    }
}

impl FittedModel for Kde {
    type Data = Vectors;

    fn sample(&self, n: usize, sampling: &Sampling, rng: &mut Rng) -> Vectors {
        let d = self.points.dim;
        let records = self.records();
        let root = sampling.bias.sqrt();
        let l = &self.kernel_cholesky;
        let mut values = Vec::with_capacity(n * d);
        let mut z = vec![0.0; d];
        for _ in 0..n {
            let centre = self.points.row(rng.random_range(0..records));
            z.iter_mut().for_each(|v| *v = standard_normal(rng));
            for i in 0..d {
                let s: f64 = (0..=i).map(|m| l[i * d + m] * z[m]).sum();
                values.push(centre[i] + root * s);
            }
        }
        Vectors::new(d, values)
    }

    fn log_prob(&self, data: &Vectors) -> Vec<f64> {
        let mut query = vec![0.0; self.points.dim];
        let mut distances = vec![0.0; self.records()];
        data.rows()
            .map(|x| self.log_density_into(x, &mut query, &mut distances))
            .collect()
    }

    /// The stored records, n·d values: a KDE has no parameters beyond its data.
    fn parameter_count(&self) -> usize {
        self.points.values.len()
    }
}

impl VectorModel for Kde {
    fn dim(&self) -> usize {
        self.points.dim
    }

    fn mean(&self) -> Vec<f64> {
        self.mean.clone()
    }

    /// An equal-weight mixture of N(xᵢ, H): the records' MLE covariance plus H.
    fn covariance(&self) -> Vec<f64> {
        let mut covariance = self.kernel_covariance();
        covariance
            .iter_mut()
            .zip(&self.scatter)
            .for_each(|(c, s)| *c += s);
        covariance
    }
}
