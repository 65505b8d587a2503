//! The writes of an observer of the loop: an experiment when its arm starts, each
//! chunk of finished replicates in one transaction, the finish time.

use rusqlite::{params, CachedStatement, Transaction};

use genloop_core::pipeline::GenerationResult;

use genloop_core::metrics::{Direction, MetricSpec};
use genloop_core::pipeline::ReplicateResult;
use genloop_core::provenance::CompositionDetail;
use genloop_core::provenance::Pool;
use genloop_core::task::Artifact;

use crate::{config_hash, Store, StoreError, StoredHistory};

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

/// Distinct histories remembered per experiment for sharing. Runs whose replicates
/// share histories (ungated, unfiltered, deterministic regimes) have one or a few;
/// runs where every replicate differs (gates, filters, random subsamples) store each
/// one, as they must, and the bound keeps memory small.
const HISTORY_CACHE: usize = 16;

/// Metric `m` of every generation of `result`, packed as big-endian doubles.
fn pack_series(result: &ReplicateResult, m: usize) -> Vec<u8> {
    result
        .metrics
        .chunks_exact(result.metric_count)
        .flat_map(|row| row[m].to_be_bytes())
        .collect()
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

    /// Write finished replicates in one transaction: each replicate's metric series
    /// (one packed row per metric), its history (stored once per distinct history) and
    /// its artifacts. `metric_names` are the experiment's metrics in order, as
    /// registered by [`Store::add_experiment`].
    pub fn write_replicates(
        &self,
        experiment_id: i64,
        results: &[ReplicateResult],
        metric_names: &[&str],
        detail: CompositionDetail,
    ) -> Result<(), StoreError> {
        let tx = self.wrap(self.conn.unchecked_transaction())?;
        // Histories this chunk adds to the cache, kept aside until the chunk commits.
        let mut added: Vec<StoredHistory> = Vec::new();
        {
            let mut inserts = Inserts::prepare(self, &tx, experiment_id)?;
            for result in results {
                let r = result.replicate as i64;
                for m in 0..metric_names.len().min(result.metric_count) {
                    inserts.series(r, m, &pack_series(result, m))?;
                }
                let history = match self.known_history(experiment_id, &added, &result.generations) {
                    Some(id) => id,
                    None => {
                        let id = inserts.history(&result.generations, detail)?;
                        if added.len() + self.cached_histories(experiment_id) < HISTORY_CACHE {
                            added.push((id, result.generations.clone()));
                        }
                        id
                    }
                };
                for (generation, artifact) in &result.artifacts {
                    inserts.artifact(r, *generation, artifact)?;
                }
                inserts.replicate(r, history)?;
            }
        }
        self.wrap(tx.commit())?;
        self.histories
            .borrow_mut()
            .entry(experiment_id)
            .or_default()
            .extend(added);
        Ok(())
    }

    /// The id of a stored history equal to `generations`, among those this connection
    /// wrote (`added`: this chunk's, not yet committed).
    fn known_history(
        &self,
        experiment_id: i64,
        added: &[StoredHistory],
        generations: &[GenerationResult],
    ) -> Option<i64> {
        let cache = self.histories.borrow();
        cache
            .get(&experiment_id)
            .into_iter()
            .flatten()
            .chain(added)
            .find(|(_, stored)| stored == generations)
            .map(|(id, _)| *id)
    }

    fn cached_histories(&self, experiment_id: i64) -> usize {
        self.histories
            .borrow()
            .get(&experiment_id)
            .map_or(0, Vec::len)
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
    tx: &'a Transaction<'a>,
    experiment_id: i64,
    series: CachedStatement<'a>,
    history: CachedStatement<'a>,
    generation: CachedStatement<'a>,
    composition: CachedStatement<'a>,
    curation: CachedStatement<'a>,
    replicate: CachedStatement<'a>,
    score: CachedStatement<'a>,
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
            tx,
            experiment_id,
            series: prepare(
                "INSERT INTO metric_series (experiment_id, metric, replicate, generation_values)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
            history: prepare("INSERT INTO histories (experiment_id) VALUES (?1)")?,
            generation: prepare(
                "INSERT INTO history_generations (history, generation, accepted, reason,
                     candidate_value, deployed, original_units, fresh_units, synthetic_units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            composition: prepare(
                "INSERT INTO history_composition (history, generation, pool, origin_generation, records, units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            curation: prepare(
                "INSERT INTO history_curation (history, generation, filter, kind, outcome, pool, origin, records, units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            replicate: prepare(
                "INSERT INTO replicates (experiment_id, replicate, history) VALUES (?1, ?2, ?3)",
            )?,
            score: prepare(
                "INSERT INTO sample_scores (experiment_id, replicate, generation, kind, position, value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            text: prepare(
                "INSERT INTO sample_texts (experiment_id, replicate, generation, kind, position, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
        })
    }

    /// One metric's values over the generations of replicate `r`.
    fn series(&mut self, r: i64, metric: usize, packed: &[u8]) -> Result<(), StoreError> {
        self.store.wrap(self.series.execute(params![
            self.experiment_id,
            metric as i64,
            r,
            packed
        ]))?;
        Ok(())
    }

    /// A new history: every generation's decision, composition and curation counts.
    fn history(
        &mut self,
        generations: &[GenerationResult],
        detail: CompositionDetail,
    ) -> Result<i64, StoreError> {
        self.store
            .wrap(self.history.execute([self.experiment_id]))?;
        let id = self.tx.last_insert_rowid();
        for g in generations {
            self.generation(id, g)?;
            if detail == CompositionDetail::Full {
                self.composition(id, g)?;
            }
            self.curation(id, g)?;
        }
        Ok(id)
    }

    /// The gate's decision and the training set's units by pool.
    fn generation(&mut self, history: i64, g: &GenerationResult) -> Result<(), StoreError> {
        let units = |pool: Pool| -> i64 {
            g.composition
                .iter()
                .filter(|c| c.pool == pool)
                .map(|c| c.units as i64)
                .sum()
        };
        self.store.wrap(self.generation.execute(params![
            history,
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
    fn composition(&mut self, history: i64, g: &GenerationResult) -> Result<(), StoreError> {
        for c in &g.composition {
            self.store.wrap(self.composition.execute(params![
                history,
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
    fn curation(&mut self, history: i64, g: &GenerationResult) -> Result<(), StoreError> {
        for c in &g.curation {
            self.store.wrap(self.curation.execute(params![
                history,
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

    /// The replicate is complete (resume skips it) and follows `history`.
    fn replicate(&mut self, r: i64, history: i64) -> Result<(), StoreError> {
        self.store.wrap(
            self.replicate
                .execute(params![self.experiment_id, r, history]),
        )?;
        Ok(())
    }
}
