//! `genloop collect DIR`: every cell of a sweep folder merged into `DIR/results.csv`
//! and `DIR/results.sqlite` (table `results`), one row per value with the cell's id,
//! its swept parameters as columns and the arm. Each cell's rows are what
//! `genloop export` writes for it, so collect follows the export's columns. A sweep
//! with missing or failed cells is not merged: collect names them and fails.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use super::sweep::folder::{self, cell_dir, state, CellRecord, CellState, SweepRecord};
use crate::files::write_atomic;
use crate::runner::STORE_FILE;

pub const RESULTS_CSV: &str = "results.csv";
pub const RESULTS_DB: &str = "results.sqlite";

/// The merged table: column names and rows of fields as written in CSV.
struct Merged {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

pub fn execute(dir: &Path) -> anyhow::Result<()> {
    let record = folder::read(dir)?;
    unfinished(dir, &record)?;
    let mut merged: Option<Merged> = None;
    for cell in &record.cells {
        for (arm, csv) in cell_exports(&cell_dir(dir, &cell.id))? {
            add_rows(&mut merged, &record.keys, cell, &arm, &csv)
                .with_context(|| format!("{}, arm `{arm}`", cell.label()))?;
        }
    }
    let merged = merged.unwrap_or(Merged {
        columns: Vec::new(),
        rows: Vec::new(),
    });
    write_atomic(&dir.join(RESULTS_CSV), to_csv(&merged).as_bytes())?;
    write_sqlite(&dir.join(RESULTS_DB), &merged)?;
    eprintln!(
        "collected {} cells, {} rows: {} and {}",
        record.cells.len(),
        merged.rows.len(),
        dir.join(RESULTS_CSV).display(),
        dir.join(RESULTS_DB).display()
    );
    Ok(())
}

/// Fail naming every cell that is not finished.
fn unfinished(dir: &Path, record: &SweepRecord) -> anyhow::Result<()> {
    let mut lines = Vec::new();
    for cell in &record.cells {
        match state(dir, &cell.id) {
            CellState::Done => {}
            CellState::Failed(e) => lines.push(format!("{}: failed: {}", cell.label(), e.trim())),
            CellState::Partial => lines.push(format!("{}: unfinished", cell.label())),
            CellState::NotStarted => lines.push(format!("{}: missing", cell.label())),
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "{} of {} cells are not finished, so nothing was merged; rerun `genloop sweep` (or resubmit with --slurm) to finish them:\n{}",
        lines.len(),
        record.cells.len(),
        lines.join("\n")
    )
}

/// Each arm of a cell's run folder with its CSV export (what `genloop export` writes),
/// made in memory.
fn cell_exports(cell: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let store = genloop_store::Store::open(&cell.join(STORE_FILE))?;
    let mut exports = Vec::new();
    for experiment in store.experiments()? {
        let mut csv = Vec::new();
        store.export_csv(&[experiment.id], &mut csv)?;
        let csv = String::from_utf8(csv)
            .with_context(|| format!("{}: the export is not UTF-8", cell.display()))?;
        exports.push((experiment.arm, csv));
    }
    Ok(exports)
}

/// Append a cell's arm export: cell id, parameters, arm, then the export's columns
/// (an `arm` column of the export itself is not repeated).
fn add_rows(
    merged: &mut Option<Merged>,
    keys: &[String],
    cell: &CellRecord,
    arm: &str,
    csv: &str,
) -> anyhow::Result<()> {
    let mut lines = csv.lines();
    let header = split_csv_line(lines.next().unwrap_or_default());
    let keep: Vec<usize> = (0..header.len()).filter(|&i| header[i] != "arm").collect();
    let mut columns = vec!["cell".to_string()];
    columns.extend(keys.iter().cloned());
    columns.push("arm".into());
    columns.extend(keep.iter().map(|&i| header[i].clone()));
    let merged = merged.get_or_insert_with(|| Merged {
        columns: columns.clone(),
        rows: Vec::new(),
    });
    anyhow::ensure!(
        merged.columns == columns,
        "its export has columns {:?}, other cells {:?}",
        columns,
        merged.columns
    );
    let mut prefix = vec![cell.id.clone()];
    prefix.extend(cell.params.iter().map(|(_, value)| plain(value)));
    prefix.push(arm.to_string());
    for line in lines.filter(|l| !l.is_empty()) {
        let fields = split_csv_line(line);
        anyhow::ensure!(
            fields.len() == header.len(),
            "line `{line}` has {} fields, the header {}",
            fields.len(),
            header.len()
        );
        let mut row = prefix.clone();
        row.extend(keep.iter().map(|&i| fields[i].clone()));
        merged.rows.push(row);
    }
    Ok(())
}

/// A parameter as a field: strings without quotes, the rest as JSON.
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Fields of one CSV line (RFC 4180 quoting).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().expect("a field").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => fields.last_mut().expect("a field").push(c),
        }
    }
    fields
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn to_csv(merged: &Merged) -> String {
    let mut out = String::new();
    for row in std::iter::once(&merged.columns).chain(&merged.rows) {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        let _ = writeln!(out, "{}", fields.join(","));
    }
    out
}

/// A field as an SQLite value: integer, real, else text.
fn sql_value(field: &str) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    if let Ok(i) = field.parse::<i64>() {
        Value::Integer(i)
    } else if let Ok(f) = field.parse::<f64>() {
        Value::Real(f)
    } else {
        Value::Text(field.to_string())
    }
}

/// `results` in a new SQLite file, written beside and renamed into place.
fn write_sqlite(path: &Path, merged: &Merged) -> anyhow::Result<()> {
    let tmp = genloop_core::output::temporary_for(path);
    let _ = std::fs::remove_file(&tmp);
    let mut conn = rusqlite::Connection::open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    let quoted: Vec<String> = merged
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect();
    if !quoted.is_empty() {
        conn.execute(&format!("CREATE TABLE results ({})", quoted.join(", ")), [])?;
        let marks = vec!["?"; quoted.len()].join(", ");
        let insert = format!("INSERT INTO results VALUES ({marks})");
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare(&insert)?;
            for row in &merged.rows {
                stmt.execute(rusqlite::params_from_iter(row.iter().map(|f| sql_value(f))))?;
            }
        }
        tx.commit()?;
    }
    drop(conn);
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_split_and_quote_round_trip() {
        assert_eq!(split_csv_line("a,\"b,c\",\"d\"\"e\""), ["a", "b,c", "d\"e"]);
        let fields = ["x", "y,z", "q\"r"];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        assert_eq!(split_csv_line(&line.join(",")), fields);
    }

    #[test]
    fn fields_become_typed_sqlite_values() {
        use rusqlite::types::Value;
        assert_eq!(sql_value("3"), Value::Integer(3));
        assert_eq!(sql_value("0.5"), Value::Real(0.5));
        assert_eq!(sql_value("replace"), Value::Text("replace".into()));
    }
}
