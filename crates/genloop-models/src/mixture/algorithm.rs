//! Expectation-maximisation for a full-covariance Gaussian mixture, step for step as
//! scikit-learn 1.9.1 does it (`sklearn/mixture/_base.py` `BaseMixture.fit_predict`,
//! `_gaussian_mixture.py` `_estimate_gaussian_parameters`, and
//! `sklearn/cluster/_kmeans.py` `_kmeans_plusplus` for `init_params="k-means++"`):
//!
//! - initialisation: greedy k-means++ picks k records; responsibilities are one-hot on
//!   them, so the first parameters are N(cⱼ, reg_covar·I) with equal weights and the
//!   first E-step is, in effect, the hard assignment to the nearest centre;
//! - E-step: log-responsibilities by log-sum-exp; the lower bound is the mean
//!   log-likelihood of the parameters *before* the M-step that follows;
//! - M-step: nⱼ = Σ rᵢⱼ + 10ε, μⱼ = Σ rᵢⱼ xᵢ / nⱼ, Σⱼ = Σ rᵢⱼ (xᵢ − μⱼ)(xᵢ − μⱼ)ᵀ / nⱼ
//!   + reg_covar·I, wⱼ = nⱼ / Σ nₗ;
//! - stop when |Δ lower bound| < tolerance or after `max_iterations`; of `inits`
//!   runs keep the one with the highest final lower bound.
//!
//! The E- and M-steps are fused into one pass over the records: each record's
//! responsibilities are accumulated at once into Σ r, Σ r·δ and Σ r·δδᵀ with
//! δ = x − μⱼ(old). The new covariance is then Σ r δδᵀ / nⱼ − ΔΔᵀ with Δ = μⱼ(new) −
//! μⱼ(old), algebraically scikit-learn's two-pass formula; since Δ is the step of one
//! iteration (small after the first), the subtraction loses no precision.

use rand::Rng as _;

use genloop_core::model::FitError;
use genloop_core::seed::Rng;

use super::components::{Components, MixtureParameters};
use super::kernel::{self, sum, Block, Output, BLOCK};
use super::statistics::Statistics;
use super::MixtureEstimator;

/// scikit-learn's guard against empty components: 10 × machine epsilon added to nⱼ.
const EMPTY_GUARD: f64 = 10.0 * f64::EPSILON;

/// With `reg_covar = 0` scikit-learn cannot start (the one-record covariances are 0);
/// this variance keeps the first E-step the hard assignment it tends to.
const TINY_VARIANCE: f64 = 1e-100;

/// How a fit went (scikit-learn's `n_iter_`, `converged_`, `lower_bound_`,
/// `lower_bounds_`), for the run that was kept.
#[derive(Clone, Debug, PartialEq)]
pub struct FitSummary {
    /// EM iterations of the kept run.
    pub iterations: usize,
    pub converged: bool,
    /// Final lower bound: mean log-likelihood per record before the last M-step.
    pub lower_bound: f64,
    /// Lower bound after each iteration of the kept run.
    pub lower_bounds: Vec<f64>,
    /// Which of the `inits` runs was kept (0-based).
    pub init: usize,
}

/// Buffers reused by every pass: nothing is allocated per record or per iteration.
struct Workspace {
    statistics: Statistics,
    block: Block,
}

/// Fits `settings.inits` runs on the row-major records `x` and keeps the best.
pub(super) fn fit(
    x: &[f64],
    d: usize,
    settings: &MixtureEstimator,
    rng: &mut Rng,
) -> Result<(Components, FitSummary), FitError> {
    let k = settings.components;
    let mut workspace = Workspace {
        statistics: Statistics::new(k, d),
        block: Block::new(k, d),
    };
    let mut best: Option<(Components, FitSummary)> = None;
    for init in 0..settings.inits.max(1) {
        let centres = kmeans_plusplus(x, d, k, rng);
        let (components, mut summary) = run(x, d, settings, &centres, &mut workspace)?;
        summary.init = init;
        // scikit-learn: `lower_bound > max_lower_bound or max_lower_bound == -inf`.
        let better = match &best {
            None => true,
            Some((_, kept)) => {
                summary.lower_bound > kept.lower_bound || kept.lower_bound == f64::NEG_INFINITY
            }
        };
        if better {
            best = Some((components, summary));
        }
    }
    Ok(best.expect("at least one init"))
}

/// One EM run from the k-means++ centres.
fn run(
    x: &[f64],
    d: usize,
    settings: &MixtureEstimator,
    centres: &[usize],
    workspace: &mut Workspace,
) -> Result<(Components, FitSummary), FitError> {
    let k = centres.len();
    let variance = if settings.reg_covar > 0.0 {
        settings.reg_covar
    } else {
        TINY_VARIANCE
    };
    let mut means = Vec::with_capacity(k * d);
    let mut covariances = vec![0.0; k * d * d];
    for (j, &index) in centres.iter().enumerate() {
        means.extend_from_slice(&x[index * d..index * d + d]);
        for i in 0..d {
            covariances[j * d * d + i * d + i] = variance;
        }
    }
    let n = (x.len() / d) as f64;
    // scikit-learn's `_initialize` divides nⱼ = 1 + 10ε by N, not by Σ nₗ: the weights
    // are equal either way, so only the first lower bound sees the difference.
    let weights = vec![(1.0 + EMPTY_GUARD) / n; k];
    let mut components = Components::new(MixtureParameters {
        dim: d,
        weights,
        means,
        covariances,
    })?;
    let mut lower_bound = f64::NEG_INFINITY;
    let mut summary = FitSummary {
        iterations: 0,
        converged: false,
        lower_bound,
        lower_bounds: Vec::with_capacity(settings.max_iterations),
        init: 0,
    };
    for iteration in 1..=settings.max_iterations {
        let previous = lower_bound;
        lower_bound = expectation_pass(x, &components, workspace) / n;
        if !lower_bound.is_finite() {
            return Err(FitError::Numerical(format!(
                "the mixture's log-likelihood became {lower_bound} at EM iteration {iteration}; scale the data or raise `reg_covar`"
            )));
        }
        maximization(&mut components, &workspace.statistics, settings.reg_covar)?;
        summary.iterations = iteration;
        summary.lower_bounds.push(lower_bound);
        if (lower_bound - previous).abs() < settings.tolerance {
            summary.converged = true;
            break;
        }
    }
    summary.lower_bound = lower_bound;
    Ok((components, summary))
}

/// E-step and accumulation of the M-step's statistics; returns Σ ln p(xᵢ).
fn expectation_pass(x: &[f64], components: &Components, workspace: &mut Workspace) -> f64 {
    let Workspace { statistics, block } = workspace;
    statistics.reset();
    let mut total = 0.0;
    for records in x.chunks(BLOCK * components.dim) {
        block.load(records);
        total += kernel::expectation(components, block, Output::Responsibilities);
        statistics.accumulate(components, block);
    }
    statistics.finish();
    total
}

/// M-step from the accumulated statistics, in place.
fn maximization(
    components: &mut Components,
    statistics: &Statistics,
    reg_covar: f64,
) -> Result<(), FitError> {
    let d = components.dim;
    let dd = d * d;
    let k = components.count();
    let total: f64 = statistics.mass.iter().map(|m| m + EMPTY_GUARD).sum();
    for j in 0..k {
        let mass = statistics.mass[j] + EMPTY_GUARD;
        components.weights[j] = mass / total;
        let mean = &mut components.means[j * d..j * d + d];
        let first = &statistics.first[j * d..j * d + d];
        let second = &statistics.second[j * dd..j * dd + dd];
        let covariance = &mut components.covariances[j * dd..j * dd + dd];
        for a in 0..d {
            let step_a = first[a] / mass;
            for b in 0..=a {
                let step_b = first[b] / mass;
                let v = second[a * d + b] / mass - step_a * step_b;
                covariance[a * d + b] = v;
                covariance[b * d + a] = v;
            }
            covariance[a * d + a] += reg_covar;
        }
        for a in 0..d {
            mean[a] += first[a] / mass;
        }
    }
    components.refresh()
}

/// Greedy k-means++ (Arthur & Vassilvitskii 2007) as scikit-learn's
/// `_kmeans_plusplus`: the first centre uniformly, each next one the best of
/// 2 + ⌊ln k⌋ candidates drawn with probability ∝ D², by the potential Σ D² it
/// leaves. Returns the indices of the chosen records.
pub(super) fn kmeans_plusplus(x: &[f64], d: usize, k: usize, rng: &mut Rng) -> Vec<usize> {
    let n = x.len() / d;
    let trials = 2 + (k as f64).ln() as usize;
    let record = |i: usize| &x[i * d..i * d + d];
    let mut centres = Vec::with_capacity(k);
    let first = rng.random_range(0..n);
    centres.push(first);
    let mut closest = vec![0.0; n];
    squared_distances(x, record(first), &mut closest);
    let mut distances = vec![0.0; n];
    let mut block_sums = vec![0.0; n.div_ceil(PREFIX_BLOCK)];
    for _ in 1..k {
        for (block_sum, chunk) in block_sums.iter_mut().zip(closest.chunks(PREFIX_BLOCK)) {
            *block_sum = sum(chunk);
        }
        let total: f64 = block_sums.iter().sum();
        // The candidate with the lowest potential; numpy's `argmin` keeps the first.
        let mut best = (usize::MAX, f64::INFINITY);
        for _ in 0..trials {
            let target = rng.random::<f64>() * total;
            let candidate = search_cumulative(&closest, &block_sums, target);
            squared_distances(x, record(candidate), &mut distances);
            let candidate_potential = potential(&closest, &distances);
            if candidate_potential < best.1 {
                best = (candidate, candidate_potential);
            }
        }
        squared_distances(x, record(best.0), &mut distances);
        for (c, v) in closest.iter_mut().zip(&distances) {
            *c = minimum(*c, *v);
        }
        centres.push(best.0);
    }
    centres
}

/// Records per partial sum of the D² weights in [`search_cumulative`].
const PREFIX_BLOCK: usize = 64;

/// numpy's `searchsorted(cumsum(weights), target)` (left side), clipped to the last
/// record: the first i with w₀ + … + wᵢ ≥ target. The block sums find the block, a
/// running sum inside it the record.
fn search_cumulative(weights: &[f64], block_sums: &[f64], target: f64) -> usize {
    let mut running = 0.0;
    for (b, block_sum) in block_sums.iter().enumerate() {
        if running + block_sum >= target {
            let mut inside = running;
            for (i, w) in weights[b * PREFIX_BLOCK..]
                .iter()
                .take(PREFIX_BLOCK)
                .enumerate()
            {
                inside += w;
                if inside >= target {
                    return b * PREFIX_BLOCK + i;
                }
            }
        }
        running += block_sum;
    }
    weights.len() - 1
}

/// ‖xᵢ − centre‖² for every row-major record xᵢ.
fn squared_distances(x: &[f64], centre: &[f64], out: &mut [f64]) {
    match centre.len() {
        1 => squared_distances_fixed::<1>(x, centre, out),
        2 => squared_distances_fixed::<2>(x, centre, out),
        3 => squared_distances_fixed::<3>(x, centre, out),
        4 => squared_distances_fixed::<4>(x, centre, out),
        d => {
            for (o, row) in out.iter_mut().zip(x.chunks_exact(d)) {
                *o = row.iter().zip(centre).map(|(u, v)| (u - v) * (u - v)).sum();
            }
        }
    }
}

/// As [`squared_distances`] for a dimension known at compile time, so that the loop
/// vectorises. (Not inlined: inlined into one caller, the instances for different D
/// can be merged back into one loop over a run-time dimension.)
#[inline(never)]
fn squared_distances_fixed<const D: usize>(x: &[f64], centre: &[f64], out: &mut [f64]) {
    let centre: [f64; D] = std::array::from_fn(|a| centre[a]);
    for (o, row) in out.iter_mut().zip(x.chunks_exact(D)) {
        let mut s = 0.0;
        for a in 0..D {
            s += (row[a] - centre[a]) * (row[a] - centre[a]);
        }
        *o = s;
    }
}

/// Σᵢ min(closestᵢ, distanceᵢ): the potential left if a centre at these distances
/// were added. Four interleaved partial sums let the additions vectorise.
fn potential(closest: &[f64], distances: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let whole = closest.len() / 4 * 4;
    for (c, v) in closest[..whole]
        .chunks_exact(4)
        .zip(distances[..whole].chunks_exact(4))
    {
        for l in 0..4 {
            lanes[l] += minimum(c[l], v[l]);
        }
    }
    let mut total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (c, v) in closest[whole..].iter().zip(&distances[whole..]) {
        total += minimum(*c, *v);
    }
    total
}

/// The smaller of two numbers that are not NaN (one instruction, where `f64::min`
/// also handles NaN).
fn minimum(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}
