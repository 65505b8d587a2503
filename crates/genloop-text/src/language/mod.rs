//! The synthetic language: a seeded Zipfian Markov source of documents whose exact
//! per-token log-probabilities are known, so cross-entropy and KL to the truth can be
//! computed exactly instead of estimated against a reference model.
//!
//! Construction (all randomness from the rng given to [`Language::new`]):
//!
//! - Vocabulary: ids `0..vocab`, shown as `w0`, `w1`, …; [`Language::end_id`]
//!   (= `vocab`) is the end-of-document token, which counts as a token (docs/architecture.md
//!   conventions) but never appears inside [`Documents`].
//! - Unigram proposal: Zipf's law, p(w) ∝ (w + 1)^−s (Zipf 1935; s = `exponent`),
//!   so `w0` is the most frequent word.
//! - Contexts: the previous token (`order = 1`) or the previous two (`order = 2`);
//!   positions before the start of a document hold a begin marker, so the first
//!   tokens have contexts of their own.
//! - Each context has a sparse row: K = min(`branching`, `vocab`) distinct successors
//!   drawn from the unigram proposal without replacement (frequent words are
//!   successors of many contexts), the j-th drawn gets weight j^−s / Σᵢ i^−s (Zipf
//!   again, within the row). Every row gives the end token probability
//!   q = 1/(`mean_length` + 1) and scales the successors by 1 − q, so document
//!   lengths are geometric with mean exactly `mean_length` (P(L = l) = (1 − q)^l q;
//!   empty documents have probability q).
//! - Rows are a pure function of (language key, context): drawn from a generator
//!   seeded by a SplitMix64 hash of both (Steele et al. 2014). Small languages
//!   tabulate them once; large order-2 languages ((vocab + 1)² contexts) make each
//!   row when it is needed, so memory stays O(vocab).
//!
//! Entropy rate (nats per token, end token included): every row has the same
//! probability profile, q and (1 − q)·wⱼ, only the tokens that fill the K slots
//! differ. Every context therefore has the same conditional entropy,
//! H = −q ln q − Σⱼ (1 − q) wⱼ ln((1 − q) wⱼ), and the entropy rate equals H exactly,
//! whatever the stationary distribution of the chain: no estimate is involved. The
//! same holds for the variance of the per-token log-loss, which gives the standard
//! error of an empirical cross-entropy ([`Language::log_loss_variance`]).
//!
//! The realised unigram frequencies are not exactly the proposal: they come from
//! the chain. They stay Zipf-like because frequent words fill more rows, and fill
//! earlier (heavier) slots.
//!
//! ```
//! use genloop_core::model::Source;
//! use genloop_core::seed::RootSeed;
//! use genloop_text::language::{Language, LanguageSpec};
//!
//! let spec = LanguageSpec { vocab: 200, order: 2, ..LanguageSpec::default() };
//! let language = Language::new(&spec, &mut RootSeed(1).global("language")).unwrap();
//! let docs = language.draw(1_000, &mut RootSeed(1).stream("original", 0, 0));
//! let log_probs = language.log_prob_tokens(docs.doc(0));
//! assert_eq!(log_probs.len(), docs.doc(0).len() + 1); // + the end token
//! println!("{}", language.document_text(docs.doc(0)));
//! ```

mod alias;
mod spec;

use std::borrow::Cow;
use std::sync::Arc;

use genloop_core::data::{Dataset, Documents};
use genloop_core::model::Source;
use genloop_core::seed::Rng;
use rand::{Rng as _, SeedableRng};

use alias::AliasTable;
pub use spec::{LanguageError, LanguageSpec};

/// Rows are tabulated when the table has at most this many entries (16 MiB).
const MAX_TABLE_ENTRIES: usize = 1 << 22;

/// The synthetic language (module docs). Cloning is cheap.
#[derive(Clone)]
pub struct Language {
    spec: LanguageSpec,
    /// Seeds every row.
    key: u64,
    /// K = min(branching, vocab).
    branching: usize,
    /// Normalised Zipf proposal over the vocabulary.
    unigram: Arc<Vec<f64>>,
    proposal: Arc<AliasTable>,
    end_probability: f64,
    /// Probability of the j-th successor of any row: (1 − q)·wⱼ.
    slot_probability: Vec<f64>,
    slot_log_probability: Vec<f64>,
    /// Running sums of wⱼ, for sampling a slot.
    slot_cumulative: Vec<f64>,
    /// Successors of every context, K per context, when tabulated.
    table: Option<Arc<Vec<u32>>>,
}

impl std::fmt::Debug for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Language")
            .field("spec", &self.spec)
            .field("tabulated", &self.table.is_some())
            .finish()
    }
}

/// Where a next token sits in a context's row.
enum Slot {
    End,
    Word(usize),
    Absent,
}

/// SplitMix64 finaliser (Steele, Lea & Flood 2014).
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Language {
    /// Builds the language of `spec`; draws its key (one u64) from `rng`.
    pub fn new(spec: &LanguageSpec, rng: &mut Rng) -> Result<Language, LanguageError> {
        spec::check(spec)?;
        let vocab = spec.vocab;
        let zipf = |rank: usize| (rank as f64).powf(-spec.exponent);
        let total: f64 = (1..=vocab).map(zipf).sum();
        let unigram: Vec<f64> = (1..=vocab).map(|r| zipf(r) / total).collect();
        let branching = spec.branching.min(vocab);
        let slot_total: f64 = (1..=branching).map(zipf).sum();
        let weights: Vec<f64> = (1..=branching).map(|j| zipf(j) / slot_total).collect();
        let end_probability = 1.0 / (spec.mean_length + 1.0);
        let slot_probability: Vec<f64> = weights
            .iter()
            .map(|w| (1.0 - end_probability) * w)
            .collect();
        let mut running = 0.0;
        let slot_cumulative = weights
            .iter()
            .map(|w| {
                running += w;
                running
            })
            .collect();
        let mut language = Language {
            spec: spec.clone(),
            key: rng.random(),
            branching,
            proposal: Arc::new(AliasTable::new(&unigram)),
            unigram: Arc::new(unigram),
            end_probability,
            slot_log_probability: slot_probability.iter().map(|p| p.ln()).collect(),
            slot_probability,
            slot_cumulative,
            table: None,
        };
        let contexts = (vocab + 1).pow(spec.order as u32);
        if contexts.saturating_mul(branching) <= MAX_TABLE_ENTRIES {
            let mut table = Vec::with_capacity(contexts * branching);
            for context in 0..contexts as u64 {
                table.extend(language.generate_row(context));
            }
            language.table = Some(Arc::new(table));
        }
        Ok(language)
    }

    pub fn spec(&self) -> &LanguageSpec {
        &self.spec
    }

    /// Number of word tokens (the end token is extra).
    pub fn vocab_size(&self) -> usize {
        self.spec.vocab
    }

    /// The end-of-document token id (= `vocab_size()`).
    pub fn end_id(&self) -> u32 {
        self.spec.vocab as u32
    }

    /// The Zipf proposal the successors are drawn from (module docs).
    pub fn unigram_proposal(&self) -> &[f64] {
        &self.unigram
    }

    /// A letters-only word per id (see [`spell`]), `</d>` for the end token.
    pub fn token_text(&self, id: u32) -> String {
        if (id as usize) < self.spec.vocab {
            spell(id)
        } else if id == self.end_id() {
            "</d>".to_owned()
        } else {
            format!("<invalid {id}>")
        }
    }

    /// The words of `doc` joined by spaces.
    pub fn document_text(&self, doc: &[u32]) -> String {
        let words: Vec<String> = doc.iter().map(|&id| self.token_text(id)).collect();
        words.join(" ")
    }

    /// Index of the context after `prefix` (the document so far): its last
    /// `order` tokens, begin markers (id `vocab`) before the start. Invalid ids are
    /// clamped; their own probability is 0 anyway.
    fn context_index(&self, prefix: &[u32]) -> u64 {
        let marker = self.spec.vocab as u64;
        let slot = |back: usize| {
            prefix
                .len()
                .checked_sub(back)
                .map_or(marker, |i| u64::from(prefix[i]).min(marker))
        };
        match self.spec.order {
            1 => slot(1),
            _ => slot(2) * (marker + 1) + slot(1),
        }
    }

    /// Successors of `context`, most probable first.
    fn row(&self, context: u64) -> Cow<'_, [u32]> {
        match &self.table {
            Some(table) => {
                let start = context as usize * self.branching;
                Cow::Borrowed(&table[start..start + self.branching])
            }
            None => Cow::Owned(self.generate_row(context)),
        }
    }

    /// K distinct successors drawn from the proposal without replacement, in draw
    /// order, from a generator seeded by (key, context).
    fn generate_row(&self, context: u64) -> Vec<u32> {
        let seed = mix64(self.key ^ mix64(context.wrapping_add(0x9e37_79b9_7f4a_7c15)));
        let mut rng = Rng::seed_from_u64(seed);
        let (k, vocab) = (self.branching, self.spec.vocab);
        let mut row = Vec::with_capacity(k);
        if 4 * k <= vocab {
            // Rejection of repeats: fast while the K picks are a small share of the
            // mass; give up (to the exact method below) on very skewed proposals.
            for _ in 0..64 * k {
                let id = self.proposal.sample(&mut rng);
                if !row.contains(&id) {
                    row.push(id);
                    if row.len() == k {
                        return row;
                    }
                }
            }
            row.clear();
        }
        // Efraimidis & Spirakis (2006): the K largest keys u^(1/w), in decreasing
        // order, are successive draws without replacement. O(vocab) per row.
        let mut keys: Vec<(f64, u32)> = self
            .unigram
            .iter()
            .enumerate()
            .map(|(id, &w)| ((1.0 - rng.random::<f64>()).ln() / w, id as u32))
            .collect();
        let descending = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0);
        if k < keys.len() {
            keys.select_nth_unstable_by(k - 1, descending);
            keys.truncate(k);
        }
        keys.sort_unstable_by(descending);
        row.extend(keys.iter().map(|&(_, id)| id));
        row
    }

    /// ln p(`next` | the document so far is `prefix`); `next` may be
    /// [`Language::end_id`]. −∞ for a token outside the context's row.
    pub fn log_prob(&self, prefix: &[u32], next: u32) -> f64 {
        self.log_prob_in(self.context_index(prefix), next)
    }

    /// p(`next` | `prefix`), as [`Language::log_prob`].
    pub fn prob(&self, prefix: &[u32], next: u32) -> f64 {
        match self.slot(self.context_index(prefix), next) {
            Slot::End => self.end_probability,
            Slot::Word(slot) => self.slot_probability[slot],
            Slot::Absent => 0.0,
        }
    }

    fn log_prob_in(&self, context: u64, next: u32) -> f64 {
        match self.slot(context, next) {
            Slot::End => self.end_probability.ln(),
            Slot::Word(slot) => self.slot_log_probability[slot],
            Slot::Absent => f64::NEG_INFINITY,
        }
    }

    fn slot(&self, context: u64, next: u32) -> Slot {
        if next == self.end_id() {
            return Slot::End;
        }
        match self.row(context).iter().position(|&id| id == next) {
            Some(slot) => Slot::Word(slot),
            None => Slot::Absent,
        }
    }

    /// The whole next-token distribution after `prefix`: K successors and the end
    /// token, with their probabilities (they sum to 1); for exact KL computations.
    pub fn next_distribution(&self, prefix: &[u32]) -> Vec<(u32, f64)> {
        let row = self.row(self.context_index(prefix));
        let mut out: Vec<(u32, f64)> = row
            .iter()
            .zip(&self.slot_probability)
            .map(|(&id, &p)| (id, p))
            .collect();
        out.push((self.end_id(), self.end_probability));
        out
    }

    /// Natural-log probability of every token of `doc`, then of the end token
    /// (`doc.len() + 1` values).
    pub fn log_prob_tokens(&self, doc: &[u32]) -> Vec<f64> {
        let mut out = Vec::with_capacity(doc.len() + 1);
        for (i, &token) in doc.iter().enumerate() {
            out.push(self.log_prob_in(self.context_index(&doc[..i]), token));
        }
        out.push(self.end_probability.ln());
        out
    }

    /// Exact entropy rate in nats per token, end token included (module docs).
    pub fn entropy_rate(&self) -> f64 {
        let q = self.end_probability;
        -q * q.ln()
            - self
                .slot_probability
                .iter()
                .zip(&self.slot_log_probability)
                .map(|(p, lp)| p * lp)
                .sum::<f64>()
    }

    /// Variance of the per-token log-loss −ln p(xₜ | context), the same in every
    /// context: the standard error of a mean over N sampled tokens is
    /// √(variance / N) (the losses are martingale differences around the rate).
    pub fn log_loss_variance(&self) -> f64 {
        let q = self.end_probability;
        let second_moment = q * q.ln().powi(2)
            + self
                .slot_probability
                .iter()
                .zip(&self.slot_log_probability)
                .map(|(p, lp)| p * lp * lp)
                .sum::<f64>();
        second_moment - self.entropy_rate().powi(2)
    }

    /// One document: tokens until the end token is drawn.
    pub fn draw_document(&self, rng: &mut Rng) -> Vec<u32> {
        let q = self.end_probability;
        let mut doc = Vec::new();
        loop {
            let u: f64 = rng.random();
            if u < q {
                return doc;
            }
            // The rest of the same uniform picks the slot: (u − q)/(1 − q) is
            // uniform on [0, 1) given u ≥ q.
            let v = (u - q) / (1.0 - q);
            let slot = self
                .slot_cumulative
                .partition_point(|&c| c <= v)
                .min(self.branching - 1);
            let context = self.context_index(&doc);
            doc.push(self.row(context)[slot]);
        }
    }
}

impl Source for Language {
    type Data = Documents;

    /// Whole documents until they hold at least `n` tokens (end tokens not
    /// counted); none for `n = 0`.
    fn draw(&self, n: usize, rng: &mut Rng) -> Documents {
        let mut docs = Documents::new();
        while docs.units() < n {
            docs.push(&self.draw_document(rng));
        }
        docs
    }

    /// Total log-probability of each document, its end token included.
    fn log_density(&self, data: &Documents) -> Option<Vec<f64>> {
        Some(
            data.iter()
                .map(|doc| self.log_prob_tokens(doc).iter().sum())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests;

/// The spelling of word `id`: consonant–vowel syllables, a bijection of the ids
/// onto letters-only words ("ba", "be", …, "zu", "beba", …). Letters only, so text
/// normalisation (which maps digit runs to 0) keeps distinct words distinct and
/// quality rules see ordinary word lengths.
pub fn spell(id: u32) -> String {
    const CONSONANTS: &[u8] = b"bdfgklmnprstvz";
    const VOWELS: &[u8] = b"aeiou";
    let syllables = (CONSONANTS.len() * VOWELS.len()) as u32;
    // Bijective base-70 numeral: every id gets its own syllable string.
    let mut n = id + 1;
    let mut out = Vec::new();
    while n > 0 {
        let digit = ((n - 1) % syllables) as usize;
        out.push(VOWELS[digit % VOWELS.len()]);
        out.push(CONSONANTS[digit / VOWELS.len()]);
        n = (n - 1) / syllables;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}
