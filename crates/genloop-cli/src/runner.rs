//! The run driver: a checked experiment in, a run folder out (config, SQLite store,
//! summary), with its progress on stderr ([`crate::progress`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;

use crate::dispatch::{dispatch, TaskVisitor};
use genloop_config::Experiment;
use genloop_core::pipeline::curate::BuildFilter;
use genloop_core::pipeline::{
    check_filters, metric_specs, run_arm, Arm, Collect, Observer, ObserverError, ReplicateResult,
};
use genloop_core::provenance::CompositionDetail;
use genloop_store::{config_hash, ExperimentInfo, Store};

use crate::files::{occupied, write_atomic, FolderLock};
use crate::progress::Progress;
use crate::UsageError;

/// File names inside a run folder.
pub const CONFIG_FILE: &str = "config.toml";
pub const STORE_FILE: &str = "results.sqlite";
pub const SUMMARY_FILE: &str = "summary.json";

/// What to run and where.
pub struct RunRequest<'a> {
    pub experiment: &'a Experiment,
    pub config_text: &'a str,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub resume: bool,
    pub progress: bool,
}

/// Refuse to run into an occupied folder (unless resuming); writes nothing.
fn check_folder(request: &RunRequest<'_>) -> anyhow::Result<()> {
    let out = &request.out;
    if request.resume {
        if !out.join(STORE_FILE).is_file() {
            return Err(genloop_store::StoreError::Missing(
                out.join(STORE_FILE).display().to_string(),
            )
            .into());
        }
    } else if occupied(out) {
        return Err(UsageError(format!(
            "{} already exists and is not empty; runs are never overwritten: choose another --out, or add --resume to continue it",
            out.display()
        ))
        .into());
    }
    Ok(())
}

/// Prepare the run folder: a new one, or an interrupted one to resume.
fn open_folder(request: &RunRequest<'_>) -> anyhow::Result<Store> {
    let out = &request.out;
    let store_path = out.join(STORE_FILE);
    if request.resume {
        let store = Store::open(&store_path)?;
        let stored = store.experiments()?;
        if let Some(first) = stored.first() {
            if first.config_hash != config_hash(request.config_text) {
                return Err(UsageError(format!(
                    "{}: the stored run has a different config (hash {}, this config {}); resume with the same config or choose a new --out",
                    out.display(),
                    first.config_hash,
                    config_hash(request.config_text)
                ))
                .into());
            }
        }
        return Ok(store);
    }
    // `check_folder` refused an occupied folder before the task was built.
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_atomic(&out.join(CONFIG_FILE), request.config_text.as_bytes())?;
    Ok(Store::create(&store_path)?)
}

/// Run every arm of the experiment into the run folder.
pub fn run(request: &RunRequest<'_>) -> anyhow::Result<()> {
    // Refuse an occupied folder before any work; create it only once the task is
    // built (a corpus that cannot be read leaves nothing behind).
    check_folder(request)?;
    // One writer per run folder, claimed atomically: of two runs started into one new
    // folder at once, one gets it and the other is refused (exit 2).
    let _lock = FolderLock::claim(&request.out)?;
    if request.resume {
        crate::files::clean_run_folder(&request.out);
    } else if request.out.join(STORE_FILE).exists() {
        return Err(UsageError(format!(
            "{} was just taken by another run; choose another --out",
            request.out.display()
        ))
        .into());
    }
    let experiment = request.experiment;
    let progress = Progress::new(
        request.progress,
        experiment.arms.len(),
        experiment.settings.replicates as u64,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(crate::threads::resolve(request.threads))
        .build()
        .context("cannot start worker threads")?;
    let driver = Driver {
        request,
        experiment,
        out: &request.out,
        config_text: request.config_text,
        progress: &progress,
    };
    let result = pool.install(|| dispatch(experiment, Some(&request.out), driver));
    progress.finish();
    result?
}

struct Driver<'a> {
    request: &'a RunRequest<'a>,
    experiment: &'a Experiment,
    out: &'a Path,
    config_text: &'a str,
    progress: &'a Progress,
}

impl TaskVisitor for Driver<'_> {
    type Output = anyhow::Result<()>;

    fn visit<T: BuildFilter>(self, task: &T) -> anyhow::Result<()> {
        let experiment = self.experiment;
        check_filters(task, &experiment.arms).map_err(|e| UsageError(e.to_string()))?;
        let store = Mutex::new(open_folder(self.request)?);
        let specs = metric_specs(task, &experiment.settings);
        let names: Vec<&str> = specs.iter().map(|m| m.name).collect();
        task.save_files(self.out).map_err(|e| {
            anyhow::anyhow!(
                "cannot write the task's files into {}: {e}",
                self.out.display()
            )
        })?;
        for (position, arm) in experiment.arms.iter().enumerate() {
            let (id, done) = {
                let store = store.lock().expect("store lock");
                let id = store.add_experiment(&ExperimentInfo {
                    name: &experiment.name,
                    arm: &arm.name,
                    position,
                    config: self.config_text,
                    arm_spec_json: serde_json::to_string(arm)?,
                    seed: experiment.settings.seed,
                    replicates: experiment.settings.replicates,
                    generations: experiment.settings.generations,
                    metrics: &specs,
                })?;
                (id, store.completed_replicates(id)?)
            };
            let todo: Vec<u64> = (0..experiment.settings.replicates as u64)
                .filter(|r| done.binary_search(r).is_err())
                .collect();
            self.progress.arm(&arm.name, position, done.len() as u64);
            let writer = StoreWriter {
                store: &store,
                experiment_id: id,
                metric_names: &names,
                detail: experiment.composition,
                progress: self.progress,
            };
            run_arm(task, &experiment.settings, arm, &todo, &writer)?;
            store.lock().expect("store lock").finish_experiment(id)?;
        }
        Ok(())
    }
}

/// The SQLite store and the progress bar as one observer of the loop.
struct StoreWriter<'a> {
    store: &'a Mutex<Store>,
    experiment_id: i64,
    metric_names: &'a [&'a str],
    detail: CompositionDetail,
    progress: &'a Progress,
}

impl Observer for StoreWriter<'_> {
    fn replicate_done(&self, _arm: &Arm, _result: &ReplicateResult) {
        self.progress.replicate_done();
    }

    fn chunk_done(&self, _arm: &Arm, results: &[ReplicateResult]) -> Result<(), ObserverError> {
        let store = self.store.lock().expect("store lock");
        store.write_replicates(self.experiment_id, results, self.metric_names, self.detail)?;
        Ok(())
    }
}

/// The default run folder of an experiment.
pub fn default_out(name: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Path::new("runs").join(format!("{safe}-{}", crate::files::utc_stamp()))
}

/// One arm's results, in memory.
pub struct ArmResults {
    pub arm: Arm,
    pub metrics: Vec<&'static str>,
    pub replicates: Vec<ReplicateResult>,
}

impl ArmResults {
    /// Values of `metric` at `generation`, one per replicate.
    pub fn values(&self, metric: &str, generation: usize) -> Vec<f64> {
        let index = self
            .metrics
            .iter()
            .position(|m| *m == metric)
            .unwrap_or_else(|| {
                panic!("metric {metric} not measured; measured: {:?}", self.metrics)
            });
        self.replicates
            .iter()
            .map(|r| r.metrics_at(generation)[index])
            .collect()
    }
}

/// Run every arm without a store (tests, benchmarks, notebooks).
pub fn run_in_memory(experiment: &Experiment) -> anyhow::Result<Vec<ArmResults>> {
    struct InMemory<'a>(&'a Experiment);
    impl TaskVisitor for InMemory<'_> {
        type Output = anyhow::Result<Vec<ArmResults>>;
        fn visit<T: BuildFilter>(self, task: &T) -> Self::Output {
            let replicates: Vec<u64> = (0..self.0.settings.replicates as u64).collect();
            let metrics: Vec<&'static str> = metric_specs(task, &self.0.settings)
                .iter()
                .map(|m| m.name)
                .collect();
            self.0
                .arms
                .iter()
                .map(|arm| {
                    let collect = Collect::default();
                    run_arm(task, &self.0.settings, arm, &replicates, &collect)?;
                    Ok(ArmResults {
                        arm: arm.clone(),
                        metrics: metrics.clone(),
                        replicates: collect.into_inner(),
                    })
                })
                .collect()
        }
    }
    dispatch(experiment, None, InMemory(experiment))?
}
