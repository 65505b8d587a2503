//! File output through [`genloop_core::output`]: every file is written to a temporary
//! sibling (`.NAME.genloop-tmp-PID`) and renamed, so a reader never sees half a file
//! and an interrupted write loses nothing. genloop's own files in its folders are
//! replaced ([`write_atomic`]); a path the user named is never overwritten unless
//! they say `--force` ([`write_user_file`]), and symlinks and special files are
//! written through, never renamed over.

use std::io::Write;
use std::path::{Path, PathBuf};

use genloop_core::output::{Output, Replace};

/// Write genloop's own file `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes).map_err(Into::into))
}

/// Write genloop's own file `path` atomically from `write`, which streams into a
/// buffered temporary file (large exports never sit in memory whole).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    write_with(path, Replace::Own, write)
}

/// Write a file the user named: refused if it exists, unless `force` (then a regular
/// file there is replaced; a symlink's target or a device is written into).
pub fn write_user_file(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let policy = if force {
        Replace::Force
    } else {
        Replace::Never
    };
    write_with(path, policy, write)
}

fn write_with(
    path: &Path,
    policy: Replace,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut output = Output::create(path, policy).map_err(|e| match e {
        genloop_core::output::OutputError::Exists { .. }
        | genloop_core::output::OutputError::Folder { .. } => {
            anyhow::Error::from(crate::UsageError(e.to_string()))
        }
        other => other.into(),
    })?;
    write(&mut output).map_err(|e| e.context(format!("cannot write {}", path.display())))?;
    output.finish()?;
    Ok(())
}

/// Remove what a killed run left half-written in its folder (temporaries of the
/// run folder, its plots/ and csv/); a resume starts clean.
pub fn clean_run_folder(dir: &Path) {
    for sub in ["", "plots", "csv"] {
        genloop_core::output::clean_temporaries(&dir.join(sub));
    }
}

/// True when `path` exists and is not an empty folder (runs and models are never
/// written over). Temporaries a killed process left do not count: they are removed.
pub fn occupied(path: &Path) -> bool {
    if !path.exists() {
        return false;
    }
    genloop_core::output::clean_temporaries(path);
    std::fs::read_dir(path)
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(true)
}

/// The lock file of a folder being written (a run, a sweep, a plan).
pub const LOCK_FILE: &str = ".genloop.lock";

/// One writer per folder: held while a run, sweep or plan writes the folder, released
/// when dropped (and by an interrupt). Claiming creates the lock file with
/// `create_new`, so of two processes starting at once exactly one gets the folder.
pub struct FolderLock {
    path: PathBuf,
    /// The folder did not exist before: released with nothing else in it, it goes.
    created: Option<PathBuf>,
}

impl FolderLock {
    /// Claim `dir` (created when missing). A lock held by a live process on this
    /// machine is a usage error naming it; one left by a process that is gone is taken
    /// over.
    pub fn claim(dir: &Path) -> anyhow::Result<FolderLock> {
        let created = (!dir.exists()).then(|| dir.to_path_buf());
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(LOCK_FILE);
        // The lock appears whole, holder included: written aside, then hard-linked into
        // place (a link fails if the name exists), so no one ever reads an empty lock.
        let staged = genloop_core::output::temporary_for(&path);
        std::fs::write(&staged, format!("{} {}\n", std::process::id(), host()))
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", staged.display()))?;
        let claimed = Self::link(&staged, &path, dir);
        let _ = std::fs::remove_file(&staged);
        claimed?;
        genloop_core::output::track(&path, true);
        Ok(FolderLock { path, created })
    }

    /// Link `staged` to `path`; a lock there held by a live process is a usage error,
    /// one left by a process that is gone is taken over.
    fn link(staged: &Path, path: &Path, dir: &Path) -> anyhow::Result<()> {
        for _ in 0..2 {
            match std::fs::hard_link(staged, path) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(path).unwrap_or_default();
                    if holder_alive(&holder) {
                        return Err(crate::UsageError(format!(
                            "{} is being written by another genloop (process {}); wait for it to end, or choose another --out (if no genloop runs there, delete {})",
                            dir.display(),
                            holder.trim(),
                            path.display()
                        ))
                        .into());
                    }
                    // Left by a process that is gone: take it over, unless it changed.
                    if std::fs::read_to_string(path).unwrap_or_default() == holder {
                        let _ = std::fs::remove_file(path);
                    }
                }
                Err(e) => anyhow::bail!("cannot create {}: {e}", path.display()),
            }
        }
        anyhow::bail!(
            "cannot claim {}: its lock keeps changing hands",
            dir.display()
        )
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        genloop_core::output::track(&self.path, false);
        if let Some(dir) = &self.created {
            // Only if empty: a run that failed before writing anything leaves nothing.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// Whether the `PID HOST` in a lock file names a process still running. A lock from
/// another machine cannot be checked and counts as held.
fn holder_alive(holder: &str) -> bool {
    let mut parts = holder.split_whitespace();
    let (Some(pid), host_name) = (
        parts.next().and_then(|p| p.parse::<u32>().ok()),
        parts.next(),
    ) else {
        return false;
    };
    if host_name.is_some_and(|h| h != host()) {
        return true;
    }
    genloop_core::output::process_alive(pid)
}

/// `YYYYmmdd-HHMMSS` in UTC, for default run folder names.
pub fn utc_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}
