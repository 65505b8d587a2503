//! The numeric sources: a Gaussian, a mixture of Gaussians, a categorical
//! distribution and a linear regression (`genloop_models::sources`).
//!
//! Every number a source draws data from is finite and at most [`MAX_MAGNITUDE`] in
//! size, so squares and sums of the drawn records stay finite; dimensions stay within
//! [`MAX_DIM`] (a d×d covariance is built while checking).

use super::{RawSource, SourceSpec};
use crate::problem::Checker;

/// Largest |value| of a mean, weight or covariance entry: squares of records near it
/// (about 1e200) still fit an f64 (1.8e308).
pub const MAX_MAGNITUDE: f64 = 1e100;
/// Largest dimension of a numeric source: a 4096×4096 covariance is 128 MiB and its
/// Cholesky factorisation 2.3e10 multiplications.
pub const MAX_DIM: i64 = 4096;
/// Most categories of a categorical source (the truth, each fit and its cumulative
/// table hold 8 bytes per category: 800 MB each at this limit).
pub const MAX_CATEGORIES: i64 = 100_000_000;

pub(super) fn check_gaussian(c: &mut Checker, raw: &RawSource) -> SourceSpec {
    let dim = match (&raw.mean, raw.dim) {
        (Some(mean), None) => mean.len() as i64,
        _ => raw.dim.unwrap_or(1),
    };
    let dim = c.count_within("source.dim", Some(dim), None, 1..=MAX_DIM, "dim = 1");
    let mean = raw.mean.clone().unwrap_or_else(|| vec![0.0; dim]);
    check_values(c, "source.mean", &mean, "e.g. mean = [0.0, 1.0]");
    if mean.len() != dim {
        c.problem(
            "source.mean",
            format!("{mean:?}"),
            &format!("has {} entries but dim = {dim}", mean.len()),
            "give one entry per dimension",
        );
    }
    let covariance = match &raw.covariance {
        None => (0..dim * dim)
            .map(|i| if i % (dim + 1) == 0 { 1.0 } else { 0.0 })
            .collect(),
        Some(rows) => check_covariance(c, rows, dim),
    };
    SourceSpec::Gaussian { mean, covariance }
}

/// A dim×dim symmetric positive definite matrix, row-major.
fn check_covariance(c: &mut Checker, rows: &[Vec<f64>], dim: usize) -> Vec<f64> {
    if rows.len() != dim || rows.iter().any(|r| r.len() != dim) {
        c.problem(
            "source.covariance",
            format!("{rows:?}"),
            &format!("must be a {dim}×{dim} matrix"),
            "give dim rows of dim numbers",
        );
    } else if !rows.iter().flatten().all(|v| finite_within(*v)) {
        check_values(
            c,
            "source.covariance",
            &rows.concat(),
            "e.g. covariance = [[1.0, 0.5], [0.5, 1.0]]",
        );
    } else if !symmetric_positive_definite(rows) {
        c.problem(
            "source.covariance",
            format!("{rows:?}"),
            "must be symmetric positive definite",
            "e.g. covariance = [[1.0, 0.5], [0.5, 1.0]]",
        );
    }
    rows.iter().flatten().copied().collect()
}

fn finite_within(value: f64) -> bool {
    value.is_finite() && value.abs() <= MAX_MAGNITUDE
}

/// Each of `values` finite and within ±[`MAX_MAGNITUDE`]; one problem names the first
/// that is not.
fn check_values(c: &mut Checker, key: &str, values: &[f64], example: &str) {
    if let Some(bad) = values.iter().find(|v| !finite_within(**v)) {
        c.problem(
            key,
            bad,
            &format!("holds a value that is not a finite number within ±{MAX_MAGNITUDE:e}"),
            example,
        );
    }
}

/// A positive number (checked before) that is also at most [`MAX_MAGNITUDE`].
fn at_most_magnitude(c: &mut Checker, key: &str, value: f64, example: &str) {
    if value.is_finite() && value > MAX_MAGNITUDE {
        c.problem(
            key,
            value,
            &format!("must be at most {MAX_MAGNITUDE:e}"),
            example,
        );
    }
}

/// Symmetric, and a Cholesky factorisation exists (entries checked finite before).
fn symmetric_positive_definite(rows: &[Vec<f64>]) -> bool {
    let n = rows.len();
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        if (0..n).any(|j| (rows[i][j] - rows[j][i]).abs() > 1e-12) {
            return false;
        }
        for j in 0..=i {
            let mut s = rows[i][j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s <= 0.0 {
                    return false;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    true
}

pub(super) fn check_mixture(c: &mut Checker, raw: &RawSource) -> SourceSpec {
    let dim = c.count_within("source.dim", raw.dim, Some(2), 1..=MAX_DIM, "dim = 2");
    let components = c.count_or("source.components", raw.components, 3, 1);
    let separation = c.positive_or("source.separation", raw.separation, 4.0);
    at_most_magnitude(c, "source.separation", separation, "e.g. separation = 4.0");
    SourceSpec::Mixture {
        dim,
        components,
        separation,
    }
}

pub(super) fn check_categorical(c: &mut Checker, raw: &RawSource) -> SourceSpec {
    let categories = c.count_within(
        "source.categories",
        raw.categories,
        Some(100),
        2..=MAX_CATEGORIES,
        "categories = 100",
    );
    let distribution = raw.distribution.as_deref().unwrap_or("uniform");
    let exponent = match c.choice("source.distribution", distribution, &["uniform", "zipf"]) {
        Some("zipf") => c.positive(
            "source.exponent",
            raw.exponent.unwrap_or(1.0),
            "exponent = 1.1",
        ),
        _ => {
            if let Some(e) = raw.exponent {
                c.problem(
                    "source.exponent",
                    e,
                    "applies only to distribution = \"zipf\"",
                    "remove it or set distribution = \"zipf\"",
                );
            }
            0.0
        }
    };
    SourceSpec::Categorical {
        categories,
        exponent,
    }
}

pub(super) fn check_linear(c: &mut Checker, raw: &RawSource) -> SourceSpec {
    let dim = match (&raw.weights, raw.dim) {
        (Some(w), None) => w.len() as i64,
        _ => raw.dim.unwrap_or(10),
    };
    let dim = c.count_within("source.dim", Some(dim), None, 1..=MAX_DIM, "dim = 10");
    if let Some(w) = &raw.weights {
        check_values(c, "source.weights", w, "e.g. weights = [1.0, -0.5]");
        if w.len() != dim {
            c.problem(
                "source.weights",
                format!("{w:?}"),
                &format!("has {} entries but dim = {dim}", w.len()),
                "give one weight per dimension",
            );
        }
    }
    let noise_std = c.positive_or("source.noise_std", raw.noise_std, 1.0);
    at_most_magnitude(c, "source.noise_std", noise_std, "e.g. noise_std = 1.0");
    SourceSpec::Linear {
        dim,
        weights: raw.weights.clone(),
        noise_std,
    }
}
