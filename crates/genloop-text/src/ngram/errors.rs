//! Errors of the n-gram model: invalid settings, training data outside the
//! vocabulary, and malformed ARPA files (with the line at fault).

use std::io;

/// Why an n-gram model could not be built, fitted, written or read.
#[derive(Debug, thiserror::Error)]
pub enum NgramError {
    #[error("n-gram order {0} is not supported: use an order from 1 to {max}", max = super::MAX_ORDER)]
    Order(usize),

    #[error("vocabulary size {0} is not supported: it must be at least 1 and below 2^32 - 2 (two ids are kept for <s> and </s>)")]
    VocabularySize(usize),

    #[error("add-k smoothing needs a finite k >= 0, got k = {0}")]
    AddK(f64),

    #[error("token id {token} in training document {document} is outside the vocabulary (size {vocab_size}); the tokenizer and the model must agree on the vocabulary size")]
    TokenOutOfVocabulary {
        token: u32,
        document: usize,
        vocab_size: usize,
    },

    #[error("the training set has no documents")]
    Empty,

    #[error("the training set is too large: {0} n-gram positions do not fit in 32-bit counts; split it or lower the order")]
    TooLarge(usize),

    #[error("{distinct} distinct tokens do not fit the {order}-gram keys ({bits} bits per token, 128 bits per key); lower the order")]
    KeyTooWide {
        distinct: usize,
        order: usize,
        bits: u32,
    },

    #[error("ARPA export: token id {id} is written as {word:?}, which {problem}")]
    BadWord {
        id: u32,
        word: String,
        problem: &'static str,
    },

    #[error("ARPA export: token ids {first} and {second} are both written as {word:?}; ARPA words must be unique")]
    DuplicateWord {
        first: u32,
        second: u32,
        word: String,
    },

    #[error("ARPA line {line}: {message}")]
    Arpa { line: usize, message: String },

    #[error("ARPA: {0}")]
    ArpaFile(String),

    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

impl NgramError {
    pub(crate) fn arpa(line: usize, message: impl Into<String>) -> Self {
        NgramError::Arpa {
            line,
            message: message.into(),
        }
    }
}
