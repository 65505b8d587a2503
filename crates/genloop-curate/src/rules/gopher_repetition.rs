//! Gopher repetition rules: Rae et al. 2021, Appendix A (Table A1), as implemented in
//! huggingface/datatrove 0.10.1 `pipeline/filters/gopher_repetition_filter.py`, with its
//! parameter names and order of checks. Words are spaCy-style English tokens
//! ([`super::english`]).
//!
//! The most frequent n-gram is, among the n-grams with the highest count, the one that
//! occurs first (as Python's `Counter.most_common(1)`). Until December 2026 genloop took
//! the longest one, so a text that repeats nothing was scored by its longest bigram
//! and dropped (11 % of the benchmark corpus; `top_n_gram_ties_go_to_the_first` pins it).
//!
//! Remaining deviation: datatrove keys duplicated 5- to 10-grams by their words joined
//! without spaces, so two different n-grams that join to the same string count as one;
//! genloop compares the words. It changed no decision on the 11,580 documents of
//! `bench/compare_datatrove.sh` (100 % agreement; README, Performance).

use std::collections::hash_map::Entry;

use serde::Deserialize;

use super::text::{char_len, find_duplicates, py_strip, ratio, split_words, FastMap, FastSet};
use super::{Rule, Verdict};

/// Thresholds of the Gopher repetition rules, named as datatrove's
/// `GopherRepetitionFilter` arguments; defaults are docs/formulas.md §5. A threshold of
/// 0 turns its check off, as `None` does in datatrove.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GopherRepetitionConfig {
    /// Most share of paragraphs (split on `\n{2,}`) that repeat an earlier one (0.30).
    pub dup_para_frac: f64,
    /// Most share of characters in repeated paragraphs (0.20).
    pub dup_para_char_frac: f64,
    /// Most share of lines (split on `\n+`) that repeat an earlier one (0.30).
    pub dup_line_frac: f64,
    /// Most share of characters in repeated lines (0.20).
    pub dup_line_char_frac: f64,
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
            dup_para_frac: 0.30,
            dup_para_char_frac: 0.20,
            dup_line_frac: 0.30,
            dup_line_char_frac: 0.20,
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

/// A document's words as numbers (equal words, equal numbers) with their lengths in
/// characters, so that n-grams are compared and hashed as short integer slices.
struct WordIds {
    ids: Vec<u32>,
    chars: Vec<usize>,
}

impl WordIds {
    fn new(words: &[&str]) -> Self {
        let mut numbers: FastMap<&str, u32> =
            FastMap::with_capacity_and_hasher(words.len(), Default::default());
        let mut chars = Vec::new();
        let ids = words
            .iter()
            .map(|&word| {
                let next = numbers.len() as u32;
                *numbers.entry(word).or_insert_with(|| {
                    chars.push(char_len(word));
                    next
                })
            })
            .collect();
        WordIds { ids, chars }
    }

    fn gram_chars(&self, gram: &[u32]) -> usize {
        gram.iter().map(|&id| self.chars[id as usize]).sum()
    }
}

/// Characters of the most frequent n-gram (words joined by single spaces) times its
/// count; among equally frequent n-grams the first to occur (datatrove
/// `find_top_duplicate`). `None` when the text has fewer than n words.
fn top_n_gram_chars(words: &WordIds, n: usize) -> Option<usize> {
    // n-gram -> (count, first position)
    let mut counts: FastMap<&[u32], (usize, usize)> =
        FastMap::with_capacity_and_hasher(words.ids.len(), Default::default());
    for (position, gram) in words.ids.windows(n.max(1)).enumerate() {
        match counts.entry(gram) {
            Entry::Occupied(mut seen) => seen.get_mut().0 += 1,
            Entry::Vacant(new) => {
                new.insert((1, position));
            }
        }
    }
    let (gram, (count, _)) = counts
        .into_iter()
        .max_by_key(|&(_, (count, first))| (count, std::cmp::Reverse(first)))?;
    Some((words.gram_chars(gram) + n - 1) * count)
}

/// Characters in duplicated n-grams, greedy: on an n-gram seen before, add its length
/// (words joined without spaces) and jump n words (datatrove `find_all_duplicate`).
fn duplicated_n_gram_chars(words: &WordIds, n: usize) -> usize {
    let ids = &words.ids;
    let mut seen: FastSet<&[u32]> =
        FastSet::with_capacity_and_hasher(ids.len(), Default::default());
    let mut repeated_chars = 0;
    let mut index = 0;
    while n > 0 && index + n <= ids.len() {
        let gram = &ids[index..index + n];
        if seen.insert(gram) {
            index += 1;
        } else {
            repeated_chars += words.gram_chars(gram);
            index += n;
        }
    }
    repeated_chars
}

impl Rule for GopherRepetition {
    fn name(&self) -> &'static str {
        "gopher_repetition"
    }

    fn check(&self, text: &str) -> Verdict {
        if text.is_empty() {
            return Verdict::drop("gopher_repetition.empty", "empty text");
        }
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
        let paragraphs = split_on_newline_runs(py_strip(text), 2);
        let (dup_paragraphs, dup_paragraph_chars) = find_duplicates(paragraphs.iter().copied());
        let lines = split_on_newline_runs(text, 1);
        let (dup_lines, dup_line_chars) = find_duplicates(lines.iter().copied());
        // (rule, what is measured, share, threshold), checked in this order.
        let checks = [
            (
                "gopher_repetition.dup_paragraphs",
                "duplicate paragraph share",
                ratio(dup_paragraphs, paragraphs.len()),
                config.dup_para_frac,
            ),
            (
                "gopher_repetition.dup_paragraph_chars",
                "duplicate paragraph char share",
                ratio(dup_paragraph_chars, text_chars),
                config.dup_para_char_frac,
            ),
            (
                "gopher_repetition.dup_lines",
                "duplicate line share",
                ratio(dup_lines, lines.len()),
                config.dup_line_frac,
            ),
            (
                "gopher_repetition.dup_line_chars",
                "duplicate line char share",
                ratio(dup_line_chars, text_chars),
                config.dup_line_char_frac,
            ),
        ];
        checks
            .into_iter()
            .find_map(|(rule, what, share, threshold)| {
                Verdict::drop_if(threshold > 0.0 && share > threshold, rule, || {
                    format!("{what} {share:.3} > {threshold}")
                })
            })
    }

    /// The score of the most frequent n-gram, then the share of duplicated n-grams.
    fn n_grams(&self, text: &str, text_chars: usize) -> Option<Verdict> {
        let config = &self.config;
        let words = WordIds::new(&split_words(text));
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
        let words = WordIds::new(&["a", "b", "c", "a", "b", "c"]);
        assert_eq!(duplicated_n_gram_chars(&words, 2), 2);
        assert_eq!(top_n_gram_chars(&words, 2), Some(6));
    }

    /// Regression (issue 16): among n-grams that all occur once, the top one is the
    /// first, not the longest, so a text that repeats nothing keeps its low score.
    #[test]
    fn top_n_gram_ties_go_to_the_first() {
        let words = WordIds::new(&["an", "ox", "extraordinarily", "slow"]);
        assert_eq!(top_n_gram_chars(&words, 2), Some(5));
        // Its longest bigram holds 39 % of the characters, its first one 4 %.
        let unique = "An ox at my gate ate figs, so we let it stay in our yard until the \
                      pneumonoultramicroscopicsilicovolcanoconiosis clinic opened at ten.";
        assert_eq!(GopherRepetition::default().check(unique), Verdict::Keep);
    }
}
