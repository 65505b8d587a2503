//! Corpus errors: each names the file, and the line where there is one.

use std::fmt;
use std::path::PathBuf;

/// What is wrong with one record (a line, a paragraph or a JSONL object).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordProblem {
    /// The line is not valid UTF-8; `byte` is the offset of the first bad byte.
    InvalidUtf8 { byte: usize },
    /// The line is not JSON.
    MalformedJson { message: String },
    /// The JSON value is not an object.
    NotAnObject { found: &'static str },
    /// The text field is absent.
    MissingField { field: String },
    /// The text field holds something other than a string.
    NotAString { field: String, found: &'static str },
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordProblem::InvalidUtf8 { byte } => {
                write!(f, "invalid UTF-8 at byte {byte} of the line")
            }
            RecordProblem::MalformedJson { message } => write!(f, "malformed JSON: {message}"),
            RecordProblem::NotAnObject { found } => {
                write!(f, "a JSONL record must be an object, found {found}")
            }
            RecordProblem::MissingField { field } => write!(
                f,
                "no field `{field}`; set the text field to the key that holds the text"
            ),
            RecordProblem::NotAString { field, found } => {
                write!(f, "field `{field}` is {found}, not a string")
            }
        }
    }
}

/// The JSON kind of a value, for messages (one definition, in genloop-curate).
pub(crate) use genloop_curate::pipeline::json_kind;

/// Why a corpus could not be read or split.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: {problem}", path.display())]
    Record {
        path: PathBuf,
        line: usize,
        problem: RecordProblem,
    },
    #[error("{}: no documents{}", path.display(), skipped_note(*skipped))]
    Empty { path: PathBuf, skipped: usize },
    #[error(
        "{}: the splits need {requested} tokens (holdout {holdout} + original {original} + \
         fresh {fresh}), the corpus has {available} in {documents} documents; \
         lower the sizes or add text",
        path.display()
    )]
    TooSmall {
        path: PathBuf,
        requested: usize,
        holdout: usize,
        original: usize,
        fresh: usize,
        available: usize,
        documents: usize,
    },
    #[error(
        "{}:{line}: timestamp field `{field}` {problem}; every document needs it to order \
         the corpus (or leave the timestamp field unset for file order)",
        path.display()
    )]
    Timestamp {
        path: PathBuf,
        line: usize,
        field: String,
        problem: String,
    },
    #[error(
        "generation {generation}: the fresh stream has {available} tokens, releasing \
         {tokens} per generation needs {requested}; lower the fresh size or the \
         number of generations"
    )]
    FreshExhausted {
        generation: u32,
        tokens: usize,
        requested: usize,
        available: usize,
    },
}

fn skipped_note(skipped: usize) -> String {
    if skipped == 0 {
        String::new()
    } else {
        format!(" ({skipped} malformed records were skipped)")
    }
}

/// The records skipped under `on_error = "skip"`: how many, and the first few with
/// their line numbers, reported once, together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkipReport {
    pub path: PathBuf,
    pub count: usize,
    /// (line, problem) of the first [`SkipReport::EXAMPLES`] skipped records.
    pub examples: Vec<(usize, RecordProblem)>,
}

impl SkipReport {
    /// How many skipped records are kept as examples.
    pub const EXAMPLES: usize = 10;

    pub(crate) fn record(&mut self, line: usize, problem: RecordProblem) {
        self.count += 1;
        if self.examples.len() < Self::EXAMPLES {
            self.examples.push((line, problem));
        }
    }
}

impl fmt::Display for SkipReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: skipped {} malformed record{}",
            self.path.display(),
            self.count,
            if self.count == 1 { "" } else { "s" }
        )?;
        for (line, problem) in &self.examples {
            write!(f, "\n  line {line}: {problem}")?;
        }
        if self.count > self.examples.len() {
            write!(f, "\n  … and {} more", self.count - self.examples.len())?;
        }
        Ok(())
    }
}
