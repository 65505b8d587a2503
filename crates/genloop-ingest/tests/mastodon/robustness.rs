//! Robustness of the archive reader (issue 12): mutated `outbox.json` and
//! `actor.json`, and mutated archive containers (zip, tar.gz), must be ingested or
//! refused with a typed error, never panic; so must mutated deletion ledgers and the
//! corpora they purge. Archives that ever failed are kept in
//! `fixtures/regressions/` and read on every run. A few seconds per target
//! (`GENLOOP_FUZZ_SECONDS` raises it).

use super::*;
use genloop_core::mutate::{budget, panics, run_for};

const REGRESSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/regressions");

/// Ingests the archive at `path` into a fresh output; a panic's message.
fn ingest_panics(dir: &Path, path: &Path) -> Option<String> {
    let out = dir.join("out.jsonl");
    let ledger = dir.join("ledger.jsonl");
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&ledger);
    let options = MastodonOptions {
        join_threads: true,
        include_unlisted: true,
        ..MastodonOptions::default()
    };
    panics(|| ingest_mastodon(path, &options, &out, Some(&ledger)).map(|_| ()))
}

/// Mutates one entry of the fixture account (`entry`), packs it as a zip.
fn mutated_entries(entry: &str, dir: &Path, seed: u64) -> Vec<String> {
    let original = account();
    let index = original.iter().position(|(name, _)| name == entry).unwrap();
    let inputs = vec![original[index].1.clone()];
    let mut failures = Vec::new();
    run_for(&inputs, seed, 1_000_000, budget(3), |_, mutant| {
        let mut entries = original.clone();
        entries[index].1 = mutant.to_vec();
        let archive = zip(&dir.join("a.zip"), &entries);
        if let Some(message) = ingest_panics(dir, &archive) {
            failures.push(format!(
                "{entry}: {}\n=> {message}",
                String::from_utf8_lossy(mutant)
            ));
        }
    });
    failures
}

#[test]
fn mutated_outboxes_and_actors_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = mutated_entries("outbox.json", dir.path(), 31);
    failures.extend(mutated_entries("actor.json", dir.path(), 32));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn mutated_containers_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let entries = account();
    let seeds = vec![
        std::fs::read(zip(&dir.path().join("seed.zip"), &entries)).unwrap(),
        std::fs::read(tar_gz(&dir.path().join("seed.tar.gz"), "archive", &entries)).unwrap(),
    ];
    let mut failures = Vec::new();
    let path = dir.path().join("mutant");
    run_for(&seeds, 33, 1_000_000, budget(3), |index, mutant| {
        std::fs::write(&path, mutant).unwrap();
        if let Some(message) = ingest_panics(dir.path(), &path) {
            failures.push(format!(
                "container {index}, {} bytes: {message}",
                mutant.len()
            ));
            std::fs::write(
                dir.path().join(format!("failed-{}", failures.len())),
                mutant,
            )
            .unwrap();
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn archives_that_once_failed_are_read_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(REGRESSIONS).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(ingest_panics(dir.path(), &path), None, "{}", path.display());
    }
}

#[test]
fn mutated_ledgers_and_corpora_to_purge_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = format!(
        "{{\"id\": \"{STATUS}106\", \"deleted\": \"2024-03-08T00:00:00Z\"}}\n{{\"id\": \"{STATUS}999\"}}\n"
    );
    let corpus = format!(
        "{{\"id\": \"{STATUS}101\", \"text\": \"kept\"}}\n{{\"id\": \"{STATUS}106\", \"text\": \"purged\"}}\n"
    );
    let seeds = vec![ledger.into_bytes(), corpus.clone().into_bytes()];
    let (ledger_path, corpus_path) = (dir.path().join("ledger.jsonl"), dir.path().join("c.jsonl"));
    let out = dir.path().join("purged.jsonl");
    let mut failures = Vec::new();
    run_for(&seeds, 34, 1_000_000, budget(2), |index, mutant| {
        let (ledger_bytes, corpus_bytes) = match index {
            0 => (mutant, corpus.as_bytes()),
            _ => (seeds[0].as_slice(), mutant),
        };
        std::fs::write(&ledger_path, ledger_bytes).unwrap();
        std::fs::write(&corpus_path, corpus_bytes).unwrap();
        let _ = std::fs::remove_file(&out);
        let panic = panics(|| {
            let ledger = Ledger::load(&ledger_path)?;
            purge_jsonl(&corpus_path, &out, &ledger).map(|_| ())
        });
        if let Some(message) = panic {
            failures.push(format!("{}: {message}", String::from_utf8_lossy(mutant)));
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
