//! The element-wise and row-wise kernels of GPT-2 with their backward passes: LayerNorm,
//! GELU (tanh approximation), causal multi-head attention, softmax cross-entropy.
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

/// Shape of one attention call: batch, time, heads, head size.
#[derive(Clone, Copy)]
pub(crate) struct AttnShape {
    pub t: usize,
    pub heads: usize,
    pub hs: usize,
}

impl AttnShape {
    fn d(&self) -> usize {
        self.heads * self.hs
    }
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

/// Causal self-attention. `qkv` is `[B, T, 3d]` (queries, keys, values side by side, heads
/// contiguous inside each), `att` receives the softmax weights `[B, H, T, T]`, `out` the
/// heads' outputs `[B, T, d]`. Sequences of the batch run in parallel.
pub(crate) fn attention_forward(out: &mut [f32], att: &mut [f32], qkv: &[f32], s: AttnShape) {
    let (t, d) = (s.t, s.d());
    out.par_chunks_mut(t * d)
        .zip(att.par_chunks_mut(s.heads * t * t))
        .zip(qkv.par_chunks(t * 3 * d))
        .for_each(|((out, att), qkv)| {
            for h in 0..s.heads {
                for ti in 0..t {
                    let row = &mut att[(h * t + ti) * t..][..t];
                    attend_row(out, row, qkv, s, (h, ti));
                }
            }
        });
}

/// One query row of one head: softmax over earlier keys, weighted sum of their values.
fn attend_row(
    out: &mut [f32],
    row: &mut [f32],
    qkv: &[f32],
    s: AttnShape,
    (h, ti): (usize, usize),
) {
    let (d, hs) = (s.d(), s.hs);
    let scale = 1.0 / (hs as f32).sqrt();
    let q = &qkv[ti * 3 * d + h * hs..][..hs];
    let mut max = f32::NEG_INFINITY;
    for t2 in 0..=ti {
        let k = &qkv[t2 * 3 * d + d + h * hs..][..hs];
        row[t2] = dot(q, k) * scale;
        max = max.max(row[t2]);
    }
    let mut sum = 0.0;
    for v in &mut row[..=ti] {
        *v = (*v - max).exp();
        sum += *v;
    }
    row[..=ti].iter_mut().for_each(|v| *v /= sum);
    row[ti + 1..].fill(0.0);
    let y = &mut out[ti * d + h * hs..][..hs];
    y.fill(0.0);
    for t2 in 0..=ti {
        let v = &qkv[t2 * 3 * d + 2 * d + h * hs..][..hs];
        y.iter_mut().zip(v).for_each(|(y, v)| *y += row[t2] * v);
    }
}

/// Backward of [`attention_forward`]: `dqkv =` (overwritten). `y` is the forward pass's
/// output, `dout` its gradient.
pub(crate) fn attention_backward(
    dqkv: &mut [f32],
    (y, dout): (&[f32], &[f32]),
    att: &[f32],
    qkv: &[f32],
    s: AttnShape,
) {
    let (t, d) = (s.t, s.d());
    let outputs = y.par_chunks(t * d).zip(dout.par_chunks(t * d));
    let inputs = att
        .par_chunks(s.heads * t * t)
        .zip(qkv.par_chunks(t * 3 * d));
    dqkv.par_chunks_mut(t * 3 * d)
        .zip(outputs)
        .zip(inputs)
        .for_each(|((dqkv, (y, dout)), (att, qkv))| {
            dqkv.fill(0.0);
            for h in 0..s.heads {
                for ti in 0..t {
                    let row = &att[(h * t + ti) * t..][..t];
                    let at = ti * d + h * s.hs;
                    attend_row_backward(
                        dqkv,
                        (&y[at..][..s.hs], &dout[at..][..s.hs]),
                        row,
                        qkv,
                        s,
                        (h, ti),
                    );
                }
            }
        });
}

/// Backward of [`attend_row`] for one head's output `y` and its gradient `dy`,
/// accumulating into one sequence's `dqkv`.
fn attend_row_backward(
    dqkv: &mut [f32],
    (y, dy): (&[f32], &[f32]),
    row: &[f32],
    qkv: &[f32],
    s: AttnShape,
    (h, ti): (usize, usize),
) {
    let (d, hs) = (s.d(), s.hs);
    let scale = 1.0 / (hs as f32).sqrt();
    let value = |t2: usize| &qkv[t2 * 3 * d + 2 * d + h * hs..][..hs];
    // Softmax backward needs Σ_j a_j · da_j with da_j = dy · v_j, which is dy · y.
    let weighted = dot(dy, y);
    let q_at = ti * 3 * d + h * hs;
    for t2 in 0..=ti {
        let dpre = row[t2] * (dot(dy, value(t2)) - weighted) * scale;
        let (k_at, v_at) = (t2 * 3 * d + d + h * hs, t2 * 3 * d + 2 * d + h * hs);
        for i in 0..hs {
            dqkv[q_at + i] += dpre * qkv[k_at + i];
            dqkv[k_at + i] += dpre * qkv[q_at + i];
            dqkv[v_at + i] += row[t2] * dy[i];
        }
    }
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
