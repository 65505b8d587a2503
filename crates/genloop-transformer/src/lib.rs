//! A GPT-2-compatible decoder-only transformer language model.
mod acts;
pub mod checkpoint;
pub mod config;
mod gemm;
pub mod model;
mod ops;
pub mod optim;
pub mod params;

pub use checkpoint::CheckpointError;
pub use config::{ConfigError, Gpt2Config};
pub use model::{Gpt2, InputError};
pub use optim::{clip_grad_norm, learning_rate, AdamW, AdamWConfig};
pub use params::{Layout, Params, TensorSpec};
