//! Exact and MinHash dedup as stream filters: the dedup module's indexes
//! ([`crate::dedup::ExactDedup`], [`crate::dedup::NearDupIndex`]) with the keep policy
//! of a stream, *first seen*: the earliest document in file order is kept and every
//! later duplicate of a kept one is dropped, naming it by its line.

use crate::dedup::{Deduplicator, ExactDedup, Match, NearDupIndex};

use super::stream::{Document, Duplicate, Rejection, StreamFilter};

/// How a dedup index names its drops in a stream.
pub trait StreamDedup: Deduplicator + Send {
    /// The filter kind, as configs spell it.
    const KIND: &'static str;

    /// The rule and the reason of a drop against the kept document `found`.
    fn rejection(&self, found: &Match) -> (&'static str, String);
}

impl StreamDedup for ExactDedup {
    const KIND: &'static str = "exact_dedup";

    fn rejection(&self, found: &Match) -> (&'static str, String) {
        let reason = format!("same normalised text as line {}", found.id);
        ("exact_dedup.duplicate", reason)
    }
}

impl StreamDedup for NearDupIndex {
    const KIND: &'static str = "minhash";

    fn rejection(&self, found: &Match) -> (&'static str, String) {
        let reason = format!(
            "Jaccard {:.3} >= {} with line {}",
            found.jaccard,
            self.params().params().threshold,
            found.id
        );
        ("minhash.near_duplicate", reason)
    }
}

/// A dedup index as a stream filter: [`StreamFilter::check`] sketches the document
/// once and looks it up, [`StreamFilter::commit`] indexes it under its line.
#[derive(Debug, Clone)]
pub struct DedupStream<D: Deduplicator> {
    index: D,
    /// Sketch of the document last checked (buffers reused from one to the next).
    sketch: D::Sketch,
    /// Line of the document last checked, while it is not matched.
    pending: Option<u64>,
}

/// Exact dedup of a stream.
pub type ExactStream = DedupStream<ExactDedup>;
/// MinHash-LSH near-dedup of a stream.
pub type NearDupStream = DedupStream<NearDupIndex>;

impl<D: Deduplicator> DedupStream<D> {
    pub fn new(index: D) -> Self {
        DedupStream {
            index,
            sketch: D::Sketch::default(),
            pending: None,
        }
    }

    /// The index of kept documents.
    pub fn index(&self) -> &D {
        &self.index
    }
}

impl<D: StreamDedup> StreamFilter for DedupStream<D>
where
    D::Sketch: Send,
{
    fn kind(&self) -> &'static str {
        D::KIND
    }

    fn check(&mut self, document: &Document<'_>) -> Option<Rejection> {
        self.pending = None;
        self.index.sketch_into(document.text, &mut self.sketch);
        match self.index.best_match(&self.sketch) {
            Some(found) => {
                let (rule, reason) = self.index.rejection(&found);
                Some(Rejection {
                    filter: D::KIND,
                    rule,
                    reason,
                    duplicate: Some(Duplicate {
                        line: found.id,
                        jaccard: found.jaccard,
                    }),
                })
            }
            None => {
                self.pending = Some(document.line);
                None
            }
        }
    }

    fn commit(&mut self) {
        if let Some(line) = self.pending.take() {
            self.index.insert(line, &self.sketch);
        }
    }
}
