//! Incremental decoding with a key/value cache: one new token per sequence per step, each
//! attending to the cached keys and values of the positions before it.

use crate::gemm::{gemm_rows, linear_forward, View};
use crate::model::InputError;
use crate::ops::{self, dot, NormStats};
use crate::params::Params;
use crate::simd;
use rayon::prelude::*;

/// The cache and scratch buffers of `batch` sequences decoded together, up to `window`
/// positions each.
#[derive(Clone, Debug)]
pub struct Decoder {
    batch: usize,
    window: usize,
    pos: usize,
    /// Per layer: keys and values `[batch, window, d]`.
    keys: Vec<Vec<f32>>,
    values: Vec<Vec<f32>>,
    x: Vec<f32>,
    ln: Vec<f32>,
    mean: Vec<f32>,
    rstd: Vec<f32>,
    qkv: Vec<f32>,
    atty: Vec<f32>,
    proj: Vec<f32>,
    fch: Vec<f32>,
    fch_gelu: Vec<f32>,
    logits: Vec<f32>,
    scores: Vec<f32>,
}

impl Decoder {
    /// An empty cache for `batch` sequences of up to `window` positions (at most the
    /// model's `n_positions`).
    pub fn new(params: &Params, batch: usize, window: usize) -> Result<Self, InputError> {
        let c = &params.config;
        if window == 0 || window > c.n_positions {
            return Err(InputError::Time {
                time: window,
                n_positions: c.n_positions,
            });
        }
        let (d, b) = (c.n_embd, batch);
        let cache = || (0..c.n_layer).map(|_| vec![0.0; b * window * d]).collect();
        Ok(Decoder {
            batch,
            window,
            pos: 0,
            keys: cache(),
            values: cache(),
            x: vec![0.0; b * d],
            ln: vec![0.0; b * d],
            mean: vec![0.0; b],
            rstd: vec![0.0; b],
            qkv: vec![0.0; b * 3 * d],
            atty: vec![0.0; b * d],
            proj: vec![0.0; b * d],
            fch: vec![0.0; b * 4 * d],
            fch_gelu: vec![0.0; b * 4 * d],
            logits: vec![0.0; b * c.vocab_size],
            scores: vec![0.0; b * window],
        })
    }

    /// Positions decoded so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Feeds one token per sequence at the next position; returns the logits
    /// `[batch, vocab_size]` for the position after it.
    pub fn step(&mut self, params: &Params, tokens: &[u32]) -> Result<&[f32], InputError> {
        let c = &params.config;
        if tokens.len() != self.batch {
            return Err(InputError::Length {
                expected: self.batch,
                got: tokens.len(),
            });
        }
        if self.pos >= self.window {
            return Err(InputError::Time {
                time: self.pos + 1,
                n_positions: self.window,
            });
        }
        if let Some(&id) = tokens.iter().find(|&&id| id as usize >= c.vocab_size) {
            return Err(InputError::Token {
                id,
                vocab_size: c.vocab_size,
            });
        }
        self.embed(params, tokens);
        for layer in 0..c.n_layer {
            self.layer(params, layer);
        }
        self.head(params);
        self.pos += 1;
        Ok(&self.logits)
    }

    fn embed(&mut self, params: &Params, tokens: &[u32]) {
        let (p, l, d) = (&params.data, &params.layout, params.config.n_embd);
        for (x, &tok) in self.x.chunks_mut(d).zip(tokens) {
            let (te, pe) = (
                &p[l.wte + tok as usize * d..][..d],
                &p[l.wpe + self.pos * d..][..d],
            );
            x.iter_mut()
                .zip(te.iter().zip(pe))
                .for_each(|(x, (t, q))| *x = t + q);
        }
    }

    fn layer(&mut self, params: &Params, layer: usize) {
        let (p, c) = (&params.data, &params.config);
        let o = params.layout.layers[layer];
        let (d, eps) = (c.n_embd, c.layer_norm_epsilon);
        self.norm(&p[o.ln_1_w..][..d], &p[o.ln_1_b..][..d], eps);
        let (w, b) = (&p[o.c_attn_w..][..3 * d * d], &p[o.c_attn_b..][..3 * d]);
        linear_forward(&mut self.qkv, &self.ln, w, b, d, 3 * d);
        self.attend(layer, c.n_head);
        let (w, b) = (&p[o.attn_proj_w..][..d * d], &p[o.attn_proj_b..][..d]);
        linear_forward(&mut self.proj, &self.atty, w, b, d, d);
        self.x.iter_mut().zip(&self.proj).for_each(|(x, y)| *x += y);
        self.norm(&p[o.ln_2_w..][..d], &p[o.ln_2_b..][..d], eps);
        let (w, b) = (&p[o.c_fc_w..][..4 * d * d], &p[o.c_fc_b..][..4 * d]);
        linear_forward(&mut self.fch, &self.ln, w, b, d, 4 * d);
        ops::gelu_forward(&mut self.fch_gelu, &self.fch);
        let (w, b) = (&p[o.mlp_proj_w..][..4 * d * d], &p[o.mlp_proj_b..][..d]);
        linear_forward(&mut self.proj, &self.fch_gelu, w, b, 4 * d, d);
        self.x.iter_mut().zip(&self.proj).for_each(|(x, y)| *x += y);
    }

    /// Layer norm of the residual stream into `ln`.
    fn norm(&mut self, weight: &[f32], bias: &[f32], eps: f32) {
        let stats = NormStats {
            mean: &mut self.mean,
            rstd: &mut self.rstd,
        };
        ops::layernorm_forward(&mut self.ln, stats, &self.x, weight, bias, eps);
    }

    /// Stores this position's keys and values, then attends each sequence's new query to
    /// every cached position (sequences in parallel).
    fn attend(&mut self, layer: usize, heads: usize) {
        let (d, w, pos) = (self.x.len() / self.batch, self.window, self.pos);
        let (keys, values) = (&mut self.keys[layer], &mut self.values[layer]);
        for (b, qkv) in self.qkv.chunks(3 * d).enumerate() {
            keys[(b * w + pos) * d..][..d].copy_from_slice(&qkv[d..2 * d]);
            values[(b * w + pos) * d..][..d].copy_from_slice(&qkv[2 * d..]);
        }
        let (keys, values) = (&*keys, &*values);
        let hs = d / heads;
        let scale = 1.0 / (hs as f32).sqrt();
        let work = self
            .atty
            .par_chunks_mut(d)
            .zip(self.scores.par_chunks_mut(w))
            .zip(self.qkv.par_chunks(3 * d));
        work.enumerate().for_each(|(b, ((y, scores), qkv))| {
            let (k, v) = (&keys[b * w * d..][..w * d], &values[b * w * d..][..w * d]);
            for h in 0..heads {
                let q = &qkv[h * hs..][..hs];
                let row = &mut scores[..=pos];
                for (t, s) in row.iter_mut().enumerate() {
                    *s = dot(q, &k[t * d + h * hs..][..hs]) * scale;
                }
                simd::softmax(row);
                let out = &mut y[h * hs..][..hs];
                out.fill(0.0);
                for (t, &a) in row.iter().enumerate() {
                    let v = &v[t * d + h * hs..][..hs];
                    out.iter_mut().zip(v).for_each(|(o, v)| *o += a * v);
                }
            }
        });
    }

    fn head(&mut self, params: &Params) {
        let (p, l, c) = (&params.data, &params.layout, &params.config);
        let (d, v) = (c.n_embd, c.vocab_size);
        let st = NormStats {
            mean: &mut self.mean,
            rstd: &mut self.rstd,
        };
        ops::layernorm_forward(
            &mut self.ln,
            st,
            &self.x,
            &p[l.ln_f_w..][..d],
            &p[l.ln_f_b..][..d],
            c.layer_norm_epsilon,
        );
        let wte = View::transposed(&p[l.wte..][..v * d], v, d);
        gemm_rows(
            View::rows(&self.ln, self.batch, d),
            wte,
            &mut self.logits,
            1.0,
            0.0,
        );
    }
}
