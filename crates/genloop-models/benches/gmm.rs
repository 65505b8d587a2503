//! EM fit of the Gaussian mixture on 2-D data from a k-component mixture, k = 2 and 5,
//! N = 1 000 and 10 000, with scikit-learn's comparison settings (tolerance 1e-3,
//! one init, reg_covar 1e-6, at most 100 iterations). The data are drawn once per case,
//! outside the timed part; the fit's seed is fixed. `bench/compare_gmm.sh` runs the
//! same cases against scikit-learn.
//!
//! Data recipe (shared with `bench/gmm_sklearn.py`): component j of k has weight
//! ∝ j + 1, mean 4·(cos 2πj/k, sin 2πj/k) and covariance R(πj/k) diag(1, 0.25) R(πj/k)ᵀ.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use genloop_core::data::Vectors;
use genloop_core::model::{FittedModel, Sampling};
use genloop_core::seed::RootSeed;
use genloop_models::mixture::{GaussianMixture, MixtureEstimator};

fn truth(k: usize) -> GaussianMixture {
    let total = (k * (k + 1) / 2) as f64;
    let mut weights = Vec::new();
    let mut means = Vec::new();
    let mut covariances = Vec::new();
    for j in 0..k {
        weights.push((j + 1) as f64 / total);
        let angle = 2.0 * std::f64::consts::PI * j as f64 / k as f64;
        means.extend([4.0 * angle.cos(), 4.0 * angle.sin()]);
        let (s, c) = (std::f64::consts::PI * j as f64 / k as f64).sin_cos();
        let (a, b) = (1.0, 0.25);
        covariances.extend([
            a * c * c + b * s * s,
            (a - b) * c * s,
            (a - b) * c * s,
            a * s * s + b * c * c,
        ]);
    }
    GaussianMixture::new(2, weights, means, covariances).expect("valid truth")
}

fn data(k: usize, n: usize) -> Vectors {
    truth(k).sample(
        n,
        &Sampling::default(),
        &mut RootSeed(0).stream("data", k as u64, n as u64),
    )
}

fn fit(c: &mut Criterion) {
    let mut group = c.benchmark_group("gmm_fit");
    group.sample_size(20);
    for k in [2, 5] {
        for n in [1_000, 10_000] {
            let points = data(k, n);
            let estimator = MixtureEstimator {
                components: k,
                max_iterations: 100,
                tolerance: 1e-3,
                inits: 1,
                reg_covar: 1e-6,
                dim: 2,
            };
            let id = BenchmarkId::from_parameter(format!("d=2/k={k}/n={n}/tol=1e-3/inits=1"));
            group.bench_with_input(id, &points, |b, points| {
                b.iter(|| {
                    let mut rng = RootSeed(1).stream("fit", 0, 0);
                    black_box(estimator.fit_vectors(points, &mut rng).expect("fit"))
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, fit);
criterion_main!(benches);
