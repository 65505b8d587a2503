//! Model folders: Hugging Face GPT-2's layout (`config.json`, `model.safetensors`,
//! `tokenizer.json`) plus `genloop.json` (the end-of-text id and what training saw), as
//! `genloop lm train --model transformer` writes them and the loop keeps its checkpoints.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use genloop_core::pipeline::checkpoints::{CheckpointError, ModelFiles};
use genloop_transformer::{checkpoint, CheckpointError as WeightsError, Params, TrainReport};

use super::TransformerLm;
use crate::lm::TextModel;
use crate::tokenize::Tokenizer;

/// The genloop metadata file of a model folder.
pub const INFO_FILE: &str = "genloop.json";

/// What `genloop.json` records: the end-of-text id (always), and what training saw.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FolderInfo {
    pub end_of_text: u32,
    /// The tokenizer's kind (`word`, `bpe`), or `language` for the synthetic language.
    #[serde(default)]
    pub tokenizer: String,
    #[serde(default)]
    pub training_documents: usize,
    #[serde(default)]
    pub training_tokens: usize,
    #[serde(default)]
    pub validation_tokens: usize,
    /// Validation loss of the kept weights, and the step it was measured at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_loss: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_step: Option<usize>,
    #[serde(default)]
    pub genloop_version: String,
}

impl FolderInfo {
    /// What a training run saw; the end of text and tokenizer are filled in when saved.
    pub fn trained(
        documents: usize,
        training_tokens: usize,
        validation_tokens: usize,
        report: &TrainReport,
    ) -> Self {
        FolderInfo {
            end_of_text: 0,
            tokenizer: String::new(),
            training_documents: documents,
            training_tokens,
            validation_tokens,
            validation_loss: Some(report.best_validation),
            best_step: Some(report.best_step),
            genloop_version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Why a model folder cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(transparent)]
    Weights(#[from] WeightsError),
    #[error("{0}")]
    Info(String),
}

/// The weights of a model folder and its end-of-text id (`genloop.json`'s, or the last
/// id of a folder without one: GPT-2's `<|endoftext|>`).
pub fn read_folder(dir: &Path) -> Result<(Params, u32), FolderError> {
    let params = checkpoint::load(dir)?;
    let info_path = dir.join(INFO_FILE);
    let end_of_text = match std::fs::read_to_string(&info_path) {
        Ok(text) => {
            let info: FolderInfo = serde_json::from_str(&text)
                .map_err(|e| FolderError::Info(format!("{}: {e}", info_path.display())))?;
            info.end_of_text
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => params.config.vocab_size as u32 - 1,
        Err(e) => {
            return Err(FolderError::Info(format!(
                "cannot read {}: {e}",
                info_path.display()
            )))
        }
    };
    if end_of_text as usize >= params.config.vocab_size {
        return Err(FolderError::Info(format!(
            "{}: end_of_text {end_of_text} is outside the vocabulary of {} ids",
            info_path.display(),
            params.config.vocab_size
        )));
    }
    Ok((params, end_of_text))
}

/// The loop's checkpoints of transformer runs: each fitted model as a folder other
/// tools open, with the run's tokenizer beside it.
pub struct TransformerFiles {
    /// The corpus run's tokenizer (none for the synthetic language).
    pub tokenizer: Option<Arc<dyn Tokenizer>>,
    /// `word`, `bpe` or `language`.
    pub tokenizer_kind: String,
    /// Document ids are below this.
    pub vocab_size: usize,
    pub max_length: usize,
}

impl ModelFiles<TextModel> for TransformerFiles {
    fn write(&self, model: &TextModel, dir: &Path) -> Result<(), CheckpointError> {
        let TextModel::Transformer(model) = model else {
            return Err("only transformer models are kept as checkpoints".into());
        };
        let (config, weights) = checkpoint::encode(model.params())?;
        std::fs::write(dir.join(checkpoint::CONFIG_FILE), config)?;
        std::fs::write(dir.join(checkpoint::WEIGHTS_FILE), weights)?;
        let mut info = model.info().cloned().unwrap_or_else(|| FolderInfo {
            genloop_version: env!("CARGO_PKG_VERSION").into(),
            ..FolderInfo::default()
        });
        info.end_of_text = model.end_of_text();
        info.tokenizer = self.tokenizer_kind.clone();
        std::fs::write(dir.join(INFO_FILE), serde_json::to_string_pretty(&info)?)?;
        if let Some(tokenizer) = &self.tokenizer {
            tokenizer.save(&dir.join("tokenizer.json"))?;
        }
        Ok(())
    }

    fn read(&self, dir: &Path) -> Result<TextModel, CheckpointError> {
        let (params, end_of_text) = read_folder(dir)?;
        let info_text = std::fs::read_to_string(dir.join(INFO_FILE))?;
        let info: FolderInfo = serde_json::from_str(&info_text)?;
        Ok(TextModel::Transformer(
            TransformerLm::new(params, end_of_text, self.vocab_size, self.max_length)
                .with_info(info),
        ))
    }
}
