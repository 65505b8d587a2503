//! Near-dedup of whole pools with the keep policy ([`dedup`]), and the index of earlier
//! pools that measures how fresh a new one is ([`DedupIndex`]); both run on
//! [`NearDupIndex`] with [`BatchDedup`].
//!
//! Merging rule. datatrove-style pipelines union every LSH candidate pair and drop all
//! but one member per connected component; chains A~B~C then merge A with C although
//! they are not similar (docs/formulas.md §5, "Known defects"). Here documents are visited
//! in keep order, and a document is dropped only if its exact Jaccard with an
//! already-kept document reaches the threshold. Every drop therefore names a kept
//! document at least `threshold` similar to it, and nothing is merged transitively:
//! this is union-find over verified edges restricted to star-shaped clusters around
//! kept documents. It also bounds the work for big clusters: only kept documents sit in
//! the buckets.

use serde::{Deserialize, Serialize};

use super::kept::{BatchDedup, BatchDrop, DedupRecord};
use super::near_dup::NearDupIndex;
use super::ValidDedupParams;

/// Result of [`dedup`]: ids kept (ascending) and drops with the kept document that
/// replaces each and their exact Jaccard (sorted by dropped id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupOutcome {
    pub kept: Vec<u64>,
    /// (dropped id, kept id instead, Jaccard ≥ threshold).
    pub dropped: Vec<(u64, u64, f64)>,
}

/// Remove near-duplicates within `records`, keeping per the keep policy
/// ([`DedupRecord::keep_key`]).
pub fn dedup(records: &[DedupRecord], params: &ValidDedupParams) -> DedupOutcome {
    let mut batch = BatchDedup::new(NearDupIndex::new(params.clone()), false);
    let judgement = batch.judge(records);
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for (record, drop) in records.iter().zip(judgement.drops) {
        match drop {
            Some(BatchDrop::Duplicate(found) | BatchDrop::History(found)) => {
                dropped.push((record.id, found.id, found.jaccard));
            }
            None => kept.push(record.id),
        }
    }
    kept.sort_unstable();
    dropped.sort_by_key(|&(id, instead, _)| (id, instead));
    DedupOutcome { kept, dropped }
}

/// Result of [`DedupIndex::check_new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FreshnessCheck {
    /// Ids of the new records with no near-duplicate in the index (ascending).
    pub kept: Vec<u64>,
    /// (new id, indexed id it duplicates, Jaccard), sorted by new id.
    pub removed: Vec<(u64, u64, f64)>,
    /// removed / offered, in [0, 1]; lower is fresher. 0 for an empty pool.
    pub removed_share: f64,
}

/// Index of earlier pools to deduplicate new data against (datatrove `index_folder`).
#[derive(Debug, Clone)]
pub struct DedupIndex {
    index: NearDupIndex,
}

impl DedupIndex {
    pub fn new(params: ValidDedupParams) -> Self {
        Self {
            index: NearDupIndex::new(params),
        }
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Add every record of an earlier pool (deduplicate it first with [`dedup`] to keep
    /// the index small; duplicates inside the index do not change results).
    pub fn add_pool(&mut self, records: &[DedupRecord]) {
        for record in records {
            let sketch = self.index.sketch(&record.text);
            self.index.insert(record.id, &sketch);
        }
    }

    /// Check a new pool against the index only (not against itself); the share
    /// removed is the direct measure of how fresh the pool is (docs/formulas.md §6).
    pub fn check_new(&mut self, records: &[DedupRecord]) -> FreshnessCheck {
        let mut kept = Vec::new();
        let mut removed = Vec::new();
        for record in records {
            let sketch = self.index.sketch(&record.text);
            match self.index.best_match(&sketch) {
                Some(found) => removed.push((record.id, found.id, found.jaccard)),
                None => kept.push(record.id),
            }
        }
        kept.sort_unstable();
        removed.sort_by_key(|&(id, instead, _)| (id, instead));
        let removed_share = if records.is_empty() {
            0.0
        } else {
            removed.len() as f64 / records.len() as f64
        };
        FreshnessCheck {
            kept,
            removed,
            removed_share,
        }
    }
}
