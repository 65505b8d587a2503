//! Deduplication (docs/formulas.md §6): exact hashing of normalised text, and MinHash LSH
//! near-duplicate detection whose candidates are always verified with exact Jaccard
//! before a document is dropped.
//!
//! One implementation of each serves the loop and `genloop curate`: [`ExactDedup`]
//! (`exact.rs`) and [`NearDupIndex`] (`near_dup.rs`) are indexes of kept documents
//! ([`Deduplicator`]); the keep policy (`kept.rs`) decides the order they see
//! documents in — file order in a stream, [`Origin`] then `created` then id over a
//! batch ([`BatchDedup`]).
//!
//! Steps: [`normalize`] → word shingles → [`MinHasher`] signature → LSH bands
//! ([`Sketch`], computed once per document) → verified Jaccard ≥ threshold → keep
//! policy. [`DedupIndex`] holds earlier pools; the share of a new pool it removes
//! measures how fresh that pool is.
//!
//! ```
//! use genloop_curate::dedup::{dedup, DedupParams, DedupRecord, Origin};
//! let params = DedupParams::default().check().unwrap();
//! let text = "the quick brown fox jumps over the lazy dog again and again";
//! let records = vec![
//!     DedupRecord { id: 1, text: text.into(), origin: Origin::Synthetic, created: 0 },
//!     DedupRecord { id: 2, text: text.into(), origin: Origin::Original, created: 5 },
//! ];
//! let outcome = dedup(&records, &params);
//! assert_eq!(outcome.kept, vec![2]);
//! assert_eq!(outcome.dropped, vec![(1, 2, 1.0)]);
//! ```

mod buckets;
mod exact;
mod kept;
mod minhash;
mod near_dup;
mod normalize;
mod pool;
mod prehashed;
mod signer;
mod sketch;
#[cfg(test)]
mod tests;

pub use exact::ExactDedup;
pub use kept::{BatchDedup, BatchDrop, BatchJudgement, DedupRecord, Deduplicator, Match, Origin};
pub use minhash::{
    candidate_probability, jaccard, lsh_error, optimal_bands_rows, shingles, shingles_into,
    MinHasher, MERSENNE_61,
};
pub use near_dup::NearDupIndex;
pub use normalize::{exact_hash, hash_bytes, mix64, normalize, normalize_into};
pub use pool::{dedup, DedupIndex, DedupOutcome, FreshnessCheck};
pub use sketch::{Sketch, Sketcher};

use serde::{Deserialize, Serialize};

/// Settings of near-duplicate detection; [`DedupParams::check`] turns them into
/// [`ValidDedupParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DedupParams {
    /// Exact Jaccard similarity at or above which a candidate is a duplicate.
    pub threshold: f64,
    /// LSH bands; bands × rows MinHash permutations in all.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
    /// Words per shingle for ordinary texts.
    pub shingle_words: usize,
    /// Words per shingle for texts shorter than `short_text_words`.
    pub short_shingle_words: usize,
    /// Texts with fewer words than this use `short_shingle_words`. 50 is Gopher's
    /// minimum document length: below it 5-word shingles are too few to compare.
    pub short_text_words: usize,
    /// Seed of the permutations; same seed and input give identical output.
    pub seed: u64,
}

impl Default for DedupParams {
    fn default() -> Self {
        Self {
            threshold: 0.7,
            bands: 14,
            rows: 8,
            shingle_words: 5,
            short_shingle_words: 3,
            short_text_words: 50,
            seed: 0x6765_6e6c_6f6f_7000,
        }
    }
}

/// Why a [`DedupParams`] was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DedupError {
    #[error("dedup threshold {0} is outside (0, 1]; 0.7 is the usual value")]
    Threshold(f64),
    #[error("dedup {name} = 0; it must be at least 1 (defaults: bands 14, rows 8, shingle_words 5, short_shingle_words 3)")]
    Zero { name: &'static str },
}

impl DedupParams {
    pub fn check(self) -> Result<ValidDedupParams, DedupError> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(DedupError::Threshold(self.threshold));
        }
        for (name, value) in [
            ("bands", self.bands),
            ("rows", self.rows),
            ("shingle_words", self.shingle_words),
            ("short_shingle_words", self.short_shingle_words),
        ] {
            if value == 0 {
                return Err(DedupError::Zero { name });
            }
        }
        let hasher = MinHasher::new(self.bands * self.rows, self.seed);
        Ok(ValidDedupParams {
            params: self,
            hasher,
        })
    }
}

/// Checked parameters with their permutations drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDedupParams {
    params: DedupParams,
    hasher: MinHasher,
}

impl ValidDedupParams {
    pub fn params(&self) -> &DedupParams {
        &self.params
    }

    /// Shingle set of a text under these parameters.
    pub fn shingles(&self, text: &str) -> Vec<u64> {
        let p = &self.params;
        shingles(
            text,
            p.shingle_words,
            p.short_shingle_words,
            p.short_text_words,
        )
    }

    pub fn hasher(&self) -> &MinHasher {
        &self.hasher
    }
}
