//! What can be wrong with one record of a corpus file, for both readers of records:
//! `genloop curate` (the `pipeline` module) and the corpora of a run config
//! (`genloop_text::corpus`). One type; the wording of a problem depends only on which
//! of the two read it, since each names its own way of choosing the text field.

use std::fmt;

/// What is wrong with one input line (or a paragraph, or a JSONL object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordProblem {
    /// The line is not valid UTF-8; `byte` is the offset of the first bad byte.
    InvalidUtf8 { byte: usize },
    /// The line is not JSON.
    MalformedJson { message: String },
    /// The JSON value is not an object.
    NotAnObject { found: &'static str },
    /// The text field is absent; `fields` lists the object's keys.
    MissingField { field: String, fields: Vec<String> },
    /// The text field holds something other than a string.
    NotAString { field: String, found: &'static str },
}

/// Who read the record, which decides how a problem is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// `genloop curate`: the text field is chosen with `--text-field`.
    CurateCommand,
    /// A corpus of a run config: the text field is a config key.
    CorpusConfig,
}

impl RecordProblem {
    /// The problem worded for `reader` (its [`fmt::Display`] is
    /// [`Reader::CurateCommand`]'s wording).
    pub fn worded_for(&self, reader: Reader) -> Worded<'_> {
        Worded {
            problem: self,
            reader,
        }
    }
}

impl std::error::Error for RecordProblem {}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.worded_for(Reader::CurateCommand).fmt(f)
    }
}

/// A [`RecordProblem`] with the wording of one [`Reader`].
pub struct Worded<'p> {
    problem: &'p RecordProblem,
    reader: Reader,
}

impl fmt::Display for Worded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Reader::{CorpusConfig, CurateCommand};
        match (self.problem, self.reader) {
            (RecordProblem::InvalidUtf8 { byte }, CurateCommand) => {
                write!(f, "not valid UTF-8 (at byte {byte})")
            }
            (RecordProblem::InvalidUtf8 { byte }, CorpusConfig) => {
                write!(f, "invalid UTF-8 at byte {byte} of the line")
            }
            (RecordProblem::MalformedJson { message }, _) => write!(f, "malformed JSON: {message}"),
            (RecordProblem::NotAnObject { found }, CurateCommand) => {
                write!(f, "expected a JSON object, found {found}")
            }
            (RecordProblem::NotAnObject { found }, CorpusConfig) => {
                write!(f, "a JSONL record must be an object, found {found}")
            }
            (RecordProblem::MissingField { field, fields }, CurateCommand) => write!(
                f,
                "no field `{field}`{}; choose the text field with --text-field",
                list_fields(fields)
            ),
            (RecordProblem::MissingField { field, .. }, CorpusConfig) => write!(
                f,
                "no field `{field}`; set the text field to the key that holds the text"
            ),
            (RecordProblem::NotAString { field, found }, _) => {
                write!(f, "field `{field}` is {found}, not a string")
            }
        }
    }
}

fn list_fields(fields: &[String]) -> String {
    if fields.is_empty() {
        " (the object is empty)".to_string()
    } else {
        format!(" (fields: {})", fields.join(", "))
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
