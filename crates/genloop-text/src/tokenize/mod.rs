//! Tokenizers: text ↔ token ids, fixed for every generation of a run.
//!
//! One small trait, [`Tokenizer`], with two implementations:
//!
//! - [`WordTokenizer`]: Unicode words and punctuation from a hand-written scanner,
//!   a vocabulary counted on a training text (ids by frequency, then by spelling),
//!   `<unk>` = 0 for everything else. Saved as a small JSON file of our own.
//! - [`BpeTokenizer`]: byte-level BPE (Radford et al. 2019, GPT-2; Sennrich et al.
//!   2016) trained with Hugging Face `tokenizers` (`BpeTrainer`, `ByteLevel`
//!   pre-tokenizer and decoder), saved as the standard `tokenizer.json` that
//!   `tokenizers.Tokenizer.from_file` loads in Python. Byte-level: no `<unk>`.
//!
//! A run trains its tokenizer once, on the original pool, and keeps it for every
//! generation, so cross-entropies of all generations are in the same units. Which
//! one is a config choice: [`TokenizerSpec`], a tagged enum (`kind = "word" | "bpe"`).
//!
//! ```
//! use genloop_text::tokenize::{Tokenizer, WordOptions, WordTokenizer};
//!
//! let tokenizer = WordTokenizer::train(["the cat sat", "the dog sat"], &WordOptions::default());
//! let ids = tokenizer.encode("the cat barked.");
//! assert_eq!(ids[2], 0); // "barked" and "." were not in the training text: <unk>
//! assert_eq!(tokenizer.decode(&ids[..2]), "the cat");
//! ```

mod bpe;
mod word;

use std::path::{Path, PathBuf};

use genloop_core::data::Documents;
use serde::{Deserialize, Serialize};

pub use bpe::{BpeOptions, BpeTokenizer};
pub use word::{scan_words, WordOptions, WordTokenizer};

/// Text ↔ token ids.
pub trait Tokenizer: Send + Sync {
    /// Token ids of `text`.
    fn encode(&self, text: &str) -> Vec<u32>;

    /// Text of `ids`. Every id sequence decodes, including model samples; ids outside
    /// the vocabulary are skipped (BPE) or shown as `<unk>` (word).
    fn decode(&self, ids: &[u32]) -> String;

    /// Number of ids, `<unk>` included.
    fn vocab_size(&self) -> usize;

    /// The vocabulary entry of `id`: a word for [`WordTokenizer`], the byte-level
    /// form (`Ġthe` for " the") for [`BpeTokenizer`].
    fn token(&self, id: u32) -> String;

    /// The id that unknown input maps to, if the tokenizer has one.
    fn unk_id(&self) -> Option<u32>;

    /// Writes the tokenizer to `path` in its own format (see [`load_tokenizer`]).
    fn save(&self, path: &Path) -> Result<(), TokenizeError>;

    /// Number of tokens of `text`; cheaper than `encode` where the tokenizer can
    /// count without looking tokens up.
    fn count(&self, text: &str) -> usize {
        self.encode(text).len()
    }
}

/// Every text of `texts` encoded as one document.
pub fn encode_documents<I, S>(tokenizer: &dyn Tokenizer, texts: I) -> Documents
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut documents = Documents::new();
    for text in texts {
        documents.push(&tokenizer.encode(text.as_ref()));
    }
    documents
}

/// Why a tokenizer could not be trained, saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a tokenizer file: {message}", path.display())]
    Format { path: PathBuf, message: String },
    #[error("BPE training failed: {0}")]
    Training(String),
    #[error("{0}")]
    Invalid(String),
}

/// Which tokenizer a run trains on its original pool (config: `kind = "word"` or
/// `kind = "bpe"`, then the options of that kind).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenizerSpec {
    Word(WordOptions),
    Bpe(BpeOptions),
}

impl TokenizerSpec {
    /// Whether text is lowercased first.
    pub fn lowercase(&self) -> bool {
        match self {
            TokenizerSpec::Word(options) => options.lowercase,
            TokenizerSpec::Bpe(options) => options.lowercase,
        }
    }

    /// Trains the tokenizer on `texts` (the original pool).
    pub fn train<I, S>(&self, texts: I) -> Result<Box<dyn Tokenizer>, TokenizeError>
    where
        I: IntoIterator<Item = S>,
        I::IntoIter: Send,
        S: AsRef<str> + Send,
    {
        Ok(match self {
            TokenizerSpec::Word(options) => Box::new(WordTokenizer::train(texts, options)),
            TokenizerSpec::Bpe(options) => Box::new(BpeTokenizer::train(texts, options)?),
        })
    }

    /// A tokenizer that counts tokens as this one will, without training, where
    /// that is possible: the word scanner counts exactly the tokens of any trained
    /// word tokenizer (unknown words still count, as `<unk>`). BPE counts depend on
    /// the merges, so it has none; split such corpora with the word counter and
    /// read the BPE sizes off the encoded pools.
    pub fn untrained_counter(&self) -> Option<WordTokenizer> {
        match self {
            TokenizerSpec::Word(options) => Some(WordTokenizer::empty(options)),
            TokenizerSpec::Bpe(_) => None,
        }
    }
}

/// Loads a tokenizer saved by [`Tokenizer::save`]: a word tokenizer file, or any
/// Hugging Face `tokenizer.json`.
pub fn load_tokenizer(path: &Path) -> Result<Box<dyn Tokenizer>, TokenizeError> {
    let text = std::fs::read_to_string(path).map_err(|source| TokenizeError::Io {
        path: path.to_owned(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| TokenizeError::Format {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    if value.get("type").and_then(|t| t.as_str()) == Some(word::FILE_TYPE) {
        Ok(Box::new(WordTokenizer::from_json(value, path)?))
    } else {
        Ok(Box::new(BpeTokenizer::from_json_str(&text, path)?))
    }
}
