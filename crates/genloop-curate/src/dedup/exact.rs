//! Exact dedup (docs/formulas.md §6): the hash of the normalised text of every kept
//! document, mapped to the id it was kept under. The corpus pipeline streams documents
//! through it (first seen wins); the loop runs it in keep order over a batch
//! ([`super::kept`]).
//!
//! A 64-bit hash over n documents collides with probability about n²/2⁶⁵ (≈ 3·10⁻⁸ for
//! a million documents), so the hash alone stands for the text. Memory: one 16-byte
//! entry per distinct kept text.

use super::kept::{Deduplicator, Match};
use super::normalize::{hash_bytes, normalize_into};
use super::prehashed::PrehashedMap;

/// Kept documents by the hash of their normalised text.
#[derive(Debug, Clone, Default)]
pub struct ExactDedup {
    first_by_hash: PrehashedMap<u64>,
    /// Normalised text of the document being hashed and its words (reused buffers).
    normalized: String,
    words: Vec<(usize, usize)>,
}

impl ExactDedup {
    pub fn new() -> Self {
        Self::default()
    }

    /// Hash of the normalised text; equal to [`super::exact_hash`], without
    /// allocating.
    pub fn hash(&mut self, text: &str) -> u64 {
        normalize_into(text, &mut self.normalized, &mut self.words);
        hash_bytes(self.normalized.as_bytes())
    }

    /// The id a text with this hash was kept under.
    pub fn get(&self, hash: u64) -> Option<u64> {
        self.first_by_hash.get(&hash).copied()
    }

    /// Record `text` under `id`; returns the id of the first document with the same
    /// normalised text, or `None` when this is the first.
    pub fn insert(&mut self, id: u64, text: &str) -> Option<u64> {
        let hash = self.hash(text);
        match self.get(hash) {
            Some(first) => Some(first),
            None => {
                self.first_by_hash.insert(hash, id);
                None
            }
        }
    }

    /// Number of distinct normalised texts kept.
    pub fn len(&self) -> usize {
        self.first_by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first_by_hash.is_empty()
    }
}

impl Deduplicator for ExactDedup {
    /// The hash of the normalised text.
    type Sketch = u64;

    fn sketch_into(&mut self, text: &str, sketch: &mut u64) {
        *sketch = self.hash(text);
    }

    fn best_match(&mut self, sketch: &u64) -> Option<Match> {
        self.get(*sketch).map(|id| Match { id, jaccard: 1.0 })
    }

    fn insert(&mut self, id: u64, sketch: &u64) {
        self.first_by_hash.entry(*sketch).or_insert(id);
    }

    fn empty(&self) -> Self {
        ExactDedup::new()
    }
}
