//! Files of the pipeline: a streaming JSONL line reader (plain, `.gz`, `.zst` by
//! extension) and outputs written to a temporary sibling and renamed at the end, never
//! over an existing file.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::error::{PipelineError, RecordProblem};

/// Large enough that decompression and line splitting run in big blocks.
const BUFFER_BYTES: usize = 256 * 1024;

/// Compression chosen by the file name.
fn compression(path: &Path) -> Compression {
    let name = path.to_string_lossy();
    if name.ends_with(".gz") {
        Compression::Gzip
    } else if name.ends_with(".zst") || name.ends_with(".zstd") {
        Compression::Zstd
    } else {
        Compression::None
    }
}

enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Lines of a JSONL file, one at a time; blank lines are skipped.
pub struct LineReader {
    path: PathBuf,
    input: Box<dyn BufRead + Send>,
    buffer: Vec<u8>,
    /// Number of the last line read (1-based).
    line: u64,
    /// Uncompressed bytes read, line terminators included.
    bytes: u64,
}

impl LineReader {
    pub fn open(path: &Path) -> Result<LineReader, PipelineError> {
        let read_error = |source| PipelineError::Read {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(read_error)?;
        let decoded: Box<dyn Read + Send> = match compression(path) {
            // Multi-member: as written by pigz or by concatenating .gz files.
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(file)),
            Compression::Zstd => {
                Box::new(zstd::stream::read::Decoder::new(file).map_err(read_error)?)
            }
            Compression::None => Box::new(file),
        };
        Ok(Self::new(
            path,
            Box::new(BufReader::with_capacity(BUFFER_BYTES, decoded)),
        ))
    }

    /// A reader over any input; `path` names it in messages.
    pub fn new(path: &Path, input: Box<dyn BufRead + Send>) -> LineReader {
        LineReader {
            path: path.to_owned(),
            input,
            buffer: Vec::new(),
            line: 0,
            bytes: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// The next non-blank line without its terminator, with its 1-based number; a
    /// UTF-8 byte-order mark opening the file is dropped.
    pub fn next_line(&mut self) -> Result<Option<(u64, &str)>, PipelineError> {
        let (start, end) = loop {
            self.buffer.clear();
            let read = self
                .input
                .read_until(b'\n', &mut self.buffer)
                .map_err(|source| PipelineError::Read {
                    path: self.path.clone(),
                    source,
                })?;
            if read == 0 {
                return Ok(None);
            }
            self.line += 1;
            self.bytes += read as u64;
            let mut end = self.buffer.len();
            if self.buffer.ends_with(b"\n") {
                end -= 1;
                if self.buffer[..end].ends_with(b"\r") {
                    end -= 1;
                }
            }
            let start = if self.line == 1 && self.buffer.starts_with(b"\xEF\xBB\xBF") {
                3.min(end)
            } else {
                0
            };
            if !self.buffer[start..end].iter().all(u8::is_ascii_whitespace) {
                break (start, end);
            }
        };
        match std::str::from_utf8(&self.buffer[start..end]) {
            Ok(text) => Ok(Some((self.line, text))),
            Err(error) => Err(PipelineError::Record {
                path: self.path.clone(),
                line: self.line,
                problem: RecordProblem::InvalidUtf8 {
                    byte: error.valid_up_to(),
                },
            }),
        }
    }
}

enum Encoder {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

/// A JSONL output written to `.NAME.tmp-PID` beside its final path and renamed by
/// [`OutputFile::finish`]; dropped unfinished, it removes the temporary file. Names
/// ending in `.gz` or `.zst` are compressed.
pub struct OutputFile {
    path: PathBuf,
    temporary: PathBuf,
    encoder: Option<Encoder>,
}

impl OutputFile {
    /// Refuses an existing `path`.
    pub fn create(path: &Path) -> Result<OutputFile, PipelineError> {
        if path.exists() {
            return Err(PipelineError::OutputExists(path.to_owned()));
        }
        let write_error = |source| PipelineError::Write {
            path: path.to_owned(),
            source,
        };
        let parent = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(write_error)?;
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&temporary).map_err(write_error)?;
        let buffered = BufWriter::with_capacity(BUFFER_BYTES, file);
        let encoder = match compression(path) {
            Compression::None => Encoder::Plain(buffered),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                buffered,
                flate2::Compression::default(),
            )),
            Compression::Zstd => {
                Encoder::Zstd(zstd::stream::write::Encoder::new(buffered, 3).map_err(write_error)?)
            }
        };
        Ok(OutputFile {
            path: path.to_owned(),
            temporary,
            encoder: Some(encoder),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write one line (a terminator is added).
    pub fn write_line(&mut self, line: &str) -> Result<(), PipelineError> {
        let writer: &mut dyn Write = match self.encoder.as_mut() {
            Some(Encoder::Plain(writer)) => writer,
            Some(Encoder::Gzip(writer)) => writer,
            Some(Encoder::Zstd(writer)) => writer,
            None => unreachable!("written after finish"),
        };
        writer
            .write_all(line.as_bytes())
            .and_then(|()| writer.write_all(b"\n"))
            .map_err(|source| PipelineError::Write {
                path: self.path.clone(),
                source,
            })
    }

    /// Flush, sync and move the file to its final path (still refusing to overwrite a
    /// file that appeared meanwhile).
    pub fn finish(mut self) -> Result<(), PipelineError> {
        let write_error = |source| PipelineError::Write {
            path: self.path.clone(),
            source,
        };
        let buffered = match self.encoder.take() {
            Some(Encoder::Plain(writer)) => writer,
            Some(Encoder::Gzip(writer)) => writer.finish().map_err(write_error)?,
            Some(Encoder::Zstd(writer)) => writer.finish().map_err(write_error)?,
            None => unreachable!("finished twice"),
        };
        let file = buffered
            .into_inner()
            .map_err(|error| write_error(error.into_error()))?;
        file.sync_all().map_err(write_error)?;
        if self.path.exists() {
            return Err(PipelineError::OutputExists(self.path.clone()));
        }
        std::fs::rename(&self.temporary, &self.path).map_err(write_error)
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        // Unfinished (an error upstream) or refused at the end: leave nothing behind.
        // After a successful rename the temporary path no longer exists.
        let _ = std::fs::remove_file(&self.temporary);
    }
}
