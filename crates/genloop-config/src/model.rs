//! `[model]`: the model family fitted each generation and its hyper-parameters
//! (`genloop_models` for the numeric kinds, `genloop_text::ngram` for `ngram`,
//! `genloop_text::neural` for `transformer`).

use serde::{Deserialize, Serialize};

use genloop_models::gaussian::VarianceEstimator;
use genloop_models::kde::Bandwidth;
use genloop_models::linear::{Design, NoiseMode};
use genloop_text::neural::{Init, TransformerSpec};
use genloop_text::ngram::{NgramSpec, Smoothing};
use genloop_text::task::TextModelSpec;

use crate::problem::Checker;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub kind: String,
    pub estimator: Option<String>,
    pub components: Option<i64>,
    pub max_iterations: Option<i64>,
    pub tolerance: Option<f64>,
    pub inits: Option<i64>,
    pub reg_covar: Option<f64>,
    pub bandwidth: Option<RawBandwidth>,
    /// A number for the categorical model (add-k pseudo-count); a name for the n-gram
    /// model (`kneser_ney`, `mle`, `add_k`).
    pub smoothing: Option<RawSmoothing>,
    pub design: Option<String>,
    pub noise: Option<String>,
    pub order: Option<i64>,
    pub k: Option<f64>,
    pub max_length: Option<i64>,
    // The transformer's keys.
    pub layers: Option<i64>,
    pub heads: Option<i64>,
    pub d_model: Option<i64>,
    pub context: Option<i64>,
    pub dropout: Option<f64>,
    pub steps: Option<i64>,
    pub batch_size: Option<i64>,
    pub learning_rate: Option<f64>,
    pub weight_decay: Option<f64>,
    pub warmup_steps: Option<i64>,
    pub eval_every: Option<i64>,
    pub init: Option<String>,
    pub checkpoint: Option<String>,
}

/// A bandwidth rule by name, or a fixed bandwidth.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawBandwidth {
    Rule(String),
    Value(f64),
}

/// `smoothing` is a pseudo-count for the categorical model and a method name for the
/// n-gram model.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawSmoothing {
    Count(f64),
    Method(String),
}

/// A checked model table.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelSpec {
    Gaussian {
        estimator: VarianceEstimator,
    },
    Mixture {
        components: usize,
        max_iterations: usize,
        tolerance: f64,
        inits: usize,
        reg_covar: f64,
    },
    Kde {
        bandwidth: Bandwidth,
    },
    Categorical {
        smoothing: f64,
    },
    Linear {
        design: Design,
        noise: NoiseMode,
    },
    Ngram(NgramSpec),
    Transformer(TransformerSpec),
}

impl ModelSpec {
    /// The language model of a text run.
    pub fn text(&self) -> Option<TextModelSpec> {
        match self {
            ModelSpec::Ngram(spec) => Some(TextModelSpec::Ngram(spec.clone())),
            ModelSpec::Transformer(spec) => Some(TextModelSpec::Transformer(spec.clone())),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            ModelSpec::Gaussian { .. } => "gaussian",
            ModelSpec::Mixture { .. } => "mixture",
            ModelSpec::Kde { .. } => "kde",
            ModelSpec::Categorical { .. } => "categorical",
            ModelSpec::Linear { .. } => "linear",
            ModelSpec::Ngram(_) => "ngram",
            ModelSpec::Transformer(_) => "transformer",
        }
    }
}

const KINDS: [&str; 7] = [
    "gaussian",
    "mixture",
    "kde",
    "categorical",
    "linear",
    "ngram",
    "transformer",
];

/// The keys each kind takes besides `kind`.
fn allowed(kind: &str) -> &'static [&'static str] {
    match kind {
        "ngram" => &["order", "smoothing", "k", "max_length"],
        "transformer" => &[
            "layers",
            "heads",
            "d_model",
            "context",
            "dropout",
            "steps",
            "batch_size",
            "learning_rate",
            "weight_decay",
            "warmup_steps",
            "eval_every",
            "init",
            "checkpoint",
            "max_length",
        ],
        "gaussian" => &["estimator"],
        "mixture" => &[
            "components",
            "max_iterations",
            "tolerance",
            "inits",
            "reg_covar",
        ],
        "kde" => &["bandwidth"],
        "categorical" => &["smoothing"],
        _ => &["design", "noise"],
    }
}

pub(crate) fn check_model(c: &mut Checker, raw: &RawModel) -> Option<ModelSpec> {
    let kind = c.choice("model.kind", &raw.kind, &KINDS)?;
    c.only("model", kind, raw, allowed(kind));
    Some(match kind {
        "ngram" => ModelSpec::Ngram(check_ngram(c, raw)),
        "transformer" => ModelSpec::Transformer(check_transformer(c, raw)),
        "gaussian" => {
            let estimator = match c.choice(
                "model.estimator",
                raw.estimator.as_deref().unwrap_or("mle"),
                &["mle", "unbiased"],
            ) {
                Some("unbiased") => VarianceEstimator::Unbiased,
                _ => VarianceEstimator::Mle,
            };
            ModelSpec::Gaussian { estimator }
        }
        "mixture" => check_mixture(c, raw),
        "kde" => ModelSpec::Kde {
            bandwidth: check_bandwidth(c, raw.bandwidth.as_ref()),
        },
        "categorical" => check_categorical(c, raw),
        _ => check_linear(c, raw),
    })
}

/// Most EM iterations per start of a mixture fit (scikit-learn's default is 100).
pub const MAX_ITERATIONS: i64 = 100_000;
/// Most EM starts per mixture fit.
pub const MAX_INITS: i64 = 1_000;
/// Longest sampled document of the n-gram model, in tokens.
pub const MAX_DOCUMENT_LENGTH: i64 = 1_000_000;

/// Defaults follow scikit-learn's GaussianMixture.
fn check_mixture(c: &mut Checker, raw: &RawModel) -> ModelSpec {
    let tolerance = c.positive(
        "model.tolerance",
        raw.tolerance.unwrap_or(1e-3),
        "tolerance = 1e-3",
    );
    let reg_covar = raw.reg_covar.unwrap_or(1e-6);
    if !(reg_covar.is_finite() && reg_covar >= 0.0) {
        c.problem(
            "model.reg_covar",
            reg_covar,
            "must be a non-negative number",
            "e.g. reg_covar = 1e-6",
        );
    }
    ModelSpec::Mixture {
        components: c.count(
            "model.components",
            raw.components,
            Some(2),
            1,
            "components = 3",
        ),
        max_iterations: c.count_within(
            "model.max_iterations",
            raw.max_iterations,
            Some(100),
            1..=MAX_ITERATIONS,
            "max_iterations = 100",
        ),
        tolerance,
        inits: c.count_within(
            "model.inits",
            raw.inits,
            Some(1),
            1..=MAX_INITS,
            "inits = 1",
        ),
        reg_covar,
    }
}

fn check_bandwidth(c: &mut Checker, raw: Option<&RawBandwidth>) -> Bandwidth {
    match raw {
        None => Bandwidth::Scott,
        Some(RawBandwidth::Value(v)) => {
            Bandwidth::Fixed(c.positive("model.bandwidth", *v, "bandwidth = 0.3"))
        }
        Some(RawBandwidth::Rule(rule)) => {
            match c.choice("model.bandwidth", rule, &["scott", "silverman"]) {
                Some("silverman") => Bandwidth::Silverman,
                _ => Bandwidth::Scott,
            }
        }
    }
}

fn check_categorical(c: &mut Checker, raw: &RawModel) -> ModelSpec {
    let smoothing = match &raw.smoothing {
        None => 0.0,
        Some(RawSmoothing::Count(v)) => *v,
        Some(RawSmoothing::Method(m)) => {
            c.problem(
                "model.smoothing",
                format!("\"{m}\""),
                "is a pseudo-count for the categorical model",
                "use a number, e.g. smoothing = 0.5 (0 = maximum likelihood)",
            );
            0.0
        }
    };
    if !(smoothing.is_finite() && smoothing >= 0.0) {
        c.problem(
            "model.smoothing",
            smoothing,
            "must be ≥ 0 (0 = maximum likelihood, k > 0 = add-k)",
            "e.g. smoothing = 0.5",
        );
    }
    ModelSpec::Categorical { smoothing }
}

fn check_linear(c: &mut Checker, raw: &RawModel) -> ModelSpec {
    let design = match c.choice(
        "model.design",
        raw.design.as_deref().unwrap_or("fixed"),
        &["fixed", "fresh"],
    ) {
        Some("fresh") => Design::Fresh,
        _ => Design::Fixed,
    };
    let noise = match c.choice(
        "model.noise",
        raw.noise.as_deref().unwrap_or("known"),
        &["known", "estimated"],
    ) {
        Some("estimated") => NoiseMode::Estimated,
        _ => NoiseMode::Known,
    };
    ModelSpec::Linear { design, noise }
}

fn check_ngram(c: &mut Checker, raw: &RawModel) -> NgramSpec {
    let order = c.count_or("model.order", raw.order, 3, 1);
    if order > 6 {
        c.problem(
            "model.order",
            order,
            "must be within 1..=6",
            "e.g. order = 3",
        );
    }
    let smoothing = check_ngram_smoothing(c, raw);
    let max_length = c.count_within(
        "model.max_length",
        raw.max_length,
        Some(1000),
        1..=MAX_DOCUMENT_LENGTH,
        "max_length = 1000",
    );
    NgramSpec {
        order,
        smoothing,
        max_length,
    }
}

fn check_ngram_smoothing(c: &mut Checker, raw: &RawModel) -> Smoothing {
    let method = match &raw.smoothing {
        None => "kneser_ney".to_string(),
        Some(RawSmoothing::Method(m)) => m.clone(),
        Some(RawSmoothing::Count(v)) => {
            c.problem(
                "model.smoothing",
                v,
                "names a method for the n-gram model",
                "use \"kneser_ney\", \"mle\" or \"add_k\" (with k = …)",
            );
            "kneser_ney".to_string()
        }
    };
    let smoothing = match c.choice("model.smoothing", &method, &["kneser_ney", "mle", "add_k"]) {
        Some("mle") => Smoothing::Mle,
        Some("add_k") => Smoothing::AddK(c.positive("model.k", raw.k.unwrap_or(1.0), "k = 0.5")),
        _ => Smoothing::KneserNey,
    };
    if raw.k.is_some() && !matches!(smoothing, Smoothing::AddK(_)) {
        c.problem(
            "model.k",
            raw.k.unwrap_or_default(),
            "applies only to smoothing = \"add_k\"",
            "remove it or set smoothing = \"add_k\"",
        );
    }
    smoothing
}

/// Defaults: a model of about 0.8 M parameters (4 layers, 4 heads, width 128, context
/// 128) trained for 300 steps of 16 windows; warm-up and validation every tenth of the
/// steps. With a checkpoint the shape is the checkpoint's, so the shape keys are refused.
fn check_transformer(c: &mut Checker, raw: &RawModel) -> TransformerSpec {
    let checkpoint = raw.checkpoint.as_ref().map(std::path::PathBuf::from);
    let (layers, heads, d_model) = check_shape(c, raw, checkpoint.is_some());
    let context = c.count_or("model.context", raw.context, 128, 2);
    let steps = c.count_or("model.steps", raw.steps, 300, 1);
    let tenth = (steps / 10).max(1);
    let mut spec = TransformerSpec::new(layers, heads, d_model, context.max(2));
    spec.steps = steps;
    spec.batch_size = c.count_or("model.batch_size", raw.batch_size, 16, 1);
    spec.learning_rate = c.positive_or("model.learning_rate", raw.learning_rate, 3e-3);
    spec.warmup_steps = c.count_or(
        "model.warmup_steps",
        raw.warmup_steps,
        tenth.min(100) as i64,
        0,
    );
    spec.eval_every = c.count_or("model.eval_every", raw.eval_every, tenth as i64, 1);
    spec.max_length = c.count_or(
        "model.max_length",
        raw.max_length,
        context.saturating_sub(1).max(1) as i64,
        1,
    );
    if spec.max_length >= context && checkpoint.is_none() {
        c.problem(
            "model.max_length",
            spec.max_length,
            &format!("leaves no room for the end-of-text id in context = {context} positions"),
            &format!("set max_length to at most {}", context.saturating_sub(1)),
        );
    }
    for (key, value, default) in [
        ("model.dropout", raw.dropout, 0.0),
        ("model.weight_decay", raw.weight_decay, 0.1),
    ] {
        let v = value.unwrap_or(default);
        let ok = v.is_finite() && v >= 0.0 && (key != "model.dropout" || v < 1.0);
        if !ok {
            c.problem(
                key,
                v,
                "must be a number ≥ 0 (dropout below 1)",
                "e.g. dropout = 0.1, weight_decay = 0.1",
            );
        }
    }
    spec.dropout = raw.dropout.unwrap_or(0.0);
    spec.weight_decay = raw.weight_decay.unwrap_or(0.1);
    spec.init = match c.choice(
        "model.init",
        raw.init.as_deref().unwrap_or("scratch"),
        &["scratch", "previous", "base"],
    ) {
        Some("previous") => Init::Previous,
        Some("base") => Init::Base,
        _ => Init::Scratch,
    };
    spec.checkpoint = checkpoint;
    spec
}

/// Layers, heads and width of a model from scratch; refused beside a checkpoint, whose
/// `config.json` sets them.
fn check_shape(c: &mut Checker, raw: &RawModel, checkpoint: bool) -> (usize, usize, usize) {
    if checkpoint {
        for (key, value) in [
            ("model.layers", raw.layers),
            ("model.heads", raw.heads),
            ("model.d_model", raw.d_model),
        ] {
            if let Some(v) = value {
                c.problem(
                    key,
                    v,
                    "is set by the checkpoint's config.json",
                    "remove it, or remove `checkpoint` to train a model of this shape from scratch",
                );
            }
        }
    }
    let layers = c.count_or("model.layers", raw.layers, 4, 1);
    let heads = c.count_or("model.heads", raw.heads, 4, 1);
    let d_model = c.count_or("model.d_model", raw.d_model, 128, 1);
    if heads > 0 && !d_model.is_multiple_of(heads) {
        c.problem(
            "model.heads",
            heads,
            &format!("must divide d_model = {d_model}"),
            "e.g. heads = 4 with d_model = 128",
        );
    }
    (layers, heads, d_model)
}
