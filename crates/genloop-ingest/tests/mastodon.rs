//! Mastodon account archives → JSONL (docs/formulas.md §9), as scenarios over a
//! hand-written archive of an invented account (`tests/fixtures/mastodon/`), packed
//! at test time as zip and as tar.gz.
//!
//! The fixture outbox holds, in order: 101 public (entities, a hashtag, a mention, a
//! shortened link), 102 unlisted, 103 followers-only, 104 direct, a boost, 106
//! public (deleted later), 107 a public poll in French, a Like, 108 public with a
//! quote-inline span, a script, a style and a content warning, 109 a self-reply to
//! 108, 110 a reply to another account, the Delete of 106, 111 media only, 112 a
//! post tagged #NoAI, and the Delete of a post the archive does not hold.

use std::io::Write;
use std::path::{Path, PathBuf};

use genloop_ingest::{
    ingest_mastodon, pseudonym, purge_jsonl, IngestError, IngestStats, Ledger, MastodonOptions,
    SkipCounts,
};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mastodon");
const ACTOR: &str = "https://example.social/users/wren";
const STATUS: &str = "https://example.social/users/wren/statuses/";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).unwrap()
}

fn account() -> Vec<(String, Vec<u8>)> {
    with_actor(fixture("account/actor.json"))
}

fn with_actor(actor: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    vec![
        ("actor.json".into(), actor),
        ("outbox.json".into(), fixture("account/outbox.json")),
        (
            "likes.json".into(),
            br#"{"type": "OrderedCollection", "orderedItems": []}"#.to_vec(),
        ),
        (
            "media_attachments/files/111/original/loaf.jpg".into(),
            vec![0xff, 0xd8, 0xff],
        ),
    ]
}

/// A zip of `entries` (deflated, as Mastodon writes it) at `path`.
fn zip(path: &Path, entries: &[(String, Vec<u8>)]) -> PathBuf {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
    path.to_path_buf()
}

/// A tar.gz of `entries` under `folder/` at `path`.
fn tar_gz(path: &Path, folder: &str, entries: &[(String, Vec<u8>)]) -> PathBuf {
    let encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    let mut builder = tar::Builder::new(encoder);
    for (name, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("{folder}/{name}"), bytes.as_slice())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
    path.to_path_buf()
}

fn options(include_unlisted: bool, join_threads: bool) -> MastodonOptions {
    MastodonOptions {
        include_unlisted,
        join_threads,
        ..MastodonOptions::default()
    }
}

/// Ingests `archive` into `dir/name` and returns the stats and the documents.
fn ingest(archive: &Path, options: &MastodonOptions, out: &Path) -> (IngestStats, Vec<Value>) {
    let stats = ingest_mastodon(archive, options, out, None).unwrap();
    (stats, read_jsonl(out))
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn ids(documents: &[Value]) -> Vec<String> {
    documents
        .iter()
        .map(|d| {
            d["id"]
                .as_str()
                .unwrap()
                .trim_start_matches(STATUS)
                .to_string()
        })
        .collect()
}

fn document(documents: &[Value], number: u32) -> &Value {
    let id = format!("{STATUS}{number}");
    documents.iter().find(|d| d["id"] == id.as_str()).unwrap()
}

#[test]
fn only_public_posts_come_out_as_clean_text() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(&dir.path().join("archive.zip"), &account());
    let (stats, documents) = ingest(
        &archive,
        &options(false, false),
        &dir.path().join("posts.jsonl"),
    );

    assert_eq!(ids(&documents), ["101", "107", "108", "109", "110"]);
    let first = document(&documents, 101);
    assert_eq!(
        first["text"],
        "Hello & welcome! Fish <3 chips, it's #Baking day.\n\n\
         Crumb report for @user: see https://example.org/recipes/sourdough-starter"
    );
    assert_eq!(first["created"], "2024-03-01T09:15:00Z");
    assert_eq!(first["source"], "mastodon");
    let metadata = &first["metadata"];
    assert_eq!(metadata["author"], pseudonym(ACTOR).as_str());
    assert_eq!(metadata["author"].as_str().unwrap().len(), 16);
    assert_eq!(metadata["language"], "en");
    assert_eq!(metadata["content_warning"], Value::Null);
    assert_eq!(metadata["sensitive"], false);
    assert_eq!(metadata["hashtags"], serde_json::json!(["baking"]));
    assert_eq!(metadata["visibility"], "public");
    assert_eq!(metadata["in_reply_to"], Value::Null);
    assert_eq!(
        metadata["consent"],
        "public post; no opt-out tag in bio or profile fields; discoverable=true; indexable=false"
    );
    assert_eq!(metadata["discoverable"], true);
    assert_eq!(metadata["indexable"], false);

    let poll = document(&documents, 107);
    assert_eq!(
        poll["text"],
        "Quel pain pour dimanche ?\n\n- Seigle\n- Épeautre"
    );
    assert_eq!(poll["metadata"]["language"], "fr");
    assert_eq!(poll["metadata"]["kind"], "question");

    let quoting = document(&documents, 108);
    assert_eq!(
        quoting["text"],
        "Quoting a friend\n\nMy take: crust matters more than crumb.\nFight me."
    );
    assert_eq!(quoting["metadata"]["content_warning"], "bread opinions");
    assert_eq!(quoting["metadata"]["sensitive"], true);

    // A self-reply points at its parent; a reply to someone else gets a pseudonym,
    // since the other account's address holds its name.
    assert_eq!(
        document(&documents, 109)["metadata"]["in_reply_to"],
        format!("{STATUS}108")
    );
    let other = "https://other.example/users/robin/statuses/56";
    assert_eq!(
        document(&documents, 110)["metadata"]["in_reply_to"],
        pseudonym(other).as_str()
    );
    assert_eq!(
        document(&documents, 110)["text"],
        "@user agreed, lovely loaf."
    );

    let everything = std::fs::read_to_string(dir.path().join("posts.jsonl")).unwrap();
    for leaked in [
        "Unlisted thought",
        "secret crumb",
        "door code",
        "deleted soon",
        "out of datasets",
        "robin",
        "Wren",
        "tracking",
        "RE:",
        "color",
        "<p>",
        "&amp;",
    ] {
        assert!(
            !everything.contains(leaked),
            "{leaked:?} leaked into the output"
        );
    }

    assert_eq!(stats.activities, 15);
    assert_eq!(stats.documents, 5);
    assert_eq!(stats.deletions, 2);
    assert_eq!(
        stats.skipped,
        SkipCounts {
            boost: 1,
            unknown_type: 1,
            followers_only: 1,
            direct: 1,
            unlisted: 1,
            opt_out: 1,
            deleted: 1,
            empty_text: 1,
            ..SkipCounts::default()
        }
    );
    assert_eq!(stats.unknown_types.get("Like"), Some(&1));
    assert_eq!(stats.consent_refused, None);
}

#[test]
fn a_tar_gz_with_a_top_folder_reads_like_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let zipped = zip(&dir.path().join("archive.zip"), &account());
    // The name says zip; the bytes say gzip: the bytes win.
    let tarred = tar_gz(
        &dir.path().join("archive.zip.bin"),
        "archive-20240315",
        &account(),
    );
    let (zip_stats, from_zip) =
        ingest(&zipped, &options(false, false), &dir.path().join("a.jsonl"));
    let (tar_stats, from_tar) =
        ingest(&tarred, &options(false, false), &dir.path().join("b.jsonl"));
    assert_eq!(from_zip, from_tar);
    assert_eq!(zip_stats, tar_stats);
}

#[test]
fn unlisted_posts_come_out_only_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(&dir.path().join("archive.zip"), &account());
    let (_, without) = ingest(
        &archive,
        &options(false, false),
        &dir.path().join("a.jsonl"),
    );
    assert!(!ids(&without).contains(&"102".to_string()));

    let (stats, with) = ingest(&archive, &options(true, false), &dir.path().join("b.jsonl"));
    assert_eq!(ids(&with), ["101", "102", "107", "108", "109", "110"]);
    let unlisted = document(&with, 102);
    assert_eq!(
        unlisted["text"],
        "Unlisted thought: the rain sounds like applause."
    );
    assert_eq!(unlisted["metadata"]["visibility"], "unlisted");
    assert!(unlisted["metadata"]["consent"]
        .as_str()
        .unwrap()
        .starts_with("unlisted post (include_unlisted)"));
    assert_eq!(stats.skipped.unlisted, 0);
    // Followers-only and direct posts stay out whatever the flags.
    assert_eq!((stats.skipped.followers_only, stats.skipped.direct), (1, 1));
}

#[test]
fn a_deleted_post_is_purged_and_recorded_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(&dir.path().join("archive.zip"), &account());
    let ledger_path = dir.path().join("deletions.jsonl");
    let out = dir.path().join("posts.jsonl");
    let stats =
        ingest_mastodon(&archive, &options(false, false), &out, Some(&ledger_path)).unwrap();
    // The Delete comes after the post in the outbox, and still purges it.
    assert!(!ids(&read_jsonl(&out)).contains(&"106".to_string()));
    assert_eq!(
        (
            stats.skipped.deleted,
            stats.deletions,
            stats.ledger_appended
        ),
        (1, 2, 2)
    );

    let lines = read_jsonl(&ledger_path);
    assert_eq!(
        lines,
        [
            serde_json::json!({"id": format!("{STATUS}106"), "deleted": "2024-03-08T00:00:00Z"}),
            serde_json::json!({"id": format!("{STATUS}999"), "deleted": "2024-03-11T00:00:00Z"}),
        ]
    );
    let ledger = Ledger::load(&ledger_path).unwrap();
    assert!(ledger.contains(&format!("{STATUS}106")));
    assert!(!ledger.contains(&format!("{STATUS}101")));

    // A second ingestion appends nothing new, and honours what the ledger holds.
    let again = ingest_mastodon(
        &archive,
        &options(false, false),
        &dir.path().join("again.jsonl"),
        Some(&ledger_path),
    )
    .unwrap();
    assert_eq!(again.ledger_appended, 0);
    assert_eq!(read_jsonl(&ledger_path).len(), 2);

    // The ledger purges any pool, joined threads included.
    let pool = dir.path().join("pool.jsonl");
    std::fs::write(
        &pool,
        format!(
            "{{\"id\": \"{STATUS}106\", \"text\": \"gone\"}}\n\
             {{\"text\": \"no id, kept\"}}\n\n\
             {{\"id\": \"{STATUS}5\", \"text\": \"joined\", \"metadata\": {{\"thread\": [\"{STATUS}5\", \"{STATUS}999\"]}}}}\n\
             {{\"id\": \"{STATUS}101\", \"text\": \"kept\"}}\n"
        ),
    )
    .unwrap();
    let purged = dir.path().join("purged.jsonl");
    let counts = purge_jsonl(&pool, &purged, &ledger).unwrap();
    assert_eq!((counts.kept, counts.purged), (2, 2));
    let kept: Vec<String> = read_jsonl(&purged)
        .iter()
        .map(|d| d["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kept, ["no id, kept", "kept"]);
}

#[test]
fn self_reply_threads_are_joined_but_never_other_authors() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(&dir.path().join("archive.zip"), &account());
    let (stats, documents) = ingest(
        &archive,
        &options(false, true),
        &dir.path().join("posts.jsonl"),
    );
    assert_eq!(ids(&documents), ["101", "107", "108", "110"]);
    let thread = document(&documents, 108);
    assert_eq!(
        thread["text"],
        "Quoting a friend\n\nMy take: crust matters more than crumb.\nFight me.\n\n\
         Follow-up to myself: and the crumb matters too."
    );
    assert_eq!(
        thread["metadata"]["thread"],
        serde_json::json!([format!("{STATUS}108"), format!("{STATUS}109")])
    );
    assert_eq!(thread["created"], "2024-03-07T09:00:00Z");
    // The reply to another account stays a document of its own.
    assert_eq!(document(&documents, 110)["metadata"].get("thread"), None);
    assert_eq!((stats.documents, stats.replies_joined), (4, 1));
}

#[test]
fn a_bot_account_gives_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(
        &dir.path().join("bot.zip"),
        &with_actor(fixture("bot-actor.json")),
    );
    let (stats, documents) = ingest(
        &archive,
        &options(true, true),
        &dir.path().join("posts.jsonl"),
    );
    assert!(documents.is_empty());
    assert_eq!(stats.documents, 0);
    // Every post of the account (11 Creates), whatever its visibility.
    assert_eq!(stats.skipped.bot_actor, 11);
    assert!(stats
        .consent_refused
        .unwrap()
        .contains("bot (actor type Service)"));
}

#[test]
fn an_opt_out_tag_in_a_profile_field_gives_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let archive = tar_gz(
        &dir.path().join("noai.tar.gz"),
        "archive",
        &with_actor(fixture("noai-actor.json")),
    );
    let (stats, documents) = ingest(
        &archive,
        &options(false, false),
        &dir.path().join("posts.jsonl"),
    );
    assert!(documents.is_empty());
    assert_eq!(stats.skipped.opt_out, 11);
    assert_eq!(
        stats.consent_refused.as_deref(),
        Some("opt-out tag #noai in the profile field \"Scraping\"")
    );
}

/// Runs an ingestion that must fail, checks that nothing was written, and returns
/// the error.
fn failure(archive: &Path) -> IngestError {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("posts.jsonl");
    let error = ingest_mastodon(archive, &options(false, false), &out, None).unwrap_err();
    let left: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
    assert!(left.is_empty(), "{error}: left {left:?}");
    assert!(error.is_input_error(), "{error}");
    error
}

#[test]
fn a_truncated_zip_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(&dir.path().join("archive.zip"), &account());
    let bytes = std::fs::read(&archive).unwrap();
    std::fs::write(&archive, &bytes[..bytes.len() / 2]).unwrap();
    let message = failure(&archive).to_string();
    eprintln!("{message}");
    assert!(
        message.contains(&archive.display().to_string()),
        "{message}"
    );
    assert!(message.contains("truncated or damaged"), "{message}");
}

#[test]
fn a_truncated_tar_gz_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let archive = tar_gz(&dir.path().join("archive.tar.gz"), "archive", &account());
    let bytes = std::fs::read(&archive).unwrap();
    std::fs::write(&archive, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let message = failure(&archive).to_string();
    eprintln!("{message}");
    assert!(
        message.contains(&archive.display().to_string()),
        "{message}"
    );
    assert!(message.contains("truncated or damaged"), "{message}");
}

#[test]
fn a_file_that_is_no_archive_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.zip");
    std::fs::write(&archive, "these are notes, not an archive\n").unwrap();
    let error = failure(&archive);
    assert!(
        matches!(error, IngestError::NotAnArchive { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&archive.display().to_string()),
        "{message}"
    );
    assert!(message.contains("not a zip or tar.gz archive"), "{message}");
    assert!(message.contains("\"thes\""), "{message}");
}

#[test]
fn malformed_outbox_json_names_the_entry_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = "{\n  \"type\": \"OrderedCollection\",\n  \"orderedItems\": [\n    {\"type\": \"Announce\", \"object\": \"x\"},\n    {\"type\": \"Create\",, }\n  ]\n}\n";
    let archive = zip(
        &dir.path().join("archive.zip"),
        &[
            ("backup/actor.json".into(), fixture("account/actor.json")),
            ("backup/outbox.json".into(), outbox.as_bytes().to_vec()),
        ],
    );
    let error = failure(&archive);
    let IngestError::Json {
        entry,
        line,
        column,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    // Column 23: the stray second comma.
    assert_eq!(
        (entry.as_str(), *line, *column),
        ("backup/outbox.json", 5, 23)
    );
    let message = error.to_string();
    eprintln!("{message}");
    assert!(
        message.contains(&archive.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("`backup/outbox.json`: malformed JSON"),
        "{message}"
    );
    assert!(message.contains("line 5, column 23"), "{message}");
}

#[test]
fn a_missing_outbox_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(
        &dir.path().join("archive.zip"),
        &[("actor.json".into(), fixture("account/actor.json"))],
    );
    let message = failure(&archive).to_string();
    assert!(
        message.contains("no `outbox.json` in the archive"),
        "{message}"
    );
}

#[test]
fn activities_of_the_wrong_shape_are_counted_and_described() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = serde_json::json!({
        "type": "OrderedCollection",
        "orderedItems": [
            {"type": "Create", "object": {"id": format!("{STATUS}1"), "type": "Note", "content": 42, "to": ["as:Public"]}},
            {"type": "Create", "object": {"id": format!("{STATUS}2"), "type": "Note", "content": "<p>fine</p>", "to": "as:Public"}},
            {"type": "Create", "object": format!("{STATUS}3")},
        ]
    });
    let archive = zip(
        &dir.path().join("archive.zip"),
        &[
            ("actor.json".into(), fixture("account/actor.json")),
            ("outbox.json".into(), outbox.to_string().into_bytes()),
        ],
    );
    let (stats, documents) = ingest(
        &archive,
        &options(false, false),
        &dir.path().join("posts.jsonl"),
    );
    assert_eq!(ids(&documents), ["2"]);
    assert_eq!(stats.skipped.malformed, 2);
    assert!(
        stats.problems[0].starts_with("orderedItems[0]"),
        "{:?}",
        stats.problems
    );
    assert!(
        stats.problems[0].contains("invalid type: integer `42`"),
        "{:?}",
        stats.problems
    );
    assert!(
        stats.problems[1].contains("only a URI"),
        "{:?}",
        stats.problems
    );
}

#[test]
fn an_existing_output_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip(&dir.path().join("archive.zip"), &account());
    let out = dir.path().join("posts.jsonl");
    std::fs::write(&out, "precious\n").unwrap();
    let error = ingest_mastodon(&archive, &options(false, false), &out, None).unwrap_err();
    assert!(
        matches!(error, IngestError::OutputExists { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("already exists"), "{error}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious\n");
}

#[path = "mastodon/privacy.rs"]
mod privacy;

#[path = "mastodon/robustness.rs"]
mod robustness;
