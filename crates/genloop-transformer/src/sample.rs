//! Scoring text (log-probability of every token) and sampling continuations with
//! temperature, top-k and top-p, batched over sequences.
//!
//! Sampling decodes incrementally with a key/value cache ([`Decoder`]); scoring runs the
//! full forward pass over windows of the model's context.

use crate::decode::Decoder;
use crate::model::{Gpt2, InputError};
use crate::params::Params;
use genloop_core::seed::Rng;
use rand::Rng as _;
use rayon::prelude::*;

/// How the next token is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleConfig {
    /// Logits are divided by this before the softmax (> 0).
    pub temperature: f32,
    /// Keep only the `k` most probable tokens (`None`: all).
    pub top_k: Option<usize>,
    /// Keep the smallest most-probable set whose probability reaches `p` (`None`: all).
    pub top_p: Option<f32>,
    /// Tokens to generate after the prompt.
    pub max_tokens: usize,
}

impl Default for SampleConfig {
    fn default() -> Self {
        SampleConfig {
            temperature: 1.0,
            top_k: None,
            top_p: None,
            max_tokens: 64,
        }
    }
}

/// Natural-log softmax of one row.
fn log_softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) / temperature;
    let log_sum = logits
        .iter()
        .map(|&z| f64::from(z / temperature - max).exp())
        .sum::<f64>()
        .ln() as f32;
    logits
        .iter()
        .map(|&z| z / temperature - max - log_sum)
        .collect()
}

/// The tokens the sampler may draw from these logits, with their renormalised
/// probabilities, most probable first (ties: lower id first).
pub fn candidates(logits: &[f32], config: &SampleConfig) -> Vec<(u32, f32)> {
    let log_p = log_softmax(logits, config.temperature);
    let mut order: Vec<u32> = (0..logits.len() as u32).collect();
    order.sort_by(|&a, &b| {
        log_p[b as usize]
            .total_cmp(&log_p[a as usize])
            .then(a.cmp(&b))
    });
    order.truncate(config.top_k.unwrap_or(order.len()).max(1));
    if let Some(top_p) = config.top_p {
        let mut mass = 0.0;
        let keep = order.iter().take_while(|&&id| {
            let inside = mass < top_p;
            mass += log_p[id as usize].exp();
            inside
        });
        let keep = keep.count().max(1);
        order.truncate(keep);
    }
    let total: f32 = order.iter().map(|&id| log_p[id as usize].exp()).sum();
    order
        .into_iter()
        .map(|id| (id, log_p[id as usize].exp() / total))
        .collect()
}

/// One sampled continuation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sampled {
    /// The drawn tokens (the prompt not included).
    pub tokens: Vec<u32>,
    /// The model's log-probability (nats, temperature 1, untruncated) of each drawn token.
    pub log_probs: Vec<f32>,
}

fn draw(candidates: &[(u32, f32)], rng: &mut Rng) -> u32 {
    let mut u: f32 = rng.random();
    for &(id, p) in candidates {
        if u < p {
            return id;
        }
        u -= p;
    }
    candidates.last().expect("at least one candidate").0
}

/// Continuations of one prompt: `n` sequences of `config.max_tokens` tokens each, and for
/// every drawn token the model's own log-probability of it (temperature 1, untruncated:
/// what [`log_probs`] gives for the same text). The prompt plus continuation must fit the
/// model's context, and the prompt must not be empty.
pub fn sample(
    params: &Params,
    prompt: &[u32],
    n: usize,
    config: &SampleConfig,
    rng: &mut Rng,
) -> Result<Vec<Sampled>, InputError> {
    let (last, context) = prompt.split_last().ok_or(InputError::EmptyPrompt)?;
    let vocab = params.config.vocab_size;
    let mut decoder = Decoder::new(params, n, prompt.len() + config.max_tokens)?;
    for &token in context {
        decoder.step(params, &vec![token; n])?;
    }
    let mut next = vec![*last; n];
    let mut out = vec![Sampled::default(); n];
    for _ in 0..config.max_tokens {
        let logits = decoder.step(params, &next)?;
        // Sorting the candidates and the log-softmax are per sequence and need no random
        // numbers, so they run in parallel; the draws stay in sequence order.
        let rows: Vec<_> = logits
            .par_chunks(vocab)
            .map(|row| (candidates(row, config), log_softmax(row, 1.0)))
            .collect();
        for ((seq, (candidates, log_p)), id) in out.iter_mut().zip(&rows).zip(next.iter_mut()) {
            *id = draw(candidates, rng);
            seq.tokens.push(*id);
            seq.log_probs.push(log_p[*id as usize]);
        }
    }
    Ok(out)
}

/// `log p(tokens[i] | tokens[..i])` in nats for every `i ≥ 1`, in windows of the model's
/// context (a text longer than `n_positions` is cut into windows overlapping by one token,
/// so a window's first prediction sees one token of context).
pub fn log_probs(model: &mut Gpt2, tokens: &[u32]) -> Result<Vec<f32>, InputError> {
    let (vocab, context) = (
        model.params.config.vocab_size,
        model.params.config.n_positions,
    );
    let mut out = Vec::with_capacity(tokens.len().saturating_sub(1));
    let mut start = 0;
    while start + 1 < tokens.len() {
        let window = &tokens[start..tokens.len().min(start + context)];
        model.forward(window, None, 1, window.len())?;
        for (i, &next) in window.iter().enumerate().skip(1) {
            out.push(log_softmax(&model.logits()[(i - 1) * vocab..][..vocab], 1.0)[next as usize]);
        }
        start += window.len() - 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_and_top_p_keep_the_most_probable_tokens() {
        let logits = [0.0, 3.0, 1.0, 2.0];
        let ids = |c: &SampleConfig| {
            candidates(&logits, c)
                .iter()
                .map(|&(id, _)| id)
                .collect::<Vec<_>>()
        };
        let base = SampleConfig::default();
        assert_eq!(ids(&base), vec![1, 3, 2, 0]);
        assert_eq!(
            ids(&SampleConfig {
                top_k: Some(2),
                ..base
            }),
            vec![1, 3]
        );
        // p(1) ≈ 0.64, p(3) ≈ 0.24: top-p 0.7 needs both.
        assert_eq!(
            ids(&SampleConfig {
                top_p: Some(0.7),
                ..base
            }),
            vec![1, 3]
        );
        assert_eq!(
            ids(&SampleConfig {
                top_p: Some(0.5),
                ..base
            }),
            vec![1]
        );
        let sum: f32 = candidates(
            &logits,
            &SampleConfig {
                top_k: Some(3),
                ..base
            },
        )
        .iter()
        .map(|c| c.1)
        .sum();
        assert!((sum - 1.0).abs() < 1e-6);
    }
}
