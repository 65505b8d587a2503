//! The E-step kernel, shared by fitting and `log_prob`: for a block of records, the
//! log-likelihood of each record and its responsibilities.
//!
//! Records are processed `BLOCK` at a time, transposed to coordinate-major order, and
//! each step is a loop over the records of the block for one component: such loops
//! have no dependencies between iterations, so the compiler vectorises them. The
//! exponential is an inlined polynomial instead of a libm call (which costs 5–20 ns,
//! and takes a slow path through `errno` on underflow, which is common here: a
//! record far from a component has a responsibility below e⁻⁷⁴⁵).

use super::components::Components;

/// Records per block: the block's buffers (k + d + 2 rows of 128 values) stay in L1.
pub(super) const BLOCK: usize = 128;

/// Scratch for one block of records, allocated once per fit or `log_prob` call.
pub(super) struct Block {
    dim: usize,
    /// Records in the block (≤ `BLOCK`).
    pub len: usize,
    /// d rows of `BLOCK`: coordinate a of record i at `a·BLOCK + i`.
    coordinates: Vec<f64>,
    /// k rows of `BLOCK`: log-densities, then responsibilities.
    responsibilities: Vec<f64>,
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

    /// Loads up to `BLOCK` row-major records.
    pub fn load(&mut self, records: &[f64]) {
        match self.dim {
            1 => self.load_fixed::<1>(records),
            2 => self.load_fixed::<2>(records),
            3 => self.load_fixed::<3>(records),
            4 => self.load_fixed::<4>(records),
            d => {
                self.len = records.len() / d;
                for (i, record) in records.chunks_exact(d).enumerate() {
                    for (a, v) in record.iter().enumerate() {
                        self.coordinates[a * BLOCK + i] = *v;
                    }
                }
            }
        }
    }

    #[inline(never)]
    fn load_fixed<const D: usize>(&mut self, records: &[f64]) {
        self.len = records.len() / D;
        for (i, record) in records.chunks_exact(D).enumerate() {
            for a in 0..D {
                self.coordinates[a * BLOCK + i] = record[a];
            }
        }
    }

    /// Coordinate `a` of the loaded records.
    pub fn coordinate(&self, a: usize) -> &[f64] {
        &self.coordinates[a * BLOCK..a * BLOCK + self.len]
    }

    /// Responsibilities of component `j` for the loaded records.
    pub fn responsibility(&self, j: usize) -> &[f64] {
        &self.responsibilities[j * BLOCK..j * BLOCK + self.len]
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
    let k = components.count();
    let Block {
        responsibilities: log_densities,
        log_likelihood,
        scratch,
        ..
    } = block;
    // Log-sum-exp over components, shifted by each record's largest term.
    let maxima = &mut scratch[..m];
    maxima.copy_from_slice(&log_densities[..m]);
    for j in 1..k {
        for (top, v) in maxima
            .iter_mut()
            .zip(&log_densities[j * BLOCK..j * BLOCK + m])
        {
            *top = if *v > *top { *v } else { *top };
        }
    }
    let sums = &mut log_likelihood[..m];
    sums.iter_mut().for_each(|v| *v = 0.0);
    for j in 0..k {
        let row = &mut log_densities[j * BLOCK..j * BLOCK + m];
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
            for (sum, inverse) in sums.iter().zip(maxima.iter_mut()) {
                *inverse = 1.0 / sum;
            }
            for j in 0..k {
                let row = &mut log_densities[j * BLOCK..j * BLOCK + m];
                for (v, inverse) in row.iter_mut().zip(maxima.iter()) {
                    *v *= inverse;
                }
            }
            total
        }
    }
}

/// ln wⱼ + ln N(xᵢ; μⱼ, Σⱼ) = log_normⱼ − ½‖L⁻¹(xᵢ − μⱼ)‖² into
/// `block.responsibilities`, for a dimension known at compile time: one loop over the
/// records per component.
#[inline(never)]
fn log_densities_fixed<const D: usize>(components: &Components, block: &mut Block) {
    let m = block.len;
    let coordinates: [&[f64]; D] =
        std::array::from_fn(|a| &block.coordinates[a * BLOCK..a * BLOCK + m]);
    for j in 0..components.count() {
        let mean: [f64; D] = std::array::from_fn(|a| components.means[j * D + a]);
        let factor = &components.precision_cholesky[j * D * D..(j + 1) * D * D];
        let factor: [[f64; D]; D] =
            std::array::from_fn(|row| std::array::from_fn(|column| factor[row * D + column]));
        let norm = components.log_norm[j];
        let out = &mut block.responsibilities[j * BLOCK..j * BLOCK + m];
        for (i, o) in out.iter_mut().enumerate() {
            let deviation: [f64; D] = std::array::from_fn(|a| coordinates[a][i] - mean[a]);
            let mut distance = 0.0;
            for row in 0..D {
                let mut z = 0.0;
                for column in 0..=row {
                    z += factor[row][column] * deviation[column];
                }
                distance += z * z;
            }
            *o = norm - 0.5 * distance;
        }
    }
}

/// As [`log_densities_fixed`] for any dimension, one pass per factor entry.
fn log_densities_any(components: &Components, block: &mut Block) {
    let d = components.dim;
    let dd = d * d;
    let m = block.len;
    for j in 0..components.count() {
        let mean = &components.means[j * d..j * d + d];
        let factor = &components.precision_cholesky[j * dd..j * dd + dd];
        let out = &mut block.responsibilities[j * BLOCK..j * BLOCK + m];
        out.iter_mut().for_each(|v| *v = 0.0);
        for row in 0..d {
            // z_row = Σ_{c ≤ row} F[row, c] (x_c − μ_c), for all records at once.
            let zs = &mut block.scratch[..m];
            zs.iter_mut().for_each(|v| *v = 0.0);
            for column in 0..=row {
                let (f, mu) = (factor[row * d + column], mean[column]);
                let xs = &block.coordinates[column * BLOCK..column * BLOCK + m];
                for (z, x) in zs.iter_mut().zip(xs) {
                    *z += f * (x - mu);
                }
            }
            for (o, z) in out.iter_mut().zip(zs.iter()) {
                *o += z * z;
            }
        }
        let norm = components.log_norm[j];
        out.iter_mut().for_each(|v| *v = norm - 0.5 * *v);
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
pub(crate) fn exp_nonpositive(x: f64) -> f64 {
    // 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits.
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    const LN2_HIGH: f64 = 6.931_457_519_531_25e-1;
    const LN2_LOW: f64 = 1.428_606_820_309_417_2e-6;
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
    // eʳ = 1 + (r + r²·q(r)), the 1 added last so that its rounding is the only
    // large one.
    let q = (C[2] + C[3] * r)
        + (C[4] + C[5] * r) * r2
        + ((C[6] + C[7] * r) + (C[8] + C[9] * r) * r2) * r4
        + ((C[10] + C[11] * r) + C[12] * r2) * r8;
    let e = 1.0 + (r + r2 * q);
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
