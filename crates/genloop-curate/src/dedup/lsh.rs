//! LSH banding, verified near-duplicate removal with the keep policy, and the index of
//! earlier pools.
//!
//! Merging rule. datatrove-style pipelines union every LSH candidate pair and drop all
//! but one member per connected component; chains A~B~C then merge A with C although
//! they are not similar (REFERENCE.md §3, "Known defects"). Here documents are visited
//! in keep order, and a document is dropped only if its exact Jaccard with an
//! already-kept document reaches the threshold. Every drop therefore names a kept
//! document at least `threshold` similar to it, and nothing is merged transitively:
//! this is union-find over verified edges restricted to star-shaped clusters around
//! kept documents. It also bounds the work for big clusters: only kept documents sit in
//! the buckets.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::minhash::jaccard;
use super::normalize::hash_bytes;
use super::{DedupRecord, ValidDedupParams};

/// Band buckets over kept documents, with their shingle sets for verification.
#[derive(Debug, Clone, Default)]
struct LshIndex {
    /// Key: hash of (band index, band rows); value: positions in `ids`/`sets`.
    buckets: HashMap<u64, Vec<u32>>,
    ids: Vec<u64>,
    sets: Vec<Vec<u64>>,
}

fn band_keys(signature: &[u64], rows: usize) -> impl Iterator<Item = u64> + '_ {
    signature.chunks(rows).enumerate().map(|(band, values)| {
        let mut bytes = Vec::with_capacity(8 * (values.len() + 1));
        bytes.extend_from_slice(&(band as u64).to_le_bytes());
        for value in values {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        hash_bytes(&bytes)
    })
}

impl LshIndex {
    fn insert(&mut self, id: u64, set: Vec<u64>, signature: &[u64], rows: usize) {
        let position = self.ids.len() as u32;
        self.ids.push(id);
        self.sets.push(set);
        for key in band_keys(signature, rows) {
            self.buckets.entry(key).or_default().push(position);
        }
    }

    /// The most similar indexed document with Jaccard ≥ threshold, as (position,
    /// Jaccard); ties go to the earliest inserted. Candidates come from shared bands
    /// and are all verified.
    fn best_match(
        &self,
        set: &[u64],
        signature: &[u64],
        rows: usize,
        threshold: f64,
    ) -> Option<(usize, f64)> {
        let mut candidates: Vec<u32> = band_keys(signature, rows)
            .filter_map(|key| self.buckets.get(&key))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(usize, f64)> = None;
        for position in candidates {
            let position = position as usize;
            let similarity = jaccard(set, &self.sets[position]);
            if similarity >= threshold && best.is_none_or(|(_, s)| similarity > s) {
                best = Some((position, similarity));
            }
        }
        best
    }
}

/// Result of [`dedup`]: ids kept (ascending) and drops with the kept document that
/// replaces each and their exact Jaccard (sorted by dropped id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupOutcome {
    pub kept: Vec<u64>,
    /// (dropped id, kept id instead, Jaccard ≥ threshold).
    pub dropped: Vec<(u64, u64, f64)>,
}

/// Shingle sets and signatures of `records`, in their order.
fn sketch(records: &[DedupRecord], params: &ValidDedupParams) -> Vec<(Vec<u64>, Vec<u64>)> {
    records
        .iter()
        .map(|record| {
            let set = params.shingles(&record.text);
            let signature = params.hasher().signature(&set);
            (set, signature)
        })
        .collect()
}

/// Remove near-duplicates within `records`, keeping per the keep policy
/// ([`DedupRecord::keep_key`]).
pub fn dedup(records: &[DedupRecord], params: &ValidDedupParams) -> DedupOutcome {
    let rows = params.params().rows;
    let threshold = params.params().threshold;
    let mut sketches = sketch(records, params);
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by_key(|&i| records[i].keep_key());

    let mut index = LshIndex::default();
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for i in order {
        let (set, signature) = std::mem::take(&mut sketches[i]);
        let id = records[i].id;
        match index.best_match(&set, &signature, rows, threshold) {
            Some((position, similarity)) => dropped.push((id, index.ids[position], similarity)),
            None => {
                kept.push(id);
                index.insert(id, set, &signature, rows);
            }
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
    params: ValidDedupParams,
    index: LshIndex,
}

impl DedupIndex {
    pub fn new(params: ValidDedupParams) -> Self {
        Self {
            params,
            index: LshIndex::default(),
        }
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.index.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.ids.is_empty()
    }

    /// Add every record of an earlier pool (deduplicate it first with [`dedup`] to keep
    /// the index small; duplicates inside the index do not change results).
    pub fn add_pool(&mut self, records: &[DedupRecord]) {
        let rows = self.params.params().rows;
        for (record, (set, signature)) in records.iter().zip(sketch(records, &self.params)) {
            self.index.insert(record.id, set, &signature, rows);
        }
    }

    /// Check a new pool against the index only (not against itself); the share
    /// removed is the direct measure of how fresh the pool is (REFERENCE.md §4).
    pub fn check_new(&self, records: &[DedupRecord]) -> FreshnessCheck {
        let rows = self.params.params().rows;
        let threshold = self.params.params().threshold;
        let mut kept = Vec::new();
        let mut removed = Vec::new();
        for (record, (set, signature)) in records.iter().zip(sketch(records, &self.params)) {
            match self.index.best_match(&set, &signature, rows, threshold) {
                Some((position, similarity)) => {
                    removed.push((record.id, self.index.ids[position], similarity));
                }
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
