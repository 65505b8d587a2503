//! Curation in the loop (the curation issue's loop scenarios): a contaminated fresh
//! stream follows its schedule; filters lower the synthetic share of the training
//! set, and the store records by how much, per filter and true origin.

use genloop_cli::runner::{run_in_memory, ArmResults};
use genloop_config::from_toml;
use genloop_core::provenance::Pool;

fn arms(text: &str) -> Vec<ArmResults> {
    run_in_memory(&from_toml(text, "test").unwrap()).unwrap()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn gaussian_config(seed: u64, filters: &str) -> String {
    format!(
        r#"
name = "contaminated"
seed = {seed}
replicates = 8
generations = 11
[source]
kind = "gaussian"
dim = 1
[model]
kind = "gaussian"
[data]
original = 100
holdout = 1000
[sampling]
bias = 2.0
[regime]
kind = "fresh"
fresh = 200
synthetic = 0
[contamination]
schedule = "linear"
start = 0.05
end = 0.5
{filters}
"#
    )
}

#[test]
fn without_filters_the_synthetic_share_is_the_schedule() {
    for seed in [1, 2] {
        let results = arms(&gaussian_config(seed, ""));
        let arm = &results[0];
        for g in 1..11u32 {
            // c(g) = 0.05 + 0.45 (g − 1)/9 of 200 fresh records, rounded.
            let c = 0.05 + 0.45 * f64::from(g - 1) / 9.0;
            let expected = (c * 200.0).round() / 200.0;
            for replicate in &arm.replicates {
                let share = arm.values("synthetic_share_before", g as usize);
                assert!(share.iter().all(|s| (s - expected).abs() < 1e-12));
                let generation = &replicate.generations[g as usize];
                let synthetic: u64 = generation
                    .composition
                    .iter()
                    .filter(|e| e.pool == Pool::Synthetic)
                    .map(|e| e.units)
                    .sum();
                assert_eq!(synthetic, (expected * 200.0).round() as u64);
                // Machine text comes only from generations published before g.
                assert!(generation
                    .composition
                    .iter()
                    .filter(|e| e.pool == Pool::Synthetic)
                    .all(|e| e.origin_generation < g));
                assert!(generation.curation.is_empty());
            }
            assert_eq!(
                arm.values("synthetic_share_after", g as usize),
                arm.values("synthetic_share_before", g as usize)
            );
        }
    }
}

#[test]
fn latest_and_window_sources_draw_from_recent_generations_only() {
    let text =
        gaussian_config(3, "").replace("end = 0.5", "end = 0.5\nsources = \"window\"\nwindow = 2");
    let results = arms(&text);
    for replicate in &results[0].replicates {
        for generation in &replicate.generations[1..] {
            let g = generation.generation;
            for entry in generation
                .composition
                .iter()
                .filter(|e| e.pool == Pool::Synthetic)
            {
                assert!(entry.origin_generation < g && g - entry.origin_generation <= 2);
            }
        }
    }
}

#[test]
fn the_verifier_drops_more_machine_records_than_human_ones() {
    // Sampling bias 2 doubles the variance of the published samples: their tails
    // have low density under the reference model, so the verifier at the 5 %
    // quantile of human densities catches far more than 5 % of them.
    for seed in [1, 2] {
        let results = arms(&gaussian_config(
            seed,
            "[[filters]]\nkind = \"verifier\"\nquantile = 0.05",
        ));
        let arm = &results[0];
        let (mut dropped, mut judged) = ([0u64; 2], [0u64; 2]);
        for replicate in &arm.replicates {
            for generation in &replicate.generations[1..] {
                for count in &generation.curation {
                    let machine = usize::from(count.origin == Pool::Synthetic);
                    judged[machine] += count.records;
                    if count.outcome != "kept" {
                        assert_eq!(count.outcome, "verifier.low_density");
                        dropped[machine] += count.records;
                    }
                }
            }
        }
        let human_rate = dropped[0] as f64 / judged[0] as f64;
        let machine_rate = dropped[1] as f64 / judged[1] as f64;
        assert!(human_rate < 0.1, "human drop rate {human_rate}");
        assert!(
            machine_rate > 2.0 * human_rate,
            "machine {machine_rate} vs human {human_rate}"
        );
        for g in 2..11 {
            let before = mean(&arm.values("synthetic_share_before", g));
            let after = mean(&arm.values("synthetic_share_after", g));
            assert!(after < before, "generation {g}: {after} ≥ {before}");
        }
    }
}

fn language_config(seed: u64) -> String {
    format!(
        r#"
name = "language-recipe"
seed = {seed}
replicates = 3
generations = 5
[source]
kind = "language"
vocab = 200
exponent = 1.1
order = 1
mean_length = 30
branching = 16
[data]
original = 10000
holdout = 8000
[model]
kind = "ngram"
order = 2
smoothing = "add_k"
k = 0.01
[regime]
kind = "replace"
samples = 10000
fresh = 2000
[contamination]
schedule = "constant"
start = 0.3
[[filters]]
kind = "exact_dedup"
[[filters]]
kind = "detector"
score = "binoculars"
target_fpr = 0.1
"#
    )
}

#[test]
fn the_detector_separates_machine_text_and_lowers_its_share() {
    for seed in [1, 2] {
        let results = arms(&language_config(seed));
        let arm = &results[0];
        for g in 2..5 {
            let auroc = mean(&arm.values("detector_auroc", g));
            // The machine text of a model that trains mostly on its own samples
            // drifts away from the language: the performer (the model in service)
            // finds it easier than human text, relative to the reference.
            assert!(auroc > 0.65, "seed {seed}, generation {g}: AUROC {auroc}");
            let before = mean(&arm.values("synthetic_share_before", g));
            let after = mean(&arm.values("synthetic_share_after", g));
            assert!(after < before - 0.01, "generation {g}: {after} vs {before}");
            let recall = mean(&arm.values("detector_recall", g));
            assert!(
                recall > 0.15,
                "seed {seed}, generation {g}: recall {recall}"
            );
        }
        // The detector judges the fresh and synthetic channels only, and its human
        // false-positive rate stays near the calibrated target.
        let (mut human_dropped, mut human_judged) = (0u64, 0u64);
        for replicate in &arm.replicates {
            for generation in &replicate.generations[1..] {
                for count in generation.curation.iter().filter(|c| c.kind == "detector") {
                    assert_ne!(count.pool, Pool::Original);
                    if count.origin != Pool::Synthetic {
                        human_judged += count.records;
                        if count.outcome != "kept" {
                            human_dropped += count.records;
                        }
                    }
                }
            }
        }
        let fpr = human_dropped as f64 / human_judged as f64;
        let se = (0.1f64 * 0.9 / human_judged as f64).sqrt();
        assert!(
            fpr < 0.1 + 4.0 * se + 0.02,
            "human FPR {fpr} (n = {human_judged})"
        );
    }
}

#[test]
fn filter_tables_are_checked_before_anything_runs() {
    let bad_kind = gaussian_config(1, "[[filters]]\nkind = \"gopher\"");
    let error = from_toml(&bad_kind, "c.toml").unwrap_err().to_string();
    assert!(
        error.contains("filters[0].kind") && error.contains("gopher_quality"),
        "{error}"
    );

    let text_on_numbers = gaussian_config(1, "[[filters]]\nkind = \"minhash\"");
    let experiment = from_toml(&text_on_numbers, "c.toml").unwrap();
    let error = run_in_memory(&experiment)
        .err()
        .expect("rejected")
        .to_string();
    assert!(
        error.contains("filters[0].kind") && error.contains("verifier"),
        "{error}"
    );

    let both = gaussian_config(
        1,
        "[[filters]]\nkind = \"verifier\"\nquantile = 0.1\nthreshold = -3.0",
    );
    let error = from_toml(&both, "c.toml").unwrap_err().to_string();
    assert!(
        error.contains("filters[0]") && error.contains("not both"),
        "{error}"
    );

    let no_end = gaussian_config(1, "").replace("end = 0.5", "");
    let error = from_toml(&no_end, "c.toml").unwrap_err().to_string();
    assert!(error.contains("contamination.end"), "{error}");

    let bad_pool = gaussian_config(
        1,
        "[[filters]]\nkind = \"verifier\"\nquantile = 0.1\npools = [\"web\"]",
    );
    let error = from_toml(&bad_pool, "c.toml").unwrap_err().to_string();
    assert!(
        error.contains("filters[0].pools") && error.contains("\"web\""),
        "{error}"
    );
}

#[test]
fn a_deletion_ledger_purges_posts_before_any_pool_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let mut corpus = String::new();
    let mut ledger = String::new();
    let words = [
        "river", "stone", "lamp", "window", "garden", "bread", "cloud", "door",
    ];
    for i in 0..600 {
        let deleted = i % 10 == 3;
        let body: Vec<&str> = (0..12)
            .map(|k| words[(i * 7 + k * 3) % words.len()])
            .collect();
        let marker = if deleted { " withdrawn" } else { "" };
        corpus.push_str(&format!(
            "{{\"id\": \"post-{i}\", \"text\": \"{}{marker}\"}}\n",
            body.join(" ")
        ));
        if deleted {
            ledger.push_str(&format!(
                "{{\"id\": \"post-{i}\", \"deleted\": \"2026-01-01T00:00:00Z\"}}\n"
            ));
        }
    }
    std::fs::write(dir.path().join("posts.jsonl"), corpus).unwrap();
    std::fs::write(dir.path().join("deletions.jsonl"), ledger).unwrap();
    let config = |with_ledger: bool| {
        format!(
            r#"
name = "ledger"
replicates = 1
generations = 2
[source]
kind = "corpus"
path = "posts.jsonl"
{}
[data]
original = 2000
holdout = 500
[tokenizer]
kind = "word"
[model]
kind = "ngram"
order = 2
[regime]
kind = "replace"
samples = 1000
"#,
            if with_ledger {
                "ledger = \"deletions.jsonl\""
            } else {
                ""
            }
        )
    };
    for with_ledger in [false, true] {
        let path = dir.path().join(format!("c{with_ledger}.toml"));
        std::fs::write(&path, config(with_ledger)).unwrap();
        let out = dir.path().join(format!("run{with_ledger}"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_genloop"))
            .args([
                "run",
                path.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--no-report",
            ])
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        // The word tokenizer's vocabulary is the original pool's: the deleted posts'
        // marker word is in it only without the ledger.
        let vocabulary = std::fs::read_to_string(out.join("tokenizer.json")).unwrap();
        assert_eq!(vocabulary.contains("withdrawn"), !with_ledger);
    }
}

#[test]
fn curated_runs_are_stored_identically_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("recipe.toml");
    std::fs::write(
        &config,
        language_config(4).replace("replicates = 3", "replicates = 4"),
    )
    .unwrap();
    let mut dumps = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_genloop"))
            .args([
                "run",
                config.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
            .args(["--threads", threads, "--json", "--no-report"])
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        let arm = &doc["arms"][0];
        let curation = arm["curation"]
            .as_array()
            .expect("curation totals in --json");
        assert!(curation.iter().any(|c| c["kind"] == "detector"
            && c["outcome"] == "detector.machine"
            && c["origin"] == "synthetic"));
        assert!(doc["generations"][2]["metrics"]["detector_auroc"]["mean"].is_number());
        let store = genloop_store::Store::open(&out.join("results.sqlite")).unwrap();
        dumps.push(store.canonical_dump().unwrap());
    }
    assert!(dumps[0].iter().any(|line| line.starts_with("curation|")));
    assert_eq!(dumps[0], dumps[1]);
}

#[test]
fn corpus_runs_calibrate_their_filters_without_a_gate() {
    // The filters' calibration set is carved from the corpus beside the holdout even
    // when no arm has a gate; without it the detector would flag nothing.
    let dir = tempfile::tempdir().unwrap();
    let words = [
        "river", "stone", "lamp", "window", "garden", "bread", "cloud", "door", "salt", "hill",
    ];
    let corpus: String = (0..3000)
        .map(|i| {
            let body: Vec<&str> = (0..10)
                .map(|k| words[(i * 7 + k * k * 3 + i / 5) % words.len()])
                .collect();
            format!("{}\n", body.join(" "))
        })
        .collect();
    std::fs::write(dir.path().join("lines.txt"), corpus).unwrap();
    let text = r#"
name = "corpus-detector"
replicates = 1
generations = 3
[source]
kind = "corpus"
path = "lines.txt"
[data]
original = 5000
holdout = 3000
[tokenizer]
kind = "word"
[model]
kind = "ngram"
order = 2
smoothing = "add_k"
k = 0.01
[regime]
kind = "replace"
samples = 3000
fresh = 2000
[contamination]
schedule = "constant"
start = 0.5
[[filters]]
kind = "detector"
score = "log_likelihood"
target_fpr = 0.2
"#;
    let mut experiment = from_toml(text, "c.toml").unwrap();
    experiment.base_dir = dir.path().to_path_buf();
    let results = run_in_memory(&experiment).unwrap();
    let dropped: u64 = results[0].replicates[0].generations[1..]
        .iter()
        .flat_map(|g| &g.curation)
        .filter(|c| c.outcome == "detector.machine")
        .map(|c| c.records)
        .sum();
    assert!(
        dropped > 0,
        "the detector was calibrated and flagged something"
    );
}
