//! A corpus as the text task's source: read (deleted posts purged), split once per run
//! (seeded stream `corpus_split`), the tokenizer trained on the original pool, the
//! gate's validation set (also the filters' calibration set) carved beside the holdout.

use std::path::Path;
use std::sync::Arc;

use genloop_core::config::text::{CorpusFormat, CorpusSpec, TokenizerSpec as TokenizerConfig};
use genloop_core::config::Experiment;
use genloop_core::data::Documents;
use genloop_core::seed::RootSeed;
use genloop_ingest::Ledger;

use super::{TextSource, TextTaskError};
use crate::corpus::{
    CorpusDoc, CorpusError, CorpusReader, CorpusSplits, Format, OnError, ReadOptions, SplitSpec,
    TextSplits,
};
use crate::tokenize::{BpeOptions, Tokenizer, TokenizerSpec, WordOptions, WordTokenizer};

/// How the corpus file is read.
fn read_options(corpus: &CorpusSpec) -> ReadOptions {
    ReadOptions {
        format: match corpus.format {
            CorpusFormat::Jsonl => Format::Jsonl,
            CorpusFormat::Lines => Format::Lines,
            CorpusFormat::Paragraphs => Format::Paragraphs,
        },
        text_field: corpus.text_field.clone(),
        on_error: if corpus.skip_errors {
            OnError::Skip
        } else {
            OnError::Fail
        },
    }
}

/// The tokenizer to train on the original pool.
fn tokenizer_spec(config: TokenizerConfig) -> TokenizerSpec {
    match config {
        TokenizerConfig::Word { lowercase } => TokenizerSpec::Word(WordOptions {
            lowercase,
            ..WordOptions::default()
        }),
        TokenizerConfig::Bpe {
            vocab_size,
            lowercase,
        } => TokenizerSpec::Bpe(BpeOptions {
            vocab_size,
            lowercase,
            ..BpeOptions::default()
        }),
    }
}

/// Whether a held-out set is carved beside the test holdout: the gate's validation
/// draw and the filters' calibration draw both come from it.
fn needs_validation(experiment: &Experiment) -> bool {
    experiment.arms.iter().any(|a| {
        a.gate != genloop_core::pipeline::gate::GateSpec::None
            || a.filters
                .iter()
                .any(|f| matches!(f.kind.as_str(), "perplexity" | "detector"))
    })
}

/// Generations that release fresh data (1 .. G−1) and the fresh tokens each needs.
fn fresh_releases(experiment: &Experiment) -> (usize, usize) {
    let releases = experiment.settings.generations.saturating_sub(1);
    let fresh_per_generation = experiment
        .arms
        .iter()
        .map(|a| a.regime.fresh)
        .max()
        .unwrap_or(0);
    (releases, fresh_per_generation)
}

/// How the corpus is split into pools.
fn split_spec(
    experiment: &Experiment,
    corpus: &CorpusSpec,
    gated: bool,
    fresh_needed: usize,
) -> SplitSpec {
    let settings = &experiment.settings;
    SplitSpec {
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
    }
}

/// The corpus reader, without the posts the deletion ledger names.
fn open_purged(
    experiment: &Experiment,
    corpus: &CorpusSpec,
    path: &Path,
) -> Result<impl Iterator<Item = Result<CorpusDoc, CorpusError>>, TextTaskError> {
    let reader = CorpusReader::open(path, &read_options(corpus))?;
    // Deleted posts are purged before any pool is built.
    let ledger = match &corpus.ledger {
        Some(ledger) => {
            let ledger_path = experiment.base_dir.join(ledger);
            Some(Ledger::load(&ledger_path).map_err(|e| TextTaskError::Setup(e.to_string()))?)
        }
        None => None,
    };
    let id_field = corpus.id_field.clone();
    Ok(reader.filter(move |doc| match (&ledger, doc) {
        (Some(ledger), Ok(doc)) => !doc.metadata.get(&id_field).is_some_and(|id| match id {
            serde_json::Value::String(id) => ledger.contains(id),
            other => ledger.contains(&other.to_string()),
        }),
        _ => true,
    }))
}

/// Alternate documents of the encoded holdout between the test holdout and the
/// validation set (empty when none is needed).
fn carve_validation(encoded: &mut CorpusSplits, gated: bool) -> Documents {
    if !gated {
        return Documents::new();
    }
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
}

pub(super) fn load_corpus(
    experiment: &Experiment,
    corpus: &CorpusSpec,
) -> Result<(TextSource, Arc<dyn Tokenizer>), TextTaskError> {
    let settings = &experiment.settings;
    let path = experiment.base_dir.join(&corpus.path);
    let config = experiment
        .tokenizer
        .clone()
        .unwrap_or(TokenizerConfig::Word { lowercase: false });
    let lowercase = match config {
        TokenizerConfig::Word { lowercase } | TokenizerConfig::Bpe { lowercase, .. } => lowercase,
    };
    // Sizes are counted in word tokens while splitting (a BPE vocabulary does not
    // exist before the original pool does).
    let counter = WordTokenizer::empty(&WordOptions {
        lowercase,
        ..WordOptions::default()
    });
    let (releases, fresh_per_generation) = fresh_releases(experiment);
    let fresh_needed = fresh_per_generation * releases;
    let gated = needs_validation(experiment);
    let spec = split_spec(experiment, corpus, gated, fresh_needed);
    let reader = open_purged(experiment, corpus, &path)?;
    let splits = TextSplits::split(
        reader,
        &path,
        &counter,
        &spec,
        &mut RootSeed(settings.seed).global("corpus_split"),
    )?;
    let tokenizer: Arc<dyn Tokenizer> =
        Arc::from(tokenizer_spec(config).train(splits.original.texts())?);
    let mut encoded = splits.encode(tokenizer.as_ref());
    let validation = carve_validation(&mut encoded, gated);
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
