//! Checkpoint folders in Hugging Face's GPT-2 layout: `config.json` and `model.safetensors`.
//!
//! Tensor names are Hugging Face's (`wte.weight`, `h.0.attn.c_attn.weight`, …). On load a
//! `transformer.` prefix is accepted too, extra tensors (the attention-mask buffers
//! `h.{i}.attn.bias`, a tied `lm_head.weight`) are ignored, and F16 / BF16 weights are
//! widened to f32.

use crate::config::{ConfigError, Gpt2Config};
use crate::params::Params;
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensorError, SafeTensors};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// File name of the weights inside a checkpoint folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// File name of the config inside a checkpoint folder.
pub const CONFIG_FILE: &str = "config.json";

/// Why a checkpoint could not be written or read.
#[derive(Debug, Error)]
pub enum CheckpointError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// `config.json` is not a GPT-2 config.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse failure.
        source: serde_json::Error,
    },
    /// The config describes no buildable model.
    #[error("config.json: {0}")]
    Config(#[from] ConfigError),
    /// The safetensors file is malformed.
    #[error("model.safetensors: {0}")]
    Safetensors(#[from] SafeTensorError),
    /// A tensor the config needs is absent.
    #[error("model.safetensors has no tensor {0:?} (nor \"transformer.{0}\")")]
    Missing(String),
    /// A tensor's shape differs from the config's.
    #[error("tensor {name:?} has shape {got:?}; the config needs {expected:?}")]
    Shape {
        /// Tensor name.
        name: String,
        /// Shape from the config.
        expected: Vec<usize>,
        /// Shape in the file.
        got: Vec<usize>,
    },
    /// A tensor is stored in a type other than F32, F16 or BF16.
    #[error("tensor {name:?} is stored as {dtype:?}; only F32, F16 and BF16 are read")]
    Dtype {
        /// Tensor name.
        name: String,
        /// The stored type.
        dtype: Dtype,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + '_ {
    move |source| CheckpointError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The bytes of a checkpoint: `config.json` and `model.safetensors` (F32, metadata
/// `format = pt`), for callers that write files their own way (atomically, say).
pub fn encode(params: &Params) -> Result<(String, Vec<u8>), CheckpointError> {
    let mut json = serde_json::to_value(&params.config).expect("a config serialises");
    json["architectures"] = serde_json::json!(["GPT2LMHeadModel"]);
    let config = serde_json::to_string_pretty(&json).expect("a JSON value serialises") + "\n";
    let bytes: Vec<Vec<u8>> = params
        .layout
        .tensors
        .iter()
        .map(|spec| {
            params.data[spec.range()]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect()
        })
        .collect();
    let mut views = Vec::with_capacity(bytes.len());
    for (spec, data) in params.layout.tensors.iter().zip(&bytes) {
        views.push((
            spec.name.clone(),
            TensorView::new(Dtype::F32, spec.shape.clone(), data)?,
        ));
    }
    let metadata = Some(HashMap::from([("format".to_string(), "pt".to_string())]));
    Ok((config, safetensors::serialize(views, &metadata)?))
}

/// Writes `config.json` and `model.safetensors` ([`encode`]) into `dir`, creating it if
/// needed.
pub fn save(dir: &Path, params: &Params) -> Result<(), CheckpointError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let (config, weights) = encode(params)?;
    let config_path = dir.join(CONFIG_FILE);
    std::fs::write(&config_path, config).map_err(io(&config_path))?;
    let weights_path = dir.join(WEIGHTS_FILE);
    std::fs::write(&weights_path, weights).map_err(io(&weights_path))?;
    Ok(())
}

/// Reads the config of a checkpoint folder.
pub fn load_config(dir: &Path) -> Result<Gpt2Config, CheckpointError> {
    let path = dir.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let config: Gpt2Config =
        serde_json::from_str(&text).map_err(|source| CheckpointError::Json { path, source })?;
    config.check()?;
    Ok(config)
}

/// Reads a checkpoint folder written by [`save`] or by Hugging Face (GPT-2 layout).
pub fn load(dir: &Path) -> Result<Params, CheckpointError> {
    let config = load_config(dir)?;
    let path = dir.join(WEIGHTS_FILE);
    let buffer = std::fs::read(&path).map_err(io(&path))?;
    let file = SafeTensors::deserialize(&buffer)?;
    let mut params = Params::zeros(&config)?;
    for spec in params.layout.tensors.clone() {
        let view = file
            .tensor(&spec.name)
            .or_else(|_| file.tensor(&format!("transformer.{}", spec.name)))
            .map_err(|_| CheckpointError::Missing(spec.name.clone()))?;
        if view.shape() != spec.shape.as_slice() {
            return Err(CheckpointError::Shape {
                name: spec.name,
                expected: spec.shape,
                got: view.shape().to_vec(),
            });
        }
        widen(&view, &mut params.data[spec.range()]).ok_or(CheckpointError::Dtype {
            name: spec.name,
            dtype: view.dtype(),
        })?;
    }
    Ok(params)
}

/// Converts a stored tensor to f32 into `out`; `None` for an unsupported type.
fn widen(view: &TensorView, out: &mut [f32]) -> Option<()> {
    let data = view.data();
    match view.dtype() {
        Dtype::F32 => data
            .chunks_exact(4)
            .zip(out)
            .for_each(|(b, x)| *x = f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        Dtype::BF16 => data.chunks_exact(2).zip(out).for_each(|(b, x)| {
            *x = f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16)
        }),
        Dtype::F16 => data
            .chunks_exact(2)
            .zip(out)
            .for_each(|(b, x)| *x = f16_to_f32(u16::from_le_bytes([b[0], b[1]]))),
        _ => return None,
    }
    Some(())
}

/// IEEE half to single precision.
fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f32::from(h & 0x3ff);
    match exp {
        0 => sign * frac * 2f32.powi(-24),
        31 if frac == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        _ => sign * (1.0 + frac / 1024.0) * 2f32.powi(exp - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::f16_to_f32;

    #[test]
    fn half_precision_widens_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
    }
}
