//! Rules for short posts (docs/formulas.md §5, short-form profile), where Gopher's 50-word
//! minimum would drop almost every post, and plain word-count bounds.

use serde::Deserialize;

use super::gopher_repetition::{GopherRepetition, GopherRepetitionConfig};
use super::text::{count_occurrences, ratio};
use super::{Rule, Verdict};

/// Thresholds of the short-form profile; defaults are docs/formulas.md §5.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShortFormConfig {
    /// Fewest words once @mentions and URLs are removed (5).
    pub min_words: usize,
    /// Share of non-whitespace characters in URLs, mentions and hashtags must stay under
    /// this (0.5).
    pub max_link_char_ratio: f64,
    /// Most '#' per word (0.3).
    pub max_hash_word_ratio: f64,
    /// Repetition rules apply only to posts or threads of at least this many words (50).
    pub repetition_min_words: usize,
    /// The Gopher repetition thresholds used on long enough posts.
    pub repetition: GopherRepetitionConfig,
}

impl Default for ShortFormConfig {
    fn default() -> Self {
        ShortFormConfig {
            min_words: 5,
            max_link_char_ratio: 0.5,
            max_hash_word_ratio: 0.3,
            repetition_min_words: 50,
            repetition: GopherRepetitionConfig::default(),
        }
    }
}

/// The short-form (post) rule set.
#[derive(Debug, Clone, Default)]
pub struct ShortForm {
    config: ShortFormConfig,
    repetition: GopherRepetition,
}

impl ShortForm {
    pub fn new(config: ShortFormConfig) -> Self {
        let repetition = GopherRepetition::new(config.repetition.clone());
        ShortForm { config, repetition }
    }

    pub fn config(&self) -> &ShortFormConfig {
        &self.config
    }
}

fn is_url(token: &str) -> bool {
    let lowercase = token.to_ascii_lowercase();
    ["http://", "https://", "www."]
        .iter()
        .any(|prefix| lowercase.starts_with(prefix))
}

/// A mention, `@user` or `@user@instance`, possibly after an opening bracket or quote.
fn is_mention(token: &str) -> bool {
    let token = token.trim_start_matches(['(', '"', '\'']);
    token.starts_with('@') && token.chars().nth(1).is_some_and(char::is_alphanumeric)
}

fn is_hashtag(token: &str) -> bool {
    token.starts_with('#') && token.chars().nth(1).is_some_and(char::is_alphanumeric)
}

impl Rule for ShortForm {
    fn name(&self) -> &'static str {
        "short_form"
    }

    fn check(&self, text: &str) -> Verdict {
        let config = &self.config;
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let plain_words = tokens
            .iter()
            .filter(|token| !is_url(token) && !is_mention(token))
            .count();
        if plain_words < config.min_words {
            return Verdict::drop(
                "short_form.min_words",
                format!(
                    "{plain_words} words without mentions and URLs < {}",
                    config.min_words
                ),
            );
        }

        let chars = |token: &&str| token.chars().count();
        let total_chars: usize = tokens.iter().map(chars).sum();
        let link_chars: usize = tokens
            .iter()
            .filter(|token| is_url(token) || is_mention(token) || is_hashtag(token))
            .map(chars)
            .sum();
        let share = ratio(link_chars, total_chars);
        if share >= config.max_link_char_ratio {
            return Verdict::drop(
                "short_form.link_chars",
                format!(
                    "share of chars in URLs, mentions and hashtags {share:.3} >= {}",
                    config.max_link_char_ratio
                ),
            );
        }

        let hash_ratio = ratio(count_occurrences(text, "#"), tokens.len());
        if hash_ratio > config.max_hash_word_ratio {
            return Verdict::drop(
                "short_form.hash_ratio",
                format!(
                    "'#' per word {hash_ratio:.3} > {}",
                    config.max_hash_word_ratio
                ),
            );
        }

        if tokens.len() >= config.repetition_min_words {
            return self.repetition.check(text);
        }
        Verdict::Keep
    }
}

/// Keeps documents whose whitespace-separated word count lies in `[min_words, max_words]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LengthBounds {
    pub min_words: usize,
    pub max_words: usize,
}

impl Rule for LengthBounds {
    fn name(&self) -> &'static str {
        "length_bounds"
    }

    fn check(&self, text: &str) -> Verdict {
        let words = text.split_whitespace().count();
        if words < self.min_words {
            return Verdict::drop(
                "length_bounds.min_words",
                format!("{words} words < {}", self.min_words),
            );
        }
        if words > self.max_words {
            return Verdict::drop(
                "length_bounds.max_words",
                format!("{words} words > {}", self.max_words),
            );
        }
        Verdict::Keep
    }
}
