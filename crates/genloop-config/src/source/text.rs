//! The text sources: a corpus file and the seeded synthetic language. Sizes of text
//! pools (`data.original`, `data.holdout`, `regime.samples`, `regime.fresh`) are
//! counted in tokens.

use genloop_text::corpus::{CorpusSpec, Format, OnError};
use genloop_text::language::LanguageSpec;

use super::RawSource;
use crate::problem::Checker;

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
/// Most words of the synthetic language: building it sums and tabulates a Zipf
/// weight per word (about 32 bytes and a `powf` each), so 10 M words take 0.3 GB and
/// a fraction of a second; 4e9 words took over a minute before any message.
pub const MAX_LANGUAGE_VOCAB: i64 = 10_000_000;
/// Longest mean document of the language: a document is drawn whole, so a mean of
/// 1e300 tokens never ends.
pub const MAX_MEAN_LENGTH: f64 = 100_000.0;

/// Keys a `language` source takes.
pub const LANGUAGE_KEYS: &[&str] = &["vocab", "exponent", "order", "mean_length", "branching"];

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
    let format = check_format(c, raw, &path);
    let on_error = match c.choice(
        "source.on_error",
        raw.on_error.as_deref().unwrap_or("error"),
        &["error", "skip"],
    ) {
        Some("skip") => OnError::Skip,
        _ => OnError::Fail,
    };
    Some(CorpusSpec {
        path,
        format,
        text_field: raw.text_field.clone().unwrap_or_else(|| "text".into()),
        timestamp_field: raw.timestamp_field.clone(),
        on_error,
        ledger: raw.ledger.clone(),
        id_field: raw.id_field.clone().unwrap_or_else(|| "id".into()),
    })
}

/// The file's format (guessed from the path when not given), and the keys that
/// only JSONL records have.
fn check_format(c: &mut Checker, raw: &RawSource, path: &str) -> Format {
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
        Some("jsonl") => Format::Jsonl,
        Some("paragraphs") => Format::Paragraphs,
        _ => Format::Lines,
    };
    if format != Format::Jsonl && (raw.ledger.is_some() || raw.id_field.is_some()) {
        c.problem(
            "source.ledger",
            "",
            "applies only to format = \"jsonl\" (records need ids)",
            "remove it or set format = \"jsonl\"",
        );
    }
    if format != Format::Jsonl && (raw.text_field.is_some() || raw.timestamp_field.is_some()) {
        c.problem(
            "source.text_field",
            "",
            "applies only to format = \"jsonl\"",
            "remove it or set format = \"jsonl\"",
        );
    }
    format
}

pub(super) fn check_language(c: &mut Checker, raw: &RawSource) -> LanguageSpec {
    let vocab = c.count_within(
        "source.vocab",
        raw.vocab,
        Some(1000),
        2..=MAX_LANGUAGE_VOCAB,
        "vocab = 1000",
    );
    let exponent = c.positive_or("source.exponent", raw.exponent, 1.1);
    let order = c.count_or("source.order", raw.order, 1, 1);
    if order > 2 {
        c.problem(
            "source.order",
            order,
            "must be 1 or 2 (Markov order of the language)",
            "e.g. order = 2",
        );
    }
    let mean_length = raw.mean_length.unwrap_or(20.0);
    if !(mean_length.is_finite() && (1.0..=MAX_MEAN_LENGTH).contains(&mean_length)) {
        c.problem(
            "source.mean_length",
            mean_length,
            &format!("must be within 1..={MAX_MEAN_LENGTH} tokens"),
            "e.g. mean_length = 20.0",
        );
    }
    let branching = c.count_within(
        "source.branching",
        raw.branching,
        Some(32),
        1..=MAX_LANGUAGE_VOCAB,
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
