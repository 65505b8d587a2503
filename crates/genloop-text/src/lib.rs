//! genloop-text: text in the generational loop — corpora (`corpus/`), tokenizers
//! (`tokenize/`), the seeded synthetic language with exact log-probabilities
//! (`language/`), the n-gram language model (`ngram/`), the transformer in the loop
//! (`neural/`, over `genloop-transformer`), what both serve (`lm`), text metrics, machine-text
//! scores (`detect`), the text task of the loop (`task/`) and the loop's text filters
//! (`filters/`: adapters over `genloop_curate`'s rules and dedup, plus perplexity and
//! detector filters that need the loop's models).
//!
//! ```
//! use genloop_core::data::TrainingSet;
//! use genloop_core::model::{Estimator, FittedModel};
//! use genloop_core::provenance::{Pool, Provenance};
//! use genloop_core::seed::RootSeed;
//! use genloop_text::ngram::{NgramEstimator, Smoothing};
//! use genloop_text::tokenize::{encode_documents, Tokenizer, WordOptions, WordTokenizer};
//!
//! let texts = ["the cat sat on the mat", "the dog sat on the log"];
//! let tokenizer = WordTokenizer::train(texts, &WordOptions::default());
//! let documents = encode_documents(&tokenizer, texts);
//! let estimator = NgramEstimator::new(2, Smoothing::KneserNey, tokenizer.vocab_size()).unwrap();
//! let train = TrainingSet::single(Provenance::new(Pool::Original, 0), documents.clone());
//! let model = estimator.fit(&train, &mut RootSeed(1).stream("fit", 0, 0)).unwrap();
//! // One log-probability per document, finite for the training text.
//! let log_probs = model.log_prob(&documents);
//! assert_eq!(log_probs.len(), 2);
//! assert!(log_probs.iter().all(|lp| lp.is_finite() && *lp < 0.0));
//! ```

pub mod corpus;
pub mod detect;
pub mod filters;
pub mod language;
pub mod lm;
pub mod metrics;
pub mod neural;
pub mod ngram;
pub mod task;
pub mod tokenize;
