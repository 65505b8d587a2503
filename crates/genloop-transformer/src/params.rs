//! All parameters in one flat `Vec<f32>`, with named views in Hugging Face GPT-2's order.

use crate::config::{ConfigError, Gpt2Config};
use genloop_core::seed::Rng;
use rand_distr::{Distribution, Normal};

/// One named tensor inside the flat buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorSpec {
    /// Hugging Face name without the `transformer.` prefix, e.g. `h.0.attn.c_attn.weight`.
    pub name: String,
    /// Row-major shape; Conv1D weights are `[in, out]`.
    pub shape: Vec<usize>,
    /// Start in the flat buffer.
    pub offset: usize,
}

impl TensorSpec {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element range in the flat buffer.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len()
    }
}

/// Offsets of one block's tensors in the flat buffer; each field is named after its
/// Hugging Face tensor (`ln_1_w` is `h.{i}.ln_1.weight`, `attn_proj_w` is
/// `h.{i}.attn.c_proj.weight`, `mlp_proj_w` is `h.{i}.mlp.c_proj.weight`, …).
#[derive(Clone, Copy, Debug, Default)]
pub struct LayerOffsets {
    pub ln_1_w: usize,
    pub ln_1_b: usize,
    pub c_attn_w: usize,
    pub c_attn_b: usize,
    pub attn_proj_w: usize,
    pub attn_proj_b: usize,
    pub ln_2_w: usize,
    pub ln_2_b: usize,
    pub c_fc_w: usize,
    pub c_fc_b: usize,
    pub mlp_proj_w: usize,
    pub mlp_proj_b: usize,
}

/// Where every tensor lies in the flat buffer (parameters and gradients share it).
#[derive(Clone, Debug)]
pub struct Layout {
    /// Every tensor, in Hugging Face order.
    pub tensors: Vec<TensorSpec>,
    /// Offset of `wte` [vocab, d].
    pub wte: usize,
    /// Offset of `wpe` [n_positions, d].
    pub wpe: usize,
    /// Per-block offsets.
    pub layers: Vec<LayerOffsets>,
    /// Offset of `ln_f.weight`.
    pub ln_f_w: usize,
    /// Offset of `ln_f.bias`.
    pub ln_f_b: usize,
    /// Total number of parameters.
    pub total: usize,
}

struct Builder {
    tensors: Vec<TensorSpec>,
    total: usize,
}

impl Builder {
    fn add(&mut self, name: String, shape: &[usize]) -> usize {
        let offset = self.total;
        let spec = TensorSpec {
            name,
            shape: shape.to_vec(),
            offset,
        };
        self.total += spec.len();
        self.tensors.push(spec);
        offset
    }

    fn layer(&mut self, i: usize, d: usize) -> LayerOffsets {
        let p = |s: &str| format!("h.{i}.{s}");
        LayerOffsets {
            ln_1_w: self.add(p("ln_1.weight"), &[d]),
            ln_1_b: self.add(p("ln_1.bias"), &[d]),
            c_attn_w: self.add(p("attn.c_attn.weight"), &[d, 3 * d]),
            c_attn_b: self.add(p("attn.c_attn.bias"), &[3 * d]),
            attn_proj_w: self.add(p("attn.c_proj.weight"), &[d, d]),
            attn_proj_b: self.add(p("attn.c_proj.bias"), &[d]),
            ln_2_w: self.add(p("ln_2.weight"), &[d]),
            ln_2_b: self.add(p("ln_2.bias"), &[d]),
            c_fc_w: self.add(p("mlp.c_fc.weight"), &[d, 4 * d]),
            c_fc_b: self.add(p("mlp.c_fc.bias"), &[4 * d]),
            mlp_proj_w: self.add(p("mlp.c_proj.weight"), &[4 * d, d]),
            mlp_proj_b: self.add(p("mlp.c_proj.bias"), &[d]),
        }
    }
}

impl Layout {
    /// The layout of a model with this config.
    pub fn new(config: &Gpt2Config) -> Self {
        let d = config.n_embd;
        let mut b = Builder {
            tensors: Vec::new(),
            total: 0,
        };
        let wte = b.add("wte.weight".into(), &[config.vocab_size, d]);
        let wpe = b.add("wpe.weight".into(), &[config.n_positions, d]);
        let layers = (0..config.n_layer).map(|i| b.layer(i, d)).collect();
        let ln_f_w = b.add("ln_f.weight".into(), &[d]);
        let ln_f_b = b.add("ln_f.bias".into(), &[d]);
        Layout {
            tensors: b.tensors,
            wte,
            wpe,
            layers,
            ln_f_w,
            ln_f_b,
            total: b.total,
        }
    }

    /// The tensor with this name (without the `transformer.` prefix).
    pub fn find(&self, name: &str) -> Option<&TensorSpec> {
        self.tensors.iter().find(|t| t.name == name)
    }
}

/// A model's parameters: its config, layout and one flat buffer.
#[derive(Clone, Debug)]
pub struct Params {
    /// The checked config.
    pub config: Gpt2Config,
    /// Where each tensor lies in `data`.
    pub layout: Layout,
    /// Every parameter, tensors back to back in `layout` order.
    pub data: Vec<f32>,
}

impl Params {
    /// All-zero parameters for a checked config.
    pub fn zeros(config: &Gpt2Config) -> Result<Self, ConfigError> {
        config.check()?;
        let layout = Layout::new(config);
        let data = vec![0.0; layout.total];
        Ok(Params {
            config: config.clone(),
            layout,
            data,
        })
    }

    /// GPT-2's initialisation: weights normal(0, 0.02), the two residual projections of each
    /// block scaled by 1/sqrt(2·n_layer), biases 0, LayerNorm weights 1.
    pub fn init(config: &Gpt2Config, rng: &mut Rng) -> Result<Self, ConfigError> {
        let mut params = Self::zeros(config)?;
        let residual_std = 0.02 / (2.0 * config.n_layer as f32).sqrt();
        for spec in &params.layout.tensors {
            let slice = &mut params.data[spec.range()];
            if spec.name.contains("ln_") && spec.name.ends_with(".weight") {
                slice.fill(1.0);
            } else if spec.shape.len() == 2 {
                let std = if spec.name.ends_with("c_proj.weight") {
                    residual_std
                } else {
                    0.02
                };
                let normal = Normal::new(0.0, std).expect("positive standard deviation");
                slice.iter_mut().for_each(|x| *x = normal.sample(rng));
            }
        }
        Ok(params)
    }

    /// The named tensor's values.
    pub fn tensor(&self, name: &str) -> Option<&[f32]> {
        self.layout.find(name).map(|spec| &self.data[spec.range()])
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the model has no parameters (never, for a checked config).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}
