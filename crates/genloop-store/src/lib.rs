//! genloop-store: one SQLite file per run folder (`results.sqlite`) holding each
//! experiment (arm) with its config, every replicate × generation's training-set
//! composition, gate decision and metrics; and the CSV export.
//!
//! Writes are transactional, one chunk of finished replicates at a time, so an
//! interrupted run keeps every finished replicate and can be resumed.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let store = genloop_store::Store::create(&dir.path().join("results.sqlite")).unwrap();
//! assert!(store.experiments().unwrap().is_empty());
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use genloop_core::engine::ReplicateResult;
use genloop_core::metrics::{Direction, MetricSpec};
use genloop_core::provenance::{CompositionDetail, Pool};
use genloop_core::task::Artifact;

/// The schema, version 1. Metric names are the stable names of
/// `genloop_core::metrics`.
pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS experiments (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    arm             TEXT NOT NULL UNIQUE,
    position        INTEGER NOT NULL,
    config          TEXT NOT NULL,
    config_hash     TEXT NOT NULL,
    arm_spec        TEXT NOT NULL,
    genloop_version TEXT NOT NULL,
    seed            INTEGER NOT NULL,
    replicates      INTEGER NOT NULL,
    generations     INTEGER NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE TABLE IF NOT EXISTS metric_specs (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    unit          TEXT NOT NULL,
    direction     TEXT NOT NULL,
    positive      INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS replicates (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, replicate)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS generations (
    experiment_id   INTEGER NOT NULL REFERENCES experiments(id),
    replicate       INTEGER NOT NULL,
    generation      INTEGER NOT NULL,
    accepted        INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    candidate_value REAL,
    deployed        INTEGER NOT NULL,
    original_units  INTEGER NOT NULL,
    fresh_units     INTEGER NOT NULL,
    synthetic_units INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, replicate, generation)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS composition (
    experiment_id     INTEGER NOT NULL REFERENCES experiments(id),
    replicate         INTEGER NOT NULL,
    generation        INTEGER NOT NULL,
    pool              TEXT NOT NULL,
    origin_generation INTEGER NOT NULL,
    records           INTEGER NOT NULL,
    units             INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, replicate, generation, pool, origin_generation)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metrics (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    name          TEXT NOT NULL,
    value         REAL,
    PRIMARY KEY (experiment_id, replicate, generation, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sample_scores (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    value         REAL,
    PRIMARY KEY (experiment_id, replicate, generation, kind, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS curation (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    filter        INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    pool          TEXT NOT NULL,
    origin        TEXT NOT NULL,
    records       INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, replicate, generation, filter, outcome, pool, origin)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sample_texts (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    text          TEXT NOT NULL,
    PRIMARY KEY (experiment_id, replicate, generation, kind, position)
) WITHOUT ROWID;
"#;

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

/// What the store records about an experiment (one arm of a config).
#[derive(Clone, Debug)]
pub struct ExperimentInfo<'a> {
    pub name: &'a str,
    pub arm: &'a str,
    pub position: usize,
    pub config: &'a str,
    pub arm_spec_json: String,
    pub seed: u64,
    pub replicates: usize,
    pub generations: usize,
    pub metrics: &'a [MetricSpec],
}

/// A stored experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct ExperimentRow {
    pub id: i64,
    pub name: String,
    pub arm: String,
    pub config: String,
    pub config_hash: String,
    pub genloop_version: String,
    pub seed: u64,
    pub replicates: usize,
    pub generations: usize,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// A stored metric declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMetric {
    pub name: String,
    pub unit: String,
    pub direction: String,
    pub positive: bool,
}

/// Mean size of one part of a generation's training set (pool × generation of origin).
#[derive(Clone, Debug, PartialEq)]
pub struct CompositionMean {
    pub generation: u32,
    pub pool: String,
    pub origin_generation: u32,
    pub records: f64,
    /// Records for numeric data, tokens for text.
    pub units: f64,
}

/// One row of [`Store::curation_totals`]: mean records and units per replicate.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CurationTotal {
    pub filter: u32,
    pub kind: String,
    /// `kept`, or the stable name of the rule that dropped the records.
    pub outcome: String,
    /// The channel the records arrived through.
    pub pool: String,
    /// Their true pool.
    pub origin: String,
    pub records: f64,
    pub units: f64,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// FNV-1a 64 of the config text, hex: identifies a config across runs.
pub fn config_hash(text: &str) -> String {
    format!("{:016x}", genloop_core::seed::fnv1a64(text.as_bytes()))
}

fn direction_name(direction: Direction) -> String {
    match direction {
        Direction::LowerIsBetter => "lower_is_better".into(),
        Direction::HigherIsBetter => "higher_is_better".into(),
        Direction::Target(t) => format!("target:{t}"),
        Direction::Neutral => "neutral".into(),
    }
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

    /// Register an experiment, or return the id of the stored one with the same arm
    /// name (resume).
    pub fn add_experiment(&self, info: &ExperimentInfo<'_>) -> Result<i64, StoreError> {
        if let Some(id) = self.experiment_id(info.arm)? {
            return Ok(id);
        }
        let tx = self.wrap(self.conn.unchecked_transaction())?;
        self.wrap(tx.execute(
            "INSERT INTO experiments (name, arm, position, config, config_hash, arm_spec, genloop_version,
                 seed, replicates, generations, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            params![
                info.name,
                info.arm,
                info.position as i64,
                info.config,
                config_hash(info.config),
                info.arm_spec_json,
                env!("CARGO_PKG_VERSION"),
                info.seed as i64,
                info.replicates as i64,
                info.generations as i64,
            ],
        ))?;
        let id = tx.last_insert_rowid();
        for (position, m) in info.metrics.iter().enumerate() {
            self.wrap(tx.execute(
                "INSERT INTO metric_specs (experiment_id, position, name, unit, direction, positive)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, position as i64, m.name, m.unit, direction_name(m.direction), m.positive],
            ))?;
        }
        self.wrap(tx.commit())?;
        Ok(id)
    }

    pub fn experiment_id(&self, arm: &str) -> Result<Option<i64>, StoreError> {
        self.wrap(
            self.conn
                .query_row("SELECT id FROM experiments WHERE arm = ?1", [arm], |r| {
                    r.get(0)
                })
                .optional(),
        )
    }

    /// Replicates whose every generation is stored.
    pub fn completed_replicates(&self, experiment_id: i64) -> Result<Vec<u64>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT replicate FROM replicates WHERE experiment_id = ?1 ORDER BY replicate",
        ))?;
        let rows = self.wrap(stmt.query_map([experiment_id], |r| r.get::<_, i64>(0)))?;
        rows.map(|r| self.wrap(r).map(|v| v as u64)).collect()
    }

    /// Write finished replicates in one transaction.
    pub fn write_replicates(
        &self,
        experiment_id: i64,
        results: &[ReplicateResult],
        metric_names: &[&str],
        detail: CompositionDetail,
    ) -> Result<(), StoreError> {
        let tx = self.wrap(self.conn.unchecked_transaction())?;
        {
            let mut gen_stmt = self.wrap(tx.prepare_cached(
                "INSERT INTO generations (experiment_id, replicate, generation, accepted, reason,
                     candidate_value, deployed, original_units, fresh_units, synthetic_units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            ))?;
            let mut comp_stmt = self.wrap(tx.prepare_cached(
                "INSERT INTO composition (experiment_id, replicate, generation, pool, origin_generation, records, units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            ))?;
            let mut metric_stmt = self.wrap(tx.prepare_cached(
                "INSERT INTO metrics (experiment_id, replicate, generation, name, value) VALUES (?1, ?2, ?3, ?4, ?5)",
            ))?;
            let mut rep_stmt = self.wrap(tx.prepare_cached(
                "INSERT INTO replicates (experiment_id, replicate) VALUES (?1, ?2)",
            ))?;
            let mut score_stmt = self.wrap(tx.prepare_cached(
                "INSERT INTO sample_scores (experiment_id, replicate, generation, kind, position, value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            ))?;
            let mut curation_stmt = self.wrap(tx.prepare_cached(
                "INSERT INTO curation (experiment_id, replicate, generation, filter, kind, outcome, pool, origin, records, units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            ))?;
            let mut text_stmt = self.wrap(tx.prepare_cached(
                "INSERT INTO sample_texts (experiment_id, replicate, generation, kind, position, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            ))?;
            for result in results {
                let r = result.replicate as i64;
                for g in &result.generations {
                    let units = |pool: Pool| -> i64 {
                        g.composition
                            .iter()
                            .filter(|c| c.pool == pool)
                            .map(|c| c.units as i64)
                            .sum()
                    };
                    self.wrap(gen_stmt.execute(params![
                        experiment_id,
                        r,
                        g.generation,
                        g.decision.accepted,
                        g.decision.reason,
                        g.candidate_value,
                        g.deployed,
                        units(Pool::Original),
                        units(Pool::Fresh),
                        units(Pool::Synthetic),
                    ]))?;
                    if detail == CompositionDetail::Full {
                        for c in &g.composition {
                            self.wrap(comp_stmt.execute(params![
                                experiment_id,
                                r,
                                g.generation,
                                c.pool.as_str(),
                                c.origin_generation,
                                c.records as i64,
                                c.units as i64,
                            ]))?;
                        }
                    }
                    for c in &g.curation {
                        self.wrap(curation_stmt.execute(params![
                            experiment_id,
                            r,
                            g.generation,
                            c.filter,
                            c.kind,
                            c.outcome.as_ref(),
                            c.pool.as_str(),
                            c.origin.as_str(),
                            c.records as i64,
                            c.units as i64,
                        ]))?;
                    }
                    for (name, value) in metric_names
                        .iter()
                        .zip(result.metrics_at(g.generation as usize))
                    {
                        self.wrap(metric_stmt.execute(params![
                            experiment_id,
                            r,
                            g.generation,
                            name,
                            value
                        ]))?;
                    }
                }
                for (generation, artifact) in &result.artifacts {
                    match artifact {
                        Artifact::Scores { kind, values } => {
                            for (i, v) in values.iter().enumerate() {
                                self.wrap(score_stmt.execute(params![
                                    experiment_id,
                                    r,
                                    generation,
                                    kind,
                                    i as i64,
                                    v
                                ]))?;
                            }
                        }
                        Artifact::Texts { kind, texts } => {
                            for (i, t) in texts.iter().enumerate() {
                                self.wrap(text_stmt.execute(params![
                                    experiment_id,
                                    r,
                                    generation,
                                    kind,
                                    i as i64,
                                    t
                                ]))?;
                            }
                        }
                    }
                }
                self.wrap(rep_stmt.execute(params![experiment_id, r]))?;
            }
        }
        self.wrap(tx.commit())
    }

    pub fn finish_experiment(&self, experiment_id: i64) -> Result<(), StoreError> {
        self.wrap(self.conn.execute(
            "UPDATE experiments SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
            [experiment_id],
        ))
        .map(|_| ())
    }

    /// Every experiment, in config order.
    pub fn experiments(&self) -> Result<Vec<ExperimentRow>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT id, name, arm, config, config_hash, genloop_version, seed, replicates, generations,
                    started_at, finished_at
             FROM experiments ORDER BY position, id",
        ))?;
        let rows = self.wrap(stmt.query_map([], |r| {
            Ok(ExperimentRow {
                id: r.get(0)?,
                name: r.get(1)?,
                arm: r.get(2)?,
                config: r.get(3)?,
                config_hash: r.get(4)?,
                genloop_version: r.get(5)?,
                seed: r.get::<_, i64>(6)? as u64,
                replicates: r.get::<_, i64>(7)? as usize,
                generations: r.get::<_, i64>(8)? as usize,
                started_at: r.get(9)?,
                finished_at: r.get(10)?,
            })
        }))?;
        rows.map(|r| self.wrap(r)).collect()
    }

    /// The metrics an experiment measured, in order.
    pub fn metric_specs(&self, experiment_id: i64) -> Result<Vec<StoredMetric>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT name, unit, direction, positive FROM metric_specs WHERE experiment_id = ?1 ORDER BY position",
        ))?;
        let rows = self.wrap(stmt.query_map([experiment_id], |r| {
            Ok(StoredMetric {
                name: r.get(0)?,
                unit: r.get(1)?,
                direction: r.get(2)?,
                positive: r.get(3)?,
            })
        }))?;
        rows.map(|r| self.wrap(r)).collect()
    }

    /// Values of one metric as `[generation][replicate order]`, NaN where missing.
    pub fn metric_matrix(
        &self,
        experiment_id: i64,
        name: &str,
    ) -> Result<Vec<Vec<f64>>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT generation, value FROM metrics WHERE experiment_id = ?1 AND name = ?2
             ORDER BY generation, replicate",
        ))?;
        let rows = self.wrap(stmt.query_map(params![experiment_id, name], |r| {
            Ok((r.get::<_, i64>(0)? as usize, r.get::<_, Option<f64>>(1)?))
        }))?;
        let mut out: Vec<Vec<f64>> = Vec::new();
        for row in rows {
            let (g, v) = self.wrap(row)?;
            if out.len() <= g {
                out.resize(g + 1, Vec::new());
            }
            out[g].push(v.unwrap_or(f64::NAN));
        }
        Ok(out)
    }

    /// Gate decisions: (replicate, generation, accepted, reason, deployed), rejected only.
    pub fn rejections(
        &self,
        experiment_id: i64,
    ) -> Result<Vec<(u64, u32, String, u32)>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT replicate, generation, reason, deployed FROM generations
             WHERE experiment_id = ?1 AND accepted = 0 ORDER BY replicate, generation",
        ))?;
        let rows = self.wrap(stmt.query_map([experiment_id], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                r.get::<_, i64>(1)? as u32,
                r.get(2)?,
                r.get::<_, i64>(3)? as u32,
            ))
        }))?;
        rows.map(|r| self.wrap(r)).collect()
    }

    /// Mean training-set units by pool per generation: (generation, original, fresh, synthetic).
    pub fn mean_composition(
        &self,
        experiment_id: i64,
    ) -> Result<Vec<(u32, f64, f64, f64)>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT generation, AVG(original_units), AVG(fresh_units), AVG(synthetic_units) FROM generations
             WHERE experiment_id = ?1 GROUP BY generation ORDER BY generation",
        ))?;
        let rows = self.wrap(stmt.query_map([experiment_id], |r| {
            Ok((r.get::<_, i64>(0)? as u32, r.get(1)?, r.get(2)?, r.get(3)?))
        }))?;
        rows.map(|r| self.wrap(r)).collect()
    }

    /// Mean training-set size by pool and generation of origin, per generation, over the
    /// stored replicates (a replicate without such a row counts as 0). Empty when the run
    /// stored pools only (`output.composition = "pools"`).
    pub fn mean_composition_by_origin(
        &self,
        experiment_id: i64,
    ) -> Result<Vec<CompositionMean>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "WITH counts AS (SELECT generation, COUNT(*) AS replicates FROM generations
                             WHERE experiment_id = ?1 GROUP BY generation)
             SELECT c.generation, c.pool, c.origin_generation,
                    SUM(c.records) * 1.0 / counts.replicates, SUM(c.units) * 1.0 / counts.replicates
             FROM composition c JOIN counts ON counts.generation = c.generation
             WHERE c.experiment_id = ?1
             GROUP BY c.generation, c.pool, c.origin_generation
             ORDER BY c.generation, c.pool, c.origin_generation",
        ))?;
        let rows = self.wrap(stmt.query_map([experiment_id], |r| {
            Ok(CompositionMean {
                generation: r.get::<_, i64>(0)? as u32,
                pool: r.get(1)?,
                origin_generation: r.get::<_, i64>(2)? as u32,
                records: r.get(3)?,
                units: r.get(4)?,
            })
        }))?;
        rows.map(|r| self.wrap(r)).collect()
    }

    /// What each filter kept and dropped, summed over generations ≥ 1 and averaged
    /// over the stored replicates: per filter, outcome (`kept` or the drop rule),
    /// channel and true origin.
    pub fn curation_totals(&self, experiment_id: i64) -> Result<Vec<CurationTotal>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "WITH reps AS (SELECT COUNT(*) AS n FROM replicates WHERE experiment_id = ?1)
             SELECT c.filter, c.kind, c.outcome, c.pool, c.origin,
                    SUM(c.records) * 1.0 / reps.n, SUM(c.units) * 1.0 / reps.n
             FROM curation c, reps
             WHERE c.experiment_id = ?1
             GROUP BY c.filter, c.kind, c.outcome, c.pool, c.origin
             ORDER BY c.filter, c.outcome = 'kept' DESC, c.outcome, c.pool, c.origin",
        ))?;
        let rows = self.wrap(stmt.query_map([experiment_id], |r| {
            Ok(CurationTotal {
                filter: r.get::<_, i64>(0)? as u32,
                kind: r.get(1)?,
                outcome: r.get(2)?,
                pool: r.get(3)?,
                origin: r.get(4)?,
                records: r.get(5)?,
                units: r.get(6)?,
            })
        }))?;
        rows.map(|r| self.wrap(r)).collect()
    }

    /// The first replicate with stored sample texts of `kind`, if any.
    pub fn first_text_replicate(
        &self,
        experiment_id: i64,
        kind: &str,
    ) -> Result<Option<u64>, StoreError> {
        self.wrap(self.conn.query_row(
            "SELECT MIN(replicate) FROM sample_texts WHERE experiment_id = ?1 AND kind = ?2",
            params![experiment_id, kind],
            |r| r.get::<_, Option<i64>>(0),
        ))
        .map(|v| v.map(|v| v as u64))
    }

    /// Per-sample scores of `kind` for every generation, over all stored replicates:
    /// `[(generation, values)]`, ordered by generation.
    pub fn sample_scores(
        &self,
        experiment_id: i64,
        kind: &str,
    ) -> Result<Vec<(u32, Vec<f64>)>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT generation, value FROM sample_scores WHERE experiment_id = ?1 AND kind = ?2
             ORDER BY generation, replicate, position",
        ))?;
        let rows = self.wrap(stmt.query_map(params![experiment_id, kind], |r| {
            Ok((r.get::<_, i64>(0)? as u32, r.get::<_, Option<f64>>(1)?))
        }))?;
        let mut out: Vec<(u32, Vec<f64>)> = Vec::new();
        for row in rows {
            let (g, v) = self.wrap(row)?;
            match out.last_mut() {
                Some((last, values)) if *last == g => values.push(v.unwrap_or(f64::NAN)),
                _ => out.push((g, vec![v.unwrap_or(f64::NAN)])),
            }
        }
        Ok(out)
    }

    /// Stored sample texts of `kind` for one replicate: `[(generation, texts)]`.
    pub fn sample_texts(
        &self,
        experiment_id: i64,
        kind: &str,
        replicate: u64,
    ) -> Result<Vec<(u32, Vec<String>)>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT generation, text FROM sample_texts WHERE experiment_id = ?1 AND kind = ?2 AND replicate = ?3
             ORDER BY generation, position",
        ))?;
        let rows = self.wrap(
            stmt.query_map(params![experiment_id, kind, replicate as i64], |r| {
                Ok((r.get::<_, i64>(0)? as u32, r.get::<_, String>(1)?))
            }),
        )?;
        let mut out: Vec<(u32, Vec<String>)> = Vec::new();
        for row in rows {
            let (g, t) = self.wrap(row)?;
            match out.last_mut() {
                Some((last, texts)) if *last == g => texts.push(t),
                _ => out.push((g, vec![t])),
            }
        }
        Ok(out)
    }

    /// CSV of one experiment: `replicate,generation,metric,value`, one row per
    /// replicate × generation × metric, ordered by replicate, generation, then the
    /// metric order of the experiment.
    pub fn export_csv(&self, experiment_id: i64, out: &mut dyn Write) -> Result<(), StoreError> {
        writeln!(out, "replicate,generation,metric,value")?;
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT m.replicate, m.generation, m.name, m.value FROM metrics m
             JOIN metric_specs s ON s.experiment_id = m.experiment_id AND s.name = m.name
             WHERE m.experiment_id = ?1 ORDER BY m.replicate, m.generation, s.position",
        ))?;
        let mut rows = self.wrap(stmt.query([experiment_id]))?;
        while let Some(row) = self.wrap(rows.next())? {
            let replicate: i64 = self.wrap(row.get(0))?;
            let generation: i64 = self.wrap(row.get(1))?;
            let name: String = self.wrap(row.get(2))?;
            let value: Option<f64> = self.wrap(row.get(3))?;
            let value = match value {
                Some(v) if v.is_nan() => "nan".to_string(),
                Some(v) if v.is_infinite() => if v > 0.0 { "inf" } else { "-inf" }.to_string(),
                Some(v) => format!("{v}"),
                None => "nan".to_string(),
            };
            writeln!(out, "{replicate},{generation},{name},{value}")?;
        }
        Ok(())
    }

    /// All rows of the result tables in a canonical order (for comparing stores).
    pub fn canonical_dump(&self) -> Result<Vec<String>, StoreError> {
        let mut lines = Vec::new();
        for (table, order) in [
            ("metrics", "experiment_id, replicate, generation, name"),
            ("generations", "experiment_id, replicate, generation"),
            (
                "composition",
                "experiment_id, replicate, generation, pool, origin_generation",
            ),
            ("metric_specs", "experiment_id, position"),
            ("replicates", "experiment_id, replicate"),
            (
                "sample_scores",
                "experiment_id, replicate, generation, kind, position",
            ),
            (
                "sample_texts",
                "experiment_id, replicate, generation, kind, position",
            ),
            (
                "curation",
                "experiment_id, replicate, generation, filter, outcome, pool, origin",
            ),
        ] {
            let mut stmt = self.wrap(
                self.conn
                    .prepare(&format!("SELECT * FROM {table} ORDER BY {order}")),
            )?;
            let columns = stmt.column_count();
            let mut rows = self.wrap(stmt.query([]))?;
            while let Some(row) = self.wrap(rows.next())? {
                let mut line = table.to_string();
                for i in 0..columns {
                    let v: rusqlite::types::Value = self.wrap(row.get(i))?;
                    line.push_str(&format!("|{v:?}"));
                }
                lines.push(line);
            }
        }
        Ok(lines)
    }
}
