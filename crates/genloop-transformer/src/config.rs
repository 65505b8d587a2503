//! The model's shape, written and read as Hugging Face GPT-2's `config.json`.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A GPT-2 model's dimensions. Field names are Hugging Face's `config.json` keys, so a
/// GPT-2 / distilgpt2 `config.json` reads directly (other keys in it are ignored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gpt2Config {
    /// Number of token ids (rows of `wte`).
    pub vocab_size: usize,
    /// Longest context the model has positions for (rows of `wpe`).
    pub n_positions: usize,
    /// Width of the residual stream, `d`.
    pub n_embd: usize,
    /// Number of transformer blocks.
    pub n_layer: usize,
    /// Attention heads per block; must divide `n_embd`.
    pub n_head: usize,
    /// The LayerNorm epsilon (GPT-2: 1e-5).
    #[serde(default = "default_epsilon")]
    pub layer_norm_epsilon: f32,
    /// Always `"gpt2"`; written out so other tools recognise the checkpoint.
    #[serde(default = "default_model_type")]
    pub model_type: String,
}

fn default_epsilon() -> f32 {
    1e-5
}

fn default_model_type() -> String {
    "gpt2".to_string()
}

/// Why a [`Gpt2Config`] cannot build a model.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ConfigError {
    /// A dimension that must be at least 1 is 0.
    #[error("{key} must be at least 1 (it is 0)")]
    Zero {
        /// The `config.json` key.
        key: &'static str,
    },
    /// `n_head` does not divide `n_embd`.
    #[error(
        "n_head = {n_head} does not divide n_embd = {n_embd}; choose n_embd a multiple of n_head"
    )]
    HeadsDoNotDivide {
        /// Attention heads.
        n_head: usize,
        /// Embedding width.
        n_embd: usize,
    },
    /// The epsilon is not a positive finite number.
    #[error("layer_norm_epsilon must be a positive finite number (it is {0})")]
    Epsilon(f32),
    /// `model_type` names another architecture.
    #[error("model_type is {0:?}; only \"gpt2\" checkpoints are supported")]
    ModelType(String),
}

impl Gpt2Config {
    /// A config with GPT-2's epsilon and model type.
    pub fn new(
        vocab_size: usize,
        n_positions: usize,
        n_embd: usize,
        n_layer: usize,
        n_head: usize,
    ) -> Self {
        Gpt2Config {
            vocab_size,
            n_positions,
            n_embd,
            n_layer,
            n_head,
            layer_norm_epsilon: default_epsilon(),
            model_type: default_model_type(),
        }
    }

    /// Checks that the dimensions describe a model that can be built.
    pub fn check(&self) -> Result<(), ConfigError> {
        let dims = [
            ("vocab_size", self.vocab_size),
            ("n_positions", self.n_positions),
            ("n_embd", self.n_embd),
            ("n_layer", self.n_layer),
            ("n_head", self.n_head),
        ];
        if let Some((key, _)) = dims.iter().find(|(_, v)| *v == 0) {
            return Err(ConfigError::Zero { key });
        }
        if !self.n_embd.is_multiple_of(self.n_head) {
            return Err(ConfigError::HeadsDoNotDivide {
                n_head: self.n_head,
                n_embd: self.n_embd,
            });
        }
        if !(self.layer_norm_epsilon.is_finite() && self.layer_norm_epsilon > 0.0) {
            return Err(ConfigError::Epsilon(self.layer_norm_epsilon));
        }
        if self.model_type != "gpt2" {
            return Err(ConfigError::ModelType(self.model_type.clone()));
        }
        Ok(())
    }

    /// Width of one attention head.
    pub fn head_size(&self) -> usize {
        self.n_embd / self.n_head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hugging_face_keys_and_checks() {
        let json = r#"{"vocab_size": 50257, "n_positions": 1024, "n_embd": 768,
            "n_layer": 12, "n_head": 12, "activation_function": "gelu_new", "model_type": "gpt2"}"#;
        let config: Gpt2Config = serde_json::from_str(json).unwrap();
        assert_eq!(config, Gpt2Config::new(50257, 1024, 768, 12, 12));
        assert!(config.check().is_ok());
        let written = serde_json::to_string(&config).unwrap();
        assert!(written.contains("\"model_type\":\"gpt2\""));
        assert!(written.contains("\"layer_norm_epsilon\""));
    }

    #[test]
    fn bad_shapes_get_typed_errors() {
        let bad = Gpt2Config::new(10, 8, 10, 1, 3);
        assert_eq!(
            bad.check(),
            Err(ConfigError::HeadsDoNotDivide {
                n_head: 3,
                n_embd: 10
            })
        );
        let zero = Gpt2Config::new(10, 0, 12, 1, 3);
        assert_eq!(zero.check(), Err(ConfigError::Zero { key: "n_positions" }));
    }
}
