//! Element-wise kernels compiled twice: once for AVX2 + FMA, chosen at run time when the
//! CPU has them, and once for the target's baseline (SSE2 on x86-64), so release builds
//! run on any x86-64 machine without `-C target-cpu`. The kernels are plain safe loops
//! that LLVM vectorises; the AVX2 copy gets 8 lanes instead of 4. Neither copy uses fused
//! multiply-adds (Rust never contracts `a * b + c`), so both give the same bits.
//!
//! The only `unsafe` is the call of the `#[target_feature]` copy, made after
//! `is_x86_feature_detected!` has confirmed the features it was compiled for.
#![allow(unsafe_code)]

/// Defines `fn $name(args)` that runs `$body` compiled for AVX2 + FMA when the CPU has
/// them, and compiled for the baseline otherwise.
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn generic($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                    generic($($arg),*)
                }
                if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU has AVX2 and FMA, the features `avx2` is compiled for.
                    return unsafe { avx2($($arg),*) };
                }
            }
            generic($($arg),*)
        }
    };
}

/// `e^x` for `x` in about [−87, 88] (clamped outside), within 2 ulp: Cephes' `expf`
/// (range reduction by ln 2 in two parts, degree-6 polynomial, scaling by 2ⁿ through the
/// exponent bits). Plain arithmetic, so loops calling it vectorise, unlike libm's `expf`.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    // 1.5 · 2²³: adding it rounds to an integer n, which then sits in the low bits of the
    // sum's mantissa (read back with integer arithmetic, which vectorises where the
    // saturating `as i32` does not).
    const MAGIC: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * std::f32::consts::LOG2_E + MAGIC;
    let n = shifted - MAGIC;
    let n_bits = shifted.to_bits().wrapping_sub(MAGIC.to_bits());
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 0.166_666_65;
    p = p * r + 0.5;
    let e = p * r * r + r + 1.0;
    e * f32::from_bits(n_bits.wrapping_add(127) << 23)
}

const GELU_SCALE: f32 = 0.797_884_6; // sqrt(2 / pi)

/// `tanh u = 1 − 2 / (e^{2u} + 1)`, through [`exp`].
#[inline(always)]
fn tanh(u: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * u) + 1.0)
}

multiversion! {
    /// GPT-2's GELU: `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`.
    pub(crate) fn gelu(out: &mut [f32], inp: &[f32]) {
        for (o, &x) in out.iter_mut().zip(inp) {
            *o = 0.5 * x * (1.0 + tanh(GELU_SCALE * (x + 0.044715 * x * x * x)));
        }
    }
}

multiversion! {
    /// Backward of [`gelu`]: `dinp = dout · gelu′(inp)`.
    pub(crate) fn gelu_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32]) {
        for ((dx, &x), &dy) in dinp.iter_mut().zip(inp).zip(dout) {
            let th = tanh(GELU_SCALE * (x + 0.044715 * x * x * x));
            let sech2 = 1.0 - th * th;
            let du = GELU_SCALE * (1.0 + 3.0 * 0.044715 * x * x);
            *dx = dy * (0.5 * (1.0 + th) + 0.5 * x * sech2 * du);
        }
    }
}

/// Sum in eight independent lanes (so it vectorises), lanes added at the end.
#[inline(always)]
fn sum(x: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let chunks = x.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for l in 0..8 {
            lanes[l] += c[l];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

multiversion! {
    /// `row = softmax(row)` in place; returns the log-partition function
    /// `ln Σ_j exp(row_j)` of the row it was given.
    pub(crate) fn softmax(row: &mut [f32]) -> f32 {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        for v in row.iter_mut() {
            *v = exp(*v - max);
        }
        let total = sum(row);
        let inv = 1.0 / total;
        for v in row.iter_mut() {
            *v *= inv;
        }
        max + total.ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_a_few_ulp_of_libm() {
        for i in -8700..8800 {
            let x = i as f32 * 0.01 + 0.003;
            let (ours, libm) = (exp(x), x.exp());
            assert!(
                (ours - libm).abs() <= 3.0 * f32::EPSILON * libm,
                "exp({x}) = {ours}, libm {libm}"
            );
        }
        assert_eq!(exp(0.0), 1.0);
    }
}
