//! Biased sampling (temperature, top-k, top-p) without a pass over the vocabulary.
//!
//! In backoff form p(w | h) is B · p(w) for every outcome that no matched context
//! lists (B: the product of the contexts' backoffs), and an explicit value for the
//! few that one does (the set E, the continuations of the matched contexts). So
//! p^(1/T) = B^(1/T) p(w)^(1/T) outside E, and the tempered unigram distribution,
//! its running sum and its order are computed once per `sample` call. A step then
//! costs O(|E|) (O(|E| log |E|) with top-k or top-p): outcomes outside E are drawn
//! from the tempered unigram by rejection (for interpolated models p ≥ B p(w) on
//! E, so a step makes at most one rejection draw on average), and top-k / top-p
//! walk E sorted by probability merged with the precomputed unigram order.
//! `bias` in `sample.rs` is the full-vocabulary reference the tests compare with.

use rand::Rng as _;

use genloop_core::model::Sampling;
use genloop_core::seed::Rng;

use super::tables::{State, Tables};

/// Rejection draws before falling back to a scan (only non-interpolated imported
/// models, whose explicit outcomes can hold most of the unigram mass, get there).
const MAX_REJECTIONS: usize = 64;

pub(crate) struct Biased {
    greedy: bool,
    /// ln 10 / T: tempered weights are exp((log10 p − log10 scale) ln 10 / T).
    exponent: f64,
    top_k: usize,
    top_p: f64,
    log10_unigram_max: f32,
    /// (p(w) / max p)^(1/T) over the outcomes 0..=V.
    tempered: Vec<f64>,
    tempered_cumulative: Vec<f64>,
    /// Outcomes by decreasing unigram probability, ties by id (greedy, top-k, top-p).
    by_probability: Vec<u32>,
    // Per step: the explicit outcomes, their log10 probabilities, and weights.
    stamp: Vec<u32>,
    generation: u32,
    log10_probability: Vec<f32>,
    explicit: Vec<u32>,
    kept: Vec<(u32, f64)>,
    sort_keys: Vec<u64>,
}

impl Biased {
    pub fn new(tables: &Tables, sampling: &Sampling) -> Self {
        let greedy = sampling.temperature == 0.0;
        let inverse_temperature = if greedy {
            1.0
        } else {
            1.0 / sampling.temperature
        };
        let outcomes = tables.unigram.len();
        let log10_unigram = &tables.levels[0].log10_prob[..outcomes];
        let log10_unigram_max = log10_unigram
            .iter()
            .copied()
            .fold(f32::NEG_INFINITY, f32::max);
        let exponent = std::f64::consts::LN_10 * inverse_temperature;
        let tempered: Vec<f64> = log10_unigram
            .iter()
            .map(|&l| weight(l, log10_unigram_max, exponent))
            .collect();
        let mut running = 0.0;
        let tempered_cumulative = tempered
            .iter()
            .map(|q| {
                running += q;
                running
            })
            .collect();
        let truncates = greedy || sampling.top_k > 0 || sampling.top_p < 1.0;
        let mut by_probability = Vec::new();
        if truncates {
            by_probability = (0..outcomes as u32).collect();
            by_probability.sort_by_key(|&w| descending_key(log10_unigram[w as usize], w));
        }
        Biased {
            greedy,
            exponent,
            top_k: sampling.top_k,
            top_p: sampling.top_p,
            log10_unigram_max,
            tempered,
            tempered_cumulative,
            by_probability,
            stamp: vec![0; outcomes],
            generation: 0,
            log10_probability: vec![0.0; outcomes],
            explicit: Vec::new(),
            kept: Vec::new(),
            sort_keys: Vec::new(),
        }
    }

    /// Collects E and returns log10 B, the factor of the outcomes outside it.
    fn explicit_outcomes(&mut self, tables: &Tables, state: &State) -> f32 {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.generation = 1;
        }
        self.explicit.clear();
        let mut backoff_from = [0f32; super::MAX_ORDER + 1];
        for k in (0..state.len).rev() {
            backoff_from[k] =
                backoff_from[k + 1] + tables.levels[k].log10_backoff[state.nodes[k] as usize];
        }
        // Shortest context first: longer contexts overwrite.
        for k in 0..state.len {
            let level = &tables.levels[k + 1];
            let range = tables.children(k + 1, state.nodes[k]);
            for (&word, &log10) in level.words[range.clone()]
                .iter()
                .zip(&level.log10_prob[range])
            {
                let word = word as usize;
                if self.stamp[word] != self.generation {
                    self.stamp[word] = self.generation;
                    self.explicit.push(word as u32);
                }
                self.log10_probability[word] = log10 + backoff_from[k + 1];
            }
        }
        backoff_from[0]
    }

    /// One draw from the biased p(· | state).
    pub fn draw(&mut self, tables: &Tables, state: &State, rng: &mut Rng) -> u32 {
        let log10_backoff = self.explicit_outcomes(tables, state);
        // Scale: the largest probability, so that tempered weights stay ≤ 1.
        let explicit_max = self
            .explicit
            .iter()
            .map(|&w| self.log10_probability[w as usize])
            .fold(f32::NEG_INFINITY, f32::max);
        let log10_scale = explicit_max.max(log10_backoff + self.log10_unigram_max);
        // B^(1/T) relative to the scale, times the tempered unigram.
        let factor = weight(
            log10_backoff + self.log10_unigram_max,
            log10_scale,
            self.exponent,
        );
        self.kept.clear();
        for &w in &self.explicit {
            let q = weight(
                self.log10_probability[w as usize],
                log10_scale,
                self.exponent,
            );
            if q > 0.0 {
                self.kept.push((w, q));
            }
        }
        if !self.greedy && self.top_k == 0 && self.top_p >= 1.0 {
            return self.draw_tempered(factor, rng);
        }
        self.truncated(tables, log10_backoff, factor, log10_scale, rng)
    }

    /// Tempered mass outside E: B^(1/T) (Σ all tempered − Σ tempered on E).
    fn outside_mass(&self, factor: f64) -> f64 {
        if factor <= 0.0 {
            return 0.0;
        }
        let total = self.tempered_cumulative[self.tempered_cumulative.len() - 1];
        let inside: f64 = self
            .explicit
            .iter()
            .map(|&w| self.tempered[w as usize])
            .sum();
        factor * (total - inside).max(0.0)
    }

    fn draw_tempered(&mut self, factor: f64, rng: &mut Rng) -> u32 {
        let inside: f64 = self.kept.iter().map(|(_, q)| q).sum();
        let outside = self.outside_mass(factor);
        let mut u = rng.random::<f64>() * (inside + outside);
        if u < inside {
            for &(w, q) in &self.kept {
                if u < q {
                    return w;
                }
                u -= q;
            }
            return self.kept[self.kept.len() - 1].0;
        }
        self.draw_outside(rng)
    }

    /// An outcome outside E, proportional to the tempered unigram.
    fn draw_outside(&self, rng: &mut Rng) -> u32 {
        let cumulative = &self.tempered_cumulative;
        let total = cumulative[cumulative.len() - 1];
        for _ in 0..MAX_REJECTIONS {
            let u = rng.random::<f64>() * total;
            let w = cumulative
                .partition_point(|&c| c <= u)
                .min(cumulative.len() - 1);
            if self.stamp[w] != self.generation {
                return w as u32;
            }
        }
        let outside = |w: &usize| self.stamp[*w] != self.generation && self.tempered[*w] > 0.0;
        let mass: f64 = (0..cumulative.len())
            .filter(outside)
            .map(|w| self.tempered[w])
            .sum();
        let mut u = rng.random::<f64>() * mass;
        let mut last = 0;
        for w in (0..cumulative.len()).filter(outside) {
            if u < self.tempered[w] {
                return w as u32;
            }
            u -= self.tempered[w];
            last = w;
        }
        last as u32
    }

    /// Greedy, top-k and top-p: the most probable outcomes in order, E merged with
    /// the unigram order of the others, until k of them or mass top_p.
    fn truncated(
        &mut self,
        tables: &Tables,
        log10_backoff: f32,
        factor: f64,
        log10_scale: f32,
        rng: &mut Rng,
    ) -> u32 {
        // Mass the nucleus is a share of: everything, or (below) the top-k set.
        let limit = if self.greedy { 1 } else { self.top_k };
        let total = if limit == 0 {
            self.kept.iter().map(|(_, q)| q).sum::<f64>() + self.outside_mass(factor)
        } else {
            0.0
        };
        self.sort_explicit(limit);
        let cut = Cut {
            log10_backoff,
            factor,
            log10_scale,
            limit,
            total,
        };
        self.keep_best(tables, &cut);
        if limit > 0 && self.top_p < 1.0 {
            self.nucleus_of_kept();
        }
        let total: f64 = self.kept.iter().map(|(_, q)| q).sum();
        let mut u = rng.random::<f64>() * total;
        for &(w, q) in &self.kept {
            if u < q {
                return w;
            }
            u -= q;
        }
        self.kept.last().map_or(tables.eos(), |&(w, _)| w)
    }

    /// The sort keys of the kept explicit outcomes, best first; only the `limit`
    /// best (when there is a limit), since only they can be among the best overall.
    fn sort_explicit(&mut self, limit: usize) {
        self.sort_keys.clear();
        for &(w, _) in &self.kept {
            self.sort_keys
                .push(descending_key(self.log10_probability[w as usize], w));
        }
        if limit > 0 && self.sort_keys.len() > limit {
            self.sort_keys.select_nth_unstable(limit - 1);
            self.sort_keys.truncate(limit);
        }
        self.sort_keys.sort_unstable();
    }

    /// Refills `kept` with the most probable outcomes in order, the sorted explicit
    /// ones merged with the others in unigram order, until `limit` of them or, with
    /// no limit, mass top_p of `total`.
    fn keep_best(&mut self, tables: &Tables, cut: &Cut) {
        self.kept.clear();
        let log10_unigram = &tables.levels[0].log10_prob;
        let (mut i, mut j) = (0usize, 0usize);
        let mut running = 0.0;
        loop {
            while j < self.by_probability.len()
                && self.stamp[self.by_probability[j] as usize] == self.generation
            {
                j += 1;
            }
            let next_explicit = self.sort_keys.get(i).copied();
            let next_outside = (cut.factor > 0.0 && j < self.by_probability.len()).then(|| {
                let w = self.by_probability[j];
                descending_key(log10_unigram[w as usize] + cut.log10_backoff, w)
            });
            let key = match (next_explicit, next_outside) {
                (None, None) => break,
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (Some(a), Some(b)) => a.min(b),
            };
            if Some(key) == next_explicit {
                i += 1;
            } else {
                j += 1;
            }
            let w = key as u32;
            let log10 = if self.stamp[w as usize] == self.generation {
                self.log10_probability[w as usize]
            } else {
                log10_unigram[w as usize] + cut.log10_backoff
            };
            let q = weight(log10, cut.log10_scale, self.exponent);
            if q <= 0.0 {
                break;
            }
            self.kept.push((w, q));
            running += q;
            if (cut.limit > 0 && self.kept.len() == cut.limit)
                || (cut.limit == 0 && running >= self.top_p * cut.total)
            {
                break;
            }
        }
    }

    /// Nucleus within the top-k set: the kept outcomes until mass top_p of theirs.
    fn nucleus_of_kept(&mut self) {
        let total: f64 = self.kept.iter().map(|(_, q)| q).sum();
        let mut running = 0.0;
        let mut keep = 0;
        for &(_, q) in &self.kept {
            running += q;
            keep += 1;
            if running >= self.top_p * total {
                break;
            }
        }
        self.kept.truncate(keep);
    }
}

/// What one truncated draw keeps: the backoff factor B (log10, and tempered and
/// scaled), the scale of the weights, k (0 for none) and the mass top-p is a share of.
struct Cut {
    log10_backoff: f32,
    factor: f64,
    log10_scale: f32,
    limit: usize,
    total: f64,
}

/// (10^(log10 − log10 scale))^(1/T); 0 for a zero probability.
#[inline]
fn weight(log10: f32, log10_scale: f32, exponent: f64) -> f64 {
    if log10 == f32::NEG_INFINITY {
        0.0
    } else {
        (f64::from(log10 - log10_scale) * exponent).exp()
    }
}

/// Sorts ascending as (probability descending, id ascending): log10 p ≤ 0, so
/// −log10 p ≥ 0, whose f32 bits grow with it.
#[inline]
fn descending_key(log10: f32, word: u32) -> u64 {
    (u64::from((-log10).max(0.0).to_bits()) << 32) | u64::from(word)
}
