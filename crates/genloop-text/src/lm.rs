//! What the text task, the perplexity filter and the detector need of a language model,
//! whatever its kind, and [`TextModel`], the model a text run fits: the n-gram model or
//! the transformer.
//!
//! Documents are token ids below [`LanguageModel::vocab_size`] V; every model scores a
//! document's tokens and then its end (`</s>`), and its next-token distributions have
//! V + 1 entries, the end last.

use genloop_core::data::Documents;
use genloop_core::model::{FittedModel, Sampling};
use genloop_core::seed::Rng;

use crate::neural::TransformerLm;
use crate::ngram::NgramModel;

/// A language model over documents of token ids.
pub trait LanguageModel {
    /// Document ids are below this; distributions have one more entry, the end.
    fn vocab_size(&self) -> usize;

    /// ln p of every token of `doc` and of its end, each given the tokens before it.
    fn token_log_probs(&self, doc: &[u32]) -> Vec<f64>;

    /// [`LanguageModel::token_log_probs`] of every document, in order (models that
    /// batch documents override this).
    fn documents_log_probs(&self, docs: &Documents) -> Vec<Vec<f64>> {
        docs.iter().map(|doc| self.token_log_probs(doc)).collect()
    }

    /// The next-token distribution before every token of `doc` and before its end:
    /// `doc.len() + 1` rows of `vocab_size() + 1` probabilities (the end last), flat.
    /// Rows may be off normalisation by rounding; callers renormalise.
    fn distributions(&self, doc: &[u32]) -> Vec<f64>;

    /// Mean cross-entropy (nats per token, ends included) over `docs`, and the number
    /// of tokens scored.
    fn cross_entropy(&self, docs: &Documents) -> (f64, usize) {
        let (mut sum, mut count) = (0.0, 0usize);
        for lp in self.documents_log_probs(docs) {
            count += lp.len();
            sum -= lp.iter().sum::<f64>();
        }
        if count == 0 {
            return (0.0, 0);
        }
        (sum / count as f64, count)
    }
}

impl LanguageModel for NgramModel {
    fn vocab_size(&self) -> usize {
        NgramModel::vocab_size(self)
    }

    fn token_log_probs(&self, doc: &[u32]) -> Vec<f64> {
        NgramModel::token_log_probs(self, doc)
    }

    fn distributions(&self, doc: &[u32]) -> Vec<f64> {
        (0..=doc.len())
            .flat_map(|t| self.prob_distribution(&doc[..t]))
            .collect()
    }

    fn cross_entropy(&self, docs: &Documents) -> (f64, usize) {
        NgramModel::cross_entropy(self, docs)
    }
}

/// The model of a text run.
#[derive(Clone, Debug)]
pub enum TextModel {
    Ngram(NgramModel),
    Transformer(TransformerLm),
}

impl TextModel {
    fn as_dyn(&self) -> &dyn LanguageModel {
        match self {
            TextModel::Ngram(m) => m,
            TextModel::Transformer(m) => m,
        }
    }
}

impl LanguageModel for TextModel {
    fn vocab_size(&self) -> usize {
        self.as_dyn().vocab_size()
    }

    fn token_log_probs(&self, doc: &[u32]) -> Vec<f64> {
        self.as_dyn().token_log_probs(doc)
    }

    fn documents_log_probs(&self, docs: &Documents) -> Vec<Vec<f64>> {
        self.as_dyn().documents_log_probs(docs)
    }

    fn distributions(&self, doc: &[u32]) -> Vec<f64> {
        self.as_dyn().distributions(doc)
    }

    fn cross_entropy(&self, docs: &Documents) -> (f64, usize) {
        self.as_dyn().cross_entropy(docs)
    }
}

impl FittedModel for TextModel {
    type Data = Documents;

    fn sample(&self, n: usize, sampling: &Sampling, rng: &mut Rng) -> Documents {
        match self {
            TextModel::Ngram(m) => m.sample(n, sampling, rng),
            TextModel::Transformer(m) => m.sample(n, sampling, rng),
        }
    }

    fn log_prob(&self, data: &Documents) -> Vec<f64> {
        match self {
            TextModel::Ngram(m) => m.log_prob(data),
            TextModel::Transformer(m) => m.log_prob(data),
        }
    }

    fn parameter_count(&self) -> usize {
        match self {
            TextModel::Ngram(m) => m.parameter_count(),
            TextModel::Transformer(m) => m.parameter_count(),
        }
    }
}
