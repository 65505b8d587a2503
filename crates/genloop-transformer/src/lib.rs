//! A GPT-2-compatible decoder-only transformer language model.
mod acts;
pub mod config;
mod gemm;
pub mod model;
mod ops;
pub mod params;

pub use config::{ConfigError, Gpt2Config};
pub use model::{Gpt2, InputError};
pub use params::{Layout, Params, TensorSpec};
