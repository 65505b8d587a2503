//! FineWeb quality rules: Penedo et al. 2024 ("The FineWeb Datasets", §3.3 custom
//! filters), as implemented in huggingface/datatrove
//! `pipeline/filters/fineweb_quality_filter.py`. All line measures use non-empty lines.

use serde::Deserialize;

use super::text::{
    char_len, count_occurrences, ends_with_terminal_punctuation, find_duplicates, ratio,
    split_words,
};
use super::{Rule, Verdict};

/// Thresholds of the FineWeb rules; defaults are docs/formulas.md §5.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FineWebConfig {
    /// Least share of lines ending in terminal punctuation `. ? ! " '` (0.12).
    pub min_line_punctuation_ratio: f64,
    /// Lines of at most this many characters are short (30).
    pub short_line_length: usize,
    /// Most share of short lines (0.67).
    pub max_short_line_ratio: f64,
    /// Most share of characters (newlines excluded) in repeated lines (0.01).
    pub max_duplicate_line_char_ratio: f64,
    /// Most newlines per word, a sign of lists (0.3).
    pub max_newline_word_ratio: f64,
}

impl Default for FineWebConfig {
    fn default() -> Self {
        FineWebConfig {
            min_line_punctuation_ratio: 0.12,
            short_line_length: 30,
            max_short_line_ratio: 0.67,
            max_duplicate_line_char_ratio: 0.01,
            max_newline_word_ratio: 0.3,
        }
    }
}

/// The FineWeb rule set.
#[derive(Debug, Clone, Default)]
pub struct FineWeb {
    config: FineWebConfig,
}

impl FineWeb {
    pub fn new(config: FineWebConfig) -> Self {
        FineWeb { config }
    }

    pub fn config(&self) -> &FineWebConfig {
        &self.config
    }
}

impl Rule for FineWeb {
    fn name(&self) -> &'static str {
        "fineweb"
    }

    fn check(&self, text: &str) -> Verdict {
        let lines: Vec<&str> = text
            .split('\n')
            .filter(|line| !line.trim().is_empty())
            .collect();
        if lines.is_empty() {
            return Verdict::drop("fineweb.empty", "no non-empty lines");
        }
        self.line_shares(&lines)
            .or_else(|| self.duplicate_lines(text, &lines))
            .or_else(|| self.newlines(text))
            .unwrap_or(Verdict::Keep)
    }
}

impl FineWeb {
    /// The shares of lines ending in punctuation and of short lines.
    fn line_shares(&self, lines: &[&str]) -> Option<Verdict> {
        let config = &self.config;
        let punctuated = lines
            .iter()
            .filter(|line| ends_with_terminal_punctuation(line))
            .count();
        let share = ratio(punctuated, lines.len());
        let min = config.min_line_punctuation_ratio;
        Verdict::drop_if(share < min, "fineweb.line_punctuation", || {
            format!("share of lines ending in punctuation {share:.3} < {min}")
        })
        .or_else(|| {
            let short = lines
                .iter()
                .filter(|line| char_len(line) <= config.short_line_length)
                .count();
            let share = ratio(short, lines.len());
            let max = config.max_short_line_ratio;
            Verdict::drop_if(share > max, "fineweb.short_lines", || {
                format!(
                    "share of lines of <= {} chars {share:.3} > {max}",
                    config.short_line_length
                )
            })
        })
    }

    /// The share of characters (newlines excluded) in repeated lines.
    fn duplicate_lines(&self, text: &str, lines: &[&str]) -> Option<Verdict> {
        let (_, duplicate_chars) = find_duplicates(lines.iter().copied());
        let chars_without_newlines = char_len(text) - count_occurrences(text, "\n");
        let share = ratio(duplicate_chars, chars_without_newlines);
        let max = self.config.max_duplicate_line_char_ratio;
        Verdict::drop_if(share > max, "fineweb.duplicate_line_chars", || {
            format!("duplicate-line char share {share:.3} > {max}")
        })
    }

    /// Newlines per word, a sign of lists.
    fn newlines(&self, text: &str) -> Option<Verdict> {
        let words = split_words(text).len();
        let newlines = count_occurrences(text, "\n");
        let share = ratio(newlines, words);
        let max = self.config.max_newline_word_ratio;
        Verdict::drop_if(share > max, "fineweb.newline_ratio", || {
            format!("newlines per word {share:.3} ({newlines}/{words}) > {max}")
        })
    }
}
