//! Issue 12: what an ingested corpus reveals of its author. Keyed pseudonyms that
//! nobody without the key can recompute, `anonymize` dropping every id and address
//! that holds the handle, and edits replacing the text they edit.

use super::*;
use genloop_ingest::{PseudonymKey, PseudonymKind, Pseudonyms};

fn key() -> PseudonymKey {
    PseudonymKey::new(b"a test key of at least sixteen bytes\n").unwrap()
}

fn keyed(anonymize: bool) -> MastodonOptions {
    MastodonOptions {
        join_threads: true,
        anonymize,
        pseudonym_key: Some(key()),
        ..MastodonOptions::default()
    }
}

#[test]
fn without_a_key_the_pseudonym_is_recomputable_and_the_stats_say_so() {
    // The author pseudonym was the unsalted SHA-256 of the public actor URL.
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(&dir.path().join("archive.zip"), &account());
    let (stats, documents) = ingest(
        &archive,
        &options(false, false),
        &dir.path().join("o.jsonl"),
    );
    assert_eq!(
        documents[0]["metadata"]["author"],
        pseudonym(ACTOR).as_str()
    );
    assert_eq!(stats.pseudonyms, PseudonymKind::Unkeyed);
    assert_eq!(stats.warnings.len(), 1);
    assert!(
        stats.warnings[0].contains("anyone can recompute"),
        "{:?}",
        stats.warnings
    );
}

#[test]
fn a_keyed_pseudonym_cannot_be_recomputed_from_the_actor_url() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(&dir.path().join("archive.zip"), &account());
    let (stats, documents) = ingest(&archive, &keyed(false), &dir.path().join("o.jsonl"));
    let author = documents[0]["metadata"]["author"].as_str().unwrap();
    assert_ne!(author, pseudonym(ACTOR));
    assert_eq!(author, Pseudonyms::new(Some(key())).author(ACTOR));
    assert_eq!(stats.pseudonyms, PseudonymKind::Keyed);
    assert!(stats.warnings.is_empty());
}

#[test]
fn anonymize_leaves_no_handle_in_the_output_or_the_ledger() {
    // `id` and `metadata.url` kept the handle in clear.
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(&dir.path().join("archive.zip"), &account());
    let (out, ledger) = (
        dir.path().join("o.jsonl"),
        dir.path().join("deletions.jsonl"),
    );
    let stats = ingest_mastodon(&archive, &keyed(true), &out, Some(&ledger)).unwrap();
    assert!(stats.anonymized);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("wren"), "{text}");
    assert!(!text.contains("example.social"), "{text}");
    let documents = read_jsonl(&out);
    assert_eq!(documents.len(), 4, "108 and its self-reply 109 are joined");
    let pseudonyms = Pseudonyms::new(Some(key()));
    let joined = documents
        .iter()
        .find(|d| d["id"] == pseudonyms.post_id(&format!("{STATUS}108")).as_str())
        .expect("the thread's root under its pseudonym");
    assert_eq!(
        joined["metadata"]["thread"][1],
        pseudonyms.post_id(&format!("{STATUS}109")).as_str()
    );
    assert!(documents.iter().all(|d| d["metadata"].get("url").is_none()));
    // The ledger holds the same pseudonyms, so it purges this corpus.
    let ledger_text = std::fs::read_to_string(&ledger).unwrap();
    assert!(!ledger_text.contains("wren"), "{ledger_text}");
    assert!(ledger_text.contains(&pseudonyms.post_id(&format!("{STATUS}106"))));
}

/// A Create (or Update) of public Note `number` with `html`, published at `time`.
fn note(verb: &str, number: u32, html: &str, time: &str) -> Value {
    serde_json::json!({
        "id": format!("{STATUS}{number}/activity/{verb}/{time}"),
        "type": verb,
        "actor": ACTOR,
        "published": time,
        "object": {
            "id": format!("{STATUS}{number}"),
            "type": "Note",
            "published": "2024-05-01T10:00:00Z",
            "attributedTo": ACTOR,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": html,
        }
    })
}

/// An edit that adds an opt-out hashtag.
const OPTED_OUT: &str = r#"<p>not this one <a href="https://example.social/tags/NoBot" class="mention hashtag" rel="tag">#<span>NoBot</span></a></p>"#;

fn archive_of(dir: &Path, items: Vec<Value>) -> PathBuf {
    let outbox = serde_json::json!({"type": "OrderedCollection", "orderedItems": items});
    let entries = vec![
        ("actor.json".to_string(), fixture("account/actor.json")),
        (
            "outbox.json".to_string(),
            serde_json::to_vec(&outbox).unwrap(),
        ),
    ];
    zip(&dir.join("edits.zip"), &entries)
}

#[test]
fn edits_replace_the_text_they_edit_in_order() {
    // `Update` activities were counted as unknown and the replaced text kept.
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_of(
        dir.path(),
        vec![
            note(
                "Create",
                201,
                "<p>teh first draft</p>",
                "2024-05-01T10:00:00Z",
            ),
            note(
                "Create",
                202,
                "<p>an untouched post</p>",
                "2024-05-01T11:00:00Z",
            ),
            note(
                "Update",
                201,
                "<p>the second draft</p>",
                "2024-05-01T12:00:00Z",
            ),
            note(
                "Update",
                201,
                "<p>the final text</p>",
                "2024-05-01T13:00:00Z",
            ),
            note(
                "Create",
                203,
                "<p>a post later opted out</p>",
                "2024-05-01T14:00:00Z",
            ),
            note("Update", 203, OPTED_OUT, "2024-05-01T15:00:00Z"),
        ],
    );
    let (stats, documents) = ingest(
        &archive,
        &options(false, false),
        &dir.path().join("o.jsonl"),
    );
    let texts: Vec<&str> = documents
        .iter()
        .map(|d| d["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["an untouched post", "the final text"]);
    assert_eq!(stats.edits, 3);
    assert_eq!(stats.skipped.unknown_type, 0);
    assert_eq!(stats.skipped.opt_out, 1);
    assert_eq!(document(&documents, 201)["created"], "2024-05-01T10:00:00Z");
}
