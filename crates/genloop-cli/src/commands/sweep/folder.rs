//! The sweep folder: `sweep.toml` (the sweep file as given), `cells.json` (the
//! expanded cells, written before anything runs), `cells/<id>/` (one run folder per
//! cell, with its marker: `cell.done` once finished, `cell.failed` with the error),
//! and `slurm/` for a job array.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use genloop_config::sweep::Cell;

use crate::files::write_atomic;
use crate::runner::STORE_FILE;
use crate::UsageError;

pub const SWEEP_FILE: &str = "sweep.toml";
pub const CELLS_FILE: &str = "cells.json";
pub const CELLS_DIR: &str = "cells";
pub const DONE_MARKER: &str = "cell.done";
pub const FAILED_MARKER: &str = "cell.failed";

/// One cell as `cells.json` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRecord {
    pub index: usize,
    pub id: String,
    /// The swept keys and their values, in the sweep's order.
    pub params: Vec<(String, serde_json::Value)>,
    /// The store's hash of the cell's config text: a changed base config shows here.
    pub config_hash: String,
}

impl CellRecord {
    pub fn new(cell: &Cell) -> anyhow::Result<CellRecord> {
        let params = cell
            .params
            .iter()
            .map(|(key, value)| Ok((key.clone(), serde_json::to_value(value)?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(CellRecord {
            index: cell.index,
            id: cell.id.clone(),
            params,
            config_hash: genloop_store::config_hash(&cell.config),
        })
    }

    /// `key = value, ...` for messages.
    pub fn label(&self) -> String {
        let parts: Vec<String> = self
            .params
            .iter()
            .map(|(key, value)| format!("{key} = {value}"))
            .collect();
        format!("cell {} {} ({})", self.index, self.id, parts.join(", "))
    }
}

/// `cells.json`: the swept keys and every cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    pub keys: Vec<String>,
    pub cells: Vec<CellRecord>,
}

impl SweepRecord {
    pub fn new(keys: Vec<String>, cells: &[Cell]) -> anyhow::Result<SweepRecord> {
        let cells = cells
            .iter()
            .map(CellRecord::new)
            .collect::<anyhow::Result<_>>()?;
        Ok(SweepRecord { keys, cells })
    }
}

/// Where a cell stands, read from its folder.
#[derive(Clone, Debug, PartialEq)]
pub enum CellState {
    Done,
    /// Failed with this error (a rerun tries again).
    Failed(String),
    /// Started: its store keeps the finished chunks.
    Partial,
    NotStarted,
}

pub fn cell_dir(dir: &Path, id: &str) -> PathBuf {
    dir.join(CELLS_DIR).join(id)
}

pub fn state(dir: &Path, id: &str) -> CellState {
    let cell = cell_dir(dir, id);
    if cell.join(DONE_MARKER).is_file() {
        CellState::Done
    } else if let Ok(error) = std::fs::read_to_string(cell.join(FAILED_MARKER)) {
        CellState::Failed(error)
    } else if cell.join(STORE_FILE).is_file() {
        CellState::Partial
    } else {
        CellState::NotStarted
    }
}

/// Write `cells.json` and a copy of the sweep file into a new sweep folder, or check
/// that an existing folder holds this same sweep.
pub fn record(dir: &Path, sweep_text: &str, record: &SweepRecord) -> anyhow::Result<()> {
    if dir.join(CELLS_FILE).is_file() {
        let stored = read(dir)?;
        if &stored != record {
            return Err(UsageError(format!(
                "{} holds another sweep (its {CELLS_FILE} lists other cells or configs); rerun with the same sweep file and base config, or choose another --out",
                dir.display()
            ))
            .into());
        }
    } else if crate::files::occupied(dir) {
        return Err(UsageError(format!(
            "{} exists and is not a sweep folder (no {CELLS_FILE}); choose another --out",
            dir.display()
        ))
        .into());
    }
    write_atomic(&dir.join(SWEEP_FILE), sweep_text.as_bytes())?;
    write_atomic(
        &dir.join(CELLS_FILE),
        serde_json::to_string_pretty(record)?.as_bytes(),
    )
}

/// Read `cells.json` of a sweep folder.
pub fn read(dir: &Path) -> anyhow::Result<SweepRecord> {
    let path = dir.join(CELLS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        UsageError(format!(
            "cannot read {}: {e}; is {} a sweep folder (`genloop sweep --out`)?",
            path.display(),
            dir.display()
        ))
    })?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a cell list", path.display()))
}
