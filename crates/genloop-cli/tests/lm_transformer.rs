//! `genloop lm … --model transformer`: a tiny transformer trained, evaluated and sampled
//! through the real binary.

use std::path::Path;
use std::process::Output;

mod common;
use common::{genloop, stderr, stdout};

/// A small corpus of plain sentences, one document a line.
fn corpus() -> String {
    let subjects = ["the cat", "a dog", "the old man", "my sister", "the bird"];
    let verbs = ["sees", "likes", "follows", "finds", "calls"];
    let objects = [
        "the river",
        "a red ball",
        "the garden",
        "her friend",
        "the moon",
    ];
    let mut lines = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        for (j, v) in verbs.iter().enumerate() {
            let o = objects[(i + 2 * j) % objects.len()];
            lines.push(format!("{s} {v} {o} ."));
        }
    }
    lines.join("\n") + "\n"
}

/// `lm train` of a tiny transformer (1 layer, d 16, context 16) with `heads` heads for
/// `steps` steps.
fn train_sized(dir: &Path, heads: &str, steps: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "lm",
        "train",
        "corpus.txt",
        "--out",
        "model",
        "--model",
        "transformer",
        "--layers",
        "1",
        "--d-model",
        "16",
        "--context",
        "16",
        "--batch-size",
        "4",
        "--threads",
        "1",
        "--heads",
        heads,
        "--steps",
        steps,
    ];
    args.extend_from_slice(extra);
    genloop(&args, dir)
}

fn train(dir: &Path, extra: &[&str]) -> Output {
    train_sized(dir, "2", "30", extra)
}

#[test]
fn a_tiny_transformer_trains_evaluates_and_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("corpus.txt"), corpus()).unwrap();
    std::fs::write(
        dir.join("holdout.txt"),
        "the cat finds the moon .\na dog calls her friend .\n",
    )
    .unwrap();
    let out = train(dir, &["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert!(report["parameters"].as_u64().unwrap() > 0);
    assert!(report["train_tokens_per_second"].as_f64().unwrap() > 0.0);
    assert!(report["final_validation_loss"]
        .as_f64()
        .unwrap()
        .is_finite());
    for file in [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "genloop.json",
    ] {
        assert!(dir.join("model").join(file).is_file(), "{file} missing");
    }

    let eval = genloop(&["lm", "eval", "model", "holdout.txt", "--json"], dir);
    assert!(eval.status.success(), "{}", stderr(&eval));
    let report: serde_json::Value = serde_json::from_str(stdout(&eval).trim()).unwrap();
    let cross_entropy = report["cross_entropy"].as_f64().unwrap();
    assert!(cross_entropy.is_finite() && cross_entropy > 0.0);
    assert!(report["perplexity"].as_f64().unwrap().is_finite());
    // 6 + 6 words and each document's end.
    assert_eq!(report["tokens"].as_u64(), Some(14));
    let text = genloop(&["lm", "eval", "model", "holdout.txt"], dir);
    assert!(
        stdout(&text).starts_with("perplexity "),
        "{}",
        stdout(&text)
    );

    let sample = genloop(
        &[
            "lm", "sample", "model", "-n", "5", "--top-k", "5", "--seed", "3",
        ],
        dir,
    );
    assert!(sample.status.success(), "{}", stderr(&sample));
    assert_eq!(stdout(&sample).lines().count(), 5, "{}", stdout(&sample));

    // The folder is not overwritten.
    let again = train(dir, &[]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("--out"), "{}", stderr(&again));
}

#[test]
fn bad_sizes_are_usage_errors_naming_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("corpus.txt"), corpus()).unwrap();
    let out = train_sized(dir, "3", "30", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--heads"), "{}", stderr(&out));
    let out = train_sized(dir, "2", "0", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--steps"), "{}", stderr(&out));
    assert!(!dir.join("model").exists());
}

#[test]
fn a_bpe_transformer_round_trips_its_tokenizer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("corpus.txt"), corpus()).unwrap();
    let out = train(dir, &["--tokenizer", "bpe", "--vocab-size", "300"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let eval = genloop(&["lm", "eval", "model", "corpus.txt", "--json"], dir);
    assert!(eval.status.success(), "{}", stderr(&eval));
    let report: serde_json::Value = serde_json::from_str(stdout(&eval).trim()).unwrap();
    assert!(report["cross_entropy"].as_f64().unwrap().is_finite());
    let sample = genloop(&["lm", "sample", "model", "-n", "3", "--top-p", "0.9"], dir);
    assert!(sample.status.success(), "{}", stderr(&sample));
    assert_eq!(stdout(&sample).lines().count(), 3);
}

#[test]
fn a_corpus_shorter_than_two_windows_is_refused_naming_context() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("corpus.txt"), "the cat sat .\n").unwrap();
    let out = train(dir, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--context 16"), "{}", stderr(&out));
    assert!(!dir.join("model").exists());
}
