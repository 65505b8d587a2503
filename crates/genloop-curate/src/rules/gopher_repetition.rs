//! Gopher repetition rules: Rae et al. 2021, Appendix A (Table A1), as implemented in
//! huggingface/datatrove `pipeline/filters/gopher_repetition_filter.py`.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::text::{char_len, find_duplicates, ratio, split_words};
use super::{Rule, Verdict};

/// Thresholds of the Gopher repetition rules; defaults are docs/formulas.md §5.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GopherRepetitionConfig {
    /// Most share of paragraphs (split on `\n{2,}`) that repeat an earlier one (0.30).
    pub dup_paragraph_fraction: f64,
    /// Most share of characters in repeated paragraphs (0.20).
    pub dup_paragraph_char_fraction: f64,
    /// Most share of lines (split on `\n+`) that repeat an earlier one (0.30).
    pub dup_line_fraction: f64,
    /// Most share of characters in repeated lines (0.20).
    pub dup_line_char_fraction: f64,
    /// (n, most score) for the most frequent word n-gram, score = len(g)·count/len(text):
    /// (2, 0.20), (3, 0.18), (4, 0.16).
    pub top_n_grams: Vec<(usize, f64)>,
    /// (n, most share) of characters in duplicated word n-grams:
    /// (5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10).
    pub dup_n_grams: Vec<(usize, f64)>,
}

impl Default for GopherRepetitionConfig {
    fn default() -> Self {
        GopherRepetitionConfig {
            dup_paragraph_fraction: 0.30,
            dup_paragraph_char_fraction: 0.20,
            dup_line_fraction: 0.30,
            dup_line_char_fraction: 0.20,
            top_n_grams: vec![(2, 0.20), (3, 0.18), (4, 0.16)],
            dup_n_grams: vec![
                (5, 0.15),
                (6, 0.14),
                (7, 0.13),
                (8, 0.12),
                (9, 0.11),
                (10, 0.10),
            ],
        }
    }
}

/// The Gopher repetition rule set.
#[derive(Debug, Clone, Default)]
pub struct GopherRepetition {
    config: GopherRepetitionConfig,
}

impl GopherRepetition {
    pub fn new(config: GopherRepetitionConfig) -> Self {
        GopherRepetition { config }
    }

    pub fn config(&self) -> &GopherRepetitionConfig {
        &self.config
    }
}

/// Splits on runs of at least `min_run` newlines, as the regexes `\n{2,}` and `\n+`.
fn split_on_newline_runs(text: &str, min_run: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut run_start = 0;
    let mut run = 0;
    for (index, character) in text.char_indices() {
        if character == '\n' {
            if run == 0 {
                run_start = index;
            }
            run += 1;
            continue;
        }
        if run >= min_run {
            pieces.push(&text[piece_start..run_start]);
            piece_start = index;
        }
        run = 0;
    }
    let end = if run >= min_run {
        run_start
    } else {
        text.len()
    };
    pieces.push(&text[piece_start..end]);
    if run >= min_run {
        pieces.push("");
    }
    pieces
}

/// Characters of the most frequent n-gram times its count (datatrove `find_top_duplicate`).
fn top_n_gram_chars(words: &[&str], n: usize) -> Option<usize> {
    let mut counts: HashMap<&[&str], usize> = HashMap::new();
    for gram in words.windows(n) {
        *counts.entry(gram).or_default() += 1;
    }
    // n-grams are joined with single spaces, as in datatrove's `get_n_grams`.
    let gram_chars = |gram: &[&str]| gram.iter().map(|w| char_len(w)).sum::<usize>() + n - 1;
    counts
        .into_iter()
        .max_by_key(|&(gram, count)| (count, gram_chars(gram)))
        .map(|(gram, count)| gram_chars(gram) * count)
}

/// Characters in duplicated n-grams, greedy: on an n-gram seen before, add its length
/// (words joined without spaces) and jump n words (datatrove `find_all_duplicate`).
fn duplicated_n_gram_chars(words: &[&str], n: usize) -> usize {
    let mut seen: HashSet<&[&str]> = HashSet::new();
    let mut repeated_chars = 0;
    let mut index = 0;
    while n > 0 && index + n <= words.len() {
        let gram = &words[index..index + n];
        if seen.contains(gram) {
            repeated_chars += gram.iter().map(|w| char_len(w)).sum::<usize>();
            index += n;
        } else {
            seen.insert(gram);
            index += 1;
        }
    }
    repeated_chars
}

impl Rule for GopherRepetition {
    fn name(&self) -> &'static str {
        "gopher_repetition"
    }

    fn check(&self, text: &str) -> Verdict {
        let text_chars = char_len(text);
        self.duplicate_pieces(text, text_chars)
            .or_else(|| self.n_grams(text, text_chars))
            .unwrap_or(Verdict::Keep)
    }
}

impl GopherRepetition {
    /// The shares of duplicate paragraphs and lines, by count and by characters.
    fn duplicate_pieces(&self, text: &str, text_chars: usize) -> Option<Verdict> {
        let config = &self.config;
        let paragraphs = split_on_newline_runs(text.trim(), 2);
        let (dup_paragraphs, dup_paragraph_chars) = find_duplicates(paragraphs.iter().copied());
        let lines = split_on_newline_runs(text, 1);
        let (dup_lines, dup_line_chars) = find_duplicates(lines.iter().copied());
        // (rule, what is measured, share, threshold), checked in this order.
        let checks = [
            (
                "gopher_repetition.dup_paragraphs",
                "duplicate paragraph share",
                ratio(dup_paragraphs, paragraphs.len()),
                config.dup_paragraph_fraction,
            ),
            (
                "gopher_repetition.dup_paragraph_chars",
                "duplicate paragraph char share",
                ratio(dup_paragraph_chars, text_chars),
                config.dup_paragraph_char_fraction,
            ),
            (
                "gopher_repetition.dup_lines",
                "duplicate line share",
                ratio(dup_lines, lines.len()),
                config.dup_line_fraction,
            ),
            (
                "gopher_repetition.dup_line_chars",
                "duplicate line char share",
                ratio(dup_line_chars, text_chars),
                config.dup_line_char_fraction,
            ),
        ];
        checks
            .into_iter()
            .find_map(|(rule, what, share, threshold)| {
                Verdict::drop_if(share > threshold, rule, || {
                    format!("{what} {share:.3} > {threshold}")
                })
            })
    }

    /// The score of the most frequent n-gram, then the share of duplicated n-grams.
    fn n_grams(&self, text: &str, text_chars: usize) -> Option<Verdict> {
        let config = &self.config;
        let words = split_words(text);
        let top = config.top_n_grams.iter().find_map(|&(n, threshold)| {
            let score = ratio(top_n_gram_chars(&words, n)?, text_chars);
            Verdict::drop_if(score > threshold, "gopher_repetition.top_n_gram", || {
                format!("top {n}-gram score {score:.3} > {threshold}")
            })
        });
        top.or_else(|| {
            config.dup_n_grams.iter().find_map(|&(n, threshold)| {
                let share = ratio(duplicated_n_gram_chars(&words, n), text_chars);
                Verdict::drop_if(share > threshold, "gopher_repetition.dup_n_gram", || {
                    format!("duplicated {n}-gram char share {share:.3} > {threshold}")
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_on_newline_runs_matches_python_re_split() {
        assert_eq!(
            split_on_newline_runs("a\n\nb\nc\n\n\nd", 2),
            ["a", "b\nc", "d"]
        );
        assert_eq!(split_on_newline_runs("a\nb\n\nc\n", 1), ["a", "b", "c", ""]);
        assert_eq!(split_on_newline_runs("", 1), [""]);
    }

    #[test]
    fn duplicated_n_grams_jump_after_a_repeat() {
        // "a b c a b c": at index 3 "a b" was seen: add 2 chars and jump to index 5.
        let words = ["a", "b", "c", "a", "b", "c"];
        assert_eq!(duplicated_n_gram_chars(&words, 2), 2);
        assert_eq!(top_n_gram_chars(&words, 2), Some(6));
    }
}
