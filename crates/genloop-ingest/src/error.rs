//! What can go wrong while ingesting: every message names the file (and the archive
//! entry, line and column where there is one) and, where it helps, the fix.

use std::path::PathBuf;

/// An ingestion error. [`IngestError::is_input_error`] tells the user's input (a bad
/// archive, an existing output) from failures of the machine (a full disk).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: not a zip or tar.gz archive (it starts with {found}); a Mastodon account \
         archive is the .zip (older servers: .tar.gz) from Preferences → Import and \
         export → Request your archive",
        path.display()
    )]
    NotAnArchive { path: PathBuf, found: String },
    #[error(
        "{}: cannot read the zip archive, it is truncated or damaged ({source}); \
         download it again",
        path.display()
    )]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("{}: reading `{entry}`: the archive is truncated or damaged ({source})", path.display())]
    Entry {
        path: PathBuf,
        entry: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: no `{entry}` in the archive (looked at the top level and one folder down); \
         is this a Mastodon account archive?",
        path.display()
    )]
    MissingEntry { path: PathBuf, entry: String },
    #[error("{}: `{entry}`: {problem} at line {line}, column {column}", path.display())]
    Json {
        path: PathBuf,
        entry: String,
        line: usize,
        column: usize,
        /// The parser's message without its position.
        problem: String,
    },
    #[error("{}: `{entry}` {problem}", path.display())]
    Shape {
        path: PathBuf,
        entry: String,
        problem: String,
    },
    #[error("{} already exists; ingestion never writes over a file: choose another --out or remove it", path.display())]
    OutputExists { path: PathBuf },
    #[error("{}: line {line}: {problem}", path.display())]
    Record {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl IngestError {
    /// True when the input is at fault (missing or damaged archive, malformed JSON,
    /// an existing output, a bad ledger line): the user's to fix. False for write
    /// failures of the machine.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, IngestError::Write { .. })
    }

    /// A JSON error of `entry`, with the parser's line and column.
    pub(crate) fn json(
        path: &std::path::Path,
        entry: &str,
        error: &serde_json::Error,
    ) -> IngestError {
        if error.is_io() {
            return IngestError::Entry {
                path: path.to_path_buf(),
                entry: entry.to_string(),
                source: std::io::Error::other(error.to_string()),
            };
        }
        let full = error.to_string();
        // serde_json appends " at line L column C"; the position has its own fields.
        let problem = match full.rfind(" at line ") {
            Some(at) => full[..at].to_string(),
            None => full,
        };
        let problem = if error.is_data() {
            format!("unexpected content ({problem})")
        } else {
            format!("malformed JSON ({problem})")
        };
        IngestError::Json {
            path: path.to_path_buf(),
            entry: entry.to_string(),
            line: error.line(),
            column: error.column(),
            problem,
        }
    }
}
