//! The transformer as the text task's model: batched scores equal one-by-one scores,
//! distributions agree with token log-probabilities, samples stay inside the vocabulary
//! and the length cap, `init` decides where training starts, and checkpoint folders
//! round-trip. Several seeds each; tolerances are float32 rounding (scores of one
//! document in different batch shapes differ in the last bits of the matrix products).

use genloop_core::data::{Dataset, Documents, TrainingSet};
use genloop_core::model::{Estimator, FittedModel, Sampling, Source, Start};
use genloop_core::pipeline::checkpoints::ModelFiles;
use genloop_core::provenance::{Pool, Provenance};
use genloop_core::seed::RootSeed;
use genloop_text::language::{Language, LanguageSpec};
use genloop_text::lm::{LanguageModel, TextModel};
use genloop_text::neural::{Init, TransformerEstimator, TransformerFiles, TransformerSpec};

const VOCAB: usize = 60;

fn language(seed: u64) -> Language {
    let spec = LanguageSpec {
        vocab: VOCAB,
        mean_length: 8.0,
        ..LanguageSpec::default()
    };
    Language::new(&spec, &mut RootSeed(seed).global("language")).unwrap()
}

fn spec(steps: usize) -> TransformerSpec {
    TransformerSpec {
        steps,
        batch_size: 4,
        warmup_steps: 2,
        eval_every: 10,
        ..TransformerSpec::new(1, 2, 16, 16)
    }
}

fn train_set(docs: Documents) -> TrainingSet<Documents> {
    TrainingSet::single(Provenance::new(Pool::Original, 0), docs)
}

/// A tiny model trained on the language's documents, and some held-out documents.
fn trained(seed: u64, steps: usize) -> (TextModel, Documents) {
    let language = language(seed);
    let docs = language.draw(3000, &mut RootSeed(seed).stream("original", 0, 0));
    let held_out = language.draw(300, &mut RootSeed(seed).stream("holdout", 0, 0));
    let estimator = TransformerEstimator::new(&spec(steps), VOCAB).unwrap();
    let model = estimator
        .fit(&train_set(docs), &mut RootSeed(seed).stream("fit", 0, 0))
        .unwrap();
    (model, held_out)
}

#[test]
fn batched_scores_equal_one_document_at_a_time() {
    for seed in [1, 2, 3] {
        let (model, docs) = trained(seed, 20);
        let batched = model.documents_log_probs(&docs);
        assert_eq!(batched.len(), docs.len());
        for (doc, scores) in docs.iter().zip(&batched) {
            let single = model.token_log_probs(doc);
            assert_eq!(single.len(), doc.len() + 1, "every token and the end");
            for (a, b) in single.iter().zip(scores) {
                assert!((a - b).abs() < 1e-4, "seed {seed}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn distributions_hold_the_token_log_probabilities_and_sum_to_one() {
    for seed in [4, 5] {
        let (model, docs) = trained(seed, 10);
        for doc in docs.iter().take(10) {
            let rows = model.distributions(doc);
            let width = VOCAB + 1;
            assert_eq!(rows.len(), (doc.len() + 1) * width);
            let log_probs = model.token_log_probs(doc);
            for (t, row) in rows.chunks(width).enumerate() {
                let total: f64 = row.iter().sum();
                assert!((total - 1.0).abs() < 1e-6, "row {t} sums to {total}");
                let target = doc.get(t).map_or(VOCAB, |&id| id as usize);
                assert!(
                    (row[target].ln() - log_probs[t]).abs() < 1e-4,
                    "t {t} len {} target {target}: {} vs {}",
                    doc.len(),
                    row[target].ln(),
                    log_probs[t]
                );
            }
        }
    }
}

#[test]
fn samples_stay_in_the_vocabulary_and_under_the_length_cap() {
    for seed in [6, 7] {
        let (model, _) = trained(seed, 20);
        let sampling = Sampling {
            top_k: 5,
            ..Sampling::default()
        };
        for sampling in [Sampling::default(), sampling] {
            let docs = model.sample(500, &sampling, &mut RootSeed(seed).stream("sample", 0, 0));
            assert!(docs.units() >= 500, "{} tokens", docs.units());
            for doc in docs.iter() {
                assert!(doc.len() <= 15, "max_length is context − 1");
                assert!(doc.iter().all(|&t| (t as usize) < VOCAB));
            }
            // Same stream, same documents.
            let again = model.sample(500, &sampling, &mut RootSeed(seed).stream("sample", 0, 0));
            assert_eq!(docs, again);
        }
    }
}

fn distance(a: &TextModel, b: &TextModel) -> f64 {
    let (TextModel::Transformer(a), TextModel::Transformer(b)) = (a, b) else {
        panic!("transformers expected");
    };
    let (a, b) = (&a.params().data, &b.params().data);
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

#[test]
fn init_previous_and_base_continue_from_their_model_and_scratch_does_not() {
    for seed in [8, 9] {
        let (model0, _) = trained(seed, 20);
        let language = language(seed);
        let docs = train_set(language.draw(3000, &mut RootSeed(seed).stream("mix", 0, 1)));
        let fit = |init: Init| {
            let spec = TransformerSpec {
                init,
                learning_rate: 1e-6,
                ..spec(2)
            };
            let estimator = TransformerEstimator::new(&spec, VOCAB).unwrap();
            let start = Start {
                in_service: Some(&model0),
                generation0: Some(&model0),
            };
            estimator
                .fit_from(&docs, start, &mut RootSeed(seed).stream("fit", 0, 1))
                .unwrap()
        };
        // Two steps at a learning rate of 1e-6 barely move the weights.
        assert!(distance(&fit(Init::Previous), &model0) < 1e-3);
        assert!(distance(&fit(Init::Base), &model0) < 1e-3);
        assert!(distance(&fit(Init::Scratch), &model0) > 0.1);
    }
}

/// Checkpoint folders of a synthetic-language run (no tokenizer file).
fn language_files() -> TransformerFiles {
    TransformerFiles {
        tokenizer: None,
        tokenizer_kind: "language".into(),
        vocab_size: VOCAB,
        max_length: 15,
    }
}

#[test]
fn a_checkpoint_folder_reads_back_the_same_model() {
    let (model, docs) = trained(10, 10);
    let files = language_files();
    let dir = tempfile::tempdir().unwrap();
    files.write(&model, dir.path()).unwrap();
    let back = files.read(dir.path()).unwrap();
    assert_eq!(distance(&model, &back), 0.0);
    assert_eq!(
        model.documents_log_probs(&docs),
        back.documents_log_probs(&docs)
    );
}

#[test]
fn a_checkpoint_whose_vocabulary_differs_is_refused_naming_the_key() {
    let (model, _) = trained(11, 5);
    let files = language_files();
    let dir = tempfile::tempdir().unwrap();
    files.write(&model, dir.path()).unwrap();
    let spec = TransformerSpec {
        checkpoint: Some(dir.path().to_path_buf()),
        ..spec(5)
    };
    let err = TransformerEstimator::new(&spec, VOCAB + 7)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("model.checkpoint") && err.contains("vocabulary"),
        "{err}"
    );
    assert!(TransformerEstimator::new(&spec, VOCAB).is_ok());
}
