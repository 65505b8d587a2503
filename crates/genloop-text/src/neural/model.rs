//! A trained transformer as the loop sees it: log-probabilities of documents (padded
//! batches of documents of similar length, one forward pass each), next-token
//! distributions, and documents sampled in batches with a key/value cache.

use std::sync::{Arc, Mutex};

use genloop_core::data::Documents;
use genloop_core::model::{FittedModel, Sampling};
use genloop_core::seed::Rng;
use genloop_transformer::sample::candidates;
use genloop_transformer::{log_probs, Decoder, Gpt2, Params, SampleConfig};
use rand::Rng as _;

use super::FolderInfo;
use crate::lm::LanguageModel;

/// Tokens per scoring forward pass (batch × padded length), and sequences per batch.
const SCORE_TOKENS: usize = 8192;
const SCORE_BATCH: usize = 64;
/// Sequences sampled together (fewer where their key/value caches would pass
/// `SAMPLE_CACHE_BYTES`): many rows per step spread the cost of each weight matrix.
const SAMPLE_BATCH: usize = 128;
const SAMPLE_CACHE_BYTES: usize = 256 << 20;
/// Batches in a row that may produce only empty documents before sampling gives up.
const MAX_EMPTY_BATCHES: usize = 8;

/// A trained GPT-2 serving a text run.
#[derive(Clone)]
pub struct TransformerLm {
    params: Arc<Params>,
    end_of_text: u32,
    /// Document ids are below this.
    vocab_size: usize,
    max_length: usize,
    info: Option<FolderInfo>,
    /// Forward-pass workspaces (a model copy and its activations) for scoring, reused
    /// across calls and threads.
    workspaces: Arc<Mutex<Vec<Gpt2>>>,
}

impl std::fmt::Debug for TransformerLm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransformerLm")
            .field("config", &self.params.config)
            .field("end_of_text", &self.end_of_text)
            .field("vocab_size", &self.vocab_size)
            .field("max_length", &self.max_length)
            .finish()
    }
}

impl TransformerLm {
    /// A model over documents of `vocab_size` ids, `end_of_text` separating them;
    /// sampled documents are cut at `max_length` tokens (and at the model's positions).
    pub fn new(params: Params, end_of_text: u32, vocab_size: usize, max_length: usize) -> Self {
        let max_length = max_length.min(params.config.n_positions - 1);
        TransformerLm {
            params: Arc::new(params),
            end_of_text,
            vocab_size,
            max_length,
            info: None,
            workspaces: Arc::default(),
        }
    }

    /// The same model with what its training recorded.
    pub fn with_info(mut self, info: FolderInfo) -> Self {
        self.info = Some(info);
        self
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    pub fn end_of_text(&self) -> u32 {
        self.end_of_text
    }

    pub fn info(&self) -> Option<&FolderInfo> {
        self.info.as_ref()
    }

    /// Runs `f` with a forward-pass workspace of this model.
    fn with_workspace<R>(&self, f: impl FnOnce(&mut Gpt2) -> R) -> R {
        let taken = self
            .workspaces
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        let mut model = taken.unwrap_or_else(|| Gpt2::new(self.params.as_ref().clone()));
        let result = f(&mut model);
        self.workspaces
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(model);
        result
    }

    fn check_document(&self, doc: &[u32]) {
        if let Some(&bad) = doc.iter().find(|&&t| t as usize >= self.vocab_size) {
            panic!(
                "token id {bad} is outside the model's vocabulary (size {})",
                self.vocab_size
            );
        }
    }

    /// Whether a document and its two end-of-text ids fit one window.
    fn fits(&self, doc: &[u32]) -> bool {
        doc.len() < self.params.config.n_positions
    }

    /// Log-probabilities of documents that fit one window, in one forward pass of
    /// `rows` sequences of `time` positions (documents padded with end-of-text ids, and
    /// rows beyond the documents all padding).
    fn score_batch(&self, docs: &[&[u32]], rows: usize, time: usize) -> Vec<Vec<f64>> {
        let mut input = vec![self.end_of_text; rows * time];
        for (row, doc) in input.chunks_mut(time).zip(docs) {
            row[1..=doc.len()].copy_from_slice(doc);
        }
        let vocab = self.params.config.vocab_size;
        self.with_workspace(|model| {
            model
                .forward(&input, None, rows, time)
                .expect("checked ids and lengths");
            let logits = model.logits();
            docs.iter()
                .enumerate()
                .map(|(i, doc)| {
                    (0..=doc.len())
                        .map(|t| {
                            let target = doc.get(t).copied().unwrap_or(self.end_of_text);
                            let row = &logits[(i * time + t) * vocab..][..vocab];
                            log_softmax_at(row, target as usize)
                        })
                        .collect()
                })
                .collect()
        })
    }

    /// Log-probabilities of a document longer than one window, window by window.
    fn score_long(&self, doc: &[u32]) -> Vec<f64> {
        let mut ids = Vec::with_capacity(doc.len() + 2);
        ids.push(self.end_of_text);
        ids.extend_from_slice(doc);
        ids.push(self.end_of_text);
        self.with_workspace(|model| {
            log_probs(model, &ids)
                .expect("checked ids")
                .into_iter()
                .map(f64::from)
                .collect()
        })
    }

    /// Most sequences per sampling batch: [`SAMPLE_BATCH`], or fewer for large models.
    fn sample_rows(&self) -> usize {
        let c = &self.params.config;
        let per_sequence = 2 * c.n_layer * (self.max_length + 1) * c.n_embd * 4;
        (SAMPLE_CACHE_BYTES / per_sequence.max(1)).clamp(1, SAMPLE_BATCH)
    }

    /// One batch of sampled documents, cut at their first end of text.
    fn sample_batch(&self, batch: usize, config: &SampleConfig, rng: &mut Rng) -> Vec<Vec<u32>> {
        let params = self.params.as_ref();
        let mut decoder =
            Decoder::new(params, batch, self.max_length + 1).expect("length below n_positions");
        let vocab = params.config.vocab_size;
        let mut next = vec![self.end_of_text; batch];
        let mut docs: Vec<Vec<u32>> = vec![Vec::new(); batch];
        let mut open = vec![true; batch];
        for _ in 0..self.max_length {
            let logits = decoder.step(params, &next).expect("checked ids");
            for (i, row) in logits.chunks(vocab).enumerate() {
                if !open[i] {
                    continue;
                }
                let id = draw(row, config, rng);
                if id == self.end_of_text {
                    open[i] = false;
                } else {
                    docs[i].push(id);
                    next[i] = id;
                }
            }
            if !open.contains(&true) {
                break;
            }
        }
        docs
    }
}

/// ln softmax(row)[target], in f64.
fn log_softmax_at(row: &[f32], target: usize) -> f64 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = row.iter().map(|&z| f64::from(z - max).exp()).sum();
    f64::from(row[target] - max) - sum.ln()
}

/// One id drawn from logits: plain softmax sampling at the temperature, or from the
/// top-k / top-p candidates.
fn draw(row: &[f32], config: &SampleConfig, rng: &mut Rng) -> u32 {
    if config.top_k.is_some() || config.top_p.is_some() {
        let candidates = candidates(row, config);
        let mut u: f32 = rng.random();
        for &(id, p) in &candidates {
            if u < p {
                return id;
            }
            u -= p;
        }
        return candidates.last().expect("at least one candidate").0;
    }
    let inverse = 1.0 / f64::from(config.temperature);
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let weights: Vec<f64> = row
        .iter()
        .map(|&z| (f64::from(z - max) * inverse).exp())
        .collect();
    let mut u = rng.random::<f64>() * weights.iter().sum::<f64>();
    for (id, &w) in weights.iter().enumerate() {
        if u < w {
            return id as u32;
        }
        u -= w;
    }
    weights.iter().rposition(|&w| w > 0.0).unwrap_or(0) as u32
}

fn sample_config(sampling: &Sampling) -> SampleConfig {
    SampleConfig {
        temperature: sampling.temperature as f32,
        top_k: (sampling.top_k > 0).then_some(sampling.top_k),
        top_p: (sampling.top_p < 1.0).then_some(sampling.top_p as f32),
        max_tokens: 0,
    }
}

impl LanguageModel for TransformerLm {
    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn token_log_probs(&self, doc: &[u32]) -> Vec<f64> {
        self.check_document(doc);
        if self.fits(doc) {
            self.score_batch(&[doc], 1, doc.len() + 1).remove(0)
        } else {
            self.score_long(doc)
        }
    }

    fn documents_log_probs(&self, docs: &Documents) -> Vec<Vec<f64>> {
        let docs: Vec<&[u32]> = docs.iter().collect();
        docs.iter().for_each(|d| self.check_document(d));
        let mut out = vec![Vec::new(); docs.len()];
        let mut order: Vec<usize> = (0..docs.len()).filter(|&i| self.fits(docs[i])).collect();
        for i in (0..docs.len()).filter(|&i| !self.fits(docs[i])) {
            out[i] = self.score_long(docs[i]);
        }
        // Longest first, in batches of documents within a factor of two in length; a
        // batch's length and row count are powers of two, so padding stays under 2× and
        // the forward pass's buffers are reused across batches of the same shape.
        order.sort_by_key(|&i| std::cmp::Reverse(docs[i].len()));
        let mut rest = &order[..];
        while let Some(&first) = rest.first() {
            let time = (docs[first].len() + 1)
                .next_power_of_two()
                .clamp(8, self.params.config.n_positions);
            let most = (SCORE_TOKENS / time).clamp(1, SCORE_BATCH);
            let size = rest
                .iter()
                .take(most)
                .take_while(|&&i| 2 * (docs[i].len() + 1) > time || time == 8)
                .count()
                .max(1);
            let rows = size.next_power_of_two().min(most);
            let (batch, tail) = rest.split_at(size);
            let batch_docs: Vec<&[u32]> = batch.iter().map(|&i| docs[i]).collect();
            for (&i, lp) in batch.iter().zip(self.score_batch(&batch_docs, rows, time)) {
                out[i] = lp;
            }
            rest = tail;
        }
        out
    }

    fn distributions(&self, doc: &[u32]) -> Vec<f64> {
        self.check_document(doc);
        let width = self.vocab_size + 1;
        let eot = self.end_of_text as usize;
        // The document between two end-of-text ids, in windows overlapping by one
        // token, as `token_log_probs` scores documents longer than the context.
        let mut ids = Vec::with_capacity(doc.len() + 2);
        ids.push(self.end_of_text);
        ids.extend_from_slice(doc);
        ids.push(self.end_of_text);
        let mut out = Vec::with_capacity((doc.len() + 1) * width);
        let vocab = self.params.config.vocab_size;
        let n_positions = self.params.config.n_positions;
        self.with_workspace(|model| {
            let mut start = 0;
            while start + 1 < ids.len() {
                let window = &ids[start..ids.len().min(start + n_positions)];
                model
                    .forward(window, None, 1, window.len())
                    .expect("checked ids");
                let predictions = &model.logits()[..(window.len() - 1) * vocab];
                for row in predictions.chunks(vocab) {
                    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let p: Vec<f64> = row.iter().map(|&z| f64::from(z - max).exp()).collect();
                    let total: f64 = p.iter().sum();
                    let mut dist = vec![0.0; width];
                    for (v, &pv) in p.iter().enumerate() {
                        if v == eot {
                            dist[width - 1] += pv / total;
                        } else if v < self.vocab_size {
                            dist[v] = pv / total;
                        }
                    }
                    out.extend_from_slice(&dist);
                }
                start += window.len() - 1;
            }
        });
        out
    }
}

impl FittedModel for TransformerLm {
    type Data = Documents;

    fn sample(&self, n: usize, sampling: &Sampling, rng: &mut Rng) -> Documents {
        let config = sample_config(sampling);
        let mut documents = Documents::new();
        let (mut produced, mut empty_batches) = (0usize, 0usize);
        let mut mean_length = self.max_length as f64 / 2.0;
        while produced < n && empty_batches < MAX_EMPTY_BATCHES {
            // About as many sequences as the tokens still wanted need.
            let wanted = ((n - produced) as f64 / mean_length.max(1.0)).ceil() as usize;
            let rows = wanted.clamp(8, self.sample_rows());
            let batch = self.sample_batch(rows, &config, rng);
            let lengths: usize = batch.iter().map(Vec::len).sum();
            mean_length = lengths as f64 / batch.len() as f64;
            let before = produced;
            for doc in &batch {
                if produced >= n {
                    break;
                }
                produced += doc.len();
                documents.push(doc);
            }
            empty_batches = if produced == before {
                empty_batches + 1
            } else {
                0
            };
        }
        documents
    }

    fn log_prob(&self, data: &Documents) -> Vec<f64> {
        self.documents_log_probs(data)
            .iter()
            .map(|lp| lp.iter().sum())
            .collect()
    }

    fn parameter_count(&self) -> usize {
        self.params.len()
    }
}
