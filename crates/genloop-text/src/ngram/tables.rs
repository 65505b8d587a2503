//! The fitted model's storage: a sorted trie in backoff (ARPA) form, and the
//! queries on it.
//!
//! Order 1 is dense over every id: words `0..V`, `</s>` = V, `<s>` = V + 1. Order
//! n ≥ 2 holds its n-grams grouped by context (their first n − 1 words, in the
//! order of order n − 1) and sorted by last word within a group, so a context's
//! continuations are one contiguous, binary-searchable range (`children`). Each
//! n-gram stores its interpolated probability and, when it is a context, its
//! backoff weight, both as log10 in f32 like KenLM and the ARPA text (so an ARPA
//! round trip is bit-exact), plus a cumulative of the *uninterpolated* (discounted)
//! probabilities of its sibling group, which lets the sampler draw from the
//! interpolated distribution as a mixture without touching the whole vocabulary.
//!
//! Bytes per n-gram: 20 for orders 2…N−1 (word, probability, backoff, child
//! offset, cumulative), 12 for order N; order 1 costs 28 per vocabulary id.

/// Probability written for impossible events (log10 of 0), as SRILM and KenLM do.
pub(crate) const ARPA_ZERO: f32 = -99.0;

#[derive(Clone, Debug, Default)]
pub(crate) struct Level {
    pub words: Vec<u32>,
    pub log10_prob: Vec<f32>,
    /// Empty at the highest order.
    pub log10_backoff: Vec<f32>,
    /// `len + 1` offsets into the next order; empty at the highest order.
    pub children: Vec<u32>,
    /// Running sum of the discounted probabilities within each sibling group.
    pub cumulative: Vec<f32>,
}

#[derive(Clone, Debug)]
pub(crate) struct Tables {
    pub order: usize,
    pub vocab_size: usize,
    /// Orders 1…N; order 1 is indexed by id.
    pub levels: Vec<Level>,
    /// Interpolated unigram probabilities of the outcomes `0..=V` (V = `</s>`).
    pub unigram: Vec<f64>,
    /// Their running sum, for sampling at the empty context.
    pub unigram_cumulative: Vec<f64>,
    /// True when every n-gram's discounted probability is non-negative, so the
    /// mixture sampler is exact (always for fitted models; an imported ARPA file
    /// from a non-interpolated backoff model may fail it).
    pub mixture_exact: bool,
    /// log10 probability of an id never seen in training (γ(ε)/(V + 1)), written
    /// for `<unk>` in ARPA files.
    pub unknown_log10: f32,
}

/// Contexts matched so far: `nodes[k]` is the index, in order k + 1, of the last
/// k + 1 tokens, for k < len. Every suffix of a stored n-gram is stored, so the
/// matched contexts always form such a chain.
#[derive(Clone, Copy, Debug)]
pub(crate) struct State {
    pub len: usize,
    pub nodes: [u32; super::MAX_ORDER],
}

impl Tables {
    pub fn eos(&self) -> u32 {
        self.vocab_size as u32
    }

    pub fn bos(&self) -> u32 {
        self.vocab_size as u32 + 1
    }

    /// The state at the start of a document: the context is `<s>`.
    pub fn begin(&self) -> State {
        let mut state = State {
            len: 0,
            nodes: [0; super::MAX_ORDER],
        };
        if self.order > 1 {
            state.len = 1;
            state.nodes[0] = self.bos();
        }
        state
    }

    /// The continuations of node `index` of order `order` (1-based): a range in
    /// order `order + 1`.
    #[inline]
    pub fn children(&self, order: usize, index: u32) -> std::ops::Range<usize> {
        let offsets = &self.levels[order - 1].children;
        offsets[index as usize] as usize..offsets[index as usize + 1] as usize
    }

    /// The n-gram extending node `index` of order `order` by `word`, if stored.
    #[inline]
    pub fn child(&self, order: usize, index: u32, word: u32) -> Option<u32> {
        let range = self.children(order, index);
        let words = &self.levels[order].words[range.clone()];
        words
            .binary_search(&word)
            .ok()
            .map(|i| (range.start + i) as u32)
    }

    /// log10 p(word | state) and the state after `word` (ARPA backoff semantics:
    /// the longest stored n-gram ending in `word`, times the backoff weights of the
    /// longer contexts that lack it).
    #[inline]
    pub fn score(&self, state: &State, word: u32) -> (f32, State) {
        let mut matched = State {
            len: 1,
            nodes: [0; super::MAX_ORDER],
        };
        matched.nodes[0] = word;
        for k in 0..state.len {
            match self.child(k + 1, state.nodes[k], word) {
                Some(index) => {
                    matched.nodes[k + 1] = index;
                    matched.len = k + 2;
                }
                None => break,
            }
        }
        let longest = matched.len;
        let mut log10 = self.levels[longest - 1].log10_prob[matched.nodes[longest - 1] as usize];
        for k in longest - 1..state.len {
            log10 += self.levels[k].log10_backoff[state.nodes[k] as usize];
        }
        matched.len = longest.min(self.order - 1);
        (log10, matched)
    }

    /// The state after `word`, without scoring it.
    #[inline]
    pub fn advance(&self, state: &State, word: u32) -> State {
        let mut next = State {
            len: 1,
            nodes: [0; super::MAX_ORDER],
        };
        next.nodes[0] = word;
        let limit = state.len.min(self.order.saturating_sub(2));
        for k in 0..limit {
            match self.child(k + 1, state.nodes[k], word) {
                Some(index) => {
                    next.nodes[k + 1] = index;
                    next.len = k + 2;
                }
                None => break,
            }
        }
        if self.order == 1 {
            next.len = 0;
        }
        next
    }

    /// The state after `<s>` and `context` (the last N − 1 tokens matter).
    pub fn state_after(&self, context: &[u32]) -> State {
        let mut state = self.begin();
        let skip = context.len().saturating_sub(self.order);
        for &word in &context[skip..] {
            state = self.advance(&state, word);
        }
        state
    }

    /// p(· | state) over the outcomes `0..=V` (V = `</s>`), written into `out`.
    /// Backoff form: every outcome starts at its unigram probability times all the
    /// context backoffs; the continuations of each longer context then overwrite
    /// theirs, shortest context first.
    pub fn distribution(&self, state: &State, out: &mut Vec<f64>) {
        // backoff_from[k] = Σ_{j ≥ k} log10 backoff of the context of length j + 1.
        let mut backoff_from = [0f32; super::MAX_ORDER + 1];
        for k in (0..state.len).rev() {
            backoff_from[k] =
                backoff_from[k + 1] + self.levels[k].log10_backoff[state.nodes[k] as usize];
        }
        let scale = 10f64.powf(f64::from(backoff_from[0]));
        out.clear();
        out.extend(self.unigram.iter().map(|p| p * scale));
        for k in 0..state.len {
            let level = &self.levels[k + 1];
            for child in self.children(k + 1, state.nodes[k]) {
                let log10 = level.log10_prob[child] + backoff_from[k + 1];
                out[level.words[child] as usize] = 10f64.powf(f64::from(log10));
            }
        }
    }

    /// Number of n-grams stored per order (order 1: every id, `</s>` and `<s>`).
    pub fn counts(&self) -> Vec<usize> {
        self.levels.iter().map(|l| l.log10_prob.len()).collect()
    }

    /// Heap bytes of the tables.
    pub fn memory_bytes(&self) -> usize {
        let level_bytes: usize = self
            .levels
            .iter()
            .map(|l| {
                4 * (l.words.len()
                    + l.log10_prob.len()
                    + l.log10_backoff.len()
                    + l.children.len()
                    + l.cumulative.len())
            })
            .sum();
        level_bytes + 8 * (self.unigram.len() + self.unigram_cumulative.len())
    }
}

/// log10 as the tables store it: f32, and 0 probability as −∞.
pub(crate) fn to_log10(p: f64) -> f32 {
    if p > 0.0 {
        (p.log10() as f32).min(0.0)
    } else {
        f32::NEG_INFINITY
    }
}

impl Tables {
    /// Tables from their levels; derives the linear unigram probabilities from the
    /// stored log10 values, so every query agrees with the f32 tables exactly.
    pub fn new(
        order: usize,
        vocab_size: usize,
        levels: Vec<Level>,
        mixture_exact: bool,
        unknown_log10: f32,
    ) -> Self {
        let unigram: Vec<f64> = levels[0].log10_prob[..=vocab_size]
            .iter()
            .map(|&l| 10f64.powf(f64::from(l)))
            .collect();
        let mut running = 0.0;
        let unigram_cumulative = unigram
            .iter()
            .map(|p| {
                running += p;
                running
            })
            .collect();
        Tables {
            order,
            vocab_size,
            levels,
            unigram,
            unigram_cumulative,
            mixture_exact,
            unknown_log10,
        }
    }
}
