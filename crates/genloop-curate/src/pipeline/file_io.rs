//! Files of the pipeline: outputs (plain, `.gz`, `.zst` by extension) written to a
//! temporary sibling and renamed at the end, never over an existing file; the input
//! read by [`crate::io::LineReader`], with its errors as [`PipelineError`]s.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::error::PipelineError;
use crate::io::{Compression, LineReader, BUFFER_BYTES};

enum Encoder {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

/// A JSONL output written to `.NAME.genloop-tmp-PID` beside its final path and renamed by
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
        let temporary = genloop_core::output::temporary_for(path);
        let file = File::create(&temporary).map_err(write_error)?;
        let buffered = BufWriter::with_capacity(BUFFER_BYTES, file);
        let encoder = match Compression::of(path) {
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

/// The input corpus, read line by line.
pub fn open_input(path: &Path) -> Result<LineReader, PipelineError> {
    LineReader::open(path).map_err(|source| PipelineError::Read {
        path: path.to_owned(),
        source,
    })
}

/// The next JSONL record of `reader` (blank lines skipped) with its line number; a
/// line that is not UTF-8 is an error naming `file:line`.
pub fn next_line(reader: &mut LineReader) -> Result<Option<(u64, &str)>, PipelineError> {
    let path = reader.path().to_owned();
    match reader.next_record() {
        Ok(None) => Ok(None),
        Ok(Some((line, Ok(text)))) => Ok(Some((line, text))),
        Ok(Some((line, Err(problem)))) => Err(PipelineError::Record {
            path,
            line,
            problem,
        }),
        Err(source) => Err(PipelineError::Read { path, source }),
    }
}
