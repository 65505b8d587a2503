//! MinHash-LSH near-dedup (docs/formulas.md §6): an incremental index of kept documents
//! with the shingles and [`super::MinHasher`] signatures of [`super::Sketcher`] and
//! exact [`super::jaccard`]. A document is a duplicate when its exact Jaccard with a
//! kept document reaches the threshold; the most similar kept document is named (the
//! earliest indexed on ties). Only kept documents are indexed and every candidate is
//! verified, so nothing is merged transitively (no A~B~C chains). The caller picks the
//! order (the keep policy, [`super::kept`]): file order in `genloop curate`, keep
//! order over a batch in the loop.
//!
//! Memory per kept document: its shingle hashes (8 bytes each, about 28 for a 30-word
//! post), one bucket link per band (4 bytes) and one table slot per distinct band key
//! (8 bytes at a load between ¼ and ½): ≈ 0.7 kB for a short post (590 MB for 858 k
//! kept posts in bench/README.md).

use super::buckets::BandBuckets;
use super::kept::{Deduplicator, Match};
use super::minhash::jaccard;
use super::sketch::{Sketch, Sketcher};
use super::ValidDedupParams;

/// End of a bucket's chain.
const NONE: u32 = u32::MAX;

/// An incremental LSH index over kept documents. Buckets are chains threaded through
/// one flat array (entry = document × bands + band), so a bucket costs one table slot
/// and no allocation of its own.
#[derive(Debug, Clone)]
pub struct NearDupIndex {
    sketcher: Sketcher,
    /// Band key → newest entry of its bucket.
    buckets: BandBuckets,
    /// Entry → the previous entry of the same bucket, or [`NONE`].
    next: Vec<u32>,
    /// Document → the id it was kept under (an input line in a stream).
    ids: Vec<u64>,
    /// Document d's shingles are `shingles[offsets[d]..offsets[d + 1]]`.
    offsets: Vec<usize>,
    shingles: Vec<u64>,
    /// Bucket heads and candidate documents of the current query (reused buffers).
    heads: Vec<Option<u32>>,
    candidates: Vec<u32>,
}

impl NearDupIndex {
    pub fn new(params: ValidDedupParams) -> Self {
        NearDupIndex {
            sketcher: Sketcher::new(params),
            buckets: BandBuckets::default(),
            next: Vec::new(),
            ids: Vec::new(),
            offsets: vec![0],
            shingles: Vec::new(),
            heads: Vec::new(),
            candidates: Vec::new(),
        }
    }

    pub fn params(&self) -> &ValidDedupParams {
        self.sketcher.params()
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Shingles, MinHash signature and band keys of a text into `sketch` (its buffers
    /// are reused).
    pub fn sketch_into(&mut self, text: &str, sketch: &mut Sketch) {
        self.sketcher.sketch_into(text, sketch);
    }

    /// Shingles, MinHash signature and band keys of a text.
    pub fn sketch(&mut self, text: &str) -> Sketch {
        let mut sketch = Sketch::default();
        self.sketch_into(text, &mut sketch);
        sketch
    }

    /// The most similar indexed document with exact Jaccard ≥ threshold, as (its id,
    /// Jaccard); the earliest indexed wins ties.
    pub fn best_match(&mut self, sketch: &Sketch) -> Option<Match> {
        let bands = sketch.band_keys.len();
        self.candidates.clear();
        self.buckets.heads(&sketch.band_keys, &mut self.heads);
        for head in &self.heads {
            let mut entry = head.unwrap_or(NONE);
            while entry != NONE {
                self.candidates.push(entry / bands as u32);
                entry = self.next[entry as usize];
            }
        }
        self.candidates.sort_unstable();
        self.candidates.dedup();
        let threshold = self.sketcher.params().params().threshold;
        let mut best: Option<(u32, f64)> = None;
        for &document in &self.candidates {
            let d = document as usize;
            let similarity = jaccard(
                &sketch.shingles,
                &self.shingles[self.offsets[d]..self.offsets[d + 1]],
            );
            if similarity >= threshold && best.is_none_or(|(_, s)| similarity > s) {
                best = Some((document, similarity));
            }
        }
        best.map(|(document, jaccard)| Match {
            id: self.ids[document as usize],
            jaccard,
        })
    }

    /// Index a kept document under `id`.
    ///
    /// # Panics
    /// Past 2³² entries (≈ 306 M documents at 14 bands), far beyond the memory of
    /// one process for such an index.
    pub fn insert(&mut self, id: u64, sketch: &Sketch) {
        let first_entry = self.next.len();
        for (band, key) in sketch.band_keys.iter().enumerate() {
            let entry = u32::try_from(first_entry + band)
                .ok()
                .filter(|&entry| entry != NONE)
                .expect("near-dup index is limited to 2^32 - 1 band entries");
            let previous = self.buckets.push(*key, entry).unwrap_or(NONE);
            self.next.push(previous);
        }
        self.ids.push(id);
        self.shingles.extend_from_slice(&sketch.shingles);
        self.offsets.push(self.shingles.len());
    }
}

impl Deduplicator for NearDupIndex {
    type Sketch = Sketch;

    fn sketch_into(&mut self, text: &str, sketch: &mut Sketch) {
        NearDupIndex::sketch_into(self, text, sketch);
    }

    fn best_match(&mut self, sketch: &Sketch) -> Option<Match> {
        NearDupIndex::best_match(self, sketch)
    }

    fn insert(&mut self, id: u64, sketch: &Sketch) {
        NearDupIndex::insert(self, id, sketch);
    }

    fn empty(&self) -> Self {
        NearDupIndex::new(self.params().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::DedupParams;

    fn index() -> NearDupIndex {
        NearDupIndex::new(DedupParams::default().check().unwrap())
    }

    #[test]
    fn finds_the_closest_kept_document_and_only_after_insert() {
        let mut index = index();
        let kept = "the old lighthouse keeper climbed the stairs every evening to light the lamp";
        let near = "the old lighthouse keeper climbed the stairs every evening to light the lamps";
        let other = "a recipe for bread needs flour water salt yeast and a warm place to rise";
        let near_sketch = index.sketch(near);
        assert_eq!(index.best_match(&near_sketch), None);
        let kept_sketch = index.sketch(kept);
        index.insert(10, &kept_sketch);
        let other_sketch = index.sketch(other);
        index.insert(11, &other_sketch);
        let found = index
            .best_match(&near_sketch)
            .expect("near duplicate found");
        assert_eq!(found.id, 10);
        let expected = jaccard(&near_sketch.shingles, &kept_sketch.shingles);
        assert_eq!(found.jaccard, expected);
        assert!((0.7..1.0).contains(&expected), "{expected}");
        let unrelated = index.sketch("an unrelated sentence about tides and moons and the sea");
        assert_eq!(index.best_match(&unrelated), None);
    }

    #[test]
    fn ties_go_to_the_earliest_kept_document() {
        let mut index = index();
        let text = "seven swans swimming slowly across the silent silver lake at dawn today";
        let sketch = index.sketch(text);
        index.insert(3, &sketch);
        index.insert(8, &sketch);
        assert_eq!(
            index.best_match(&sketch),
            Some(Match {
                id: 3,
                jaccard: 1.0
            })
        );
    }
}
