//! Streaming corpus readers: one record at a time from a `BufRead`, so memory stays
//! bounded by the longest line (or paragraph), whatever the file size.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::error::{json_kind, CorpusError, RecordProblem, SkipReport};
use super::{CorpusDoc, Format, OnError, ReadOptions};

/// Read buffer: large enough that decompression and line splitting run in big
/// blocks, small next to any corpus.
const BUFFER_BYTES: usize = 256 * 1024;

/// The documents of one file, read to the end (see [`CorpusReader`] to stream).
#[derive(Clone, Debug)]
pub struct Corpus {
    pub path: PathBuf,
    pub docs: Vec<CorpusDoc>,
    /// Records skipped under `on_error = "skip"` (count 0 otherwise).
    pub skipped: SkipReport,
}

/// Reads every document of `path`. Errors: the first bad record (under
/// `on_error = "fail"`), and [`CorpusError::Empty`] when no document is left.
pub fn read_corpus(path: &Path, options: &ReadOptions) -> Result<Corpus, CorpusError> {
    let mut reader = CorpusReader::open(path, options)?;
    let docs = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    let skipped = reader.skipped().clone();
    if docs.is_empty() {
        return Err(CorpusError::Empty {
            path: path.to_owned(),
            skipped: skipped.count,
        });
    }
    Ok(Corpus {
        path: path.to_owned(),
        docs,
        skipped,
    })
}

/// An iterator over the documents of one file. Compression follows the file name:
/// `.gz` (gzip, multi-member as written by `pigz` or concatenation) and `.zst` /
/// `.zstd` are decompressed on the fly. Under `on_error = "fail"` the first bad record
/// is yielded as an error and the iteration ends; under `"skip"` bad records are
/// counted in [`CorpusReader::skipped`]. Input/output errors always end it.
pub struct CorpusReader {
    path: PathBuf,
    format: Format,
    text_field: String,
    on_error: OnError,
    input: Box<dyn BufRead + Send>,
    /// Number of the last line read (1-based).
    line: usize,
    buffer: Vec<u8>,
    skipped: SkipReport,
    finished: bool,
}

/// One physical line, or the end of the file.
enum RawLine {
    Text(String),
    Invalid(RecordProblem),
    End,
}

impl CorpusReader {
    pub fn open(path: &Path, options: &ReadOptions) -> Result<CorpusReader, CorpusError> {
        let io_error = |source| CorpusError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let name = path.to_string_lossy();
        let decoded: Box<dyn Read + Send> = if name.ends_with(".gz") {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else if name.ends_with(".zst") || name.ends_with(".zstd") {
            Box::new(zstd::stream::read::Decoder::new(file).map_err(io_error)?)
        } else {
            Box::new(file)
        };
        Ok(CorpusReader {
            path: path.to_owned(),
            format: options.format,
            text_field: options.text_field.clone(),
            on_error: options.on_error,
            input: Box::new(BufReader::with_capacity(BUFFER_BYTES, decoded)),
            line: 0,
            buffer: Vec::new(),
            skipped: SkipReport {
                path: path.to_owned(),
                ..SkipReport::default()
            },
            finished: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records skipped so far.
    pub fn skipped(&self) -> &SkipReport {
        &self.skipped
    }

    /// The next physical line without its terminator (`\n` or `\r\n`); a UTF-8
    /// byte-order mark at the start of the file is dropped.
    fn next_line(&mut self) -> Result<RawLine, CorpusError> {
        self.buffer.clear();
        let read = self
            .input
            .read_until(b'\n', &mut self.buffer)
            .map_err(|source| CorpusError::Io {
                path: self.path.clone(),
                source,
            })?;
        if read == 0 {
            return Ok(RawLine::End);
        }
        self.line += 1;
        let mut bytes = self.buffer.as_slice();
        if let Some(rest) = bytes.strip_suffix(b"\n") {
            bytes = rest.strip_suffix(b"\r").unwrap_or(rest);
        }
        if self.line == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        Ok(match std::str::from_utf8(bytes) {
            Ok(text) => RawLine::Text(text.to_owned()),
            Err(e) => RawLine::Invalid(RecordProblem::InvalidUtf8 {
                byte: e.valid_up_to(),
            }),
        })
    }

    /// An error under `on_error = "fail"`; under `"skip"`, counts the record.
    fn reject(&mut self, line: usize, problem: RecordProblem) -> Result<(), CorpusError> {
        match self.on_error {
            OnError::Fail => Err(CorpusError::Record {
                path: self.path.clone(),
                line,
                problem,
            }),
            OnError::Skip => {
                self.skipped.record(line, problem);
                Ok(())
            }
        }
    }

    fn next_doc(&mut self) -> Result<Option<CorpusDoc>, CorpusError> {
        match self.format {
            Format::Lines => self.next_from_lines(),
            Format::Paragraphs => self.next_paragraph(),
            Format::Jsonl => self.next_json(),
        }
    }

    fn next_from_lines(&mut self) -> Result<Option<CorpusDoc>, CorpusError> {
        loop {
            match self.next_line()? {
                RawLine::End => return Ok(None),
                RawLine::Invalid(problem) => self.reject(self.line, problem)?,
                RawLine::Text(text) if text.trim().is_empty() => {}
                RawLine::Text(text) => return Ok(Some(CorpusDoc::plain(text, self.line))),
            }
        }
    }

    fn next_paragraph(&mut self) -> Result<Option<CorpusDoc>, CorpusError> {
        let mut text = String::new();
        let mut first_line = 0;
        let mut problem = None;
        loop {
            let raw = self.next_line()?;
            let blank = matches!(&raw, RawLine::Text(t) if t.trim().is_empty());
            if matches!(raw, RawLine::End) || blank {
                if first_line == 0 {
                    if matches!(raw, RawLine::End) {
                        return Ok(None);
                    }
                    continue; // blank lines before a paragraph
                }
                if let Some((line, problem)) = problem.take() {
                    // The whole paragraph goes, not just its bad line.
                    self.reject(line, problem)?;
                    text.clear();
                    first_line = 0;
                    if matches!(raw, RawLine::End) {
                        return Ok(None);
                    }
                    continue;
                }
                return Ok(Some(CorpusDoc::plain(text, first_line)));
            }
            if first_line == 0 {
                first_line = self.line;
            }
            match raw {
                RawLine::Text(line_text) => {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&line_text);
                }
                RawLine::Invalid(bad) => {
                    if self.on_error == OnError::Fail {
                        return Err(CorpusError::Record {
                            path: self.path.clone(),
                            line: self.line,
                            problem: bad,
                        });
                    }
                    problem.get_or_insert((self.line, bad));
                }
                RawLine::End => unreachable!("handled above"),
            }
        }
    }

    fn next_json(&mut self) -> Result<Option<CorpusDoc>, CorpusError> {
        loop {
            let text = match self.next_line()? {
                RawLine::End => return Ok(None),
                RawLine::Invalid(problem) => {
                    self.reject(self.line, problem)?;
                    continue;
                }
                RawLine::Text(text) if text.trim().is_empty() => continue,
                RawLine::Text(text) => text,
            };
            match parse_record(&text, &self.text_field) {
                Ok((text, metadata)) => {
                    return Ok(Some(CorpusDoc {
                        text,
                        metadata,
                        line: self.line,
                    }))
                }
                Err(problem) => self.reject(self.line, problem)?,
            }
        }
    }
}

/// The text field and the other fields (the metadata) of one JSONL line.
fn parse_record(line: &str, field: &str) -> Result<(String, Map<String, Value>), RecordProblem> {
    let value: Value = serde_json::from_str(line).map_err(|e| RecordProblem::MalformedJson {
        message: e.to_string(),
    })?;
    let mut object = match value {
        Value::Object(object) => object,
        other => {
            return Err(RecordProblem::NotAnObject {
                found: json_kind(&other),
            })
        }
    };
    match object.remove(field) {
        Some(Value::String(text)) => Ok((text, object)),
        Some(other) => Err(RecordProblem::NotAString {
            field: field.to_owned(),
            found: json_kind(&other),
        }),
        None => Err(RecordProblem::MissingField {
            field: field.to_owned(),
        }),
    }
}

impl Iterator for CorpusReader {
    type Item = Result<CorpusDoc, CorpusError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        match self.next_doc() {
            Ok(Some(doc)) => Some(Ok(doc)),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(error) => {
                self.finished = true;
                Some(Err(error))
            }
        }
    }
}
