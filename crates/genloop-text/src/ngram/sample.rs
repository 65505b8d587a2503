//! Sampling whole documents.
//!
//! Unbiased sampling (temperature 1, no top-k, no top-p) draws from the
//! interpolated distribution as the mixture it is: at the longest matched context
//! h, a continuation w with probability u(w | h) (the discounted probability; the
//! sibling group's running sum is stored), otherwise — probability γ(h) — from
//! p(· | h′), down to the unigram distribution. A draw costs a binary search per
//! context visited, never a pass over the vocabulary.
//!
//! Biased sampling applies, in this order (the Hugging Face `generate` order):
//! temperature p^(1/T) (T = 0: the most probable outcome), top-k (the k most
//! probable; ties go to the lower id), and nucleus top-p (the fewest most probable
//! outcomes whose mass reaches p, Holtzman et al. 2020), then renormalises;
//! `biased.rs` does it without a pass over the vocabulary, and [`bias`] here is the
//! full-vocabulary reference the tests compare it with.

use rand::Rng as _;

use genloop_core::data::Documents;
use genloop_core::model::Sampling;
use genloop_core::seed::Rng;

use super::biased::Biased;
use super::tables::{State, Tables};

/// A model that keeps generating empty documents would never reach `n` tokens;
/// sampling stops after this many empty documents in a row.
pub(crate) const MAX_EMPTY_RUN: usize = 100_000;

/// Whether `sampling` leaves the distribution unchanged (its `bias` is for numeric
/// models and ignored here).
pub(crate) fn is_plain(sampling: &Sampling) -> bool {
    sampling.temperature == 1.0 && sampling.top_k == 0 && sampling.top_p >= 1.0
}

pub(crate) fn check(sampling: &Sampling) {
    assert!(
        sampling.temperature >= 0.0 && sampling.temperature.is_finite(),
        "sampling temperature must be finite and >= 0, got {}",
        sampling.temperature
    );
    assert!(
        sampling.top_p > 0.0,
        "sampling top_p must be > 0 (1 keeps every outcome), got {}",
        sampling.top_p
    );
}

/// Documents drawn until at least `n` tokens (not counting `</s>`) are produced.
pub(crate) fn sample_documents(
    tables: &Tables,
    n: usize,
    sampling: &Sampling,
    max_length: usize,
    rng: &mut Rng,
) -> Documents {
    check(sampling);
    let plain = is_plain(sampling) && tables.mixture_exact;
    let mut biased = (!plain).then(|| Biased::new(tables, sampling));
    let mut documents = Documents::new();
    let mut document: Vec<u32> = Vec::new();
    let (mut produced, mut empty_run) = (0usize, 0usize);
    while produced < n {
        document.clear();
        let mut state = tables.begin();
        while document.len() < max_length {
            let word = match biased.as_mut() {
                None => draw_mixture(tables, &state, rng),
                Some(biased) => biased.draw(tables, &state, rng),
            };
            if word == tables.eos() {
                break;
            }
            document.push(word);
            state = tables.advance(&state, word);
        }
        produced += document.len();
        documents.push(&document);
        empty_run = if document.is_empty() {
            empty_run + 1
        } else {
            0
        };
        if empty_run >= MAX_EMPTY_RUN {
            break;
        }
    }
    documents
}

/// One draw from p(· | state) by the mixture decomposition.
#[inline]
pub(crate) fn draw_mixture(tables: &Tables, state: &State, rng: &mut Rng) -> u32 {
    for k in (0..state.len).rev() {
        let range = tables.children(k + 1, state.nodes[k]);
        if range.is_empty() {
            continue;
        }
        let level = &tables.levels[k + 1];
        let cumulative = &level.cumulative[range.clone()];
        let u: f64 = rng.random();
        if u < f64::from(cumulative[cumulative.len() - 1]) {
            let i = cumulative.partition_point(|&c| f64::from(c) <= u);
            return level.words[range.start + i];
        }
    }
    let cumulative = &tables.unigram_cumulative;
    let total = cumulative[cumulative.len() - 1];
    let u = rng.random::<f64>() * total;
    let i = cumulative.partition_point(|&c| c <= u);
    i.min(cumulative.len() - 1) as u32
}

/// Applies temperature, top-k and top-p to `weights` in place (unnormalised): the
/// reference implementation, a pass over every outcome.
#[cfg(test)]
pub(crate) fn bias(weights: &mut [f64], sampling: &Sampling, candidates: &mut Vec<u32>) {
    let most_probable = || {
        // The lowest id among the largest weights.
        let mut best = 0;
        for (i, &w) in weights.iter().enumerate() {
            if w > weights[best] {
                best = i;
            }
        }
        best
    };
    if sampling.temperature == 0.0 {
        let best = most_probable();
        for (i, w) in weights.iter_mut().enumerate() {
            *w = if i == best { 1.0 } else { 0.0 };
        }
        return;
    }
    if sampling.temperature != 1.0 {
        // (p / p_max)^(1/T): the same distribution after renormalising, without
        // underflow at low temperature.
        let max = weights[most_probable()];
        let exponent = 1.0 / sampling.temperature;
        for w in weights.iter_mut() {
            *w = (*w / max).powf(exponent);
        }
    }
    if sampling.top_k == 0 && sampling.top_p >= 1.0 {
        return;
    }
    candidates.clear();
    candidates.extend((0..weights.len() as u32).filter(|&i| weights[i as usize] > 0.0));
    let by_weight = |a: &u32, b: &u32| {
        weights[*b as usize]
            .total_cmp(&weights[*a as usize])
            .then(a.cmp(b))
    };
    let mut keep = candidates.len();
    if sampling.top_k > 0 && sampling.top_k < keep {
        candidates.select_nth_unstable_by(sampling.top_k - 1, by_weight);
        keep = sampling.top_k;
    }
    if sampling.top_p < 1.0 {
        let kept = &mut candidates[..keep];
        kept.sort_unstable_by(by_weight);
        let total: f64 = kept.iter().map(|&i| weights[i as usize]).sum();
        let mut running = 0.0;
        let mut count = 0;
        for &i in kept.iter() {
            running += weights[i as usize];
            count += 1;
            if running >= sampling.top_p * total {
                break;
            }
        }
        keep = count;
    }
    for &i in &candidates[keep..] {
        weights[i as usize] = 0.0;
    }
}

/// One draw proportional to `weights`.
#[cfg(test)]
pub(crate) fn draw_weighted(weights: &[f64], rng: &mut Rng) -> u32 {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    let mut last_positive = 0;
    for (i, &w) in weights.iter().enumerate() {
        if w > 0.0 {
            if u < w {
                return i as u32;
            }
            u -= w;
            last_positive = i;
        }
    }
    last_positive as u32
}
