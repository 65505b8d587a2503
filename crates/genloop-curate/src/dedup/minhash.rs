//! MinHash signatures over word shingles, exact Jaccard, and the choice of bands × rows
//! (Broder 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3;
//! the band/row optimisation follows `datasketch.lsh._optimal_param`).

use super::normalize::{hash_bytes, normalize_into};
use super::signer::{permutations, Signer};

pub use super::signer::MERSENNE_61;

/// Sorted, de-duplicated 64-bit hashes of the word shingles of `text`.
///
/// Texts with fewer than `short_text_words` words use `short_shingle_words`-word
/// shingles; a text shorter than one shingle is a single shingle of all its words, and
/// an empty text has no shingles.
pub fn shingles(
    text: &str,
    shingle_words: usize,
    short_shingle_words: usize,
    short_text_words: usize,
) -> Vec<u64> {
    let mut out = Vec::new();
    shingles_into(
        text,
        (shingle_words, short_shingle_words, short_text_words),
        &mut String::new(),
        &mut Vec::new(),
        &mut out,
    );
    out
}

/// [`shingles`] into `out`, with the normalised text and its word ranges in reused
/// buffers; `sizes` = (shingle_words, short_shingle_words, short_text_words). The
/// normalised text has single spaces between words and none at the ends, so a
/// shingle's joined words are a substring of it and are hashed in place.
pub fn shingles_into(
    text: &str,
    (shingle_words, short_shingle_words, short_text_words): (usize, usize, usize),
    normalized: &mut String,
    words: &mut Vec<(usize, usize)>,
    out: &mut Vec<u64>,
) {
    normalize_into(text, normalized, words);
    out.clear();
    if words.is_empty() {
        return;
    }
    let size = if words.len() < short_text_words {
        short_shingle_words
    } else {
        shingle_words
    };
    let size = size.clamp(1, words.len());
    let bytes = normalized.as_bytes();
    out.extend(
        words
            .windows(size)
            .map(|window| hash_bytes(&bytes[window[0].0..window[size - 1].1])),
    );
    out.sort_unstable();
    out.dedup();
}

/// Exact Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted, de-duplicated sets; two
/// empty sets count as identical (1.0).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// `num_perm` universal hash permutations h ↦ (a·h + b) mod (2⁶¹ − 1), a ∈ [1, p),
/// b ∈ [0, p), drawn from SplitMix64 with a fixed seed.
#[derive(Debug, Clone, PartialEq)]
pub struct MinHasher {
    signer: Signer,
}

impl MinHasher {
    pub fn new(num_perm: usize, seed: u64) -> Self {
        let (a, b) = permutations(num_perm, seed);
        Self {
            signer: Signer::new(&a, b),
        }
    }

    pub fn num_perm(&self) -> usize {
        self.signer.num_perm()
    }

    /// MinHash signature of a shingle set; all `u64::MAX` for an empty set.
    pub fn signature(&self, shingles: &[u64]) -> Vec<u64> {
        self.signer.signature(shingles)
    }

    /// The signature into `signature` (length [`MinHasher::num_perm`]) without
    /// allocating; `scratch` is reused between calls.
    pub fn sign_into(&self, shingles: &[u64], scratch: &mut Vec<u64>, signature: &mut [u64]) {
        self.signer.sign_into(shingles, scratch, signature);
    }
}

/// Probability that two documents of Jaccard similarity `s` share at least one band.
pub fn candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32)
}

/// Midpoint-rule integral of `f` over [lo, hi] with `steps` panels.
fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64, steps: usize) -> f64 {
    let width = (hi - lo) / steps as f64;
    (0..steps)
        .map(|k| f(lo + (k as f64 + 0.5) * width))
        .sum::<f64>()
        * width
}

/// Equally weighted false-positive and false-negative areas of the LSH S-curve,
/// ½∫₀ᵗ P ds + ½∫ₜ¹ (1 − P) ds with P(s) = 1 − (1 − sʳ)ᵇ (midpoint rule, 1000 panels).
pub fn lsh_error(threshold: f64, bands: usize, rows: usize) -> f64 {
    const STEPS: usize = 1000;
    let false_positive = integrate(
        |s| candidate_probability(s, bands, rows),
        0.0,
        threshold,
        STEPS,
    );
    let false_negative = integrate(
        |s| 1.0 - candidate_probability(s, bands, rows),
        threshold,
        1.0,
        STEPS,
    );
    0.5 * false_positive + 0.5 * false_negative
}

/// Bands × rows (with bands·rows ≤ `num_perm`) minimising [`lsh_error`]; ties go to the
/// first found (fewest bands).
///
/// For (0.72, 112) the integral gives (12, 9) (error 0.0363: false-positive area
/// 0.039, false-negative 0.034), not the reference's (14, 8) (error 0.0411: 0.064 and
/// 0.018). The default stays 14 × 8: its S-curve crosses ½ at (1/14)^(1/8) ≈ 0.719,
/// right at the threshold, and it misses half as many true duplicates; its extra false
/// positives cost only a Jaccard check, since every candidate is verified.
pub fn optimal_bands_rows(threshold: f64, num_perm: usize) -> (usize, usize) {
    let mut best = (1, 1);
    let mut best_error = f64::INFINITY;
    for bands in 1..=num_perm {
        for rows in 1..=num_perm / bands {
            let error = lsh_error(threshold, bands, rows);
            if error < best_error {
                best_error = error;
                best = (bands, rows);
            }
        }
    }
    best
}
