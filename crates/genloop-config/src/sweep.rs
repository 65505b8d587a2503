//! Sweeps: a base config plus a grid of dotted keys to value lists and a list of
//! seeds, expanded into cells. Each cell is the base with its keys set ([`patch`]),
//! checked as a config before anything runs, and named by a stable hash of its
//! parameters: the same key = value pairs give the same id whatever order the grid
//! lists its keys in.
//!
//! A sweep file is either a config with a `[grid]` table and `seeds` beside it, or
//! `base = "config.toml"` (relative to the sweep file) with only `[grid]` and `seeds`:
//!
//! ```
//! let sweep = genloop_config::sweep::Sweep::parse(
//!     r#"
//! name = "small"
//! generations = 2
//! seeds = [1, 2]
//! source = { kind = "gaussian" }
//! data = { original = 20 }
//! model = { kind = "gaussian" }
//! regime = { kind = "replace" }
//! [grid]
//! "regime.kind" = ["replace", "accumulate"]
//! "#,
//!     std::path::Path::new("sweep.toml"),
//! )
//! .unwrap();
//! let cells = sweep.cells().unwrap();
//! assert_eq!(cells.len(), 4);
//! assert_eq!(cells[1].label(), "regime.kind = \"replace\", seed = 2");
//! ```
//!
//! [`patch`]: crate::patch

use std::fmt;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::{patch, ConfigError, RawConfig};

/// Keys of a sweep file that are not config keys.
const SWEEP_KEYS: [&str; 3] = ["base", "grid", "seeds"];

/// More cells than this is a mistake in the grid, not a sweep to run.
pub const MAX_CELLS: usize = 1_000_000;

/// A sweep file that cannot be expanded into valid cells.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Spec { path: String, message: String },
    #[error("{}", bad_cells(.total, .bad))]
    Cells { total: usize, bad: Vec<ConfigError> },
}

fn bad_cells(total: &usize, bad: &[ConfigError]) -> String {
    let shown: Vec<String> = bad.iter().take(5).map(|e| e.to_string()).collect();
    let more = match bad.len().saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!("\n... and {n} more"),
    };
    format!(
        "{} of {total} cells are not valid configs; fix the grid or the base:\n{}{more}",
        bad.len(),
        shown.join("\n")
    )
}

/// A parsed sweep: the base config as written and the grid's dimensions.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The sweep file, for messages.
    pub path: String,
    /// The folder relative paths of the base config (corpora) resolve against.
    pub base_dir: PathBuf,
    pub base: Table,
    /// Dotted keys with their values, sorted by key; `seed` (from `seeds`) last.
    pub dimensions: Vec<(String, Vec<Value>)>,
}

/// One point of the grid: a config to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Position in the expansion (the Slurm array index).
    pub index: usize,
    /// Stable hash of the parameters: `c` and 16 hex digits.
    pub id: String,
    /// The swept keys and this cell's values, in the sweep's dimension order.
    pub params: Vec<(String, Value)>,
    /// The cell's config as TOML text.
    pub config: String,
}

impl Cell {
    /// `key = value, ...`, values in TOML syntax.
    pub fn label(&self) -> String {
        let parts: Vec<String> = self
            .params
            .iter()
            .map(|(key, value)| format!("{key} = {value}"))
            .collect();
        if parts.is_empty() {
            "the base config".into()
        } else {
            parts.join(", ")
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cell {} {} ({})", self.index, self.id, self.label())
    }
}

/// The id of a cell with these parameters: FNV-1a of `key=value` lines sorted by key.
pub fn cell_id(params: &[(String, Value)]) -> String {
    let mut lines: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    lines.sort();
    format!(
        "c{:016x}",
        genloop_core::seed::fnv1a64(lines.concat().as_bytes())
    )
}

impl Sweep {
    /// Read a sweep file; a `base = "..."` config is read relative to it.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        let text = std::fs::read_to_string(path).map_err(|source| SweepError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Sweep::parse(&text, path)
    }

    /// Parse sweep text; `path` names the file and locates a `base` config.
    pub fn parse(text: &str, path: &Path) -> Result<Sweep, SweepError> {
        let display = path.display().to_string();
        let spec = |message: String| SweepError::Spec {
            path: display.clone(),
            message,
        };
        let mut table: Table = text
            .parse()
            .map_err(|e: toml::de::Error| spec(e.to_string().trim_end().to_string()))?;
        let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let grid = match table.remove("grid") {
            None => Table::new(),
            Some(Value::Table(grid)) => grid,
            Some(other) => {
                return Err(spec(format!(
                    "`grid` is a {}, not a table of dotted keys to value lists",
                    other.type_str()
                )))
            }
        };
        let seeds = table.remove("seeds");
        let (base, base_dir) = base_config(table, &folder, &display)?;
        let mut dimensions = Vec::new();
        flatten_grid(&grid, "", &mut dimensions).map_err(spec)?;
        dimensions.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(seeds) = seeds {
            dimensions.push(("seed".into(), seed_list(seeds, &dimensions).map_err(spec)?));
        }
        let sweep = Sweep {
            path: display.clone(),
            base_dir,
            base,
            dimensions,
        };
        sweep.count().map_err(spec)?;
        Ok(sweep)
    }

    /// How many cells the grid has.
    fn count(&self) -> Result<usize, String> {
        self.dimensions.iter().try_fold(1usize, |n, (key, values)| {
            n.checked_mul(values.len())
                .filter(|n| *n <= MAX_CELLS)
                .ok_or_else(|| {
                    format!(
                        "the grid has more than {MAX_CELLS} cells (at `{key}`); split the sweep"
                    )
                })
        })
    }

    /// Every cell, in order (the last dimension varies fastest), each checked as a
    /// config; the problems of every bad cell are reported together.
    pub fn cells(&self) -> Result<Vec<Cell>, SweepError> {
        let total = self.count().map_err(|message| SweepError::Spec {
            path: self.path.clone(),
            message,
        })?;
        let mut cells = Vec::with_capacity(total);
        let mut bad = Vec::new();
        for index in 0..total {
            match self.cell(index) {
                Ok(cell) => cells.push(cell),
                Err(e) => bad.push(e),
            }
        }
        if bad.is_empty() {
            Ok(cells)
        } else {
            Err(SweepError::Cells { total, bad })
        }
    }

    /// The parameters of cell `index` (mixed radix over the dimensions).
    fn params(&self, index: usize) -> Vec<(String, Value)> {
        let mut rest = index;
        let mut params: Vec<(String, Value)> = self
            .dimensions
            .iter()
            .rev()
            .map(|(key, values)| {
                let value = values[rest % values.len()].clone();
                rest /= values.len();
                (key.clone(), value)
            })
            .collect();
        params.reverse();
        params
    }

    /// Cell `index`, patched and checked.
    pub fn cell(&self, index: usize) -> Result<Cell, ConfigError> {
        let params = self.params(index);
        let id = cell_id(&params);
        let mut cell = Cell {
            index,
            id,
            params,
            config: String::new(),
        };
        let origin = format!("{}: {cell}", self.path);
        let mut table = self.base.clone();
        for (key, value) in &cell.params {
            patch::set(&mut table, key, value.clone()).map_err(|e| ConfigError::Parse {
                path: origin.clone(),
                message: e.to_string(),
            })?;
        }
        cell.config = toml::to_string(&table).map_err(|e| ConfigError::Parse {
            path: origin.clone(),
            message: e.to_string(),
        })?;
        let raw: RawConfig = table
            .try_into()
            .map_err(|e| crate::parse_error(&origin, e))?;
        crate::check_raw(&raw, &origin)?;
        Ok(cell)
    }
}

/// The base config: the file `base` names, or the sweep file's own config keys.
fn base_config(
    mut table: Table,
    folder: &Path,
    path: &str,
) -> Result<(Table, PathBuf), SweepError> {
    let spec = |message: String| SweepError::Spec {
        path: path.to_string(),
        message,
    };
    let Some(base) = table.remove("base") else {
        return Ok((table, folder.to_path_buf()));
    };
    let Value::String(file) = base else {
        return Err(spec(
            "`base` names the base config file: `base = \"config.toml\"`".into(),
        ));
    };
    if !table.is_empty() {
        let keys: Vec<&str> = table.keys().map(String::as_str).collect();
        return Err(spec(format!(
            "`base = \"{file}\"` is given, so the sweep file holds only {}; move {} into the base config or into [grid]",
            SWEEP_KEYS.join(", "),
            keys.join(", ")
        )));
    }
    let file = folder.join(file);
    let text = std::fs::read_to_string(&file).map_err(|source| SweepError::Read {
        path: file.display().to_string(),
        source,
    })?;
    let base: Table = text
        .parse()
        .map_err(|e: toml::de::Error| SweepError::Spec {
            path: file.display().to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
    let base_dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
    Ok((base, base_dir))
}

/// `[grid]` as dotted keys to non-empty value lists; nested tables (`[grid.regime]`)
/// are dotted keys too.
fn flatten_grid(
    grid: &Table,
    prefix: &str,
    out: &mut Vec<(String, Vec<Value>)>,
) -> Result<(), String> {
    for (key, value) in grid {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Table(inner) => flatten_grid(inner, &key, out)?,
            Value::Array(values) => {
                let values = distinct(&key, values)?;
                out.push((key, values));
            }
            other => {
                return Err(format!(
                    "grid `{key}` = {other}: give a list of values, e.g. `\"{key}\" = [{other}]`"
                ))
            }
        }
    }
    Ok(())
}

/// The values of one dimension: at least one, none twice.
fn distinct(key: &str, values: &[Value]) -> Result<Vec<Value>, String> {
    if values.is_empty() {
        return Err(format!("grid `{key}` = []: give at least one value"));
    }
    for (i, value) in values.iter().enumerate() {
        if values[..i].contains(value) {
            return Err(format!("grid `{key}` lists {value} twice"));
        }
    }
    Ok(values.to_vec())
}

/// `seeds = [...]`: distinct integers, and no `seed` in the grid beside them.
fn seed_list(seeds: Value, dimensions: &[(String, Vec<Value>)]) -> Result<Vec<Value>, String> {
    if dimensions.iter().any(|(key, _)| key == "seed") {
        return Err("`seed` is in [grid] and `seeds` is given: keep one".into());
    }
    let Value::Array(values) = seeds else {
        return Err(format!(
            "`seeds` = {seeds}: give a list of integers, e.g. `seeds = [1, 2, 3]`"
        ));
    };
    if let Some(bad) = values.iter().find(|v| !v.is_integer()) {
        return Err(format!("`seeds` holds {bad}: seeds are integers"));
    }
    distinct("seeds", &values)
}

#[cfg(test)]
mod tests;
