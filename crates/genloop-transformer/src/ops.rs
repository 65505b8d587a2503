//! The element-wise and row-wise kernels of GPT-2 with their backward passes: LayerNorm,
//! GELU (tanh approximation), softmax cross-entropy (attention is in `attention`).
//!
//! Backward kernels either overwrite their input gradient (`dinp =`) or accumulate into it
//! (`dinp +=`); each says which. Parameter gradients always accumulate.

use rayon::prelude::*;

/// Per-row statistics kept by [`layernorm_forward`] for the backward pass.
pub(crate) struct NormStats<'a> {
    pub mean: &'a mut [f32],
    pub rstd: &'a mut [f32],
}

/// `out = (x − mean) / sqrt(var + eps) · w + b`, row by row (rows of width `w.len()`).
pub(crate) fn layernorm_forward(
    out: &mut [f32],
    stats: NormStats,
    inp: &[f32],
    w: &[f32],
    b: &[f32],
    eps: f32,
) {
    let d = w.len();
    let rows = out.par_chunks_mut(d).zip(inp.par_chunks(d));
    rows.zip(stats.mean.par_iter_mut().zip(stats.rstd.par_iter_mut()))
        .for_each(|((o, x), (m, r))| {
            let mean = x.iter().sum::<f32>() / d as f32;
            let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / d as f32;
            let rstd = 1.0 / (var + eps).sqrt();
            for i in 0..d {
                o[i] = (x[i] - mean) * rstd * w[i] + b[i];
            }
            *m = mean;
            *r = rstd;
        });
}

/// Backward of [`layernorm_forward`]: `dinp +=`, `dw +=`, `db +=`.
pub(crate) fn layernorm_backward(
    dinp: &mut [f32],
    dwb: (&mut [f32], &mut [f32]),
    dout: &[f32],
    inp: &[f32],
    w: &[f32],
    stats: (&[f32], &[f32]),
) {
    let (dw, db) = dwb;
    let d = w.len();
    for (row, ((dx, dy), x)) in dinp
        .chunks_mut(d)
        .zip(dout.chunks(d))
        .zip(inp.chunks(d))
        .enumerate()
    {
        let (mean, rstd) = (stats.0[row], stats.1[row]);
        let (mut mean_dn, mut mean_dn_n) = (0.0f32, 0.0f32);
        for i in 0..d {
            let norm = (x[i] - mean) * rstd;
            let dnorm = dy[i] * w[i];
            mean_dn += dnorm;
            mean_dn_n += dnorm * norm;
            dw[i] += dy[i] * norm;
            db[i] += dy[i];
        }
        mean_dn /= d as f32;
        mean_dn_n /= d as f32;
        for i in 0..d {
            let norm = (x[i] - mean) * rstd;
            dx[i] += rstd * (dy[i] * w[i] - mean_dn - norm * mean_dn_n);
        }
    }
}

const GELU_SCALE: f32 = 0.797_884_6; // sqrt(2 / pi)

/// `tanh` through one `exp` (several times faster than libm's `tanhf`; absolute error
/// about 1e-7, which is what GELU's `0.5 x (1 + tanh u)` needs).
fn fast_tanh(u: f32) -> f32 {
    1.0 - 2.0 / ((2.0 * u).exp() + 1.0)
}

/// GPT-2's GELU: `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`.
pub(crate) fn gelu_forward(out: &mut [f32], inp: &[f32]) {
    out.par_iter_mut().zip(inp.par_iter()).for_each(|(o, &x)| {
        *o = 0.5 * x * (1.0 + fast_tanh(GELU_SCALE * (x + 0.044715 * x * x * x)));
    });
}

/// Backward of [`gelu_forward`]: `dinp =`.
pub(crate) fn gelu_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32]) {
    dinp.par_iter_mut()
        .zip(inp.par_iter().zip(dout.par_iter()))
        .for_each(|(dx, (&x, &dy))| {
            let u = GELU_SCALE * (x + 0.044715 * x * x * x);
            let th = fast_tanh(u);
            let sech2 = 1.0 - th * th;
            let du = GELU_SCALE * (1.0 + 3.0 * 0.044715 * x * x);
            *dx = dy * (0.5 * (1.0 + th) + 0.5 * x * sech2 * du);
        });
}

/// Dot product in eight independent lanes (so it vectorises), lanes summed at the end.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Softmax of each row of `logits` into `probs`, and each row's cross-entropy against its
/// target into `losses`.
pub(crate) fn softmax_xent_forward(
    probs: &mut [f32],
    losses: &mut [f32],
    logits: &[f32],
    targets: &[u32],
) {
    let v = logits.len() / losses.len();
    probs
        .par_chunks_mut(v)
        .zip(logits.par_chunks(v))
        .zip(losses.par_iter_mut().zip(targets.par_iter()))
        .for_each(|((p, z), (loss, &target))| {
            let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for (p, z) in p.iter_mut().zip(z) {
                *p = (z - max).exp();
                sum += *p;
            }
            p.iter_mut().for_each(|p| *p /= sum);
            *loss = sum.ln() - (z[target as usize] - max);
        });
}

/// Gradient of the mean cross-entropy over all rows: `dlogits = (probs − onehot) / rows`.
pub(crate) fn softmax_xent_backward(dlogits: &mut [f32], probs: &[f32], targets: &[u32]) {
    let v = probs.len() / targets.len();
    let scale = 1.0 / targets.len() as f32;
    dlogits
        .par_chunks_mut(v)
        .zip(probs.par_chunks(v))
        .zip(targets.par_iter())
        .for_each(|((dz, p), &target)| {
            for (dz, p) in dz.iter_mut().zip(p) {
                *dz = p * scale;
            }
            dz[target as usize] -= scale;
        });
}
