//! The corpus curation pipeline behind `genloop curate`: a JSONL corpus streams through
//! a chain of filters — quality rules (docs/formulas.md §5), then exact and MinHash dedup
//! (§4) — and each record is written unchanged to the kept output, or to the rejects
//! with a `curation` field naming the filter, the rule and the reason.
//!
//! Steps: [`crate::io::LineReader`] (plain, `.gz`, `.zst`) → [`crate::io::parse_record`]
//! (the text field; a bad line is an error naming `file:line`) → [`Curator::decide`] (the
//! [`StreamFilter`]s in order, the first drop wins) → [`file_io::OutputFile`]s (temporary
//! file, renamed at the end, never over an existing file) → [`CurationStats`].
//!
//! The filters are the ones the loop runs: rules from `crate::rules`, dedup indexes
//! from `crate::dedup` ([`DedupStream`]). Memory stays bounded by the dedup state:
//! rules look at one document at a time, exact dedup keeps a hash per kept text,
//! MinHash keeps an LSH index of kept documents. In a stream the keep policy inside a
//! duplicate cluster is *first seen*: the earliest record in file order is kept and
//! later copies name it. The dedup filters' `history` key (deduplicate against earlier
//! training sets) belongs to the loop and has no effect on a single corpus.
//!
//! ```
//! use genloop_curate::pipeline::{Curator, Decision, Document, Profile};
//!
//! let mut curator = Curator::new(&Profile::Short.filters()).unwrap();
//! let post = "Walked along the harbour this morning and watched the ferry come in.";
//! assert!(matches!(curator.decide(&Document { line: 1, text: post }), Decision::Keep));
//! match curator.decide(&Document { line: 2, text: post }) {
//!     Decision::Drop(rejection) => {
//!         assert_eq!(rejection.rule, "exact_dedup.duplicate");
//!         assert_eq!(rejection.duplicate.unwrap().line, 1);
//!     }
//!     Decision::Keep => unreachable!(),
//! }
//! ```

mod curator;
mod dedup;
mod error;
pub mod file_io;
mod profile;
mod stats;
mod stream;

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use crate::filters::FilterConfig;

pub use curator::{build_stream_filter, Curator, Decision};
pub use dedup::{DedupStream, ExactStream, NearDupStream, StreamDedup};
pub use error::PipelineError;
pub use profile::{profile, Profile, UnknownProfile};
pub use stats::{
    dominant_rule_warnings, render_text, CurationStats, FilterStats, DOMINANT_RULE_SHARE,
};
pub use stream::{Document, Duplicate, Rejection, RuleStream, StreamFilter};

use crate::io::{parse_record, with_curation};
use file_io::{next_line, open_input, OutputFile};

/// Files of one run.
#[derive(Debug, Clone, Copy)]
pub struct CurateFiles<'a> {
    /// JSONL, `.gz` or `.zst`.
    pub input: &'a Path,
    /// Kept records, unchanged.
    pub out: &'a Path,
    /// Dropped records with their `curation` field; not written when `None`.
    pub rejects: Option<&'a Path>,
    /// The field holding the text, usually `text`.
    pub text_field: &'a str,
}

/// The `id` fields of kept records, by line, to name them in duplicate reports. Lines
/// arrive in increasing order, so a sorted vector with binary search suffices.
#[derive(Default)]
struct KeptIds {
    lines: Vec<u64>,
    ids: Vec<Value>,
}

impl KeptIds {
    fn get(&self, line: u64) -> Option<&Value> {
        self.lines
            .binary_search(&line)
            .ok()
            .map(|position| &self.ids[position])
    }
}

/// The `curation` field of a dropped record, fields in this order.
#[derive(Serialize)]
struct CurationField<'a> {
    filter: &'static str,
    rule: &'static str,
    reason: &'a str,
    /// Dedup drops: the kept record it duplicates (line, `id` when it has one) and the
    /// exact Jaccard of their shingle sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    kept_line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kept_id: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jaccard: Option<f64>,
}

fn curation_field(rejection: &Rejection, kept_ids: &KeptIds) -> String {
    let duplicate = rejection.duplicate;
    let field = CurationField {
        filter: rejection.filter,
        rule: rejection.rule,
        reason: &rejection.reason,
        kept_line: duplicate.map(|d| d.line),
        kept_id: duplicate.and_then(|d| kept_ids.get(d.line)),
        jaccard: duplicate.map(|d| d.jaccard),
    };
    serde_json::to_string(&field).expect("plain fields serialise")
}

/// Refuse outputs that are one file or that exist already.
fn check_outputs(files: &CurateFiles<'_>) -> Result<(), PipelineError> {
    if files.rejects == Some(files.out) {
        return Err(PipelineError::SameOutput(files.out.to_owned()));
    }
    for path in std::iter::once(files.out).chain(files.rejects) {
        if path.exists() {
            return Err(PipelineError::OutputExists(path.to_owned()));
        }
    }
    Ok(())
}

/// One run in progress: the chain, the outputs and the counts.
struct Run<'a> {
    files: &'a CurateFiles<'a>,
    curator: Curator,
    out: OutputFile,
    rejects: Option<OutputFile>,
    /// Whether kept ids are worth remembering (a dedup filter names kept records).
    keep_ids: bool,
    kept_ids: KeptIds,
    stats: CurationStats,
}

impl Run<'_> {
    /// Parse, judge and write one input line.
    fn line(&mut self, line: u64, raw: &str) -> Result<(), PipelineError> {
        let fields =
            parse_record(raw, self.files.text_field).map_err(|problem| PipelineError::Record {
                path: self.files.input.to_owned(),
                line,
                problem,
            })?;
        self.stats.documents += 1;
        self.stats.text_bytes += fields.text.len() as u64;
        let document = Document {
            line,
            text: &fields.text,
        };
        match self.curator.decide(&document) {
            Decision::Keep => {
                self.stats.kept += 1;
                self.stats.kept_text_bytes += fields.text.len() as u64;
                if self.keep_ids {
                    if let Some(id) = fields.id.clone() {
                        self.kept_ids.lines.push(line);
                        self.kept_ids.ids.push(id);
                    }
                }
                self.out.write_line(raw)
            }
            Decision::Drop(rejection) => {
                self.stats.dropped += 1;
                match self.rejects.as_mut() {
                    Some(rejects) => {
                        let curation = curation_field(&rejection, &self.kept_ids);
                        rejects.write_line(&with_curation(raw, &fields, &curation))
                    }
                    None => Ok(()),
                }
            }
        }
    }

    /// Rename the outputs into place and hand back the counts.
    fn finish(self) -> Result<CurationStats, PipelineError> {
        if let Some(rejects) = self.rejects {
            rejects.finish()?;
        }
        self.out.finish()?;
        let mut stats = self.stats;
        stats.filters = self.curator.into_stats();
        Ok(stats)
    }
}

/// Curate `files.input` with `filters`: kept records to `files.out`, dropped ones to
/// `files.rejects`. Nothing is written when the filters are refused or an output exists;
/// on a bad record the run stops with `file:line` and the temporary outputs are removed.
pub fn curate(
    filters: &[FilterConfig],
    files: &CurateFiles<'_>,
) -> Result<CurationStats, PipelineError> {
    let started = Instant::now();
    let curator = Curator::new(filters)?;
    check_outputs(files)?;
    let mut reader = open_input(files.input)?;
    let out = OutputFile::create(files.out)?;
    let rejects = files.rejects.map(OutputFile::create).transpose()?;
    let mut run = Run {
        files,
        keep_ids: curator.has_dedup(),
        curator,
        out,
        rejects,
        kept_ids: KeptIds::default(),
        stats: CurationStats {
            input: files.input.display().to_string(),
            documents: 0,
            kept: 0,
            dropped: 0,
            input_bytes: 0,
            text_bytes: 0,
            kept_text_bytes: 0,
            elapsed_seconds: 0.0,
            filters: Vec::new(),
            warnings: Vec::new(),
        },
    };
    while let Some((line, raw)) = next_line(&mut reader)? {
        run.line(line, raw)?;
    }
    run.stats.input_bytes = reader.bytes_read();
    let mut stats = run.finish()?;
    stats.elapsed_seconds = started.elapsed().as_secs_f64();
    stats.warnings = stats::dominant_rule_warnings(&stats);
    Ok(stats)
}
