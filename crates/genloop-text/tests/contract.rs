//! The model contract (`genloop_core::contract`, the suite every model runs) on the
//! n-gram model, fitted on documents of the synthetic language: finite and per-record
//! log-probabilities, samples whose length and token frequencies match the training
//! documents, refits on its own samples, seeded determinism.

use genloop_core::contract::{check_model, Contract};
use genloop_core::model::Source;
use genloop_core::seed::{Rng, RootSeed};
use genloop_text::language::{Language, LanguageSpec};
use genloop_text::ngram::{NgramEstimator, Smoothing};

/// A small language, so that every word is seen in training: 30 words, documents of
/// 10 tokens on average.
fn language(order: usize) -> Language {
    let spec = LanguageSpec {
        vocab: 30,
        order,
        mean_length: 10.0,
        branching: 8,
        ..LanguageSpec::default()
    };
    Language::new(&spec, &mut RootSeed(7).global("language")).expect("valid language")
}

/// Sizes in tokens, as the model samples and the language draws: about 4 000
/// documents to fit on, 20 000 in each compared sample.
const TOKENS: Contract = Contract {
    records: 40_000,
    draws: 200_000,
    seeds: [1, 2],
};

fn ngram_contract(order: usize, smoothing: Smoothing, language_order: usize) {
    let language = language(language_order);
    let estimator =
        NgramEstimator::new(order, smoothing, language.vocab_size()).expect("valid estimator");
    TOKENS.check(&estimator, &|n, rng: &mut Rng| language.draw(n, rng));
}

#[test]
fn kneser_ney_bigrams() {
    ngram_contract(2, Smoothing::KneserNey, 1);
}

#[test]
fn kneser_ney_trigrams_on_a_second_order_language() {
    ngram_contract(3, Smoothing::KneserNey, 2);
}

#[test]
fn add_half_bigrams() {
    ngram_contract(2, Smoothing::AddK(0.5), 1);
}

#[test]
fn unigrams_with_smaller_draws() {
    let language = language(1);
    let estimator = NgramEstimator::new(1, Smoothing::KneserNey, 30).expect("valid estimator");
    let contract = Contract {
        records: 20_000,
        draws: 50_000,
        seeds: [3, 4],
    };
    contract.check(&estimator, &|n, rng: &mut Rng| language.draw(n, rng));
}

#[test]
fn the_default_sizes_count_tokens_too() {
    // 4 000 tokens to fit on, 20 000 per compared sample: a few hundred documents.
    let language = language(1);
    let estimator = NgramEstimator::new(2, Smoothing::KneserNey, 30).expect("valid estimator");
    check_model(&estimator, &|n, rng: &mut Rng| language.draw(n, rng));
}
