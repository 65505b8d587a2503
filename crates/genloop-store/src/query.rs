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
        // Columns sized once: growing 10^3 columns value by value reallocates each
        // several times (a third of a large summary's time was the kernel zeroing pages).
        let stored: i64 = self.wrap(self.conn.query_row(
            "SELECT COUNT(*) FROM replicates WHERE experiment_id = ?1",
            params![experiment_id],
            |r| r.get(0),
        ))?;
        let capacity = usize::try_from(stored).unwrap_or(0);
        let mut out: Vec<Vec<f64>> = Vec::new();
        let mut replicates = 0;
        self.each_series(experiment_id, name, |_, bytes| {
            let generations = bytes.len() / 8;
            if out.len() < generations {
                // A longer series than the ones before: earlier replicates lack these
                // generations (NaN).
                out.resize_with(generations, || {
                    let mut column = Vec::with_capacity(capacity.max(replicates));
                    column.resize(replicates, f64::NAN);
                    column
                });
            }
            for (g, column) in out.iter_mut().enumerate() {
                column.push(bytes.get(8 * g..8 * g + 8).map_or(f64::NAN, |b| {
                    f64::from_be_bytes(b.try_into().unwrap_or([0xff; 8]))
                }));
            }
            replicates += 1;
        })?;
        Ok(out)
    }

    /// Calls `visit(replicate, packed values)` for every stored series of metric
    /// `name`, in replicate order; the bytes are checked to be whole values.
    fn each_series(
        &self,
        experiment_id: i64,
        name: &str,
        mut visit: impl FnMut(u64, &[u8]),
    ) -> Result<(), StoreError> {
        let mut stmt = self.wrap(self.conn.prepare_cached(
            "SELECT s.replicate, s.generation_values FROM metric_series s
             JOIN metric_specs m ON m.experiment_id = s.experiment_id AND m.position = s.metric
             WHERE s.experiment_id = ?1 AND m.name = ?2 ORDER BY s.replicate",
        ))?;
        let mut rows = self.wrap(stmt.query(params![experiment_id, name]))?;
        while let Some(row) = self.wrap(rows.next())? {
            let replicate: i64 = self.wrap(row.get(0))?;
            let packed = self.wrap(row.get_ref(1))?;
            let bytes = packed.as_blob().ok().filter(|b| b.len() % 8 == 0).ok_or_else(|| {
                self.corrupt(format!(
                    "metric `{name}`, replicate {replicate}: the series is not a whole number of 8-byte values"
                ))
            })?;
            visit(replicate as u64, bytes);
        }
        Ok(())
    }

    /// One metric's stored series, in replicate order: `(replicate, value of every
    /// generation)`. Empty when the experiment does not measure `name`.
    pub fn metric_series(
        &self,
        experiment_id: i64,
        name: &str,
    ) -> Result<Vec<(u64, Vec<f64>)>, StoreError> {
        let mut out = Vec::new();
        self.each_series(experiment_id, name, |replicate, bytes| {
            let values = bytes
                .chunks_exact(8)
                .map(|b| f64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
                .collect();
            out.push((replicate, values));
        })?;
        Ok(out)
    }

    pub(crate) fn corrupt(&self, what: String) -> StoreError {
        StoreError::Corrupt {
            path: self.path.display().to_string(),
            what,
        }
    }

    /// Gate decisions: (replicate, generation, accepted, reason, deployed), rejected only.
    pub fn rejections(
        &self,
        experiment_id: i64,
    ) -> Result<Vec<(u64, u32, String, u32)>, StoreError> {
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT r.replicate, h.generation, h.reason, h.deployed
             FROM history_generations h JOIN replicates r ON r.history = h.history
             WHERE r.experiment_id = ?1 AND h.accepted = 0 ORDER BY r.replicate, h.generation",
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
        // Each history counts as often as replicates follow it.
        let mut stmt = self.wrap(self.conn.prepare(
            "WITH weights AS (SELECT history, COUNT(*) AS n FROM replicates
                              WHERE experiment_id = ?1 GROUP BY history)
             SELECT h.generation, SUM(h.original_units * w.n) * 1.0 / SUM(w.n),
                    SUM(h.fresh_units * w.n) * 1.0 / SUM(w.n), SUM(h.synthetic_units * w.n) * 1.0 / SUM(w.n)
             FROM history_generations h JOIN weights w ON w.history = h.history
             GROUP BY h.generation ORDER BY h.generation",
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
            "WITH weights AS (SELECT history, COUNT(*) AS n FROM replicates
                              WHERE experiment_id = ?1 GROUP BY history),
                  counts AS (SELECT h.generation, SUM(w.n) AS replicates
                             FROM history_generations h JOIN weights w ON w.history = h.history
                             GROUP BY h.generation)
             SELECT c.generation, c.pool, c.origin_generation,
                    SUM(c.records * w.n) * 1.0 / counts.replicates, SUM(c.units * w.n) * 1.0 / counts.replicates
             FROM history_composition c JOIN weights w ON w.history = c.history
                  JOIN counts ON counts.generation = c.generation
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
            "WITH weights AS (SELECT history, COUNT(*) AS n FROM replicates
                              WHERE experiment_id = ?1 GROUP BY history),
                  reps AS (SELECT SUM(n) AS n FROM weights)
             SELECT c.filter, c.kind, c.outcome, c.pool, c.origin,
                    SUM(c.records * w.n) * 1.0 / reps.n, SUM(c.units * w.n) * 1.0 / reps.n
             FROM history_curation c JOIN weights w ON w.history = c.history, reps
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

    /// Every stored result in a canonical order (for comparing stores): the long views
    /// (which do not depend on how histories happen to be shared), the packed series
    /// bit for bit, and the metric declarations, replicates and artifacts.
    pub fn canonical_dump(&self) -> Result<Vec<String>, StoreError> {
        let mut lines = Vec::new();
        for (table, columns, order) in [
            (
                "metric_series",
                "experiment_id, metric, replicate, hex(generation_values)",
                "experiment_id, metric, replicate",
            ),
            ("generations", "*", "experiment_id, replicate, generation"),
            (
                "composition",
                "*",
                "experiment_id, replicate, generation, pool, origin_generation",
            ),
            ("metric_specs", "*", "experiment_id, position"),
            (
                "replicates",
                "experiment_id, replicate",
                "experiment_id, replicate",
            ),
            (
                "sample_scores",
                "*",
                "experiment_id, replicate, generation, kind, position",
            ),
            (
                "sample_texts",
                "*",
                "experiment_id, replicate, generation, kind, position",
            ),
            (
                "curation",
                "*",
                "experiment_id, replicate, generation, filter, outcome, pool, origin",
            ),
        ] {
            let mut stmt = self.wrap(
                self.conn
                    .prepare(&format!("SELECT {columns} FROM {table} ORDER BY {order}")),
            )?;
            let count = stmt.column_count();
            let mut rows = self.wrap(stmt.query([]))?;
            while let Some(row) = self.wrap(rows.next())? {
                let mut line = table.to_string();
                for i in 0..count {
                    let v: rusqlite::types::Value = self.wrap(row.get(i))?;
                    line.push_str(&format!("|{v:?}"));
                }
                lines.push(line);
            }
        }
        Ok(lines)
    }
}
