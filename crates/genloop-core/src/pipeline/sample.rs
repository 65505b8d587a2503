//! Sample: the model in service samples and publishes — the synthetic pool of the
//! next generation, the web that contaminates later fresh data, and the material of
//! sample-based metrics.

use std::sync::Arc;

use super::mix::RegimeSpec;
use super::pools::contamination::{ContaminationSpec, Web};
use super::pools::Pools;
use crate::data::{Dataset, Part};
use crate::model::{FittedModel, Sampling};
use crate::provenance::{Pool, Provenance};
use crate::seed::RootSeed;

/// How much the model in service samples each generation, and where it goes.
#[derive(Clone, Copy, Debug)]
pub struct Publishing<'a> {
    /// Synthetic units the regime trains on each generation (0: none).
    pub per_generation: usize,
    /// Units sampled where the regime uses none (for contamination or metrics).
    pub sample_size: usize,
    /// Whether the synthetic pool keeps every batch, not only the newest.
    pub keep_history: bool,
    /// Machine text in the fresh stream (only where fresh data are released).
    pub contamination: Option<&'a ContaminationSpec>,
    /// Whether the task's metrics need samples.
    pub needs_samples: bool,
    pub last: u32,
}

impl<'a> Publishing<'a> {
    pub fn new(
        regime: &RegimeSpec,
        original_units: usize,
        contamination: Option<&'a ContaminationSpec>,
        needs_samples: bool,
        last: u32,
    ) -> Self {
        let per_generation = regime.synthetic_per_generation(original_units);
        // Sample-based metrics and contamination need samples even where the regime
        // uses none.
        let sample_size = if per_generation > 0 {
            per_generation
        } else if contamination.is_some() {
            regime.fresh.max(regime.samples)
        } else {
            regime.samples.max(1)
        };
        Publishing {
            per_generation,
            sample_size,
            keep_history: regime.keeps_synthetic_history(),
            contamination,
            needs_samples,
            last,
        }
    }

    /// Whether generation `g`'s samples become the next synthetic batch.
    fn feeds_pool(&self, generation: u32) -> bool {
        self.per_generation > 0 && generation < self.last
    }

    /// Whether generation `g`'s samples go to the web (later fresh data).
    fn feeds_web(&self, generation: u32) -> bool {
        self.contamination.is_some() && generation < self.last
    }

    /// Samples of `model`, the model in service after `generation`, from the
    /// `sample` stream; `None` when nothing uses them.
    pub fn sample<M: FittedModel>(
        &self,
        model: &M,
        sampling: &Sampling,
        seed: RootSeed,
        replicate: u64,
        generation: u32,
    ) -> Option<Arc<M::Data>> {
        let publish = self.feeds_pool(generation);
        (publish || self.feeds_web(generation) || self.needs_samples).then(|| {
            Arc::new(model.sample(
                if publish {
                    self.per_generation
                } else {
                    self.sample_size
                },
                sampling,
                &mut seed.stream("sample", replicate, u64::from(generation)),
            ))
        })
    }

    /// Publish the samples of `generation` to the web and the synthetic pool.
    pub fn publish<D: Dataset>(
        &self,
        batch: Arc<D>,
        generation: u32,
        pools: &mut Pools<D>,
        web: &mut Web<D>,
    ) {
        let provenance = Provenance::new(Pool::Synthetic, generation);
        if let Some(spec) = self.contamination.filter(|_| self.feeds_web(generation)) {
            web.publish(
                spec,
                Part::shared(provenance, Arc::clone(&batch)),
                generation,
            );
        }
        if self.feeds_pool(generation) {
            if !self.keep_history {
                pools.synthetic.clear();
            }
            pools.synthetic.push(Part::shared(provenance, batch));
        }
    }
}
