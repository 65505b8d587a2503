//! Provenance: where every batch of records came from.
//!
//! Provenance is tracked per batch (a pool's draw of one generation), never per scalar:
//! the training set of a generation is a list of batch parts, so the composition by
//! pool and generation of origin costs nothing to count.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The pool a batch belongs to (docs/architecture.md, "Pools").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    /// The archived human data the first model is fitted on.
    Original,
    /// Human data not seen before, released generation by generation.
    Fresh,
    /// Samples of the model accepted at some generation.
    Synthetic,
    /// Human data never trained on: gate validation and test metrics.
    Holdout,
}

impl Pool {
    pub const ALL: [Pool; 4] = [Pool::Original, Pool::Fresh, Pool::Synthetic, Pool::Holdout];

    pub fn as_str(self) -> &'static str {
        match self {
            Pool::Original => "original",
            Pool::Fresh => "fresh",
            Pool::Synthetic => "synthetic",
            Pool::Holdout => "holdout",
        }
    }

    /// Keep policy inside a duplicate cluster (docs/formulas.md §6): original human data
    /// first, then fresh human data, then synthetic.
    pub fn is_human(self) -> bool {
        !matches!(self, Pool::Synthetic)
    }
}

impl fmt::Display for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a batch came from: its pool, the generation it was produced or released at,
/// and a source identifier (0 for the built-in ground truth; files get their own ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Provenance {
    pub pool: Pool,
    /// Generation of origin: for synthetic data the generation of the model that
    /// produced it; for fresh data the generation it was released at; 0 for original
    /// and holdout.
    pub generation: u32,
    pub source_id: u32,
}

impl Provenance {
    pub fn new(pool: Pool, generation: u32) -> Self {
        Provenance {
            pool,
            generation,
            source_id: 0,
        }
    }
}

/// Count of training units (records, or tokens for text) from one pool and generation
/// of origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositionEntry {
    pub pool: Pool,
    pub origin_generation: u32,
    pub records: u64,
    pub units: u64,
}

/// How much of a training set's composition a run stores (config:
/// `output.composition`): by pool and generation of origin, or by pool only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompositionDetail {
    Full,
    Pools,
}
