//! The pools a replicate draws its training sets from: the original human data,
//! the fresh batches released so far and the synthetic batches the models in
//! service published — and how fresh data are released into them.

pub mod contamination;

use self::contamination::{ContaminationSpec, Web};
use crate::data::{Dataset, Part};
use crate::provenance::{Pool, Provenance};
use crate::seed::RootSeed;
use crate::task::Task;

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

/// How an arm releases fresh human data: `units` per generation, the newest batch
/// only or every batch so far, and machine text in place of a share c(g) of each.
#[derive(Clone, Copy, Debug)]
pub struct FreshRelease<'a> {
    pub units: usize,
    pub keep_history: bool,
    /// Only where fresh data are released at all.
    pub contamination: Option<&'a ContaminationSpec>,
    /// The run's last generation (the contamination schedule runs up to it).
    pub last: u32,
}

impl FreshRelease<'_> {
    /// Release the fresh data of `generation` ≥ 1 into `pools`: a human draw from
    /// the `fresh` stream whose tail, a share c(g), is replaced by machine text drawn
    /// from `web` with the `contamination` stream.
    pub fn release<T: Task>(
        &self,
        task: &T,
        pools: &mut Pools<T::Data>,
        web: &Web<T::Data>,
        seed: RootSeed,
        replicate: u64,
        generation: u32,
    ) {
        if self.units == 0 {
            return;
        }
        let g = u64::from(generation);
        let mut batch = task.draw_pool(
            Pool::Fresh,
            generation,
            self.units,
            &mut seed.stream("fresh", replicate, g),
        );
        if !self.keep_history {
            pools.fresh.clear();
        }
        let machine_units = self.contamination.map_or(0, |c| {
            (c.share(generation, self.last) * self.units as f64).round() as usize
        });
        if machine_units > 0 {
            // The same human draw, its tail replaced by machine text.
            batch = prefix(&batch, self.units.saturating_sub(machine_units));
        }
        pools
            .fresh
            .push(Part::new(Provenance::new(Pool::Fresh, generation), batch));
        if let (Some(spec), true) = (self.contamination, machine_units > 0) {
            let picked = web.draw(
                spec,
                generation,
                machine_units,
                &mut seed.stream("contamination", replicate, g),
            );
            pools.fresh.extend(
                picked
                    .into_iter()
                    .map(|part| part.arriving_via(Pool::Fresh, generation)),
            );
        }
    }
}

/// The first records of `data` holding `units` units (all of them when fewer).
fn prefix<D: Dataset>(data: &D, units: usize) -> D {
    let mut taken = 0;
    let mut count = 0;
    while count < data.len() && taken < units {
        taken += data.units_of(count);
        count += 1;
    }
    let indices: Vec<usize> = (0..count).collect();
    data.select(&indices)
}
