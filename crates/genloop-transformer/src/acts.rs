//! The reusable activation and activation-gradient buffers of one forward/backward pass.

/// One block's saved activations (`n` = batch × time rows).
#[derive(Clone, Debug, Default)]
pub(crate) struct LayerActs {
    pub ln_1: Vec<f32>,
    pub ln_1_mean: Vec<f32>,
    pub ln_1_rstd: Vec<f32>,
    pub qkv: Vec<f32>,
    pub att: Vec<f32>,
    pub atty: Vec<f32>,
    pub resid_attn: Vec<f32>,
    pub ln_2: Vec<f32>,
    pub ln_2_mean: Vec<f32>,
    pub ln_2_rstd: Vec<f32>,
    pub fch: Vec<f32>,
    pub fch_gelu: Vec<f32>,
    pub resid_out: Vec<f32>,
    /// Dropout masks (0 or 1 / (1 − p)) on the attention and MLP outputs.
    pub attn_mask: Vec<f32>,
    pub mlp_mask: Vec<f32>,
}

impl LayerActs {
    fn new(n: usize, d: usize, att: usize) -> Self {
        LayerActs {
            ln_1: vec![0.0; n * d],
            ln_1_mean: vec![0.0; n],
            ln_1_rstd: vec![0.0; n],
            qkv: vec![0.0; n * 3 * d],
            att: vec![0.0; att],
            atty: vec![0.0; n * d],
            resid_attn: vec![0.0; n * d],
            ln_2: vec![0.0; n * d],
            ln_2_mean: vec![0.0; n],
            ln_2_rstd: vec![0.0; n],
            fch: vec![0.0; n * 4 * d],
            fch_gelu: vec![0.0; n * 4 * d],
            resid_out: vec![0.0; n * d],
            attn_mask: vec![0.0; n * d],
            mlp_mask: vec![0.0; n * d],
        }
    }
}

/// Scratch gradients of activations, shared by every block in the backward pass.
#[derive(Clone, Debug, Default)]
pub(crate) struct GradScratch {
    pub dres: Vec<f32>,
    pub dln: Vec<f32>,
    pub dqkv: Vec<f32>,
    pub datty: Vec<f32>,
    pub dfch: Vec<f32>,
    pub dfch_gelu: Vec<f32>,
    pub dlogits: Vec<f32>,
    pub dproj: Vec<f32>,
    /// `T × T` per sequence: attention's score gradients for one head at a time.
    pub datt: Vec<f32>,
    /// Partial products of weight gradients (grown on demand).
    pub wgrad: Vec<f32>,
}

/// Every buffer of a pass over a `[batch, time]` input; reallocated only when the shape changes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Activations {
    pub batch: usize,
    pub time: usize,
    pub tokens: Vec<u32>,
    pub targets: Vec<u32>,
    pub encoded: Vec<f32>,
    /// Whether the masks below were drawn for the last forward pass.
    pub dropout_on: bool,
    pub embed_mask: Vec<f32>,
    pub layers: Vec<LayerActs>,
    pub proj: Vec<f32>,
    pub ln_f: Vec<f32>,
    pub ln_f_mean: Vec<f32>,
    pub ln_f_rstd: Vec<f32>,
    pub logits: Vec<f32>,
    pub probs: Vec<f32>,
    pub losses: Vec<f32>,
    pub grads: GradScratch,
}

/// The dimensions an [`Activations`] is sized for.
pub(crate) struct Dims {
    pub batch: usize,
    pub time: usize,
    pub d: usize,
    pub heads: usize,
    pub layers: usize,
    pub vocab: usize,
}

impl Activations {
    /// Buffers for this shape, reusing the current ones when the shape is unchanged.
    pub fn ensure(&mut self, dims: &Dims) {
        let n = dims.batch * dims.time;
        let same =
            self.batch == dims.batch && self.time == dims.time && self.layers.len() == dims.layers;
        let heads_fit = self
            .layers
            .first()
            .is_some_and(|l| l.att.len() == dims.batch * dims.heads * dims.time * dims.time);
        if same
            && heads_fit
            && self.encoded.len() == n * dims.d
            && self.logits.len() == n * dims.vocab
        {
            return;
        }
        let (d, v) = (dims.d, dims.vocab);
        let att = dims.batch * dims.heads * dims.time * dims.time;
        *self = Activations {
            batch: dims.batch,
            time: dims.time,
            tokens: vec![0; n],
            targets: Vec::with_capacity(n),
            encoded: vec![0.0; n * d],
            dropout_on: false,
            embed_mask: vec![0.0; n * d],
            layers: (0..dims.layers)
                .map(|_| LayerActs::new(n, d, att))
                .collect(),
            proj: vec![0.0; n * d],
            ln_f: vec![0.0; n * d],
            ln_f_mean: vec![0.0; n],
            ln_f_rstd: vec![0.0; n],
            logits: vec![0.0; n * v],
            probs: vec![0.0; n * v],
            losses: vec![0.0; n],
            grads: GradScratch {
                dres: vec![0.0; n * d],
                dln: vec![0.0; n * d],
                dqkv: vec![0.0; n * 3 * d],
                datty: vec![0.0; n * d],
                dfch: vec![0.0; n * 4 * d],
                dfch_gelu: vec![0.0; n * 4 * d],
                dlogits: vec![0.0; n * v],
                dproj: vec![0.0; n * d],
                datt: vec![0.0; n * dims.time],
                wgrad: Vec::new(),
            },
        };
    }
}

impl LayerActs {
    /// The (attention, MLP) output masks when dropout is on.
    pub fn masks(&self, on: bool) -> (Option<&[f32]>, Option<&[f32]>) {
        if on {
            (Some(&self.attn_mask), Some(&self.mlp_mask))
        } else {
            (None, None)
        }
    }
}

/// `out = a + b ⊙ mask` (`mask` absent: `a + b`).
pub(crate) fn add_masked(out: &mut [f32], a: &[f32], b: &[f32], mask: Option<&[f32]>) {
    use rayon::prelude::*;
    match mask {
        Some(m) => out
            .par_iter_mut()
            .zip(a.par_iter().zip(b.par_iter().zip(m.par_iter())))
            .for_each(|(o, (x, (y, m)))| *o = x + y * m),
        None => out
            .par_iter_mut()
            .zip(a.par_iter().zip(b.par_iter()))
            .for_each(|(o, (x, y))| *o = x + y),
    }
}

/// `out = g ⊙ mask` (`mask` absent: a copy of `g`).
pub(crate) fn mask_into(out: &mut [f32], g: &[f32], mask: Option<&[f32]>) {
    match mask {
        Some(m) => out
            .iter_mut()
            .zip(g.iter().zip(m))
            .for_each(|(o, (g, m))| *o = g * m),
        None => out.copy_from_slice(g),
    }
}
