//! `genloop report DIR` on a sweep (or plan) folder: every finished cell's
//! final-generation means (from its `summary.json`) against each swept parameter
//! (seeds excepted: they are what a point averages over), as `report.html` and
//! `plots/sweep-<key>-<metric>.{svg,png}` in the sweep folder.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;

use genloop_report::{SweepData, SweepFigure, SweepParameter, SweepPoint, SweepSeries};

use super::folder::{self, cell_dir, state, CellRecord, CellState};
use crate::args::ReportFormat;
use crate::report::{write_files, Plot};
use crate::runner::SUMMARY_FILE;

/// One finished cell's final-generation means: (arm, metric, mean).
struct CellFinals {
    params: Vec<(String, Value)>,
    finals: Vec<(String, String, f64)>,
}

/// Write the sweep report of `dir` in `format`; returns the files written.
pub fn write(dir: &Path, format: ReportFormat) -> anyhow::Result<Vec<PathBuf>> {
    let record = folder::read(dir)?;
    let mut cells = Vec::new();
    let mut generation = 0;
    for cell in &record.cells {
        if state(dir, &cell.id) == CellState::Done {
            let (finals, last) = finals(dir, cell)?;
            generation = generation.max(last);
            cells.push(finals);
        }
    }
    if cells.len() < record.cells.len() {
        eprintln!(
            "warning: {}: unfinished sweep: {} of {} cells are finished; the report shows only those",
            dir.display(),
            cells.len(),
            record.cells.len()
        );
    }
    let parameters = record
        .keys
        .iter()
        .filter(|key| key.as_str() != "seed")
        .map(|key| parameter(key, &cells))
        .collect();
    let data = SweepData {
        name: dir
            .file_name()
            .map_or_else(|| "sweep".into(), |n| n.to_string_lossy().into_owned()),
        cells: record.cells.len(),
        finished: cells.len(),
        generation,
        parameters,
    };
    render(dir, &data, format)
}

/// The final generation's mean of every arm and metric of a finished cell.
fn finals(dir: &Path, cell: &CellRecord) -> anyhow::Result<(CellFinals, usize)> {
    let path = cell_dir(dir, &cell.id).join(SUMMARY_FILE);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read {}", cell.label(), path.display()))?;
    let summary: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a run summary", path.display()))?;
    let mut out = Vec::new();
    let mut generation = 0;
    for arm in summary["arms"].as_array().into_iter().flatten() {
        let name = arm["name"].as_str().unwrap_or("").to_string();
        let Some(last) = arm["generations"].as_array().and_then(|g| g.last()) else {
            continue;
        };
        generation = last["generation"].as_u64().unwrap_or(0) as usize;
        for (metric, values) in last["metrics"].as_object().into_iter().flatten() {
            // JSON has no NaN or infinity: serde writes them as null.
            if let Some(mean) = values["mean"].as_f64() {
                out.push((name.clone(), metric.clone(), mean));
            }
        }
    }
    let finals = CellFinals {
        params: cell.params.clone(),
        finals: out,
    };
    Ok((finals, generation))
}

/// A value as the report labels it: strings without their quotes.
fn label(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

/// One parameter's values (numbers sorted, others in the sweep's order) and a series
/// per arm and metric.
fn parameter(key: &str, cells: &[CellFinals]) -> SweepParameter {
    let value_of = |c: &CellFinals| {
        c.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let mut values: Vec<Value> = Vec::new();
    for value in cells.iter().filter_map(value_of) {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    if values.iter().all(Value::is_number) {
        values.sort_by(|a, b| {
            a.as_f64()
                .unwrap_or(0.0)
                .total_cmp(&b.as_f64().unwrap_or(0.0))
        });
    }
    let mut lines: Vec<(String, String)> = Vec::new();
    for (arm, metric, _) in cells.iter().flat_map(|c| &c.finals) {
        if !lines.iter().any(|(a, m)| a == arm && m == metric) {
            lines.push((arm.clone(), metric.clone()));
        }
    }
    let series = lines
        .into_iter()
        .map(|(arm, metric)| {
            let points = values
                .iter()
                .map(|v| {
                    let means: Vec<f64> = cells
                        .iter()
                        .filter(|c| value_of(c).as_ref() == Some(v))
                        .flat_map(|c| &c.finals)
                        .filter(|(a, m, mean)| *a == arm && *m == metric && mean.is_finite())
                        .map(|(_, _, mean)| *mean)
                        .collect();
                    point(&means)
                })
                .collect();
            SweepSeries {
                metric,
                arm,
                points,
            }
        })
        .collect();
    SweepParameter {
        key: key.to_string(),
        values: values.iter().map(label).collect(),
        series,
    }
}

fn point(means: &[f64]) -> Option<SweepPoint> {
    if means.is_empty() {
        return None;
    }
    Some(SweepPoint {
        mean: means.iter().sum::<f64>() / means.len() as f64,
        low: means.iter().copied().fold(f64::INFINITY, f64::min),
        high: means.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        cells: means.len(),
    })
}

impl Plot for (&SweepFigure, &SweepData) {
    fn id(&self) -> &str {
        &self.0.id
    }
    fn svg(&self) -> Result<String, genloop_report::Error> {
        self.0.svg(self.1)
    }
    fn png(&self) -> Result<Vec<u8>, genloop_report::Error> {
        self.0.png(self.1)
    }
}

/// The page and the plots, through the run report's writer.
fn render(dir: &Path, data: &SweepData, format: ReportFormat) -> anyhow::Result<Vec<PathBuf>> {
    let figures = genloop_report::sweep_figures(data);
    let plots: Vec<(&SweepFigure, &SweepData)> = figures.iter().map(|f| (f, data)).collect();
    write_files(dir, format, &plots, |svgs| {
        genloop_report::sweep_html_with_svgs(data, &figures, svgs)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(kind: &str, seed: i64, mean: f64) -> CellFinals {
        CellFinals {
            params: vec![
                ("regime.kind".into(), Value::from(kind)),
                ("seed".into(), Value::from(seed)),
            ],
            finals: vec![("a".into(), "variance_ratio".into(), mean)],
        }
    }

    #[test]
    fn points_average_the_cells_of_a_value_and_span_them() {
        let cells = [
            cell("replace", 1, 0.2),
            cell("replace", 2, 0.4),
            cell("accumulate", 1, 0.9),
            cell("accumulate", 2, f64::NAN),
        ];
        let p = parameter("regime.kind", &cells);
        assert_eq!(p.values, ["replace", "accumulate"]);
        let points = &p.series[0].points;
        let replace = points[0].unwrap();
        assert!((replace.mean - 0.3).abs() < 1e-12);
        assert_eq!((replace.low, replace.high, replace.cells), (0.2, 0.4, 2));
        assert_eq!(points[1].unwrap().cells, 1, "a NaN mean is left out");
        let seeds = parameter("seed", &cells);
        assert_eq!(seeds.values, ["1", "2"], "numbers sorted");
    }
}
