//! Running an arm: its replicates in parallel chunks, handed to the observers in
//! replicate order.
//!
//! The loop does not care what is fitted or how long a fit takes; it threads the pools
//! and the accepted model from one generation to the next (`replicate.rs`) and hands
//! each finished replicate to the observers (progress bar, SQLite store).

use rayon::prelude::*;

use super::curate::BuildFilter;
use super::gate::{AcceptAll, Gate, GateSpec, HoldoutGate};
use super::observer::Observer;
use super::replicate::run_replicate;
use super::results::{LoopError, ReplicateResult};
use super::settings::{Arm, RunSettings};
use crate::task::Task;

/// Replicates handed to the observers per chunk: small enough to resume after an
/// interruption without much lost work, large enough to keep both cores busy.
pub const DEFAULT_CHUNK: usize = 32;

/// Run `replicates` of one arm, in parallel chunks, handing each chunk's results to
/// the observer in replicate order (memory stays bounded by the chunk). Results are
/// identical whatever the number of threads.
pub fn run_arm<T: BuildFilter>(
    task: &T,
    settings: &RunSettings,
    arm: &Arm,
    replicates: &[u64],
    observer: &dyn Observer,
) -> Result<(), LoopError> {
    let gate = bind_gate(task, &arm.gate)?;
    // Build the chain once up front, so a bad filter table fails before any work.
    arm.chain(task)?;
    let run_chunk = |chunk: &[u64]| -> Result<Vec<ReplicateResult>, LoopError> {
        chunk
            .par_iter()
            .map(|&r| {
                let result = run_replicate(task, settings, arm, gate.as_ref(), r)?;
                observer.replicate_done(arm, &result);
                Ok(result)
            })
            .collect()
    };
    // The observer takes each chunk while the next one runs (a store writing one chunk
    // would otherwise leave the other threads idle); it still sees the chunks one at a
    // time, in replicate order, and nothing after a failure.
    let mut chunks = replicates.chunks(DEFAULT_CHUNK);
    let mut finished = match chunks.next() {
        Some(chunk) => run_chunk(chunk)?,
        None => return Ok(()),
    };
    for chunk in chunks {
        let (handed, next) =
            rayon::join(|| observer.chunk_done(arm, &finished), || run_chunk(chunk));
        handed.map_err(LoopError::Observer)?;
        finished = next?;
    }
    observer
        .chunk_done(arm, &finished)
        .map_err(LoopError::Observer)
}

/// Build every arm's filters once, so a bad `[[filters]]` table is reported before
/// anything is written.
pub fn check_filters<T: BuildFilter>(task: &T, arms: &[Arm]) -> Result<(), LoopError> {
    arms.iter().try_for_each(|arm| arm.chain(task).map(|_| ()))
}

/// The gate of `spec`, bound to the task metric it reads.
pub fn bind_gate<T: Task>(task: &T, spec: &GateSpec) -> Result<Box<dyn Gate>, LoopError> {
    match spec {
        GateSpec::None => Ok(Box::new(AcceptAll)),
        GateSpec::Holdout { metric, tolerance } => {
            let metrics = task.metrics();
            let index = metrics
                .iter()
                .position(|m| m.name == metric)
                .ok_or_else(|| LoopError::UnknownGateMetric {
                    metric: metric.clone(),
                    available: metrics
                        .iter()
                        .map(|m| m.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            Ok(Box::new(HoldoutGate {
                index,
                metric: metrics[index],
                tolerance: *tolerance,
            }))
        }
    }
}
