//! `[tokenizer]`: how the text of a corpus becomes tokens (`genloop_text::tokenize`).
//! Sizes of text pools (`data.original`, `data.holdout`, `regime.samples`,
//! `regime.fresh`) are counted in tokens.

use serde::{Deserialize, Serialize};

use genloop_text::tokenize::{BpeOptions, TokenizerSpec, WordOptions};

use crate::problem::Checker;
use crate::source::SourceSpec;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTokenizer {
    pub kind: String,
    pub vocab_size: Option<i64>,
    pub lowercase: Option<bool>,
}

/// Corpus runs get a tokenizer (word tokens unless the table says otherwise); other
/// sources have their own symbols and take none.
pub(crate) fn check_tokenizer(
    c: &mut Checker,
    raw: Option<&RawTokenizer>,
    source: Option<&SourceSpec>,
) -> Option<TokenizerSpec> {
    let is_corpus = matches!(source, Some(SourceSpec::Corpus(_)));
    let raw = match (raw, is_corpus) {
        (None, true) => return Some(word(false)),
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
        Some("bpe") => Some(TokenizerSpec::Bpe(BpeOptions {
            vocab_size: c.count_or("tokenizer.vocab_size", raw.vocab_size, 4000, 260),
            lowercase,
            ..BpeOptions::default()
        })),
        _ => {
            if let Some(v) = raw.vocab_size {
                c.problem(
                    "tokenizer.vocab_size",
                    v,
                    "applies only to kind = \"bpe\"",
                    "remove it (the word vocabulary is the original pool's words)",
                );
            }
            Some(word(lowercase))
        }
    }
}

fn word(lowercase: bool) -> TokenizerSpec {
    TokenizerSpec::Word(WordOptions {
        lowercase,
        ..WordOptions::default()
    })
}
