//! The writes of an observer of the loop: an experiment when its arm starts, each
//! chunk of finished replicates in one transaction, the finish time.

use rusqlite::{params, CachedStatement, Transaction};

use genloop_core::metrics::{Direction, MetricSpec};
use genloop_core::pipeline::{GenerationResult, ReplicateResult};
use genloop_core::provenance::CompositionDetail;
use genloop_core::provenance::Pool;
use genloop_core::task::Artifact;

use crate::{config_hash, Store, StoreError};

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

fn direction_name(direction: Direction) -> String {
    match direction {
        Direction::LowerIsBetter => "lower_is_better".into(),
        Direction::HigherIsBetter => "higher_is_better".into(),
        Direction::Target(t) => format!("target:{t}"),
        Direction::Neutral => "neutral".into(),
    }
}

impl Store {
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
            let mut inserts = Inserts::prepare(self, &tx, experiment_id)?;
            for result in results {
                let r = result.replicate as i64;
                for g in &result.generations {
                    inserts.generation(r, g)?;
                    if detail == CompositionDetail::Full {
                        inserts.composition(r, g)?;
                    }
                    inserts.curation(r, g)?;
                    let values = result.metrics_at(g.generation as usize);
                    inserts.metrics(r, g.generation, metric_names, values)?;
                }
                for (generation, artifact) in &result.artifacts {
                    inserts.artifact(r, *generation, artifact)?;
                }
                inserts.replicate(r)?;
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
}

/// The prepared inserts of one chunk's transaction, for one experiment.
struct Inserts<'a> {
    store: &'a Store,
    experiment_id: i64,
    generation: CachedStatement<'a>,
    composition: CachedStatement<'a>,
    metric: CachedStatement<'a>,
    replicate: CachedStatement<'a>,
    score: CachedStatement<'a>,
    curation: CachedStatement<'a>,
    text: CachedStatement<'a>,
}

impl<'a> Inserts<'a> {
    fn prepare(
        store: &'a Store,
        tx: &'a Transaction<'a>,
        experiment_id: i64,
    ) -> Result<Inserts<'a>, StoreError> {
        let prepare = |sql: &str| store.wrap(tx.prepare_cached(sql));
        Ok(Inserts {
            store,
            experiment_id,
            generation: prepare(
                "INSERT INTO generations (experiment_id, replicate, generation, accepted, reason,
                     candidate_value, deployed, original_units, fresh_units, synthetic_units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            composition: prepare(
                "INSERT INTO composition (experiment_id, replicate, generation, pool, origin_generation, records, units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            metric: prepare(
                "INSERT INTO metrics (experiment_id, replicate, generation, name, value) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            replicate: prepare("INSERT INTO replicates (experiment_id, replicate) VALUES (?1, ?2)")?,
            score: prepare(
                "INSERT INTO sample_scores (experiment_id, replicate, generation, kind, position, value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            curation: prepare(
                "INSERT INTO curation (experiment_id, replicate, generation, filter, kind, outcome, pool, origin, records, units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            text: prepare(
                "INSERT INTO sample_texts (experiment_id, replicate, generation, kind, position, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
        })
    }

    /// The gate's decision and the training set's units by pool.
    fn generation(&mut self, r: i64, g: &GenerationResult) -> Result<(), StoreError> {
        let units = |pool: Pool| -> i64 {
            g.composition
                .iter()
                .filter(|c| c.pool == pool)
                .map(|c| c.units as i64)
                .sum()
        };
        self.store.wrap(self.generation.execute(params![
            self.experiment_id,
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
        Ok(())
    }

    /// The training set by pool and generation of origin.
    fn composition(&mut self, r: i64, g: &GenerationResult) -> Result<(), StoreError> {
        for c in &g.composition {
            self.store.wrap(self.composition.execute(params![
                self.experiment_id,
                r,
                g.generation,
                c.pool.as_str(),
                c.origin_generation,
                c.records as i64,
                c.units as i64,
            ]))?;
        }
        Ok(())
    }

    /// What each filter kept and dropped.
    fn curation(&mut self, r: i64, g: &GenerationResult) -> Result<(), StoreError> {
        for c in &g.curation {
            self.store.wrap(self.curation.execute(params![
                self.experiment_id,
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
        Ok(())
    }

    /// One generation's metric values, paired with their names.
    fn metrics(
        &mut self,
        r: i64,
        generation: u32,
        names: &[&str],
        values: &[f64],
    ) -> Result<(), StoreError> {
        for (name, value) in names.iter().zip(values) {
            self.store.wrap(self.metric.execute(params![
                self.experiment_id,
                r,
                generation,
                name,
                value
            ]))?;
        }
        Ok(())
    }

    /// Per-sample scores or sample texts of one generation.
    fn artifact(&mut self, r: i64, generation: u32, artifact: &Artifact) -> Result<(), StoreError> {
        match artifact {
            Artifact::Scores { kind, values } => {
                for (i, v) in values.iter().enumerate() {
                    self.store.wrap(self.score.execute(params![
                        self.experiment_id,
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
                    self.store.wrap(self.text.execute(params![
                        self.experiment_id,
                        r,
                        generation,
                        kind,
                        i as i64,
                        t
                    ]))?;
                }
            }
        }
        Ok(())
    }

    /// The replicate is complete: resume skips it.
    fn replicate(&mut self, r: i64) -> Result<(), StoreError> {
        self.store
            .wrap(self.replicate.execute(params![self.experiment_id, r]))?;
        Ok(())
    }
}
