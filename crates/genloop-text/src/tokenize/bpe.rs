//! Byte-level BPE through Hugging Face `tokenizers` (see [`BpeTokenizer`]).

use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tokenizers::models::bpe::{BpeTrainer, BPE};
use tokenizers::models::TrainerWrapper;
use tokenizers::normalizers::Lowercase;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;

use super::{TokenizeError, Tokenizer};

/// Options of [`BpeTokenizer`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BpeOptions {
    /// Vocabulary size, the 256 byte symbols included. Training stops earlier when
    /// no pair reaches `min_frequency`.
    pub vocab_size: usize,
    /// Fewest occurrences of a pair for it to be merged.
    pub min_frequency: u64,
    /// Lowercase text first (a `Lowercase` normalizer, saved in the file); decoded
    /// text is then lowercase.
    pub lowercase: bool,
}

impl Default for BpeOptions {
    fn default() -> Self {
        BpeOptions {
            vocab_size: 8192,
            min_frequency: 2,
            lowercase: false,
        }
    }
}

/// Byte-level BPE through Hugging Face `tokenizers` (0.22).
///
/// The GPT-2 recipe (Radford et al. 2019): text is split by the GPT-2 regex and
/// mapped to bytes shown as printable characters (`ByteLevel` pre-tokenizer, no
/// added prefix space, so `decode(encode(x)) == x`), then BPE merges (Sennrich et
/// al. 2016) learnt by `BpeTrainer` on the original pool. The initial alphabet is
/// all 256 bytes, so every input encodes and there is no `<unk>`. No special tokens:
/// genloop's documents carry no markers; models add end-of-document themselves.
///
/// The file written by `save` is the Hugging Face `tokenizer.json`; Python's
/// `tokenizers.Tokenizer.from_file` reads it, and so does [`BpeTokenizer::load`].
#[derive(Clone)]
pub struct BpeTokenizer {
    inner: tokenizers::Tokenizer,
}

impl std::fmt::Debug for BpeTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BpeTokenizer")
            .field("vocab_size", &self.vocab_size())
            .finish()
    }
}

fn byte_level() -> ByteLevel {
    // GPT-2 settings: no prefix space, trimmed offsets, the GPT-2 split regex.
    ByteLevel::new(false, true, true)
}

impl BpeTokenizer {
    /// Learns merges on `texts` (the original pool).
    pub fn train<I, S>(texts: I, options: &BpeOptions) -> Result<BpeTokenizer, TokenizeError>
    where
        I: IntoIterator<Item = S>,
        I::IntoIter: Send,
        S: AsRef<str> + Send,
    {
        let alphabet_size = ByteLevel::alphabet().len();
        if options.vocab_size < alphabet_size {
            return Err(TokenizeError::Invalid(format!(
                "BPE vocab_size {} is below the {alphabet_size} byte symbols; use at least {alphabet_size}",
                options.vocab_size
            )));
        }
        let mut inner = tokenizers::Tokenizer::new(BPE::default());
        if options.lowercase {
            inner.with_normalizer(Some(Lowercase));
        }
        inner.with_pre_tokenizer(Some(byte_level()));
        inner.with_decoder(Some(byte_level()));
        let alphabet: HashSet<char> = ByteLevel::alphabet().into_iter().collect();
        let trainer = BpeTrainer::builder()
            .vocab_size(options.vocab_size)
            .min_frequency(options.min_frequency)
            .initial_alphabet(alphabet)
            .show_progress(false)
            .build();
        let mut trainer = TrainerWrapper::from(trainer);
        inner
            .train(&mut trainer, texts.into_iter())
            .map_err(|e| TokenizeError::Training(e.to_string()))?;
        Ok(BpeTokenizer { inner })
    }

    /// Loads a Hugging Face `tokenizer.json`.
    pub fn load(path: &Path) -> Result<BpeTokenizer, TokenizeError> {
        let text = std::fs::read_to_string(path).map_err(|source| TokenizeError::Io {
            path: path.to_owned(),
            source,
        })?;
        BpeTokenizer::from_json_str(&text, path)
    }

    pub(super) fn from_json_str(text: &str, path: &Path) -> Result<BpeTokenizer, TokenizeError> {
        let inner = tokenizers::Tokenizer::from_str(text).map_err(|e| TokenizeError::Format {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        Ok(BpeTokenizer { inner })
    }

    /// The Hugging Face tokenizer, for anything this wrapper does not expose.
    pub fn inner(&self) -> &tokenizers::Tokenizer {
        &self.inner
    }
}

impl Tokenizer for BpeTokenizer {
    fn encode(&self, text: &str) -> Vec<u32> {
        // Byte-level BPE without special tokens or truncation cannot fail on a
        // `&str`; an error here would be a bug in the loaded file.
        self.inner
            .encode_fast(text, false)
            .map(|encoding| encoding.get_ids().to_vec())
            .unwrap_or_else(|e| panic!("byte-level BPE failed to encode: {e}"))
    }

    fn decode(&self, ids: &[u32]) -> String {
        // Unknown ids are skipped; byte sequences that are not UTF-8 (a model can
        // sample half a character) decode lossily, as U+FFFD.
        self.inner.decode(ids, false).unwrap_or_default()
    }

    fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    fn token(&self, id: u32) -> String {
        self.inner.id_to_token(id).unwrap_or_default()
    }

    fn unk_id(&self) -> Option<u32> {
        None
    }

    fn save(&self, path: &Path) -> Result<(), TokenizeError> {
        self.inner.save(path, false).map_err(|e| TokenizeError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_text_and_file() {
        let texts = [
            "the quick brown fox jumps over the lazy dog",
            "the lazy dog sleeps; the quick fox runs",
            "naïve café — déjà vu",
        ];
        let options = BpeOptions {
            vocab_size: 300,
            min_frequency: 1,
            lowercase: false,
        };
        let tokenizer = BpeTokenizer::train(texts, &options).unwrap();
        assert!(tokenizer.vocab_size() > 256 && tokenizer.vocab_size() <= 300);
        for text in texts.iter().chain(&["unseen ✓ text\nwith lines"]) {
            assert_eq!(&tokenizer.decode(&tokenizer.encode(text)), text);
        }
        assert!(tokenizer.encode("the quick").len() < "the quick".len());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokenizer.json");
        tokenizer.save(&path).unwrap();
        let loaded = crate::tokenize::load_tokenizer(&path).unwrap();
        assert_eq!(loaded.encode(texts[1]), tokenizer.encode(texts[1]));
        assert_eq!(loaded.unk_id(), None);
    }

    #[test]
    fn lowercase_option_normalises_before_merging() {
        let options = BpeOptions {
            vocab_size: 280,
            min_frequency: 1,
            lowercase: true,
        };
        let tokenizer = BpeTokenizer::train(["The THE the"], &options).unwrap();
        assert_eq!(tokenizer.encode("THE"), tokenizer.encode("the"));
        assert_eq!(tokenizer.decode(&tokenizer.encode("Hello")), "hello");
    }

    #[test]
    fn rejects_a_vocabulary_below_the_byte_alphabet() {
        let options = BpeOptions {
            vocab_size: 100,
            ..BpeOptions::default()
        };
        let error = BpeTokenizer::train(["text"], &options).unwrap_err();
        assert!(error.to_string().contains("256"), "{error}");
    }
}
