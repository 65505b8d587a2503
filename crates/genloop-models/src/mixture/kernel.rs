//! The E-step kernel, shared by fitting and `log_prob`: for a block of records, the
//! log-likelihood of each record and its responsibilities.
//!
//! Records are processed `BLOCK` at a time, transposed to coordinate-major order, and
//! each step is a loop over the records of the block for one component: such loops
//! have no dependencies between iterations, so the compiler vectorises them, and the
//! exponential is an inlined polynomial instead of a libm call (which costs 5–20 ns,
//! and takes a slow path with `errno` on underflow, which is common here: a record far
//! from a component has a responsibility below e⁻⁷⁴⁵).

use super::components::Components;

/// Records per block: the block's buffers (k + d + 3 rows of 128 values) stay in L1.
pub(super) const BLOCK: usize = 128;

/// Scratch for one block of records, allocated once per fit or `log_prob` call.
pub(super) struct Block {
    /// Records in the block (≤ `BLOCK`).
    pub len: usize,
    /// d rows of `BLOCK`: coordinate a of record i at `a·BLOCK + i`.
    pub coordinates: Vec<f64>,
    /// k rows of `BLOCK`: log-densities, then responsibilities.
    pub responsibilities: Vec<f64>,
    /// ln p(xᵢ) of each record.
    pub log_likelihood: Vec<f64>,
    /// Per-record maximum, then sum of exponentials.
    scratch: Vec<f64>,
}

impl Block {
    pub fn new(k: usize, d: usize) -> Self {
        Block {
            len: 0,
            coordinates: vec![0.0; d * BLOCK],
            responsibilities: vec![0.0; k * BLOCK],
            log_likelihood: vec![0.0; BLOCK],
            scratch: vec![0.0; BLOCK],
        }
    }

    /// Loads up to `BLOCK` row-major records.
    #[inline(always)]
    pub fn load(&mut self, records: &[f64], d: usize) {
        self.len = records.len() / d;
        for (i, record) in records.chunks_exact(d).enumerate() {
            for a in 0..d {
                self.coordinates[a * BLOCK + i] = record[a];
            }
        }
    }
}

/// Fills `block.log_likelihood` and, when `responsibilities` is true,
/// `block.responsibilities` for the loaded records. `d` is passed separately so that
/// callers matching on small dimensions get this inlined with a constant d.
#[inline(always)]
pub(super) fn expectation(components: &Components, d: usize, block: &mut Block, responsibilities: bool) {
    let m = block.len;
    let dd = d * d;
    let k = components.count();
    let Block {
        coordinates,
        responsibilities: log_densities,
        log_likelihood,
        scratch,
        ..
    } = block;
    // ln wⱼ + ln N(xᵢ; μⱼ, Σⱼ) = log_normⱼ − ½‖L⁻¹(xᵢ − μⱼ)‖².
    for j in 0..k {
        let mean = &components.means[j * d..j * d + d];
        let factor = &components.precision_cholesky[j * dd..j * dd + dd];
        let norm = components.log_norm[j];
        let out = &mut log_densities[j * BLOCK..j * BLOCK + m];
        out.iter_mut().for_each(|v| *v = 0.0);
        for row in 0..d {
            // z_row = Σ_{c ≤ row} F[row, c] (x_c − μ_c), for all records at once.
            let zs = &mut scratch[..m];
            zs.iter_mut().for_each(|v| *v = 0.0);
            for column in 0..=row {
                let f = factor[row * d + column];
                let mu = mean[column];
                let xs = &coordinates[column * BLOCK..column * BLOCK + m];
                for (z, x) in zs.iter_mut().zip(xs) {
                    *z += f * (x - mu);
                }
            }
            for (o, z) in out.iter_mut().zip(zs.iter()) {
                *o += z * z;
            }
        }
        out.iter_mut().for_each(|v| *v = norm - 0.5 * *v);
    }
    // Log-sum-exp over components, shifted by each record's largest term.
    let maxima = &mut scratch[..m];
    maxima.copy_from_slice(&log_densities[..m]);
    for j in 1..k {
        for (top, v) in maxima.iter_mut().zip(&log_densities[j * BLOCK..j * BLOCK + m]) {
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
    // ln p(xᵢ) = top + ln Σ; the maxima are no longer needed and make room for 1/Σ.
    for (sum, top) in sums.iter_mut().zip(maxima.iter_mut()) {
        let total = *sum;
        *sum = *top + total.ln();
        *top = 1.0 / total;
    }
    if responsibilities {
        for j in 0..k {
            let row = &mut log_densities[j * BLOCK..j * BLOCK + m];
            for (v, inverse) in row.iter_mut().zip(maxima.iter()) {
                *v *= inverse;
            }
        }
    }
}

/// eˣ for x ≤ 0 (exact 0 below −708), within 2 ulp: Cody–Waite reduction
/// x = n ln 2 + r, |r| ≤ ½ ln 2, and Cephes' rational approximation
/// eʳ = 1 + 2r P(r²) / (Q(r²) − r P(r²)) (Moshier, Cephes `exp.c`). 2ⁿ is built from
/// the bits of the rounding sum, so the function is branch-free and vectorises.
#[inline(always)]
pub(super) fn exp_nonpositive(x: f64) -> f64 {
    // 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits.
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    const LOG2_E: f64 = std::f64::consts::LOG2_E;
    const LN2_HIGH: f64 = 6.931_457_519_531_25e-1;
    const LN2_LOW: f64 = 1.428_606_820_309_417_232_12e-6;
    const P: [f64; 3] = [1.261_771_930_748_105_908_78e-4, 3.029_944_077_074_419_613e-2, 9.999_999_999_999_999_999_1e-1];
    const Q: [f64; 4] = [
        3.001_985_051_386_644_550_42e-6,
        2.524_483_403_496_841_041_92e-3,
        2.272_655_482_081_550_287_66e-1,
        2.000_000_000_000_000_000_09,
    ];
    let shifted = x * LOG2_E + SHIFTER;
    let n = shifted - SHIFTER;
    let r = x - n * LN2_HIGH - n * LN2_LOW;
    let rr = r * r;
    let p = r * ((P[0] * rr + P[1]) * rr + P[2]);
    let q = ((Q[0] * rr + Q[1]) * rr + Q[2]) * rr + Q[3];
    let e = 1.0 + 2.0 * p / (q - p);
    // Exponent bits of 2ⁿ: (n + 1023) << 52, with n read from the shifted sum's bits.
    let bias = 1023u64.wrapping_sub(SHIFTER.to_bits());
    let scale = f64::from_bits(shifted.to_bits().wrapping_add(bias) << 52);
    if x < -708.0 {
        0.0
    } else {
        e * scale
    }
}
