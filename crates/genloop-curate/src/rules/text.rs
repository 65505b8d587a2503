//! Text measurements shared by the rule sets: a small word splitter standing in for the
//! NLTK tokenizer that huggingface/datatrove uses (`split_into_words`), duplicate finding,
//! and word n-grams.
//!
//! The splitter cuts on whitespace, then peels a leading and a trailing run of punctuation
//! off each piece as separate tokens: `"(hello),"` → `["(", "hello", "),"]`, `"end..."` →
//! `["end", "..."]`. Punctuation inside a piece stays (`don't`, `example.com/a`), as NLTK
//! keeps it for most such words. Counts therefore include punctuation tokens, as in
//! datatrove, which the ratio thresholds of docs/formulas.md §5 assume.

use std::collections::HashSet;

/// Punctuation as datatrove's `PUNCTUATION_SET`: ASCII punctuation plus the common Unicode
/// marks that appear in web text.
pub(crate) fn is_punctuation(character: char) -> bool {
    character.is_ascii_punctuation()
        || matches!(
            character,
            '…' | '•'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '—'
                | '–'
                | '«'
                | '»'
                | '¿'
                | '¡'
                | '·'
                | '„'
        )
}

/// Splits `text` into word and punctuation tokens (see the module doc).
pub(crate) fn split_words(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    for piece in text.split_whitespace() {
        let start = piece
            .char_indices()
            .find(|&(_, c)| !is_punctuation(c))
            .map(|(index, _)| index);
        let Some(start) = start else {
            tokens.push(piece);
            continue;
        };
        let end = piece
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_punctuation(c))
            .map(|(index, c)| index + c.len_utf8())
            .unwrap_or(piece.len());
        if start > 0 {
            tokens.push(&piece[..start]);
        }
        tokens.push(&piece[start..end]);
        if end < piece.len() {
            tokens.push(&piece[end..]);
        }
    }
    tokens
}

/// Length in characters (Unicode scalar values), as Python's `len` on a `str`.
pub(crate) fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// Non-first occurrences among `elements`: (how many, their total characters), as
/// datatrove's `find_duplicates`.
pub(crate) fn find_duplicates<'a>(elements: impl IntoIterator<Item = &'a str>) -> (usize, usize) {
    let mut seen = HashSet::new();
    let mut duplicates = 0;
    let mut duplicate_chars = 0;
    for element in elements {
        if !seen.insert(element) {
            duplicates += 1;
            duplicate_chars += char_len(element);
        }
    }
    (duplicates, duplicate_chars)
}

/// `count / total`, with an empty total counting as 0 so that empty inputs pass ratio
/// rules and are left to the word-count rules.
pub(crate) fn ratio(count: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

/// Counts non-overlapping occurrences of `needle`, as Python's `str.count`.
pub(crate) fn count_occurrences(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

/// A line ends in terminal punctuation, C4's and FineWeb's `(. ? ! " ')`.
pub(crate) fn ends_with_terminal_punctuation(line: &str) -> bool {
    line.ends_with(['.', '?', '!', '"', '\''])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_words_peels_edge_punctuation_and_keeps_inner() {
        assert_eq!(
            split_words("(hello), don't stop... #tag …"),
            vec!["(", "hello", "),", "don't", "stop", "...", "#", "tag", "…"]
        );
    }

    #[test]
    fn split_words_handles_multibyte_edges() {
        assert_eq!(split_words("«café»"), vec!["«", "café", "»"]);
    }

    #[test]
    fn find_duplicates_counts_non_first_occurrences() {
        assert_eq!(find_duplicates(["ab", "c", "ab", "ab"]), (2, 4));
    }

    #[test]
    fn ratio_of_empty_total_is_zero() {
        assert_eq!(ratio(3, 0), 0.0);
        assert_eq!(ratio(1, 4), 0.25);
    }
}
