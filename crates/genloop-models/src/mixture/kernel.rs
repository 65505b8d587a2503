//! The E-step kernel, shared by fitting and `log_prob`: for a block of records, the
//! log-likelihood of each record and its responsibilities.
//!
//! Records are processed `BLOCK` at a time and stored lane-interleaved: records
//! i … i + LANES − 1 keep coordinate a side by side, so that every step is
//! straight-line code on `LANES` records that the compiler packs into SIMD registers,
//! for any dimension known at compile time. The exponential is an inlined polynomial
//! instead of a libm call (which costs 5–20 ns, and takes a slow path through
//! `errno` on underflow, which is common here: a record far from a component has a
//! responsibility below e⁻⁷⁴⁵).

use super::components::Components;

/// Records per block: the block's buffers (k + d + 2 rows of 128 values) stay in L1.
pub(super) const BLOCK: usize = 128;

/// Records that share a SIMD register (two f64 in SSE2, the x86-64 baseline).
pub(super) const LANES: usize = 2;

/// Scratch for one block of records, allocated once per fit or `log_prob` call.
pub(super) struct Block {
    dim: usize,
    /// Records in the block (≤ `BLOCK`).
    pub len: usize,
    /// Coordinate a of record i at `(i / LANES)·LANES·d + a·LANES + i % LANES`. A last
    /// incomplete group of lanes is padded with zeros.
    pub coordinates: Vec<f64>,
    /// k rows of `BLOCK`: log-densities, then responsibilities (0 on padding).
    pub responsibilities: Vec<f64>,
    /// ln p(xᵢ) of each record ([`Output::LogLikelihoods`]); scratch otherwise.
    pub log_likelihood: Vec<f64>,
    /// Per-record maximum, then 1/Σ.
    scratch: Vec<f64>,
}

impl Block {
    pub fn new(k: usize, d: usize) -> Self {
        Block {
            dim: d,
            len: 0,
            coordinates: vec![0.0; d * BLOCK],
            responsibilities: vec![0.0; k * BLOCK],
            log_likelihood: vec![0.0; BLOCK],
            scratch: vec![0.0; BLOCK],
        }
    }

    /// Records rounded up to whole groups of lanes.
    pub fn padded_len(&self) -> usize {
        self.len.div_ceil(LANES) * LANES
    }

    /// Loads up to `BLOCK` row-major records.
    pub fn load(&mut self, records: &[f64]) {
        let d = self.dim;
        self.len = records.len() / d;
        debug_assert!(self.len <= BLOCK);
        for (i, record) in records.chunks_exact(d).enumerate() {
            let base = (i / LANES) * LANES * d + i % LANES;
            for (a, v) in record.iter().enumerate() {
                self.coordinates[base + a * LANES] = *v;
            }
        }
        // Padding slots sit between the last record's coordinates.
        for i in self.len..self.padded_len() {
            let base = (i / LANES) * LANES * d + i % LANES;
            for a in 0..d {
                self.coordinates[base + a * LANES] = 0.0;
            }
        }
    }

    /// Coordinates of the loaded records, padded to whole lane groups.
    pub fn coordinates(&self) -> &[f64] {
        &self.coordinates[..self.padded_len() * self.dim]
    }

    /// Responsibilities of component `j`, padded to whole lane groups.
    pub fn responsibility(&self, j: usize) -> &[f64] {
        &self.responsibilities[j * BLOCK..j * BLOCK + self.padded_len()]
    }
}

/// What [`expectation`] leaves in the block besides the log-likelihood total.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Output {
    /// ln p(xᵢ) of each record in `block.log_likelihood`.
    LogLikelihoods,
    /// The responsibilities in `block.responsibilities`.
    Responsibilities,
}

/// E-step for the loaded records; returns Σᵢ ln p(xᵢ) over the block.
pub(super) fn expectation(components: &Components, block: &mut Block, output: Output) -> f64 {
    match components.dim {
        1 => log_densities_fixed::<1>(components, block),
        2 => log_densities_fixed::<2>(components, block),
        3 => log_densities_fixed::<3>(components, block),
        4 => log_densities_fixed::<4>(components, block),
        _ => log_densities_any(components, block),
    }
    let m = block.len;
    let padded = block.padded_len();
    let k = components.count();
    let Block {
        responsibilities: log_densities,
        log_likelihood,
        scratch,
        ..
    } = block;
    // Log-sum-exp over components, shifted by each record's largest term.
    let maxima = &mut scratch[..padded];
    maxima.copy_from_slice(&log_densities[..padded]);
    for j in 1..k {
        for (top, v) in maxima.iter_mut().zip(&log_densities[j * BLOCK..j * BLOCK + padded]) {
            *top = if *v > *top { *v } else { *top };
        }
    }
    let sums = &mut log_likelihood[..padded];
    sums.iter_mut().for_each(|v| *v = 0.0);
    for j in 0..k {
        let row = &mut log_densities[j * BLOCK..j * BLOCK + padded];
        for ((v, top), sum) in row.iter_mut().zip(maxima.iter()).zip(sums.iter_mut()) {
            *v = exp_nonpositive(*v - top);
            *sum += *v;
        }
    }
    match output {
        Output::LogLikelihoods => {
            let mut total = 0.0;
            for (sum, top) in sums[..m].iter_mut().zip(maxima.iter()) {
                *sum = top + sum.ln();
                total += *sum;
            }
            total
        }
        Output::Responsibilities => {
            // Each sum lies in [1, k], so a product of 16 of them cannot overflow:
            // one logarithm per 16 records instead of one per record.
            let mut total: f64 = maxima[..m].iter().sum();
            for chunk in sums[..m].chunks(16) {
                total += chunk.iter().product::<f64>().ln();
            }
            for (index, (sum, inverse)) in sums.iter().zip(maxima.iter_mut()).enumerate() {
                // Padding records get responsibility 0, so they add nothing.
                *inverse = if index < m { 1.0 / sum } else { 0.0 };
            }
            for j in 0..k {
                let row = &mut log_densities[j * BLOCK..j * BLOCK + padded];
                for (v, inverse) in row.iter_mut().zip(maxima.iter()) {
                    *v *= inverse;
                }
            }
            total
        }
    }
}

/// ln wⱼ + ln N(xᵢ; μⱼ, Σⱼ) = log_normⱼ − ½‖L⁻¹(xᵢ − μⱼ)‖² into
/// `block.responsibilities`, for a dimension known at compile time.
fn log_densities_fixed<const D: usize>(components: &Components, block: &mut Block) {
    let padded = block.padded_len();
    let coordinates = &block.coordinates[..padded * D];
    for j in 0..components.count() {
        let mean: [f64; D] = std::array::from_fn(|a| components.means[j * D + a]);
        let factor = &components.precision_cholesky[j * D * D..(j + 1) * D * D];
        let factor: [[f64; D]; D] = std::array::from_fn(|row| std::array::from_fn(|column| factor[row * D + column]));
        let norm = components.log_norm[j];
        let out = &mut block.responsibilities[j * BLOCK..j * BLOCK + padded];
        for (lanes, group) in out.chunks_exact_mut(LANES).zip(coordinates.chunks_exact(LANES * D)) {
            let deviation: [[f64; LANES]; D] =
                std::array::from_fn(|a| std::array::from_fn(|l| group[a * LANES + l] - mean[a]));
            let mut distance = [0.0; LANES];
            for row in 0..D {
                let mut z = [0.0; LANES];
                for column in 0..=row {
                    for l in 0..LANES {
                        z[l] += factor[row][column] * deviation[column][l];
                    }
                }
                for l in 0..LANES {
                    distance[l] += z[l] * z[l];
                }
            }
            for l in 0..LANES {
                lanes[l] = norm - 0.5 * distance[l];
            }
        }
    }
}

/// As [`log_densities_fixed`] for any dimension, one record at a time.
fn log_densities_any(components: &Components, block: &mut Block) {
    let d = components.dim;
    let dd = d * d;
    let padded = block.padded_len();
    let mut deviation = vec![0.0; d];
    for j in 0..components.count() {
        let mean = &components.means[j * d..j * d + d];
        let factor = &components.precision_cholesky[j * dd..j * dd + dd];
        for i in 0..padded {
            let base = (i / LANES) * LANES * d + i % LANES;
            for a in 0..d {
                deviation[a] = block.coordinates[base + a * LANES] - mean[a];
            }
            let mut distance = 0.0;
            for row in 0..d {
                let z: f64 = (0..=row).map(|column| factor[row * d + column] * deviation[column]).sum();
                distance += z * z;
            }
            block.responsibilities[j * BLOCK + i] = components.log_norm[j] - 0.5 * distance;
        }
    }
}

/// eˣ for x ≤ 0 (exactly 0 below −708), within about 2 ulp: Cody–Waite reduction
/// x = n ln 2 + r with |r| ≤ ½ ln 2 (Cody & Waite 1980, the constants of Cephes
/// `exp.c`), then the Taylor polynomial of eʳ to degree 12 (truncation error
/// |r|¹³/13! < 1.7·10⁻¹⁶ relative) in Estrin's scheme, whose short dependency chains
/// keep the pipelines full. 2ⁿ is built from the bits of the rounding sum and the
/// cut-off is a bit mask, so the function has no branch and no division, and a loop
/// over it vectorises.
#[inline(always)]
pub(super) fn exp_nonpositive(x: f64) -> f64 {
    // 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits.
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    const LN2_HIGH: f64 = 6.931_457_519_531_25e-1;
    const LN2_LOW: f64 = 1.428_606_820_309_417_232_12e-6;
    // 1/j! for j = 0..=12.
    const C: [f64; 13] = [
        1.0,
        1.0,
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
    ];
    let shifted = x * std::f64::consts::LOG2_E + SHIFTER;
    let n = shifted - SHIFTER;
    let r = x - n * LN2_HIGH - n * LN2_LOW;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let low = (C[0] + C[1] * r) + (C[2] + C[3] * r) * r2 + ((C[4] + C[5] * r) + (C[6] + C[7] * r) * r2) * r4;
    let high = (C[8] + C[9] * r) + (C[10] + C[11] * r) * r2 + C[12] * r4;
    let e = low + high * r8;
    // Exponent bits of 2ⁿ: (n + 1023) << 52, with n read from the shifted sum's bits.
    let bias = 1023u64.wrapping_sub(SHIFTER.to_bits());
    let scale = f64::from_bits(shifted.to_bits().wrapping_add(bias) << 52);
    let keep = u64::from(x >= -708.0).wrapping_neg();
    f64::from_bits((e * scale).to_bits() & keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_nonpositive_is_within_two_ulp_of_libm() {
        let mut worst = 0;
        for i in 0..=200_000 {
            let x = -708.0 * f64::from(i) / 200_000.0;
            let (got, want) = (exp_nonpositive(x), x.exp());
            worst = worst.max(got.to_bits().abs_diff(want.to_bits()));
        }
        assert!(worst <= 2, "worst error {worst} ulp");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-709.0), 0.0);
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), 0.0);
    }
}
