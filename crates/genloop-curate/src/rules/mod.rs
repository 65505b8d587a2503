//! Quality rules (docs/formulas.md §5): each rule set reads a document and returns
//! [`Verdict::Keep`] or [`Verdict::Drop`] naming the rule and quoting the measured value
//! against its threshold. The rule sets follow huggingface/datatrove's filters
//! (`gopher_quality_filter.py`, `gopher_repetition_filter.py`, `c4_filters.py`,
//! `fineweb_quality_filter.py`), which implement Rae et al. 2021 (Gopher, Table A1),
//! Raffel et al. 2020 (C4) and Penedo et al. 2024 (FineWeb).
//!
//! ```
//! use genloop_curate::rules::{Chain, GopherQuality, LengthBounds, Rule, Verdict};
//!
//! let chain = Chain::new(vec![
//!     Box::new(LengthBounds { min_words: 3, max_words: 1_000 }),
//!     Box::new(GopherQuality::default()),
//! ]);
//! match chain.check("Too short.") {
//!     Verdict::Drop { rule, .. } => assert_eq!(rule, "length_bounds.min_words"),
//!     Verdict::Keep => unreachable!(),
//! }
//! ```

mod c4;
pub mod english;
mod fineweb;
mod gopher_quality;
mod gopher_repetition;
mod short_form;
mod text;

#[cfg(test)]
mod tests;

pub use c4::{C4Config, C4};
pub use fineweb::{FineWeb, FineWebConfig};
pub use gopher_quality::{GopherQuality, GopherQualityConfig};
pub use gopher_repetition::{GopherRepetition, GopherRepetitionConfig};
pub use short_form::{LengthBounds, ShortForm, ShortFormConfig};

/// What a rule decided about one document. Decisions are data: the caller records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    Drop {
        /// Stable name of the rule that fired, such as `gopher_quality.min_words`.
        rule: &'static str,
        /// The measured value against the threshold, such as "mean word length 2.1 < 3".
        reason: String,
    },
}

impl Verdict {
    pub fn drop(rule: &'static str, reason: impl Into<String>) -> Self {
        Verdict::Drop {
            rule,
            reason: reason.into(),
        }
    }

    /// A drop by `rule` when `failed`, with the reason written only then; rules chain
    /// these with `Option::or_else`, so the first failing measure decides and later
    /// ones are not computed.
    pub fn drop_if(
        failed: bool,
        rule: &'static str,
        reason: impl FnOnce() -> String,
    ) -> Option<Self> {
        failed.then(|| Verdict::drop(rule, reason()))
    }

    pub fn is_keep(&self) -> bool {
        matches!(self, Verdict::Keep)
    }

    /// The name of the rule that dropped the document, if any.
    pub fn rule(&self) -> Option<&'static str> {
        match self {
            Verdict::Keep => None,
            Verdict::Drop { rule, .. } => Some(rule),
        }
    }
}

/// One quality rule (or rule set) over a whole document.
pub trait Rule: Send + Sync {
    /// Stable name of the rule set, such as `gopher_quality`.
    fn name(&self) -> &'static str;
    fn check(&self, text: &str) -> Verdict;
}

/// Rules applied in order; the first drop wins. A chain is itself a [`Rule`].
pub struct Chain(pub Vec<Box<dyn Rule>>);

impl Chain {
    pub fn new(rules: Vec<Box<dyn Rule>>) -> Self {
        Chain(rules)
    }
}

impl Rule for Chain {
    fn name(&self) -> &'static str {
        "chain"
    }

    fn check(&self, text: &str) -> Verdict {
        self.0
            .iter()
            .map(|rule| rule.check(text))
            .find(|verdict| !verdict.is_keep())
            .unwrap_or(Verdict::Keep)
    }
}
