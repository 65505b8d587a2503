//! The M-step's sufficient statistics, accumulated block by block right after the
//! E-step: Σ r, Σ r·δ and Σ r·δδᵀ per component, with δ = x − μⱼ (the means before
//! the M-step).

use super::components::Components;
use super::kernel::{Block, LANES};

/// Σ r, Σ r·δ and Σ r·δδᵀ (lower triangle, row-major d×d) per component.
pub(super) struct Statistics {
    pub mass: Vec<f64>,
    pub first: Vec<f64>,
    pub second: Vec<f64>,
}

impl Statistics {
    pub fn new(k: usize, d: usize) -> Self {
        Statistics {
            mass: vec![0.0; k],
            first: vec![0.0; k * d],
            second: vec![0.0; k * d * d],
        }
    }

    pub fn reset(&mut self) {
        self.mass.iter_mut().for_each(|v| *v = 0.0);
        self.first.iter_mut().for_each(|v| *v = 0.0);
        self.second.iter_mut().for_each(|v| *v = 0.0);
    }

    /// Adds the block's records, weighted by the responsibilities the E-step left in
    /// it. The order of the additions is fixed, so results do not depend on the
    /// machine or the thread count.
    pub fn accumulate(&mut self, components: &Components, block: &Block) {
        match components.dim {
            1 => self.accumulate_fixed::<1>(components, block),
            2 => self.accumulate_fixed::<2>(components, block),
            3 => self.accumulate_fixed::<3>(components, block),
            4 => self.accumulate_fixed::<4>(components, block),
            _ => self.accumulate_any(components, block),
        }
    }

    /// One pass over the block per component, with `LANES` partial sums per statistic
    /// so that each step is straight-line SIMD code for a dimension known at compile
    /// time. Padding records have responsibility 0 and add nothing.
    fn accumulate_fixed<const D: usize>(&mut self, components: &Components, block: &Block) {
        let dd = D * D;
        for j in 0..components.count() {
            let mean: [f64; D] = std::array::from_fn(|a| components.means[j * D + a]);
            let mut mass = [0.0; LANES];
            let mut first = [[0.0; LANES]; D];
            let mut second = [[[0.0; LANES]; D]; D];
            let groups = block.responsibility(j).chunks_exact(LANES).zip(block.coordinates().chunks_exact(LANES * D));
            for (r, group) in groups {
                let deviation: [[f64; LANES]; D] =
                    std::array::from_fn(|a| std::array::from_fn(|l| group[a * LANES + l] - mean[a]));
                for l in 0..LANES {
                    mass[l] += r[l];
                }
                for a in 0..D {
                    let weighted: [f64; LANES] = std::array::from_fn(|l| r[l] * deviation[a][l]);
                    for l in 0..LANES {
                        first[a][l] += weighted[l];
                    }
                    for b in 0..=a {
                        for l in 0..LANES {
                            second[a][b][l] += weighted[l] * deviation[b][l];
                        }
                    }
                }
            }
            self.mass[j] += mass.iter().sum::<f64>();
            for a in 0..D {
                self.first[j * D + a] += first[a].iter().sum::<f64>();
                for b in 0..=a {
                    self.second[j * dd + a * D + b] += second[a][b].iter().sum::<f64>();
                }
            }
        }
    }

    /// As [`Self::accumulate_fixed`] for any dimension, one record at a time.
    fn accumulate_any(&mut self, components: &Components, block: &Block) {
        let d = components.dim;
        let dd = d * d;
        let mut deviation = vec![0.0; d];
        let coordinates = block.coordinates();
        for j in 0..components.count() {
            let mean = &components.means[j * d..j * d + d];
            for (i, &r) in block.responsibility(j).iter().enumerate() {
                let base = (i / LANES) * LANES * d + i % LANES;
                for a in 0..d {
                    deviation[a] = coordinates[base + a * LANES] - mean[a];
                }
                self.mass[j] += r;
                for a in 0..d {
                    let weighted = r * deviation[a];
                    self.first[j * d + a] += weighted;
                    for b in 0..=a {
                        self.second[j * dd + a * d + b] += weighted * deviation[b];
                    }
                }
            }
        }
    }
}
