//! The transformer in the loop: `[model] kind = "transformer"` (a GPT-2 of
//! `genloop-transformer`) fitted on a generation's documents, scored and sampled like the
//! n-gram model.
//!
//! - [`TransformerSpec`]: the checked `[model]` keys.
//! - [`TransformerEstimator`]: documents → token stream (each document after an
//!   end-of-text id, one more at the end), a validation tenth (every tenth document),
//!   training from scratch, from the model in service or from the base model
//!   ([`Init`]), the best-validation weights kept.
//! - [`TransformerLm`] (`model.rs`): log-probabilities of documents in padded batches,
//!   next-token distributions, batched sampling with a key/value cache.
//! - `files.rs`: model folders (Hugging Face GPT-2 layout plus `genloop.json`), and the
//!   loop's checkpoints ([`TransformerFiles`]).
//!
//! End of text: the tokenizers and the synthetic language have no end-of-document id, so
//! a model trained here has one more id than the documents' vocabulary V, namely V. A
//! Hugging Face GPT-2 folder (no `genloop.json`) uses its last id (50256,
//! `<|endoftext|>`), which its tokenizer counts in V.

mod files;
mod model;

use std::path::PathBuf;
use std::sync::Arc;

use genloop_core::data::{Documents, TrainingSet};
use genloop_core::model::{Estimator, FitError, Start};
use genloop_core::seed::Rng;
use genloop_transformer::{Gpt2, Gpt2Config, Params, TrainConfig};

pub use files::{read_folder, FolderError, FolderInfo, TransformerFiles, INFO_FILE};
pub use model::TransformerLm;

use crate::lm::TextModel;

/// Where a generation's training starts (`[model] init`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Seeded random weights every generation (the fit stream).
    Scratch,
    /// The model in service: each generation fine-tunes the last accepted one.
    Previous,
    /// The base model (`checkpoint`, or generation 0's): each generation fine-tunes the
    /// same model, as the model-collapse paper did with OPT-125m.
    Base,
}

impl Init {
    pub fn name(self) -> &'static str {
        match self {
            Init::Scratch => "scratch",
            Init::Previous => "previous",
            Init::Base => "base",
        }
    }
}

/// The checked `[model]` table of `kind = "transformer"`.
#[derive(Clone, Debug, PartialEq)]
pub struct TransformerSpec {
    /// Blocks, heads and width of a model trained from scratch (a checkpoint brings its
    /// own).
    pub layers: usize,
    pub heads: usize,
    pub d_model: usize,
    /// Tokens per training window, and the positions of a model from scratch.
    pub context: usize,
    pub dropout: f64,
    pub steps: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub warmup_steps: usize,
    pub eval_every: usize,
    pub init: Init,
    /// A model folder to start from (generation 0, and `init = "base"`).
    pub checkpoint: Option<PathBuf>,
    /// Longest sampled document, in tokens (below the model's positions).
    pub max_length: usize,
}

impl TransformerSpec {
    /// A spec of the given shape with the defaults of the other keys.
    pub fn new(layers: usize, heads: usize, d_model: usize, context: usize) -> Self {
        TransformerSpec {
            layers,
            heads,
            d_model,
            context,
            dropout: 0.0,
            steps: 300,
            batch_size: 16,
            learning_rate: 3e-3,
            weight_decay: 0.1,
            warmup_steps: 30,
            eval_every: 30,
            init: Init::Scratch,
            checkpoint: None,
            max_length: context - 1,
        }
    }

    fn train_config(&self) -> TrainConfig {
        TrainConfig {
            steps: self.steps,
            batch_size: self.batch_size,
            context: self.context,
            learning_rate: self.learning_rate as f32,
            weight_decay: self.weight_decay as f32,
            warmup_steps: self.warmup_steps,
            eval_every: self.eval_every,
            dropout: self.dropout as f32,
            ..TrainConfig::default()
        }
    }
}

/// Why the transformer of a run cannot be set up (exit 2: the config or the folder
/// needs a fix).
#[derive(Debug, thiserror::Error)]
pub enum NeuralError {
    #[error("model.checkpoint: {path}: {message}")]
    Checkpoint { path: PathBuf, message: String },
    #[error("model.{key} = {value}: {message}; {fix}")]
    Mismatch {
        key: &'static str,
        value: String,
        message: String,
        fix: String,
    },
}

/// Fits a [`TransformerLm`] on a generation's documents.
#[derive(Clone, Debug)]
pub struct TransformerEstimator {
    spec: TransformerSpec,
    /// Document ids are below this.
    vocab_size: usize,
    end_of_text: u32,
    /// The checkpoint's weights, where the spec names one.
    base: Option<Arc<Params>>,
}

impl TransformerEstimator {
    /// The estimator of `spec` for documents of `vocab_size` ids; reads and checks the
    /// checkpoint (its vocabulary against `vocab_size`, its positions against
    /// `context`).
    pub fn new(spec: &TransformerSpec, vocab_size: usize) -> Result<Self, NeuralError> {
        let mut estimator = TransformerEstimator {
            spec: spec.clone(),
            vocab_size,
            end_of_text: vocab_size as u32,
            base: None,
        };
        if let Some(path) = &spec.checkpoint {
            let (params, end_of_text) = read_folder(path).map_err(|e| NeuralError::Checkpoint {
                path: path.clone(),
                message: e.to_string(),
            })?;
            estimator.check_checkpoint(&params.config, end_of_text)?;
            estimator.end_of_text = end_of_text;
            estimator.base = Some(Arc::new(params));
        } else {
            scratch_config(spec, vocab_size)
                .check()
                .map_err(|e| NeuralError::Mismatch {
                    key: "heads",
                    value: spec.heads.to_string(),
                    message: e.to_string(),
                    fix: "choose heads that divide d_model".into(),
                })?;
        }
        Ok(estimator)
    }

    fn check_checkpoint(&self, config: &Gpt2Config, end_of_text: u32) -> Result<(), NeuralError> {
        let spec = &self.spec;
        let path = spec.checkpoint.clone().unwrap_or_default();
        // genloop folders have one id more than their tokenizer (the end of text);
        // Hugging Face GPT-2 folders count `<|endoftext|>` in the tokenizer.
        let fits = config.vocab_size == self.vocab_size + 1
            && end_of_text as usize == self.vocab_size
            || config.vocab_size == self.vocab_size && (end_of_text as usize) < self.vocab_size;
        if !fits {
            return Err(NeuralError::Checkpoint {
                path,
                message: format!(
                    "the checkpoint's vocabulary has {} ids (end of text {end_of_text}), the run's tokenizer {}; \
                     use the tokenizer saved with the checkpoint (its tokenizer.json) or a checkpoint trained on this tokenizer",
                    config.vocab_size, self.vocab_size
                ),
            });
        }
        if spec.context > config.n_positions {
            return Err(NeuralError::Mismatch {
                key: "context",
                value: spec.context.to_string(),
                message: format!(
                    "is above the checkpoint's n_positions {}",
                    config.n_positions
                ),
                fix: format!("set context to at most {}", config.n_positions),
            });
        }
        if spec.max_length >= config.n_positions {
            return Err(NeuralError::Mismatch {
                key: "max_length",
                value: spec.max_length.to_string(),
                message: format!(
                    "leaves no room for the end-of-text id in the checkpoint's {} positions",
                    config.n_positions
                ),
                fix: format!("set max_length to at most {}", config.n_positions - 1),
            });
        }
        Ok(())
    }

    /// The end-of-text id of the models this estimator fits.
    pub fn end_of_text(&self) -> u32 {
        self.end_of_text
    }

    /// Wraps trained weights as a model of this run.
    pub fn model(&self, params: Params) -> TransformerLm {
        TransformerLm::new(
            params,
            self.end_of_text,
            self.vocab_size,
            self.spec.max_length,
        )
    }

    /// The weights a generation starts from.
    fn initial(&self, start: Start<'_, TextModel>, rng: &mut Rng) -> Result<Params, FitError> {
        let from = |model: Option<&TextModel>| match model {
            Some(TextModel::Transformer(m)) => Some(m.params().clone()),
            _ => None,
        };
        let generation0 = start.in_service.is_none();
        let chosen = match self.spec.init {
            _ if generation0 => None,
            Init::Scratch => return self.scratch(rng),
            Init::Previous => from(start.in_service),
            Init::Base if self.base.is_some() => None,
            Init::Base => from(start.generation0),
        };
        match (chosen, &self.base) {
            (Some(params), _) => Ok(params),
            (None, Some(base)) => Ok(base.as_ref().clone()),
            (None, None) => self.scratch(rng),
        }
    }

    fn scratch(&self, rng: &mut Rng) -> Result<Params, FitError> {
        Params::init(&scratch_config(&self.spec, self.vocab_size), rng)
            .map_err(|e| FitError::Numerical(e.to_string()))
    }

    /// The training and validation streams of a training set's documents.
    fn streams(&self, train: &TrainingSet<Documents>) -> (Vec<u32>, Vec<u32>, usize) {
        let (mut training, mut validation) = (Vec::new(), Vec::new());
        let mut documents = 0usize;
        for chunk in train.chunks() {
            for doc in chunk.iter() {
                let stream = if documents % 10 == 9 {
                    &mut validation
                } else {
                    &mut training
                };
                stream.push(self.end_of_text);
                stream.extend_from_slice(doc);
                documents += 1;
            }
        }
        training.push(self.end_of_text);
        validation.push(self.end_of_text);
        (training, validation, documents)
    }
}

/// The shape of a model trained from scratch: the documents' ids and the end of text.
fn scratch_config(spec: &TransformerSpec, vocab_size: usize) -> Gpt2Config {
    Gpt2Config::new(
        vocab_size + 1,
        spec.context,
        spec.d_model,
        spec.layers,
        spec.heads,
    )
}

impl Estimator for TransformerEstimator {
    type Data = Documents;
    type Model = TextModel;

    fn fit(&self, train: &TrainingSet<Documents>, rng: &mut Rng) -> Result<TextModel, FitError> {
        self.fit_from(train, Start::none(), rng)
    }

    fn fit_from(
        &self,
        train: &TrainingSet<Documents>,
        start: Start<'_, TextModel>,
        rng: &mut Rng,
    ) -> Result<TextModel, FitError> {
        let (training, validation, documents) = self.streams(train);
        let needed = self.spec.context + 1;
        if training.len() < needed || validation.len() < needed {
            return Err(FitError::TooFew {
                needed: 10 * needed,
                have: training.len() + validation.len(),
                hint: "the transformer holds every tenth document out for validation and needs a window of context + 1 tokens in each part; lower model.context or raise the pool sizes",
            });
        }
        let params = self.initial(start, rng)?;
        let mut model = Gpt2::new(params);
        let report = genloop_transformer::train(
            &mut model,
            &training,
            &validation,
            &self.spec.train_config(),
            rng,
        )
        .map_err(|e| FitError::Numerical(e.to_string()))?;
        if !report.best_validation.is_finite() {
            return Err(FitError::Numerical(format!(
                "the validation loss is {}; lower model.learning_rate",
                report.best_validation
            )));
        }
        let info = FolderInfo::trained(documents, training.len(), validation.len(), &report);
        Ok(TextModel::Transformer(
            self.model(model.params).with_info(info),
        ))
    }
}
