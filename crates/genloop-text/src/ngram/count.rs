//! Counting: every n-gram of every order, with the counts the smoothing needs.
//!
//! Each document is padded as `<s> w1 … wk </s>`. The highest order N counts every
//! N-gram ending at a word or at `</s>`; near the start of a document the n-gram is
//! shorter and begins with `<s>` (lmplz pads with extra `<s>` and strips them again,
//! `corpus_count.cc` and `adjust_counts.cc`; keeping the shorter n-gram is the same).
//!
//! Lower orders follow lmplz's adjusted counts (Heafield et al. 2013, §3.2;
//! Chen & Goodman 1998, §3): for Kneser-Ney an n-gram of order n < N counts its
//! distinct left extensions (`<s>` included), except n-grams that begin with `<s>`,
//! which nothing can extend and which keep their raw count. MLE and add-k keep raw
//! counts at every order. Both come from one pass per order over the suffix-sorted
//! keys of the order above (see `key.rs`).

use super::errors::NgramError;
use super::key::{Key, Packing};

/// The n-grams of one order, in suffix order, distinct.
pub(crate) struct CountLevel<K> {
    pub keys: Vec<K>,
    /// Adjusted counts (Kneser-Ney below the top order) or raw counts.
    pub counts: Vec<u32>,
    /// Index, in the order below, of words 2…n (empty for unigrams).
    pub suffix: Vec<u32>,
}

/// All orders of a training set over dense word ranks.
pub(crate) struct Counted<K> {
    pub packing: Packing,
    /// Dense rank → token id: training types in id order, then `</s>`, then `<s>`.
    pub dense_to_id: Vec<u32>,
    /// `levels[n - 1]` holds order n. Order 1 holds every dense rank, indexed by it.
    pub levels: Vec<CountLevel<K>>,
}

/// Dense ranks of the token types seen in training: ranks follow ids, so sorted
/// ranks are sorted ids and the model's tables need no second sort.
pub(crate) struct DenseVocabulary {
    pub id_to_dense: Vec<u32>,
    pub dense_to_id: Vec<u32>,
    pub bits: u32,
}

pub(crate) fn dense_vocabulary<'a>(
    documents: impl Iterator<Item = &'a [u32]>,
    vocab_size: usize,
) -> Result<DenseVocabulary, NgramError> {
    let mut seen = vec![false; vocab_size];
    for (document, tokens) in documents.enumerate() {
        for &token in tokens {
            match seen.get_mut(token as usize) {
                Some(flag) => *flag = true,
                None => {
                    return Err(NgramError::TokenOutOfVocabulary {
                        token,
                        document,
                        vocab_size,
                    })
                }
            }
        }
    }
    let mut id_to_dense = vec![u32::MAX; vocab_size + 2];
    let mut dense_to_id = Vec::new();
    for (id, _) in seen.iter().enumerate().filter(|(_, s)| **s) {
        id_to_dense[id] = dense_to_id.len() as u32;
        dense_to_id.push(id as u32);
    }
    let eos = vocab_size as u32;
    for special in [eos, eos + 1] {
        id_to_dense[special as usize] = dense_to_id.len() as u32;
        dense_to_id.push(special);
    }
    let largest = dense_to_id.len() as u32 - 1;
    let bits = (32 - largest.leading_zeros()).max(1);
    Ok(DenseVocabulary {
        id_to_dense,
        dense_to_id,
        bits,
    })
}

/// Counts every order of `documents` (each a token slice, no markers).
pub(crate) fn count<'a, K: Key>(
    documents: impl Iterator<Item = &'a [u32]> + Clone,
    vocabulary: DenseVocabulary,
    order: usize,
    kneser_ney: bool,
) -> Counted<K> {
    let packing = Packing {
        bits: vocabulary.bits,
    };
    let (top, mut starts) = padded_keys::<K>(documents, &vocabulary, order);
    let mut levels: Vec<CountLevel<K>> = Vec::with_capacity(order);
    levels.push(run_length(top));
    for n in (1..order).rev() {
        let upper = levels.last_mut().expect("the top order is counted");
        let mut lower = lower_order(upper, packing, kneser_ney);
        if n >= 2 {
            lower = merge(lower, run_length(std::mem::take(&mut starts[n])), upper);
        }
        levels.push(lower);
    }
    levels.reverse();

    // Unigrams: every dense rank, indexed by it; <s> (the largest rank) is never
    // predicted and gets count 0, as in lmplz.
    let bos = vocabulary.id_to_dense[vocabulary.id_to_dense.len() - 1];
    let unigrams = &mut levels[0];
    debug_assert!(unigrams.keys.iter().all(|k| k.low_word() != bos));
    unigrams.keys.push(K::from_word(bos));
    unigrams.counts.push(0);
    debug_assert!(unigrams
        .keys
        .iter()
        .enumerate()
        .all(|(i, k)| k.low_word() as usize == i));

    Counted {
        packing,
        dense_to_id: vocabulary.dense_to_id,
        levels,
    }
}

/// The keys of every padded position: the N-grams of the top order, and per order
/// n < N (`starts[n]`) the shorter n-grams that begin with `<s>`, unsorted.
fn padded_keys<'a, K: Key>(
    documents: impl Iterator<Item = &'a [u32]> + Clone,
    vocabulary: &DenseVocabulary,
    order: usize,
) -> (Vec<K>, Vec<Vec<K>>) {
    let bits = vocabulary.bits;
    let dense = &vocabulary.id_to_dense;
    let vocab_size = vocabulary.id_to_dense.len() - 2;
    let (eos, bos) = (dense[vocab_size], dense[vocab_size + 1]);

    let positions: usize = documents.clone().map(|d| d.len() + 1).sum();
    let mut top: Vec<K> = Vec::with_capacity(positions);
    let mut starts: Vec<Vec<K>> = vec![Vec::new(); order];
    let top_shift = bits * (order as u32 - 1);
    for document in documents {
        // Rolling reversed key of the last `order` words: the newest word enters at
        // the top and the oldest falls off the bottom.
        let mut key = K::from_word(bos).shl(top_shift);
        let words = document.iter().map(|&t| dense[t as usize]).chain([eos]);
        for (t, word) in words.enumerate() {
            key = key.shr(bits).or(K::from_word(word).shl(top_shift));
            let length = t + 2; // <s> plus t + 1 words
            if length >= order {
                top.push(key);
            } else {
                starts[length].push(key.shr(bits * (order - length) as u32));
            }
        }
    }
    (top, starts)
}

/// Sorts keys and collapses equal ones into counts.
fn run_length<K: Key>(mut keys: Vec<K>) -> CountLevel<K> {
    keys.sort_unstable();
    let mut counts = Vec::new();
    let mut write = 0;
    for read in 0..keys.len() {
        if write > 0 && keys[write - 1] == keys[read] {
            counts[write - 1] += 1;
        } else {
            keys[write] = keys[read];
            counts.push(1u32);
            write += 1;
        }
    }
    keys.truncate(write);
    keys.shrink_to_fit();
    CountLevel {
        keys,
        counts,
        suffix: Vec::new(),
    }
}

/// The order below `upper`: its n-grams without their first word. Equal suffixes
/// are adjacent in suffix order; a run's length is the number of distinct left
/// extensions (Kneser-Ney) and the sum of its counts the raw count.
fn lower_order<K: Key>(
    upper: &mut CountLevel<K>,
    packing: Packing,
    kneser_ney: bool,
) -> CountLevel<K> {
    let mut keys: Vec<K> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    upper.suffix = Vec::with_capacity(upper.keys.len());
    for (key, &count) in upper.keys.iter().zip(&upper.counts) {
        let suffix = packing.suffix(*key);
        let added = if kneser_ney { 1 } else { count };
        match keys.last() {
            Some(last) if *last == suffix => *counts.last_mut().expect("parallel") += added,
            _ => {
                keys.push(suffix);
                counts.push(added);
            }
        }
        upper.suffix.push(keys.len() as u32 - 1);
    }
    CountLevel {
        keys,
        counts,
        suffix: Vec::new(),
    }
}

/// Merges the n-grams that begin with `<s>` (raw counts, as lmplz) into an order
/// built from suffixes, and renumbers the upper order's suffix links. The two sets
/// are disjoint: nothing precedes `<s>`.
fn merge<K: Key>(
    from_suffixes: CountLevel<K>,
    starts: CountLevel<K>,
    upper: &mut CountLevel<K>,
) -> CountLevel<K> {
    if starts.keys.is_empty() {
        return from_suffixes;
    }
    let total = from_suffixes.keys.len() + starts.keys.len();
    let mut keys = Vec::with_capacity(total);
    let mut counts = Vec::with_capacity(total);
    let mut renumber = Vec::with_capacity(from_suffixes.keys.len());
    let (mut a, mut b) = (0, 0);
    while a < from_suffixes.keys.len() || b < starts.keys.len() {
        let take_suffix = b == starts.keys.len()
            || (a < from_suffixes.keys.len() && from_suffixes.keys[a] < starts.keys[b]);
        if take_suffix {
            renumber.push(keys.len() as u32);
            keys.push(from_suffixes.keys[a]);
            counts.push(from_suffixes.counts[a]);
            a += 1;
        } else {
            keys.push(starts.keys[b]);
            counts.push(starts.counts[b]);
            b += 1;
        }
    }
    for link in &mut upper.suffix {
        *link = renumber[*link as usize];
    }
    CountLevel {
        keys,
        counts,
        suffix: Vec::new(),
    }
}
