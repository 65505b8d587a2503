//! One stream filter per `[[filters]]` table. A stream filter decides about one
//! document at a time; dedup filters also remember the documents the whole chain kept,
//! so the check is split in two: [`StreamFilter::check`] decides,
//! [`StreamFilter::commit`] records a kept document. Without the split, a document
//! dropped by a later filter would still be indexed, and a later copy of it would be
//! reported as a duplicate of a record that is not in the output.

use crate::rules::{Rule, Verdict};

/// The kept document a dropped one duplicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Duplicate {
    /// Input line of the kept document.
    pub line: u64,
    /// Exact Jaccard of the shingle sets (1 for exact duplicates).
    pub jaccard: f64,
}

/// Why a filter dropped a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The filter kind, such as `c4` or `minhash`.
    pub filter: &'static str,
    /// Stable rule name, such as `gopher_quality.min_words` or `minhash.near_duplicate`.
    pub rule: &'static str,
    /// The measured value against its threshold.
    pub reason: String,
    pub duplicate: Option<Duplicate>,
}

/// A document as the stream filters see it.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// 1-based input line; dedup filters name kept documents by it.
    pub line: u64,
    pub text: &'a str,
}

/// One step of the corpus curation chain.
pub trait StreamFilter: Send {
    /// The filter kind, as configs spell it.
    fn kind(&self) -> &'static str;

    /// Keep (`None`) or drop the document. Dedup filters keep what they computed for
    /// it until the next call, for [`StreamFilter::commit`].
    fn check(&mut self, document: &Document<'_>) -> Option<Rejection>;

    /// The document last checked was kept by every filter. Rule filters have nothing
    /// to remember.
    fn commit(&mut self) {}
}

/// A quality rule set as a stream filter.
pub struct RuleStream {
    kind: &'static str,
    rule: Box<dyn Rule>,
}

impl RuleStream {
    pub fn new(kind: &'static str, rule: Box<dyn Rule>) -> Self {
        RuleStream { kind, rule }
    }
}

impl StreamFilter for RuleStream {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn check(&mut self, document: &Document<'_>) -> Option<Rejection> {
        match self.rule.check(document.text) {
            Verdict::Keep => None,
            Verdict::Drop { rule, reason } => Some(Rejection {
                filter: self.kind,
                rule,
                reason,
                duplicate: None,
            }),
        }
    }
}
