//! Quality rules (REFERENCE.md §3): each rule set reads a document and returns
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
mod fineweb;
mod gopher_quality;
mod gopher_repetition;
mod short_form;
mod text;

#[cfg(test)]
mod tests;

use serde::Deserialize;

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

/// A rule set as it appears in configuration, tagged by `kind`
/// (`kind = "gopher_quality"`, then its thresholds; omitted ones take the defaults).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleConfig {
    GopherQuality(GopherQualityConfig),
    GopherRepetition(GopherRepetitionConfig),
    C4(C4Config),
    /// `kind = "fineweb"`, as the curation issue spells it.
    #[serde(rename = "fineweb")]
    FineWeb(FineWebConfig),
    ShortForm(ShortFormConfig),
    LengthBounds(LengthBounds),
}

impl RuleConfig {
    pub fn build(self) -> Box<dyn Rule> {
        match self {
            RuleConfig::GopherQuality(config) => Box::new(GopherQuality::new(config)),
            RuleConfig::GopherRepetition(config) => Box::new(GopherRepetition::new(config)),
            RuleConfig::C4(config) => Box::new(C4::new(config)),
            RuleConfig::FineWeb(config) => Box::new(FineWeb::new(config)),
            RuleConfig::ShortForm(config) => Box::new(ShortForm::new(config)),
            RuleConfig::LengthBounds(bounds) => Box::new(bounds),
        }
    }
}

impl FromIterator<RuleConfig> for Chain {
    fn from_iter<I: IntoIterator<Item = RuleConfig>>(configs: I) -> Self {
        Chain(configs.into_iter().map(RuleConfig::build).collect())
    }
}

#[cfg(test)]
mod config_tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Filters {
        filters: Vec<RuleConfig>,
    }

    #[test]
    fn rule_configs_read_from_toml_and_reject_unknown_keys() {
        let text = "[[filters]]\nkind = \"gopher_quality\"\nmin_doc_words = 10\n\n[[filters]]\nkind = \"fineweb\"\n\n[[filters]]\nkind = \"c4\"\n";
        let parsed: Filters = toml::from_str(text).expect("parses");
        assert_eq!(parsed.filters.len(), 3);
        let chain: Chain = parsed.filters.into_iter().collect();
        assert!(chain.check("too short").rule().is_some());
        let bad = "[[filters]]\nkind = \"gopher_quality\"\nmin_doc_wrods = 10\n";
        let error = toml::from_str::<Filters>(bad)
            .err()
            .expect("unknown key rejected")
            .to_string();
        assert!(error.contains("min_doc_wrods"), "{error}");
    }
}
