//! genloop-store: one SQLite file per run folder (`results.sqlite`) holding each
//! experiment (arm) with its config, every replicate × generation's training-set
//! composition, gate decision and metrics; and the CSV export.
//!
//! Metric values are packed, one row per experiment × metric × replicate, so a run
//! costs about 8 bytes per value; views give SQL users the long form (`schema.rs`).
//! Writes are transactional, one chunk of finished replicates at a time, so an
//! interrupted run keeps every finished replicate and can be resumed.
//!
//! `schema.rs` holds the tables and views, `write.rs` the writes of the loop's store
//! observer, `query.rs` what the summary and the report read, `export.rs` the CSV
//! export.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let store = genloop_store::Store::create(&dir.path().join("results.sqlite")).unwrap();
//! assert!(store.experiments().unwrap().is_empty());
//! ```

mod export;
mod query;
mod schema;
mod write;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use genloop_core::pipeline::GenerationResult;

pub use export::CSV_HEADER;
pub use genloop_core::aggregate::CurationTotal;
pub use query::{CompositionMean, ExperimentRow, StoredMetric};
pub use schema::{SCHEMA, SCHEMA_VERSION};
pub use write::ExperimentInfo;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{0} already exists; choose another --out folder or resume it with --resume")]
    Exists(String),
    #[error("{0} does not exist or is not a genloop run folder (no results.sqlite)")]
    Missing(String),
    #[error("{path} holds a store of schema version {found} ({layout}); this genloop reads version {SCHEMA_VERSION}: rerun the config into a new folder (genloop run CONFIG --out NEW_DIR), or read it with the genloop version that wrote it{written_by}")]
    Version {
        path: String,
        found: i64,
        layout: &'static str,
        /// ` (genloop X.Y.Z)` when the store says which version wrote it.
        written_by: String,
    },
    #[error("{path}: {what}")]
    Corrupt { path: String, what: String },
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Per experiment, the distinct histories written by this connection (`write.rs`),
    /// so that equal ones are stored once.
    histories: RefCell<HashMap<i64, Vec<StoredHistory>>>,
}

/// A history's id and what it holds.
type StoredHistory = (i64, Vec<GenerationResult>);

/// FNV-1a 64 of the config text, hex: identifies a config across runs.
pub fn config_hash(text: &str) -> String {
    format!("{:016x}", genloop_core::seed::fnv1a64(text.as_bytes()))
}

impl Store {
    fn wrap<T>(&self, result: rusqlite::Result<T>) -> Result<T, StoreError> {
        result.map_err(|source| StoreError::Sqlite {
            path: self.path.display().to_string(),
            source,
        })
    }

    fn connect(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            histories: RefCell::default(),
        })
    }

    fn configure(&self) -> Result<(), StoreError> {
        self.wrap(self.conn.execute_batch(
            // A rollback journal, not a write-ahead log: a run appends its values in large
            // chunks, and appended pages are written once (a WAL writes every page twice,
            // into the log and again at each checkpoint: 0.5 s of a 10^6-value run).
            // Each chunk's transaction is atomic, so a killed run resumes from its last
            // committed chunk. Memory-mapped reads: a summary reads every packed series
            // once, without copying it through read() first.
            "PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
             PRAGMA mmap_size = 1073741824;",
        ))
    }

    /// A new store; fails if the file exists (runs are never silently overwritten).
    /// The schema is written into a temporary file beside `path` and linked to `path`
    /// only when complete, so a process killed while creating leaves no half-made store
    /// behind (a rerun starts afresh, a `--resume` finds nothing to resume), and of two
    /// processes creating one store at once exactly one succeeds.
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists(path.display().to_string()));
        }
        let temporary = genloop_core::output::temporary_for(path);
        let _ = std::fs::remove_file(&temporary);
        let built = Self::connect(&temporary).and_then(|store| store.write_schema());
        let linked = built.and_then(|()| match std::fs::hard_link(&temporary, path) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(StoreError::Exists(path.display().to_string()))
            }
            other => other.map_err(StoreError::Io),
        });
        let _ = std::fs::remove_file(&temporary);
        linked?;
        Self::open(path)
    }

    /// The tables, views and version of a new store, in one transaction.
    fn write_schema(&self) -> Result<(), StoreError> {
        // The page size must be set before the first table exists.
        self.wrap(
            self.conn
                .execute_batch(&format!("PRAGMA page_size = {};", schema::PAGE_SIZE)),
        )?;
        let tx = self.wrap(self.conn.unchecked_transaction())?;
        self.wrap(tx.execute_batch(&schema::schema_sql()))?;
        {
            let mut insert = self.wrap(tx.prepare(
                "INSERT INTO float64_exponents (prefix, scale, implicit, finite) VALUES (?1, ?2, ?3, ?4)",
            ))?;
            for (prefix, scale, implicit, finite) in schema::float64_exponent_rows() {
                self.wrap(insert.execute(params![prefix, scale, implicit, finite]))?;
            }
        }
        self.wrap(tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION};")))?;
        self.wrap(tx.commit())
    }

    /// An existing store of this schema version; another version is refused with a
    /// message naming the file and what to do.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        let store = Self::connect(path)?;
        store.check_version()?;
        store.configure()?;
        Ok(store)
    }

    /// Refuse a store of another schema version. Version 1 (genloop before the compact
    /// layout) set no `user_version` and had a `metrics` table, one row per value.
    fn check_version(&self) -> Result<(), StoreError> {
        let found: i64 = self.wrap(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)))?;
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        let tables: i64 = self.wrap(self.conn.query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'experiments'",
            [],
            |r| r.get(0),
        ))?;
        if tables == 0 {
            return Err(StoreError::Missing(self.path.display().to_string()));
        }
        let written_by: Option<String> = self
            .conn
            .query_row(
                "SELECT genloop_version FROM experiments ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .ok();
        let (found, layout) = match found {
            0 => (1, "one row per metric value"),
            v if v > SCHEMA_VERSION => (v, "written by a newer genloop"),
            v => (v, "an older layout"),
        };
        Err(StoreError::Version {
            path: self.path.display().to_string(),
            found,
            layout,
            written_by: written_by
                .map(|v| format!(" (genloop {v})"))
                .unwrap_or_default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests;
