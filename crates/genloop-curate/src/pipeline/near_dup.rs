//! MinHash-LSH near-dedup as a stream stage (REFERENCE.md §4) with the dedup module's
//! shingles and [`crate::dedup::MinHasher`] signatures (computed by
//! [`super::Sketcher`], equal bit for bit) and exact [`crate::dedup::jaccard`].
//!
//! [`crate::dedup::dedup`] sorts a whole pool by the keep policy before indexing; a
//! stream cannot, so here the keep policy is *first seen*: the earliest document in
//! file order is kept and every later one whose exact Jaccard with a kept document
//! reaches the threshold is dropped, naming the most similar kept document (the
//! earliest on ties). As in `dedup`, only kept documents are indexed and every
//! candidate is verified, so nothing is merged transitively (no A~B~C chains).
//!
//! Memory per kept document: its shingle hashes (8 bytes each, about 28 for a 30-word
//! post), one bucket link per band (4 bytes) and one table slot per distinct band key
//! (8 bytes at a load between ¼ and ½): ≈ 0.7 kB for a short post (590 MB for 858 k
//! kept posts in bench/README.md).

use crate::dedup::{jaccard, ValidDedupParams};

use super::buckets::BandBuckets;
use super::sketch::Sketcher;
use super::stage::{Document, Duplicate, Rejection, Stage};

/// End of a bucket's chain.
const NONE: u32 = u32::MAX;

/// Shingle set and band keys of one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sketch {
    pub shingles: Vec<u64>,
    pub band_keys: Vec<u64>,
}

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
    /// Document → its input line.
    lines: Vec<u64>,
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
            lines: Vec::new(),
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
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Shingles, MinHash signature and band keys of a text into `sketch` (its buffers
    /// are reused).
    pub fn sketch_into(&mut self, text: &str, sketch: &mut Sketch) {
        self.sketcher.shingles_into(text, &mut sketch.shingles);
        self.sketcher
            .band_keys_into(&sketch.shingles, &mut sketch.band_keys);
    }

    /// Shingles, MinHash signature and band keys of a text.
    pub fn sketch(&mut self, text: &str) -> Sketch {
        let mut sketch = Sketch::default();
        self.sketch_into(text, &mut sketch);
        sketch
    }

    /// The most similar indexed document with exact Jaccard ≥ threshold, as (its line,
    /// Jaccard); the earliest indexed wins ties.
    pub fn best_match(&mut self, sketch: &Sketch) -> Option<Duplicate> {
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
        best.map(|(document, jaccard)| Duplicate {
            line: self.lines[document as usize],
            jaccard,
        })
    }

    /// Index a kept document.
    ///
    /// # Panics
    /// Past 2³² entries (≈ 306 M documents at 14 bands), far beyond the memory of
    /// one process for such an index.
    pub fn insert(&mut self, line: u64, sketch: &Sketch) {
        let first_entry = self.next.len();
        for (band, key) in sketch.band_keys.iter().enumerate() {
            let entry = u32::try_from(first_entry + band)
                .ok()
                .filter(|&entry| entry != NONE)
                .expect("near-dup index is limited to 2^32 - 1 band entries");
            let previous = self.buckets.push(*key, entry).unwrap_or(NONE);
            self.next.push(previous);
        }
        self.lines.push(line);
        self.shingles.extend_from_slice(&sketch.shingles);
        self.offsets.push(self.shingles.len());
    }
}

/// Drops a document whose verified Jaccard with an earlier kept one reaches the
/// threshold.
#[derive(Debug, Clone)]
pub struct NearDupStage {
    index: NearDupIndex,
    /// Sketch of the document last checked (buffers reused from one to the next).
    sketch: Sketch,
    /// Line of the document last checked, while it is not matched.
    pending: Option<u64>,
}

impl NearDupStage {
    pub fn new(params: ValidDedupParams) -> Self {
        NearDupStage {
            index: NearDupIndex::new(params),
            sketch: Sketch::default(),
            pending: None,
        }
    }

    pub fn index(&self) -> &NearDupIndex {
        &self.index
    }
}

impl Stage for NearDupStage {
    fn kind(&self) -> &'static str {
        "minhash"
    }

    fn check(&mut self, document: &Document<'_>) -> Option<Rejection> {
        self.pending = None;
        self.index.sketch_into(document.text, &mut self.sketch);
        match self.index.best_match(&self.sketch) {
            Some(duplicate) => Some(Rejection {
                filter: self.kind(),
                rule: "minhash.near_duplicate",
                reason: format!(
                    "Jaccard {:.3} >= {} with line {}",
                    duplicate.jaccard,
                    self.index.params().params().threshold,
                    duplicate.line
                ),
                duplicate: Some(duplicate),
            }),
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
        assert_eq!(found.line, 10);
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
            Some(Duplicate {
                line: 3,
                jaccard: 1.0
            })
        );
    }
}
