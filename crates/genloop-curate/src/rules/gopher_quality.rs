//! Gopher quality rules: Rae et al. 2021, Appendix A (Table A1), as implemented in
//! huggingface/datatrove 0.10.1 `pipeline/filters/gopher_quality_filter.py`, with its
//! parameter names and order of checks. Words are spaCy-style English tokens
//! ([`super::english`]), punctuation tokens included; stop words are matched
//! case-sensitively and counted once each, as datatrove does.

use std::collections::HashSet;

use serde::Deserialize;

use super::text::{count_occurrences, is_punctuation, ratio, split_lines, split_words};
use super::{Rule, Verdict};

/// Thresholds of the Gopher quality rules, named as datatrove's `GopherQualityFilter`
/// arguments; defaults are docs/formulas.md §5. A threshold of 0 turns its check off,
/// as `None` does in datatrove.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GopherQualityConfig {
    /// Fewest words with a non-punctuation character (Gopher: 50).
    pub min_doc_words: usize,
    /// Most words with a non-punctuation character (Gopher: 100 000).
    pub max_doc_words: usize,
    /// Mean length of those words must lie in [min, max] characters (Gopher: 3 and 10).
    pub min_avg_word_length: f64,
    pub max_avg_word_length: f64,
    /// Most '#' per word, and most "..." or "…" per word (Gopher's symbol-to-word
    /// ratio: 0.1).
    pub max_symbol_word_ratio: f64,
    /// genloop's earlier keys, still accepted: set the '#' or the ellipsis ratio alone,
    /// overriding `max_symbol_word_ratio` for that symbol.
    pub max_hash_word_ratio: Option<f64>,
    pub max_ellipsis_word_ratio: Option<f64>,
    /// Most share of lines starting with a bullet, '•' or '-' (Gopher: 0.9).
    pub max_bullet_lines_ratio: f64,
    /// Most share of lines ending with "..." or "…" (Gopher: 0.3).
    pub max_ellipsis_lines_ratio: f64,
    /// Least share of words with an alphabetic character (Gopher: 0.8). datatrove's
    /// name says "max" but the rule is a minimum; `min_alpha_words_ratio`, genloop's
    /// earlier key, is accepted too.
    #[serde(alias = "min_alpha_words_ratio")]
    pub max_non_alpha_words_ratio: f64,
    /// Fewest distinct stop words from `stop_words` present (Gopher: 2).
    pub min_stop_words: usize,
    /// Gopher's stop words: the, be, to, of, and, that, have, with.
    pub stop_words: Vec<String>,
}

impl Default for GopherQualityConfig {
    fn default() -> Self {
        GopherQualityConfig {
            min_doc_words: 50,
            max_doc_words: 100_000,
            min_avg_word_length: 3.0,
            max_avg_word_length: 10.0,
            max_symbol_word_ratio: 0.1,
            max_hash_word_ratio: None,
            max_ellipsis_word_ratio: None,
            max_bullet_lines_ratio: 0.9,
            max_ellipsis_lines_ratio: 0.3,
            max_non_alpha_words_ratio: 0.8,
            min_stop_words: 2,
            stop_words: ["the", "be", "to", "of", "and", "that", "have", "with"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// The Gopher quality rule set.
#[derive(Debug, Clone, Default)]
pub struct GopherQuality {
    config: GopherQualityConfig,
}

impl GopherQuality {
    pub fn new(config: GopherQualityConfig) -> Self {
        GopherQuality { config }
    }

    pub fn config(&self) -> &GopherQualityConfig {
        &self.config
    }
}

impl Rule for GopherQuality {
    fn name(&self) -> &'static str {
        "gopher_quality"
    }

    fn check(&self, text: &str) -> Verdict {
        let words = split_words(text);
        self.word_lengths(&words)
            .or_else(|| self.symbols(text, words.len()))
            .or_else(|| self.lines(text))
            .or_else(|| self.vocabulary(&words))
            .unwrap_or(Verdict::Keep)
    }
}

impl GopherQuality {
    /// The number of words with a non-punctuation character, and their mean length.
    fn word_lengths(&self, words: &[&str]) -> Option<Verdict> {
        let config = &self.config;
        let non_symbol_words: Vec<&str> = words
            .iter()
            .copied()
            .filter(|word| word.chars().any(|c| !is_punctuation(c)))
            .collect();
        let non_symbol_count = non_symbol_words.len();
        let (min, max) = (config.min_doc_words, config.max_doc_words);
        Verdict::drop_if(
            min > 0 && non_symbol_count < min,
            "gopher_quality.min_words",
            || format!("{non_symbol_count} words < {min}"),
        )
        .or_else(|| {
            Verdict::drop_if(
                max > 0 && non_symbol_count > max,
                "gopher_quality.max_words",
                || format!("{non_symbol_count} words > {max}"),
            )
        })
        .or_else(|| {
            let total_length: usize = non_symbol_words.iter().map(|w| w.chars().count()).sum();
            let mean_length = ratio(total_length, non_symbol_count);
            let (min, max) = (config.min_avg_word_length, config.max_avg_word_length);
            Verdict::drop_if(
                min > 0.0 && mean_length < min,
                "gopher_quality.min_mean_word_length",
                || format!("mean word length {mean_length:.2} < {min}"),
            )
            .or_else(|| {
                Verdict::drop_if(
                    max > 0.0 && mean_length > max,
                    "gopher_quality.max_mean_word_length",
                    || format!("mean word length {mean_length:.2} > {max}"),
                )
            })
        })
    }

    /// '#' and ellipses per word.
    fn symbols(&self, text: &str, word_count: usize) -> Option<Verdict> {
        let config = &self.config;
        let hash_ratio = ratio(count_occurrences(text, "#"), word_count);
        let max = config
            .max_hash_word_ratio
            .unwrap_or(config.max_symbol_word_ratio);
        Verdict::drop_if(
            max > 0.0 && hash_ratio > max,
            "gopher_quality.hash_ratio",
            || format!("'#' per word {hash_ratio:.3} > {max}"),
        )
        .or_else(|| {
            let ellipses = count_occurrences(text, "...") + count_occurrences(text, "…");
            let ellipsis_ratio = ratio(ellipses, word_count);
            let max = config
                .max_ellipsis_word_ratio
                .unwrap_or(config.max_symbol_word_ratio);
            Verdict::drop_if(
                max > 0.0 && ellipsis_ratio > max,
                "gopher_quality.ellipsis_ratio",
                || format!("ellipses per word {ellipsis_ratio:.3} > {max}"),
            )
        })
    }

    /// The shares of bullet lines and of lines ending in an ellipsis.
    fn lines(&self, text: &str) -> Option<Verdict> {
        let config = &self.config;
        let lines = split_lines(text);
        let bullet_lines = lines
            .iter()
            .filter(|line| {
                line.trim_start_matches(super::english::is_space)
                    .starts_with(['•', '-'])
            })
            .count();
        let bullet_ratio = ratio(bullet_lines, lines.len());
        let max = config.max_bullet_lines_ratio;
        Verdict::drop_if(
            max > 0.0 && bullet_ratio > max,
            "gopher_quality.bullet_lines",
            || format!("bullet-line share {bullet_ratio:.3} > {max}"),
        )
        .or_else(|| {
            let ellipsis_lines = lines
                .iter()
                .filter(|line| {
                    let line = line.trim_end_matches(super::english::is_space);
                    line.ends_with("...") || line.ends_with('…')
                })
                .count();
            let share = ratio(ellipsis_lines, lines.len());
            let max = config.max_ellipsis_lines_ratio;
            Verdict::drop_if(
                max > 0.0 && share > max,
                "gopher_quality.ellipsis_lines",
                || format!("ellipsis-line share {share:.3} > {max}"),
            )
        })
    }

    /// The share of words with a letter, and the number of distinct stop words.
    fn vocabulary(&self, words: &[&str]) -> Option<Verdict> {
        let config = &self.config;
        let alpha_words = words
            .iter()
            .filter(|word| word.chars().any(char::is_alphabetic))
            .count();
        let alpha_ratio = ratio(alpha_words, words.len());
        let min = config.max_non_alpha_words_ratio;
        Verdict::drop_if(
            min > 0.0 && alpha_ratio < min,
            "gopher_quality.alpha_words",
            || format!("alphabetic-word share {alpha_ratio:.3} < {min}"),
        )
        .or_else(|| {
            // Case-sensitive, as datatrove: a sentence-initial "The" is not "the".
            let distinct: HashSet<&str> = words.iter().copied().collect();
            let present = config
                .stop_words
                .iter()
                .collect::<HashSet<_>>()
                .into_iter()
                .filter(|stop| distinct.contains(stop.as_str()))
                .count();
            let min = config.min_stop_words;
            Verdict::drop_if(
                min > 0 && present < min,
                "gopher_quality.stop_words",
                || format!("{present} distinct stop words < {min}"),
            )
        })
    }
}
