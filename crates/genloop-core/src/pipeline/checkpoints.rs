//! Fitted models kept on disk: every generation's candidate is written as soon as it is
//! fitted, so a killed run resumes at its last finished generation without fitting
//! again (the loop replays the replicate from its seed streams and reads each finished
//! fit back), and once a replicate is finished the checkpoints the `[output]` policy
//! keeps stay in the run folder.
//!
//! The loop sees only [`Checkpoints`]; [`CheckpointDir`] lays the folders out and leaves
//! writing and reading one model to the task's [`ModelFiles`]. Cheap models (numeric,
//! n-gram) keep none: their fits take less time than reading a file.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::results::ReplicateResult;

/// Why a checkpoint could not be written, read or pruned.
pub type CheckpointError = Box<dyn std::error::Error + Send + Sync>;

/// Which fitted models stay in the run folder once a replicate is finished
/// (`[output] checkpoints`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepCheckpoints {
    /// Every accepted generation's model (generation 0 included).
    #[default]
    Accepted,
    /// Only the model in service at the last generation.
    Last,
    /// None (they are still written while the replicate runs, for resuming).
    None,
}

impl KeepCheckpoints {
    pub fn name(self) -> &'static str {
        match self {
            KeepCheckpoints::Accepted => "accepted",
            KeepCheckpoints::Last => "last",
            KeepCheckpoints::None => "none",
        }
    }
}

/// Where the loop keeps and finds its fitted models.
pub trait Checkpoints<M>: Send + Sync {
    /// The candidate of this generation, fitted by an earlier, interrupted run.
    fn load(
        &self,
        arm: &str,
        replicate: u64,
        generation: u32,
    ) -> Result<Option<M>, CheckpointError>;
    /// Keep the candidate just fitted.
    fn save(
        &self,
        arm: &str,
        replicate: u64,
        generation: u32,
        model: &M,
    ) -> Result<(), CheckpointError>;
    /// The replicate is finished: remove what the policy does not keep.
    fn finish(&self, arm: &str, result: &ReplicateResult) -> Result<(), CheckpointError>;
}

/// Writes and reads one fitted model as a folder.
pub trait ModelFiles<M>: Send + Sync {
    /// Write `model` into the empty folder `dir`.
    fn write(&self, model: &M, dir: &Path) -> Result<(), CheckpointError>;
    /// Read the model written into `dir`.
    fn read(&self, dir: &Path) -> Result<M, CheckpointError>;
}

/// Checkpoints as folders `ROOT/ARM/replicate-R/generation-G/`. A folder is written under
/// a temporary name and renamed when complete, so a folder with its final name always
/// holds a whole model.
pub struct CheckpointDir<F> {
    root: PathBuf,
    keep: KeepCheckpoints,
    files: F,
}

impl<F> CheckpointDir<F> {
    pub fn new(root: impl Into<PathBuf>, keep: KeepCheckpoints, files: F) -> Self {
        CheckpointDir {
            root: root.into(),
            keep,
            files,
        }
    }

    /// The folder of one replicate's checkpoints.
    pub fn replicate_dir(&self, arm: &str, replicate: u64) -> PathBuf {
        self.root.join(arm).join(format!("replicate-{replicate}"))
    }

    /// The folder of one generation's checkpoint.
    pub fn generation_dir(&self, arm: &str, replicate: u64, generation: u32) -> PathBuf {
        self.replicate_dir(arm, replicate)
            .join(format!("generation-{generation}"))
    }
}

fn remove_dir(dir: &Path) -> Result<(), CheckpointError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display()).into()),
    }
}

impl<M, F: ModelFiles<M>> Checkpoints<M> for CheckpointDir<F> {
    fn load(
        &self,
        arm: &str,
        replicate: u64,
        generation: u32,
    ) -> Result<Option<M>, CheckpointError> {
        let dir = self.generation_dir(arm, replicate, generation);
        if !dir.is_dir() {
            return Ok(None);
        }
        self.files
            .read(&dir)
            .map(Some)
            .map_err(|e| format!("checkpoint {}: {e}", dir.display()).into())
    }

    fn save(
        &self,
        arm: &str,
        replicate: u64,
        generation: u32,
        model: &M,
    ) -> Result<(), CheckpointError> {
        let dir = self.generation_dir(arm, replicate, generation);
        let parent = dir.parent().expect("a generation folder has a parent");
        let temporary = parent.join(format!(".generation-{generation}.tmp"));
        remove_dir(&temporary)?;
        std::fs::create_dir_all(&temporary)
            .map_err(|e| format!("cannot create {}: {e}", temporary.display()))?;
        self.files
            .write(model, &temporary)
            .map_err(|e| format!("checkpoint {}: {e}", dir.display()))?;
        remove_dir(&dir)?;
        std::fs::rename(&temporary, &dir).map_err(|e| {
            format!(
                "cannot rename {} to {}: {e}",
                temporary.display(),
                dir.display()
            )
        })?;
        Ok(())
    }

    fn finish(&self, arm: &str, result: &ReplicateResult) -> Result<(), CheckpointError> {
        let replicate = result.replicate;
        if self.keep == KeepCheckpoints::None {
            return remove_dir(&self.replicate_dir(arm, replicate));
        }
        let last = result.generations.last().map(|g| g.deployed);
        for generation in &result.generations {
            let keep = match self.keep {
                KeepCheckpoints::Accepted => generation.decision.accepted,
                _ => Some(generation.generation) == last,
            };
            if !keep {
                remove_dir(&self.generation_dir(arm, replicate, generation.generation))?;
            }
        }
        Ok(())
    }
}
