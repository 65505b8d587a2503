//! Word-level tokenizer (see [`WordTokenizer`]).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{TokenizeError, Tokenizer};

/// The `type` field of a saved word tokenizer.
pub(super) const FILE_TYPE: &str = "genloop-word";

const UNK: &str = "<unk>";

/// Options of [`WordTokenizer`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WordOptions {
    /// Lowercase words before counting and encoding.
    pub lowercase: bool,
    /// Largest vocabulary, `<unk>` included (None: every word that passes
    /// `min_count`).
    pub max_vocab: Option<usize>,
    /// Fewest occurrences in the training text for a word to get its own id.
    pub min_count: usize,
}

impl Default for WordOptions {
    fn default() -> Self {
        WordOptions {
            lowercase: false,
            max_vocab: None,
            min_count: 1,
        }
    }
}

/// Calls `emit` with every token of `text`, in order, per the scanner rule of the
/// [`WordTokenizer`] docs. Tokens borrow from `text`, unlowercased.
pub fn scan_words<'t>(text: &'t str, mut emit: impl FnMut(&'t str)) {
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_alphanumeric() {
            emit(&text[start..start + c.len_utf8()]);
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            if next.is_alphanumeric() {
                end = i + next.len_utf8();
                chars.next();
            } else if is_apostrophe(next)
                && text[i + next.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            {
                // Inside a word ("don't"): keep the apostrophe and go on.
                end = i + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        emit(&text[start..end]);
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Word-level tokenizer: a hand-written Unicode scanner and a counted vocabulary.
///
/// Scanner rule: a word is a maximal run of alphanumeric characters
/// (`char::is_alphanumeric`, so any script), where an apostrophe (`'` or `’`)
/// between two alphanumeric characters stays inside the word ("don't", "l’homme");
/// every other character that is not whitespace is a token of its own (",", "—",
/// "😀"). Whitespace only separates. With `lowercase`, words are lowercased
/// (`str::to_lowercase`, which knows the final sigma).
///
/// Ids: 0 is `<unk>`; the other ids go to the training words by count, highest
/// first, ties broken by the word's spelling (byte order), so the same text always
/// gives the same ids. `min_count` and `max_vocab` cut the tail.
///
/// Decoding joins tokens with single spaces ("don't stop , now ."): simple, and
/// exact up to spacing, which is all the metrics on decoded text need.
#[derive(Clone, Debug)]
pub struct WordTokenizer {
    lowercase: bool,
    /// Id → word; index 0 is `<unk>`.
    words: Vec<String>,
    ids: HashMap<String, u32>,
}

/// The saved form.
#[derive(Serialize, Deserialize)]
struct WordFile {
    #[serde(rename = "type")]
    file_type: String,
    lowercase: bool,
    /// Id → word; index 0 is `<unk>`.
    vocab: Vec<String>,
}

impl WordTokenizer {
    /// Builds the vocabulary from `texts`.
    pub fn train<I, S>(texts: I, options: &WordOptions) -> WordTokenizer
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for text in texts {
            scan_words(text.as_ref(), |token| {
                let key = normalise(token, options.lowercase);
                *counts.entry(key.into_owned()).or_insert(0) += 1;
            });
        }
        let min_count = options.min_count.max(1) as u64;
        let mut ranked: Vec<(String, u64)> = counts
            .into_iter()
            .filter(|&(_, n)| n >= min_count)
            .collect();
        ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(max_vocab) = options.max_vocab {
            ranked.truncate(max_vocab.saturating_sub(1));
        }
        let words = std::iter::once(UNK.to_owned())
            .chain(ranked.into_iter().map(|(word, _)| word))
            .collect();
        WordTokenizer::from_words(words, options.lowercase)
    }

    /// A tokenizer with only `<unk>`: it counts tokens exactly as any trained word
    /// tokenizer with the same options does.
    pub fn empty(options: &WordOptions) -> WordTokenizer {
        WordTokenizer::from_words(vec![UNK.to_owned()], options.lowercase)
    }

    fn from_words(words: Vec<String>, lowercase: bool) -> WordTokenizer {
        let ids = words
            .iter()
            .enumerate()
            .skip(1)
            .map(|(id, word)| (word.clone(), id as u32))
            .collect();
        WordTokenizer {
            lowercase,
            words,
            ids,
        }
    }

    /// Loads a file written by [`Tokenizer::save`].
    pub fn load(path: &Path) -> Result<WordTokenizer, TokenizeError> {
        let text = std::fs::read_to_string(path).map_err(|source| TokenizeError::Io {
            path: path.to_owned(),
            source,
        })?;
        let value = serde_json::from_str(&text).map_err(|e| TokenizeError::Format {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        WordTokenizer::from_json(value, path)
    }

    pub(super) fn from_json(
        value: serde_json::Value,
        path: &Path,
    ) -> Result<WordTokenizer, TokenizeError> {
        let format_error = |message: String| TokenizeError::Format {
            path: path.to_owned(),
            message,
        };
        let file: WordFile =
            serde_json::from_value(value).map_err(|e| format_error(e.to_string()))?;
        if file.file_type != FILE_TYPE {
            return Err(format_error(format!(
                "type is `{}`, expected `{FILE_TYPE}`",
                file.file_type
            )));
        }
        if file.vocab.first().map(String::as_str) != Some(UNK) {
            return Err(format_error(format!("vocab must start with `{UNK}`")));
        }
        Ok(WordTokenizer::from_words(file.vocab, file.lowercase))
    }

    /// Whether words are lowercased.
    pub fn lowercase(&self) -> bool {
        self.lowercase
    }
}

fn normalise(token: &str, lowercase: bool) -> std::borrow::Cow<'_, str> {
    if lowercase && token.chars().any(char::is_uppercase) {
        std::borrow::Cow::Owned(token.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}

impl Tokenizer for WordTokenizer {
    fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        scan_words(text, |token| {
            let key = normalise(token, self.lowercase);
            ids.push(self.ids.get(key.as_ref()).copied().unwrap_or(0));
        });
        ids
    }

    fn decode(&self, ids: &[u32]) -> String {
        let mut text = String::new();
        for (i, &id) in ids.iter().enumerate() {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(self.words.get(id as usize).map_or(UNK, String::as_str));
        }
        text
    }

    fn vocab_size(&self) -> usize {
        self.words.len()
    }

    fn token(&self, id: u32) -> String {
        self.words
            .get(id as usize)
            .map_or(UNK, String::as_str)
            .to_owned()
    }

    fn unk_id(&self) -> Option<u32> {
        Some(0)
    }

    fn save(&self, path: &Path) -> Result<(), TokenizeError> {
        let file = WordFile {
            file_type: FILE_TYPE.to_owned(),
            lowercase: self.lowercase,
            vocab: self.words.clone(),
        };
        let json =
            serde_json::to_string(&file).map_err(|e| TokenizeError::Invalid(e.to_string()))?;
        std::fs::write(path, json).map_err(|source| TokenizeError::Io {
            path: path.to_owned(),
            source,
        })
    }

    fn count(&self, text: &str) -> usize {
        let mut count = 0;
        scan_words(text, |_| count += 1);
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan_words(text, |t| out.push(t));
        out
    }

    #[test]
    fn scanner_keeps_inner_apostrophes_and_splits_punctuation() {
        assert_eq!(
            tokens("Don't stop, 'now' — rock’n’roll!  x'"),
            [
                "Don't",
                "stop",
                ",",
                "'",
                "now",
                "'",
                "—",
                "rock’n’roll",
                "!",
                "x",
                "'"
            ]
        );
        assert_eq!(tokens("Καλημέρα κόσμε 42x"), ["Καλημέρα", "κόσμε", "42x"]);
        assert!(tokens(" \t\n").is_empty());
    }

    #[test]
    fn ids_by_count_then_spelling_and_unknowns_are_zero() {
        let options = WordOptions {
            lowercase: true,
            ..WordOptions::default()
        };
        let tokenizer = WordTokenizer::train(["b a B c", "a b d"], &options);
        // b: 3, a: 2, c and d: 1 each (c before d).
        assert_eq!(tokenizer.token(1), "b");
        assert_eq!(tokenizer.token(2), "a");
        assert_eq!(tokenizer.token(3), "c");
        assert_eq!(tokenizer.token(4), "d");
        assert_eq!(tokenizer.encode("A zz b ."), [2, 0, 1, 0]);
        assert_eq!(tokenizer.count("A zz b ."), 4);
    }

    #[test]
    fn min_count_and_max_vocab_cut_the_tail() {
        let texts = ["x x x y y z"];
        let cut = WordTokenizer::train(
            texts,
            &WordOptions {
                min_count: 2,
                ..WordOptions::default()
            },
        );
        assert_eq!(cut.vocab_size(), 3);
        let capped = WordTokenizer::train(
            texts,
            &WordOptions {
                max_vocab: Some(2),
                ..WordOptions::default()
            },
        );
        assert_eq!(capped.vocab_size(), 2);
        assert_eq!(capped.encode("x y"), [1, 0]);
    }
}
