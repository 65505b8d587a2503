//! Reading a store: its experiments, metric declarations, values, decisions,
//! compositions, curation totals, sample scores and texts.

use rusqlite::{params, OptionalExtension};

use genloop_core::aggregate::CurationTotal;

use crate::{Store, StoreError};

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

impl Store {
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
