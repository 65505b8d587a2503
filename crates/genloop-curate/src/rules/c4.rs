//! C4 rules: Raffel et al. 2020, §2.2 ("Colossal Clean Crawled Corpus"), as implemented in
//! huggingface/datatrove 0.10.1 `pipeline/filters/c4_filters.py` (`C4QualityFilter`),
//! with its parameter names and order. Each line (Python `splitlines`, stripped) goes
//! through, in turn: a word over `max_word_length` characters removes it; citations
//! (`[1]`, `[edit]`, `[citation needed]`) are cut out; a line not ending in `. ? ! " '`,
//! or ending in "...", is removed; so is one of fewer than `min_words_per_line` words
//! (counted before the citations were cut); "lorem ipsum" drops the document;
//! "javascript" removes the line; '{' drops the document; a cookie or terms-of-use
//! phrase removes the line. Kept lines add their sentences (spaCy's sentencizer,
//! [`super::english`]); fewer than `min_num_sentences` drops the document.
//!
//! Only kept lines are checked for "lorem ipsum" and '{': a '{' on a line without
//! final punctuation does not drop the document (until December 2026 genloop checked
//! the whole text first).

use std::borrow::Cow;

use serde::Deserialize;

use super::english::{count_sentences, is_space, sentence_pieces};
use super::text::{char_len, ends_with_terminal_punctuation, py_strip, split_lines};
use super::{Rule, Verdict};

/// The C4 rules, named as datatrove's `C4QualityFilter` arguments; defaults are
/// docs/formulas.md §5.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct C4Config {
    /// Work on lines (true, as C4); false works on spaCy sentences instead, each
    /// counting as one sentence.
    pub split_paragraph: bool,
    /// Cut `[1]`, `[]`, `[edit]` and `[citation needed]` out of lines (true).
    pub remove_citations: bool,
    /// Remove lines not ending in `. ? ! " '`, or ending in "..." (true).
    pub filter_no_terminal_punct: bool,
    /// Fewest sentences over the kept lines (5; -1 turns the check off).
    pub min_num_sentences: i64,
    /// Fewest words on a kept line (3).
    pub min_words_per_line: i64,
    /// A line with a longer word (in characters) is removed (1000; -1: no limit).
    pub max_word_length: i64,
    /// Drop documents with "lorem ipsum" on a kept line (true).
    pub filter_lorem_ipsum: bool,
    /// Remove lines mentioning "javascript" (true).
    pub filter_javascript: bool,
    /// Drop documents with '{' on a kept line (true).
    pub filter_curly_bracket: bool,
    /// Remove lines with a cookie or terms-of-use phrase (true).
    pub filter_policy: bool,
}

impl Default for C4Config {
    fn default() -> Self {
        C4Config {
            split_paragraph: true,
            remove_citations: true,
            filter_no_terminal_punct: true,
            min_num_sentences: 5,
            min_words_per_line: 3,
            max_word_length: 1000,
            filter_lorem_ipsum: true,
            filter_javascript: true,
            filter_curly_bracket: true,
            filter_policy: true,
        }
    }
}

/// The phrases of datatrove's `POLICY_SUBSTRINGS`.
const POLICY_PHRASES: [&str; 6] = [
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
];

/// The C4 rule set.
#[derive(Debug, Clone, Default)]
pub struct C4 {
    config: C4Config,
}

/// What happens to one line.
enum LineOutcome<'a> {
    Keep(Cow<'a, str>),
    Remove(String),
    DropDocument(Verdict),
}

/// `line` without its citations: `[` digits `]`, `[edit]`, `[citation needed]`.
fn remove_citations(line: &str) -> Cow<'_, str> {
    if !line.contains('[') {
        return Cow::Borrowed(line);
    }
    let mut kept = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        kept.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits = after.len() - after.trim_start_matches(char::is_numeric).len();
        let length = if after[digits..].starts_with(']') {
            digits + 1
        } else if after.starts_with("edit]") {
            5
        } else if after.starts_with("citation needed]") {
            16
        } else {
            kept.push('[');
            0
        };
        rest = &after[length..];
    }
    kept.push_str(rest);
    Cow::Owned(kept)
}

impl C4 {
    pub fn new(config: C4Config) -> Self {
        C4 { config }
    }

    pub fn config(&self) -> &C4Config {
        &self.config
    }

    /// The first three line rules: word length, citations, final punctuation, words.
    fn shape<'a>(&self, line: &'a str) -> Result<Cow<'a, str>, String> {
        let config = &self.config;
        let words: Vec<&str> = line.split(is_space).filter(|w| !w.is_empty()).collect();
        let longest = words.iter().map(|w| char_len(w)).max().unwrap_or(0);
        if config.max_word_length != -1 && longest as i64 > config.max_word_length {
            let max = config.max_word_length;
            return Err(format!("c4.long_word: word of {longest} chars > {max}"));
        }
        let line = if config.remove_citations {
            remove_citations(line)
        } else {
            Cow::Borrowed(line)
        };
        let punctuated = ends_with_terminal_punctuation(&line) && !line.ends_with("...");
        if config.filter_no_terminal_punct && !punctuated {
            return Err(
                "c4.no_terminal_punctuation: line does not end in . ? ! \" ' (or ends in ...)"
                    .into(),
            );
        }
        if (words.len() as i64) < config.min_words_per_line {
            let min = config.min_words_per_line;
            return Err(format!("c4.few_words: {} words < {min}", words.len()));
        }
        Ok(line)
    }

    /// What happens to one (stripped) line, in datatrove's order.
    fn judge_line<'a>(&self, line: &'a str) -> LineOutcome<'a> {
        let config = &self.config;
        let line = match self.shape(line) {
            Ok(line) => line,
            Err(reason) => return LineOutcome::Remove(reason),
        };
        let lowercase = line.to_lowercase();
        if config.filter_lorem_ipsum && lowercase.contains("lorem ipsum") {
            let verdict = Verdict::drop(
                "c4.banned_document_phrase",
                "a kept line contains \"lorem ipsum\"",
            );
            return LineOutcome::DropDocument(verdict);
        }
        if config.filter_javascript && lowercase.contains("javascript") {
            return LineOutcome::Remove("c4.banned_phrase: contains \"javascript\"".into());
        }
        if config.filter_curly_bracket && line.contains('{') {
            let verdict = Verdict::drop("c4.curly_bracket", "a kept line contains '{'");
            return LineOutcome::DropDocument(verdict);
        }
        let policy = POLICY_PHRASES.iter().find(|p| lowercase.contains(*p));
        match policy {
            Some(phrase) if config.filter_policy => {
                LineOutcome::Remove(format!("c4.banned_phrase: contains {phrase:?}"))
            }
            _ => LineOutcome::Keep(line),
        }
    }

    /// Applies the line rules: the kept lines (joined by '\n', or ' ' for sentences),
    /// their sentence count, and one reason per removed line, "line N: rule: measured
    /// vs threshold" (N from 1); or the verdict that drops the whole document.
    fn run(&self, text: &str) -> Result<(String, usize, Vec<String>), Verdict> {
        let units = if self.config.split_paragraph {
            split_lines(text)
        } else {
            sentence_pieces(text)
        };
        let mut kept = Vec::new();
        let mut sentences = 0;
        let mut removed = Vec::new();
        for (index, unit) in units.into_iter().enumerate() {
            match self.judge_line(py_strip(unit)) {
                LineOutcome::Keep(line) => {
                    if self.config.min_num_sentences != -1 {
                        let split = self.config.split_paragraph;
                        sentences += if split { count_sentences(&line) } else { 1 };
                    }
                    kept.push(line);
                }
                LineOutcome::Remove(reason) => {
                    removed.push(format!("line {}: {reason}", index + 1))
                }
                LineOutcome::DropDocument(verdict) => return Err(verdict),
            }
        }
        let separator = if self.config.split_paragraph {
            "\n"
        } else {
            " "
        };
        Ok((kept.join(separator), sentences, removed))
    }

    /// Applies the line rules: returns the kept lines and one reason per removed line
    /// (a document the rules drop whole comes back empty, with the reason).
    pub fn clean(&self, text: &str) -> (String, Vec<String>) {
        match self.run(text) {
            Ok((kept, _, removed)) => (py_strip(&kept).to_string(), removed),
            Err(verdict) => (String::new(), vec![format!("{verdict:?}")]),
        }
    }
}

impl Rule for C4 {
    fn name(&self) -> &'static str {
        "c4"
    }

    fn check(&self, text: &str) -> Verdict {
        let (kept, sentences, _) = match self.run(text) {
            Ok(result) => result,
            Err(verdict) => return verdict,
        };
        let min = self.config.min_num_sentences;
        if (sentences as i64) < min {
            let lines = if kept.is_empty() {
                0
            } else {
                kept.split('\n').count()
            };
            return Verdict::drop(
                "c4.min_sentences",
                format!("{sentences} sentences on {lines} kept lines < {min}"),
            );
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_are_cut_out() {
        assert_eq!(
            remove_citations("Rain fell[1] all day[edit]."),
            "Rain fell all day."
        );
        assert_eq!(
            remove_citations("It is so[citation needed] [a]."),
            "It is so [a]."
        );
        assert_eq!(remove_citations("Empty [] brackets."), "Empty  brackets.");
    }

    /// Regression (issue 16): '{' on a line that the punctuation rule removes first does
    /// not drop the document; on a kept line it does.
    #[test]
    fn document_checks_see_kept_lines_only() {
        let prose = "The ferry left at noon. It came back at six. The shops closed early. \
                     The gulls stayed. The town slept.";
        let removed_brace = format!("{prose}\nvalues = {{'a', 'b'}}");
        assert_eq!(C4::default().check(&removed_brace), Verdict::Keep);
        let kept_brace = format!("{prose}\nThe set {{a, b}} has two members.");
        assert_eq!(
            C4::default().check(&kept_brace).rule(),
            Some("c4.curly_bracket")
        );
        let ellipsis = format!("{prose}\nAnd then the lorem ipsum text came...");
        assert_eq!(C4::default().check(&ellipsis), Verdict::Keep);
    }
}
