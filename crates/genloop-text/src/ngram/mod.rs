//! The n-gram language model: interpolated modified Kneser-Ney as KenLM's lmplz
//! estimates it, plus MLE and add-k, over the token ids of a fixed tokenizer.
//!
//! - `count.rs`: n-gram counts and lmplz's adjusted (continuation) counts;
//! - `estimate.rs`: discounts, interpolation, and the formulas of every smoothing;
//! - `tables.rs`: the fitted trie in backoff form and its queries;
//! - `sample.rs`: document sampling by mixture draws; `biased.rs`: temperature,
//!   top-k and top-p;
//! - `arpa/`: ARPA export and import (KenLM and SRILM read the export).
//!
//! Documents carry no markers: the model adds `<s>` (context only, never predicted)
//! and `</s>` (predicted, and counted as a token in every score). Ids are the
//! tokenizer's, `0..vocab_size`; `<unk>` is an ordinary id. Probabilities of every
//! context sum to 1 over the ids and `</s>`. Fitting is deterministic (sorted
//! arrays, no hash-map order) and single-threaded.
//!
//! Fidelity to lmplz (kpu/kenlm, the `kenlm` 0.3.0 sources): on the King James
//! Bible (31 102 verses, 789 634 words) the ARPA files of orders 3 and 5 list the
//! same n-grams as `lmplz -o 3` / `-o 5` and differ by at most 7·10⁻⁷ in log10
//! probability and 2·10⁻⁷ in log10 backoff (lmplz computes in f32, we in f64 and
//! store f32; `bench/compare_ngram.sh`). Where we differ on purpose:
//! - the unigrams are interpolated with the uniform over the V ids and `</s>`;
//!   lmplz's uniform is over the types it saw, `<unk>` and `</s>`. They agree when
//!   exactly one id is unseen (say the tokenizer's unused `<unk>`), and match
//!   `lmplz --vocab_pad` otherwise; every unseen id gets what lmplz gives `<unk>`;
//! - counts-of-counts with a zero n1, n2 or n3, or a discount outside [0, j], fall
//!   back to D = (0.5, 1, 1.5), flagged in [`Discount::fallback`]; lmplz stops
//!   unless given `--discount_fallback`, whose default is the same;
//! - lmplz's `adjust_counts.cc` adds, for the last n-gram of each lower order in
//!   its own sort order, the raw count instead of the adjusted count to the
//!   counts-of-counts (its final flush); we count adjusted counts throughout, so a
//!   discount can differ by the effect of one n-gram in n1…n4 (invisible on KJV).
//!
//! KenLM's query semantics (checked by `tests/kenlm_arpa.rs` with the `kenlm`
//! module): scores agree to 1.5·10⁻⁶ log10 per sentence (KenLM sums in f32);
//! KenLM refuses unigram-only ARPA files ("assumes at least a bigram model"); a
//! string outside the vocabulary scores as `<unk>`, which the export writes with
//! the unseen-id probability.
//!
//! ```
//! use genloop_core::data::Documents;
//! use genloop_text::ngram::{NgramEstimator, Smoothing};
//!
//! let docs = Documents::from_docs([vec![0u32, 1, 2], vec![0, 2], vec![1, 2, 0]]);
//! let estimator = NgramEstimator::new(3, Smoothing::KneserNey, 4)?;
//! let model = estimator.fit_documents(&[&docs])?;
//! let (nats_per_token, tokens) = model.cross_entropy(&docs);
//! assert_eq!(tokens, 11); // 8 tokens and 3 end-of-document markers
//! assert!(nats_per_token > 0.0);
//! let p = model.prob_distribution(&[0]);
//! assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-5);
//! # Ok::<(), genloop_text::ngram::NgramError>(())
//! ```

mod arpa;
mod biased;
mod count;
mod errors;
mod estimate;
mod key;
mod sample;
mod tables;
#[cfg(test)]
mod tests;

use std::io::{BufRead, Write};
use std::sync::Arc;

use genloop_core::data::{Dataset, Documents, TrainingSet};
use genloop_core::model::{Estimator, FitError, FittedModel, Sampling};
use genloop_core::seed::Rng;

pub use errors::NgramError;

use tables::Tables;

/// Highest supported order.
pub const MAX_ORDER: usize = 6;

/// Longest document [`NgramModel::sample`] generates unless told otherwise.
pub const DEFAULT_MAX_LENGTH: usize = 1000;

/// The n-gram model of a run (config: `[model] kind = "ngram"`).
#[derive(Clone, Debug, PartialEq)]
pub struct NgramSpec {
    pub order: usize,
    pub smoothing: Smoothing,
    /// Longest sampled document, in tokens.
    pub max_length: usize,
}

/// How counts become probabilities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Smoothing {
    /// Interpolated modified Kneser-Ney (Chen & Goodman 1998), as lmplz.
    KneserNey,
    /// Relative frequencies; unseen events get probability 0.
    Mle,
    /// k pseudo-counts per outcome, spread by the lower order (see `estimate.rs`).
    AddK(f64),
}

/// The three Kneser-Ney discounts of one order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Discount {
    pub d1: f64,
    pub d2: f64,
    pub d3_plus: f64,
    /// True when the counts-of-counts could not give discounts and lmplz's
    /// fallback (0.5, 1, 1.5) was used.
    pub fallback: bool,
}

impl Discount {
    /// lmplz's `--discount_fallback` default.
    pub const FALLBACK: Discount = Discount {
        d1: 0.5,
        d2: 1.0,
        d3_plus: 1.5,
        fallback: true,
    };

    /// No discounting (MLE, add-k).
    pub const NONE: Discount = Discount {
        d1: 0.0,
        d2: 0.0,
        d3_plus: 0.0,
        fallback: false,
    };

    /// The amount subtracted from a count.
    pub fn amount(&self, count: u32) -> f64 {
        match count {
            0 => 0.0,
            1 => self.d1,
            2 => self.d2,
            _ => self.d3_plus,
        }
    }
}

/// Validated settings of an n-gram model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NgramEstimator {
    /// 1 to [`MAX_ORDER`].
    pub order: usize,
    pub smoothing: Smoothing,
    /// The tokenizer's vocabulary size: ids are `0..vocab_size`.
    pub vocab_size: usize,
}

impl NgramEstimator {
    pub fn new(order: usize, smoothing: Smoothing, vocab_size: usize) -> Result<Self, NgramError> {
        let estimator = NgramEstimator {
            order,
            smoothing,
            vocab_size,
        };
        estimator.check()?;
        Ok(estimator)
    }

    pub fn check(&self) -> Result<(), NgramError> {
        if !(1..=MAX_ORDER).contains(&self.order) {
            return Err(NgramError::Order(self.order));
        }
        if self.vocab_size == 0 || self.vocab_size >= u32::MAX as usize - 2 {
            return Err(NgramError::VocabularySize(self.vocab_size));
        }
        if let Smoothing::AddK(k) = self.smoothing {
            if !(k >= 0.0 && k.is_finite()) {
                return Err(NgramError::AddK(k));
            }
        }
        Ok(())
    }

    /// Fits on every document of `chunks`.
    pub fn fit_documents(&self, chunks: &[&Documents]) -> Result<NgramModel, NgramError> {
        self.check()?;
        let documents = || {
            chunks
                .iter()
                .flat_map(|chunk| (0..chunk.len()).map(move |i| chunk.doc(i)))
        };
        let document_count: usize = chunks.iter().map(|c| c.len()).sum();
        if document_count == 0 {
            return Err(NgramError::Empty);
        }
        let positions = document_count + chunks.iter().map(|c| c.units()).sum::<usize>();
        if positions >= u32::MAX as usize {
            return Err(NgramError::TooLarge(positions));
        }
        let vocabulary = count::dense_vocabulary(documents(), self.vocab_size)?;
        let width = vocabulary.bits * self.order as u32;
        let kneser_ney = self.smoothing == Smoothing::KneserNey;
        let (tables, discounts) = if width <= 64 {
            let counted = count::count::<u64>(documents(), vocabulary, self.order, kneser_ney);
            estimate::build(counted, self.smoothing, self.vocab_size)
        } else if width <= 128 {
            let counted = count::count::<u128>(documents(), vocabulary, self.order, kneser_ney);
            estimate::build(counted, self.smoothing, self.vocab_size)
        } else {
            return Err(NgramError::KeyTooWide {
                distinct: vocabulary.dense_to_id.len() - 2,
                order: self.order,
                bits: vocabulary.bits,
            });
        };
        Ok(NgramModel {
            tables: Arc::new(tables),
            smoothing: Some(self.smoothing),
            discounts,
            max_length: DEFAULT_MAX_LENGTH,
        })
    }
}

impl Estimator for NgramEstimator {
    type Data = Documents;
    type Model = NgramModel;
    const USES_RNG: bool = false;

    fn fit(&self, train: &TrainingSet<Documents>, _rng: &mut Rng) -> Result<NgramModel, FitError> {
        let chunks: Vec<&Documents> = train.chunks().collect();
        self.fit_documents(&chunks).map_err(|error| match error {
            NgramError::Empty => FitError::Empty,
            other => FitError::Numerical(other.to_string()),
        })
    }
}

/// A fitted n-gram model. Clones share the tables.
#[derive(Clone, Debug)]
pub struct NgramModel {
    tables: Arc<Tables>,
    smoothing: Option<Smoothing>,
    discounts: Vec<Discount>,
    /// Longest document [`FittedModel::sample`] generates (tokens, without
    /// `</s>`); a document that reaches it is cut there. At least 1.
    pub max_length: usize,
}

impl NgramModel {
    pub fn with_max_length(mut self, max_length: usize) -> Self {
        assert!(max_length >= 1, "max_length must be at least 1");
        self.max_length = max_length;
        self
    }

    pub fn order(&self) -> usize {
        self.tables.order
    }

    pub fn vocab_size(&self) -> usize {
        self.tables.vocab_size
    }

    /// The smoothing it was fitted with; `None` when read from an ARPA file.
    pub fn smoothing(&self) -> Option<Smoothing> {
        self.smoothing
    }

    /// Kneser-Ney discounts per order (order 1 first); empty otherwise.
    pub fn discounts(&self) -> &[Discount] {
        if self.smoothing == Some(Smoothing::KneserNey) {
            &self.discounts
        } else {
            &[]
        }
    }

    /// Stored n-grams per order; order 1 counts every id, `</s>` and `<s>`.
    pub fn ngram_counts(&self) -> Vec<usize> {
        self.tables.counts()
    }

    /// Stored n-grams, all orders.
    pub fn ngram_count(&self) -> usize {
        self.ngram_counts().iter().sum()
    }

    /// Heap bytes of the model's tables.
    pub fn memory_bytes(&self) -> usize {
        self.tables.memory_bytes()
    }

    pub fn bytes_per_ngram(&self) -> f64 {
        self.memory_bytes() as f64 / self.ngram_count() as f64
    }

    /// Natural-log probability of each token of `doc` and then of `</s>`, given
    /// `<s>` and the tokens before it. Panics on an id outside the vocabulary.
    pub fn token_log_probs(&self, doc: &[u32]) -> Vec<f64> {
        let mut out = Vec::with_capacity(doc.len() + 1);
        self.score_document(doc, |log10| out.push(log10));
        out
    }

    fn score_document(&self, doc: &[u32], mut each: impl FnMut(f64)) {
        let tables = &*self.tables;
        let mut state = tables.begin();
        for &token in doc {
            assert!(
                (token as usize) < tables.vocab_size,
                "token id {token} is outside the model's vocabulary (size {})",
                tables.vocab_size
            );
            let (log10, next) = tables.score(&state, token);
            each(f64::from(log10) * std::f64::consts::LN_10);
            state = next;
        }
        let (log10, _) = tables.score(&state, tables.eos());
        each(f64::from(log10) * std::f64::consts::LN_10);
    }

    /// Cross-entropy in nats per token over `docs`, and the number of tokens it
    /// averages over (every token and one `</s>` per document).
    pub fn cross_entropy(&self, docs: &Documents) -> (f64, usize) {
        let mut total = 0.0;
        let mut tokens = 0usize;
        for doc in docs.iter() {
            self.score_document(doc, |log_prob| total += log_prob);
            tokens += doc.len() + 1;
        }
        let nats = if tokens == 0 {
            0.0
        } else {
            -total / tokens as f64
        };
        (nats, tokens)
    }

    /// p(next | `<s>` + `context`) over the ids `0..vocab_size` and, last, `</s>`.
    /// `context` is the document so far (no markers); only its last N − 1 tokens
    /// matter.
    pub fn prob_distribution(&self, context: &[u32]) -> Vec<f64> {
        if let Some(&bad) = context.iter().find(|&&t| t as usize >= self.vocab_size()) {
            panic!(
                "token id {bad} is outside the model's vocabulary (size {})",
                self.vocab_size()
            );
        }
        let state = self.tables.state_after(context);
        let mut out = Vec::new();
        self.tables.distribution(&state, &mut out);
        out
    }

    /// The model's lowest-order distribution over the ids and, last, `</s>` (for
    /// Kneser-Ney the continuation distribution, interpolated with the uniform).
    pub fn unigram_probs(&self) -> Vec<f64> {
        self.tables.unigram.clone()
    }

    /// Writes the model as an ARPA file (log10 probabilities and backoffs, KenLM
    /// conventions); `vocab` spells each id. See `arpa/mod.rs` for the
    /// conventions; an id spelled empty, with whitespace, as `<s>`/`</s>`, or like
    /// another id is an error naming it.
    pub fn write_arpa(
        &self,
        out: &mut impl Write,
        vocab: &dyn Fn(u32) -> String,
    ) -> Result<(), NgramError> {
        arpa::write(&self.tables, out, vocab)
    }

    /// Reads an ARPA file; `vocab` maps each word to its id in `0..vocab_size`.
    pub fn read_arpa(
        reader: impl BufRead,
        vocab_size: usize,
        vocab: &dyn Fn(&str) -> Option<u32>,
    ) -> Result<NgramModel, NgramError> {
        let tables = arpa::read(reader, vocab_size, vocab)?;
        Ok(NgramModel {
            tables: Arc::new(tables),
            smoothing: None,
            discounts: Vec::new(),
            max_length: DEFAULT_MAX_LENGTH,
        })
    }
}

impl FittedModel for NgramModel {
    type Data = Documents;

    fn sample(&self, n: usize, sampling: &Sampling, rng: &mut Rng) -> Documents {
        sample::sample_documents(&self.tables, n, sampling, self.max_length.max(1), rng)
    }

    fn log_prob(&self, data: &Documents) -> Vec<f64> {
        data.iter()
            .map(|doc| {
                let mut total = 0.0;
                self.score_document(doc, |log_prob| total += log_prob);
                total
            })
            .collect()
    }

    fn parameter_count(&self) -> usize {
        self.ngram_count()
    }
}
