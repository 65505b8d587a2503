//! English word splitting and sentence counting as huggingface/datatrove 0.10.1 does it
//! for English: with spaCy 3's rule-based tokenizer (`spacy.blank("en")`) and its
//! sentencizer. Written from spaCy's documented tokenizer algorithm:
//!
//! 1. The text is cut into chunks on whitespace. A whitespace run other than one
//!    space is itself a token (it counts for sentences; datatrove drops it from words).
//! 2. A chunk that is a special case ([`exceptions`]: `don't` → `do` `n't`, `e.g.`
//!    whole) is split as the table says.
//! 3. Otherwise prefixes and suffixes ([`affixes`]) are peeled off one at a time from
//!    both ends, stopping as soon as what is left is a special case.
//! 4. What is left stays whole if it is a special case or a URL, and is otherwise cut
//!    at its infixes (`well-known` → `well` `-` `known`).
//! 5. Runs of the chunk's tokens that spell a special case made of punctuation are
//!    merged back into it (`f():` → `f` `(` `):`, the emoticon).
//!
//! So `"(Don't) stop..."` gives `(` `Do` `n't` `)` `stop` `...`, and `U.N.C.L.E.`,
//! `example.com/a` and `3.14` stay whole.
//!
//! Known deviations: letter classes use Unicode's alphabetic and case properties
//! rather than spaCy's script ranges (so a period after an Indic vowel sign stays
//! attached); only the Latin-script units split off numbers; the special-case table is
//! written here from spaCy's documented kinds of exception. On the 11,580 documents of
//! `bench/compare_datatrove.sh` the words differ from spaCy's on 1 (a Kannada vowel
//! sign before a period) and no rule decision differs (README, Performance).

mod affixes;
mod chunk;
mod exceptions;

use unicode_categories::UnicodeCategories;

/// Python's `str.isspace`, which spaCy cuts on: Unicode whitespace and the
/// information separators U+001C–U+001F.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The word tokens of `text`, whitespace tokens left out (datatrove's
/// `split_into_words`).
pub fn split_words(text: &str) -> Vec<&str> {
    let mut words = Vec::with_capacity(text.len() / 5);
    tokenize(text, &mut |token, is_whitespace| {
        if !is_whitespace {
            words.push(token);
        }
    });
    words
}

/// Sentences in `text` as spaCy's sentencizer finds them on the tokens: a new sentence
/// starts at the first token after a sentence-final mark (`.`, `!`, `?` and the other
/// scripts' terminals, as single tokens) that is neither punctuation nor such a mark.
/// Text without tokens counts as one sentence, as datatrove's `split_into_sentences`
/// returns the whole text then.
pub fn count_sentences(text: &str) -> usize {
    let mut sentences = 1;
    for_each_sentence_end(text, &mut |_| sentences += 1);
    sentences
}

/// `text` cut after each sentence (datatrove's `split_into_sentences`): the space
/// between two sentences starts the next piece; the pieces concatenate to `text`.
pub fn sentence_pieces(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for_each_sentence_end(text, &mut |end| {
        pieces.push(&text[start..end]);
        start = end;
    });
    pieces.push(&text[start..]);
    pieces
}

/// Calls `end(offset)` with the byte offset where each sentence but the last ends.
fn for_each_sentence_end(text: &str, end: &mut dyn FnMut(usize)) {
    let mut seen_terminal = false;
    let mut previous_end = 0;
    tokenize(text, &mut |token, _| {
        let mut chars = token.chars();
        let first = chars.next().unwrap_or(' ');
        let terminal = chars.next().is_none() && is_sentence_terminal(first);
        if terminal {
            seen_terminal = true;
        } else if seen_terminal && !is_punctuation_token(token) {
            end(previous_end);
            seen_terminal = false;
        }
        previous_end = token.as_ptr() as usize - text.as_ptr() as usize + token.len();
    });
}

/// Every character is Unicode punctuation (spaCy's `is_punct`). Whitespace is not.
fn is_punctuation_token(token: &str) -> bool {
    token.chars().all(|c| c.is_punctuation())
}

/// A sentence-final mark (datatrove's `TERMINAL_PUNCTUATION`, which spaCy's sentencizer
/// uses too up to a few historic scripts).
pub(crate) fn is_sentence_terminal(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, '.' | '!' | '?');
    }
    let code = c as u32;
    TERMINAL_RANGES
        .binary_search_by(|&(low, high)| {
            if high < code {
                std::cmp::Ordering::Less
            } else if low > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Non-ASCII sentence terminals (Unicode's Sentence_Terminal characters of datatrove
/// 0.10.1's `TERMINAL_PUNCTUATION`), as inclusive code point ranges.
const TERMINAL_RANGES: [(u32, u32); 79] = [
    (0x589, 0x589),
    (0x61D, 0x61F),
    (0x6D4, 0x6D4),
    (0x700, 0x702),
    (0x7F9, 0x7F9),
    (0x837, 0x837),
    (0x839, 0x839),
    (0x83D, 0x83E),
    (0x964, 0x965),
    (0x104A, 0x104B),
    (0x1362, 0x1362),
    (0x1367, 0x1368),
    (0x166E, 0x166E),
    (0x1735, 0x1736),
    (0x17D4, 0x17D6),
    (0x17D9, 0x17DA),
    (0x1803, 0x1803),
    (0x1809, 0x1809),
    (0x1944, 0x1945),
    (0x1AA8, 0x1AAB),
    (0x1B5A, 0x1B5B),
    (0x1B5E, 0x1B5F),
    (0x1B7D, 0x1B7E),
    (0x1C3B, 0x1C3C),
    (0x1C7E, 0x1C7F),
    (0x203C, 0x203D),
    (0x2047, 0x2049),
    (0x2E2E, 0x2E2E),
    (0x2E3C, 0x2E3C),
    (0x2E53, 0x2E54),
    (0x3002, 0x3002),
    (0xA4FF, 0xA4FF),
    (0xA60E, 0xA60F),
    (0xA6F3, 0xA6F3),
    (0xA6F7, 0xA6F7),
    (0xA876, 0xA877),
    (0xA8CE, 0xA8CF),
    (0xA92F, 0xA92F),
    (0xA9C8, 0xA9C9),
    (0xAA5D, 0xAA5F),
    (0xAAF0, 0xAAF1),
    (0xABEB, 0xABEB),
    (0xFE52, 0xFE52),
    (0xFE56, 0xFE57),
    (0xFF01, 0xFF01),
    (0xFF0E, 0xFF0E),
    (0xFF1F, 0xFF1F),
    (0xFF61, 0xFF61),
    (0x10A56, 0x10A57),
    (0x10F55, 0x10F59),
    (0x10F86, 0x10F89),
    (0x11047, 0x11048),
    (0x110BE, 0x110C1),
    (0x11141, 0x11143),
    (0x111C5, 0x111C6),
    (0x111CD, 0x111CD),
    (0x111DE, 0x111DF),
    (0x11238, 0x11239),
    (0x1123B, 0x1123C),
    (0x112A9, 0x112A9),
    (0x1144B, 0x1144C),
    (0x115C2, 0x115C3),
    (0x115C9, 0x115D7),
    (0x11641, 0x11642),
    (0x1173C, 0x1173E),
    (0x11944, 0x11944),
    (0x11946, 0x11946),
    (0x11A42, 0x11A43),
    (0x11A9B, 0x11A9C),
    (0x11C41, 0x11C42),
    (0x11EF7, 0x11EF8),
    (0x11F43, 0x11F44),
    (0x16A6E, 0x16A6F),
    (0x16AF5, 0x16AF5),
    (0x16B37, 0x16B38),
    (0x16B44, 0x16B44),
    (0x16E98, 0x16E98),
    (0x1BC9F, 0x1BC9F),
    (0x1DA88, 0x1DA88),
];

/// Calls `emit(token, is_whitespace)` for each token of `text`, in order.
fn tokenize<'a>(text: &'a str, emit: &mut dyn FnMut(&'a str, bool)) {
    let mut tokens = Vec::with_capacity(text.len() / 4);
    cut_text(text, &mut tokens);
    chunk::merge_special_runs(text, &mut tokens);
    for (token, is_whitespace) in tokens {
        emit(token, is_whitespace);
    }
}

/// Steps 1–4: the tokens of each chunk, and the whitespace tokens between chunks.
fn cut_text<'a>(text: &'a str, tokens: &mut Vec<(&'a str, bool)>) {
    let mut pieces = Vec::new();
    let mut push_chunk = |chunk: &'a str, tokens: &mut Vec<(&'a str, bool)>| {
        pieces.clear();
        chunk::tokenize_chunk(chunk, &mut pieces);
        tokens.extend(pieces.iter().map(|&piece| (piece, false)));
    };
    let mut chunk_start = None;
    let mut space_start = None;
    for (index, c) in text.char_indices() {
        match (is_space(c), chunk_start, space_start) {
            (true, Some(start), _) => {
                push_chunk(&text[start..index], tokens);
                chunk_start = None;
                // One space after a chunk belongs to it; the rest is a token.
                space_start = Some(if c == ' ' { index + 1 } else { index });
            }
            (true, None, None) => space_start = Some(index),
            (false, None, space) => {
                if let Some(space) = space.filter(|&space| space < index) {
                    tokens.push((&text[space..index], true));
                }
                space_start = None;
                chunk_start = Some(index);
            }
            _ => {}
        }
    }
    if let Some(start) = chunk_start {
        push_chunk(&text[start..], tokens);
    } else if let Some(space) = space_start.filter(|&space| space < text.len()) {
        tokens.push((&text[space..], true));
    }
}

#[cfg(test)]
mod tests;
