//! Estimation: discounts, discounted probabilities, interpolation, and the tables.
//!
//! Interpolated modified Kneser-Ney as lmplz computes it (Chen & Goodman 1998,
//! eq. 26; Heafield et al. 2013, §3.3–3.4; kpu/kenlm `lm/builder/adjust_counts.cc`,
//! `initial_probabilities.cc`, `interpolate.cc`), for an n-gram `h w` with adjusted
//! count a (see `count.rs`):
//!
//! ```text
//! u(w | h)  = (a(h w) − D_n(a)) / Σ_v a(h v)                    discounted
//! γ(h)      = (D_n1 N1(h·) + D_n2 N2(h·) + D_n3+ N3+(h·)) / Σ_v a(h v)
//! p(w | h)  = u(w | h) + γ(h) p(w | h′)                        h′ = h minus its first word
//! p(w)      = u(w) + γ(ε) / (V + 1)                            uniform over the V ids and </s>
//! ```
//!
//! The uniform base counts every vocabulary id and `</s>` (never `<s>`). lmplz
//! counts the types it saw plus `<unk>` and `</s>`; the two agree when exactly one
//! vocabulary id is unseen, and equal `lmplz --vocab_pad V+1` in general. Every
//! unseen id gets γ(ε)/(V + 1), the probability lmplz gives `<unk>` (its default
//! `--interpolate_unigrams`: `<unk>` is a zeroton, not a sink for the discounted
//! mass).
//!
//! MLE and add-k use the same interpolation with raw counts c: MLE has u = c(h w) /
//! c(h·) and γ = 0; add-k has u = c(h w) / (c(h·) + k(V + 1)) and γ = k(V + 1) /
//! (c(h·) + k(V + 1)), so p(w | h) = (c(h w) + k(V + 1) p(w | h′)) / (c(h·) + k(V + 1)):
//! every outcome gets k pseudo-counts on average, spread by the lower order, and
//! the unigram level is exactly add-k, (c(w) + k) / (N + k(V + 1)) — the
//! categorical model. Contexts never seen in training back off without penalty.
//!
//! The backoff form stores p(w | h) for stored n-grams and γ(h) as the backoff
//! weight, which reproduces the interpolated model exactly (lmplz writes the same).

use super::count::{CountLevel, Counted};
use super::key::{Key, Packing};
use super::tables::{to_log10, Level, Tables};
use super::{Discount, Smoothing};

/// Discounts of one order from its counts-of-counts n1…n4 (Chen & Goodman eq. 26).
/// When some n1, n2 or n3 is zero, or a discount leaves its range [0, j], lmplz
/// stops unless run with `--discount_fallback`; we always fall back, to lmplz's
/// default fallback D1 = 0.5, D2 = 1, D3+ = 1.5, and flag it.
pub(crate) fn discount_from_counts(counts_of_counts: [u64; 5]) -> Discount {
    let n = counts_of_counts.map(|c| c as f64);
    if n[1] > 0.0 && n[2] > 0.0 && n[3] > 0.0 {
        let y = n[1] / (n[1] + 2.0 * n[2]);
        let d: [f64; 3] = [1, 2, 3].map(|j| j as f64 - (j + 1) as f64 * y * n[j + 1] / n[j]);
        if d.iter()
            .enumerate()
            .all(|(i, d)| (0.0..=(i + 1) as f64).contains(d))
        {
            return Discount {
                d1: d[0],
                d2: d[1],
                d3_plus: d[2],
                fallback: false,
            };
        }
    }
    Discount::FALLBACK
}

fn counts_of_counts(counts: &[u32]) -> [u64; 5] {
    let mut n = [0u64; 5];
    for &c in counts {
        if (c as usize) < 5 {
            n[c as usize] += 1;
        }
    }
    n
}

/// Per-context sums of one sibling group.
struct GroupStats {
    total: f64,
    gamma: f64,
}

struct Smoother {
    smoothing: Smoothing,
    /// k (V + 1) for add-k.
    pseudo: f64,
}

impl Smoother {
    fn group(&self, counts: impl Iterator<Item = u32>, discount: &Discount) -> GroupStats {
        let mut total = 0.0;
        let mut discounted = 0.0;
        for c in counts {
            total += f64::from(c);
            discounted += discount.amount(c);
        }
        match self.smoothing {
            Smoothing::KneserNey => GroupStats {
                total,
                gamma: if total > 0.0 { discounted / total } else { 1.0 },
            },
            Smoothing::Mle => GroupStats {
                total,
                gamma: if total > 0.0 { 0.0 } else { 1.0 },
            },
            Smoothing::AddK(_) => GroupStats {
                total: total + self.pseudo,
                gamma: self.pseudo / (total + self.pseudo),
            },
        }
    }

    /// The discounted probability u(w | h) of a count in a group.
    fn discounted(&self, count: u32, group: &GroupStats, discount: &Discount) -> f64 {
        if group.total <= 0.0 {
            return 0.0;
        }
        match self.smoothing {
            Smoothing::KneserNey => (f64::from(count) - discount.amount(count)) / group.total,
            _ => f64::from(count) / group.total,
        }
    }
}

/// Builds the tables of a fitted model from the counts.
pub(crate) fn build<K: Key>(
    counted: Counted<K>,
    smoothing: Smoothing,
    vocab_size: usize,
) -> (Tables, Vec<Discount>) {
    let order = counted.levels.len();
    let outcomes = vocab_size as f64 + 1.0;
    let smoother = Smoother {
        smoothing,
        pseudo: match smoothing {
            Smoothing::AddK(k) => k * outcomes,
            _ => 0.0,
        },
    };
    let discounts: Vec<Discount> = counted
        .levels
        .iter()
        .map(|level| match smoothing {
            Smoothing::KneserNey => discount_from_counts(counts_of_counts(&level.counts)),
            _ => Discount::NONE,
        })
        .collect();

    // Order 1, by dense rank (the last rank is <s>, count 0, never predicted).
    let unigrams = &counted.levels[0];
    let root = smoother.group(unigrams.counts.iter().copied(), &discounts[0]);
    let uniform = root.gamma / outcomes;
    let mut lower = Lower::unigrams(&unigrams.counts, &smoother, &root, &discounts[0], uniform);

    let mut levels: Vec<Level> = Vec::with_capacity(order);
    // (probabilities, backoffs, child offsets) of each finished order.
    let mut finished: Vec<Finished> = Vec::new();
    for n in 2..=order {
        let (level, children, next) =
            next_order(&smoother, &counted, n, &discounts[n - 1], &mut lower);
        let done = std::mem::replace(&mut lower, next);
        finished.push((done.prob, done.backoff, children));
        levels.push(level);
    }
    finished.push((lower.prob, lower.backoff, Vec::new()));
    let tables = finish_tables(vocab_size, &counted.dense_to_id, levels, finished, uniform);
    (tables, discounts)
}

/// Probabilities, backoffs and child offsets of one order, in trie order.
type Finished = (Vec<f64>, Vec<f64>, Vec<u32>);

/// The order below the one being built: its probabilities and backoffs in
/// lexicographic (trie) order, and the maps between that order and its suffix order.
struct Lower {
    prob: Vec<f64>,
    backoff: Vec<f64>,
    lex_to_suffix: Vec<u32>,
    suffix_to_lex: Vec<u32>,
}

impl Lower {
    /// Order 1: every dense rank interpolated with the uniform; `<s>` (the last rank)
    /// gets 0. Unigrams are sorted by rank in both orders.
    fn unigrams(
        counts: &[u32],
        smoother: &Smoother,
        root: &GroupStats,
        discount: &Discount,
        uniform: f64,
    ) -> Lower {
        let dense_count = counts.len();
        let mut prob: Vec<f64> = counts
            .iter()
            .map(|&c| smoother.discounted(c, root, discount) + uniform)
            .collect();
        prob[dense_count - 1] = 0.0;
        let lex_to_suffix: Vec<u32> = (0..dense_count as u32).collect();
        Lower {
            prob,
            backoff: vec![1.0f64; dense_count],
            suffix_to_lex: lex_to_suffix.clone(),
            lex_to_suffix,
        }
    }
}

/// Order `n` laid out in the trie order of its parents: its level (words, cumulative
/// discounted probabilities), the child offsets of the order below, and its own
/// [`Lower`] for the next order. Sets the backoffs of the order below.
fn next_order<K: Key>(
    smoother: &Smoother,
    counted: &Counted<K>,
    n: usize,
    discount: &Discount,
    lower: &mut Lower,
) -> (Level, Vec<u32>, Lower) {
    let (level, below) = (&counted.levels[n - 1], &counted.levels[n - 2]);
    let size = level.keys.len();
    let ContextGroups {
        by_context,
        group_of_parent,
    } = context_groups(level, below, counted.packing, n);
    let mut level_out = Level {
        words: Vec::with_capacity(size),
        log10_prob: Vec::with_capacity(size),
        cumulative: Vec::with_capacity(size),
        ..Level::default()
    };
    let mut prob = Vec::with_capacity(size);
    let mut lex_to_suffix = Vec::with_capacity(size);
    let mut children = Vec::with_capacity(lower.lex_to_suffix.len() + 1);
    children.push(0u32);
    for (parent_lex, &parent_suffix) in lower.lex_to_suffix.iter().enumerate() {
        let (start, end) = group_of_parent[parent_suffix as usize];
        let group = &by_context[start as usize..end as usize];
        if !group.is_empty() {
            let stats = smoother.group(
                group.iter().map(|&(_, i)| level.counts[i as usize]),
                discount,
            );
            lower.backoff[parent_lex] = stats.gamma;
            let mut running = 0.0f64;
            for &(_, i) in group {
                let i = i as usize;
                let u = smoother.discounted(level.counts[i], &stats, discount);
                let suffix_lex = lower.suffix_to_lex[level.suffix[i] as usize] as usize;
                running += u;
                let last = counted.packing.last(level.keys[i], n) as usize;
                level_out.words.push(counted.dense_to_id[last]);
                level_out.cumulative.push(running as f32);
                prob.push(u + stats.gamma * lower.prob[suffix_lex]);
                lex_to_suffix.push(i as u32);
            }
        }
        children.push(lex_to_suffix.len() as u32);
    }
    let mut suffix_to_lex = vec![0u32; size];
    for (lex, &suffix) in lex_to_suffix.iter().enumerate() {
        suffix_to_lex[suffix as usize] = lex as u32;
    }
    let next = Lower {
        prob,
        backoff: vec![1.0; size],
        lex_to_suffix,
        suffix_to_lex,
    };
    (level_out, children, next)
}

/// Probabilities and backoffs as log10 f32; order 1 spread over every id.
fn finish_tables(
    vocab_size: usize,
    dense_to_id: &[u32],
    mut levels: Vec<Level>,
    finished: Vec<Finished>,
    uniform: f64,
) -> Tables {
    let order = finished.len();
    let mut finished = finished.into_iter();
    let (uni_prob, uni_backoff, uni_children) = finished.next().expect("order 1");
    let unigram_level = unigram_level(
        vocab_size,
        dense_to_id,
        &uni_prob,
        &uni_backoff,
        &uni_children,
        to_log10(uniform),
        order > 1,
    );
    let mut all_levels = vec![unigram_level];
    for (level, (prob, backoff, children)) in levels.iter_mut().zip(finished) {
        level.log10_prob = prob.iter().map(|&p| to_log10(p)).collect();
        if level.log10_prob.len() + 1 == children.len() {
            level.log10_backoff = backoff.iter().map(|&b| to_log10(b)).collect();
            level.children = children;
        }
    }
    all_levels.extend(levels);
    Tables::new(order, vocab_size, all_levels, true, to_log10(uniform))
}

/// The n-grams of order `n` grouped by context: (context key, suffix-order index)
/// sorted, and for each n-gram of the order below (suffix order) the range of its
/// group. Within a group the suffix order is the order of the last word.
fn context_groups<K: Key>(
    level: &CountLevel<K>,
    below: &CountLevel<K>,
    packing: Packing,
    n: usize,
) -> ContextGroups<K> {
    let mut by_context: Vec<(K, u32)> = level
        .keys
        .iter()
        .enumerate()
        .map(|(i, &key)| (packing.context(key, n), i as u32))
        .collect();
    by_context.sort_unstable();
    // Each context is an n-gram of the order below: a merge walk finds it.
    let mut group_of_parent: Vec<(u32, u32)> = vec![(0, 0); below.keys.len()];
    let (mut parent, mut start) = (0usize, 0usize);
    while start < by_context.len() {
        let context = by_context[start].0;
        let mut end = start + 1;
        while end < by_context.len() && by_context[end].0 == context {
            end += 1;
        }
        while below.keys[parent] < context {
            parent += 1;
        }
        debug_assert!(below.keys[parent] == context, "every context is stored");
        group_of_parent[parent] = (start as u32, end as u32);
        start = end;
    }
    ContextGroups {
        by_context,
        group_of_parent,
    }
}

/// N-grams sorted by (context, suffix-order index), and each context's range.
struct ContextGroups<K> {
    by_context: Vec<(K, u32)>,
    group_of_parent: Vec<(u32, u32)>,
}

/// Order 1 over every id 0..V+2; unseen ids get the uniform share and no
/// continuations.
fn unigram_level(
    vocab_size: usize,
    dense_to_id: &[u32],
    prob: &[f64],
    backoff: &[f64],
    children: &[u32],
    unseen_log10: f32,
    has_children: bool,
) -> Level {
    let ids = vocab_size + 2;
    let mut level = Level {
        log10_prob: vec![unseen_log10; ids],
        log10_backoff: vec![0.0; ids],
        children: vec![0; ids + 1],
        ..Level::default()
    };
    let mut dense = 0usize;
    let mut offset = 0u32;
    for id in 0..ids {
        level.children[id] = offset;
        if dense < dense_to_id.len() && dense_to_id[dense] as usize == id {
            level.log10_prob[id] = to_log10(prob[dense]);
            level.log10_backoff[id] = to_log10(backoff[dense]);
            if has_children {
                offset = children[dense + 1];
            }
            dense += 1;
        }
    }
    level.children[ids] = offset;
    if !has_children {
        level.log10_backoff.clear();
        level.children.clear();
    }
    level
}
