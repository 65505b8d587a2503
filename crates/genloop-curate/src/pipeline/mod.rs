//! The corpus curation pipeline behind `genloop curate`: a JSONL corpus streams through
//! a chain of filters — quality rules (REFERENCE.md §3), then exact and MinHash dedup
//! (§4) — and each record is written unchanged to the kept output, or to the rejects
//! with a `curation` field naming the filter, the rule and the reason.
//!
//! Steps: [`crate::io::LineReader`] (plain, `.gz`, `.zst`) → [`crate::io::parse_record`]
//! (the text field; a bad line is an error naming `file:line`) → [`Curator::decide`] (the
//! [`Stage`]s in order, the first drop wins) → [`file_io::OutputFile`]s (temporary file,
//! renamed at the end, never over an existing file) → [`CurationStats`].
//!
//! Memory stays bounded by the dedup state: rules look at one document at a time, exact
//! dedup keeps a hash per kept text, MinHash keeps an LSH index of kept documents
//! ([`near_dup`]). In a stream the keep policy inside a duplicate cluster is *first
//! seen*: the earliest record in file order is kept and later copies name it. The dedup
//! filters' `history` key (deduplicate against earlier training sets) belongs to the
//! loop and has no effect on a single corpus.
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

mod buckets;
mod error;
mod exact;
pub mod file_io;
pub mod near_dup;
mod prehashed;
mod profile;
mod sketch;
mod stage;
mod stats;

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use crate::filters::FilterConfig;

pub use error::PipelineError;
pub use exact::ExactStage;
pub use near_dup::{NearDupIndex, NearDupStage};
pub use profile::{profile, Profile, UnknownProfile};
pub use sketch::Sketcher;
pub use stage::{build_stage, Document, Duplicate, Rejection, RuleStage, Stage};
pub use stats::{render_text, CurationStats, FilterStats};

use crate::io::{parse_record, with_curation};
use file_io::{next_line, open_input, OutputFile};

/// What the chain decided about one document.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Keep,
    Drop(Rejection),
}

/// The filter chain with its per-filter counts.
pub struct Curator {
    stages: Vec<Box<dyn Stage>>,
    stats: Vec<FilterStats>,
}

impl Curator {
    /// Build the chain; model-based filter kinds and bad dedup parameters are refused.
    pub fn new(filters: &[FilterConfig]) -> Result<Curator, PipelineError> {
        let stages = filters
            .iter()
            .map(build_stage)
            .collect::<Result<Vec<_>, _>>()?;
        let stats = stages
            .iter()
            .map(|stage| FilterStats::new(stage.kind()))
            .collect();
        Ok(Curator { stages, stats })
    }

    /// Whether a stage names kept documents (dedup), so their ids are worth keeping.
    fn has_dedup(&self) -> bool {
        self.stages
            .iter()
            .any(|stage| matches!(stage.kind(), "exact_dedup" | "minhash"))
    }

    /// Run the stages in order on one document; the first drop wins. A kept document
    /// is recorded by the dedup stages, so later copies are dropped against it.
    pub fn decide(&mut self, document: &Document<'_>) -> Decision {
        for (stage, stats) in self.stages.iter_mut().zip(&mut self.stats) {
            stats.checked += 1;
            if let Some(rejection) = stage.check(document) {
                stats.dropped += 1;
                *stats.by_rule.entry(rejection.rule.to_string()).or_default() += 1;
                return Decision::Drop(rejection);
            }
        }
        for stage in &mut self.stages {
            stage.commit();
        }
        Decision::Keep
    }

    /// Counts per filter so far, in chain order.
    pub fn filter_stats(&self) -> &[FilterStats] {
        &self.stats
    }
}

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

/// Curate `files.input` with `filters`: kept records to `files.out`, dropped ones to
/// `files.rejects`. Nothing is written when the filters are refused or an output exists;
/// on a bad record the run stops with `file:line` and the temporary outputs are removed.
pub fn curate(
    filters: &[FilterConfig],
    files: &CurateFiles<'_>,
) -> Result<CurationStats, PipelineError> {
    let started = Instant::now();
    let mut curator = Curator::new(filters)?;
    if files.rejects == Some(files.out) {
        return Err(PipelineError::SameOutput(files.out.to_owned()));
    }
    for path in std::iter::once(files.out).chain(files.rejects) {
        if path.exists() {
            return Err(PipelineError::OutputExists(path.to_owned()));
        }
    }
    let mut reader = open_input(files.input)?;
    let mut out = OutputFile::create(files.out)?;
    let mut rejects = files.rejects.map(OutputFile::create).transpose()?;
    let keep_ids = curator.has_dedup();
    let mut kept_ids = KeptIds::default();
    let mut stats = CurationStats {
        input: files.input.display().to_string(),
        documents: 0,
        kept: 0,
        dropped: 0,
        input_bytes: 0,
        text_bytes: 0,
        kept_text_bytes: 0,
        elapsed_seconds: 0.0,
        filters: Vec::new(),
    };

    while let Some((line, raw)) = next_line(&mut reader)? {
        let fields =
            parse_record(raw, files.text_field).map_err(|problem| PipelineError::Record {
                path: files.input.to_owned(),
                line,
                problem,
            })?;
        stats.documents += 1;
        stats.text_bytes += fields.text.len() as u64;
        let document = Document {
            line,
            text: &fields.text,
        };
        match curator.decide(&document) {
            Decision::Keep => {
                stats.kept += 1;
                stats.kept_text_bytes += fields.text.len() as u64;
                if keep_ids {
                    if let Some(id) = fields.id.clone() {
                        kept_ids.lines.push(line);
                        kept_ids.ids.push(id);
                    }
                }
                out.write_line(raw)?;
            }
            Decision::Drop(rejection) => {
                stats.dropped += 1;
                if let Some(rejects) = rejects.as_mut() {
                    let curation = curation_field(&rejection, &kept_ids);
                    rejects.write_line(&with_curation(raw, &fields, &curation))?;
                }
            }
        }
    }
    stats.input_bytes = reader.bytes_read();
    if let Some(rejects) = rejects {
        rejects.finish()?;
    }
    out.finish()?;
    stats.filters = curator.stats;
    stats.elapsed_seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}
