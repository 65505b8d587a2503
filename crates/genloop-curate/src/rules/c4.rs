//! C4 rules: Raffel et al. 2020, §2.2 ("Colossal Clean Crawled Corpus"), as implemented in
//! huggingface/datatrove `pipeline/filters/c4_filters.py` (`C4QualityFilter`). The line
//! rules remove lines ([`C4::clean`]); the document rules drop the whole document
//! ([`Rule::check`]).

use serde::Deserialize;

use super::text::ends_with_terminal_punctuation;
use super::{Rule, Verdict};

/// Thresholds of the C4 rules; defaults are docs/formulas.md §5.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct C4Config {
    /// A line with a longer word (in characters) is dropped (1000).
    pub max_word_length: usize,
    /// Lines must end in terminal punctuation `. ? ! " '` (true).
    pub require_terminal_punctuation: bool,
    /// Fewest words on a kept line (3).
    pub min_words_per_line: usize,
    /// Fewest sentences over the kept lines (5).
    pub min_sentences: usize,
    /// Lines containing any of these (lowercased) are dropped: "javascript" plus the
    /// cookie and terms-of-use phrases of datatrove's `POLICY_SUBSTRINGS`.
    pub banned_line_phrases: Vec<String>,
    /// Documents containing any of these (lowercased) are dropped ("lorem ipsum").
    pub banned_document_phrases: Vec<String>,
    /// Documents containing '{' (code, templates) are dropped (true).
    pub drop_curly_bracket: bool,
}

impl Default for C4Config {
    fn default() -> Self {
        C4Config {
            max_word_length: 1000,
            require_terminal_punctuation: true,
            min_words_per_line: 3,
            min_sentences: 5,
            banned_line_phrases: [
                "javascript",
                "terms of use",
                "privacy policy",
                "cookie policy",
                "uses cookies",
                "use of cookies",
                "use cookies",
            ]
            .map(String::from)
            .to_vec(),
            banned_document_phrases: vec!["lorem ipsum".to_string()],
            drop_curly_bracket: true,
        }
    }
}

/// The C4 rule set.
#[derive(Debug, Clone, Default)]
pub struct C4 {
    config: C4Config,
}

/// Sentences in a line: runs of text ended by '.', '?' or '!' (a stand-in for NLTK's
/// Punkt splitter); a line with text but no such mark counts as one.
fn count_sentences(line: &str) -> usize {
    let mut sentences = 0;
    let mut open = false;
    for character in line.chars() {
        if matches!(character, '.' | '?' | '!') {
            if open {
                sentences += 1;
            }
            open = false;
        } else if !character.is_whitespace() && !matches!(character, '"' | '\'') {
            open = true;
        }
    }
    sentences + usize::from(open)
}

impl C4 {
    pub fn new(config: C4Config) -> Self {
        C4 { config }
    }

    pub fn config(&self) -> &C4Config {
        &self.config
    }

    /// The reason a single line is removed, or `None` if it is kept.
    fn line_reason(&self, line: &str) -> Option<String> {
        let config = &self.config;
        let words: Vec<&str> = line.split_whitespace().collect();
        let longest = words.iter().map(|w| w.chars().count()).max().unwrap_or(0);
        if longest > config.max_word_length {
            return Some(format!(
                "c4.long_word: word of {longest} chars > {}",
                config.max_word_length
            ));
        }
        if config.require_terminal_punctuation && !ends_with_terminal_punctuation(line) {
            return Some("c4.no_terminal_punctuation: line does not end in . ? ! \" '".into());
        }
        if words.len() < config.min_words_per_line {
            return Some(format!(
                "c4.few_words: {} words < {}",
                words.len(),
                config.min_words_per_line
            ));
        }
        let lowercase = line.to_lowercase();
        if let Some(phrase) = config
            .banned_line_phrases
            .iter()
            .find(|phrase| lowercase.contains(phrase.as_str()))
        {
            return Some(format!("c4.banned_phrase: contains {phrase:?}"));
        }
        None
    }

    /// Applies the line rules: returns the kept lines (trimmed, joined by '\n') and one
    /// reason per removed line, "line N: rule: measured vs threshold" (N from 1).
    pub fn clean(&self, text: &str) -> (String, Vec<String>) {
        let (kept, dropped) = self.split_lines(text);
        (kept.join("\n"), dropped)
    }

    fn split_lines<'a>(&self, text: &'a str) -> (Vec<&'a str>, Vec<String>) {
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            match self.line_reason(line) {
                Some(reason) => dropped.push(format!("line {}: {reason}", index + 1)),
                None => kept.push(line),
            }
        }
        (kept, dropped)
    }
}

impl Rule for C4 {
    fn name(&self) -> &'static str {
        "c4"
    }

    fn check(&self, text: &str) -> Verdict {
        let config = &self.config;
        let lowercase = text.to_lowercase();
        if let Some(phrase) = config
            .banned_document_phrases
            .iter()
            .find(|phrase| lowercase.contains(phrase.as_str()))
        {
            return Verdict::drop("c4.banned_document_phrase", format!("contains {phrase:?}"));
        }
        if config.drop_curly_bracket && text.contains('{') {
            return Verdict::drop("c4.curly_bracket", "contains '{'");
        }
        let (kept, _) = self.split_lines(text);
        let sentences: usize = kept.iter().map(|line| count_sentences(line)).sum();
        if sentences < config.min_sentences {
            return Verdict::drop(
                "c4.min_sentences",
                format!(
                    "{sentences} sentences on {} kept lines < {}",
                    kept.len(),
                    config.min_sentences
                ),
            );
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_counted_by_terminal_marks() {
        assert_eq!(count_sentences("One. Two! Three? Four"), 4);
        assert_eq!(count_sentences("Wait... what?"), 2);
        assert_eq!(count_sentences("\"Quoted.\""), 1);
        assert_eq!(count_sentences(""), 0);
    }
}
