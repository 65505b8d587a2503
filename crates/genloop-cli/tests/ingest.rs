//! `genloop ingest mastodon` as a user runs it, on the invented account of
//! genloop-ingest's fixtures (`crates/genloop-ingest/tests/fixtures/mastodon/`).
//! The archive is packed here as a stored (uncompressed) zip, written by hand below
//! so that this crate needs no zip dependency; genloop-ingest's own tests cover
//! deflated zips and tar.gz.

use std::path::{Path, PathBuf};

mod common;
use common::genloop;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../genloop-ingest/tests/fixtures/mastodon"
);
const STATUS: &str = "https://example.social/users/wren/statuses/";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The fixture account as `dir/name` (a zip with a top-level folder).
fn account_zip(dir: &Path, name: &str) -> PathBuf {
    let read = |file: &str| std::fs::read(Path::new(FIXTURES).join("account").join(file)).unwrap();
    let path = dir.join(name);
    std::fs::write(
        &path,
        stored_zip(&[
            ("archive-20240315/actor.json", &read("actor.json")),
            ("archive-20240315/outbox.json", &read("outbox.json")),
        ]),
    )
    .unwrap();
    path
}

#[test]
fn ingest_writes_public_posts_as_jsonl_and_reports_as_json() {
    let dir = tempfile::tempdir().unwrap();
    account_zip(dir.path(), "archive.zip");
    let out = genloop(
        &[
            "ingest",
            "mastodon",
            "archive.zip",
            "--out",
            "corpus/posts.jsonl",
            "--ledger",
            "deletions.jsonl",
            "--join-threads",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let written = std::fs::read_to_string(dir.path().join("corpus/posts.jsonl")).unwrap();
    let documents: Vec<serde_json::Value> = written
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let ids: Vec<&str> = documents
        .iter()
        .map(|d| d["id"].as_str().unwrap().trim_start_matches(STATUS))
        .collect();
    assert_eq!(ids, ["101", "107", "108", "110"]);
    let first = &documents[0];
    assert_eq!(
        first["text"],
        "Hello & welcome! Fish <3 chips, it's #Baking day.\n\n\
         Crumb report for @user: see https://example.org/recipes/sourdough-starter"
    );
    assert_eq!(first["created"], "2024-03-01T09:15:00Z");
    assert_eq!(first["source"], "mastodon");
    let metadata = first["metadata"].as_object().unwrap();
    for field in [
        "author",
        "language",
        "content_warning",
        "sensitive",
        "hashtags",
        "visibility",
        "in_reply_to",
        "consent",
        "discoverable",
        "indexable",
    ] {
        assert!(
            metadata.contains_key(field),
            "metadata.{field} missing: {first}"
        );
    }
    assert!(!metadata["author"].as_str().unwrap().contains("wren"));
    assert!(!written.contains("door code") && !written.contains("deleted soon"));

    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["documents"], 4);
    assert_eq!(report["activities"], 15);
    assert_eq!(report["replies_joined"], 1);
    assert_eq!(report["skipped"]["direct"], 1);
    assert_eq!(report["skipped"]["boost"], 1);
    assert_eq!(report["deletions"], 2);
    assert_eq!(report["ledger"], "deletions.jsonl");
    let ledger = std::fs::read_to_string(dir.path().join("deletions.jsonl")).unwrap();
    assert!(ledger.contains(&format!("\"{STATUS}106\"")), "{ledger}");
}

#[test]
fn ingest_reports_in_words_on_stderr_without_json() {
    let dir = tempfile::tempdir().unwrap();
    account_zip(dir.path(), "archive.zip");
    let out = genloop(
        &["ingest", "mastodon", "archive.zip", "--out", "posts.jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        out.stdout.is_empty(),
        "stdout is for data: {}",
        text(&out.stdout)
    );
    let message = text(&out.stderr);
    assert!(
        message.contains("5 documents written to posts.jsonl from 15 activities"),
        "{message}"
    );
    assert!(message.contains("followers only 1, direct 1"), "{message}");
    assert!(
        message.contains("unknown activity types: Like 1"),
        "{message}"
    );
}

/// `genloop ingest mastodon archive.zip --out posts.jsonl EXTRA` with the key
/// variable set to `key` (or unset).
fn ingest_with(dir: &Path, extra: &[&str], key: Option<&str>) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_genloop"));
    command
        .args(["ingest", "mastodon", "archive.zip", "--out", "posts.jsonl"])
        .args(extra)
        .current_dir(dir)
        .env_remove("GENLOOP_PSEUDONYM_KEY");
    if let Some(key) = key {
        command.env("GENLOOP_PSEUDONYM_KEY", key);
    }
    command.output().unwrap()
}

#[test]
fn without_a_pseudonym_key_stderr_says_so_first() {
    // Issue 12: the unsalted pseudonym was not mentioned anywhere.
    let dir = tempfile::tempdir().unwrap();
    account_zip(dir.path(), "archive.zip");
    let out = ingest_with(dir.path(), &["--json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let message = text(&out.stderr);
    assert!(
        message.starts_with("warning: no pseudonym key"),
        "{message}"
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["pseudonyms"], "unkeyed");
    assert!(stats["warnings"][0].as_str().unwrap().contains("recompute"));
}

#[test]
fn a_key_and_anonymize_leave_no_handle_in_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    account_zip(dir.path(), "archive.zip");
    std::fs::write(dir.path().join("key"), "0123456789abcdef0123\n").unwrap();
    let args = ["--pseudonym-key", "key", "--anonymize", "--json"];
    let out = ingest_with(dir.path(), &args, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let corpus = std::fs::read_to_string(dir.path().join("posts.jsonl")).unwrap();
    assert!(!corpus.contains("wren"), "{corpus}");
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&stats["pseudonyms"], &stats["anonymized"]),
        (&"keyed".into(), &true.into())
    );

    // The same key from the environment gives the same corpus.
    std::fs::remove_file(dir.path().join("posts.jsonl")).unwrap();
    let out = ingest_with(dir.path(), &["--anonymize"], Some("0123456789abcdef0123"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("posts.jsonl")).unwrap(),
        corpus
    );

    // A short key is bad input.
    std::fs::remove_file(dir.path().join("posts.jsonl")).unwrap();
    let out = ingest_with(dir.path(), &[], Some("short"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("at least 16"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_bad_archive_exits_with_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("archive.zip"), "not an archive at all").unwrap();
    let out = genloop(
        &["ingest", "mastodon", "archive.zip", "--out", "posts.jsonl"],
        dir.path(),
    );
    let message = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert!(
        message.contains("archive.zip: not a zip or tar.gz archive"),
        "{message}"
    );
    assert!(!dir.path().join("posts.jsonl").exists());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["archive.zip"], "no stray files");

    // A truncated archive too.
    let whole = std::fs::read(account_zip(dir.path(), "whole.zip")).unwrap();
    std::fs::write(dir.path().join("cut.zip"), &whole[..whole.len() - 30]).unwrap();
    let out = genloop(
        &["ingest", "mastodon", "cut.zip", "--out", "posts.jsonl"],
        dir.path(),
    );
    let message = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert!(
        message.contains("cut.zip: cannot read the zip archive"),
        "{message}"
    );
    assert!(!dir.path().join("posts.jsonl").exists());
}

#[test]
fn an_existing_output_exits_with_2_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    account_zip(dir.path(), "archive.zip");
    std::fs::write(dir.path().join("posts.jsonl"), "kept\n").unwrap();
    let out = genloop(
        &["ingest", "mastodon", "archive.zip", "--out", "posts.jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("posts.jsonl")).unwrap(),
        "kept\n"
    );
}

/// A zip archive of `entries`, stored without compression (APPNOTE.TXT 4.3: local
/// headers, then the central directory, then its end record).
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut directory = Vec::new();
    for (name, data) in entries {
        let offset = bytes.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        // Local file header: version 2.0, no flags, method 0 (stored), no date.
        bytes.extend_from_slice(b"PK\x03\x04");
        bytes.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        for value in [crc, size, size] {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
        bytes.extend_from_slice(&[0, 0]);
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(data);
        // Central directory header for the same entry.
        directory.extend_from_slice(b"PK\x01\x02");
        directory.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        for value in [crc, size, size] {
            directory.extend_from_slice(&value.to_le_bytes());
        }
        directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
        directory.extend_from_slice(&[0; 12]);
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let directory_offset = bytes.len() as u32;
    bytes.extend_from_slice(&directory);
    bytes.extend_from_slice(b"PK\x05\x06");
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    let count = entries.len() as u16;
    bytes.extend_from_slice(&count.to_le_bytes());
    bytes.extend_from_slice(&count.to_le_bytes());
    bytes.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&directory_offset.to_le_bytes());
    bytes.extend_from_slice(&[0, 0]);
    bytes
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn crc32_matches_the_check_value() {
    // The standard check value of CRC-32 over "123456789".
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}
