//! Writing files without losing or clobbering anything, in one place for every crate.
//!
//! A file is written to a temporary sibling, `.NAME.genloop-tmp-PID`, synced and
//! renamed over its final name, so a reader never sees half a file. What may be
//! replaced is the caller's [`Replace`] policy: genloop's own files in its own folders
//! are replaced; a path the user named is not, unless they said `--force`, and then only
//! a regular file. A symlink is followed (its target is written, the link stays) and a
//! special file (a device, a FIFO) is written into directly, never renamed over.
//! Temporaries in flight are registered, so an interrupt can remove them
//! ([`remove_temporaries_in_flight`]); [`clean_temporaries`] removes those a killed
//! process left in a folder.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What marks a temporary file of genloop's.
pub const TEMPORARY_MARK: &str = ".genloop-tmp-";

/// What may be at the output path already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// genloop's own file in its own folder (a run's summary, report, markers).
    Own,
    /// A path the user named: it must not exist.
    Never,
    /// A path the user named with `--force`: a regular file there is replaced.
    Force,
}

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path} exists; genloop does not overwrite files it did not make: choose another path, or add --force to replace it")]
    Exists { path: String },
    #[error("{path} is a folder, not a file")]
    Folder { path: String },
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Temporaries being written by this process.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Have `path` removed if the process is interrupted ([`remove_temporaries_in_flight`]),
/// or no longer (`add` false): temporaries, and lock files a run holds.
pub fn track(path: &Path, add: bool) {
    if let Ok(mut live) = IN_FLIGHT.lock() {
        if add {
            live.push(path.to_path_buf());
        } else {
            live.retain(|p| p != path);
        }
    }
}

/// Remove every temporary this process is writing and every lock it holds (an
/// interrupt's last act).
pub fn remove_temporaries_in_flight() {
    if let Ok(live) = IN_FLIGHT.lock() {
        for path in live.iter() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Remove the temporaries a finished or killed process left in `dir` (not in its
/// subfolders; those of a process still running are its own business); returns how
/// many.
pub fn clean_temporaries(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            // `.NAME.genloop-tmp-PID`, and what SQLite adds to it (`-journal`).
            name.rsplit_once(TEMPORARY_MARK).is_some_and(|(_, tail)| {
                let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
                !digits.parse().is_ok_and(process_alive)
            })
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Whether process `pid` runs on this machine (and is not this process, which asks
/// about what it left before).
pub fn process_alive(pid: u32) -> bool {
    pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists()
}

/// The temporary sibling of `path`.
pub fn temporary_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    sibling(
        path,
        &format!(".{name}{TEMPORARY_MARK}{}", std::process::id()),
    )
}

fn sibling(path: &Path, name: &str) -> PathBuf {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent.join(name),
        None => PathBuf::from(name),
    }
}

/// Where the bytes go: a new file renamed into place, or a special file written into.
enum Target {
    Rename { path: PathBuf, temporary: PathBuf },
    Direct(PathBuf),
}

/// Decide how `path` is written under `policy`, following symlinks.
fn target(path: &Path, policy: Replace) -> Result<Target, OutputError> {
    let resolved = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    };
    match std::fs::metadata(&resolved) {
        Err(_) => {}
        Ok(meta) if meta.is_dir() => {
            return Err(OutputError::Folder {
                path: path.display().to_string(),
            })
        }
        Ok(meta) if !meta.is_file() => return Ok(Target::Direct(resolved)),
        Ok(_) if policy == Replace::Never => {
            return Err(OutputError::Exists {
                path: path.display().to_string(),
            })
        }
        Ok(_) => {}
    }
    Ok(Target::Rename {
        temporary: temporary_for(&resolved),
        path: resolved,
    })
}

/// A file being written: [`Output::finish`] puts it in place; dropped unfinished, it
/// leaves nothing behind.
pub struct Output {
    target: Target,
    writer: Option<BufWriter<File>>,
}

impl Output {
    /// Start writing `path` under `policy`; parent folders are created.
    pub fn create(path: &Path, policy: Replace) -> Result<Output, OutputError> {
        let target = target(path, policy)?;
        let file = match &target {
            Target::Direct(special) => OpenOptions::new()
                .write(true)
                .open(special)
                .map_err(io_error(special))?,
            Target::Rename { path, temporary } => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
                }
                track(temporary, true);
                File::create(temporary).map_err(io_error(temporary))?
            }
        };
        Ok(Output {
            target,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// Where the bytes go now.
    fn writing(&self) -> &Path {
        match &self.target {
            Target::Direct(path) => path,
            Target::Rename { temporary, .. } => temporary,
        }
    }

    /// Flush, sync and move the file into place.
    pub fn finish(mut self) -> Result<(), OutputError> {
        let writer = self.writer.take().expect("finished once");
        let writing = self.writing().to_path_buf();
        let file = writer
            .into_inner()
            .map_err(|e| io_error(&writing)(e.into_error()))?;
        match &self.target {
            Target::Direct(_) => Ok(()),
            Target::Rename { path, temporary } => {
                file.sync_all().map_err(io_error(temporary))?;
                std::fs::rename(temporary, path).map_err(io_error(path))?;
                track(temporary, false);
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.as_mut().expect("not finished").write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.as_mut().expect("not finished").flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if self.writer.is_some() {
            if let Target::Rename { temporary, .. } = &self.target {
                let _ = std::fs::remove_file(temporary);
                track(temporary, false);
            }
        }
    }
}

/// Write `bytes` to `path` under `policy`.
pub fn write_file(path: &Path, policy: Replace, bytes: &[u8]) -> Result<(), OutputError> {
    let mut output = Output::create(path, policy)?;
    let writing = output.writing().to_path_buf();
    output.write_all(bytes).map_err(io_error(&writing))?;
    output.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_files_own_files_and_user_files() {
        let dir = tempfile_dir();
        let path = dir.join("out.txt");
        write_file(&path, Replace::Never, b"one").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let refused = write_file(&path, Replace::Never, b"two").unwrap_err();
        assert!(refused.to_string().contains("add --force"), "{refused}");
        write_file(&path, Replace::Force, b"two").unwrap();
        write_file(&path, Replace::Own, b"three").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        assert!(matches!(
            write_file(&dir, Replace::Force, b"x"),
            Err(OutputError::Folder { .. })
        ));
        assert_eq!(clean_temporaries(&dir), 0, "no temporary left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_special_files_written_into() {
        let dir = tempfile_dir();
        let target = dir.join("target.txt");
        std::fs::write(&target, "old").unwrap();
        let link = dir.join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_file(&link, Replace::Force, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        // A device is written into, never renamed over: /dev/zero takes the bytes,
        // /dev/full refuses them (no space), and both stay devices.
        use std::os::unix::fs::FileTypeExt;
        write_file(Path::new("/dev/zero"), Replace::Never, b"gone").unwrap();
        let full = write_file(Path::new("/dev/full"), Replace::Never, &[0; 1 << 21]);
        assert!(matches!(full, Err(OutputError::Io { .. })), "{full:?}");
        for device in ["/dev/zero", "/dev/full"] {
            assert!(std::fs::metadata(device)
                .unwrap()
                .file_type()
                .is_char_device());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unfinished_outputs_and_left_temporaries_are_removed() {
        let dir = tempfile_dir();
        let path = dir.join("half.txt");
        {
            let mut output = Output::create(&path, Replace::Never).unwrap();
            output.write_all(b"half").unwrap();
            assert!(temporary_for(&path).exists());
        }
        assert!(!temporary_for(&path).exists() && !path.exists());
        std::fs::write(dir.join(".x.csv.genloop-tmp-999999999"), "left").unwrap();
        // The parent (the test runner) is alive: its temporaries stay.
        let parent = std::os::unix::process::parent_id();
        let live = dir.join(format!(".y.sqlite{TEMPORARY_MARK}{parent}-journal"));
        std::fs::write(&live, "a live process's").unwrap();
        std::fs::write(dir.join("keep.csv"), "kept").unwrap();
        assert_eq!(clean_temporaries(&dir), 1);
        assert!(live.exists());
        assert!(dir.join("keep.csv").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "genloop-output-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
