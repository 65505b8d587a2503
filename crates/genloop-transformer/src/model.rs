//! The GPT-2 forward pass over a `[batch, time]` batch of token ids, mean cross-entropy
//! against targets, and the backward pass into a flat gradient buffer laid out like the
//! parameters.

use crate::acts::{add_masked, mask_into, Activations, Dims, LayerActs};
use crate::attention::{self, AttnShape};
use crate::gemm::{
    gemm_acc_split_k, gemm_rows, linear_backward, linear_forward, LinearGrads, View,
};
use crate::ops::{self, NormStats};
use crate::params::{LayerOffsets, Params};
use genloop_core::seed::Rng;
use rand::Rng as _;
use rayon::prelude::*;
use thiserror::Error;

/// Why a batch cannot go through the model.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum InputError {
    /// The token slice is not `batch × time` long (or targets differ from tokens in length).
    #[error("expected {expected} token ids (batch × time), got {got}")]
    Length {
        /// batch × time.
        expected: usize,
        /// What was passed.
        got: usize,
    },
    /// `time` is 0 or exceeds `n_positions`.
    #[error("sequence length {time} is outside 1..={n_positions} (n_positions)")]
    Time {
        /// The sequence length asked for.
        time: usize,
        /// The model's longest context.
        n_positions: usize,
    },
    /// A token id (or target) is not below `vocab_size`.
    #[error("token id {id} is not below vocab_size = {vocab_size}")]
    Token {
        /// The offending id.
        id: u32,
        /// The model's vocabulary size.
        vocab_size: usize,
    },
    /// Sampling was asked to continue an empty prompt.
    #[error("sampling needs a prompt of at least one token")]
    EmptyPrompt,
    /// `backward` was called without a forward pass with targets before it.
    #[error("backward needs a forward pass with targets first")]
    NoTargets,
}

/// A GPT-2 model: parameters, their gradients (same layout) and reusable activations.
#[derive(Clone, Debug)]
pub struct Gpt2 {
    /// The parameters.
    pub params: Params,
    /// Gradients of the last backward pass, laid out like `params.data`.
    pub grads: Vec<f32>,
    /// Dropout on the embeddings and on each block's attention and MLP outputs (GPT-2's
    /// residual dropout; attention weights are not dropped). `None`: no dropout, as for
    /// evaluation and sampling.
    pub dropout: Option<Dropout>,
    acts: Activations,
}

/// Dropout probability and the seeded stream its masks are drawn from (one draw per
/// element, in a fixed order, so masks do not depend on the thread count).
#[derive(Clone, Debug)]
pub struct Dropout {
    /// Probability of zeroing an element, in [0, 1).
    pub p: f32,
    /// Where the masks come from.
    pub rng: Rng,
}

fn fill_mask(mask: &mut [f32], dropout: &mut Dropout) {
    let keep = 1.0 / (1.0 - dropout.p);
    for m in mask {
        *m = if dropout.rng.random::<f32>() < dropout.p {
            0.0
        } else {
            keep
        };
    }
}

/// A pair of adjacent tensors (weight then bias) of the gradient buffer, mutably.
fn pair(g: &mut [f32], at: usize, w_len: usize, b_len: usize) -> (&mut [f32], &mut [f32]) {
    g[at..at + w_len + b_len].split_at_mut(w_len)
}

impl Gpt2 {
    /// A model around these parameters, with zero gradients.
    pub fn new(params: Params) -> Self {
        let grads = vec![0.0; params.len()];
        Gpt2 {
            params,
            grads,
            dropout: None,
            acts: Activations::default(),
        }
    }

    fn check_input(&self, tokens: &[u32], batch: usize, time: usize) -> Result<(), InputError> {
        let config = &self.params.config;
        if time == 0 || time > config.n_positions {
            return Err(InputError::Time {
                time,
                n_positions: config.n_positions,
            });
        }
        if tokens.len() != batch * time {
            return Err(InputError::Length {
                expected: batch * time,
                got: tokens.len(),
            });
        }
        match tokens.iter().find(|&&id| id as usize >= config.vocab_size) {
            Some(&id) => Err(InputError::Token {
                id,
                vocab_size: config.vocab_size,
            }),
            None => Ok(()),
        }
    }

    /// Runs the model over `tokens` (`batch` sequences of `time` ids, row-major). With
    /// `targets` (same shape) it returns the mean cross-entropy, in nats per token, and
    /// prepares [`Gpt2::backward`]. The logits are then in [`Gpt2::logits`].
    pub fn forward(
        &mut self,
        tokens: &[u32],
        targets: Option<&[u32]>,
        batch: usize,
        time: usize,
    ) -> Result<Option<f32>, InputError> {
        self.check_input(tokens, batch, time)?;
        if let Some(targets) = targets {
            self.check_input(targets, batch, time)?;
        }
        let c = &self.params.config;
        let dims = Dims {
            batch,
            time,
            d: c.n_embd,
            heads: c.n_head,
            layers: c.n_layer,
            vocab: c.vocab_size,
        };
        self.acts.ensure(&dims);
        self.acts.tokens.copy_from_slice(tokens);
        self.draw_masks();
        self.encode();
        for l in 0..dims.layers {
            self.block_forward(l);
        }
        self.head_forward();
        self.acts.targets.clear();
        let Some(targets) = targets else {
            return Ok(None);
        };
        self.acts.targets.extend_from_slice(targets);
        let a = &mut self.acts;
        ops::softmax_xent_forward(&mut a.probs, &mut a.losses, &a.logits, &a.targets);
        let sum: f64 = a.losses.iter().map(|&l| f64::from(l)).sum();
        Ok(Some((sum / a.losses.len() as f64) as f32))
    }

    /// Logits `[batch, time, vocab_size]` of the last forward pass.
    pub fn logits(&self) -> &[f32] {
        &self.acts.logits
    }

    /// Draws this pass's dropout masks, or marks them unused.
    fn draw_masks(&mut self) {
        let a = &mut self.acts;
        a.dropout_on = self.dropout.as_ref().is_some_and(|d| d.p > 0.0);
        let Some(dropout) = self.dropout.as_mut().filter(|_| a.dropout_on) else {
            return;
        };
        fill_mask(&mut a.embed_mask, dropout);
        for la in &mut a.layers {
            fill_mask(&mut la.attn_mask, dropout);
            fill_mask(&mut la.mlp_mask, dropout);
        }
    }

    /// Token plus position embeddings into the residual stream.
    fn encode(&mut self) {
        let (p, l, d) = (
            &self.params.data,
            &self.params.layout,
            self.params.config.n_embd,
        );
        let (time, on) = (self.acts.time, self.acts.dropout_on);
        let (tokens, mask) = (&self.acts.tokens, &self.acts.embed_mask);
        self.acts
            .encoded
            .par_chunks_mut(d)
            .enumerate()
            .for_each(|(row, out)| {
                let tok = &p[l.wte + tokens[row] as usize * d..][..d];
                let pos = &p[l.wpe + (row % time) * d..][..d];
                for i in 0..d {
                    out[i] = tok[i] + pos[i];
                }
                if on {
                    let mask = &mask[row * d..][..d];
                    out.iter_mut().zip(mask).for_each(|(x, m)| *x *= m);
                }
            });
    }

    fn block_forward(&mut self, layer: usize) {
        let (p, c) = (&self.params.data, &self.params.config);
        let block = Block {
            p,
            o: self.params.layout.layers[layer],
            d: c.n_embd,
            eps: c.layer_norm_epsilon,
            on: self.acts.dropout_on,
        };
        let shape = AttnShape {
            t: self.acts.time,
            heads: c.n_head,
            hs: c.head_size(),
        };
        let (before, rest) = self.acts.layers.split_at_mut(layer);
        let input: &[f32] = before
            .last()
            .map_or(&self.acts.encoded, |prev| &prev.resid_out);
        let (la, proj) = (&mut rest[0], &mut self.acts.proj);
        block.attention_forward(input, la, proj, shape);
        block.mlp_forward(la, proj);
    }

    /// Final LayerNorm and the output projection tied to `wte`.
    fn head_forward(&mut self) {
        let (p, l, c) = (&self.params.data, &self.params.layout, &self.params.config);
        let (d, v) = (c.n_embd, c.vocab_size);
        let a = &mut self.acts;
        let last: &[f32] = a.layers.last().map_or(&a.encoded, |la| &la.resid_out);
        let stats = NormStats {
            mean: &mut a.ln_f_mean,
            rstd: &mut a.ln_f_rstd,
        };
        ops::layernorm_forward(
            &mut a.ln_f,
            stats,
            last,
            &p[l.ln_f_w..][..d],
            &p[l.ln_f_b..][..d],
            c.layer_norm_epsilon,
        );
        let (n, wte) = (a.ln_f.len() / d, &p[l.wte..][..v * d]);
        gemm_rows(
            View::rows(&a.ln_f, n, d),
            View::transposed(wte, v, d),
            &mut a.logits,
            1.0,
            0.0,
        );
    }

    /// Gradients of the last forward pass's mean loss with respect to every parameter,
    /// written (not accumulated) into [`Gpt2::grads`].
    pub fn backward(&mut self) -> Result<(), InputError> {
        if self.acts.targets.is_empty() {
            return Err(InputError::NoTargets);
        }
        self.grads.fill(0.0);
        self.head_backward();
        for l in (0..self.params.config.n_layer).rev() {
            self.block_backward(l);
        }
        self.encode_backward();
        Ok(())
    }

    /// Cross-entropy, tied output projection and final LayerNorm; leaves `dres` holding the
    /// gradient of the last residual stream.
    fn head_backward(&mut self) {
        let (p, l, c) = (&self.params.data, &self.params.layout, &self.params.config);
        let (d, v) = (c.n_embd, c.vocab_size);
        let a = &mut self.acts;
        let g = &mut a.grads;
        ops::softmax_xent_backward(&mut g.dlogits, &a.probs, &a.targets);
        let n = a.targets.len();
        let wte = &p[l.wte..][..v * d];
        gemm_rows(
            View::rows(&g.dlogits, n, v),
            View::rows(wte, v, d),
            &mut g.dln,
            1.0,
            0.0,
        );
        let dwte = &mut self.grads[l.wte..][..v * d];
        gemm_acc_split_k(
            View::transposed(&g.dlogits, n, v),
            View::rows(&a.ln_f, n, d),
            dwte,
            &mut g.wgrad,
        );
        g.dres.fill(0.0);
        let last: &[f32] = a.layers.last().map_or(&a.encoded, |la| &la.resid_out);
        let dwb = pair(&mut self.grads, l.ln_f_w, d, d);
        ops::layernorm_backward(
            &mut g.dres,
            dwb,
            &g.dln,
            last,
            &p[l.ln_f_w..][..d],
            (&a.ln_f_mean, &a.ln_f_rstd),
        );
    }

    fn block_backward(&mut self, layer: usize) {
        let (p, c) = (&self.params.data, &self.params.config);
        let o = self.params.layout.layers[layer];
        let d = c.n_embd;
        let shape = AttnShape {
            t: self.acts.time,
            heads: c.n_head,
            hs: c.head_size(),
        };
        let a = &mut self.acts;
        let input: &[f32] = if layer == 0 {
            &a.encoded
        } else {
            &a.layers[layer - 1].resid_out
        };
        let (la, g, gr) = (&a.layers[layer], &mut a.grads, &mut self.grads);
        let (attn_mask, mlp_mask) = la.masks(a.dropout_on);
        mlp_backward(gr, p, &o, la, g, (d, mlp_mask));
        let (dw, dbias) = pair(gr, o.attn_proj_w, d * d, d);
        mask_into(&mut g.dproj, &g.dres, attn_mask);
        linear_backward(
            LinearGrads {
                dinp: &mut g.datty,
                dw,
                dbias,
                scratch: &mut g.wgrad,
            },
            &g.dproj,
            &la.atty,
            &p[o.attn_proj_w..][..d * d],
            d,
            d,
        );
        attention::attention_backward(
            &mut g.dqkv,
            &g.datty,
            (&la.att, &la.qkv),
            &mut g.datt,
            shape,
        );
        let (dw, dbias) = pair(gr, o.c_attn_w, 3 * d * d, 3 * d);
        linear_backward(
            LinearGrads {
                dinp: &mut g.dln,
                dw,
                dbias,
                scratch: &mut g.wgrad,
            },
            &g.dqkv,
            &la.ln_1,
            &p[o.c_attn_w..][..3 * d * d],
            d,
            3 * d,
        );
        let dwb = pair(gr, o.ln_1_w, d, d);
        ops::layernorm_backward(
            &mut g.dres,
            dwb,
            &g.dln,
            input,
            &p[o.ln_1_w..][..d],
            (&la.ln_1_mean, &la.ln_1_rstd),
        );
    }

    /// Token and position embedding gradients from the residual stream's gradient.
    fn encode_backward(&mut self) {
        let (l, d) = (&self.params.layout, self.params.config.n_embd);
        let a = &mut self.acts;
        mask_into(
            &mut a.grads.dproj,
            &a.grads.dres,
            a.dropout_on.then_some(&a.embed_mask[..]),
        );
        for (row, dx) in a.grads.dproj.chunks(d).enumerate() {
            let tok = a.tokens[row] as usize;
            let dwte = &mut self.grads[l.wte + tok * d..][..d];
            dwte.iter_mut().zip(dx).for_each(|(g, x)| *g += x);
            let dwpe = &mut self.grads[l.wpe + (row % a.time) * d..][..d];
            dwpe.iter_mut().zip(dx).for_each(|(g, x)| *g += x);
        }
    }
}

/// One block's parameters and settings for its forward pass.
struct Block<'a> {
    p: &'a [f32],
    o: LayerOffsets,
    d: usize,
    eps: f32,
    on: bool,
}

impl Block<'_> {
    /// `resid_attn = input + dropout(c_proj(attention(ln_1(input))))`.
    fn attention_forward(
        &self,
        input: &[f32],
        la: &mut LayerActs,
        proj: &mut [f32],
        shape: AttnShape,
    ) {
        let (p, o, d) = (self.p, &self.o, self.d);
        let stats = NormStats {
            mean: &mut la.ln_1_mean,
            rstd: &mut la.ln_1_rstd,
        };
        ops::layernorm_forward(
            &mut la.ln_1,
            stats,
            input,
            &p[o.ln_1_w..][..d],
            &p[o.ln_1_b..][..d],
            self.eps,
        );
        let (w, b) = (&p[o.c_attn_w..][..3 * d * d], &p[o.c_attn_b..][..3 * d]);
        linear_forward(&mut la.qkv, &la.ln_1, w, b, d, 3 * d);
        attention::attention_forward(&mut la.atty, &mut la.att, &la.qkv, shape);
        let (w, b) = (&p[o.attn_proj_w..][..d * d], &p[o.attn_proj_b..][..d]);
        linear_forward(proj, &la.atty, w, b, d, d);
        add_masked(
            &mut la.resid_attn,
            input,
            proj,
            self.on.then_some(&la.attn_mask),
        );
    }

    /// `resid_out = resid_attn + dropout(c_proj(gelu(c_fc(ln_2(resid_attn)))))`.
    fn mlp_forward(&self, la: &mut LayerActs, proj: &mut [f32]) {
        let (p, o, d) = (self.p, &self.o, self.d);
        let stats = NormStats {
            mean: &mut la.ln_2_mean,
            rstd: &mut la.ln_2_rstd,
        };
        ops::layernorm_forward(
            &mut la.ln_2,
            stats,
            &la.resid_attn,
            &p[o.ln_2_w..][..d],
            &p[o.ln_2_b..][..d],
            self.eps,
        );
        let (w, b) = (&p[o.c_fc_w..][..4 * d * d], &p[o.c_fc_b..][..4 * d]);
        linear_forward(&mut la.fch, &la.ln_2, w, b, d, 4 * d);
        ops::gelu_forward(&mut la.fch_gelu, &la.fch);
        let (w, b) = (&p[o.mlp_proj_w..][..4 * d * d], &p[o.mlp_proj_b..][..d]);
        linear_forward(proj, &la.fch_gelu, w, b, 4 * d, d);
        add_masked(
            &mut la.resid_out,
            &la.resid_attn,
            proj,
            self.on.then_some(&la.mlp_mask),
        );
    }
}

/// The MLP half of a block's backward pass: `dres` holds the block output's gradient on
/// entry and gains the LayerNorm-2 path on exit.
fn mlp_backward(
    gr: &mut [f32],
    p: &[f32],
    o: &LayerOffsets,
    la: &LayerActs,
    g: &mut crate::acts::GradScratch,
    (d, mask): (usize, Option<&[f32]>),
) {
    let (dw, dbias) = pair(gr, o.mlp_proj_w, 4 * d * d, d);
    mask_into(&mut g.dproj, &g.dres, mask);
    linear_backward(
        LinearGrads {
            dinp: &mut g.dfch_gelu,
            dw,
            dbias,
            scratch: &mut g.wgrad,
        },
        &g.dproj,
        &la.fch_gelu,
        &p[o.mlp_proj_w..][..4 * d * d],
        4 * d,
        d,
    );
    ops::gelu_backward(&mut g.dfch, &la.fch, &g.dfch_gelu);
    let (dw, dbias) = pair(gr, o.c_fc_w, 4 * d * d, 4 * d);
    linear_backward(
        LinearGrads {
            dinp: &mut g.dln,
            dw,
            dbias,
            scratch: &mut g.wgrad,
        },
        &g.dfch,
        &la.ln_2,
        &p[o.c_fc_w..][..4 * d * d],
        d,
        4 * d,
    );
    let dwb = pair(gr, o.ln_2_w, d, d);
    ops::layernorm_backward(
        &mut g.dres,
        dwb,
        &g.dln,
        &la.resid_attn,
        &p[o.ln_2_w..][..d],
        (&la.ln_2_mean, &la.ln_2_rstd),
    );
}
