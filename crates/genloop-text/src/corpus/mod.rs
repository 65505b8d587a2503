//! Real corpora: reading text files into documents, and splitting them into the
//! pools of a run (holdout, original, fresh stream) with sizes in tokens.
//!
//! Formats ([`Format`]):
//! - `lines`: one document per line; blank lines are skipped.
//! - `paragraphs`: documents separated by one or more blank lines; the lines of a
//!   paragraph are joined with `\n`.
//! - `jsonl`: one JSON object per line, the text in a configurable field (default
//!   `text`, the Hugging Face `datasets` convention for JSON Lines files); the other
//!   fields are kept as metadata (for example a timestamp to order the stream).
//!   Blank lines are skipped.
//!
//! Every format reads `.gz` (gzip) and `.zst` (Zstandard) transparently, by file
//! name, and streams: one line is in memory at a time (one paragraph for
//! `paragraphs`), so a multi-gigabyte file costs no more memory than the documents
//! kept. Lines end in `\n` or `\r\n`; a UTF-8 byte-order mark is dropped.
//!
//! Bad records (invalid UTF-8, malformed JSON, a missing or non-string text field)
//! stop the read with an error naming `file:line` and the problem, or, with
//! `on_error = "skip"`, are skipped and counted in a [`SkipReport`] that lists the
//! first few line numbers. Line numbers are 1-based physical lines of the
//! decompressed text; a paragraph is numbered by its first line.
//!
//! ```no_run
//! use genloop_text::corpus::{read_corpus, Format, ReadOptions};
//!
//! let options = ReadOptions { format: Format::Jsonl, ..ReadOptions::default() };
//! let corpus = read_corpus("posts.jsonl.zst".as_ref(), &options)?;
//! println!("{} documents, {}", corpus.docs.len(), corpus.skipped);
//! # Ok::<(), genloop_text::corpus::CorpusError>(())
//! ```
//!
//! Splitting ([`TextSplits::split`], then [`TextSplits::encode`]): holdout and
//! original from the oldest documents, the rest a fresh stream released generation
//! by generation ([`CorpusSplits::fresh_batch`]); [`TextSplits`] explains the order.

mod error;
mod read;
mod split;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use error::{CorpusError, RecordProblem, SkipReport};
pub use read::{read_corpus, Corpus, CorpusReader};
pub use split::{CorpusSplits, HoldoutChoice, SplitSpec, TextPool, TextSplits};

/// JSON object holding a record's fields other than the text.
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// One document of a corpus file.
#[derive(Clone, Debug, PartialEq)]
pub struct CorpusDoc {
    pub text: String,
    /// The record's other fields (JSONL); empty for plain text.
    pub metadata: Metadata,
    /// 1-based line of the record in the (decompressed) file; for a paragraph, its
    /// first line.
    pub line: usize,
}

impl CorpusDoc {
    fn plain(text: String, line: usize) -> CorpusDoc {
        CorpusDoc {
            text,
            metadata: Metadata::new(),
            line,
        }
    }
}

/// How a file holds its documents (module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    #[default]
    Lines,
    Paragraphs,
    Jsonl,
}

impl Format {
    /// `jsonl` for `.jsonl` and `.ndjson` files (also compressed), else `lines`.
    /// Paragraph files have no conventional extension: name the format.
    pub fn infer(path: &Path) -> Format {
        let name = path.to_string_lossy().to_lowercase();
        let name = name
            .trim_end_matches(".gz")
            .trim_end_matches(".zst")
            .trim_end_matches(".zstd");
        if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            Format::Jsonl
        } else {
            Format::Lines
        }
    }
}

/// What to do with a bad record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Stop with an error naming the file and line (config: `"fail"` or `"error"`).
    #[default]
    #[serde(alias = "error")]
    Fail,
    /// Skip the record and count it.
    Skip,
}

/// The corpus of a run (config: `[source] kind = "corpus"`): a file (optionally .gz
/// or .zst) and how to read it.
#[derive(Clone, Debug, PartialEq)]
pub struct CorpusSpec {
    /// As written in the config; relative paths are resolved against the config's
    /// folder.
    pub path: String,
    pub format: Format,
    pub text_field: String,
    /// Orders the fresh stream when given (else file order).
    pub timestamp_field: Option<String>,
    /// Skip and count malformed records, or fail.
    pub on_error: OnError,
    /// A deletion ledger (JSONL lines with an `id`, as `genloop ingest` appends):
    /// records whose `id_field` is listed never reach any pool.
    pub ledger: Option<String>,
    pub id_field: String,
}

/// How to read a corpus file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadOptions {
    pub format: Format,
    /// JSONL field holding the text.
    pub text_field: String,
    pub on_error: OnError,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: Format::Lines,
            text_field: "text".to_owned(),
            on_error: OnError::Fail,
        }
    }
}
