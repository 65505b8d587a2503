//! The keep policy, and what exact and near dedup share.
//!
//! A [`Deduplicator`] is an index of kept documents: it sketches a text once (the hash
//! of its normalised text, or its shingles and LSH band keys), names the kept document
//! a sketch duplicates, and indexes a kept one. Both callers visit documents in keep
//! order and index only what they keep, so every drop names a kept document and
//! nothing is merged transitively:
//!
//! - `genloop curate` streams a corpus: the order is the file's, *first seen* wins
//!   (`crate::pipeline`);
//! - the loop judges batches with [`BatchDedup`]: original > fresh > synthetic, then
//!   earliest `created`, then smallest id ([`DedupRecord::keep_key`], docs/formulas.md §6),
//!   with an optional history of earlier training sets.

use serde::{Deserialize, Serialize};

/// Where a document comes from; the keep policy prefers them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Original human text (the first pool).
    Original,
    /// Human text collected later.
    Fresh,
    /// Model-generated text.
    Synthetic,
}

/// One document offered for deduplication: its text and its keep priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupRecord {
    pub id: u64,
    pub text: String,
    pub origin: Origin,
    /// Creation time (any monotone unit, e.g. generation or Unix seconds).
    pub created: u64,
}

impl DedupRecord {
    /// Sort key of the keep policy: original > fresh > synthetic, then earliest
    /// `created`, then smallest id (docs/formulas.md §6). Smaller keys are kept.
    pub fn keep_key(&self) -> (Origin, u64, u64) {
        (self.origin, self.created, self.id)
    }
}

/// The kept document a dropped one duplicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// The id it was kept under (a record id, or an input line in a stream).
    pub id: u64,
    /// Exact Jaccard of the shingle sets (1 for exact duplicates).
    pub jaccard: f64,
}

/// An index of kept documents: exact ([`super::ExactDedup`]) or MinHash-LSH
/// ([`super::NearDupIndex`]).
pub trait Deduplicator {
    /// What is computed once per document and kept to index it.
    type Sketch: Default + Clone + Send;

    /// The sketch of `text` into `sketch` (its buffers are reused).
    fn sketch_into(&mut self, text: &str, sketch: &mut Self::Sketch);

    /// The kept document `sketch` duplicates, if any (the most similar; the earliest
    /// indexed on ties).
    fn best_match(&mut self, sketch: &Self::Sketch) -> Option<Match>;

    /// Index a kept document under `id`.
    fn insert(&mut self, id: u64, sketch: &Self::Sketch);

    /// An empty index with the same settings.
    fn empty(&self) -> Self;

    /// The sketch of `text`.
    fn sketch(&mut self, text: &str) -> Self::Sketch {
        let mut sketch = Self::Sketch::default();
        self.sketch_into(text, &mut sketch);
        sketch
    }
}

/// Why [`BatchDedup::judge`] dropped a record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BatchDrop {
    /// It duplicates a document of an earlier training set.
    History(Match),
    /// It duplicates a record of the batch kept before it (`Match::id` is that
    /// record's id).
    Duplicate(Match),
}

/// A batch judged: each record's drop (in the order given) and its sketch.
#[derive(Debug, Clone)]
pub struct BatchJudgement<S> {
    pub drops: Vec<Option<BatchDrop>>,
    pub sketches: Vec<S>,
}

/// Deduplication of whole batches with the keep policy, within a batch and (with a
/// history) against every document admitted before.
#[derive(Debug, Clone)]
pub struct BatchDedup<D> {
    /// An empty index: batches start from copies of it, and it sketches.
    empty: D,
    history: Option<D>,
}

impl<D: Deduplicator> BatchDedup<D> {
    /// Deduplicate batches with `index`'s settings (an empty index); with `history`,
    /// also against every document [`BatchDedup::admit`]ted.
    pub fn new(index: D, history: bool) -> Self {
        BatchDedup {
            history: history.then(|| index.empty()),
            empty: index,
        }
    }

    pub fn has_history(&self) -> bool {
        self.history.is_some()
    }

    /// The sketch of a text that was never judged.
    pub fn sketch(&mut self, text: &str) -> D::Sketch {
        self.empty.sketch(text)
    }

    /// Judge `records` in keep order: a record is dropped when it duplicates a
    /// document of the history, else when it duplicates a record kept before it.
    /// Every record is sketched once.
    pub fn judge(&mut self, records: &[DedupRecord]) -> BatchJudgement<D::Sketch> {
        let sketches: Vec<D::Sketch> = records
            .iter()
            .map(|record| self.empty.sketch(&record.text))
            .collect();
        let mut order: Vec<usize> = (0..records.len()).collect();
        order.sort_by_key(|&i| records[i].keep_key());
        let mut kept = self.empty.empty();
        let mut drops = vec![None; records.len()];
        for i in order {
            let history = self.history.as_mut();
            drops[i] = match history.and_then(|index| index.best_match(&sketches[i])) {
                Some(found) => Some(BatchDrop::History(found)),
                None => kept.best_match(&sketches[i]).map(BatchDrop::Duplicate),
            };
            if drops[i].is_none() {
                kept.insert(records[i].id, &sketches[i]);
            }
        }
        BatchJudgement { drops, sketches }
    }

    /// Add a document that was trained on to the history (nothing without one).
    pub fn admit(&mut self, id: u64, sketch: &D::Sketch) {
        if let Some(history) = &mut self.history {
            history.insert(id, sketch);
        }
    }
}
