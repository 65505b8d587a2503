//! `[source]`: the ground truth a run samples its human data from. Numeric kinds
//! (`gaussian`, `mixture`, `categorical`, `linear`) in [`numeric`], text kinds
//! (`corpus`, `language`) in [`text`].

use serde::{Deserialize, Serialize};

use genloop_text::corpus::CorpusSpec;
use genloop_text::language::LanguageSpec;

use crate::problem::Checker;

mod numeric;
mod text;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub kind: String,
    pub dim: Option<i64>,
    pub mean: Option<Vec<f64>>,
    pub covariance: Option<Vec<Vec<f64>>>,
    pub components: Option<i64>,
    pub separation: Option<f64>,
    pub categories: Option<i64>,
    pub distribution: Option<String>,
    pub exponent: Option<f64>,
    pub weights: Option<Vec<f64>>,
    pub noise_std: Option<f64>,
    // Text sources: `corpus` and the synthetic `language`.
    pub path: Option<String>,
    pub format: Option<String>,
    pub text_field: Option<String>,
    pub timestamp_field: Option<String>,
    pub on_error: Option<String>,
    /// Corpus: a deletion ledger whose ids are purged before any pool is built.
    pub ledger: Option<String>,
    /// Corpus: the JSONL field holding a record's id (`id`).
    pub id_field: Option<String>,
    pub vocab: Option<i64>,
    pub order: Option<i64>,
    pub mean_length: Option<f64>,
    pub branching: Option<i64>,
}

/// A checked source table.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceSpec {
    Gaussian {
        mean: Vec<f64>,
        /// Row-major d×d.
        covariance: Vec<f64>,
    },
    Mixture {
        dim: usize,
        components: usize,
        separation: f64,
    },
    Categorical {
        categories: usize,
        /// 0 for uniform; the Zipf exponent otherwise.
        exponent: f64,
    },
    Linear {
        dim: usize,
        weights: Option<Vec<f64>>,
        noise_std: f64,
    },
    Corpus(CorpusSpec),
    Language(LanguageSpec),
}

impl SourceSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            SourceSpec::Gaussian { .. } => "gaussian",
            SourceSpec::Mixture { .. } => "mixture",
            SourceSpec::Categorical { .. } => "categorical",
            SourceSpec::Linear { .. } => "linear",
            SourceSpec::Corpus(_) => "corpus",
            SourceSpec::Language(_) => "language",
        }
    }

    pub fn dim(&self) -> usize {
        match self {
            SourceSpec::Gaussian { mean, .. } => mean.len(),
            SourceSpec::Mixture { dim, .. } | SourceSpec::Linear { dim, .. } => *dim,
            SourceSpec::Categorical { .. } | SourceSpec::Corpus(_) | SourceSpec::Language(_) => 1,
        }
    }
}

const KINDS: [&str; 6] = [
    "gaussian",
    "mixture",
    "categorical",
    "linear",
    "corpus",
    "language",
];

/// The keys each kind takes besides `kind`.
fn allowed(kind: &str) -> &'static [&'static str] {
    match kind {
        "corpus" => text::CORPUS_KEYS,
        "language" => text::LANGUAGE_KEYS,
        "gaussian" => &["dim", "mean", "covariance"],
        "mixture" => &["dim", "components", "separation"],
        "categorical" => &["categories", "distribution", "exponent"],
        _ => &["dim", "weights", "noise_std"],
    }
}

pub(crate) fn check_source(c: &mut Checker, raw: &RawSource) -> Option<SourceSpec> {
    let kind = c.choice("source.kind", &raw.kind, &KINDS)?;
    c.only("source", kind, raw, allowed(kind));
    match kind {
        "corpus" => text::check_corpus(c, raw).map(SourceSpec::Corpus),
        "language" => Some(SourceSpec::Language(text::check_language(c, raw))),
        "gaussian" => Some(numeric::check_gaussian(c, raw)),
        "mixture" => Some(numeric::check_mixture(c, raw)),
        "categorical" => Some(numeric::check_categorical(c, raw)),
        _ => Some(numeric::check_linear(c, raw)),
    }
}
