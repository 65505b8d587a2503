//! The text parts of a config: corpus and synthetic-language sources, the tokenizer,
//! and the n-gram model. Sizes of text pools (`data.original`, `data.holdout`,
//! `regime.samples`, `regime.fresh`) are counted in tokens.

use serde::{Deserialize, Serialize};

use super::{Checker, RawModel, RawSmoothing, RawSource, RawTokenizer, SourceSpec};

/// Keys a `corpus` source takes.
pub const CORPUS_KEYS: &[&str] = &[
    "path",
    "format",
    "text_field",
    "timestamp_field",
    "on_error",
    "ledger",
    "id_field",
];
/// Keys a `language` source takes.
pub const LANGUAGE_KEYS: &[&str] = &["vocab", "exponent", "order", "mean_length", "branching"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorpusFormat {
    /// JSON lines with a text field (the Hugging Face datasets convention).
    Jsonl,
    /// One document per line.
    Lines,
    /// Documents separated by blank lines.
    Paragraphs,
}

/// A corpus file (optionally .gz or .zst).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CorpusSpec {
    /// As written in the config; relative paths are resolved against the config's
    /// folder.
    pub path: String,
    pub format: CorpusFormat,
    pub text_field: String,
    /// Orders the fresh stream when given (else file order).
    pub timestamp_field: Option<String>,
    /// Skip and count malformed records instead of failing.
    pub skip_errors: bool,
    /// A deletion ledger (JSONL lines with an `id`, as `genloop ingest` appends):
    /// records whose `id_field` is listed never reach any pool.
    pub ledger: Option<String>,
    pub id_field: String,
}

/// The seeded synthetic language (a Zipfian Markov source with exact
/// log-probabilities); `genloop_text::language` builds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageSpec {
    /// Number of word tokens (the end token is extra).
    pub vocab: usize,
    /// Zipf exponent s of the unigram proposal and of the weights within a row.
    pub exponent: f64,
    /// Markov order of the transitions: 1 or 2.
    pub order: usize,
    /// Mean document length in word tokens (geometric lengths; end token not
    /// counted).
    pub mean_length: f64,
    /// Successors per context (sparsity of the transition rows), capped at `vocab`.
    pub branching: usize,
}

impl Default for LanguageSpec {
    fn default() -> Self {
        LanguageSpec {
            vocab: 1000,
            exponent: 1.1,
            order: 1,
            mean_length: 20.0,
            branching: 32,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NgramSmoothing {
    KneserNey,
    Mle,
    AddK { k: f64 },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NgramSpec {
    pub order: usize,
    pub smoothing: NgramSmoothing,
    /// Longest sampled document, in tokens.
    pub max_length: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenizerSpec {
    /// Unicode words and punctuation; vocabulary from the original pool.
    Word { lowercase: bool },
    /// Hugging Face byte-level BPE trained on the original pool.
    Bpe { vocab_size: usize, lowercase: bool },
}

pub(super) fn check_corpus(c: &mut Checker, raw: &RawSource) -> Option<CorpusSpec> {
    let path = match &raw.path {
        Some(p) if !p.trim().is_empty() => p.clone(),
        _ => {
            c.problem(
                "source.path",
                "",
                "is required for a corpus",
                "add path = \"corpus.jsonl\" (.txt, .jsonl, optionally .gz or .zst)",
            );
            return None;
        }
    };
    let guessed = if path.contains(".jsonl") || path.contains(".json") {
        "jsonl"
    } else {
        "lines"
    };
    let format = match c.choice(
        "source.format",
        raw.format.as_deref().unwrap_or(guessed),
        &["jsonl", "lines", "paragraphs"],
    ) {
        Some("jsonl") => CorpusFormat::Jsonl,
        Some("paragraphs") => CorpusFormat::Paragraphs,
        _ => CorpusFormat::Lines,
    };
    if format != CorpusFormat::Jsonl && (raw.ledger.is_some() || raw.id_field.is_some()) {
        c.problem(
            "source.ledger",
            "",
            "applies only to format = \"jsonl\" (records need ids)",
            "remove it or set format = \"jsonl\"",
        );
    }
    if format != CorpusFormat::Jsonl && (raw.text_field.is_some() || raw.timestamp_field.is_some())
    {
        c.problem(
            "source.text_field",
            "",
            "applies only to format = \"jsonl\"",
            "remove it or set format = \"jsonl\"",
        );
    }
    let skip_errors = c.choice(
        "source.on_error",
        raw.on_error.as_deref().unwrap_or("error"),
        &["error", "skip"],
    ) == Some("skip");
    Some(CorpusSpec {
        path,
        format,
        text_field: raw.text_field.clone().unwrap_or_else(|| "text".into()),
        timestamp_field: raw.timestamp_field.clone(),
        skip_errors,
        ledger: raw.ledger.clone(),
        id_field: raw.id_field.clone().unwrap_or_else(|| "id".into()),
    })
}

pub(super) fn check_language(c: &mut Checker, raw: &RawSource) -> LanguageSpec {
    let vocab = c.count("source.vocab", raw.vocab, Some(1000), 2, "vocab = 1000");
    let exponent = c.positive(
        "source.exponent",
        raw.exponent.unwrap_or(1.1),
        "exponent = 1.1",
    );
    let order = c.count("source.order", raw.order, Some(1), 1, "order = 1");
    if order > 2 {
        c.problem(
            "source.order",
            order,
            "must be 1 or 2 (Markov order of the language)",
            "e.g. order = 2",
        );
    }
    let mean_length = raw.mean_length.unwrap_or(20.0);
    if !(mean_length.is_finite() && mean_length >= 1.0) {
        c.problem(
            "source.mean_length",
            mean_length,
            "must be at least 1 token",
            "e.g. mean_length = 20.0",
        );
    }
    let branching = c.count(
        "source.branching",
        raw.branching,
        Some(32),
        1,
        "branching = 32",
    );
    LanguageSpec {
        vocab,
        exponent,
        order,
        mean_length,
        branching,
    }
}

pub(super) fn check_ngram(c: &mut Checker, raw: &RawModel) -> NgramSpec {
    let order = c.count("model.order", raw.order, Some(3), 1, "order = 3");
    if order > 6 {
        c.problem(
            "model.order",
            order,
            "must be within 1..=6",
            "e.g. order = 3",
        );
    }
    let method = match &raw.smoothing {
        None => "kneser_ney".to_string(),
        Some(RawSmoothing::Method(m)) => m.clone(),
        Some(RawSmoothing::Count(v)) => {
            c.problem(
                "model.smoothing",
                v,
                "names a method for the n-gram model",
                "use \"kneser_ney\", \"mle\" or \"add_k\" (with k = …)",
            );
            "kneser_ney".to_string()
        }
    };
    let smoothing = match c.choice("model.smoothing", &method, &["kneser_ney", "mle", "add_k"]) {
        Some("mle") => NgramSmoothing::Mle,
        Some("add_k") => NgramSmoothing::AddK {
            k: c.positive("model.k", raw.k.unwrap_or(1.0), "k = 0.5"),
        },
        _ => NgramSmoothing::KneserNey,
    };
    if raw.k.is_some() && !matches!(smoothing, NgramSmoothing::AddK { .. }) {
        c.problem(
            "model.k",
            raw.k.unwrap_or_default(),
            "applies only to smoothing = \"add_k\"",
            "remove it or set smoothing = \"add_k\"",
        );
    }
    let max_length = c.count(
        "model.max_length",
        raw.max_length,
        Some(1000),
        1,
        "max_length = 1000",
    );
    NgramSpec {
        order,
        smoothing,
        max_length,
    }
}

impl NgramSpec {
    pub(super) fn fill_raw(&self, raw: &mut RawModel) {
        raw.order = Some(self.order as i64);
        raw.max_length = Some(self.max_length as i64);
        let method = match self.smoothing {
            NgramSmoothing::KneserNey => "kneser_ney",
            NgramSmoothing::Mle => "mle",
            NgramSmoothing::AddK { k } => {
                raw.k = Some(k);
                "add_k"
            }
        };
        raw.smoothing = Some(RawSmoothing::Method(method.into()));
    }
}

pub(super) fn check_tokenizer(
    c: &mut Checker,
    raw: Option<&RawTokenizer>,
    source: Option<&SourceSpec>,
) -> Option<TokenizerSpec> {
    let is_corpus = matches!(source, Some(SourceSpec::Corpus(_)));
    let raw = match (raw, is_corpus) {
        (None, true) => return Some(TokenizerSpec::Word { lowercase: false }),
        (None, false) => return None,
        (Some(_), false) => {
            c.problem(
                "tokenizer",
                "",
                "applies only to corpus sources (the synthetic language and numeric sources have their own symbols)",
                "remove the [tokenizer] table",
            );
            return None;
        }
        (Some(raw), true) => raw,
    };
    let lowercase = raw.lowercase.unwrap_or(false);
    match c.choice("tokenizer.kind", &raw.kind, &["word", "bpe"]) {
        Some("bpe") => Some(TokenizerSpec::Bpe {
            vocab_size: c.count(
                "tokenizer.vocab_size",
                raw.vocab_size,
                Some(4000),
                260,
                "vocab_size = 4000",
            ),
            lowercase,
        }),
        _ => {
            if let Some(v) = raw.vocab_size {
                c.problem(
                    "tokenizer.vocab_size",
                    v,
                    "applies only to kind = \"bpe\"",
                    "remove it (the word vocabulary is the original pool's words)",
                );
            }
            Some(TokenizerSpec::Word { lowercase })
        }
    }
}
