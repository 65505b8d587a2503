//! The CSV export of one experiment's metric values.

use std::io::Write;

use crate::{Store, StoreError};

impl Store {
    /// CSV of one experiment: `replicate,generation,metric,value`, one row per
    /// replicate × generation × metric, ordered by replicate, generation, then the
    /// metric order of the experiment.
    pub fn export_csv(&self, experiment_id: i64, out: &mut dyn Write) -> Result<(), StoreError> {
        writeln!(out, "replicate,generation,metric,value")?;
        let mut stmt = self.wrap(self.conn.prepare(
            "SELECT m.replicate, m.generation, m.name, m.value FROM metrics m
             JOIN metric_specs s ON s.experiment_id = m.experiment_id AND s.name = m.name
             WHERE m.experiment_id = ?1 ORDER BY m.replicate, m.generation, s.position",
        ))?;
        let mut rows = self.wrap(stmt.query([experiment_id]))?;
        while let Some(row) = self.wrap(rows.next())? {
            let replicate: i64 = self.wrap(row.get(0))?;
            let generation: i64 = self.wrap(row.get(1))?;
            let name: String = self.wrap(row.get(2))?;
            let value: Option<f64> = self.wrap(row.get(3))?;
            let value = match value {
                Some(v) if v.is_nan() => "nan".to_string(),
                Some(v) if v.is_infinite() => if v > 0.0 { "inf" } else { "-inf" }.to_string(),
                Some(v) => format!("{v}"),
                None => "nan".to_string(),
            };
            writeln!(out, "{replicate},{generation},{name},{value}")?;
        }
        Ok(())
    }
}
