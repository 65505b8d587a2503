//! Parameters of the synthetic language, checked before use.

use serde::{Deserialize, Serialize};

/// Parameters of the seeded synthetic language (a Zipfian Markov source with exact
/// log-probabilities, see [`crate::language`]); the config's `[source] kind =
/// "language"` checks into it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageSpec {
    /// Number of word tokens (the end token is extra).
    pub vocab: usize,
    /// Zipf exponent s of the unigram proposal and of the weights within a row.
    pub exponent: f64,
    /// Markov order of the transitions: 1 or 2.
    pub order: usize,
    /// Mean document length in word tokens (geometric lengths; end token not
    /// counted).
    pub mean_length: f64,
    /// Successors per context (sparsity of the transition rows), capped at `vocab`.
    pub branching: usize,
}

impl Default for LanguageSpec {
    fn default() -> Self {
        LanguageSpec {
            vocab: 1000,
            exponent: 1.1,
            order: 1,
            mean_length: 20.0,
            branching: 32,
        }
    }
}

/// An invalid [`LanguageSpec`] value.
#[derive(Debug, thiserror::Error)]
#[error("language.{key} = {value}: {hint}")]
pub struct LanguageError {
    pub key: &'static str,
    pub value: String,
    pub hint: &'static str,
}

/// Checks every value of `spec`; the error names the key.
pub fn check(spec: &LanguageSpec) -> Result<(), LanguageError> {
    let fail = |key, value: String, hint| Err(LanguageError { key, value, hint });
    if spec.vocab == 0 || spec.vocab >= u32::MAX as usize {
        return fail("vocab", spec.vocab.to_string(), "use 1 to 4294967294 words");
    }
    if !(spec.exponent.is_finite() && spec.exponent >= 0.0) {
        return fail(
            "exponent",
            spec.exponent.to_string(),
            "use a finite exponent ≥ 0 (about 1 for natural text)",
        );
    }
    if !(1..=2).contains(&spec.order) {
        return fail("order", spec.order.to_string(), "use 1 or 2");
    }
    if !(spec.mean_length.is_finite() && spec.mean_length > 0.0) {
        return fail(
            "mean_length",
            spec.mean_length.to_string(),
            "use a finite mean length > 0",
        );
    }
    if spec.branching == 0 {
        return fail("branching", "0".to_owned(), "use at least 1 successor");
    }
    Ok(())
}
