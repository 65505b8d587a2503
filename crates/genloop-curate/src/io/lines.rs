//! Physical lines of a file, plain or compressed (by file name), one at a time.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::problem::RecordProblem;

/// Large enough that decompression and line splitting run in big blocks, small next
/// to any corpus.
pub const BUFFER_BYTES: usize = 256 * 1024;

/// Compression chosen by the file name: `.gz` (gzip), `.zst` or `.zstd` (Zstandard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn of(path: &Path) -> Compression {
        let name = path.to_string_lossy();
        if name.ends_with(".gz") {
            Compression::Gzip
        } else if name.ends_with(".zst") || name.ends_with(".zstd") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// The lines of one file, decompressed on the fly; memory stays bounded by the
/// longest line, whatever the file size.
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
    /// Opens `path`; gzip is read multi-member (as written by `pigz` or by
    /// concatenating `.gz` files).
    pub fn open(path: &Path) -> std::io::Result<LineReader> {
        let file = File::open(path)?;
        let decoded: Box<dyn Read + Send> = match Compression::of(path) {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(file)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(file)?),
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

    /// Number of the last line read (1-based; 0 before the first).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Uncompressed bytes read so far, line terminators included.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// The next physical line without its terminator (`\n` or `\r\n`), or `None` at
    /// the end; a UTF-8 byte-order mark opening the file is dropped. A line that is
    /// not UTF-8 is a [`RecordProblem::InvalidUtf8`].
    pub fn next_raw(&mut self) -> std::io::Result<Option<Result<&str, RecordProblem>>> {
        if !self.advance()? {
            return Ok(None);
        }
        Ok(Some(decode(self.current())))
    }

    /// The next line that holds more than ASCII whitespace (a JSONL record), with
    /// its 1-based number.
    pub fn next_record(&mut self) -> std::io::Result<Option<(u64, Result<&str, RecordProblem>)>> {
        loop {
            if !self.advance()? {
                return Ok(None);
            }
            if !self.current().iter().all(u8::is_ascii_whitespace) {
                return Ok(Some((self.line, decode(self.current()))));
            }
        }
    }

    /// Reads the next line into the buffer; false at the end.
    fn advance(&mut self) -> std::io::Result<bool> {
        self.buffer.clear();
        let read = self.input.read_until(b'\n', &mut self.buffer)?;
        if read == 0 {
            return Ok(false);
        }
        self.line += 1;
        self.bytes += read as u64;
        Ok(true)
    }

    /// The bytes of the line last read, without terminator (and byte-order mark).
    fn current(&self) -> &[u8] {
        let mut bytes = self.buffer.as_slice();
        if let Some(rest) = bytes.strip_suffix(b"\n") {
            bytes = rest.strip_suffix(b"\r").unwrap_or(rest);
        }
        if self.line == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        bytes
    }
}

fn decode(bytes: &[u8]) -> Result<&str, RecordProblem> {
    std::str::from_utf8(bytes).map_err(|error| RecordProblem::InvalidUtf8 {
        byte: error.valid_up_to(),
    })
}
