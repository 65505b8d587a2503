//! JSONL output that appears whole or not at all: lines go to a temporary file in
//! the output's folder, which is renamed into place only when every line is written.
//! The rename refuses an existing file, so a file that appeared meanwhile is kept.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::IngestError;

pub(crate) struct JsonlOutput {
    target: PathBuf,
    writer: BufWriter<tempfile::NamedTempFile>,
}

impl JsonlOutput {
    /// Refuses an existing `target`; creates its folder when missing.
    pub(crate) fn create(target: &Path) -> Result<JsonlOutput, IngestError> {
        refuse_existing(target)?;
        let folder = folder_of(target);
        std::fs::create_dir_all(folder).map_err(|source| write_error(folder, source))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(folder)
            .map_err(|source| write_error(folder, source))?;
        Ok(JsonlOutput {
            target: target.to_path_buf(),
            writer: BufWriter::new(temporary),
        })
    }

    pub(crate) fn write<T: Serialize>(&mut self, record: &T) -> Result<(), IngestError> {
        serde_json::to_writer(&mut self.writer, record)
            .map_err(std::io::Error::from)
            .and_then(|()| self.writer.write_all(b"\n"))
            .map_err(|source| write_error(&self.target, source))
    }

    /// Writes one line that is already JSON.
    pub(crate) fn write_line(&mut self, line: &str) -> Result<(), IngestError> {
        self.writer
            .write_all(line.as_bytes())
            .and_then(|()| self.writer.write_all(b"\n"))
            .map_err(|source| write_error(&self.target, source))
    }

    /// Flushes, syncs and renames the file into place.
    pub(crate) fn persist(self) -> Result<(), IngestError> {
        let target = self.target;
        let temporary = self
            .writer
            .into_inner()
            .map_err(|error| write_error(&target, error.into_error()))?;
        temporary
            .as_file()
            .sync_all()
            .map_err(|source| write_error(&target, source))?;
        temporary.persist_noclobber(&target).map_err(|error| {
            if error.error.kind() == std::io::ErrorKind::AlreadyExists {
                IngestError::OutputExists {
                    path: target.clone(),
                }
            } else {
                write_error(&target, error.error)
            }
        })?;
        Ok(())
    }
}

/// An anonymous scratch file beside `target` (same disk), deleted when dropped.
pub(crate) fn scratch_file(target: &Path) -> Result<File, IngestError> {
    let folder = folder_of(target);
    tempfile::tempfile_in(folder).map_err(|source| write_error(folder, source))
}

pub(crate) fn refuse_existing(target: &Path) -> Result<(), IngestError> {
    if target.exists() {
        return Err(IngestError::OutputExists {
            path: target.to_path_buf(),
        });
    }
    Ok(())
}

pub(crate) fn folder_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

pub(crate) fn write_error(path: &Path, source: std::io::Error) -> IngestError {
    IngestError::Write {
        path: path.to_path_buf(),
        source,
    }
}
