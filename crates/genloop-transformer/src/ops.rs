//! The element-wise and row-wise kernels of GPT-2 with their backward passes: LayerNorm,
//! GELU (tanh approximation), softmax cross-entropy (attention is in `attention`).
//!
//! Backward kernels either overwrite their input gradient (`dinp =`) or accumulate into it
//! (`dinp +=`); each says which. Parameter gradients always accumulate.

use crate::simd;
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

/// Rows per parallel block of [`layernorm_backward`].
const NORM_ROWS: usize = 64;

/// Backward of [`layernorm_forward`]: `dinp +=`, `dw +=`, `db +=`. Rows run in parallel in
/// fixed blocks, each with its own partial `dw`, `db`; the partials are added in block
/// order, so the result does not depend on the number of threads.
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
    let block = NORM_ROWS * d;
    let partials: Vec<Vec<f32>> = dinp
        .par_chunks_mut(block)
        .zip(dout.par_chunks(block).zip(inp.par_chunks(block)))
        .zip(
            stats
                .0
                .par_chunks(NORM_ROWS)
                .zip(stats.1.par_chunks(NORM_ROWS)),
        )
        .map(|((dinp, (dout, inp)), (means, rstds))| {
            let mut dwb = vec![0.0f32; 2 * d];
            let (dw, db) = dwb.split_at_mut(d);
            let rows = dinp.chunks_mut(d).zip(dout.chunks(d)).zip(inp.chunks(d));
            for (((dx, dy), x), (&mean, &rstd)) in rows.zip(means.iter().zip(rstds)) {
                norm_row_backward((dx, dw, db), dy, x, w, (mean, rstd));
            }
            dwb
        })
        .collect();
    for p in &partials {
        let (pw, pb) = p.split_at(d);
        dw.iter_mut().zip(pw).for_each(|(g, p)| *g += p);
        db.iter_mut().zip(pb).for_each(|(g, p)| *g += p);
    }
}

/// One row of [`layernorm_backward`].
fn norm_row_backward(
    (dx, dw, db): (&mut [f32], &mut [f32], &mut [f32]),
    dy: &[f32],
    x: &[f32],
    w: &[f32],
    (mean, rstd): (f32, f32),
) {
    let d = w.len();
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

/// Elements per parallel block of an element-wise kernel.
const BLOCK: usize = 8192;

/// GPT-2's GELU: `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`.
pub(crate) fn gelu_forward(out: &mut [f32], inp: &[f32]) {
    out.par_chunks_mut(BLOCK)
        .zip(inp.par_chunks(BLOCK))
        .for_each(|(o, x)| simd::gelu(o, x));
}

/// Backward of [`gelu_forward`]: `dinp =`.
pub(crate) fn gelu_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32]) {
    dinp.par_chunks_mut(BLOCK)
        .zip(inp.par_chunks(BLOCK).zip(dout.par_chunks(BLOCK)))
        .for_each(|(dx, (x, dy))| simd::gelu_backward(dx, x, dy));
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
            p.copy_from_slice(z);
            *loss = simd::softmax(p) - z[target as usize];
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
