//! The pools a replicate draws its training sets from: the original human data,
//! the fresh batches released so far and the synthetic batches the models in
//! service published.

pub mod contamination;

use crate::data::{Dataset, Part};
use crate::provenance::{Pool, Provenance};

/// Everything the regimes draw from, with provenance.
#[derive(Clone, Debug)]
pub struct Pools<D> {
    pub original: Part<D>,
    /// Fresh batches, in release order (the batch released at generation g has
    /// provenance generation g).
    pub fresh: Vec<Part<D>>,
    /// Synthetic batches, in order of the generation that produced them.
    pub synthetic: Vec<Part<D>>,
}

impl<D: Dataset> Pools<D> {
    pub fn new(original: D) -> Self {
        Pools {
            original: Part::new(Provenance::new(Pool::Original, 0), original),
            fresh: Vec::new(),
            synthetic: Vec::new(),
        }
    }

    /// Whether `part` is one of the pools' batches as stored (not a subsample).
    pub fn holds(&self, part: &Part<D>) -> bool {
        self.fresh
            .iter()
            .chain(&self.synthetic)
            .any(|p| std::sync::Arc::ptr_eq(&p.data, &part.data))
    }

    /// Put `curated` in place of the stored batch `part` (curation keeps only its
    /// survivors).
    pub fn replace(&mut self, part: &Part<D>, curated: Part<D>) {
        if let Some(slot) = self
            .fresh
            .iter_mut()
            .chain(self.synthetic.iter_mut())
            .find(|p| std::sync::Arc::ptr_eq(&p.data, &part.data))
        {
            *slot = curated;
        }
    }

    /// The fresh batch released at `generation`: its human part and any machine
    /// text that arrived with it (contamination).
    pub fn newest_fresh(&self, generation: u32) -> impl Iterator<Item = Part<D>> + '_ {
        self.fresh
            .iter()
            .filter(move |p| p.arrived == generation)
            .cloned()
    }
}
