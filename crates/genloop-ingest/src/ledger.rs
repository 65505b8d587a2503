//! The deletion ledger (docs/formulas.md §9): posts deleted by their authors are purged
//! from every pool before the next training set is built.
//!
//! A ledger is a JSONL file, one `{"id": ..., "deleted": ...}` per line (`deleted`:
//! when the deletion was published, or null). Ingestion appends to it; any later
//! stage loads it with [`Ledger::load`] and drops its ids from a corpus with
//! [`purge_jsonl`].

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::output::{write_error, JsonlOutput};
use super::IngestError;

/// One ledger line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The deleted post's id.
    pub id: String,
    /// When the deletion was published (RFC 3339), when known.
    pub deleted: Option<String>,
}

/// The set of deleted ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    ids: HashSet<String>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Reads a ledger file; a bad line is an error naming its line number.
    pub fn load(path: &Path) -> Result<Ledger, IngestError> {
        let file = File::open(path).map_err(|source| IngestError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut ledger = Ledger::new();
        for (index, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|source| IngestError::Open {
                path: path.to_path_buf(),
                source,
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let entry: LedgerEntry =
                serde_json::from_str(&line).map_err(|error| IngestError::Record {
                    path: path.to_path_buf(),
                    line: index + 1,
                    problem: format!(
                        "not a ledger entry {{\"id\": ..., \"deleted\": ...}} ({error})"
                    ),
                })?;
            ledger.ids.insert(entry.id);
        }
        Ok(ledger)
    }

    /// [`Ledger::load`], or an empty ledger when the file does not exist yet.
    pub fn load_or_empty(path: &Path) -> Result<Ledger, IngestError> {
        if path.exists() {
            Ledger::load(path)
        } else {
            Ok(Ledger::new())
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Adds an id; false when it was already there.
    pub fn insert(&mut self, id: impl Into<String>) -> bool {
        self.ids.insert(id.into())
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Appends `entries` to the ledger file at `path` (created when missing), in one
    /// write followed by a sync.
    pub fn append(path: &Path, entries: &[LedgerEntry]) -> Result<(), IngestError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut bytes = Vec::new();
        for entry in entries {
            serde_json::to_writer(&mut bytes, entry).expect("a ledger entry serializes");
            bytes.push(b'\n');
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| write_error(path, source))?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .map_err(|source| write_error(path, source))
    }
}

/// What [`purge_jsonl`] kept and dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeStats {
    pub kept: u64,
    pub purged: u64,
}

/// Copies the JSONL corpus `input` to `output` without the documents whose `id`, or
/// any id of their `metadata.thread` (a joined thread), is in `ledger`. Records
/// without an `id` are kept; blank lines are dropped. `output` must not exist; it
/// appears whole or not at all.
pub fn purge_jsonl(
    input: &Path,
    output: &Path,
    ledger: &Ledger,
) -> Result<PurgeStats, IngestError> {
    let file = File::open(input).map_err(|source| IngestError::Open {
        path: input.to_path_buf(),
        source,
    })?;
    let mut out = JsonlOutput::create(output)?;
    let mut stats = PurgeStats::default();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| IngestError::Open {
            path: input.to_path_buf(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let record: serde_json::Value =
            serde_json::from_str(&line).map_err(|error| IngestError::Record {
                path: input.to_path_buf(),
                line: index + 1,
                problem: format!("malformed JSON ({error})"),
            })?;
        if mentions_deleted(&record, ledger) {
            stats.purged += 1;
        } else {
            // The line as it was: re-serializing would reorder its keys.
            out.write_line(&line)?;
            stats.kept += 1;
        }
    }
    out.persist()?;
    Ok(stats)
}

fn mentions_deleted(record: &serde_json::Value, ledger: &Ledger) -> bool {
    let id_deleted = record
        .get("id")
        .and_then(|id| id.as_str())
        .is_some_and(|id| ledger.contains(id));
    let thread_deleted = record
        .pointer("/metadata/thread")
        .and_then(|thread| thread.as_array())
        .is_some_and(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str())
                .any(|id| ledger.contains(id))
        });
    id_deleted || thread_deleted
}
