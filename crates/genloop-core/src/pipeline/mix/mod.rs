//! Regimes: how the training set of generation g is built from the pools.
//!
//! One declarative spec covers the published regimes as presets (docs/architecture.md, "Mix"):
//! `replace` (Shumailov et al. 2024), `accumulate` (Gerstgrasser et al. 2024),
//! `accumulate_subsample` (Kazdan et al. 2024), `augment` and `fresh` (Alemohammad et
//! al. 2023, "Self-Consuming Generative Models Go MAD"), `preserve` (Shumailov's LLM
//! runs) and the control arm `real_only`. Fresh human data compose with every regime:
//! `fresh = N` releases N new human units per generation; regimes that accumulate keep
//! every fresh batch, the others train on the newest one.

pub mod subsample;

use serde::Serialize;

use self::subsample::subsample;
use super::pools::Pools;
use crate::data::{Dataset, Part, TrainingSet};
use crate::seed::Rng;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegimeKind {
    /// Only the previous generation's samples.
    Replace,
    /// The original data plus every synthetic batch so far.
    Accumulate,
    /// The accumulated pool, subsampled without replacement to `budget` units.
    AccumulateSubsample { budget: usize },
    /// The original data plus `ratio`·|original| synthetic units.
    Augment { ratio: f64 },
    /// `fresh` new human units plus `synthetic` synthetic units each generation.
    Fresh { synthetic: usize },
    /// A random `fraction` of the original data, redrawn each generation, plus
    /// synthetic data.
    Preserve { fraction: f64 },
    /// Control arm: the original plus every fresh batch so far, no synthetic data.
    RealOnly,
}

impl RegimeKind {
    pub fn name(&self) -> &'static str {
        match self {
            RegimeKind::Replace => "replace",
            RegimeKind::Accumulate => "accumulate",
            RegimeKind::AccumulateSubsample { .. } => "accumulate_subsample",
            RegimeKind::Augment { .. } => "augment",
            RegimeKind::Fresh { .. } => "fresh",
            RegimeKind::Preserve { .. } => "preserve",
            RegimeKind::RealOnly => "real_only",
        }
    }
}

/// A checked regime.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegimeSpec {
    #[serde(flatten)]
    pub kind: RegimeKind,
    /// Synthetic units drawn per generation (replace, accumulate, subsample, preserve).
    pub samples: usize,
    /// Fresh human units released per generation.
    pub fresh: usize,
}

impl RegimeSpec {
    /// Synthetic units the accepted model must produce each generation, given the
    /// size of the original data.
    pub fn synthetic_per_generation(&self, original_units: usize) -> usize {
        match self.kind {
            RegimeKind::Augment { ratio } => (ratio * original_units as f64).round() as usize,
            RegimeKind::Fresh { synthetic } => synthetic,
            RegimeKind::RealOnly => 0,
            _ => self.samples,
        }
    }

    /// Whether the regime ever trains on more than the newest synthetic batch.
    pub fn keeps_synthetic_history(&self) -> bool {
        matches!(
            self.kind,
            RegimeKind::Accumulate | RegimeKind::AccumulateSubsample { .. }
        )
    }

    /// Whether the regime trains on every fresh batch so far, not only the newest.
    pub fn keeps_fresh_history(&self) -> bool {
        matches!(
            self.kind,
            RegimeKind::Accumulate | RegimeKind::AccumulateSubsample { .. } | RegimeKind::RealOnly
        )
    }

    /// The training set of generation `generation` ≥ 1. `pools.synthetic` must end
    /// with the batch of generation − 1 when the regime uses synthetic data. `rng`
    /// is called only by regimes that draw (subsample, preserve).
    pub fn mix<D: Dataset>(
        &self,
        generation: u32,
        pools: &Pools<D>,
        rng: impl FnOnce() -> Rng,
    ) -> TrainingSet<D> {
        let newest_synthetic = || pools.synthetic.last().cloned();
        let mut parts: Vec<Part<D>> = Vec::new();
        match &self.kind {
            RegimeKind::Replace | RegimeKind::Fresh { .. } => {
                parts.extend(pools.newest_fresh(generation));
                parts.extend(newest_synthetic());
            }
            RegimeKind::Accumulate => parts.extend(accumulated(pools)),
            RegimeKind::AccumulateSubsample { budget } => {
                parts = subsample(&accumulated(pools), *budget, &mut rng());
            }
            RegimeKind::Augment { .. } => {
                parts.push(pools.original.clone());
                parts.extend(pools.newest_fresh(generation));
                parts.extend(newest_synthetic());
            }
            RegimeKind::Preserve { fraction } => {
                let keep = (fraction * pools.original.data.units() as f64).round() as usize;
                parts.extend(subsample(
                    std::slice::from_ref(&pools.original),
                    keep,
                    &mut rng(),
                ));
                parts.extend(pools.newest_fresh(generation));
                parts.extend(newest_synthetic());
            }
            RegimeKind::RealOnly => {
                parts.push(pools.original.clone());
                parts.extend(pools.fresh.iter().cloned());
            }
        }
        parts.retain(|p| !p.data.is_empty());
        TrainingSet::new(parts)
    }
}

fn accumulated<D: Dataset>(pools: &Pools<D>) -> Vec<Part<D>> {
    let mut parts = vec![pools.original.clone()];
    parts.extend(pools.fresh.iter().cloned());
    parts.extend(pools.synthetic.iter().cloned());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Vectors;
    use crate::provenance::{Pool, Provenance};
    use crate::seed::RootSeed;

    fn batch(n: usize, value: f64) -> Vectors {
        Vectors::new(1, vec![value; n])
    }

    fn pools(generations: u32) -> Pools<Vectors> {
        let mut pools = Pools::new(batch(10, 0.0));
        for g in 0..generations {
            pools.synthetic.push(Part::new(
                Provenance::new(Pool::Synthetic, g),
                batch(10, 1.0 + g as f64),
            ));
            pools.fresh.push(Part::new(
                Provenance::new(Pool::Fresh, g + 1),
                batch(4, -1.0),
            ));
        }
        pools
    }

    fn spec(kind: RegimeKind, fresh: usize) -> RegimeSpec {
        RegimeSpec {
            kind,
            samples: 10,
            fresh,
        }
    }

    fn counts(set: &TrainingSet<Vectors>, pool: Pool) -> usize {
        set.units_from(pool)
    }

    #[test]
    fn presets_mix_the_documented_pools() {
        let pools = pools(3);
        let rng = || RootSeed(1).stream("mix", 0, 3);
        let g = 3;
        let replace = spec(RegimeKind::Replace, 4).mix(g, &pools, rng);
        assert_eq!(replace.composition().len(), 2);
        assert_eq!(counts(&replace, Pool::Synthetic), 10);
        assert_eq!(counts(&replace, Pool::Fresh), 4);
        assert_eq!(replace.parts[1].provenance.generation, 2);

        let acc = spec(RegimeKind::Accumulate, 4).mix(g, &pools, rng);
        assert_eq!(counts(&acc, Pool::Original), 10);
        assert_eq!(counts(&acc, Pool::Fresh), 12);
        assert_eq!(counts(&acc, Pool::Synthetic), 30);

        let sub = spec(RegimeKind::AccumulateSubsample { budget: 20 }, 4).mix(g, &pools, rng);
        assert_eq!(sub.units(), 20);

        let real = spec(RegimeKind::RealOnly, 4).mix(g, &pools, rng);
        assert_eq!(counts(&real, Pool::Synthetic), 0);
        assert_eq!(real.units(), 22);

        let preserve = spec(RegimeKind::Preserve { fraction: 0.3 }, 0).mix(g, &pools, rng);
        assert_eq!(counts(&preserve, Pool::Original), 3);
        assert_eq!(counts(&preserve, Pool::Synthetic), 10);
    }

    #[test]
    fn subsample_is_without_replacement_and_keeps_provenance() {
        let pools = pools(5);
        let parts = accumulated(&pools);
        let mut rng = RootSeed(9).stream("mix", 0, 1);
        let picked = subsample(&parts, 37, &mut rng);
        let total: usize = picked.iter().map(|p| p.data.len()).sum();
        assert_eq!(total, 37);
        for part in &picked {
            let original = parts
                .iter()
                .find(|p| p.provenance == part.provenance)
                .unwrap();
            assert!(part.data.len() <= original.data.len());
            assert!(part
                .data
                .values
                .iter()
                .all(|v| original.data.values.contains(v)));
        }
    }
}
