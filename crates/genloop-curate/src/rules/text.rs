//! Text measurements shared by the rule sets: datatrove's punctuation set, word
//! splitting ([`super::english`], spaCy's English tokenizer rules, as datatrove 0.10.1
//! uses), Python's line splitting, duplicate finding and ratios.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

pub(crate) use super::english::split_words;

/// datatrove's `PUNCTUATION_SET`: ASCII punctuation, the C0 and C1 control characters
/// other than tab and newline, the sentence terminals of other scripts, and the
/// typographic and CJK marks its list names (curly double quotes, ’ but not ‘, dashes,
/// …, «», CJK brackets and fullwidth forms, ━ ► ∶ ´ and the fullwidth digit one).
pub(crate) fn is_punctuation(character: char) -> bool {
    if character.is_ascii() {
        return character.is_ascii_punctuation()
            || (character.is_ascii_control() && !matches!(character, '\t' | '\n'));
    }
    ('\u{80}'..='\u{9f}').contains(&character)
        || matches!(
            character,
            '—' | '–'
                | '”'
                | '“'
                | '’'
                | '„'
                | '…'
                | '«'
                | '»'
                | '´'
                | '∶'
                | '━'
                | '►'
                | '、'
                | '。'
                | '〈'
                | '〉'
                | '《'
                | '》'
                | '「'
                | '」'
                | '【'
                | '】'
                | '！'
                | '％'
                | '（'
                | '）'
                | '，'
                | '．'
                | '１'
                | '：'
                | '；'
                | '？'
                | '～'
        )
        || super::english::is_sentence_terminal(character)
}

/// Python's `str.splitlines`: cuts on \n, \r, \r\n, \v, \f, U+001C–U+001E, U+0085,
/// U+2028 and U+2029, and keeps no empty last piece.
pub(crate) fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        lines.push(&text[start..index]);
        start = index + c.len_utf8();
        if c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
            chars.next();
            start += 1;
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Python's `str.strip()` without arguments: whitespace as `str.isspace` sees it.
pub(crate) fn py_strip(text: &str) -> &str {
    text.trim_matches(super::english::is_space)
}

/// Length in characters (Unicode scalar values), as Python's `len` on a `str`.
pub(crate) fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// A fast non-cryptographic hasher (the multiply-rotate scheme of rustc's FxHash) for
/// the per-document maps of words and n-grams, where SipHash's protection against
/// chosen collisions buys nothing and costs most of the time.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// Non-first occurrences among `elements`: (how many, their total characters), as
/// datatrove's `find_duplicates`.
pub(crate) fn find_duplicates<'a>(elements: impl IntoIterator<Item = &'a str>) -> (usize, usize) {
    let mut seen = FastSet::default();
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
    fn split_lines_follows_python_splitlines() {
        assert_eq!(split_lines("a\r\nb\rc\u{c}d\n\n"), ["a", "b", "c", "d", ""]);
        assert_eq!(split_lines(""), Vec::<&str>::new());
    }

    #[test]
    fn punctuation_is_datatrove_set() {
        assert!(is_punctuation('#') && is_punctuation('…') && is_punctuation('。'));
        assert!(!is_punctuation('‘') && !is_punctuation('•') && !is_punctuation('a'));
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
