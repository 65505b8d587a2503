//! Filter tables as users write them: `[[filters]]` with a `kind` and that kind's
//! parameters beside it (issue 5). One definition serves the loop's configs and
//! `genloop curate --filters`. Rule kinds take the thresholds of their rule set
//! (docs/formulas.md §5); the dedup kinds take [`DedupParams`] keys; the model-based
//! kinds (`perplexity`, `detector`, `verifier`) need the loop's models and are
//! rejected by the corpus pipeline.

use serde::{Deserialize, Serialize};

use genloop_core::pipeline::curate::FilterParams;
pub use genloop_core::pipeline::curate::VerifierConfig;

use crate::dedup::DedupParams;
use crate::rules::{
    C4Config, FineWeb, FineWebConfig, GopherQuality, GopherQualityConfig, GopherRepetition,
    GopherRepetitionConfig, LengthBounds, Rule, ShortForm, ShortFormConfig, C4,
};

/// Every filter kind a `[[filters]]` table may name, in the spelling configs use and
/// the order of [`FilterConfig`]'s variants (the loop's config checks this list; the
/// tasks say which kinds apply to their data).
pub const FILTER_KINDS: [&str; 11] = [
    "gopher_quality",
    "gopher_repetition",
    "c4",
    "fineweb",
    "short_form",
    "length_bounds",
    "exact_dedup",
    "minhash",
    "perplexity",
    "detector",
    "verifier",
];

/// One `[[filters]]` table: the one list of filter kinds with their settings. Rule
/// kinds hold their rule set's thresholds (omitted ones take the defaults) and build
/// it with [`FilterConfig::rule`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FilterConfig {
    GopherQuality(GopherQualityConfig),
    GopherRepetition(GopherRepetitionConfig),
    C4(C4Config),
    #[serde(rename = "fineweb")]
    FineWeb(FineWebConfig),
    ShortForm(ShortFormConfig),
    LengthBounds(LengthBounds),
    ExactDedup(ExactDedupConfig),
    Minhash(MinhashConfig),
    Perplexity(PerplexityConfig),
    Detector(DetectorConfig),
    Verifier(VerifierConfig),
}

impl FilterConfig {
    /// The `kind` as written.
    pub fn kind(&self) -> &'static str {
        match self {
            FilterConfig::GopherQuality(_) => "gopher_quality",
            FilterConfig::GopherRepetition(_) => "gopher_repetition",
            FilterConfig::C4(_) => "c4",
            FilterConfig::FineWeb(_) => "fineweb",
            FilterConfig::ShortForm(_) => "short_form",
            FilterConfig::LengthBounds(_) => "length_bounds",
            FilterConfig::ExactDedup(_) => "exact_dedup",
            FilterConfig::Minhash(_) => "minhash",
            FilterConfig::Perplexity(_) => "perplexity",
            FilterConfig::Detector(_) => "detector",
            FilterConfig::Verifier(_) => "verifier",
        }
    }

    /// The quality rule set of a rule kind, built (None for dedup and model-based
    /// kinds).
    pub fn rule(&self) -> Option<Box<dyn Rule>> {
        Some(match self {
            FilterConfig::GopherQuality(c) => Box::new(GopherQuality::new(c.clone())),
            FilterConfig::GopherRepetition(c) => Box::new(GopherRepetition::new(c.clone())),
            FilterConfig::C4(c) => Box::new(C4::new(c.clone())),
            FilterConfig::FineWeb(c) => Box::new(FineWeb::new(c.clone())),
            FilterConfig::ShortForm(c) => Box::new(ShortForm::new(c.clone())),
            FilterConfig::LengthBounds(c) => Box::new(c.clone()),
            _ => return None,
        })
    }

    /// Whether the filter needs models of the loop (reference model, detector pair).
    pub fn needs_models(&self) -> bool {
        matches!(
            self,
            FilterConfig::Perplexity(_) | FilterConfig::Detector(_) | FilterConfig::Verifier(_)
        )
    }
}

impl FilterConfig {
    /// Check the parameters that no other type checks when it is built (the loop's
    /// config does, when it reads the table): the model-based kinds' thresholds and
    /// MinHash's.
    pub fn check(&self) -> Result<(), String> {
        match self {
            FilterConfig::Minhash(c) => c
                .params
                .clone()
                .check()
                .map(drop)
                .map_err(|e| e.to_string()),
            FilterConfig::Perplexity(c) => c.check(),
            FilterConfig::Detector(c) => c.check(),
            FilterConfig::Verifier(c) => c.check(),
            _ => Ok(()),
        }
    }
}

/// What the loop's checked config holds of a table; tasks downcast to [`FilterConfig`].
impl FilterParams for FilterConfig {
    fn kind(&self) -> &'static str {
        FilterConfig::kind(self)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `kind = "exact_dedup"`: hash of normalised text (docs/formulas.md §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExactDedupConfig {
    /// In the loop: also drop new records that duplicate a record of an earlier
    /// training set (the index of earlier pools); the share removed is the pool's
    /// freshness.
    pub history: bool,
}

impl Default for ExactDedupConfig {
    fn default() -> Self {
        ExactDedupConfig { history: true }
    }
}

/// `kind = "minhash"`: MinHash-LSH near-dedup with verified Jaccard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MinhashConfig {
    #[serde(flatten)]
    pub params: DedupParams,
    /// In the loop: also deduplicate new records against earlier training sets.
    pub history: bool,
}

impl Default for MinhashConfig {
    fn default() -> Self {
        MinhashConfig {
            params: DedupParams::default(),
            history: true,
        }
    }
}

/// `kind = "perplexity"`: drop documents the reference model (trained on trusted
/// original data) finds too surprising. Give `threshold` (a perplexity) or
/// `percentile` (CCNet-style: the perplexity at that quantile of held-out human
/// documents becomes the threshold), not both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerplexityConfig {
    pub threshold: Option<f64>,
    pub percentile: Option<f64>,
    /// Also drop documents *below* this quantile of human perplexity (too
    /// predictable: repeated or degenerate text). Off by default.
    pub low_percentile: Option<f64>,
    /// Held-out human documents the percentiles are taken on.
    #[serde(default = "default_calibration")]
    pub calibration: usize,
}

impl PerplexityConfig {
    /// One of `threshold` (above 1) and `percentile` (in (0, 1]); `low_percentile`
    /// in [0, 1); `calibration` at least 1.
    pub fn check(&self) -> Result<(), String> {
        match (self.threshold, self.percentile) {
            (Some(_), Some(_)) => return Err("give `threshold` or `percentile`, not both".into()),
            (None, None) => {
                return Err(
                    "needs `threshold` (a perplexity) or `percentile` (e.g. percentile = 0.9)"
                        .into(),
                )
            }
            (Some(t), None) if !(t.is_finite() && t > 1.0) => {
                return Err(format!("threshold = {t} must be a perplexity above 1"))
            }
            (None, Some(p)) if !(p > 0.0 && p <= 1.0) => {
                return Err(format!("percentile = {p} must lie in (0, 1]"))
            }
            _ => {}
        }
        if let Some(low) = self.low_percentile {
            if !(0.0..1.0).contains(&low) {
                return Err(format!("low_percentile = {low} must lie in [0, 1)"));
            }
        }
        check_calibration(self.calibration)
    }
}

fn check_calibration(calibration: usize) -> Result<(), String> {
    if calibration == 0 {
        return Err("`calibration` must be at least 1".into());
    }
    Ok(())
}

/// How a detector scores a document from two of the run's models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectorScore {
    LogLikelihood,
    LogRank,
    FastDetectgpt,
    Binoculars,
}

impl DetectorScore {
    pub fn as_str(self) -> &'static str {
        match self {
            DetectorScore::LogLikelihood => "log_likelihood",
            DetectorScore::LogRank => "log_rank",
            DetectorScore::FastDetectgpt => "fast_detectgpt",
            DetectorScore::Binoculars => "binoculars",
        }
    }
}

/// `kind = "detector"`: a machine-text detector from two of the run's own models
/// (docs/formulas.md §7), calibrated at `target_fpr` on held-out human documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorConfig {
    pub score: DetectorScore,
    #[serde(default = "default_target_fpr")]
    pub target_fpr: f64,
    /// Held-out human documents the threshold is calibrated on.
    #[serde(default = "default_calibration")]
    pub calibration: usize,
}

impl DetectorConfig {
    /// `target_fpr` in (0, 1); `calibration` at least 1.
    pub fn check(&self) -> Result<(), String> {
        if !(self.target_fpr > 0.0 && self.target_fpr < 1.0) {
            return Err(format!(
                "target_fpr = {} must lie in (0, 1), e.g. 0.05",
                self.target_fpr
            ));
        }
        check_calibration(self.calibration)
    }
}

fn default_calibration() -> usize {
    500
}

fn default_target_fpr() -> f64 {
    0.05
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Tables {
        filters: Vec<FilterConfig>,
    }

    #[test]
    fn every_kind_reads_from_toml() {
        let text: String = FILTER_KINDS
            .iter()
            .map(|kind| {
                let extra = match *kind {
                    "length_bounds" => "min_words = 1\nmax_words = 10\n",
                    "detector" => "score = \"binoculars\"\n",
                    "perplexity" => "percentile = 0.9\n",
                    "verifier" => "quantile = 0.01\n",
                    _ => "",
                };
                format!("[[filters]]\nkind = \"{kind}\"\n{extra}\n")
            })
            .collect();
        let tables: Tables = toml::from_str(&text).expect("parses");
        let kinds: Vec<&str> = tables.filters.iter().map(|f| f.kind()).collect();
        assert_eq!(kinds, FILTER_KINDS);
        let bad = "[[filters]]\nkind = \"minhash\"\nthreshhold = 0.8\n";
        let error = toml::from_str::<Tables>(bad).err().expect("rejected");
        assert!(error.to_string().contains("threshhold"), "{error}");
    }

    #[test]
    fn rule_kinds_build_their_rule_sets_and_reject_unknown_keys() {
        let text = "[[filters]]\nkind = \"gopher_quality\"\nmin_doc_words = 10\n\n[[filters]]\nkind = \"fineweb\"\n\n[[filters]]\nkind = \"c4\"\n";
        let parsed: Tables = toml::from_str(text).expect("parses");
        assert_eq!(parsed.filters.len(), 3);
        let chain = crate::rules::Chain::new(
            parsed
                .filters
                .iter()
                .filter_map(FilterConfig::rule)
                .collect(),
        );
        assert!(chain.check("too short").rule().is_some());
        let bad = "[[filters]]\nkind = \"gopher_quality\"\nmin_doc_wrods = 10\n";
        let error = toml::from_str::<Tables>(bad)
            .err()
            .expect("unknown key rejected")
            .to_string();
        assert!(error.contains("min_doc_wrods"), "{error}");
        let exact: Option<Box<dyn Rule>> =
            FilterConfig::ExactDedup(ExactDedupConfig::default()).rule();
        assert!(exact.is_none());
    }

    #[test]
    fn rule_kinds_read_datatrove_names_and_documented_aliases() {
        let text = "[[filters]]\nkind = \"gopher_quality\"\nmin_alpha_words_ratio = 0.7\n\
                    max_hash_word_ratio = 0.3\n\n[[filters]]\nkind = \"fineweb\"\n\
                    stop_chars = [\".\", \"\\\"\"]\nline_punct_exclude_zero = true\n";
        let parsed: Tables = toml::from_str(text).expect("parses");
        let FilterConfig::GopherQuality(gopher) = &parsed.filters[0] else {
            panic!("gopher_quality")
        };
        assert_eq!(gopher.max_non_alpha_words_ratio, 0.7);
        assert_eq!(gopher.max_hash_word_ratio, Some(0.3));
        let fineweb = parsed.filters[1].rule().expect("a rule");
        // A quote now ends a line only because stop_chars names it.
        let quoted = "\"Stay,\" she said, \"the ferry is late tonight and the sea is rough.\"";
        assert!(fineweb.check(quoted).is_keep());
    }
}
