//! Causal multi-head self-attention and its backward pass, as small matrix products per
//! sequence and head: `S = Q·Kᵀ / √hs`, a softmax of each row of `S` over the positions
//! up to its own (the causal mask), `Y = P·V`. Sequences of the batch run in parallel;
//! each is computed by one task in a fixed order, so results do not depend on the number
//! of threads.

use crate::gemm::{gemm_into, MatMut, View};
use crate::simd;
use rayon::prelude::*;

/// Shape of one attention call: time, heads, head size (the batch is implied by the
/// buffers' lengths).
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

    fn scale(&self) -> f32 {
        1.0 / (self.hs as f32).sqrt()
    }

    /// Head `h`'s part `part` (0: queries, 1: keys, 2: values) of one sequence's
    /// `qkv` `[T, 3d]`, a `T × hs` view.
    fn part<'a>(&self, qkv: &'a [f32], part: usize, h: usize) -> View<'a> {
        let d = self.d();
        View::strided(
            &qkv[part * d + h * self.hs..],
            (self.t, self.hs),
            (3 * d, 1),
        )
    }

    /// The same part of one sequence's gradient `dqkv`, mutably.
    fn part_mut<'a>(&self, dqkv: &'a mut [f32], part: usize, h: usize) -> MatMut<'a> {
        let d = self.d();
        MatMut {
            data: &mut dqkv[part * d + h * self.hs..],
            rows: self.t,
            cols: self.hs,
            rs: 3 * d,
        }
    }
}

/// Softmax of row `i` of the scores over positions `0..=i`; later positions get 0.
fn causal_softmax_row(row: &mut [f32], i: usize) {
    let (seen, future) = row.split_at_mut(i + 1);
    simd::softmax(seen);
    future.fill(0.0);
}

/// Causal self-attention. `qkv` is `[B, T, 3d]` (queries, keys, values side by side, heads
/// contiguous inside each), `att` receives the softmax weights `[B, H, T, T]`, `out` the
/// heads' outputs `[B, T, d]`.
pub(crate) fn attention_forward(out: &mut [f32], att: &mut [f32], qkv: &[f32], s: AttnShape) {
    let (t, d, hs) = (s.t, s.d(), s.hs);
    out.par_chunks_mut(t * d)
        .zip(att.par_chunks_mut(s.heads * t * t))
        .zip(qkv.par_chunks(t * 3 * d))
        .for_each(|((out, att), qkv)| {
            for (h, p) in att.chunks_mut(t * t).enumerate() {
                let (q, k, v) = (s.part(qkv, 0, h), s.part(qkv, 1, h), s.part(qkv, 2, h));
                gemm_into(q, k.t(), MatMut::rows(p, t, t), s.scale(), 0.0);
                p.chunks_mut(t)
                    .enumerate()
                    .for_each(|(i, row)| causal_softmax_row(row, i));
                let y = MatMut {
                    data: &mut out[h * hs..],
                    rows: t,
                    cols: hs,
                    rs: d,
                };
                gemm_into(View::rows(p, t, t), v, y, 1.0, 0.0);
            }
        });
}

/// Backward of [`attention_forward`]: `dqkv =` (overwritten) from `dout`, the gradient of
/// its output. `scratch` holds `T × T` floats per sequence.
pub(crate) fn attention_backward(
    dqkv: &mut [f32],
    dout: &[f32],
    (att, qkv): (&[f32], &[f32]),
    scratch: &mut [f32],
    s: AttnShape,
) {
    let (t, d, hs) = (s.t, s.d(), s.hs);
    let inputs = att
        .par_chunks(s.heads * t * t)
        .zip(qkv.par_chunks(t * 3 * d));
    dqkv.par_chunks_mut(t * 3 * d)
        .zip(dout.par_chunks(t * d))
        .zip(inputs)
        .zip(scratch.par_chunks_mut(t * t))
        .for_each(|(((dqkv, dout), (att, qkv)), ds)| {
            for (h, p) in att.chunks(t * t).enumerate() {
                let (q, k, v) = (s.part(qkv, 0, h), s.part(qkv, 1, h), s.part(qkv, 2, h));
                let dy = View::strided(&dout[h * hs..], (t, hs), (d, 1));
                let p_view = View::rows(p, t, t);
                // dP = dY·Vᵀ, dV = Pᵀ·dY.
                gemm_into(dy, v.t(), MatMut::rows(ds, t, t), 1.0, 0.0);
                gemm_into(p_view.t(), dy, s.part_mut(dqkv, 2, h), 1.0, 0.0);
                // Softmax backward, scaled: dS = P ⊙ (dP − Σ_j P·dP) / √hs (0 above the
                // diagonal, where P is 0).
                for (dp, p) in ds.chunks_mut(t).zip(p.chunks(t)) {
                    let weighted: f32 = dp.iter().zip(p).map(|(g, a)| g * a).sum();
                    dp.iter_mut()
                        .zip(p)
                        .for_each(|(g, a)| *g = a * (*g - weighted) * s.scale());
                }
                // dQ = dS·K, dK = dSᵀ·Q.
                let ds_view = View::rows(ds, t, t);
                gemm_into(ds_view, k, s.part_mut(dqkv, 0, h), 1.0, 0.0);
                gemm_into(ds_view.t(), q, s.part_mut(dqkv, 1, h), 1.0, 0.0);
            }
        });
}
