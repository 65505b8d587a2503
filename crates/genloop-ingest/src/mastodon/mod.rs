//! Mastodon account archives → JSONL documents (docs/formulas.md §9; the archive is
//! written by mastodon/mastodon `app/services/backup_service.rb`).
//!
//! The steps, each in its own file:
//! 1. `archive.rs`: the container (zip or tar.gz, by magic bytes) and its entries
//!    `actor.json` and `outbox.json`, at the top level or one folder down.
//! 2. `actor.rs`: the consent gates on the account: a bot, or an opt-out tag
//!    (#nobot, #noai, ...) in the bio or profile fields, and nothing is used.
//! 3. `outbox.rs`: `orderedItems` streamed one activity at a time.
//! 4. `activity.rs` and `posts.rs`: `Create` of a `Note` or `Question` → a document
//!    when public (unlisted with [`MastodonOptions::include_unlisted`]); `Announce`
//!    (a boost) and unknown types are counted and skipped; `Delete` goes to the
//!    ledger. Post HTML becomes text in `html.rs`.
//! 5. `threads.rs`: deleted posts purged (a deletion later in the outbox still
//!    counts), self-reply threads joined with [`MastodonOptions::join_threads`].
//!
//! Documents are staged in an unnamed scratch file beside the output between the
//! two passes, so memory holds ids and reply links, not texts.

mod activity;
mod actor;
mod archive;
pub mod html;
mod outbox;
mod posts;
mod threads;

use std::io::BufReader;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::output::{self, JsonlOutput};
use super::pseudonym::PseudonymKey;
use super::{IngestError, IngestStats, Ledger};
use actor::Actor;
use archive::Archive;
use posts::Collector;

pub use actor::OPT_OUT_TAGS;

/// Choices of a Mastodon ingestion.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MastodonOptions {
    /// Also use unlisted posts (public, but kept off the public timelines).
    pub include_unlisted: bool,
    /// Join self-reply threads of the author into one document.
    pub join_threads: bool,
    /// Replace post ids (and reply links to them) by keyed pseudonyms and drop web
    /// addresses: both carry the author's handle.
    pub anonymize: bool,
    /// The secret key of the pseudonyms; without one they are unkeyed SHA-256
    /// (`crate::pseudonym`). Never serialised.
    #[serde(skip)]
    pub pseudonym_key: Option<PseudonymKey>,
}

/// Reads the account archive `archive` and writes its usable posts to `out` (JSONL,
/// one [`Document`](super::Document) per line). Deletions are appended to the ledger
/// at `ledger` when given, whose earlier entries are purged from this output too.
///
/// `out` must not exist. Nothing is written to `out` unless the whole archive was
/// read; the ledger is appended before `out` is renamed into place.
pub fn ingest_mastodon(
    archive: &Path,
    options: &MastodonOptions,
    out: &Path,
    ledger: Option<&Path>,
) -> Result<IngestStats, IngestError> {
    output::refuse_existing(out)?;
    let mut archive = Archive::open(archive)?;
    let archive_path = archive.path().to_path_buf();
    let actor: Actor = archive.read_entry("actor.json", |reader, entry| {
        serde_json::from_reader(BufReader::new(reader))
            .map_err(|error| IngestError::json(&archive_path, entry, &error))
    })?;
    let deleted = match ledger {
        Some(path) => Ledger::load_or_empty(path)?,
        None => Ledger::new(),
    };

    let mut output = JsonlOutput::create(out)?;
    // The scratch file has no name; errors name its folder.
    let scratch_path = output::folder_of(out).to_path_buf();
    let scratch = output::scratch_file(out)?;
    let mut collector = Collector::new(&actor, options, scratch, scratch_path.clone(), deleted);
    archive.read_entry("outbox.json", |reader, entry| {
        outbox::stream_outbox(reader, &archive_path, entry, |position, item| {
            collector.take(position, item)
        })
    })?;
    let first = collector.finish()?;
    let new_deletions = first.new_deletions.clone();
    let mut stats =
        threads::write_documents(first, options.join_threads, &scratch_path, &mut output)?;

    if let Some(path) = ledger {
        Ledger::append(path, &new_deletions)?;
        stats.ledger_appended = new_deletions.len() as u64;
    }
    output.persist()?;
    Ok(stats)
}
