//! Observers receive the loop's progress: the progress bar and the SQLite store are
//! observers, so the loop runs and is tested without either.

use super::results::{ObserverError, ReplicateResult};
use super::settings::Arm;

/// Receives the loop's progress. `replicate_done` is called from worker threads as
/// replicates finish; `chunk_done` on the calling thread, in replicate order.
pub trait Observer: Sync {
    fn replicate_done(&self, _arm: &Arm, _result: &ReplicateResult) {}
    fn chunk_done(&self, _arm: &Arm, _results: &[ReplicateResult]) -> Result<(), ObserverError> {
        Ok(())
    }
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

/// An observer that keeps every result in memory, in replicate order.
#[derive(Default)]
pub struct Collect(std::sync::Mutex<Vec<ReplicateResult>>);

impl Collect {
    pub fn into_inner(self) -> Vec<ReplicateResult> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Observer for Collect {
    fn chunk_done(&self, _arm: &Arm, results: &[ReplicateResult]) -> Result<(), ObserverError> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(results);
        Ok(())
    }
}
