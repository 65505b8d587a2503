//! genloop-text: text in the generational loop — corpora (`corpus/`), tokenizers
//! (`tokenize/`), the seeded synthetic language with exact log-probabilities
//! (`language/`), and the n-gram language model (`ngram/`).

pub mod corpus;
pub mod detect;
pub mod filters;
pub mod language;
pub mod metrics;
pub mod ngram;
pub mod task;
pub mod tokenize;
