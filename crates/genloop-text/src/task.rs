//! The text task: a corpus or the synthetic language, a tokenizer, the n-gram model,
//! and the text metrics (names in `genloop_core::metrics`).
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
use genloop_core::engine::{Arm, RunSettings};
use genloop_core::gate::GateSpec;
use genloop_core::metrics::{self, MetricSpec};
use genloop_core::model::{Estimator, FitError, Source};
use genloop_core::provenance::Pool;
use genloop_core::seed::{Rng, RootSeed};
use genloop_core::task::{Artifact, Evaluation, Task};

use crate::corpus::{
    CorpusError, CorpusReader, CorpusSpec, CorpusSplits, ReadOptions, SplitSpec, TextSplits,
};
use crate::language::{Language, LanguageError, LanguageSpec};
use crate::metrics::{self as text_metrics, VocabularyProfile};
use crate::ngram::{NgramError, NgramEstimator, NgramModel, NgramSpec};
use crate::tokenize::{TokenizeError, Tokenizer, TokenizerSpec, WordOptions, WordTokenizer};
use genloop_curate::ingest::Ledger;

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
    #[error("{0}")]
    Setup(String),
}

/// The n-gram estimator with the sampling length limit.
#[derive(Clone, Debug)]
pub struct TextEstimator {
    pub ngram: NgramEstimator,
    pub max_length: usize,
}

impl Estimator for TextEstimator {
    type Data = Documents;
    type Model = NgramModel;
    const USES_RNG: bool = false;

    fn fit(&self, train: &TrainingSet<Documents>, rng: &mut Rng) -> Result<NgramModel, FitError> {
        Ok(self.ngram.fit(train, rng)?.with_max_length(self.max_length))
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
    pub ngram: &'a NgramSpec,
    /// Corpus runs: the tokenizer trained on the original pool (word tokens when
    /// absent).
    pub tokenizer: Option<&'a TokenizerSpec>,
    /// Relative corpus and ledger paths are resolved against this folder.
    pub base_dir: &'a Path,
    pub settings: &'a RunSettings,
    pub arms: &'a [Arm],
    /// Sampled documents stored per generation.
    pub sample_texts: usize,
}

impl TextTask {
    /// Build the task of a checked text run: read and split the corpus and train
    /// the tokenizer, or seed the synthetic language.
    pub fn build(setup: &TextSetup<'_>) -> Result<TextTask, TextTaskError> {
        let seed = RootSeed(setup.settings.seed);
        let ngram = setup.ngram;
        let (source, decoder, vocab_size) = match setup.origin {
            TextOrigin::Language(spec) => {
                let language = Language::new(spec, &mut seed.global("language"))?;
                let vocab = language.vocab_size();
                (
                    TextSource::Language(language.clone()),
                    Decoder::Language(language),
                    vocab,
                )
            }
            TextOrigin::Corpus(corpus) => {
                let (source, tokenizer) = load_corpus(setup, corpus)?;
                let vocab = tokenizer.vocab_size();
                (source, Decoder::Tokenizer(tokenizer), vocab)
            }
        };
        let mut metrics = vec![
            metrics::HOLDOUT_CROSS_ENTROPY,
            metrics::HOLDOUT_PERPLEXITY,
            metrics::SAMPLE_XENT_GEN0,
        ];
        if matches!(source, TextSource::Language(_)) {
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
        Ok(TextTask {
            source,
            decoder,
            estimator: TextEstimator {
                ngram: NgramEstimator::new(ngram.order, ngram.smoothing, vocab_size)?,
                max_length: ngram.max_length,
            },
            vocab_size,
            sample_texts: setup.sample_texts,
            metrics,
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

fn load_corpus(
    setup: &TextSetup<'_>,
    corpus: &CorpusSpec,
) -> Result<(TextSource, Arc<dyn Tokenizer>), TextTaskError> {
    let settings = setup.settings;
    let path = setup.base_dir.join(&corpus.path);
    let options = ReadOptions {
        format: corpus.format,
        text_field: corpus.text_field.clone(),
        on_error: corpus.on_error,
    };
    let tokenizer_spec = setup
        .tokenizer
        .cloned()
        .unwrap_or_else(|| TokenizerSpec::Word(WordOptions::default()));
    let lowercase = tokenizer_spec.lowercase();
    // Sizes are counted in word tokens while splitting (a BPE vocabulary does not
    // exist before the original pool does).
    let counter = WordTokenizer::empty(&WordOptions {
        lowercase,
        ..WordOptions::default()
    });
    // Fresh batches are released at generations 1 .. G−1.
    let releases = settings.generations.saturating_sub(1);
    let fresh_per_generation = setup.arms.iter().map(|a| a.regime.fresh).max().unwrap_or(0);
    let fresh_needed = fresh_per_generation * releases;
    // The gate's validation draw and the filters' calibration draw both come from a
    // held-out set carved beside the test holdout.
    let gated = setup.arms.iter().any(|a| {
        a.gate != GateSpec::None
            || a.filters
                .iter()
                .any(|f| matches!(f.kind.as_str(), "perplexity" | "detector"))
    });
    let spec = SplitSpec {
        original: settings.original,
        // The gate's validation set is carved out beside the holdout.
        holdout: if gated {
            settings.holdout * 2
        } else {
            settings.holdout
        },
        fresh: Some(fresh_needed),
        timestamp_field: corpus.timestamp_field.clone(),
        holdout_choice: Default::default(),
    };
    let reader = CorpusReader::open(&path, &options)?;
    // Deleted posts are purged before any pool is built.
    let ledger = match &corpus.ledger {
        Some(ledger) => {
            let ledger_path = setup.base_dir.join(ledger);
            Some(Ledger::load(&ledger_path).map_err(|e| TextTaskError::Setup(e.to_string()))?)
        }
        None => None,
    };
    let id_field = corpus.id_field.clone();
    let reader = reader.filter(move |doc| match (&ledger, doc) {
        (Some(ledger), Ok(doc)) => !doc.metadata.get(&id_field).is_some_and(|id| match id {
            serde_json::Value::String(id) => ledger.contains(id),
            other => ledger.contains(&other.to_string()),
        }),
        _ => true,
    });
    let splits = TextSplits::split(
        reader,
        &path,
        &counter,
        &spec,
        &mut RootSeed(settings.seed).global("corpus_split"),
    )?;
    let tokenizer: Arc<dyn Tokenizer> = Arc::from(tokenizer_spec.train(splits.original.texts())?);
    let mut encoded = splits.encode(tokenizer.as_ref());
    let validation = if gated {
        // Alternate documents between the test holdout and the validation set.
        let (mut test, mut validation) = (Documents::new(), Documents::new());
        for (i, doc) in encoded.holdout.iter().enumerate() {
            if i % 2 == 0 {
                test.push(doc);
            } else {
                validation.push(doc);
            }
        }
        encoded.holdout = test;
        validation
    } else {
        Documents::new()
    };
    if fresh_needed > 0 && (encoded.fresh_generations(fresh_per_generation) as usize) < releases {
        return Err(TextTaskError::Setup(format!(
            "{}: the fresh stream is too short: {releases} generations × {fresh_per_generation} fresh tokens are needed after the original and holdout pools",
            path.display(),
        )));
    }
    Ok((
        TextSource::Corpus {
            splits: encoded,
            validation,
        },
        tokenizer,
    ))
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

    fn build_filter(
        &self,
        spec: &genloop_core::curation::FilterSpec,
    ) -> Result<Box<dyn genloop_core::curation::Filter<Self>>, genloop_core::curation::FilterError>
    {
        crate::filters::build(spec)
    }

    fn needs_samples(&self) -> bool {
        true
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
        let scores = samples
            .iter()
            .take(SCORED_DOCUMENTS)
            .map(|doc| {
                let lp = evaluation.generation0.token_log_probs(doc);
                (-lp.iter().sum::<f64>() / lp.len().max(1) as f64).exp()
            })
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
