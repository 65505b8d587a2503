//! `genloop lm … --model transformer`: the GPT-2-style transformer of
//! `genloop-transformer` served like the n-gram model. A model is a folder:
//! `config.json` and `model.safetensors` (Hugging Face GPT-2 names), `tokenizer.json`
//! (the tokenizer trained on the corpus) and `genloop.json` (what was trained, and the
//! end-of-text id).
//!
//! End of text: the word and BPE tokenizers have no end-of-document token, so the model's
//! vocabulary is the tokenizer's plus one id, `tokenizer.vocab_size()`, which separates
//! documents in the training stream, starts every sampled document and ends it. A folder
//! without `genloop.json` (a Hugging Face GPT-2 folder) uses its last id (GPT-2's
//! `<|endoftext|>`, 50256).

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use genloop_core::seed::RootSeed;
use genloop_text::neural::{read_folder, FolderInfo, INFO_FILE};
use genloop_text::tokenize::{load_tokenizer, Tokenizer};
use genloop_transformer::{
    checkpoint, log_probs, Gpt2, Gpt2Config, Params, SampleConfig, TrainConfig,
};

use crate::args::TransformerArgs;
use crate::files::write_atomic;
use crate::UsageError;

/// Validation tokens evaluated at each of the ten validations of a run, in windows evenly
/// spaced through the validation split: the whole split (10 % of the corpus) at every
/// validation would cost more than the training itself (on the King James text, 6,465
/// windows of 64 tokens, 200 forward passes of 32 windows, ten times over). 16,384 tokens
/// cost about 5 % of a 300-step run with batch 32 and context 64.
const EVAL_TOKENS: usize = 16_384;

/// What `lm train --model transformer --json` prints.
#[derive(Serialize)]
struct TrainSummary {
    parameters: usize,
    train_tokens_per_second: f64,
    final_validation_loss: f32,
    best_step: usize,
    steps: usize,
    training_tokens: usize,
    validation_tokens: usize,
}

/// Whether `dir` holds a transformer checkpoint (`config.json` and `model.safetensors`).
pub fn is_transformer(dir: &Path) -> bool {
    dir.join(checkpoint::CONFIG_FILE).is_file() && dir.join(checkpoint::WEIGHTS_FILE).is_file()
}

/// Refuses sizes the model cannot be built with, naming the flag.
pub fn check_args(args: &TransformerArgs) -> Result<(), UsageError> {
    let sizes = [
        ("--layers", args.layers),
        ("--heads", args.heads),
        ("--d-model", args.d_model),
        ("--context", args.context),
        ("--batch-size", args.batch_size),
        ("--steps", args.steps),
    ];
    if let Some((flag, _)) = sizes.iter().find(|(_, v)| *v == 0) {
        return Err(UsageError(format!("{flag} must be at least 1")));
    }
    if !args.d_model.is_multiple_of(args.heads) {
        return Err(UsageError(format!(
            "--heads {} must divide --d-model {}",
            args.heads, args.d_model
        )));
    }
    if !(args.learning_rate > 0.0 && args.learning_rate.is_finite()) {
        return Err(UsageError("--learning-rate must be > 0".into()));
    }
    if args.threads == Some(0) {
        return Err(UsageError("--threads must be at least 1".into()));
    }
    Ok(())
}

/// The documents as one stream, each preceded by the end-of-text id, with one more at
/// the end; split into training (the first 90 %) and validation (the rest, at least one
/// window of `context + 1` tokens).
fn token_streams(
    tokenizer: &dyn Tokenizer,
    texts: &[String],
    eot: u32,
    context: usize,
) -> anyhow::Result<(Vec<u32>, Vec<u32>)> {
    let mut stream = Vec::new();
    for text in texts {
        stream.push(eot);
        stream.extend(tokenizer.encode(text));
    }
    stream.push(eot);
    let valid_len = (stream.len() / 10).max(context + 1);
    if stream.len() < valid_len + context + 1 {
        anyhow::bail!(
            "the corpus has {} tokens; --context {context} needs at least {} (a training and a validation window)",
            stream.len(),
            2 * (context + 1)
        );
    }
    let valid = stream.split_off(stream.len() - valid_len);
    Ok((stream, valid))
}

fn train_config(args: &TransformerArgs) -> TrainConfig {
    TrainConfig {
        steps: args.steps,
        batch_size: args.batch_size,
        context: args.context,
        learning_rate: args.learning_rate,
        warmup_steps: (args.steps / 10).min(100),
        eval_every: (args.steps / 10).max(1),
        eval_windows: Some((EVAL_TOKENS / args.context).max(1)),
        ..TrainConfig::default()
    }
}

/// Trains a transformer on `texts` with an already trained tokenizer and writes `out`
/// (the sizes already passed [`check_args`]).
pub fn train(
    args: &TransformerArgs,
    texts: &[String],
    tokenizer: &dyn Tokenizer,
    tokenizer_kind: &str,
    out: &Path,
) -> anyhow::Result<()> {
    let eot = tokenizer.vocab_size() as u32;
    let (train_stream, valid_stream) = token_streams(tokenizer, texts, eot, args.context)?;
    let config = Gpt2Config::new(
        tokenizer.vocab_size() + 1,
        args.context,
        args.d_model,
        args.layers,
        args.heads,
    );
    let seed = RootSeed(args.seed);
    let params = Params::init(&config, &mut seed.stream("lm-init", 0, 0))
        .map_err(|e| UsageError(format!("transformer size: {e}")))?;
    let mut model = Gpt2::new(params);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(crate::threads::resolve(args.threads))
        .build()?;
    let report = pool.install(|| {
        genloop_transformer::train(
            &mut model,
            &train_stream,
            &valid_stream,
            &train_config(args),
            &mut seed.stream("lm-train", 0, 0),
        )
    })?;
    write_folder(&model.params, tokenizer, out)?;
    let info = FolderInfo {
        end_of_text: eot,
        tokenizer: tokenizer_kind.into(),
        ..FolderInfo::trained(texts.len(), train_stream.len(), valid_stream.len(), &report)
    };
    write_atomic(
        &out.join(INFO_FILE),
        serde_json::to_string_pretty(&info)?.as_bytes(),
    )?;
    let summary = TrainSummary {
        parameters: model.params.data.len(),
        train_tokens_per_second: report.tokens_per_second,
        final_validation_loss: report.best_validation,
        best_step: report.best_step,
        steps: args.steps,
        training_tokens: train_stream.len(),
        validation_tokens: valid_stream.len(),
    };
    print_summary(&summary, args.json, out)
}

/// The checkpoint files, each written atomically (as the n-gram model's are), and the
/// tokenizer beside them.
fn write_folder(params: &Params, tokenizer: &dyn Tokenizer, out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let (config, weights) = checkpoint::encode(params)?;
    write_atomic(&out.join(checkpoint::CONFIG_FILE), config.as_bytes())?;
    write_atomic(&out.join(checkpoint::WEIGHTS_FILE), &weights)?;
    tokenizer.save(&out.join("tokenizer.json"))?;
    Ok(())
}

fn print_summary(summary: &TrainSummary, json: bool, out: &Path) -> anyhow::Result<()> {
    if json {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer(&mut stdout, summary)?;
        writeln!(stdout)?;
    } else {
        eprintln!(
            "trained a transformer of {} parameters for {} steps on {} tokens ({:.0} tokens/s), validation loss {:.4} (step {}): {}",
            summary.parameters,
            summary.steps,
            summary.training_tokens,
            summary.train_tokens_per_second,
            summary.final_validation_loss,
            summary.best_step,
            out.display()
        );
    }
    Ok(())
}

/// A transformer folder: the model, its tokenizer and its end-of-text id.
pub struct Loaded {
    pub model: Gpt2,
    pub tokenizer: Box<dyn Tokenizer>,
    pub end_of_text: u32,
}

/// Reads a transformer folder (genloop's, or a Hugging Face GPT-2 one).
pub fn load(dir: &Path) -> anyhow::Result<Loaded> {
    let (params, end_of_text) = read_folder(dir).with_context(|| format!("{}", dir.display()))?;
    let tokenizer = load_tokenizer(&dir.join("tokenizer.json"))?;
    Ok(Loaded {
        model: Gpt2::new(params),
        tokenizer,
        end_of_text,
    })
}

/// Summed cross-entropy (nats) and token count of `texts`: every document is scored
/// after an end-of-text token, its own end-of-text included, as the n-gram eval counts.
pub fn cross_entropy(loaded: &mut Loaded, texts: &[String]) -> anyhow::Result<(f64, usize)> {
    let (mut nats, mut tokens) = (0.0f64, 0usize);
    for text in texts {
        let mut ids = vec![loaded.end_of_text];
        ids.extend(loaded.tokenizer.encode(text));
        ids.push(loaded.end_of_text);
        let lp = log_probs(&mut loaded.model, &ids)?;
        nats -= lp.iter().map(|&l| f64::from(l)).sum::<f64>();
        tokens += lp.len();
    }
    Ok((nats, tokens))
}

/// `count` documents sampled from `[end-of-text]`, each cut at its first end-of-text.
pub fn sample_texts(
    loaded: &Loaded,
    count: usize,
    config: &SampleConfig,
    seed: u64,
) -> anyhow::Result<Vec<String>> {
    let params = &loaded.model.params;
    let config = SampleConfig {
        max_tokens: config.max_tokens.min(params.config.n_positions - 1),
        ..*config
    };
    let mut rng = RootSeed(seed).global("lm-sample");
    let drawn =
        genloop_transformer::sample(params, &[loaded.end_of_text], count, &config, &mut rng)?;
    let vocab = loaded.tokenizer.vocab_size() as u32;
    Ok(drawn
        .iter()
        .map(|seq| {
            let end = seq.tokens.iter().position(|&t| t == loaded.end_of_text);
            let ids: Vec<u32> = seq.tokens[..end.unwrap_or(seq.tokens.len())]
                .iter()
                .copied()
                .filter(|&t| t < vocab)
                .collect();
            loaded.tokenizer.decode(&ids).replace('\n', " ")
        })
        .collect())
}
