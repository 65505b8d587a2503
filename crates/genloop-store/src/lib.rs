//! genloop-store: one SQLite file per run folder (`results.sqlite`) holding each
//! experiment (arm) with its config, every replicate × generation's training-set
//! composition, gate decision and metrics; and the CSV export.
//!
//! Writes are transactional, one chunk of finished replicates at a time, so an
//! interrupted run keeps every finished replicate and can be resumed.
//!
//! `schema.rs` holds the tables, `write.rs` the writes of the loop's store observer,
//! `query.rs` what the summary and the report read, `export.rs` the CSV export.
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

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use genloop_core::aggregate::CurationTotal;
pub use query::{CompositionMean, ExperimentRow, StoredMetric};
pub use schema::SCHEMA;
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
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

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
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.wrap(store.conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        ))?;
        store.wrap(store.conn.execute_batch(SCHEMA))?;
        Ok(store)
    }

    /// A new store; fails if the file exists (runs are never silently overwritten).
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists(path.display().to_string()));
        }
        Self::connect(path)
    }

    /// An existing store.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        Self::connect(path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests;
