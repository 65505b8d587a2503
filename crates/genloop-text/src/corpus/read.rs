//! Streaming corpus readers: one record at a time from a `BufRead`, so memory stays
//! bounded by the longest line (or paragraph), whatever the file size.

use std::path::{Path, PathBuf};

use genloop_curate::io::{parse_document, LineReader};

use super::error::{CorpusError, RecordProblem, SkipReport};
use super::{CorpusDoc, Format, OnError, ReadOptions};

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

/// An iterator over the documents of one file, read by [`LineReader`]: compression
/// follows the file name, `.gz` (gzip, multi-member as written by `pigz` or
/// concatenation) and `.zst` / `.zstd` are decompressed on the fly. Under
/// `on_error = "fail"` the first bad record is yielded as an error and the iteration
/// ends; under `"skip"` bad records are counted in [`CorpusReader::skipped`].
/// Input/output errors always end it.
pub struct CorpusReader {
    path: PathBuf,
    format: Format,
    text_field: String,
    on_error: OnError,
    lines: LineReader,
    /// Number of the last line read (1-based).
    line: usize,
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
        let lines = LineReader::open(path).map_err(|source| CorpusError::Io {
            path: path.to_owned(),
            source,
        })?;
        Ok(CorpusReader {
            path: path.to_owned(),
            format: options.format,
            text_field: options.text_field.clone(),
            on_error: options.on_error,
            lines,
            line: 0,
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
        let raw = self.lines.next_raw().map_err(|source| CorpusError::Io {
            path: self.path.clone(),
            source,
        })?;
        let raw = match raw {
            None => RawLine::End,
            Some(Ok(text)) => RawLine::Text(text.to_owned()),
            Some(Err(problem)) => RawLine::Invalid(problem),
        };
        self.line = self.lines.line() as usize;
        Ok(raw)
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
            match parse_document(&text, &self.text_field) {
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
