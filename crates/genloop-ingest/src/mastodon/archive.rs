//! The archive container: zip (current Mastodon) or tar.gz (older servers), told
//! apart by their first bytes, not by the file name. Entries are read as streams;
//! nothing is unpacked to disk.
//!
//! An entry is found at the top level or one folder down (`outbox.json` or
//! `archive-20240101/outbox.json`), the shallowest first; `__MACOSX/` copies are
//! ignored.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::super::IngestError;

/// The first bytes of a zip's local file header (or of an empty zip's end record).
const ZIP_MAGIC: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];
/// The first bytes of a gzip member (RFC 1952).
const GZIP_MAGIC: &[u8] = b"\x1f\x8b";

enum Container {
    Zip(zip::ZipArchive<BufReader<File>>),
    /// tar.gz is read front to back, so each lookup reopens the file.
    TarGz,
}

pub(crate) struct Archive {
    path: PathBuf,
    container: Container,
}

impl Archive {
    pub(crate) fn open(path: &Path) -> Result<Archive, IngestError> {
        let open_error = |source| IngestError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut file = File::open(path).map_err(open_error)?;
        if file.metadata().map_err(open_error)?.is_dir() {
            return Err(IngestError::NotAnArchive {
                path: path.to_path_buf(),
                found: "a folder".into(),
            });
        }
        let mut head = Vec::with_capacity(4);
        (&mut file)
            .take(4)
            .read_to_end(&mut head)
            .map_err(open_error)?;
        let container = if ZIP_MAGIC.iter().any(|magic| head.starts_with(magic)) {
            let file = File::open(path).map_err(open_error)?;
            let zip =
                zip::ZipArchive::new(BufReader::new(file)).map_err(|source| IngestError::Zip {
                    path: path.to_path_buf(),
                    source,
                })?;
            Container::Zip(zip)
        } else if head.starts_with(GZIP_MAGIC) {
            Container::TarGz
        } else {
            return Err(IngestError::NotAnArchive {
                path: path.to_path_buf(),
                found: describe_head(&head),
            });
        };
        Ok(Archive {
            path: path.to_path_buf(),
            container,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Calls `read` with the reader of the entry named `name` and its path inside
    /// the archive.
    pub(crate) fn read_entry<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&mut dyn Read, &str) -> Result<T, IngestError>,
    ) -> Result<T, IngestError> {
        let missing = || IngestError::MissingEntry {
            path: self.path.clone(),
            entry: name.to_string(),
        };
        match &mut self.container {
            Container::Zip(zip) => {
                let entry = zip
                    .file_names()
                    .filter_map(|candidate| entry_depth(candidate, name).map(|d| (d, candidate)))
                    .min()
                    .map(|(_, candidate)| candidate.to_string())
                    .ok_or_else(missing)?;
                let mut reader = zip.by_name(&entry).map_err(|source| IngestError::Zip {
                    path: self.path.clone(),
                    source,
                })?;
                read(&mut reader, &entry)
            }
            Container::TarGz => self.read_tar_entry(name, read),
        }
    }

    /// The tar.gz side of [`Archive::read_entry`]: a first pass looks for a
    /// top-level entry, a second (only when needed) for one a folder down.
    fn read_tar_entry<T>(
        &self,
        name: &str,
        read: impl FnOnce(&mut dyn Read, &str) -> Result<T, IngestError>,
    ) -> Result<T, IngestError> {
        let entry_error = |entry: &str, source| IngestError::Entry {
            path: self.path.clone(),
            entry: entry.to_string(),
            source,
        };
        let mut seen_deeper = false;
        for depth in [0, 1] {
            if depth == 1 && !seen_deeper {
                break;
            }
            let file = File::open(&self.path).map_err(|source| IngestError::Open {
                path: self.path.clone(),
                source,
            })?;
            let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
            for entry in tar.entries().map_err(|e| entry_error(name, e))? {
                let mut entry = entry.map_err(|e| entry_error(name, e))?;
                let entry_path = entry
                    .path()
                    .map_err(|e| entry_error(name, e))?
                    .to_string_lossy()
                    .into_owned();
                match entry_depth(&entry_path, name) {
                    Some(found) if found == depth => return read(&mut entry, &entry_path),
                    Some(_) => seen_deeper = true,
                    None => {}
                }
            }
        }
        Err(IngestError::MissingEntry {
            path: self.path.clone(),
            entry: name.to_string(),
        })
    }
}

/// How deep `candidate` is when it is an entry named `name` at most one folder
/// down (0: top level), else None.
fn entry_depth(candidate: &str, name: &str) -> Option<usize> {
    let parts: Vec<&str> = candidate
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    match parts.as_slice() {
        [file] if *file == name => Some(0),
        [folder, file] if *file == name && *folder != "__MACOSX" => Some(1),
        _ => None,
    }
}

/// The first bytes of a file that is not an archive, for the error message.
fn describe_head(head: &[u8]) -> String {
    if head.is_empty() {
        return "nothing: the file is empty".into();
    }
    let hex: Vec<String> = head.iter().map(|byte| format!("{byte:02x}")).collect();
    let text: String = head
        .iter()
        .map(|&byte| {
            if byte.is_ascii_graphic() || byte == b' ' {
                byte as char
            } else {
                '.'
            }
        })
        .collect();
    format!("bytes {} \"{text}\"", hex.join(" "))
}
