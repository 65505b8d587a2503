//! `genloop lm`: the n-gram language model on its own, like a small KenLM. A model is
//! a folder: `tokenizer.json` (word vocabulary or Hugging Face BPE), `model.arpa`
//! (the n-gram model, KenLM's text format) and `model.json` (what was trained).

use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use genloop_core::data::Documents;
use genloop_core::model::{FittedModel, Sampling};
use genloop_core::seed::RootSeed;
use genloop_text::corpus::{read_corpus, Format, OnError, ReadOptions};
use genloop_text::ngram::{NgramError, NgramEstimator, NgramModel, Smoothing};
use genloop_text::tokenize::{
    encode_documents, load_tokenizer, BpeOptions, Tokenizer, TokenizerSpec, WordOptions,
};
use genloop_transformer::SampleConfig;

use super::lm_transformer;
use crate::args::{
    LmCommand, LmModelKind, SmoothingKind, TextFormat, TextInput, TokenizerKind, TransformerArgs,
};
use crate::files::{occupied, write_atomic};
use crate::UsageError;

/// What `lm train` records beside the model.
#[derive(Debug, Serialize, Deserialize)]
struct ModelInfo {
    order: usize,
    smoothing: String,
    tokenizer: String,
    vocab_size: usize,
    training_documents: usize,
    training_tokens: usize,
    genloop_version: String,
}

pub fn execute(command: LmCommand) -> anyhow::Result<()> {
    match command {
        LmCommand::Train {
            corpus,
            model: LmModelKind::Transformer,
            transformer,
            tokenizer,
            vocab_size,
            lowercase,
            input,
            out,
            ..
        } => {
            let spec = tokenizer_spec(tokenizer, vocab_size, lowercase);
            let kind = format!("{tokenizer:?}").to_lowercase();
            train_transformer(&corpus, &transformer, (&spec, &kind), &input, &out)
        }
        LmCommand::Train {
            corpus,
            order,
            tokenizer,
            vocab_size,
            lowercase,
            smoothing,
            k,
            input,
            out,
            transformer,
            ..
        } => train(
            &corpus,
            order,
            tokenizer,
            vocab_size,
            lowercase,
            smoothing,
            k,
            &input,
            (&out, transformer.json),
        ),
        LmCommand::Eval {
            model,
            text,
            input,
            json,
        } => eval(&model, &text, &input, json),
        LmCommand::Sample {
            model,
            count,
            temperature,
            top_k,
            top_p,
            max_length,
            seed,
            json,
        } => sample(
            &model,
            &SampleSettings {
                count,
                temperature,
                top_k,
                top_p,
                max_length,
                seed,
            },
            json,
        ),
        LmCommand::Export { model, arpa, force } => {
            let (lm, tokenizer) = load(&model)?;
            crate::files::write_user_file(&arpa, force, |mut w| {
                lm.write_arpa(&mut w, &|id| tokenizer.token(id))?;
                Ok(())
            })
        }
    }
}

fn read_options(path: &Path, input: &TextInput) -> ReadOptions {
    ReadOptions {
        format: match input.format {
            Some(TextFormat::Lines) => Format::Lines,
            Some(TextFormat::Paragraphs) => Format::Paragraphs,
            Some(TextFormat::Jsonl) => Format::Jsonl,
            None => Format::infer(path),
        },
        text_field: input.text_field.clone(),
        on_error: if input.skip_errors {
            OnError::Skip
        } else {
            OnError::Fail
        },
    }
}

/// The corpus's texts. A corpus that cannot be read, is empty, or (with
/// `--skip-errors`) is mostly malformed is the user's to fix: exit 2.
fn read_texts(path: &Path, input: &TextInput) -> anyhow::Result<Vec<String>> {
    let corpus =
        read_corpus(path, &read_options(path, input)).map_err(|e| UsageError(e.to_string()))?;
    let skipped = corpus.skipped.count;
    if skipped > 0 {
        eprintln!("{}", corpus.skipped);
    }
    let total = skipped + corpus.docs.len();
    if 2 * skipped > total {
        return Err(UsageError(format!(
            "{}: {skipped} of {total} records are malformed, so this is not read as the corpus it should be; check --format and --text-field (--skip-errors is for a few bad records)",
            path.display()
        ))
        .into());
    }
    Ok(corpus.docs.into_iter().map(|d| d.text).collect())
}

/// The smoothing `--smoothing` names (`k` for add-k).
fn smoothing_of(kind: SmoothingKind, k: f64) -> Smoothing {
    match kind {
        SmoothingKind::KneserNey => Smoothing::KneserNey,
        SmoothingKind::Mle => Smoothing::Mle,
        SmoothingKind::AddK => Smoothing::AddK(k),
    }
}

/// The tokenizer `--tokenizer` names, to be trained on the corpus.
fn tokenizer_spec(kind: TokenizerKind, vocab_size: usize, lowercase: bool) -> TokenizerSpec {
    match kind {
        TokenizerKind::Word => TokenizerSpec::Word(WordOptions {
            lowercase,
            ..WordOptions::default()
        }),
        TokenizerKind::Bpe => TokenizerSpec::Bpe(BpeOptions {
            vocab_size,
            lowercase,
            ..BpeOptions::default()
        }),
    }
}

/// Refuses an occupied `--out`, reads the corpus and trains the tokenizer on it.
fn prepare(
    corpus: &Path,
    spec: &TokenizerSpec,
    input: &TextInput,
    out: &Path,
) -> anyhow::Result<(Vec<String>, Box<dyn Tokenizer>)> {
    if occupied(out) {
        return Err(UsageError(format!(
            "{} already exists and is not empty; choose another --out",
            out.display()
        ))
        .into());
    }
    let texts = read_texts(corpus, input)?;
    let tokenizer = spec
        .train(texts.iter().map(String::as_str))
        .map_err(|e| UsageError(format!("{}: {e}", corpus.display())))?;
    Ok((texts, tokenizer))
}

/// `lm train --model transformer`: sizes checked first, then the corpus and tokenizer.
fn train_transformer(
    corpus: &Path,
    args: &TransformerArgs,
    (spec, kind): (&TokenizerSpec, &str),
    input: &TextInput,
    out: &Path,
) -> anyhow::Result<()> {
    lm_transformer::check_args(args)?;
    let (texts, tokenizer) = prepare(corpus, spec, input, out)?;
    lm_transformer::train(args, &texts, tokenizer.as_ref(), kind, out)
}

/// `--order` and `--k`, checked before the corpus is read; the error names the flag
/// (`--k -1` was reported as a problem of `--order 3`).
fn check_ngram_flags(order: usize, smoothing: Smoothing) -> Result<(), UsageError> {
    // The vocabulary is the corpus's; 1 stands in for it here.
    NgramEstimator::new(order, smoothing, 1)
        .map(|_| ())
        .map_err(|e| {
            let flag = match e {
                NgramError::AddK(k) => format!("--k {k}"),
                _ => format!("--order {order}"),
            };
            UsageError(format!("{flag}: {e}"))
        })
}

#[allow(clippy::too_many_arguments)]
fn train(
    corpus: &Path,
    order: usize,
    tokenizer_kind: TokenizerKind,
    vocab_size: usize,
    lowercase: bool,
    smoothing: SmoothingKind,
    k: f64,
    input: &TextInput,
    (out, json): (&Path, bool),
) -> anyhow::Result<()> {
    let smoothing = smoothing_of(smoothing, k);
    check_ngram_flags(order, smoothing)?;
    let spec = tokenizer_spec(tokenizer_kind, vocab_size, lowercase);
    let (texts, tokenizer) = prepare(corpus, &spec, input, out)?;
    let docs = encode_documents(tokenizer.as_ref(), texts.iter());
    let estimator = NgramEstimator::new(order, smoothing, tokenizer.vocab_size())
        .map_err(|e| UsageError(format!("the corpus's vocabulary: {e}")))?;
    let model = estimator
        .fit_documents(&[&docs])
        .map_err(|e| UsageError(format!("{}: {e}", corpus.display())))?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    tokenizer.save(&out.join("tokenizer.json"))?;
    let mut arpa = Vec::new();
    model.write_arpa(&mut arpa, &|id| tokenizer.token(id))?;
    write_atomic(&out.join("model.arpa"), &arpa)?;
    let info = ModelInfo {
        order,
        smoothing: format!("{smoothing:?}"),
        tokenizer: format!("{tokenizer_kind:?}").to_lowercase(),
        vocab_size: tokenizer.vocab_size(),
        training_documents: texts.len(),
        training_tokens: docs.tokens.len(),
        genloop_version: env!("CARGO_PKG_VERSION").into(),
    };
    write_atomic(
        &out.join("model.json"),
        serde_json::to_string_pretty(&info)?.as_bytes(),
    )?;
    if json {
        // What model.json records, and the model's n-gram count.
        let mut summary = serde_json::to_value(&info)?;
        summary["ngrams"] = model.ngram_count().into();
        println!("{summary}");
        return Ok(());
    }
    eprintln!(
        "trained an order-{order} model on {} documents, {} tokens, {} n-grams: {}",
        texts.len(),
        docs.tokens.len(),
        model.ngram_count(),
        out.display()
    );
    Ok(())
}

fn load(dir: &Path) -> anyhow::Result<(NgramModel, Box<dyn Tokenizer>)> {
    if !dir.join("model.arpa").is_file() {
        return Err(UsageError(format!(
            "{}: not a model folder (no model.arpa); train one with `genloop lm train`",
            dir.display()
        ))
        .into());
    }
    let tokenizer = load_tokenizer(&dir.join("tokenizer.json"))?;
    let ids: HashMap<String, u32> = (0..tokenizer.vocab_size() as u32)
        .map(|id| (tokenizer.token(id), id))
        .collect();
    let file = std::fs::File::open(dir.join("model.arpa"))
        .with_context(|| format!("cannot read {}", dir.join("model.arpa").display()))?;
    let model = NgramModel::read_arpa(BufReader::new(file), tokenizer.vocab_size(), &|w| {
        ids.get(w).copied()
    })
    .with_context(|| format!("{}", dir.join("model.arpa").display()))?;
    Ok((model, tokenizer))
}

#[derive(Serialize)]
struct EvalReport {
    perplexity: f64,
    cross_entropy: f64,
    tokens: usize,
    oov: usize,
}

fn eval(model_dir: &Path, text: &Path, input: &TextInput, json: bool) -> anyhow::Result<()> {
    let texts = read_texts(text, input)?;
    let (cross_entropy, tokens, docs) = if lm_transformer::is_transformer(model_dir) {
        let mut loaded = lm_transformer::load(model_dir)?;
        let (nats, tokens) = lm_transformer::cross_entropy(&mut loaded, &texts)?;
        let docs = encode_documents(loaded.tokenizer.as_ref(), texts.iter());
        (
            nats / tokens.max(1) as f64,
            tokens,
            (docs, loaded.tokenizer),
        )
    } else {
        let (model, tokenizer) = load(model_dir)?;
        let docs: Documents = encode_documents(tokenizer.as_ref(), texts.iter());
        let (cross_entropy, tokens) = model.cross_entropy(&docs);
        (cross_entropy, tokens, (docs, tokenizer))
    };
    let (docs, tokenizer) = docs;
    let oov = match tokenizer.unk_id() {
        Some(unk) => docs.tokens.iter().filter(|t| **t == unk).count(),
        None => 0,
    };
    let report = EvalReport {
        perplexity: cross_entropy.exp(),
        cross_entropy,
        tokens,
        oov,
    };
    let mut stdout = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        writeln!(
            stdout,
            "perplexity {:.4}\ncross_entropy {:.6} nats/token\ntokens {} (end-of-document included)\noov {}",
            report.perplexity, report.cross_entropy, report.tokens, report.oov
        )?;
    }
    Ok(())
}

/// `lm sample`'s settings, as `--json` prints them.
#[derive(serde::Serialize)]
struct SampleSettings {
    count: usize,
    temperature: f64,
    top_k: usize,
    top_p: f64,
    max_length: usize,
    seed: u64,
}

fn sample(model_dir: &Path, settings: &SampleSettings, json: bool) -> anyhow::Result<()> {
    let s = settings;
    let valid = s.temperature > 0.0 && s.top_p > 0.0 && s.top_p <= 1.0 && s.max_length > 0;
    if !valid {
        return Err(UsageError(
            "--temperature must be > 0, --top-p within (0, 1], --max-length ≥ 1".into(),
        )
        .into());
    }
    let texts = if lm_transformer::is_transformer(model_dir) {
        let loaded = lm_transformer::load(model_dir)?;
        let config = SampleConfig {
            temperature: s.temperature as f32,
            top_k: (s.top_k > 0).then_some(s.top_k),
            top_p: (s.top_p < 1.0).then_some(s.top_p as f32),
            max_tokens: s.max_length,
        };
        lm_transformer::sample_texts(&loaded, s.count, &config, s.seed)?
    } else {
        sample_ngram(model_dir, s)?
    };
    let mut stdout = std::io::stdout().lock();
    if json {
        let document = serde_json::json!({ "settings": settings, "samples": texts });
        writeln!(stdout, "{document}")?;
    } else {
        for text in texts {
            writeln!(stdout, "{text}")?;
        }
    }
    Ok(())
}

/// `count` documents from an n-gram model folder, newlines made spaces.
fn sample_ngram(model_dir: &Path, s: &SampleSettings) -> anyhow::Result<Vec<String>> {
    let (model, tokenizer) = load(model_dir)?;
    let model = model.with_max_length(s.max_length);
    let sampling = Sampling {
        temperature: s.temperature,
        top_k: s.top_k,
        top_p: s.top_p,
        ..Sampling::default()
    };
    let mut rng = RootSeed(s.seed).global("lm-sample");
    let mut texts = Vec::with_capacity(s.count);
    for _ in 0..s.count {
        // Asking for one token yields at least one document; keep the first.
        let docs = model.sample(1, &sampling, &mut rng);
        let first = docs
            .iter()
            .next()
            .map(|doc| tokenizer.decode(doc).replace('\n', " "));
        texts.extend(first);
    }
    Ok(texts)
}
