//! Why a curation run stopped. Every message names the file (and line, for a bad
//! record) and says what to change.

use std::path::PathBuf;

use crate::dedup::DedupError;

/// What is wrong with one input line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordProblem {
    #[error("not valid UTF-8 (at byte {byte})")]
    InvalidUtf8 { byte: usize },
    #[error("malformed JSON: {message}")]
    MalformedJson { message: String },
    #[error("expected a JSON object, found {found}")]
    NotAnObject { found: &'static str },
    #[error("no field `{field}`{}; choose the text field with --text-field", list_fields(.fields))]
    MissingField { field: String, fields: Vec<String> },
    #[error("field `{field}` is {found}, not a string")]
    NotAString { field: String, found: &'static str },
}

fn list_fields(fields: &[String]) -> String {
    if fields.is_empty() {
        " (the object is empty)".to_string()
    } else {
        format!(" (fields: {})", fields.join(", "))
    }
}

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

/// The JSON kind of a value, for messages.
pub fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
