//! The numeric sources: a Gaussian, a mixture of Gaussians, a categorical
//! distribution and a linear regression (`genloop_models::sources`).

use super::{RawSource, SourceSpec};
use crate::problem::Checker;

pub(super) fn check_gaussian(c: &mut Checker, raw: &RawSource) -> SourceSpec {
    let dim = match (&raw.mean, raw.dim) {
        (Some(mean), None) => mean.len() as i64,
        _ => raw.dim.unwrap_or(1),
    };
    let dim = c.count("source.dim", Some(dim), None, 1, "dim = 1");
    let mean = raw.mean.clone().unwrap_or_else(|| vec![0.0; dim]);
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

/// Symmetric, and a Cholesky factorisation exists.
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
    let dim = c.count_or("source.dim", raw.dim, 2, 1);
    let components = c.count_or("source.components", raw.components, 3, 1);
    let separation = c.positive_or("source.separation", raw.separation, 4.0);
    SourceSpec::Mixture {
        dim,
        components,
        separation,
    }
}

pub(super) fn check_categorical(c: &mut Checker, raw: &RawSource) -> SourceSpec {
    let categories = c.count_or("source.categories", raw.categories, 100, 2);
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
    let dim = c.count("source.dim", Some(dim), None, 1, "dim = 10");
    if let Some(w) = &raw.weights {
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
    SourceSpec::Linear {
        dim,
        weights: raw.weights.clone(),
        noise_std,
    }
}
