//! FineWeb quality rules: Penedo et al. 2024 ("The FineWeb Datasets", §3.3 custom
//! filters), as implemented in huggingface/datatrove 0.10.1
//! `pipeline/filters/fineweb_quality_filter.py`, with its parameter names. All line
//! measures use non-empty lines (split on '\n' only, not stripped).
//!
//! A line is punctuated when it ends in one of `stop_chars`; the default is datatrove's
//! `TERMINAL_PUNCTUATION`, the sentence terminals of all scripts (`. ! ?`, `。`, `‼`,
//! `؟`…) and no quotes: a line ending in a closing quote does not count (until December
//! 2026 genloop counted `"` and `'`).

use serde::Deserialize;

use super::english::is_sentence_terminal;
use super::text::{char_len, count_occurrences, find_duplicates, py_strip, ratio, split_words};
use super::{Rule, Verdict};

/// Thresholds of the FineWeb rules, named as datatrove's `FineWebQualityFilter`
/// arguments; defaults are docs/formulas.md §5.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FineWebConfig {
    /// Least share of lines ending in one of `stop_chars` (0.12).
    pub line_punct_thr: f64,
    /// Keep documents where no line is punctuated (false).
    pub line_punct_exclude_zero: bool,
    /// The characters that end a punctuated line; unset: every script's sentence
    /// terminal (datatrove's `TERMINAL_PUNCTUATION`).
    pub stop_chars: Option<Vec<String>>,
    /// Most share of short lines (0.67).
    pub short_line_thr: f64,
    /// Lines of at most this many characters are short (30).
    pub short_line_length: usize,
    /// Most share of characters (newlines excluded) in repeated lines (0.01).
    pub char_duplicates_ratio: f64,
    /// Most newlines per word, a sign of lists (0.3).
    pub new_line_ratio: f64,
}

impl Default for FineWebConfig {
    fn default() -> Self {
        FineWebConfig {
            line_punct_thr: 0.12,
            line_punct_exclude_zero: false,
            stop_chars: None,
            short_line_thr: 0.67,
            short_line_length: 30,
            char_duplicates_ratio: 0.01,
            new_line_ratio: 0.3,
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
            .filter(|line| !py_strip(line).is_empty())
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
    /// `line` ends in one of the stop characters.
    fn is_punctuated(&self, line: &str) -> bool {
        match &self.config.stop_chars {
            None => line.chars().next_back().is_some_and(is_sentence_terminal),
            Some(stops) => stops.iter().any(|stop| line.ends_with(stop.as_str())),
        }
    }

    /// The shares of lines ending in punctuation and of short lines.
    fn line_shares(&self, lines: &[&str]) -> Option<Verdict> {
        let config = &self.config;
        let punctuated = lines.iter().filter(|line| self.is_punctuated(line)).count();
        let share = ratio(punctuated, lines.len());
        let min = config.line_punct_thr;
        let excused = share == 0.0 && config.line_punct_exclude_zero;
        Verdict::drop_if(share < min && !excused, "fineweb.line_punctuation", || {
            format!("share of lines ending in punctuation {share:.3} < {min}")
        })
        .or_else(|| {
            let short = lines
                .iter()
                .filter(|line| char_len(line) <= config.short_line_length)
                .count();
            let share = ratio(short, lines.len());
            let max = config.short_line_thr;
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
        let max = self.config.char_duplicates_ratio;
        Verdict::drop_if(share > max, "fineweb.duplicate_line_chars", || {
            format!("duplicate-line char share {share:.3} > {max}")
        })
    }

    /// Newlines per word, a sign of lists.
    fn newlines(&self, text: &str) -> Option<Verdict> {
        let words = split_words(text).len();
        let newlines = count_occurrences(text, "\n");
        let share = ratio(newlines, words);
        let max = self.config.new_line_ratio;
        Verdict::drop_if(share > max, "fineweb.newline_ratio", || {
            format!("newlines per word {share:.3} ({newlines}/{words}) > {max}")
        })
    }
}
