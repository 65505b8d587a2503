//! Sufficient statistics of vectors: the mean and MLE covariance of a training set
//! (fits), and of a holdout set (closed-form negative log-likelihoods).

use genloop_core::data::Vectors;

/// The holdout set of a vector task with its sufficient statistics.
#[derive(Clone, Debug)]
pub struct VectorHoldout {
    pub data: Vectors,
    /// Sample mean.
    pub mean: Vec<f64>,
    /// MLE covariance (divide by N), row-major.
    pub scatter: Vec<f64>,
}

impl VectorHoldout {
    pub fn new(data: Vectors) -> Self {
        let (mean, scatter) = moments(std::iter::once(&data), data.dim);
        VectorHoldout {
            data,
            mean,
            scatter,
        }
    }
}

/// Σ f(x) with eight independent accumulators: a single running sum is one long
/// chain of dependent additions; eight lanes let the CPU overlap them (and
/// vectorise), about 4× faster on the 100-value batches of the theory runs. The
/// order of additions is fixed, so results stay bit-identical across runs.
#[inline]
pub fn lane_sum(xs: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [0.0f64; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for (lane, x) in lanes.iter_mut().zip(c) {
            *lane += f(*x);
        }
    }
    let mut tail = 0.0;
    for x in chunks.remainder() {
        tail += f(*x);
    }
    ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
        + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
        + tail
}

/// Mean and MLE covariance over chunks, two passes for numerical stability.
pub fn moments<'a>(
    chunks: impl Iterator<Item = &'a Vectors> + Clone,
    d: usize,
) -> (Vec<f64>, Vec<f64>) {
    if d == 1 {
        // The hot path of the 1-D theory runs: plain slice sums vectorise.
        let (mut n, mut sum) = (0usize, 0.0);
        for chunk in chunks.clone() {
            n += chunk.values.len();
            sum += lane_sum(&chunk.values, |x| x);
        }
        let mu = sum / n.max(1) as f64;
        let mut squares = 0.0;
        for chunk in chunks {
            squares += lane_sum(&chunk.values, |x| (x - mu) * (x - mu));
        }
        return (vec![mu], vec![squares / n.max(1) as f64]);
    }
    let mut n = 0usize;
    let mut mean = vec![0.0; d];
    for chunk in chunks.clone() {
        for row in chunk.rows() {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += x;
            }
        }
        n += chunk.values.len() / d;
    }
    mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
    let mut scatter = vec![0.0; d * d];
    let mut centered = vec![0.0; d];
    for chunk in chunks {
        for row in chunk.rows() {
            for i in 0..d {
                centered[i] = row[i] - mean[i];
            }
            for i in 0..d {
                for j in 0..=i {
                    scatter[i * d + j] += centered[i] * centered[j];
                }
            }
        }
    }
    for i in 0..d {
        for j in 0..=i {
            let v = scatter[i * d + j] / n.max(1) as f64;
            scatter[i * d + j] = v;
            scatter[j * d + i] = v;
        }
    }
    (mean, scatter)
}
