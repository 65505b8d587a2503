//! The CSV export of experiments' metric values, written only when a user asks
//! (`genloop export`).

use std::io::Write;

use crate::{Store, StoreError};

/// The CSV header: one row per arm × replicate × generation × metric.
pub const CSV_HEADER: &str = "arm,replicate,generation,metric,value";

impl Store {
    /// CSV of the experiments `experiment_ids`, in that order:
    /// `arm,replicate,generation,metric,value`, one row per replicate × generation ×
    /// metric, ordered by replicate, generation, then the metric order of the
    /// experiment. Non-finite values are written `nan`, `inf`, `-inf`.
    pub fn export_csv(
        &self,
        experiment_ids: &[i64],
        out: &mut dyn Write,
    ) -> Result<(), StoreError> {
        writeln!(out, "{CSV_HEADER}")?;
        for &id in experiment_ids {
            self.export_experiment(id, out)?;
        }
        Ok(())
    }

    fn export_experiment(&self, experiment_id: i64, out: &mut dyn Write) -> Result<(), StoreError> {
        let arm: String = self.wrap(self.conn.query_row(
            "SELECT arm FROM experiments WHERE id = ?1",
            [experiment_id],
            |r| r.get(0),
        ))?;
        let arm = csv_field(&arm);
        let specs = self.metric_specs(experiment_id)?;
        let series: Vec<Vec<(u64, Vec<f64>)>> = specs
            .iter()
            .map(|s| self.metric_series(experiment_id, &s.name))
            .collect::<Result<_, _>>()?;
        let Some(first) = series.first() else {
            return Ok(());
        };
        for (i, (replicate, values)) in first.iter().enumerate() {
            for g in 0..values.len() {
                for (spec, metric) in specs.iter().zip(&series) {
                    let value = match metric.get(i) {
                        Some((r, v)) if r == replicate => v.get(g).copied().unwrap_or(f64::NAN),
                        _ => {
                            return Err(self.corrupt(format!(
                                "metric `{}` has no series for replicate {replicate}",
                                spec.name
                            )))
                        }
                    };
                    writeln!(out, "{arm},{replicate},{g},{},{}", spec.name, number(value))?;
                }
            }
        }
        Ok(())
    }
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{v}")
    }
}

/// An arm name as a CSV field: quoted when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
