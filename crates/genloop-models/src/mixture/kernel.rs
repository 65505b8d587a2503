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
    /// k rows of `BLOCK`: log-densities, then exp(log-density − the record's
    /// largest), which the record's normaliser turns into its responsibilities.
    responsibilities: Vec<f64>,
    /// ln p(xᵢ) of each record ([`Output::LogLikelihoods`]); scratch otherwise.
    pub log_likelihood: Vec<f64>,
    /// Per-record maximum, then the normaliser 1/Σ.
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

    // Not inlined: inlined into one caller, the instances for different D can be
    // merged back into one loop over a run-time dimension.
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

    /// Unnormalised responsibilities of component `j` for the loaded records: the
    /// responsibility of record i is `responsibility(j)[i] * normalizers()[i]`
    /// (after [`expectation`] with [`Output::Responsibilities`]).
    pub fn responsibility(&self, j: usize) -> &[f64] {
        &self.responsibilities[j * BLOCK..j * BLOCK + self.len]
    }

    /// 1/Σⱼ of each loaded record (see [`Self::responsibility`]).
    pub fn normalizers(&self) -> &[f64] {
        &self.scratch[..self.len]
    }
}

/// What [`expectation`] leaves in the block besides the log-likelihood total.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Output {
    /// ln p(xᵢ) of each record in `block.log_likelihood`.
    LogLikelihoods,
    /// The responsibilities, as [`Block::responsibility`] and [`Block::normalizers`]
    /// (the statistics multiply them out as they go, which saves a pass).
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
            let mut total = sum(maxima);
            for chunk in sums.chunks(16) {
                total += product(chunk).ln();
            }
            for (sum, inverse) in sums.iter().zip(maxima.iter_mut()) {
                *inverse = 1.0 / sum;
            }
            total
        }
    }
}

/// Σᵢ aᵢ in four interleaved partial sums: a fixed order (so results do not depend
/// on the machine) whose additions do not wait on each other, and vectorise.
pub(super) fn sum(a: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let whole = a.len() / 4 * 4;
    for chunk in a[..whole].chunks_exact(4) {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    let mut total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for v in &a[whole..] {
        total += v;
    }
    total
}

/// Πᵢ aᵢ in four interleaved partial products, as [`sum`].
fn product(a: &[f64]) -> f64 {
    let mut lanes = [1.0; 4];
    let whole = a.len() / 4 * 4;
    for chunk in a[..whole].chunks_exact(4) {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane *= v;
        }
    }
    let mut total = (lanes[0] * lanes[1]) * (lanes[2] * lanes[3]);
    for v in &a[whole..] {
        total *= v;
    }
    total
}

/// ln wⱼ + ln N(xᵢ; μⱼ, Σⱼ) = log_normⱼ − ½‖L⁻¹(xᵢ − μⱼ)‖² into
/// `block.responsibilities`, for a dimension known at compile time: one loop over the
/// records per component. (Not inlined, as `load_fixed`.)
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

/// eˣ for x ≤ 0 (exactly 0 below −707), within 2 ulp, by Tang's table method
/// (Tang 1989, ACM TOMS 15(2)): x = (32m + j)·ln 2/32 + r with |r| ≤ ln 2/64, so
/// eˣ = 2ᵐ · 2^(j/32) · eʳ, with 2^(j/32) from a table and eʳ − 1 = r + r²·q(r) from
/// its Taylor polynomial to degree 6 (truncation error |r|⁷/7! < 4·10⁻¹⁸). 2ᵐ is
/// added to the exponent bits and the cut-off is a bit mask, so the function has no
/// branch and no division, and a loop over it vectorises; it takes about half the
/// time of libm's `exp`.
#[inline(always)]
pub(crate) fn exp_nonpositive(x: f64) -> f64 {
    // 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits.
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    const STEPS_PER_UNIT: f64 = 46.166_241_308_446_83; // 32 / ln 2
                                                       // ln 2 / 32 in two parts; the high part has 32 trailing zero bits, so n·HIGH is
                                                       // exact for every n that occurs.
    const STEP_HIGH: f64 = 0.021_660_834_550_857_544;
    const STEP_LOW: f64 = 1.484_164_074_697_397_7e-8;
    // 1/j! for j = 2..=6.
    const C: [f64; 5] = [0.5, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0];
    let shifted = x * STEPS_PER_UNIT + SHIFTER;
    let n = shifted - SHIFTER;
    let r = (x - n * STEP_HIGH) - n * STEP_LOW;
    let r2 = r * r;
    let q = (C[0] + C[1] * r) + (C[2] + C[3] * r) * r2 + C[4] * (r2 * r2);
    let p = r + r2 * q;
    // n = 32m + j, read from the bits of the rounding sum (SHIFTER's low 32 bits are 0).
    let offset = shifted.to_bits().wrapping_sub(SHIFTER.to_bits());
    let table = EXP2_FRACTIONS[(offset & 31) as usize];
    let v = table + table * p;
    // Multiply by 2ᵐ: add m to the exponent field, i.e. (n − j)·2⁴⁷ to the bits.
    let scaled = v.to_bits().wrapping_add((offset & !31) << 47);
    let keep = u64::from(x >= -707.0).wrapping_neg();
    f64::from_bits(scaled & keep)
}

/// 2^(j/32) for j = 0..32, correctly rounded (computed with 60-digit decimals).
const EXP2_FRACTIONS: [f64; 32] = {
    const BITS: [u64; 32] = [
        0x3ff0000000000000,
        0x3ff059b0d3158574,
        0x3ff0b5586cf9890f,
        0x3ff11301d0125b51,
        0x3ff172b83c7d517b,
        0x3ff1d4873168b9aa,
        0x3ff2387a6e756238,
        0x3ff29e9df51fdee1,
        0x3ff306fe0a31b715,
        0x3ff371a7373aa9cb,
        0x3ff3dea64c123422,
        0x3ff44e086061892d,
        0x3ff4bfdad5362a27,
        0x3ff5342b569d4f82,
        0x3ff5ab07dd485429,
        0x3ff6247eb03a5585,
        0x3ff6a09e667f3bcd,
        0x3ff71f75e8ec5f74,
        0x3ff7a11473eb0187,
        0x3ff82589994cce13,
        0x3ff8ace5422aa0db,
        0x3ff93737b0cdc5e5,
        0x3ff9c49182a3f090,
        0x3ffa5503b23e255d,
        0x3ffae89f995ad3ad,
        0x3ffb7f76f2fb5e47,
        0x3ffc199bdd85529c,
        0x3ffcb720dcef9069,
        0x3ffd5818dcfba487,
        0x3ffdfc97337b9b5f,
        0x3ffea4afa2a490da,
        0x3fff50765b6e4540,
    ];
    let mut values = [0.0; 32];
    let mut j = 0;
    while j < 32 {
        values[j] = f64::from_bits(BITS[j]);
        j += 1;
    }
    values
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_nonpositive_is_within_two_ulp_of_libm() {
        let mut worst = 0;
        for i in 0..=200_000 {
            let x = -707.0 * f64::from(i) / 200_000.0;
            let (got, want) = (exp_nonpositive(x), x.exp());
            worst = worst.max(got.to_bits().abs_diff(want.to_bits()));
        }
        assert!(worst <= 2, "worst error {worst} ulp");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-707.5), 0.0);
        let two_ulp = 4.0 * f64::EPSILON;
        assert!((exp_nonpositive(-706.9) / (-706.9f64).exp() - 1.0).abs() < two_ulp);
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), 0.0);
    }
}
