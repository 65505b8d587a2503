//! Whether a run's sizes fit the machine, decided before anything is allocated.
//!
//! [`estimate`] adds up the bytes a run holds at its peak, part by part, each part
//! named by the key that drives it: the pools and training sets of every worker (one
//! replicate of one arm each, as many at once as the machine has cores), the fitted
//! models, the results of every generation, and the source itself. The sums are in
//! f64, so sizes such as `holdout = 9223372036854775807` give a huge estimate instead
//! of an overflow. [`check`] refuses a run whose estimate exceeds half of the memory
//! the process may use ([`Budget::machine`]): the smallest of physical memory, the
//! cgroup's `memory.max` and the address-space limit (`ulimit -v`). The factors below
//! are upper bounds of the loop's copies (a training set is built, then curated or
//! fitted from a copy), not measurements: the check is there to refuse sizes that
//! cannot fit, with a clear message, instead of aborting on a failed allocation
//! minutes into a run.

use std::sync::OnceLock;

use genloop_core::pipeline::Arm;
use genloop_text::tokenize::TokenizerSpec;

use crate::model::ModelSpec;
use crate::problem::Checker;
use crate::source::SourceSpec;
use crate::Experiment;

/// One part of the estimate: what it is, the key that drives it, its bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub key: String,
    pub what: String,
    pub bytes: f64,
}

/// The memory a run may use, and where the limit comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    pub bytes: f64,
    pub source: &'static str,
}

/// A run may use at most this share of its budget: the rest is the margin for what
/// the estimate leaves out (the allocator, thread stacks, SQLite, a corpus's text).
pub const USABLE_SHARE: f64 = 0.5;

impl Budget {
    /// The smallest of this machine's limits (read once), or `None` where none can be
    /// read (not Linux).
    pub fn machine() -> Option<Budget> {
        static BUDGET: OnceLock<Option<Budget>> = OnceLock::new();
        *BUDGET.get_or_init(|| {
            [
                (physical_memory(), "physical memory"),
                (cgroup_limit(), "the cgroup's memory.max"),
                (address_space_limit(), "the address-space limit (ulimit -v)"),
            ]
            .into_iter()
            .filter_map(|(bytes, source)| bytes.map(|bytes| Budget { bytes, source }))
            .min_by(|a, b| a.bytes.total_cmp(&b.bytes))
        })
    }
}

fn physical_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

fn cgroup_limit() -> Option<f64> {
    let text = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok()?;
    text.trim().parse().ok() // "max" (no limit) does not parse
}

fn address_space_limit() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max address space"))?;
    // "Max address space  <soft>  <hard>  bytes"; the soft limit applies.
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Refuse the run when its estimate exceeds [`USABLE_SHARE`] of `budget`; the
/// problem names the largest part's key, the estimate and the limit. `regimes`
/// names each arm's regime table (`regime`, `arm[1].regime`).
pub(crate) fn check(
    c: &mut Checker,
    experiment: &Experiment,
    regimes: &[String],
    budget: Option<Budget>,
) {
    let Some(budget) = budget else { return };
    let parts = estimate(experiment, regimes, workers());
    let total: f64 = parts.iter().map(|p| p.bytes).sum();
    let usable = budget.bytes * USABLE_SHARE;
    if total <= usable {
        return;
    }
    let largest = parts
        .iter()
        .max_by(|a, b| a.bytes.total_cmp(&b.bytes))
        .expect("an estimate has parts");
    c.problem(
        &largest.key,
        "",
        &format!(
            "the run would hold about {} at its peak, {} of it for {}; this machine allows {} (half of {}, {})",
            bytes(total),
            bytes(largest.bytes),
            largest.what,
            bytes(usable),
            bytes(budget.bytes),
            budget.source
        ),
        &format!("lower {} (or run on a larger machine)", largest.key),
    );
}

/// Workers that hold a replicate at once: one per core (`--threads` may lower it).
fn workers() -> f64 {
    std::thread::available_parallelism().map_or(1, |n| n.get()) as f64
}

/// "12.3 GB": bytes in decimal units; beyond exabytes, in scientific notation.
pub fn bytes(value: f64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut scaled = value;
    for unit in UNITS {
        if scaled < 999.95 {
            return format!("{scaled:.1} {unit}");
        }
        scaled /= 1000.0;
    }
    format!("{value:.1e} B")
}

/// The parts of the run's peak memory with `workers` replicates held at once;
/// `regimes` names each arm's regime table.
pub fn estimate(e: &Experiment, regimes: &[String], workers: f64) -> Vec<Part> {
    let s = &e.settings;
    let arms = e.arms.len() as f64;
    let workers = workers.min(s.replicates as f64 * arms).max(1.0);
    let unit = unit_bytes(&e.source);
    let mut parts = vec![
        // The pool, and its records in the training set and its copy.
        part(
            "data.original",
            "the original pool",
            workers * 3.0 * unit * s.original as f64,
        ),
        part(
            "data.holdout",
            "the holdout",
            workers * unit * s.holdout as f64,
        ),
        part(
            if s.replicates > s.generations {
                "replicates"
            } else {
                "generations"
            },
            "the results of every generation (replicates × arms × generations × metrics)",
            16.0 * (s.replicates as f64)
                * arms
                * (s.generations as f64)
                * genloop_core::metrics::ALL.len() as f64,
        ),
        part(
            "output.bootstrap",
            "the bootstrap resamples",
            workers * 8.0 * e.bootstrap as f64,
        ),
    ];
    let largest = (0..e.arms.len()).max_by(|&a, &b| {
        let records = |i: usize| training_records(&e.arms[i], s.original, s.generations);
        records(a).total_cmp(&records(b))
    });
    if let Some(i) = largest {
        let [synthetic, fresh] = added_records(&e.arms[i], s.original, s.generations);
        let table = regimes.get(i).map_or("regime", String::as_str);
        let copies = workers * 2.0 * unit;
        parts.extend([
            part(
                &format!("{table}.samples"),
                "the synthetic records of the training sets",
                copies * synthetic,
            ),
            part(
                &format!("{table}.fresh"),
                "the fresh records of the training sets",
                copies * fresh,
            ),
        ]);
        let records = training_records(&e.arms[i], s.original, s.generations);
        parts.push(model_part(e, workers, records));
    }
    parts.push(source_part(&e.source));
    parts
}

fn part(key: &str, what: &str, bytes: f64) -> Part {
    Part {
        key: key.to_string(),
        what: what.to_string(),
        bytes,
    }
}

/// Bytes of one record: a d-dimensional vector (and a label), a category, or a token
/// with its share of document offsets.
fn unit_bytes(source: &SourceSpec) -> f64 {
    match source {
        SourceSpec::Gaussian { .. } | SourceSpec::Mixture { .. } => 8.0 * source.dim() as f64,
        SourceSpec::Linear { dim, .. } => 8.0 * (*dim as f64 + 1.0),
        SourceSpec::Categorical { .. } | SourceSpec::Corpus(_) | SourceSpec::Language(_) => 8.0,
    }
}

/// The largest training set of `arm` over the run, in records.
fn training_records(arm: &Arm, original: usize, generations: usize) -> f64 {
    let [synthetic, fresh] = added_records(arm, original, generations);
    original as f64 + synthetic + fresh
}

/// The synthetic and fresh records of `arm`'s largest training set: regimes that
/// keep the synthetic history grow by a batch each generation.
fn added_records(arm: &Arm, original: usize, generations: usize) -> [f64; 2] {
    let regime = &arm.regime;
    let batches = if regime.keeps_synthetic_history() {
        generations as f64
    } else {
        1.0
    };
    [
        batches * regime.synthetic_per_generation(original) as f64,
        batches * regime.fresh as f64,
    ]
}

/// The fitted models of the workers at once.
fn model_part(e: &Experiment, workers: f64, records: f64) -> Part {
    let dim = e.source.dim() as f64;
    let (key, bytes) = match &e.model {
        ModelSpec::Gaussian { .. } | ModelSpec::Linear { .. } => ("source.dim", 32.0 * dim * dim),
        ModelSpec::Mixture {
            components, inits, ..
        } => {
            let k = *components as f64;
            // Means, covariances and their factors per start, and the n×k responsibilities.
            let per_start = k * (24.0 * dim * dim + 8.0 * dim) + 8.0 * k * records;
            ("model.components", per_start * (*inits as f64).min(2.0))
        }
        ModelSpec::Kde { .. } => ("data.holdout", 8.0 * records),
        ModelSpec::Categorical { .. } => match &e.source {
            SourceSpec::Categorical { categories, .. } => {
                ("source.categories", 32.0 * *categories as f64)
            }
            _ => ("model.kind", 0.0),
        },
        // Counts of every n-gram of the training tokens, in hash maps: 24 bytes per
        // token and order puts configs/text-language.toml (accumulate, 2.2 M tokens,
        // order 3) at 0.2 GB for one worker, where one replicate peaked at 171 MB RSS.
        ModelSpec::Ngram(spec) => ("model.order", 24.0 * spec.order as f64 * records),
        ModelSpec::Transformer(spec) => ("model.d_model", transformer_bytes(e, spec, records)),
    };
    part(key, "the fitted models", workers * bytes)
}

/// Parameters, gradients and Adam's two moments (f32), and the activations of a
/// batch: per layer about 16 values per position and width, and the heads' attention
/// matrices; the logits over the vocabulary.
fn transformer_bytes(
    e: &Experiment,
    spec: &genloop_text::neural::TransformerSpec,
    records: f64,
) -> f64 {
    let (layers, width) = (spec.layers as f64, spec.d_model as f64);
    let (context, batch) = (spec.context as f64, spec.batch_size as f64);
    let vocab = match (&e.source, &e.tokenizer) {
        (SourceSpec::Language(language), _) => language.vocab as f64 + 1.0,
        (_, Some(TokenizerSpec::Bpe(options))) => options.vocab_size as f64,
        // Words of the original pool: at most its tokens.
        _ => records.min(1e6),
    };
    let params = layers * 12.0 * width * width + (vocab + context) * width;
    let per_position = layers * (16.0 * width + 2.0 * spec.heads as f64 * context) + 2.0 * vocab;
    4.0 * (4.0 * params + batch * context * per_position)
}

/// The source's own tables.
fn source_part(source: &SourceSpec) -> Part {
    let (key, bytes) = match source {
        SourceSpec::Gaussian { .. } | SourceSpec::Mixture { .. } | SourceSpec::Linear { .. } => {
            let dim = source.dim() as f64;
            ("source.dim", 24.0 * dim * dim)
        }
        SourceSpec::Categorical { categories, .. } => {
            ("source.categories", 24.0 * *categories as f64)
        }
        // Zipf weights, the alias table and the rows' weights; at most 2²² tabulated
        // successors (`genloop_text::language`).
        SourceSpec::Language(spec) => (
            "source.vocab",
            32.0 * (spec.vocab + spec.branching.min(spec.vocab)) as f64 + 4.0 * (1 << 22) as f64,
        ),
        SourceSpec::Corpus(_) => ("source.path", 0.0),
    };
    part(key, "the source", bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_in_decimal_units() {
        assert_eq!(bytes(999.0), "999.0 B");
        assert_eq!(bytes(34.4e9), "34.4 GB");
        assert_eq!(bytes(7.4e21), "7.4e21 B");
    }
}
