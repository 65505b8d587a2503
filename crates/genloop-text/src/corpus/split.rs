//! Splitting a corpus into the pools of a run, with sizes in tokens (see [`TextSplits`]).

use std::path::{Path, PathBuf};

use genloop_core::data::{Dataset, Documents};
use genloop_core::seed::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::error::{json_kind, CorpusError};
use super::CorpusDoc;
use crate::tokenize::Tokenizer;

/// How the holdout is chosen within the prefix (see [`TextSplits`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldoutChoice {
    /// A seeded random share of the prefix documents.
    #[default]
    Random,
    /// The first documents.
    First,
}

/// Pool sizes in tokens, and the order of the corpus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitSpec {
    pub original: usize,
    pub holdout: usize,
    /// Tokens of the fresh stream; `None`: every document after the prefix.
    #[serde(default)]
    pub fresh: Option<usize>,
    /// Metadata field to order documents by (JSONL only): all strings, compared as
    /// text (ISO 8601 timestamps in one zone, e.g. `2024-05-01T12:00:00Z`, sort in
    /// time order), or all numbers (e.g. Unix seconds). Ties keep file order.
    #[serde(default)]
    pub timestamp_field: Option<String>,
    #[serde(default)]
    pub holdout_choice: HoldoutChoice,
}

/// Documents of one pool with their token count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextPool {
    pub docs: Vec<CorpusDoc>,
    /// Tokens as counted by the splitting tokenizer.
    pub tokens: usize,
}

impl TextPool {
    fn push(&mut self, doc: CorpusDoc, tokens: usize) {
        self.docs.push(doc);
        self.tokens += tokens;
    }

    /// The texts, in order (e.g. to train a tokenizer on the original pool).
    pub fn texts(&self) -> impl ExactSizeIterator<Item = &str> + Clone + Send + '_ {
        self.docs.iter().map(|doc| doc.text.as_str())
    }
}

/// The pools as text, before the final tokenizer: holdout, original and fresh stream,
/// with sizes in tokens.
///
/// Order first: file order, or a stable sort by a named timestamp field. Then, in
/// that order:
///
/// 1. the **prefix**: the first documents until they hold `holdout + original`
///    tokens. Holdout and original both come from it, so both are the oldest data
///    and the fresh stream is strictly later than either. By default
///    ([`HoldoutChoice::Random`]) the prefix documents are shuffled with the given
///    rng and the holdout takes them in that order until it holds `holdout` tokens;
///    the rest is the original pool, which is topped up with the next documents
///    if it is short of `original`. Holdout and original are thus random shares of
///    the same period, so the holdout measures the original distribution; in file
///    order (KJV) taking the first verses as holdout would test on Genesis and train
///    on Exodus. [`HoldoutChoice::First`] takes the holdout as the first documents
///    instead (no randomness).
/// 2. the **fresh stream**: the following documents, `fresh` tokens of them (or
///    all the rest), released generation by generation in order
///    ([`CorpusSplits::fresh_batch`]).
///
/// Pools are whole documents, so each holds at least its size, exceeding it by less
/// than one document. Documents with no tokens are dropped and counted. Without a
/// timestamp and with a fresh size, reading stops once the pools are full: a large
/// file is read only as far as needed. Sorting needs every document in memory.
///
/// Sizes are counted by the tokenizer given to [`TextSplits::split`]. When the final
/// tokenizer is trained on the original pool (BPE), count with the word scanner
/// (`TokenizerSpec::untrained_counter`, or `WordTokenizer::empty`), train on
/// `original`, then [`TextSplits::encode`]: pool sizes in BPE tokens are then read
/// off the encoded pools (on the KJV, 8192 merges give 1.02 BPE tokens per word
/// token, punctuation counting as words).
#[derive(Clone, Debug)]
pub struct TextSplits {
    pub path: PathBuf,
    pub holdout: TextPool,
    pub original: TextPool,
    pub fresh: TextPool,
    /// Documents dropped because they have no tokens.
    pub empty_dropped: usize,
}

/// The pools as token ids under the run's tokenizer.
#[derive(Clone, Debug, PartialEq)]
pub struct CorpusSplits {
    pub original: Documents,
    pub holdout: Documents,
    /// The whole fresh stream, in release order.
    pub fresh: Documents,
}

/// An ordering key from the timestamp field.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
enum Key {
    Number(f64),
    Text(String),
}

impl TextSplits {
    /// Splits the documents of `docs` (a [`super::CorpusReader`], or read documents
    /// wrapped in `Ok`) read from `path`, counting tokens with `counter`. `rng` is
    /// used only by [`HoldoutChoice::Random`]; pass a named stream of the run's seed.
    pub fn split<I>(
        docs: I,
        path: &Path,
        counter: &dyn Tokenizer,
        spec: &SplitSpec,
        rng: &mut Rng,
    ) -> Result<TextSplits, CorpusError>
    where
        I: IntoIterator<Item = Result<CorpusDoc, CorpusError>>,
    {
        let mut tally = Tally::default();
        let mut counted = |doc| tally.count(counter, doc);
        let mut ordered: Box<dyn Iterator<Item = CountedDoc>> = match &spec.timestamp_field {
            None => Box::new(docs.into_iter().filter_map(&mut counted)),
            Some(field) => {
                let all = docs
                    .into_iter()
                    .filter_map(&mut counted)
                    .collect::<Result<Vec<_>, _>>()?;
                Box::new(sort_by_timestamp(all, field, path)?.into_iter().map(Ok))
            }
        };
        let (holdout, mut original) = split_prefix(&mut ordered, spec, rng)?;
        fill(&mut original, &mut ordered, spec.original)?;
        let mut fresh = TextPool::default();
        fill(&mut fresh, &mut ordered, spec.fresh.unwrap_or(usize::MAX))?;
        drop(ordered);
        let splits = TextSplits {
            path: path.to_owned(),
            holdout,
            original,
            fresh,
            empty_dropped: tally.empty_dropped,
        };
        splits.check_sizes(spec, &tally)?;
        Ok(splits)
    }

    /// An error when the corpus had no document, or too few tokens for a pool.
    fn check_sizes(&self, spec: &SplitSpec, tally: &Tally) -> Result<(), CorpusError> {
        if tally.documents == 0 {
            return Err(CorpusError::Empty {
                path: self.path.clone(),
                skipped: 0,
            });
        }
        let fresh_short = spec.fresh.is_some_and(|size| self.fresh.tokens < size);
        if self.holdout.tokens < spec.holdout || self.original.tokens < spec.original || fresh_short
        {
            let fresh_requested = spec.fresh.unwrap_or(0);
            return Err(CorpusError::TooSmall {
                path: self.path.clone(),
                requested: spec.holdout + spec.original + fresh_requested,
                holdout: spec.holdout,
                original: spec.original,
                fresh: fresh_requested,
                available: tally.available,
                documents: tally.documents,
            });
        }
        Ok(())
    }

    /// Every pool encoded with `tokenizer` (the run's final tokenizer).
    pub fn encode(&self, tokenizer: &dyn Tokenizer) -> CorpusSplits {
        let encode = |pool: &TextPool| crate::tokenize::encode_documents(tokenizer, pool.texts());
        CorpusSplits {
            original: encode(&self.original),
            holdout: encode(&self.holdout),
            fresh: encode(&self.fresh),
        }
    }
}

/// Stable sort by the timestamp field; every document must have it, all of one kind.
/// A document with its token count, or the error reading it.
type CountedDoc = Result<(CorpusDoc, usize), CorpusError>;

/// The documents read so far: with tokens (and their tokens), and without.
#[derive(Default)]
struct Tally {
    empty_dropped: usize,
    available: usize,
    documents: usize,
}

impl Tally {
    /// `doc` with its token count; `None` (and counted) when it has no tokens.
    fn count(
        &mut self,
        counter: &dyn Tokenizer,
        doc: Result<CorpusDoc, CorpusError>,
    ) -> Option<CountedDoc> {
        match doc {
            Ok(doc) => {
                let tokens = counter.count(&doc.text);
                if tokens == 0 {
                    self.empty_dropped += 1;
                    return None;
                }
                self.available += tokens;
                self.documents += 1;
                Some(Ok((doc, tokens)))
            }
            Err(error) => Some(Err(error)),
        }
    }
}

/// The prefix of holdout + original tokens, split into the holdout (a random or
/// the first share, by `spec.holdout_choice`) and the start of the original pool.
fn split_prefix(
    ordered: &mut dyn Iterator<Item = CountedDoc>,
    spec: &SplitSpec,
    rng: &mut Rng,
) -> Result<(TextPool, TextPool), CorpusError> {
    let prefix_size = spec.holdout + spec.original;
    let mut prefix = Vec::new();
    let mut prefix_tokens = 0;
    while prefix_tokens < prefix_size {
        let Some(next) = ordered.next() else { break };
        let (doc, tokens) = next?;
        prefix_tokens += tokens;
        prefix.push((doc, tokens));
    }
    let mut order: Vec<usize> = (0..prefix.len()).collect();
    if spec.holdout_choice == HoldoutChoice::Random {
        order.shuffle(rng);
    }
    let mut in_holdout = vec![false; prefix.len()];
    let mut holdout_tokens = 0;
    for &index in &order {
        if holdout_tokens >= spec.holdout {
            break;
        }
        in_holdout[index] = true;
        holdout_tokens += prefix[index].1;
    }
    let mut holdout = TextPool::default();
    let mut original = TextPool::default();
    for ((doc, tokens), held) in prefix.into_iter().zip(in_holdout) {
        if held {
            holdout.push(doc, tokens);
        } else {
            original.push(doc, tokens);
        }
    }
    Ok((holdout, original))
}

/// Adds documents from `ordered` to `pool` until it holds `size` tokens.
fn fill(
    pool: &mut TextPool,
    ordered: &mut dyn Iterator<Item = CountedDoc>,
    size: usize,
) -> Result<(), CorpusError> {
    while pool.tokens < size {
        let Some(next) = ordered.next() else { break };
        let (doc, tokens) = next?;
        pool.push(doc, tokens);
    }
    Ok(())
}

fn sort_by_timestamp(
    docs: Vec<(CorpusDoc, usize)>,
    field: &str,
    path: &Path,
) -> Result<Vec<(CorpusDoc, usize)>, CorpusError> {
    let problem = |doc: &CorpusDoc, problem: String| CorpusError::Timestamp {
        path: path.to_owned(),
        line: doc.line,
        field: field.to_owned(),
        problem,
    };
    let mut keyed = Vec::with_capacity(docs.len());
    for (doc, tokens) in docs {
        let key = match doc.metadata.get(field) {
            None => return Err(problem(&doc, "is missing".to_owned())),
            Some(serde_json::Value::String(text)) => Key::Text(text.clone()),
            Some(serde_json::Value::Number(number)) => {
                Key::Number(number.as_f64().expect("JSON numbers are finite"))
            }
            Some(other) => {
                let kind = json_kind(other);
                return Err(problem(
                    &doc,
                    format!("is {kind}; use a string (ISO 8601) or a number"),
                ));
            }
        };
        if let Some((first, _, _)) = keyed.first() {
            if std::mem::discriminant(first) != std::mem::discriminant(&key) {
                let message = "mixes strings and numbers across documents; use one kind";
                return Err(problem(&doc, message.to_owned()));
            }
        }
        keyed.push((key, doc, tokens));
    }
    // `sort_by` is stable: equal timestamps keep file order.
    keyed.sort_by(|a, b| a.0.partial_cmp(&b.0).expect("keys of one kind, no NaN"));
    Ok(keyed
        .into_iter()
        .map(|(_, doc, tokens)| (doc, tokens))
        .collect())
}

impl CorpusSplits {
    /// The fresh documents released at `generation` when each generation gets
    /// `tokens` tokens. Generation 0 trains on the original pool only and gets none;
    /// generation g ≥ 1 gets the documents that bring the stream from `(g − 1)·tokens`
    /// to at least `g·tokens` tokens, so releases never drift: after g generations
    /// the released documents are the fewest leading ones that hold g·tokens tokens.
    /// A batch is empty when one long document of the batch before spans it.
    pub fn fresh_batch(&self, generation: u32, tokens: usize) -> Result<Documents, CorpusError> {
        if generation == 0 || tokens == 0 {
            return Ok(Documents::new());
        }
        let g = generation as usize;
        let requested = g.saturating_mul(tokens);
        let available = self.fresh.units();
        if requested > available {
            return Err(CorpusError::FreshExhausted {
                generation,
                tokens,
                requested,
                available,
            });
        }
        let start = self.documents_reaching((g - 1) * tokens);
        let end = self.documents_reaching(requested);
        Ok(Documents::from_docs(
            (start..end).map(|i| self.fresh.doc(i)),
        ))
    }

    /// How many generations can get a full batch of `tokens` tokens.
    pub fn fresh_generations(&self, tokens: usize) -> u32 {
        if tokens == 0 {
            return u32::MAX;
        }
        u32::try_from(self.fresh.units() / tokens).unwrap_or(u32::MAX)
    }

    /// The fewest leading fresh documents that hold at least `tokens` tokens.
    fn documents_reaching(&self, tokens: usize) -> usize {
        if tokens == 0 {
            return 0;
        }
        // offsets[i + 1] is the token count of the first i + 1 documents.
        self.fresh.offsets[1..].partition_point(|&end| end < tokens) + 1
    }
}
