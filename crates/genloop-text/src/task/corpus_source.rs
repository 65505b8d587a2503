//! A corpus as the text task's source: read (deleted posts purged), split once per run
//! (seeded stream `corpus_split`), the tokenizer trained on the original pool (or the one
//! saved beside a transformer checkpoint the run fine-tunes), the
//! gate's validation set (also the filters' calibration set) carved beside the holdout.

use std::path::Path;
use std::sync::Arc;

use genloop_core::data::Documents;
use genloop_core::seed::RootSeed;
use genloop_ingest::Ledger;

use super::{TextModelSpec, TextSetup, TextSource, TextTaskError};
use crate::corpus::{
    CorpusDoc, CorpusError, CorpusReader, CorpusSpec, CorpusSplits, ReadOptions, SplitSpec,
    TextSplits,
};
use crate::tokenize::{load_tokenizer, Tokenizer, TokenizerSpec, WordOptions, WordTokenizer};
use genloop_core::pipeline::gate::GateSpec;

/// How the corpus file is read.
fn read_options(corpus: &CorpusSpec) -> ReadOptions {
    ReadOptions {
        format: corpus.format,
        text_field: corpus.text_field.clone(),
        on_error: corpus.on_error,
    }
}

/// Whether a held-out set is carved beside the test holdout: the gate's validation
/// draw and the filters' calibration draw both come from it.
fn needs_validation(setup: &TextSetup<'_>) -> bool {
    setup.arms.iter().any(|a| {
        a.gate != GateSpec::None
            || a.filters
                .iter()
                .any(|f| matches!(f.kind(), "perplexity" | "detector"))
    })
}

/// Generations that release fresh data (1 .. G−1) and the fresh tokens each needs.
fn fresh_releases(setup: &TextSetup<'_>) -> (usize, usize) {
    let releases = setup.settings.generations.saturating_sub(1);
    let fresh_per_generation = setup.arms.iter().map(|a| a.regime.fresh).max().unwrap_or(0);
    (releases, fresh_per_generation)
}

/// How the corpus is split into pools.
fn split_spec(
    setup: &TextSetup<'_>,
    corpus: &CorpusSpec,
    gated: bool,
    fresh_needed: usize,
) -> SplitSpec {
    let settings = setup.settings;
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
    setup: &TextSetup<'_>,
    corpus: &CorpusSpec,
    path: &Path,
) -> Result<impl Iterator<Item = Result<CorpusDoc, CorpusError>>, TextTaskError> {
    let reader = CorpusReader::open(path, &read_options(corpus))?;
    // Deleted posts are purged before any pool is built.
    let ledger = match &corpus.ledger {
        Some(ledger) => {
            let ledger_path = setup.base_dir.join(ledger);
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

/// The tokenizer saved beside a transformer checkpoint, which a run fine-tuning it must
/// use (its ids are the checkpoint's rows); `None` when the run trains its own.
fn checkpoint_tokenizer(setup: &TextSetup<'_>) -> Option<std::path::PathBuf> {
    let TextModelSpec::Transformer(spec) = setup.model else {
        return None;
    };
    let path = setup
        .base_dir
        .join(spec.checkpoint.as_ref()?)
        .join("tokenizer.json");
    path.is_file().then_some(path)
}

pub(super) fn load_corpus(
    setup: &TextSetup<'_>,
    corpus: &CorpusSpec,
) -> Result<(TextSource, Arc<dyn Tokenizer>), TextTaskError> {
    let settings = setup.settings;
    let path = setup.base_dir.join(&corpus.path);
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
    let (releases, fresh_per_generation) = fresh_releases(setup);
    let fresh_needed = fresh_per_generation * releases;
    let gated = needs_validation(setup);
    let spec = split_spec(setup, corpus, gated, fresh_needed);
    let reader = open_purged(setup, corpus, &path)?;
    let splits = TextSplits::split(
        reader,
        &path,
        &counter,
        &spec,
        &mut RootSeed(settings.seed).global("corpus_split"),
    )?;
    let tokenizer: Arc<dyn Tokenizer> = match checkpoint_tokenizer(setup) {
        Some(path) => Arc::from(load_tokenizer(&path)?),
        None => Arc::from(tokenizer_spec.train(splits.original.texts())?),
    };
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
