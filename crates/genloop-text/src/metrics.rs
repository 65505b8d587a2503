//! Text metrics over sampled documents (docs/formulas.md §2; docs/architecture.md "Metrics"):
//! diversity (distinct-n, unigram entropy), survival of the original vocabulary and of
//! its rare tail, n-gram precision and recall against the holdout, repetition and
//! length. Pure functions of token ids.

use std::collections::HashSet;

use genloop_core::data::{Dataset, Documents};

/// distinct n-grams / n-grams over all documents (n-grams do not cross documents);
/// NaN when there is no n-gram.
pub fn distinct_n(docs: &Documents, n: usize) -> f64 {
    let mut seen: HashSet<&[u32]> = HashSet::new();
    let mut total = 0usize;
    for doc in docs.iter() {
        if doc.len() >= n {
            for gram in doc.windows(n) {
                seen.insert(gram);
                total += 1;
            }
        }
    }
    if total == 0 {
        f64::NAN
    } else {
        seen.len() as f64 / total as f64
    }
}

/// Entropy (nats) of the token frequencies of `docs`.
pub fn unigram_entropy(docs: &Documents, vocab_size: usize) -> f64 {
    let mut counts = vec![0u64; vocab_size];
    for &t in &docs.tokens {
        if let Some(c) = counts.get_mut(t as usize) {
            *c += 1;
        }
    }
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return f64::NAN;
    }
    let n = total as f64;
    -counts
        .iter()
        .filter(|c| **c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            p * p.ln()
        })
        .sum::<f64>()
}

/// Statistics of the original pool that later generations are compared with.
#[derive(Clone, Debug)]
pub struct VocabularyProfile {
    /// Token types present in the original pool.
    pub present: Vec<bool>,
    /// The rarest decile of the original pool's types (by count, ties by id).
    pub rare: Vec<bool>,
    pub types: usize,
}

impl VocabularyProfile {
    pub fn new(original: &Documents, vocab_size: usize) -> Self {
        let mut counts = vec![0u64; vocab_size];
        for &t in &original.tokens {
            if let Some(c) = counts.get_mut(t as usize) {
                *c += 1;
            }
        }
        let present: Vec<bool> = counts.iter().map(|c| *c > 0).collect();
        let mut seen: Vec<(u64, u32)> = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| (*c, i as u32))
            .collect();
        seen.sort_unstable();
        let decile = seen.len().div_ceil(10);
        let mut rare = vec![false; vocab_size];
        for (_, id) in seen.iter().take(decile) {
            rare[*id as usize] = true;
        }
        VocabularyProfile {
            types: seen.len(),
            present,
            rare,
        }
    }

    /// Share of the original types that appear in `docs`.
    pub fn survival(&self, docs: &Documents) -> f64 {
        if self.types == 0 {
            return f64::NAN;
        }
        let mut hit = vec![false; self.present.len()];
        let mut count = 0usize;
        for &t in &docs.tokens {
            let t = t as usize;
            if t < hit.len() && self.present[t] && !hit[t] {
                hit[t] = true;
                count += 1;
            }
        }
        count as f64 / self.types as f64
    }

    /// Share of the tokens of `docs` that belong to the rarest decile of the original
    /// types: how much probability the model still gives to the tail, estimated on its
    /// samples.
    pub fn tail_mass(&self, docs: &Documents) -> f64 {
        if docs.tokens.is_empty() {
            return f64::NAN;
        }
        let rare = docs
            .tokens
            .iter()
            .filter(|&&t| self.rare.get(t as usize).copied().unwrap_or(false))
            .count();
        rare as f64 / docs.tokens.len() as f64
    }
}

/// The distinct trigrams of a reference text.
pub fn trigram_set(docs: &Documents) -> HashSet<[u32; 3]> {
    let mut set = HashSet::new();
    for doc in docs.iter() {
        for w in doc.windows(3) {
            set.insert([w[0], w[1], w[2]]);
        }
    }
    set
}

/// (precision, recall) of the samples' trigrams against a reference set: precision =
/// share of sampled trigram occurrences found in the reference; recall = share of the
/// reference's distinct trigrams found among the samples.
pub fn ngram_precision_recall(samples: &Documents, reference: &HashSet<[u32; 3]>) -> (f64, f64) {
    let mut found = 0usize;
    let mut total = 0usize;
    let mut covered: HashSet<[u32; 3]> = HashSet::new();
    for doc in samples.iter() {
        for w in doc.windows(3) {
            let gram = [w[0], w[1], w[2]];
            total += 1;
            if reference.contains(&gram) {
                found += 1;
                covered.insert(gram);
            }
        }
    }
    let precision = if total == 0 {
        f64::NAN
    } else {
        found as f64 / total as f64
    };
    let recall = if reference.is_empty() {
        f64::NAN
    } else {
        covered.len() as f64 / reference.len() as f64
    };
    (precision, recall)
}

/// Share of 4-grams that repeat an earlier 4-gram of the same document, pooled over
/// documents (degenerate loops of low-temperature samples score high).
pub fn repetition_rate(docs: &Documents) -> f64 {
    let mut repeats = 0usize;
    let mut total = 0usize;
    let mut seen: HashSet<&[u32]> = HashSet::new();
    for doc in docs.iter() {
        seen.clear();
        for gram in doc.windows(4) {
            total += 1;
            if !seen.insert(gram) {
                repeats += 1;
            }
        }
    }
    if total == 0 {
        0.0
    } else {
        repeats as f64 / total as f64
    }
}

/// Mean document length in tokens.
pub fn mean_length(docs: &Documents) -> f64 {
    if docs.is_empty() {
        f64::NAN
    } else {
        docs.tokens.len() as f64 / docs.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(d: &[&[u32]]) -> Documents {
        Documents::from_docs(d.iter().copied())
    }

    #[test]
    fn diversity_metrics_by_hand() {
        let d = docs(&[&[1, 2, 1, 2, 1], &[3]]);
        // unigrams: 6 tokens, 3 types.
        assert!((distinct_n(&d, 1) - 0.5).abs() < 1e-12);
        // bigrams: (1,2),(2,1),(1,2),(2,1) → 2 distinct of 4.
        assert!((distinct_n(&d, 2) - 0.5).abs() < 1e-12);
        assert!(distinct_n(&docs(&[&[1]]), 2).is_nan());
        // 4-grams of [1,2,1,2,1]: (1,2,1,2),(2,1,2,1): none repeats.
        assert_eq!(repetition_rate(&d), 0.0);
        let looped = docs(&[&[5, 6, 5, 6, 5, 6, 5]]);
        // 4-grams: 5656, 6565, 5656*, 6565* → 2 of 4 repeat.
        assert!((repetition_rate(&looped) - 0.5).abs() < 1e-12);
        assert!((mean_length(&d) - 3.0).abs() < 1e-12);
        let h = unigram_entropy(&docs(&[&[0, 1]]), 4);
        assert!((h - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn survival_tail_and_overlap() {
        // Original: type 0 ×10, 1 ×5, 2 ×1 (the rarest decile: 1 type of 3 → type 2).
        let mut original = vec![0u32; 10];
        original.extend([1; 5]);
        original.push(2);
        let profile = VocabularyProfile::new(&docs(&[&original]), 5);
        assert_eq!(profile.types, 3);
        assert!(profile.rare[2] && !profile.rare[0]);
        let samples = docs(&[&[0, 0, 1, 4]]);
        assert!((profile.survival(&samples) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(profile.tail_mass(&samples), 0.0);
        assert!((profile.tail_mass(&docs(&[&[2, 0]])) - 0.5).abs() < 1e-12);

        let reference = trigram_set(&docs(&[&[1, 2, 3, 4]]));
        let (p, r) = ngram_precision_recall(&docs(&[&[1, 2, 3, 9]]), &reference);
        assert!((p - 0.5).abs() < 1e-12);
        assert!((r - 0.5).abs() < 1e-12);
    }
}
