//! Exact dedup as a stream stage: the hash of the normalised text (equal to
//! [`crate::dedup::exact_hash`], REFERENCE.md §4) of every kept document, mapped to its
//! line. Memory: one 16-byte entry per distinct kept text.

use super::prehashed::PrehashedMap;
use super::stage::{Document, Duplicate, Rejection, Stage};
use crate::dedup::{hash_bytes, normalize_into};

/// Drops a document whose normalised text equals that of an earlier kept one.
#[derive(Debug, Default)]
pub struct ExactStage {
    first_line_by_hash: PrehashedMap<u64>,
    /// Normalised text of the document being checked and its words (reused buffers).
    normalized: String,
    words: Vec<(usize, usize)>,
    /// (hash, line) of the document last checked and not found.
    pending: Option<(u64, u64)>,
}

impl ExactStage {
    /// Number of distinct kept texts.
    pub fn len(&self) -> usize {
        self.first_line_by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first_line_by_hash.is_empty()
    }
}

impl Stage for ExactStage {
    fn kind(&self) -> &'static str {
        "exact_dedup"
    }

    fn check(&mut self, document: &Document<'_>) -> Option<Rejection> {
        normalize_into(document.text, &mut self.normalized, &mut self.words);
        let hash = hash_bytes(self.normalized.as_bytes());
        self.pending = None;
        match self.first_line_by_hash.get(&hash) {
            Some(&line) => Some(Rejection {
                filter: self.kind(),
                rule: "exact_dedup.duplicate",
                reason: format!("same normalised text as line {line}"),
                duplicate: Some(Duplicate { line, jaccard: 1.0 }),
            }),
            None => {
                self.pending = Some((hash, document.line));
                None
            }
        }
    }

    fn commit(&mut self) {
        if let Some((hash, line)) = self.pending.take() {
            self.first_line_by_hash.insert(hash, line);
        }
    }
}
