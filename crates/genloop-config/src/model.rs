//! `[model]`: the model family fitted each generation and its hyper-parameters
//! (`genloop_models` for the numeric kinds, `genloop_text::ngram` for `ngram`).

use serde::{Deserialize, Serialize};

use genloop_models::gaussian::VarianceEstimator;
use genloop_models::kde::Bandwidth;
use genloop_models::linear::{Design, NoiseMode};
use genloop_text::ngram::{NgramSpec, Smoothing};

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
}

impl ModelSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            ModelSpec::Gaussian { .. } => "gaussian",
            ModelSpec::Mixture { .. } => "mixture",
            ModelSpec::Kde { .. } => "kde",
            ModelSpec::Categorical { .. } => "categorical",
            ModelSpec::Linear { .. } => "linear",
            ModelSpec::Ngram(_) => "ngram",
        }
    }
}

const KINDS: [&str; 6] = [
    "gaussian",
    "mixture",
    "kde",
    "categorical",
    "linear",
    "ngram",
];

/// The keys each kind takes besides `kind`.
fn allowed(kind: &str) -> &'static [&'static str] {
    match kind {
        "ngram" => &["order", "smoothing", "k", "max_length"],
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
        max_iterations: c.count_or("model.max_iterations", raw.max_iterations, 100, 1),
        tolerance,
        inits: c.count_or("model.inits", raw.inits, 1, 1),
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
    let max_length = c.count_or("model.max_length", raw.max_length, 1000, 1);
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
