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
    /// No better direction; read against generation 0 or the truth.
    Neutral,
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

pub const HOLDOUT_CROSS_ENTROPY: MetricSpec = spec(
    "holdout_cross_entropy",
    "nats per token",
    LowerIsBetter,
    true,
    "cross-entropy of the holdout text under the model, end-of-document counted as a token",
);
pub const HOLDOUT_PERPLEXITY: MetricSpec = spec(
    "holdout_perplexity",
    "perplexity",
    LowerIsBetter,
    true,
    "exp(holdout_cross_entropy)",
);
pub const SAMPLE_XENT_GEN0: MetricSpec = spec(
    "sample_xent_gen0",
    "nats per token",
    Direction::Neutral,
    true,
    "cross-entropy of this generation's samples under the generation-0 model",
);
pub const UNIGRAM_ENTROPY: MetricSpec = spec(
    "unigram_entropy",
    "nats",
    HigherIsBetter,
    true,
    "entropy of the token frequencies of the samples",
);
pub const DISTINCT_1: MetricSpec = spec(
    "distinct_1",
    "share",
    HigherIsBetter,
    true,
    "distinct unigrams / unigrams in the samples",
);
pub const DISTINCT_2: MetricSpec = spec(
    "distinct_2",
    "share",
    HigherIsBetter,
    true,
    "distinct bigrams / bigrams in the samples",
);
pub const DISTINCT_3: MetricSpec = spec(
    "distinct_3",
    "share",
    HigherIsBetter,
    true,
    "distinct trigrams / trigrams in the samples",
);
pub const VOCAB_SURVIVAL: MetricSpec = spec(
    "vocab_survival",
    "share",
    HigherIsBetter,
    true,
    "share of the original pool's token types that appear in the samples",
);
pub const TAIL_MASS: MetricSpec = spec(
    "tail_mass",
    "probability",
    HigherIsBetter,
    true,
    "share of sampled tokens from the rarest decile of the original pool's types",
);
pub const NGRAM_PRECISION: MetricSpec = spec(
    "ngram_precision",
    "share",
    HigherIsBetter,
    true,
    "share of the samples' trigrams that occur in the holdout",
);
pub const NGRAM_RECALL: MetricSpec = spec(
    "ngram_recall",
    "share",
    HigherIsBetter,
    true,
    "share of the holdout's distinct trigrams that occur in the samples",
);
pub const REPETITION_RATE: MetricSpec = spec(
    "repetition_rate",
    "share",
    LowerIsBetter,
    false,
    "share of the samples' 4-grams that repeat an earlier 4-gram of the same document",
);
pub const MEAN_LENGTH: MetricSpec = spec(
    "mean_length",
    "tokens",
    Direction::Neutral,
    true,
    "mean sampled document length",
);

pub const SYNTHETIC_SHARE_BEFORE: MetricSpec = spec(
    "synthetic_share_before",
    "share of units",
    LowerIsBetter,
    false,
    "share of the generation's training units that are machine-made (true provenance), before curation",
);
pub const SYNTHETIC_SHARE_AFTER: MetricSpec = spec(
    "synthetic_share_after",
    "share of units",
    LowerIsBetter,
    false,
    "share of the generation's training units that are machine-made (true provenance), after curation",
);
pub const DETECTOR_PRECISION: MetricSpec = spec(
    "detector_precision",
    "share of records",
    HigherIsBetter,
    false,
    "machine-made share of the records the detector dropped (NaN when it dropped none)",
);
pub const DETECTOR_RECALL: MetricSpec = spec(
    "detector_recall",
    "share of records",
    HigherIsBetter,
    false,
    "share of the machine-made records the detector judged that it dropped",
);
pub const DETECTOR_AUROC: MetricSpec = spec(
    "detector_auroc",
    "probability",
    HigherIsBetter,
    false,
    "area under the ROC of the detector's scores on the records it judged, machine vs human (0.5 = chance)",
);
pub const DETECTOR_TPR_AT_1FPR: MetricSpec = spec(
    "detector_tpr_at_1fpr",
    "share of records",
    HigherIsBetter,
    false,
    "share of machine-made records caught at the score threshold that flags 1 % of the human records judged",
);

/// Curation metrics measured by the loop itself (true provenance is known there).
pub const CURATION_SHARES: &[MetricSpec] = &[SYNTHETIC_SHARE_BEFORE, SYNTHETIC_SHARE_AFTER];
pub const DETECTOR: &[MetricSpec] = &[
    DETECTOR_PRECISION,
    DETECTOR_RECALL,
    DETECTOR_AUROC,
    DETECTOR_TPR_AT_1FPR,
];

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
    HOLDOUT_CROSS_ENTROPY,
    HOLDOUT_PERPLEXITY,
    SAMPLE_XENT_GEN0,
    UNIGRAM_ENTROPY,
    DISTINCT_1,
    DISTINCT_2,
    DISTINCT_3,
    VOCAB_SURVIVAL,
    TAIL_MASS,
    NGRAM_PRECISION,
    NGRAM_RECALL,
    REPETITION_RATE,
    MEAN_LENGTH,
    SYNTHETIC_SHARE_BEFORE,
    SYNTHETIC_SHARE_AFTER,
    DETECTOR_PRECISION,
    DETECTOR_RECALL,
    DETECTOR_AUROC,
    DETECTOR_TPR_AT_1FPR,
];

pub fn by_name(name: &str) -> Option<&'static MetricSpec> {
    ALL.iter().find(|m| m.name == name)
}
