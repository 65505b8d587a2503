//! Robustness of the text readers (issue 12): mutated corpora (JSONL, lines,
//! paragraphs; plain, gzip and zstd), mutated ARPA files and mutated tokenizer files
//! (`tokenizer.json` of `lm` model folders) must be read or refused with a typed
//! error, never panic; a model or tokenizer read from a mutated file must score,
//! sample, encode and decode without a panic too. Inputs that ever failed are kept in
//! `fixtures/regressions/` and read on every run. A few seconds per target
//! (`GENLOOP_FUZZ_SECONDS` raises it).

use std::io::Write;
use std::path::Path;

use genloop_core::data::Documents;
use genloop_core::model::{FittedModel, Sampling};
use genloop_core::mutate::{budget, panics, run_for};
use genloop_core::seed::RootSeed;
use genloop_text::corpus::{read_corpus, Format, OnError, ReadOptions};
use genloop_text::ngram::{NgramEstimator, NgramModel, Smoothing};
use genloop_text::tokenize::{load_tokenizer, BpeOptions, TokenizerSpec, WordOptions};

const REGRESSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/regressions");

const JSONL: &str =
    "{\"id\": 1, \"text\": \"The heron waited by the reeds.\", \"t\": \"2024-01-01\"}\n\
{\"id\": 2, \"text\": \"Rain again, said the ferryman.\", \"tags\": [\"weather\", 3]}\n\
{\"id\": 3, \"text\": \"\\u00e9t\\u00e9 \\ud83d\\ude00 caf\\u00e9\"}\n";
const LINES: &str = "the kettle is warm\nthe window is open\r\n\nand the cat sleeps\n";
const PARAGRAPHS: &str = "First paragraph,\nstill the first.\n\nSecond one.\n\n\n\nThird.\n";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// (file name, bytes): each text plain, gzip and zstd.
fn corpus_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for (name, text) in [("c.jsonl", JSONL), ("c.txt", LINES), ("p.txt", PARAGRAPHS)] {
        seeds.push((name.to_string(), text.as_bytes().to_vec()));
        seeds.push((format!("{name}.gz"), gzip(text.as_bytes())));
        seeds.push((
            format!("{name}.zst"),
            zstd::encode_all(text.as_bytes(), 3).unwrap(),
        ));
    }
    seeds
}

/// Reads `bytes` as `name` in every format and error mode; a panic's message.
fn corpus_panics(dir: &Path, name: &str, bytes: &[u8]) -> Option<String> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    for format in [Format::Jsonl, Format::Lines, Format::Paragraphs] {
        for on_error in [OnError::Fail, OnError::Skip] {
            let options = ReadOptions {
                format,
                on_error,
                ..ReadOptions::default()
            };
            if let Some(message) = panics(|| read_corpus(&path, &options).map(|_| ())) {
                return Some(format!("{format:?}/{on_error:?}: {message}"));
            }
        }
    }
    None
}

#[test]
fn mutated_corpora_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = corpus_seeds();
    let inputs: Vec<Vec<u8>> = seeds.iter().map(|(_, bytes)| bytes.clone()).collect();
    let mut failures = Vec::new();
    let count = run_for(&inputs, 21, 1_000_000, budget(5), |index, mutant| {
        if let Some(message) = corpus_panics(dir.path(), &seeds[index].0, mutant) {
            failures.push(format!("{} {:?}: {message}", seeds[index].0, mutant));
        }
    });
    eprintln!("{count} mutated corpora read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An ARPA file of a small model of `order` over words `w0` … `w5`.
fn arpa_seed(order: usize, smoothing: Smoothing) -> Vec<u8> {
    let mut docs = Documents::new();
    for i in 0..40u32 {
        let doc: Vec<u32> = (0..(3 + i % 5)).map(|j| (i * 7 + j * 3) % 6).collect();
        docs.push(&doc);
    }
    let model = NgramEstimator::new(order, smoothing, 6)
        .unwrap()
        .fit_documents(&[&docs])
        .unwrap();
    let mut text = Vec::new();
    model.write_arpa(&mut text, &|id| format!("w{id}")).unwrap();
    text
}

fn word_id(word: &str) -> Option<u32> {
    word.strip_prefix('w')?.parse().ok()
}

/// Reads `bytes` as ARPA; when it reads, scores a document and samples from it.
fn arpa_panics(bytes: &[u8]) -> Option<String> {
    panics(|| {
        let Ok(model) = NgramModel::read_arpa(bytes, 6, &word_id) else {
            return;
        };
        let _ = model.token_log_probs(&[0, 1, 2, 5, 3]);
        let mut rng = RootSeed(3).stream("fuzz", 0, 0);
        let _ = model.sample(30, &Sampling::default(), &mut rng);
    })
}

#[test]
fn mutated_arpa_files_never_panic() {
    let inputs = vec![
        arpa_seed(1, Smoothing::KneserNey),
        arpa_seed(3, Smoothing::KneserNey),
        arpa_seed(2, Smoothing::AddK(0.5)),
    ];
    let mut failures = Vec::new();
    let count = run_for(&inputs, 22, 1_000_000, budget(5), |_, mutant| {
        if let Some(message) = arpa_panics(mutant) {
            failures.push(format!("{}\n=> {message}", String::from_utf8_lossy(mutant)));
        }
    });
    eprintln!("{count} mutated ARPA files read");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `tokenizer.json` of a word and of a BPE tokenizer trained on the corpus seeds.
fn tokenizer_seeds(dir: &Path) -> Vec<Vec<u8>> {
    let texts = [JSONL, LINES, PARAGRAPHS];
    let bpe = BpeOptions {
        vocab_size: 300,
        ..BpeOptions::default()
    };
    [
        TokenizerSpec::Word(WordOptions::default()),
        TokenizerSpec::Bpe(bpe),
    ]
    .iter()
    .map(|spec| {
        let path = dir.join("seed.json");
        spec.train(texts.iter()).unwrap().save(&path).unwrap();
        std::fs::read(&path).unwrap()
    })
    .collect()
}

#[test]
fn mutated_tokenizer_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = tokenizer_seeds(dir.path());
    let path = dir.path().join("tokenizer.json");
    let mut failures = Vec::new();
    run_for(&seeds, 23, 1_000_000, budget(3), |_, mutant| {
        std::fs::write(&path, mutant).unwrap();
        let panic = panics(|| {
            let Ok(tokenizer) = load_tokenizer(&path) else {
                return;
            };
            let ids = tokenizer.encode("The heron waited, été 😀 by the reeds.");
            let _ = tokenizer.decode(&ids);
            let _ = tokenizer.decode(&[0, 1, 5, 299, 300, u32::MAX]);
        });
        if let Some(message) = panic {
            failures.push(format!("{}\n=> {message}", String::from_utf8_lossy(mutant)));
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn inputs_that_once_failed_are_read_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = 0;
    for entry in std::fs::read_dir(REGRESSIONS).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let panic = if name.ends_with(".arpa") {
            arpa_panics(&bytes)
        } else {
            corpus_panics(dir.path(), &name, &bytes)
        };
        assert_eq!(panic, None, "{name}");
        cases += 1;
    }
    assert!(cases >= 1);
}
