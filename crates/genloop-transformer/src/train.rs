//! Training on a token stream: random fixed-length windows, AdamW with warm-up and cosine
//! decay, gradient clipping, validation every K steps, and the best-validation weights
//! kept as the result.

use crate::model::{Dropout, Gpt2, InputError};
use crate::optim::{clip_grad_norm, learning_rate, AdamW, AdamWConfig};
use genloop_core::seed::Rng;
use rand::{Rng as _, SeedableRng};
use std::time::Instant;
use thiserror::Error;

/// The training run's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainConfig {
    /// Optimiser steps.
    pub steps: usize,
    /// Windows per step.
    pub batch_size: usize,
    /// Tokens per window (at most the model's `n_positions`).
    pub context: usize,
    /// Peak learning rate.
    pub learning_rate: f32,
    /// AdamW's decoupled weight decay (2-D weights only).
    pub weight_decay: f32,
    /// Linear warm-up steps before the cosine decay.
    pub warmup_steps: usize,
    /// Validate every this many steps (and after the last step).
    pub eval_every: usize,
    /// Validate on at most this many windows of the validation stream, evenly spaced
    /// and the same at every validation (`None`: all of its windows). Validation is a
    /// forward pass over these windows every `eval_every` steps, so on a large stream
    /// it would otherwise cost more than the training.
    pub eval_windows: Option<usize>,
    /// Global gradient-norm bound.
    pub grad_clip: f32,
    /// Dropout probability while training (never while validating).
    pub dropout: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            steps: 1000,
            batch_size: 16,
            context: 128,
            learning_rate: 3e-3,
            weight_decay: 0.1,
            warmup_steps: 100,
            eval_every: 100,
            eval_windows: None,
            grad_clip: 1.0,
            dropout: 0.0,
        }
    }
}

/// Why training could not run.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TrainError {
    /// A stream holds no full window of `context + 1` tokens.
    #[error("the {split} stream has {tokens} tokens; a window needs context + 1 = {needed}")]
    TooShort {
        /// `"training"` or `"validation"`.
        split: &'static str,
        /// Tokens in the stream.
        tokens: usize,
        /// Tokens one window needs.
        needed: usize,
    },
    /// A window cannot go through the model (context too long, ids out of range).
    #[error(transparent)]
    Input(#[from] InputError),
}

/// What a training run did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainReport {
    /// Training loss of every step.
    pub losses: Vec<f32>,
    /// `(steps done, validation loss)` at each evaluation.
    pub validation: Vec<(usize, f32)>,
    /// Steps done when the kept (best-validation) weights were evaluated.
    pub best_step: usize,
    /// Validation loss of the kept weights.
    pub best_validation: f32,
    /// Training tokens (steps × batch × context) per second of wall time, evaluations included.
    pub tokens_per_second: f64,
}

fn check_stream(split: &'static str, tokens: &[u32], context: usize) -> Result<(), TrainError> {
    if tokens.len() <= context {
        return Err(TrainError::TooShort {
            split,
            tokens: tokens.len(),
            needed: context + 1,
        });
    }
    Ok(())
}

/// Mean next-token loss (nats per token) over the non-overlapping windows of `tokens`,
/// `batch` windows per forward pass; a final partial window is left out. Dropout is off
/// while evaluating.
pub fn evaluate(
    model: &mut Gpt2,
    tokens: &[u32],
    context: usize,
    batch: usize,
) -> Result<f32, InputError> {
    evaluate_windows(model, tokens, (context, batch), None)
}

/// [`evaluate`] on at most `max_windows` of the windows, evenly spaced through the stream
/// (`None`: all of them).
pub fn evaluate_windows(
    model: &mut Gpt2,
    tokens: &[u32],
    (context, batch): (usize, usize),
    max_windows: Option<usize>,
) -> Result<f32, InputError> {
    let dropout = model.dropout.take();
    let loss = window_loss(model, tokens, (context, batch), max_windows);
    model.dropout = dropout;
    loss
}

/// Starts of the non-overlapping windows of a stream of `len` tokens: all of them, or
/// `max` spread evenly (window `i · count / max` for `i < max`).
fn window_starts(len: usize, context: usize, max: Option<usize>) -> Vec<usize> {
    let count = len.saturating_sub(1) / context;
    match max {
        Some(max) if max < count => (0..max).map(|i| i * count / max * context).collect(),
        _ => (0..count).map(|w| w * context).collect(),
    }
}

fn window_loss(
    model: &mut Gpt2,
    tokens: &[u32],
    (context, batch): (usize, usize),
    max_windows: Option<usize>,
) -> Result<f32, InputError> {
    let windows = window_starts(tokens.len(), context, max_windows);
    let (mut sum, mut count) = (0.0f64, 0usize);
    for group in windows.chunks(batch.max(1)) {
        let x: Vec<u32> = group
            .iter()
            .flat_map(|&at| tokens[at..at + context].iter().copied())
            .collect();
        let y: Vec<u32> = group
            .iter()
            .flat_map(|&at| tokens[at + 1..at + context + 1].iter().copied())
            .collect();
        let loss = model
            .forward(&x, Some(&y), group.len(), context)?
            .expect("targets were given");
        sum += f64::from(loss) * group.len() as f64;
        count += group.len();
    }
    Ok((sum / count.max(1) as f64) as f32)
}

/// `batch` random windows of the stream: inputs and their next-token targets.
fn draw_batch(
    tokens: &[u32],
    context: usize,
    batch: usize,
    rng: &mut Rng,
    x: &mut Vec<u32>,
    y: &mut Vec<u32>,
) {
    x.clear();
    y.clear();
    for _ in 0..batch {
        let at = rng.random_range(0..tokens.len() - context);
        x.extend_from_slice(&tokens[at..at + context]);
        y.extend_from_slice(&tokens[at + 1..at + context + 1]);
    }
}

/// Evaluates on `valid` after `done` steps; copies the weights into `best` when they are
/// the best so far.
fn validate(
    model: &mut Gpt2,
    valid: &[u32],
    config: &TrainConfig,
    (done, best): (usize, &mut [f32]),
    report: &mut TrainReport,
) -> Result<(), InputError> {
    let loss = evaluate_windows(
        model,
        valid,
        (config.context, config.batch_size),
        config.eval_windows,
    )?;
    report.validation.push((done, loss));
    if loss < report.best_validation {
        (report.best_step, report.best_validation) = (done, loss);
        best.copy_from_slice(&model.params.data);
    }
    Ok(())
}

/// Trains `model` on `train` for `config.steps` steps, windows drawn from `rng` (and, with
/// dropout, the masks' seed); validates on `valid` every `eval_every` steps and after the
/// last; leaves the model holding the weights with the lowest validation loss.
pub fn train(
    model: &mut Gpt2,
    train: &[u32],
    valid: &[u32],
    config: &TrainConfig,
    rng: &mut Rng,
) -> Result<TrainReport, TrainError> {
    check_stream("training", train, config.context)?;
    check_stream("validation", valid, config.context)?;
    let start = Instant::now();
    let dropout = (config.dropout > 0.0).then(|| Dropout {
        p: config.dropout,
        rng: Rng::seed_from_u64(rng.random()),
    });
    let saved = std::mem::replace(&mut model.dropout, dropout);
    let mut best = model.params.data.clone();
    let result = run_steps(model, (train, valid), config, rng, &mut best);
    model.dropout = saved;
    let mut report = result?;
    if !report.validation.is_empty() {
        model.params.data.copy_from_slice(&best);
    }
    let tokens = (config.steps * config.batch_size * config.context) as f64;
    report.tokens_per_second = tokens / start.elapsed().as_secs_f64().max(1e-9);
    Ok(report)
}

/// The optimisation loop of [`train`]; `best` receives the best-validation weights.
fn run_steps(
    model: &mut Gpt2,
    (train, valid): (&[u32], &[u32]),
    config: &TrainConfig,
    rng: &mut Rng,
    best: &mut [f32],
) -> Result<TrainReport, TrainError> {
    let adam_config = AdamWConfig {
        weight_decay: config.weight_decay,
        ..AdamWConfig::default()
    };
    let mut adam = AdamW::new(adam_config, &model.params.layout);
    let mut report = TrainReport {
        best_validation: f32::INFINITY,
        ..TrainReport::default()
    };
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for step in 0..config.steps {
        draw_batch(
            train,
            config.context,
            config.batch_size,
            rng,
            &mut x,
            &mut y,
        );
        let loss = model
            .forward(&x, Some(&y), config.batch_size, config.context)?
            .expect("targets were given");
        report.losses.push(loss);
        model.backward()?;
        clip_grad_norm(&mut model.grads, config.grad_clip);
        let lr = learning_rate(
            step,
            config.learning_rate,
            config.warmup_steps,
            config.steps,
        );
        adam.step(&mut model.params.data, &model.grads, lr);
        let done = step + 1;
        if done % config.eval_every.max(1) == 0 || done == config.steps {
            validate(model, valid, config, (done, best), &mut report)?;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::window_starts;

    #[test]
    fn capped_validation_windows_are_spread_evenly() {
        // 10 windows of 4 tokens (41 tokens: each window needs its next token).
        assert_eq!(
            window_starts(41, 4, None),
            (0..10).map(|w| w * 4).collect::<Vec<_>>()
        );
        assert_eq!(window_starts(41, 4, Some(20)).len(), 10);
        assert_eq!(window_starts(41, 4, Some(3)), vec![0, 12, 24]);
        assert_eq!(window_starts(41, 4, Some(5)), vec![0, 8, 16, 24, 32]);
    }
}
