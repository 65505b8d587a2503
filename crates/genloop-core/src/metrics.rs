//! Metric names, units and directions: the stable vocabulary of stores and exports.

use serde::Serialize;

/// Which way is better for a metric.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
    /// Healthy when close to a target value (ratios to the truth).
    Target(f64),
}

/// A metric's declaration (STYLE.md 12: metrics declare direction and unit).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MetricSpec {
    /// Stable name used by the store, exports and configs.
    pub name: &'static str,
    pub unit: &'static str,
    pub direction: Direction,
    /// Strictly positive values: aggregates include the mean of the log.
    pub positive: bool,
    pub description: &'static str,
}

const fn spec(
    name: &'static str,
    unit: &'static str,
    direction: Direction,
    positive: bool,
    description: &'static str,
) -> MetricSpec {
    MetricSpec {
        name,
        unit,
        direction,
        positive,
        description,
    }
}

use Direction::*;

pub const MEAN_SQ_ERROR: MetricSpec = spec(
    "mean_sq_error",
    "squared data units",
    LowerIsBetter,
    true,
    "‖μ̂ − μ₀‖², squared distance of the fitted mean from the true mean",
);
pub const VARIANCE_RATIO: MetricSpec = spec(
    "variance_ratio",
    "ratio",
    Target(1.0),
    true,
    "tr Σ̂ / tr Σ₀, total variance relative to the truth",
);
pub const LOG_VARIANCE_RATIO: MetricSpec = spec(
    "log_variance_ratio",
    "nats",
    Target(0.0),
    false,
    "ln(tr Σ̂ / tr Σ₀)",
);
pub const W2_SQUARED: MetricSpec = spec(
    "w2_squared",
    "squared data units",
    LowerIsBetter,
    true,
    "squared 2-Wasserstein distance between the fitted Gaussian and the true Gaussian",
);
pub const KL_TO_TRUTH: MetricSpec = spec(
    "kl_to_truth",
    "nats",
    LowerIsBetter,
    true,
    "KL(truth ‖ model), closed form for Gaussians and categoricals",
);
pub const HOLDOUT_NLL: MetricSpec = spec(
    "holdout_nll",
    "nats per record",
    LowerIsBetter,
    false,
    "mean negative log-likelihood of the holdout set",
);
pub const PARAM_ERROR: MetricSpec = spec(
    "param_error",
    "squared weight units",
    LowerIsBetter,
    true,
    "‖ŵ − w*‖², squared error of the regression weights",
);
pub const TEST_MSE: MetricSpec = spec(
    "test_mse",
    "squared label units",
    LowerIsBetter,
    true,
    "mean squared prediction error on the holdout set",
);
pub const PROB_SQ_ERROR: MetricSpec = spec(
    "prob_sq_error",
    "probability²",
    LowerIsBetter,
    true,
    "Σ(p̂ᵢ − qᵢ)², squared error of the category probabilities",
);
pub const ENTROPY: MetricSpec = spec(
    "entropy",
    "nats",
    HigherIsBetter,
    false,
    "entropy of the fitted distribution",
);
pub const GINI_IMPURITY: MetricSpec = spec(
    "gini_impurity",
    "probability",
    HigherIsBetter,
    false,
    "1 − Σp̂ᵢ², the chance two draws differ",
);
pub const SUPPORT_SIZE: MetricSpec = spec(
    "support_size",
    "categories",
    HigherIsBetter,
    true,
    "number of categories with non-zero fitted probability",
);

/// Every metric genloop knows, by stable name.
pub const ALL: &[MetricSpec] = &[
    MEAN_SQ_ERROR,
    VARIANCE_RATIO,
    LOG_VARIANCE_RATIO,
    W2_SQUARED,
    KL_TO_TRUTH,
    HOLDOUT_NLL,
    PARAM_ERROR,
    TEST_MSE,
    PROB_SQ_ERROR,
    ENTROPY,
    GINI_IMPURITY,
    SUPPORT_SIZE,
];

pub fn by_name(name: &str) -> Option<&'static MetricSpec> {
    ALL.iter().find(|m| m.name == name)
}
