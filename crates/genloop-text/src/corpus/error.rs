//! Corpus errors: each names the file, and the line where there is one.

use std::fmt;
use std::path::PathBuf;

/// What is wrong with one record (one type with `genloop curate`'s reader), and the
/// JSON kind of a value, for messages.
pub use genloop_curate::io::RecordProblem;
pub(crate) use genloop_curate::io::{json_kind, Reader};

/// Why a corpus could not be read or split.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: {}", path.display(), problem.worded_for(Reader::CorpusConfig))]
    Record {
        path: PathBuf,
        line: usize,
        problem: RecordProblem,
    },
    #[error("{}: no documents{}", path.display(), skipped_note(*skipped))]
    Empty { path: PathBuf, skipped: usize },
    #[error("{}", too_small(path, *requested, [*holdout, *original, *fresh], *available, *documents))]
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

/// Too few tokens, or enough tokens in too few documents (a document goes whole into
/// one split, so a single 10 M-token line cannot fill three of them).
fn too_small(
    path: &std::path::Path,
    requested: usize,
    [holdout, original, fresh]: [usize; 3],
    available: usize,
    documents: usize,
) -> String {
    let need = format!(
        "{}: the splits need {requested} tokens (holdout {holdout} + original {original} + fresh {fresh})",
        path.display()
    );
    if available >= requested {
        format!(
            "{need} and the corpus has {available}, but in only {documents} document{}: a document goes whole into one split; split the text into more documents (one per line, `format = \"lines\"`, or per paragraph, `format = \"paragraphs\"`)",
            if documents == 1 { "" } else { "s" }
        )
    } else {
        format!("{need}, the corpus has {available} in {documents} documents; lower the sizes or add text")
    }
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
            write!(
                f,
                "\n  line {line}: {}",
                problem.worded_for(Reader::CorpusConfig)
            )?;
        }
        if self.count > self.examples.len() {
            write!(f, "\n  … and {} more", self.count - self.examples.len())?;
        }
        Ok(())
    }
}
