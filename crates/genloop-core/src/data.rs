//! The data a model is trained on, whatever its kind.
//!
//! A [`Dataset`] is a batch of records: vectors for numeric models, symbols for the
//! categorical model, labelled rows for regression, token sequences for language
//! models (later). Regimes only need to count, select and concatenate records, so
//! they work unchanged on every kind.

use std::sync::Arc;

use crate::provenance::{CompositionEntry, Pool, Provenance};

/// A batch of records of one kind.
pub trait Dataset: Clone + Send + Sync + 'static {
    /// Number of records.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Size of record `index` in the regime's unit: 1 for numeric records, the token
    /// count for text. Regime sizes (budgets, fractions) are counted in these units.
    fn units_of(&self, _index: usize) -> usize {
        1
    }

    /// Total size in units.
    fn units(&self) -> usize {
        self.len()
    }

    /// True when every record counts as one unit, so selections can be made by index
    /// without looking at record sizes.
    fn unit_records(&self) -> bool {
        true
    }

    /// The records at `indices`, in that order.
    fn select(&self, indices: &[usize]) -> Self;

    /// All records of `parts`, in order.
    fn concat(parts: &[&Self]) -> Self;
}

/// Row-major vectors of a fixed dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct Vectors {
    pub dim: usize,
    pub values: Vec<f64>,
}

impl Vectors {
    pub fn new(dim: usize, values: Vec<f64>) -> Self {
        assert!(
            dim > 0 && values.len().is_multiple_of(dim),
            "ragged vectors"
        );
        Vectors { dim, values }
    }

    pub fn row(&self, index: usize) -> &[f64] {
        &self.values[index * self.dim..(index + 1) * self.dim]
    }

    pub fn rows(&self) -> std::slice::ChunksExact<'_, f64> {
        self.values.chunks_exact(self.dim)
    }
}

impl Dataset for Vectors {
    fn len(&self) -> usize {
        self.values.len() / self.dim
    }

    fn select(&self, indices: &[usize]) -> Self {
        let mut values = Vec::with_capacity(indices.len() * self.dim);
        for &i in indices {
            values.extend_from_slice(self.row(i));
        }
        Vectors::new(self.dim, values)
    }

    fn concat(parts: &[&Self]) -> Self {
        let dim = parts.first().map_or(1, |p| p.dim);
        let mut values = Vec::with_capacity(parts.iter().map(|p| p.values.len()).sum());
        for part in parts {
            assert_eq!(
                part.dim, dim,
                "concatenating vectors of different dimensions"
            );
            values.extend_from_slice(&part.values);
        }
        Vectors::new(dim, values)
    }
}

/// Draws of a categorical variable, as category indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbols {
    pub categories: usize,
    pub values: Vec<u32>,
}

impl Dataset for Symbols {
    fn len(&self) -> usize {
        self.values.len()
    }

    fn select(&self, indices: &[usize]) -> Self {
        Symbols {
            categories: self.categories,
            values: indices.iter().map(|&i| self.values[i]).collect(),
        }
    }

    fn concat(parts: &[&Self]) -> Self {
        Symbols {
            categories: parts.first().map_or(0, |p| p.categories),
            values: parts
                .iter()
                .flat_map(|p| p.values.iter().copied())
                .collect(),
        }
    }
}

/// Regression rows: inputs `x` (row-major, `dim` columns) and labels `y`.
#[derive(Clone, Debug, PartialEq)]
pub struct Labeled {
    pub dim: usize,
    pub x: Arc<Vec<f64>>,
    pub y: Vec<f64>,
}

impl Labeled {
    pub fn row(&self, index: usize) -> &[f64] {
        &self.x[index * self.dim..(index + 1) * self.dim]
    }
}

impl Dataset for Labeled {
    fn len(&self) -> usize {
        self.y.len()
    }

    fn select(&self, indices: &[usize]) -> Self {
        let mut x = Vec::with_capacity(indices.len() * self.dim);
        for &i in indices {
            x.extend_from_slice(self.row(i));
        }
        Labeled {
            dim: self.dim,
            x: Arc::new(x),
            y: indices.iter().map(|&i| self.y[i]).collect(),
        }
    }

    fn concat(parts: &[&Self]) -> Self {
        let dim = parts.first().map_or(1, |p| p.dim);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for part in parts {
            x.extend_from_slice(&part.x);
            y.extend_from_slice(&part.y);
        }
        Labeled {
            dim,
            x: Arc::new(x),
            y,
        }
    }
}

/// Token sequences (documents) stored flat: document i is
/// `tokens[offsets[i]..offsets[i + 1]]`, without end-of-document markers. A record is
/// a document; its size in units is its token count, so text regimes count tokens.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Documents {
    pub tokens: Vec<u32>,
    /// `len() + 1` offsets, starting at 0.
    pub offsets: Vec<usize>,
}

impl Documents {
    pub fn new() -> Self {
        Documents {
            tokens: Vec::new(),
            offsets: vec![0],
        }
    }

    pub fn from_docs<I, D>(docs: I) -> Self
    where
        I: IntoIterator<Item = D>,
        D: AsRef<[u32]>,
    {
        let mut out = Documents::new();
        for doc in docs {
            out.push(doc.as_ref());
        }
        out
    }

    pub fn push(&mut self, doc: &[u32]) {
        self.tokens.extend_from_slice(doc);
        self.offsets.push(self.tokens.len());
    }

    pub fn doc(&self, index: usize) -> &[u32] {
        &self.tokens[self.offsets[index]..self.offsets[index + 1]]
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.len()).map(|i| self.doc(i))
    }
}

impl Dataset for Documents {
    fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn units_of(&self, index: usize) -> usize {
        self.offsets[index + 1] - self.offsets[index]
    }

    fn units(&self) -> usize {
        self.tokens.len()
    }

    fn unit_records(&self) -> bool {
        false
    }

    fn select(&self, indices: &[usize]) -> Self {
        Documents::from_docs(indices.iter().map(|&i| self.doc(i)))
    }

    fn concat(parts: &[&Self]) -> Self {
        let mut out = Documents::new();
        for part in parts {
            for doc in part.iter() {
                out.push(doc);
            }
        }
        out
    }
}

/// One batch with its provenance. The data are shared, so building a training set
/// from pools copies no records.
///
/// `provenance` is the truth (which pool and generation really made the records);
/// `channel` and `arrived` are what a curation pipeline can know: the pool the batch
/// came in through and the generation it arrived at. They differ only for
/// contamination: machine text inside the fresh human stream has synthetic
/// provenance but arrives through the `fresh` channel. Filters see the channel, never
/// the provenance; metrics see both.
#[derive(Clone, Debug)]
pub struct Part<D> {
    pub provenance: Provenance,
    pub channel: Pool,
    pub arrived: u32,
    pub data: Arc<D>,
}

impl<D: Dataset> Part<D> {
    /// A batch that arrives through its own pool.
    pub fn new(provenance: Provenance, data: D) -> Self {
        Part::shared(provenance, Arc::new(data))
    }

    /// A batch that arrives through its own pool, sharing already stored data.
    pub fn shared(provenance: Provenance, data: Arc<D>) -> Self {
        Part {
            provenance,
            channel: provenance.pool,
            arrived: provenance.generation,
            data,
        }
    }

    /// The same records arriving through `channel` at generation `arrived` (machine
    /// text republished into the fresh stream).
    pub fn arriving_via(mut self, channel: Pool, arrived: u32) -> Self {
        self.channel = channel;
        self.arrived = arrived;
        self
    }

    /// The records at `indices`, same provenance and channel.
    pub fn select(&self, indices: &[usize]) -> Self {
        Part {
            provenance: self.provenance,
            channel: self.channel,
            arrived: self.arrived,
            data: Arc::new(self.data.select(indices)),
        }
    }
}

/// The training set of one generation: batches tagged with provenance.
#[derive(Clone, Debug)]
pub struct TrainingSet<D> {
    pub parts: Vec<Part<D>>,
}

impl<D: Dataset> TrainingSet<D> {
    pub fn new(parts: Vec<Part<D>>) -> Self {
        TrainingSet { parts }
    }

    pub fn single(provenance: Provenance, data: D) -> Self {
        TrainingSet::new(vec![Part::new(provenance, data)])
    }

    /// The batches' data, in order.
    pub fn chunks(&self) -> impl Iterator<Item = &D> + Clone + '_ {
        self.parts.iter().map(|p| p.data.as_ref())
    }

    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.data.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn units(&self) -> usize {
        self.parts.iter().map(|p| p.data.units()).sum()
    }

    /// All records in one batch (for models that need contiguous data).
    pub fn concatenated(&self) -> D {
        if self.parts.len() == 1 {
            return self.parts[0].data.as_ref().clone();
        }
        let refs: Vec<&D> = self.chunks().collect();
        D::concat(&refs)
    }

    /// Records and units by pool and generation of origin, sorted.
    pub fn composition(&self) -> Vec<CompositionEntry> {
        let mut entries: Vec<CompositionEntry> = Vec::new();
        for part in &self.parts {
            let key = (part.provenance.pool, part.provenance.generation);
            let records = part.data.len() as u64;
            let units = part.data.units() as u64;
            match entries
                .iter_mut()
                .find(|e| (e.pool, e.origin_generation) == key)
            {
                Some(entry) => {
                    entry.records += records;
                    entry.units += units;
                }
                None => entries.push(CompositionEntry {
                    pool: key.0,
                    origin_generation: key.1,
                    records,
                    units,
                }),
            }
        }
        entries.retain(|e| e.records > 0);
        entries.sort_by_key(|e| (e.pool, e.origin_generation));
        entries
    }

    /// Units from `pool`.
    pub fn units_from(&self, pool: Pool) -> usize {
        self.parts
            .iter()
            .filter(|p| p.provenance.pool == pool)
            .map(|p| p.data.units())
            .sum()
    }
}
