//! Why a curation run stopped. Every message names the file (and line, for a bad
//! record) and says what to change.

use std::path::PathBuf;

use crate::dedup::DedupError;
use crate::io::RecordProblem;

/// A failed curation run.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(
        "filter `{kind}` needs the loop's models (a reference model or a detector pair) \
         and cannot run on a corpus alone; remove it from the [[filters]] list, or use it \
         in a loop config"
    )]
    NeedsModels { kind: &'static str },
    #[error("filter `{kind}`: {source}")]
    Dedup {
        kind: &'static str,
        #[source]
        source: DedupError,
    },
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {problem}", .path.display())]
    Record {
        path: PathBuf,
        line: u64,
        problem: RecordProblem,
    },
    #[error(
        "{} already exists; curation never overwrites a file: remove it or choose another path",
        .0.display()
    )]
    OutputExists(PathBuf),
    #[error("--out and --rejects are the same file {}; give them different paths", .0.display())]
    SameOutput(PathBuf),
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl PipelineError {
    /// True when the user's input or settings caused the error (a bad filter, a bad
    /// record, an existing output), false for failures of the machine (disk full, an
    /// unreadable device). The command line exits with 2 on the former.
    pub fn is_input_error(&self) -> bool {
        match self {
            PipelineError::Write { .. } => false,
            PipelineError::Read { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::InvalidData
                    | std::io::ErrorKind::UnexpectedEof
            ),
            _ => true,
        }
    }
}
