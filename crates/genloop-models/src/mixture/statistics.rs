//! The M-step's sufficient statistics, accumulated block by block right after the
//! E-step: Σ r, Σ r·δ and Σ r·δδᵀ per component, with δ = x − μⱼ (the means before
//! the M-step).
//!
//! Each statistic keeps one partial sum per record slot of a block (`BLOCK` of them),
//! so that adding a block is an element-wise loop, which the compiler vectorises
//! (a running scalar sum is a chain of dependent additions that it may not reorder).
//! The partial sums are added up once per pass, in a fixed order, so results do not
//! depend on the machine.

use super::components::Components;
use super::kernel::{sum, Block, BLOCK};

/// Σ r, Σ r·δ and Σ r·δδᵀ (lower triangle, row-major d×d) per component.
pub(super) struct Statistics {
    pub mass: Vec<f64>,
    pub first: Vec<f64>,
    pub second: Vec<f64>,
    /// Per component, 1 + d + d² rows of `BLOCK` partial sums: mass, first moments,
    /// second moments (upper triangle unused).
    partial: Vec<f64>,
    /// One component's responsibilities for the block (the generic path).
    responsibilities: Vec<f64>,
    dim: usize,
}

impl Statistics {
    pub fn new(k: usize, d: usize) -> Self {
        Statistics {
            mass: vec![0.0; k],
            first: vec![0.0; k * d],
            second: vec![0.0; k * d * d],
            partial: vec![0.0; k * rows(d) * BLOCK],
            responsibilities: vec![0.0; BLOCK],
            dim: d,
        }
    }

    /// Starts a pass.
    pub fn reset(&mut self) {
        self.partial.iter_mut().for_each(|v| *v = 0.0);
    }

    /// Adds the block's records, weighted by the responsibilities the E-step left in
    /// it ([`super::kernel::Output::Responsibilities`]).
    pub fn accumulate(&mut self, components: &Components, block: &Block) {
        match self.dim {
            1 => self.accumulate_fixed::<1>(components, block),
            2 => self.accumulate_fixed::<2>(components, block),
            3 => self.accumulate_fixed::<3>(components, block),
            4 => self.accumulate_fixed::<4>(components, block),
            _ => self.accumulate_any(components, block),
        }
    }

    /// Ends a pass: adds up the partial sums into `mass`, `first` and `second`.
    pub fn finish(&mut self) {
        let d = self.dim;
        let per_component = rows(d) * BLOCK;
        for (j, partial) in self.partial.chunks_exact(per_component).enumerate() {
            let row = |s: usize| sum(&partial[s * BLOCK..(s + 1) * BLOCK]);
            self.mass[j] = row(0);
            for a in 0..d {
                self.first[j * d + a] = row(1 + a);
                for b in 0..=a {
                    self.second[j * d * d + a * d + b] = row(1 + d + a * d + b);
                }
            }
        }
    }

    /// One loop over the block per component, for a dimension known at compile time.
    /// (Not inlined: inlined into one caller, the instances for different D can be
    /// merged back into one loop over a run-time dimension.)
    #[inline(never)]
    fn accumulate_fixed<const D: usize>(&mut self, components: &Components, block: &Block) {
        let m = block.len;
        let coordinates: [&[f64]; D] = std::array::from_fn(|a| block.coordinate(a));
        let per_component = rows(D) * BLOCK;
        for (j, partial) in self.partial.chunks_exact_mut(per_component).enumerate() {
            let mean: [f64; D] = std::array::from_fn(|a| components.means[j * D + a]);
            let unnormalized = block.responsibility(j);
            let mut slots = partial.chunks_exact_mut(BLOCK).map(|row| &mut row[..m]);
            let mass = slots.next().expect("mass row");
            let first: [&mut [f64]; D] =
                std::array::from_fn(|_| slots.next().expect("first-moment row"));
            let second: [[&mut [f64]; D]; D] = std::array::from_fn(|_| {
                std::array::from_fn(|_| slots.next().expect("second-moment row"))
            });
            let normalizers = block.normalizers();
            for (i, (&e, &normalizer)) in unnormalized.iter().zip(normalizers).enumerate() {
                let r = e * normalizer;
                let deviation: [f64; D] = std::array::from_fn(|a| coordinates[a][i] - mean[a]);
                mass[i] += r;
                for a in 0..D {
                    let weighted = r * deviation[a];
                    first[a][i] += weighted;
                    for b in 0..=a {
                        second[a][b][i] += weighted * deviation[b];
                    }
                }
            }
        }
    }

    /// As [`Self::accumulate_fixed`] for any dimension, one loop per statistic.
    fn accumulate_any(&mut self, components: &Components, block: &Block) {
        let d = self.dim;
        let m = block.len;
        let per_component = rows(d) * BLOCK;
        for (j, partial) in self.partial.chunks_exact_mut(per_component).enumerate() {
            let mean = &components.means[j * d..j * d + d];
            let responsibilities = &mut self.responsibilities[..m];
            for ((r, e), normalizer) in responsibilities
                .iter_mut()
                .zip(block.responsibility(j))
                .zip(block.normalizers())
            {
                *r = e * normalizer;
            }
            let responsibilities = &*responsibilities;
            add_products(&mut partial[..m], responsibilities, None, None);
            for a in 0..d {
                let xa = (block.coordinate(a), mean[a]);
                add_products(
                    &mut partial[(1 + a) * BLOCK..(1 + a) * BLOCK + m],
                    responsibilities,
                    Some(xa),
                    None,
                );
                for b in 0..=a {
                    let xb = (block.coordinate(b), mean[b]);
                    let s = 1 + d + a * d + b;
                    add_products(
                        &mut partial[s * BLOCK..s * BLOCK + m],
                        responsibilities,
                        Some(xa),
                        Some(xb),
                    );
                }
            }
        }
    }
}

/// slotᵢ += rᵢ · (xᵢ − μ) · (yᵢ − ν), the factors in brackets only where given.
fn add_products(slots: &mut [f64], r: &[f64], x: Option<(&[f64], f64)>, y: Option<(&[f64], f64)>) {
    match (x, y) {
        (None, _) => slots.iter_mut().zip(r).for_each(|(s, r)| *s += r),
        (Some((x, mu)), None) => {
            for ((s, r), x) in slots.iter_mut().zip(r).zip(x) {
                *s += r * (x - mu);
            }
        }
        (Some((x, mu)), Some((y, nu))) => {
            for ((s, r), (x, y)) in slots.iter_mut().zip(r).zip(x.iter().zip(y)) {
                *s += r * (x - mu) * (y - nu);
            }
        }
    }
}

/// Rows of partial sums per component: mass, d first moments, d² second moments.
fn rows(d: usize) -> usize {
    1 + d + d * d
}
