//! `genloop ingest`: outside sources → JSONL corpora.
//!
//! Statistics go to stderr as text, or to stdout as one JSON object with `--json`.
//! A bad archive or an existing output exits with 2 (a [`UsageError`]); a failed
//! write with 1.

use std::io::Write;
use std::path::Path;

use genloop_ingest::pseudonym::KEY_VARIABLE;
use genloop_ingest::{ingest_mastodon, IngestError, IngestStats, MastodonOptions, PseudonymKey};
use serde::Serialize;

use crate::args::IngestCommand;
use crate::UsageError;

pub fn execute(command: IngestCommand) -> anyhow::Result<()> {
    match command {
        IngestCommand::Mastodon {
            archive,
            out,
            include_unlisted,
            join_threads,
            ledger,
            pseudonym_key,
            anonymize,
            json,
        } => {
            let options = MastodonOptions {
                include_unlisted,
                join_threads,
                anonymize,
                pseudonym_key: read_key(pseudonym_key.as_deref())?,
            };
            // Before anything else on stderr: what an unkeyed pseudonym reveals.
            if options.pseudonym_key.is_none() {
                eprintln!("{}", genloop_ingest::pseudonym::UNKEYED_WARNING);
            }
            let stats =
                ingest_mastodon(&archive, &options, &out, ledger.as_deref()).map_err(classify)?;
            if json {
                let report = Report {
                    archive: &archive,
                    out: &out,
                    ledger: ledger.as_deref(),
                    stats: &stats,
                };
                let mut stdout = std::io::stdout().lock();
                serde_json::to_writer(&mut stdout, &report)?;
                writeln!(stdout)?;
            } else {
                eprint!("{}", render_text(&archive, &out, ledger.as_deref(), &stats));
            }
            Ok(())
        }
    }
}

/// The key of `--pseudonym-key FILE`, else of the environment variable, else none.
fn read_key(file: Option<&Path>) -> Result<Option<PseudonymKey>, UsageError> {
    let (bytes, origin) = match file {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                UsageError(format!(
                    "cannot read the pseudonym key {}: {e}",
                    path.display()
                ))
            })?;
            (bytes, path.display().to_string())
        }
        None => match std::env::var_os(KEY_VARIABLE) {
            Some(value) => (value.into_encoded_bytes(), KEY_VARIABLE.to_string()),
            None => return Ok(None),
        },
    };
    PseudonymKey::new(&bytes)
        .map(Some)
        .map_err(|e| UsageError(format!("{origin}: {e}")))
}

/// The `--json` object: where from, where to, and the statistics.
#[derive(Serialize)]
struct Report<'a> {
    archive: &'a Path,
    out: &'a Path,
    ledger: Option<&'a Path>,
    #[serde(flatten)]
    stats: &'a IngestStats,
}

/// Input errors become [`UsageError`] (exit code 2); the message is kept whole.
fn classify(error: IngestError) -> anyhow::Error {
    if error.is_input_error() {
        UsageError(error.to_string()).into()
    } else {
        error.into()
    }
}

/// The statistics for a person: what was written, then each reason with a count.
fn render_text(archive: &Path, out: &Path, ledger: Option<&Path>, stats: &IngestStats) -> String {
    let mut text = format!(
        "{}: {} documents written to {} from {} activities\n",
        archive.display(),
        stats.documents,
        out.display(),
        stats.activities
    );
    if let Some(refusal) = &stats.consent_refused {
        text.push_str(&format!("nothing used: {refusal}\n"));
    }
    if stats.edits > 0 {
        text.push_str(&format!(
            "edits applied (the latest version of each post kept): {}\n",
            stats.edits
        ));
    }
    if stats.replies_joined > 0 {
        text.push_str(&format!(
            "self-replies joined into their threads: {}\n",
            stats.replies_joined
        ));
    }
    let skipped: Vec<String> = stats
        .skipped
        .pairs()
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(reason, count)| format!("{} {count}", reason.as_str().replace('_', " ")))
        .collect();
    if !skipped.is_empty() {
        text.push_str(&format!(
            "skipped {}: {}\n",
            stats.skipped.total(),
            skipped.join(", ")
        ));
    }
    if !stats.unknown_types.is_empty() {
        let types: Vec<String> = stats
            .unknown_types
            .iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect();
        text.push_str(&format!("unknown activity types: {}\n", types.join(", ")));
    }
    for problem in &stats.problems {
        text.push_str(&format!("malformed: {problem}\n"));
    }
    if stats.deletions > 0 {
        match ledger {
            Some(path) => text.push_str(&format!(
                "deletions: {} ({} new in {})\n",
                stats.deletions,
                stats.ledger_appended,
                path.display()
            )),
            None => text.push_str(&format!(
                "deletions: {} (purged here; add --ledger FILE to purge them from other pools)\n",
                stats.deletions
            )),
        }
    }
    text
}
