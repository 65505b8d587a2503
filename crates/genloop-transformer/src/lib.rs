//! A GPT-2-compatible decoder-only transformer language model, trained on the CPU.
//!
//! The architecture is GPT-2's: learned token and position embeddings, pre-LayerNorm
//! blocks of causal multi-head self-attention and a 4× GELU (tanh) MLP, a final LayerNorm
//! and an output projection tied to the token embedding. Parameter names and shapes,
//! and the `config.json` keys, are Hugging Face's, so [`checkpoint`] reads a GPT-2 /
//! distilgpt2 folder and writes folders other tools open.
//!
//! There is no autograd: [`Gpt2::forward`] and [`Gpt2::backward`] are explicit passes in
//! f32 (in the manner of llm.c) over `matrixmultiply`'s strided `sgemm`, with every
//! parameter in one flat buffer ([`Params`]) and the gradients in a second buffer of the
//! same layout. Activations are kept in buffers that are reused while the batch shape stays
//! the same. Parallel work (rows of matrix products, sequences of attention, element-wise
//! kernels) is split into fixed blocks with no parallel reductions, so results do not
//! depend on the number of rayon threads (a test checks losses and gradients bit for bit on
//! 1 and 3 threads).
//!
//! Modules: [`config`] (the `config.json` shape), [`params`] (flat parameters, names,
//! GPT-2 initialisation), [`model`] (forward, backward, residual dropout), [`optim`]
//! (AdamW, schedule, clipping), [`train`] (windows from a token stream, validation,
//! best weights), [`decode`] (key/value cache), [`sample`] (temperature / top-k / top-p
//! sampling, per-token log-probabilities) and [`checkpoint`] (safetensors folders).
//!
//! ```
//! use genloop_core::seed::RootSeed;
//! use genloop_transformer::{clip_grad_norm, learning_rate, AdamW, AdamWConfig, Gpt2, Gpt2Config, Params};
//!
//! // vocab 16, context 8, width 16, 2 layers, 2 heads.
//! let config = Gpt2Config::new(16, 8, 16, 2, 2);
//! let params = Params::init(&config, &mut RootSeed(7).stream("init", 0, 0)).unwrap();
//! let mut model = Gpt2::new(params);
//! let mut adam = AdamW::new(AdamWConfig::default(), &model.params.layout);
//! let stream: Vec<u32> = (0..9).map(|i| i % 4).collect();
//! let (inputs, targets) = (&stream[..8], &stream[1..]);
//! let mut first = None;
//! for step in 0..30 {
//!     let loss = model.forward(inputs, Some(targets), 1, 8).unwrap().unwrap();
//!     first.get_or_insert(loss);
//!     model.backward().unwrap();
//!     clip_grad_norm(&mut model.grads, 1.0);
//!     adam.step(&mut model.params.data, &model.grads, learning_rate(step, 1e-2, 5, 30));
//! }
//! let last = model.forward(inputs, Some(targets), 1, 8).unwrap().unwrap();
//! assert!(last < first.unwrap());
//! assert_eq!(model.logits().len(), 8 * 16); // [batch, time, vocab]
//! ```
mod acts;
mod attention;
pub mod checkpoint;
pub mod config;
#[cfg(feature = "cuda")]
pub mod cuda;
pub mod decode;
mod gemm;
pub mod model;
mod ops;
pub mod optim;
pub mod params;
pub mod sample;
mod simd;
pub mod train;

pub use checkpoint::CheckpointError;
pub use config::{ConfigError, Gpt2Config};
pub use decode::Decoder;
pub use model::{Dropout, Gpt2, InputError};
pub use optim::{clip_grad_norm, learning_rate, AdamW, AdamWConfig};
pub use params::{Layout, Params, TensorSpec};
pub use sample::{log_probs, sample, SampleConfig, Sampled};
pub use train::{evaluate, evaluate_windows, train, TrainConfig, TrainError, TrainReport};
