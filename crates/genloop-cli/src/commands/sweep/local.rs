//! The local executor: cells in parallel within one thread budget, each run through
//! `genloop run`'s own driver into its folder. A finished cell (its marker exists) is
//! skipped; a partial one resumes from its store's finished chunks, so a sweep killed
//! at any point and rerun gives what an uninterrupted one gives.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context;

use genloop_config::sweep::{Cell, Sweep};

use super::folder::{cell_dir, state, CellState, DONE_MARKER, FAILED_MARKER};
use crate::args::RunOptions;
use crate::commands::run_config;
use crate::files::{occupied, write_atomic};

/// Run `cell` into its folder with `threads` workers, unless it is finished; the
/// marker says how it ended. Returns false when it was already finished.
pub fn run_cell(dir: &Path, sweep: &Sweep, cell: &Cell, threads: usize) -> anyhow::Result<bool> {
    let folder = cell_dir(dir, &cell.id);
    let resume = match state(dir, &cell.id) {
        CellState::Done => return Ok(false),
        CellState::Failed(_) => {
            std::fs::remove_file(folder.join(FAILED_MARKER))?;
            state(dir, &cell.id) == CellState::Partial
        }
        CellState::Partial => true,
        CellState::NotStarted => false,
    };
    if !resume && occupied(&folder) {
        // Killed before its store existed: nothing in it is worth keeping.
        std::fs::remove_dir_all(&folder)
            .with_context(|| format!("cannot clear {}", folder.display()))?;
    }
    let options = RunOptions {
        out: Some(folder.clone()),
        threads: Some(threads),
        json: true,
        resume,
        no_report: true,
        cell: true,
        resume_hint: None,
    };
    let started = Instant::now();
    let origin = format!("{}: {cell}", sweep.path);
    match run_config(&cell.config, &origin, &sweep.base_dir, &options) {
        Ok(_) => {
            let marker = serde_json::json!({
                "index": cell.index,
                "id": cell.id,
                "seconds": started.elapsed().as_secs_f64(),
            });
            write_atomic(&folder.join(DONE_MARKER), marker.to_string().as_bytes())?;
            Ok(true)
        }
        Err(error) => {
            let message = format!("{error:#}");
            write_atomic(&folder.join(FAILED_MARKER), message.as_bytes())?;
            Err(error.context(format!("{cell} failed")))
        }
    }
}

/// Shared by the workers of one local sweep.
struct Progress<'a> {
    todo: Vec<&'a Cell>,
    next: AtomicUsize,
    finished: AtomicUsize,
    failures: Mutex<Vec<String>>,
    started: Instant,
}

/// Run every unfinished cell, as many at once as the thread budget allows.
pub fn run_all(dir: &Path, sweep: &Sweep, cells: &[Cell], threads: usize) -> anyhow::Result<()> {
    let todo: Vec<&Cell> = cells
        .iter()
        .filter(|c| state(dir, &c.id) != CellState::Done)
        .collect();
    let workers = threads.min(todo.len()).max(1);
    let per_cell = (threads / workers).max(1);
    eprintln!(
        "sweep: {} cells, {} finished before, {} to run ({workers} at a time, {per_cell} threads each)",
        cells.len(),
        cells.len() - todo.len(),
        todo.len()
    );
    let progress = Progress {
        todo,
        next: AtomicUsize::new(0),
        finished: AtomicUsize::new(0),
        failures: Mutex::new(Vec::new()),
        started: Instant::now(),
    };
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| work(dir, sweep, per_cell, &progress));
        }
    });
    let failures = progress.failures.into_inner().expect("failures lock");
    if failures.is_empty() {
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "{} of {} cells failed (a rerun tries them again, the others are kept):\n{}",
        failures.len(),
        cells.len(),
        failures.join("\n")
    ))
}

/// One worker: take the next cell until none is left.
fn work(dir: &Path, sweep: &Sweep, threads: usize, progress: &Progress<'_>) {
    let total = progress.todo.len();
    loop {
        let i = progress.next.fetch_add(1, Ordering::SeqCst);
        let Some(cell) = progress.todo.get(i) else {
            return;
        };
        let result = run_cell(dir, sweep, cell, threads);
        let done = progress.finished.fetch_add(1, Ordering::SeqCst) + 1;
        let elapsed = progress.started.elapsed().as_secs_f64();
        match result {
            Ok(_) => eprintln!("[{done}/{total}] {cell} finished ({elapsed:.1} s)"),
            Err(error) => {
                eprintln!("[{done}/{total}] {cell} FAILED ({elapsed:.1} s): {error:#}");
                let mut failures = progress.failures.lock().expect("failures lock");
                failures.push(format!("{error:#}"));
            }
        }
    }
}
