//! The text task: a corpus or the synthetic language, a tokenizer, the n-gram model or
//! the transformer ([`TextModel`]), and the text metrics (names in
//! `genloop_core::metrics`).
//!
//! Sizes are tokens. A corpus is split once per run (seeded stream `corpus_split`):
//! holdout and original from its start, the gate's validation set (also the filters'
//! calibration set) beside the holdout,
//! the rest a time-ordered fresh stream. The synthetic language draws fresh documents
//! for every pool and gives the exact truth term of `kl_to_truth`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use genloop_core::data::{Dataset, Documents, TrainingSet};
use genloop_core::metrics::{self, MetricSpec};
use genloop_core::model::{Estimator, FitError, Source, Start};
use genloop_core::pipeline::checkpoints::{CheckpointDir, Checkpoints, KeepCheckpoints};
use genloop_core::pipeline::curate::{BuildFilter, Filter, FilterError, FilterSpec};
use genloop_core::pipeline::settings::{Arm, RunSettings};
use genloop_core::provenance::Pool;
use genloop_core::seed::{Rng, RootSeed};
use genloop_core::task::{Artifact, Evaluation, Task};

use crate::corpus::{CorpusError, CorpusSpec, CorpusSplits};
use crate::filters::{self, TextFilterTask};
use crate::language::{Language, LanguageError, LanguageSpec};
use crate::lm::{LanguageModel, TextModel};
use crate::metrics::{self as text_metrics, VocabularyProfile};
use crate::neural::{NeuralError, TransformerEstimator, TransformerFiles, TransformerSpec};
use crate::ngram::{NgramError, NgramEstimator, NgramSpec};
use crate::tokenize::{TokenizeError, Tokenizer, TokenizerSpec};

mod corpus_source;

/// Documents whose per-sample perplexity under generation 0 is kept (replicate 0).
const SCORED_DOCUMENTS: usize = 1000;
/// Characters kept of each stored sample text.
const TEXT_CHARS: usize = 2000;

#[derive(Debug, thiserror::Error)]
pub enum TextTaskError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Tokenize(#[from] TokenizeError),
    #[error(transparent)]
    Language(#[from] LanguageError),
    #[error(transparent)]
    Ngram(#[from] NgramError),
    #[error(transparent)]
    Neural(#[from] NeuralError),
    #[error("{0}")]
    Setup(String),
}

/// The `[model]` of a text run.
#[derive(Clone, Debug, PartialEq)]
pub enum TextModelSpec {
    Ngram(NgramSpec),
    Transformer(TransformerSpec),
}

/// The estimator of a text run: the n-gram model (with its sampling length limit) or
/// the transformer.
#[derive(Clone, Debug)]
pub enum TextEstimator {
    Ngram {
        ngram: NgramEstimator,
        max_length: usize,
    },
    Transformer(TransformerEstimator),
}

impl Estimator for TextEstimator {
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
        match self {
            TextEstimator::Ngram { ngram, max_length } => Ok(TextModel::Ngram(
                ngram.fit(train, rng)?.with_max_length(*max_length),
            )),
            TextEstimator::Transformer(transformer) => transformer.fit_from(train, start, rng),
        }
    }
}

enum TextSource {
    Language(Language),
    Corpus {
        splits: CorpusSplits,
        validation: Documents,
    },
}

/// How token ids become readable text.
enum Decoder {
    Language(Language),
    Tokenizer(Arc<dyn Tokenizer>),
}

/// The holdout (or validation) set and what the metrics compare with.
pub struct TextTruth {
    holdout: Documents,
    /// Exact cross-entropy of the truth on the holdout (synthetic language only).
    truth_cross_entropy: Option<f64>,
    trigrams: HashSet<[u32; 3]>,
    profile: VocabularyProfile,
}

pub struct TextTask {
    source: TextSource,
    decoder: Decoder,
    estimator: TextEstimator,
    vocab_size: usize,
    sample_texts: usize,
    metrics: Vec<MetricSpec>,
    /// Transformer runs with a run folder: every fitted model kept there.
    checkpoints: Option<CheckpointDir<TransformerFiles>>,
}

/// The ground truth of a text run: a corpus or the synthetic language.
#[derive(Clone, Copy, Debug)]
pub enum TextOrigin<'a> {
    Corpus(&'a CorpusSpec),
    Language(&'a LanguageSpec),
}

/// The checked parts of a text run that the task is built from.
#[derive(Clone, Copy, Debug)]
pub struct TextSetup<'a> {
    pub origin: TextOrigin<'a>,
    pub model: &'a TextModelSpec,
    /// Corpus runs: the tokenizer trained on the original pool (word tokens when
    /// absent).
    pub tokenizer: Option<&'a TokenizerSpec>,
    /// Relative corpus and ledger paths are resolved against this folder.
    pub base_dir: &'a Path,
    pub settings: &'a RunSettings,
    pub arms: &'a [Arm],
    /// Sampled documents stored per generation.
    pub sample_texts: usize,
    /// Where transformer runs keep their fitted models, and which stay once a replicate
    /// is finished (`None`: runs in memory keep none).
    pub checkpoints: Option<(&'a Path, KeepCheckpoints)>,
}

impl TextTask {
    /// Build the task of a checked experiment: read and split the corpus and train
    /// the tokenizer, or seed the synthetic language.
    pub fn build(setup: &TextSetup<'_>) -> Result<TextTask, TextTaskError> {
        let (source, decoder, vocab_size) = source_and_decoder(setup)?;
        let metrics = metric_list(matches!(source, TextSource::Language(_)));
        let (estimator, checkpoints) = match setup.model {
            TextModelSpec::Ngram(ngram) => (
                TextEstimator::Ngram {
                    ngram: NgramEstimator::new(ngram.order, ngram.smoothing, vocab_size)?,
                    max_length: ngram.max_length,
                },
                None,
            ),
            TextModelSpec::Transformer(spec) => {
                let spec = TransformerSpec {
                    checkpoint: spec.checkpoint.as_ref().map(|p| setup.base_dir.join(p)),
                    ..spec.clone()
                };
                let checkpoints = setup.checkpoints.map(|(root, keep)| {
                    let files = TransformerFiles {
                        tokenizer: match &decoder {
                            Decoder::Tokenizer(t) => Some(t.clone()),
                            Decoder::Language(_) => None,
                        },
                        tokenizer_kind: tokenizer_kind(setup).into(),
                        vocab_size,
                        max_length: spec.max_length,
                    };
                    CheckpointDir::new(root, keep, files)
                });
                let estimator = TransformerEstimator::new(&spec, vocab_size)?;
                (TextEstimator::Transformer(estimator), checkpoints)
            }
        };
        Ok(TextTask {
            source,
            decoder,
            estimator,
            vocab_size,
            sample_texts: setup.sample_texts,
            metrics,
            checkpoints,
        })
    }

    /// The run's tokenizer (corpus runs), to save beside the results.
    pub fn tokenizer(&self) -> Option<&dyn Tokenizer> {
        match &self.decoder {
            Decoder::Tokenizer(t) => Some(t.as_ref()),
            Decoder::Language(_) => None,
        }
    }

    /// Write the tokenizer (`tokenizer.json`) into the run folder.
    pub fn save_tokenizer(&self, dir: &Path) -> Result<(), TokenizeError> {
        match self.tokenizer() {
            Some(t) => t.save(&dir.join("tokenizer.json")),
            None => Ok(()),
        }
    }

    /// Readable text of a token sequence.
    pub fn decode(&self, doc: &[u32]) -> String {
        match &self.decoder {
            Decoder::Language(l) => l.document_text(doc),
            Decoder::Tokenizer(t) => t.decode(doc),
        }
    }
}

/// What `genloop.json` calls the run's tokenizer.
fn tokenizer_kind(setup: &TextSetup<'_>) -> &'static str {
    match (setup.origin, setup.tokenizer) {
        (TextOrigin::Language(_), _) => "language",
        (_, Some(TokenizerSpec::Bpe(_))) => "bpe",
        _ => "word",
    }
}

/// The source of documents, how their ids are decoded, and the vocabulary size.
fn source_and_decoder(
    setup: &TextSetup<'_>,
) -> Result<(TextSource, Decoder, usize), TextTaskError> {
    let seed = RootSeed(setup.settings.seed);
    match setup.origin {
        TextOrigin::Language(spec) => {
            let language = Language::new(spec, &mut seed.global("language"))?;
            let vocab = language.vocab_size();
            Ok((
                TextSource::Language(language.clone()),
                Decoder::Language(language),
                vocab,
            ))
        }
        TextOrigin::Corpus(corpus) => {
            let (source, tokenizer) = corpus_source::load_corpus(setup, corpus)?;
            let vocab = tokenizer.vocab_size();
            Ok((source, Decoder::Tokenizer(tokenizer), vocab))
        }
    }
}

/// The metrics of a text run, in the order `evaluate` writes them; `kl_to_truth` only
/// where the truth is known (the synthetic language).
fn metric_list(language: bool) -> Vec<MetricSpec> {
    let mut metrics = vec![
        metrics::HOLDOUT_CROSS_ENTROPY,
        metrics::HOLDOUT_PERPLEXITY,
        metrics::SAMPLE_XENT_GEN0,
    ];
    if language {
        metrics.push(metrics::KL_TO_TRUTH);
    }
    metrics.extend([
        metrics::UNIGRAM_ENTROPY,
        metrics::DISTINCT_1,
        metrics::DISTINCT_2,
        metrics::DISTINCT_3,
        metrics::VOCAB_SURVIVAL,
        metrics::TAIL_MASS,
        metrics::NGRAM_PRECISION,
        metrics::NGRAM_RECALL,
        metrics::REPETITION_RATE,
        metrics::MEAN_LENGTH,
    ]);
    metrics
}

impl TextFilterTask for TextTask {
    fn decode_text(&self, doc: &[u32]) -> String {
        self.decode(doc)
    }
}

impl Task for TextTask {
    type Data = Documents;
    type Estimator = TextEstimator;
    type Truth = TextTruth;

    fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }

    fn draw(&self, n: usize, rng: &mut Rng) -> Documents {
        match &self.source {
            TextSource::Language(language) => language.draw(n, rng),
            // Corpora hand out their splits in `draw_pool`.
            TextSource::Corpus { .. } => Documents::new(),
        }
    }

    fn draw_pool(&self, pool: Pool, generation: u32, n: usize, rng: &mut Rng) -> Documents {
        match &self.source {
            TextSource::Language(language) => language.draw(n, rng),
            TextSource::Corpus { splits, validation } => match (pool, generation) {
                (Pool::Original, _) => splits.original.clone(),
                (Pool::Holdout, 0) => splits.holdout.clone(),
                (Pool::Holdout, _) => validation.clone(),
                // Checked long enough when the task was built.
                (Pool::Fresh, g) => splits.fresh_batch(g, n).unwrap_or_default(),
                (Pool::Synthetic, _) => Documents::new(),
            },
        }
    }

    fn truth(&self, holdout: Documents, original: &Documents) -> TextTruth {
        let truth_cross_entropy = match &self.source {
            TextSource::Language(language) => {
                let (mut sum, mut count) = (0.0, 0usize);
                for doc in holdout.iter() {
                    let lp = language.log_prob_tokens(doc);
                    count += lp.len();
                    sum += lp.iter().sum::<f64>();
                }
                (count > 0).then(|| -sum / count as f64)
            }
            TextSource::Corpus { .. } => None,
        };
        TextTruth {
            trigrams: text_metrics::trigram_set(&holdout),
            profile: VocabularyProfile::new(original, self.vocab_size),
            truth_cross_entropy,
            holdout,
        }
    }

    fn estimator(&self, _original: &Documents) -> TextEstimator {
        self.estimator.clone()
    }

    fn needs_samples(&self) -> bool {
        true
    }

    fn checkpoints(&self) -> Option<&dyn Checkpoints<TextModel>> {
        self.checkpoints
            .as_ref()
            .map(|c| c as &dyn Checkpoints<TextModel>)
    }

    fn save_files(&self, dir: &Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.save_tokenizer(dir)?)
    }

    fn evaluate(&self, evaluation: &Evaluation<'_, Self>, out: &mut Vec<f64>) {
        out.clear();
        let model = evaluation.model;
        let truth = evaluation.truth;
        let (xent, _) = model.cross_entropy(&truth.holdout);
        out.push(xent);
        out.push(xent.exp());
        let empty = Documents::new();
        let samples = evaluation.samples.unwrap_or(&empty);
        out.push(if samples.is_empty() {
            f64::NAN
        } else {
            evaluation.generation0.cross_entropy(samples).0
        });
        if matches!(self.source, TextSource::Language(_)) {
            // KL(truth ‖ model) per token on truth samples, exact truth term:
            // E[ln p_truth − ln p_model] = H(model; truth samples) − H(truth).
            out.push(truth.truth_cross_entropy.map_or(f64::NAN, |h| xent - h));
        }
        out.push(text_metrics::unigram_entropy(samples, self.vocab_size));
        out.push(text_metrics::distinct_n(samples, 1));
        out.push(text_metrics::distinct_n(samples, 2));
        out.push(text_metrics::distinct_n(samples, 3));
        out.push(truth.profile.survival(samples));
        out.push(truth.profile.tail_mass(samples));
        let (precision, recall) = text_metrics::ngram_precision_recall(samples, &truth.trigrams);
        out.push(precision);
        out.push(recall);
        out.push(text_metrics::repetition_rate(samples));
        out.push(text_metrics::mean_length(samples));
    }

    fn artifacts(&self, evaluation: &Evaluation<'_, Self>, replicate: u64) -> Vec<Artifact> {
        let Some(samples) = evaluation.samples else {
            return Vec::new();
        };
        if replicate != 0 {
            return Vec::new();
        }
        let scored = Documents::from_docs(samples.iter().take(SCORED_DOCUMENTS));
        let scores = evaluation
            .generation0
            .documents_log_probs(&scored)
            .iter()
            .map(|lp| (-lp.iter().sum::<f64>() / lp.len().max(1) as f64).exp())
            .collect();
        let texts = samples
            .iter()
            .take(self.sample_texts)
            .map(|doc| self.decode(doc).chars().take(TEXT_CHARS).collect())
            .collect();
        vec![
            Artifact::Scores {
                kind: "ppl_gen0",
                values: scores,
            },
            Artifact::Texts {
                kind: "sample",
                texts,
            },
        ]
    }
}

impl BuildFilter for TextTask {
    fn build_filter(&self, spec: &FilterSpec) -> Result<Box<dyn Filter<Self>>, FilterError> {
        filters::build(spec)
    }
}
