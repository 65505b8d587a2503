//! Standard normal variates by the ziggurat method of Marsaglia & Tsang (2000), "The
//! Ziggurat Method for Generating Random Variables", J. Stat. Softw. 5(8), with 256
//! layers (half the 128-layer version's slow-path draws) and 32-bit variates. Following Doornik (2005), "An Improved Ziggurat Method
//! to Generate Normal Random Samples", the layer index is taken from bits of the
//! 64-bit draw that do not also form the variate, which removes the original's
//! correlation between index and value.
//!
//! About 99 % of draws take the fast path (one 64-bit draw, one integer compare,
//! one multiply): roughly 3× fewer instructions than a general float ziggurat. The
//! 1-D theory runs spend most of their time here.

use std::sync::OnceLock;

use rand::RngCore;

const LAYERS: usize = 256;
/// Start of the tail, r, for 256 layers (Marsaglia & Tsang 2000, §2; the value their
/// C code's 128-layer tables are built from, recomputed for 256 layers as in
/// Doornik 2005, table 1).
const R: f64 = 3.654_152_885_361_009;
/// Area of each layer, v.
const V: f64 = 4.928_673_233_99e-3;
const M1: f64 = 2_147_483_648.0;

/// The ziggurat's tables.
pub struct Ziggurat {
    k: [u32; LAYERS],
    w: [f64; LAYERS],
    f: [f64; LAYERS],
}

static TABLES: OnceLock<Ziggurat> = OnceLock::new();

impl Ziggurat {
    /// The shared tables (built once).
    pub fn get() -> &'static Ziggurat {
        TABLES.get_or_init(Ziggurat::build)
    }

    fn build() -> Ziggurat {
        let mut k = [0u32; LAYERS];
        let mut w = [0.0; LAYERS];
        let mut f = [0.0; LAYERS];
        let mut dn = R;
        let mut tn = dn;
        let q = V / (-0.5 * dn * dn).exp();
        k[0] = ((dn / q) * M1) as u32;
        k[1] = 0;
        w[0] = q / M1;
        w[LAYERS - 1] = dn / M1;
        f[0] = 1.0;
        f[LAYERS - 1] = (-0.5 * dn * dn).exp();
        for i in (1..LAYERS - 1).rev() {
            dn = (-2.0 * (V / dn + (-0.5 * dn * dn).exp()).ln()).sqrt();
            k[i + 1] = ((dn / tn) * M1) as u32;
            tn = dn;
            f[i] = (-0.5 * dn * dn).exp();
            w[i] = dn / M1;
        }
        Ziggurat { k, w, f }
    }

    /// One N(0, 1) draw.
    #[inline]
    pub fn sample<R: RngCore + ?Sized>(&self, rng: &mut R) -> f64 {
        let bits = rng.next_u64();
        let hz = bits as u32 as i32;
        let iz = ((bits >> 32) as usize) & (LAYERS - 1);
        if hz.unsigned_abs() < self.k[iz] {
            return f64::from(hz) * self.w[iz];
        }
        self.slow(rng, hz, iz)
    }

    #[cold]
    fn slow<R: RngCore + ?Sized>(&self, rng: &mut R, mut hz: i32, mut iz: usize) -> f64 {
        loop {
            let x = f64::from(hz) * self.w[iz];
            if iz == 0 {
                // The tail beyond r (Marsaglia 1964).
                loop {
                    let x = -uniform(rng).ln() / R;
                    let y = -uniform(rng).ln();
                    if y + y >= x * x {
                        return if hz > 0 { R + x } else { -R - x };
                    }
                }
            }
            if self.f[iz] + uniform(rng) * (self.f[iz - 1] - self.f[iz]) < (-0.5 * x * x).exp() {
                return x;
            }
            let bits = rng.next_u64();
            hz = bits as u32 as i32;
            iz = ((bits >> 32) as usize) & (LAYERS - 1);
            if hz.unsigned_abs() < self.k[iz] {
                return f64::from(hz) * self.w[iz];
            }
        }
    }
}

/// Uniform on the open interval (0, 1), 53 bits.
#[inline]
fn uniform<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0)
}

/// One N(0, 1) draw with the shared tables.
#[inline]
pub fn standard_normal<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    Ziggurat::get().sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::RootSeed;

    /// Φ(x) via erfc, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
    fn phi(x: f64) -> f64 {
        let z = x.abs() / std::f64::consts::SQRT_2;
        let t = 1.0 / (1.0 + 0.327_591_1 * z);
        let poly = t
            * (0.254_829_592
                + t * (-0.284_496_736
                    + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
        let erfc = poly * (-z * z).exp();
        if x >= 0.0 {
            1.0 - 0.5 * erfc
        } else {
            0.5 * erfc
        }
    }

    #[test]
    fn draws_are_standard_normal() {
        for seed in [1, 2] {
            let mut rng = RootSeed(seed).stream("normal-test", 0, 0);
            let n = 400_000;
            let mut xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
            let nf = n as f64;
            let mean = xs.iter().sum::<f64>() / nf;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / nf;
            let kurt = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / nf / (var * var);
            // 4 standard errors: mean 1/√n, variance √(2/n), kurtosis √(24/n).
            assert!(mean.abs() < 4.0 * (1.0 / nf).sqrt(), "mean {mean}");
            assert!(
                (var - 1.0).abs() < 4.0 * (2.0 / nf).sqrt(),
                "variance {var}"
            );
            assert!(
                (kurt - 3.0).abs() < 4.0 * (24.0 / nf).sqrt(),
                "kurtosis {kurt}"
            );
            // The tail (slow path): P(|z| > 3.5) = 4.653e-4.
            let tail = xs.iter().filter(|x| x.abs() > 3.5).count() as f64 / nf;
            let p = 4.653e-4;
            assert!(
                (tail - p).abs() < 4.0 * (p * (1.0 - p) / nf).sqrt(),
                "tail {tail}"
            );
            // Kolmogorov–Smirnov: D < 1.95/√n (p ≈ 0.001).
            xs.sort_by(f64::total_cmp);
            let d = xs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let c = phi(*x);
                    (c - i as f64 / nf)
                        .abs()
                        .max(((i + 1) as f64 / nf - c).abs())
                })
                .fold(0.0, f64::max);
            assert!(d < 1.95 / nf.sqrt(), "KS D = {d}");
        }
    }
}
