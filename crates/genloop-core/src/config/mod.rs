//! Experiment configs: the TOML shape users write ([`RawConfig`]) and the checked
//! [`Experiment`] the loop runs. Checking names the key, the value and the fix.
//!
//! Pluggable parts (`source`, `model`, `regime`, `gate`) are tables with a `kind`;
//! each kind accepts its own keys, and a key that does not apply to the kind is an
//! error, not silently ignored.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::metrics::{self, Direction};
use crate::model::Sampling;
use crate::pipeline::curate::FilterSpec;
use crate::pipeline::gate::GateSpec;
use crate::pipeline::mix::{RegimeKind, RegimeSpec};
use crate::pipeline::pools::contamination::{ContaminationSpec, Schedule, SourceGenerations};
use crate::pipeline::settings::{Arm, RunSettings};
use crate::provenance::Pool;

pub mod text;

/// A config as written: every key optional where the kind decides.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub name: String,
    pub seed: Option<i64>,
    pub replicates: Option<i64>,
    pub generations: Option<i64>,
    pub source: RawSource,
    pub data: RawData,
    pub model: RawModel,
    pub regime: Option<RawRegime>,
    #[serde(default)]
    pub sampling: RawSampling,
    #[serde(default)]
    pub gate: RawGate,
    /// Several policies compared on the same draws; each overrides regime, sampling
    /// or gate.
    #[serde(default)]
    pub arm: Vec<RawArm>,
    #[serde(default)]
    pub output: RawOutput,
    /// Text runs: how text becomes tokens.
    pub tokenizer: Option<RawTokenizer>,
    /// Machine text inside the fresh stream (every arm unless it sets its own).
    pub contamination: Option<RawContamination>,
    /// The curation chain between mix and fit (every arm unless it sets its own).
    #[serde(default)]
    pub filters: Vec<toml::Table>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawContamination {
    pub schedule: String,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub midpoint: Option<f64>,
    pub steepness: Option<f64>,
    pub sources: Option<String>,
    pub window: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTokenizer {
    pub kind: String,
    pub vocab_size: Option<i64>,
    pub lowercase: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub kind: String,
    pub dim: Option<i64>,
    pub mean: Option<Vec<f64>>,
    pub covariance: Option<Vec<Vec<f64>>>,
    pub components: Option<i64>,
    pub separation: Option<f64>,
    pub categories: Option<i64>,
    pub distribution: Option<String>,
    pub exponent: Option<f64>,
    pub weights: Option<Vec<f64>>,
    pub noise_std: Option<f64>,
    // Text sources: `corpus` and the synthetic `language`.
    pub path: Option<String>,
    pub format: Option<String>,
    pub text_field: Option<String>,
    pub timestamp_field: Option<String>,
    pub on_error: Option<String>,
    /// Corpus: a deletion ledger whose ids are purged before any pool is built.
    pub ledger: Option<String>,
    /// Corpus: the JSONL field holding a record's id (`id`).
    pub id_field: Option<String>,
    pub vocab: Option<i64>,
    pub order: Option<i64>,
    pub mean_length: Option<f64>,
    pub branching: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    pub original: Option<i64>,
    pub holdout: Option<i64>,
}

/// A bandwidth rule by name, or a fixed bandwidth.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawBandwidth {
    Rule(String),
    Value(f64),
}

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

/// `smoothing` is a pseudo-count for the categorical model and a method name for the
/// n-gram model.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawSmoothing {
    Count(f64),
    Method(String),
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegime {
    pub kind: String,
    pub samples: Option<i64>,
    pub budget: Option<i64>,
    pub ratio: Option<f64>,
    pub fresh: Option<i64>,
    pub synthetic: Option<i64>,
    pub fraction: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSampling {
    pub bias: Option<f64>,
    pub temperature: Option<f64>,
    pub top_k: Option<i64>,
    pub top_p: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGate {
    pub kind: Option<String>,
    pub metric: Option<String>,
    pub tolerance: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawArm {
    pub name: String,
    pub regime: Option<RawRegime>,
    pub sampling: Option<RawSampling>,
    pub gate: Option<RawGate>,
    /// Overrides the top-level `[contamination]`; `contamination = false` turns it
    /// off for this arm.
    pub contamination: Option<RawArmContamination>,
    /// Overrides the top-level `[[filters]]` (`filters = []`: no curation).
    pub filters: Option<Vec<toml::Table>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawArmContamination {
    Off(bool),
    Spec(RawContamination),
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    /// `full` (by pool and generation of origin) or `pools` (by pool only).
    pub composition: Option<String>,
    /// Bootstrap resamples for the 95 % intervals.
    pub bootstrap: Option<i64>,
    /// Text runs: sampled documents stored per generation (replicate 0).
    pub sample_texts: Option<i64>,
}

// ---------------------------------------------------------------- checked types

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceSpec {
    Gaussian {
        mean: Vec<f64>,
        /// Row-major d×d.
        covariance: Vec<f64>,
    },
    Mixture {
        dim: usize,
        components: usize,
        separation: f64,
    },
    Categorical {
        categories: usize,
        /// 0 for uniform; the Zipf exponent otherwise.
        exponent: f64,
    },
    Linear {
        dim: usize,
        weights: Option<Vec<f64>>,
        noise_std: f64,
    },
    Corpus(text::CorpusSpec),
    Language(text::LanguageSpec),
}

impl SourceSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            SourceSpec::Gaussian { .. } => "gaussian",
            SourceSpec::Mixture { .. } => "mixture",
            SourceSpec::Categorical { .. } => "categorical",
            SourceSpec::Linear { .. } => "linear",
            SourceSpec::Corpus(_) => "corpus",
            SourceSpec::Language(_) => "language",
        }
    }

    pub fn dim(&self) -> usize {
        match self {
            SourceSpec::Gaussian { mean, .. } => mean.len(),
            SourceSpec::Mixture { dim, .. } | SourceSpec::Linear { dim, .. } => *dim,
            SourceSpec::Categorical { .. } | SourceSpec::Corpus(_) | SourceSpec::Language(_) => 1,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceEstimator {
    Mle,
    Unbiased,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bandwidth {
    Scott,
    Silverman,
    Fixed(f64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    Fixed,
    Fresh,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseMode {
    Known,
    Estimated,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
    Ngram(text::NgramSpec),
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompositionDetail {
    Full,
    Pools,
}

/// A checked experiment: what the loop runs.
#[derive(Clone, Debug, Serialize)]
pub struct Experiment {
    pub name: String,
    /// Text runs: the tokenizer of corpus sources.
    pub tokenizer: Option<text::TokenizerSpec>,
    /// Sampled documents stored per generation (text runs).
    pub sample_texts: usize,
    /// Relative paths in the config (corpora) are resolved against this folder: the
    /// config file's.
    #[serde(skip)]
    pub base_dir: std::path::PathBuf,
    pub settings: RunSettings,
    pub source: SourceSpec,
    pub model: ModelSpec,
    pub arms: Vec<Arm>,
    pub composition: CompositionDetail,
    pub bootstrap: usize,
}

// ---------------------------------------------------------------- errors

/// One problem in a config: the key, the offending value and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub key: String,
    pub value: String,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.key)?;
        if !self.value.is_empty() {
            write!(f, " = {}", self.value)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, "; {}", self.fix)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: {}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n  "))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

/// Collects problems while checking, so a config with several mistakes reports them
/// all at once.
#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn problem(&mut self, key: &str, value: impl fmt::Display, message: &str, fix: &str) {
        self.problems.push(Problem {
            key: key.to_string(),
            value: value.to_string(),
            message: message.to_string(),
            fix: fix.to_string(),
        });
    }

    fn count(
        &mut self,
        key: &str,
        value: Option<i64>,
        default: Option<i64>,
        min: i64,
        example: &str,
    ) -> usize {
        match value.or(default) {
            None => {
                self.problem(key, "", "is required", &format!("add e.g. {example}"));
                0
            }
            Some(v) if v < min => {
                let message = if min == 0 {
                    "must not be negative".to_string()
                } else {
                    format!("must be at least {min}")
                };
                self.problem(key, v, &message, &format!("e.g. {example}"));
                0
            }
            Some(v) => v as usize,
        }
    }

    fn positive(&mut self, key: &str, value: f64, example: &str) -> f64 {
        if !(value.is_finite() && value > 0.0) {
            self.problem(
                key,
                value,
                "must be a positive number",
                &format!("e.g. {example}"),
            );
        }
        value
    }

    fn fraction(&mut self, key: &str, value: f64, example: &str) -> f64 {
        if !(0.0..=1.0).contains(&value) {
            self.problem(
                key,
                value,
                "must be a fraction within [0, 1]",
                &format!("e.g. {example}"),
            );
        }
        value
    }

    /// Keys given that do not apply to `kind`.
    fn only(&mut self, table: &str, kind: &str, given: &[(&str, bool)], allowed: &[&str]) {
        for (key, present) in given {
            if *present && !allowed.contains(key) {
                self.problem(
                    &format!("{table}.{key}"),
                    "",
                    &format!("does not apply to {table} kind `{kind}`"),
                    &if allowed.is_empty() {
                        "remove it".to_string()
                    } else {
                        format!("remove it; `{kind}` takes: {}", allowed.join(", "))
                    },
                );
            }
        }
    }

    fn choice<'a>(&mut self, key: &str, value: &str, options: &[&'a str]) -> Option<&'a str> {
        let found = options.iter().find(|o| **o == value).copied();
        if found.is_none() {
            self.problem(
                key,
                format!("\"{value}\""),
                "is not a known option",
                &format!("use one of: {}", options.join(", ")),
            );
        }
        found
    }
}

// ---------------------------------------------------------------- loading

impl RawConfig {
    /// Parse TOML text; `path` names the file in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_string(),
            message: e.to_string().trim_end().to_string(),
        })
    }
}

/// Read, parse and check a config file.
pub fn load(path: &Path) -> Result<(Experiment, String), ConfigError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: display.clone(),
        source,
    })?;
    let experiment = from_toml(&text, &display)?;
    Ok((experiment, text))
}

/// Parse and check config text.
pub fn from_toml(text: &str, path: &str) -> Result<Experiment, ConfigError> {
    let raw = RawConfig::parse(text, path)?;
    raw.check().map_err(|problems| ConfigError::Invalid {
        path: path.to_string(),
        problems,
    })
}

impl RawConfig {
    /// Check every key; all problems are reported together.
    pub fn check(&self) -> Result<Experiment, Vec<Problem>> {
        let mut c = Checker::default();
        if self.name.trim().is_empty() {
            c.problem(
                "name",
                "\"\"",
                "must not be empty",
                "e.g. name = \"gaussian-replace\"",
            );
        }
        let seed = match self.seed {
            Some(s) if s < 0 => {
                c.problem("seed", s, "must not be negative", "e.g. seed = 1");
                0
            }
            Some(s) => s as u64,
            None => 1,
        };
        let replicates = c.count(
            "replicates",
            self.replicates,
            Some(1),
            1,
            "replicates = 100",
        );
        let generations = c.count("generations", self.generations, None, 1, "generations = 50");
        let original = c.count(
            "data.original",
            self.data.original,
            None,
            1,
            "original = 100",
        );
        let holdout = c.count(
            "data.holdout",
            self.data.holdout,
            Some(1000),
            1,
            "holdout = 10000",
        );
        let source = check_source(&mut c, &self.source);
        let model = check_model(&mut c, &self.model);
        let mut settings = RunSettings {
            seed,
            replicates,
            generations,
            original,
            holdout,
            measure_curation: false,
            measure_detector: false,
        };

        let default_metric = match model.as_ref().map(|m| m.kind()) {
            Some("linear") => "test_mse",
            _ => "holdout_nll",
        };
        let sampling = check_sampling(&mut c, "sampling", &self.sampling);
        let gate = check_gate(&mut c, "gate", &self.gate, default_metric);
        let contamination = self
            .contamination
            .as_ref()
            .and_then(|raw| check_contamination(&mut c, "contamination", raw));
        let filters = check_filters(&mut c, "filters", &self.filters);
        let mut arms = Vec::new();
        if self.arm.is_empty() {
            match &self.regime {
                Some(raw) => {
                    if let Some(regime) = check_regime(&mut c, "regime", raw, original) {
                        arms.push(Arm {
                            name: raw.kind.clone(),
                            regime,
                            sampling,
                            gate: gate.clone(),
                            contamination: contamination.clone(),
                            filters: filters.clone(),
                        });
                    }
                }
                None => c.problem(
                    "regime",
                    "",
                    "is required (or give [[arm]] tables)",
                    "add [regime] with kind = \"replace\"",
                ),
            }
        }
        for (i, arm) in self.arm.iter().enumerate() {
            let prefix = format!("arm[{i}]");
            if arm.name.trim().is_empty() {
                c.problem(
                    &format!("{prefix}.name"),
                    "\"\"",
                    "must not be empty",
                    "name each arm",
                );
            }
            if self.arm[..i].iter().any(|a| a.name == arm.name) {
                c.problem(
                    &format!("{prefix}.name"),
                    format!("\"{}\"", arm.name),
                    "is used by an earlier arm",
                    "give every arm its own name",
                );
            }
            let raw_regime = arm.regime.as_ref().or(self.regime.as_ref());
            let regime = match raw_regime {
                Some(raw) => check_regime(&mut c, &format!("{prefix}.regime"), raw, original),
                None => {
                    c.problem(
                        &format!("{prefix}.regime"),
                        "",
                        "is required when there is no top-level [regime]",
                        "add regime = { kind = \"replace\" }",
                    );
                    None
                }
            };
            let sampling = match &arm.sampling {
                Some(s) => check_sampling(&mut c, &format!("{prefix}.sampling"), s),
                None => sampling,
            };
            let gate = match &arm.gate {
                Some(g) => check_gate(&mut c, &format!("{prefix}.gate"), g, default_metric),
                None => gate.clone(),
            };
            let arm_contamination = match &arm.contamination {
                None => contamination.clone(),
                Some(RawArmContamination::Off(false)) => None,
                Some(RawArmContamination::Off(true)) => {
                    c.problem(
                        &format!("{prefix}.contamination"),
                        "true",
                        "cannot turn contamination on without a schedule",
                        "give a table, e.g. contamination = { schedule = \"constant\", start = 0.1 }, or false",
                    );
                    None
                }
                Some(RawArmContamination::Spec(raw)) => {
                    check_contamination(&mut c, &format!("{prefix}.contamination"), raw)
                }
            };
            let arm_filters = match &arm.filters {
                None => filters.clone(),
                Some(tables) => check_filters(&mut c, &format!("{prefix}.filters"), tables),
            };
            if let Some(regime) = regime {
                arms.push(Arm {
                    name: arm.name.clone(),
                    regime,
                    sampling,
                    gate,
                    contamination: arm_contamination,
                    filters: arm_filters,
                });
            }
        }
        let composition = match self.output.composition.as_deref() {
            None => CompositionDetail::Full,
            Some(v) => match c.choice("output.composition", v, &["full", "pools"]) {
                Some("pools") => CompositionDetail::Pools,
                _ => CompositionDetail::Full,
            },
        };
        let bootstrap = c.count(
            "output.bootstrap",
            self.output.bootstrap,
            Some(1000),
            0,
            "bootstrap = 1000",
        );
        let sample_texts = c.count(
            "output.sample_texts",
            self.output.sample_texts,
            Some(5),
            0,
            "sample_texts = 5",
        );
        let tokenizer = text::check_tokenizer(&mut c, self.tokenizer.as_ref(), source.as_ref());

        settings.measure_curation = arms
            .iter()
            .any(|a| a.contamination.is_some() || !a.filters.is_empty());
        settings.measure_detector = arms
            .iter()
            .any(|a| a.filters.iter().any(|f| f.kind == "detector"));
        // Size checks only make sense once the sizes themselves are valid.
        if let (Some(source), Some(model), true) = (&source, &model, c.problems.is_empty()) {
            check_pairing(&mut c, source, model, &settings, &arms);
        }
        match (source, model, c.problems.is_empty()) {
            (Some(source), Some(model), true) => Ok(Experiment {
                name: self.name.clone(),
                tokenizer,
                sample_texts,
                base_dir: std::path::PathBuf::from("."),
                settings,
                source,
                model,
                arms,
                composition,
                bootstrap,
            }),
            _ => Err(c.problems),
        }
    }
}

fn check_source(c: &mut Checker, raw: &RawSource) -> Option<SourceSpec> {
    let given = [
        ("dim", raw.dim.is_some()),
        ("mean", raw.mean.is_some()),
        ("covariance", raw.covariance.is_some()),
        ("components", raw.components.is_some()),
        ("separation", raw.separation.is_some()),
        ("categories", raw.categories.is_some()),
        ("distribution", raw.distribution.is_some()),
        ("exponent", raw.exponent.is_some()),
        ("weights", raw.weights.is_some()),
        ("noise_std", raw.noise_std.is_some()),
        ("path", raw.path.is_some()),
        ("format", raw.format.is_some()),
        ("text_field", raw.text_field.is_some()),
        ("timestamp_field", raw.timestamp_field.is_some()),
        ("on_error", raw.on_error.is_some()),
        ("ledger", raw.ledger.is_some()),
        ("id_field", raw.id_field.is_some()),
        ("vocab", raw.vocab.is_some()),
        ("order", raw.order.is_some()),
        ("mean_length", raw.mean_length.is_some()),
        ("branching", raw.branching.is_some()),
    ];
    let kind = c.choice(
        "source.kind",
        &raw.kind,
        &[
            "gaussian",
            "mixture",
            "categorical",
            "linear",
            "corpus",
            "language",
        ],
    )?;
    match kind {
        "corpus" => {
            c.only("source", kind, &given, text::CORPUS_KEYS);
            text::check_corpus(c, raw).map(SourceSpec::Corpus)
        }
        "language" => {
            c.only("source", kind, &given, text::LANGUAGE_KEYS);
            Some(SourceSpec::Language(text::check_language(c, raw)))
        }
        "gaussian" => {
            c.only("source", kind, &given, &["dim", "mean", "covariance"]);
            let dim = match (&raw.mean, raw.dim) {
                (Some(mean), None) => mean.len() as i64,
                _ => raw.dim.unwrap_or(1),
            };
            let dim = c.count("source.dim", Some(dim), None, 1, "dim = 1");
            let mean = raw.mean.clone().unwrap_or_else(|| vec![0.0; dim]);
            if mean.len() != dim {
                c.problem(
                    "source.mean",
                    format!("{mean:?}"),
                    &format!("has {} entries but dim = {dim}", mean.len()),
                    "give one entry per dimension",
                );
            }
            let covariance = match &raw.covariance {
                None => (0..dim * dim)
                    .map(|i| if i % (dim + 1) == 0 { 1.0 } else { 0.0 })
                    .collect(),
                Some(rows) => {
                    if rows.len() != dim || rows.iter().any(|r| r.len() != dim) {
                        c.problem(
                            "source.covariance",
                            format!("{rows:?}"),
                            &format!("must be a {dim}×{dim} matrix"),
                            "give dim rows of dim numbers",
                        );
                    } else if !symmetric_positive_definite(rows) {
                        c.problem(
                            "source.covariance",
                            format!("{rows:?}"),
                            "must be symmetric positive definite",
                            "e.g. covariance = [[1.0, 0.5], [0.5, 1.0]]",
                        );
                    }
                    rows.iter().flatten().copied().collect()
                }
            };
            Some(SourceSpec::Gaussian { mean, covariance })
        }
        "mixture" => {
            c.only("source", kind, &given, &["dim", "components", "separation"]);
            let dim = c.count("source.dim", raw.dim, Some(2), 1, "dim = 2");
            let components = c.count(
                "source.components",
                raw.components,
                Some(3),
                1,
                "components = 3",
            );
            let separation = c.positive(
                "source.separation",
                raw.separation.unwrap_or(4.0),
                "separation = 4.0",
            );
            Some(SourceSpec::Mixture {
                dim,
                components,
                separation,
            })
        }
        "categorical" => {
            c.only(
                "source",
                kind,
                &given,
                &["categories", "distribution", "exponent"],
            );
            let categories = c.count(
                "source.categories",
                raw.categories,
                Some(100),
                2,
                "categories = 100",
            );
            let distribution = raw.distribution.as_deref().unwrap_or("uniform");
            let exponent = match c.choice("source.distribution", distribution, &["uniform", "zipf"])
            {
                Some("zipf") => c.positive(
                    "source.exponent",
                    raw.exponent.unwrap_or(1.0),
                    "exponent = 1.1",
                ),
                _ => {
                    if let Some(e) = raw.exponent {
                        c.problem(
                            "source.exponent",
                            e,
                            "applies only to distribution = \"zipf\"",
                            "remove it or set distribution = \"zipf\"",
                        );
                    }
                    0.0
                }
            };
            Some(SourceSpec::Categorical {
                categories,
                exponent,
            })
        }
        _ => {
            c.only("source", kind, &given, &["dim", "weights", "noise_std"]);
            let dim = match (&raw.weights, raw.dim) {
                (Some(w), None) => w.len() as i64,
                _ => raw.dim.unwrap_or(10),
            };
            let dim = c.count("source.dim", Some(dim), None, 1, "dim = 10");
            if let Some(w) = &raw.weights {
                if w.len() != dim {
                    c.problem(
                        "source.weights",
                        format!("{w:?}"),
                        &format!("has {} entries but dim = {dim}", w.len()),
                        "give one weight per dimension",
                    );
                }
            }
            let noise_std = c.positive(
                "source.noise_std",
                raw.noise_std.unwrap_or(1.0),
                "noise_std = 1.0",
            );
            Some(SourceSpec::Linear {
                dim,
                weights: raw.weights.clone(),
                noise_std,
            })
        }
    }
}

fn symmetric_positive_definite(rows: &[Vec<f64>]) -> bool {
    let n = rows.len();
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        if (0..n).any(|j| (rows[i][j] - rows[j][i]).abs() > 1e-12) {
            return false;
        }
        for j in 0..=i {
            let mut s = rows[i][j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s <= 0.0 {
                    return false;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    true
}

fn check_model(c: &mut Checker, raw: &RawModel) -> Option<ModelSpec> {
    let given = [
        ("estimator", raw.estimator.is_some()),
        ("components", raw.components.is_some()),
        ("max_iterations", raw.max_iterations.is_some()),
        ("tolerance", raw.tolerance.is_some()),
        ("inits", raw.inits.is_some()),
        ("reg_covar", raw.reg_covar.is_some()),
        ("bandwidth", raw.bandwidth.is_some()),
        ("smoothing", raw.smoothing.is_some()),
        ("design", raw.design.is_some()),
        ("noise", raw.noise.is_some()),
        ("order", raw.order.is_some()),
        ("k", raw.k.is_some()),
        ("max_length", raw.max_length.is_some()),
    ];
    let kind = c.choice(
        "model.kind",
        &raw.kind,
        &[
            "gaussian",
            "mixture",
            "kde",
            "categorical",
            "linear",
            "ngram",
        ],
    )?;
    Some(match kind {
        "ngram" => {
            c.only(
                "model",
                kind,
                &given,
                &["order", "smoothing", "k", "max_length"],
            );
            ModelSpec::Ngram(text::check_ngram(c, raw))
        }
        "gaussian" => {
            c.only("model", kind, &given, &["estimator"]);
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
        "mixture" => {
            c.only(
                "model",
                kind,
                &given,
                &[
                    "components",
                    "max_iterations",
                    "tolerance",
                    "inits",
                    "reg_covar",
                ],
            );
            // Defaults follow scikit-learn's GaussianMixture.
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
                max_iterations: c.count(
                    "model.max_iterations",
                    raw.max_iterations,
                    Some(100),
                    1,
                    "max_iterations = 100",
                ),
                tolerance,
                inits: c.count("model.inits", raw.inits, Some(1), 1, "inits = 1"),
                reg_covar,
            }
        }
        "kde" => {
            c.only("model", kind, &given, &["bandwidth"]);
            let bandwidth = match &raw.bandwidth {
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
            };
            ModelSpec::Kde { bandwidth }
        }
        "categorical" => {
            c.only("model", kind, &given, &["smoothing"]);
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
        _ => {
            c.only("model", kind, &given, &["design", "noise"]);
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
    })
}

fn check_regime(
    c: &mut Checker,
    table: &str,
    raw: &RawRegime,
    original: usize,
) -> Option<RegimeSpec> {
    let given = [
        ("samples", raw.samples.is_some()),
        ("budget", raw.budget.is_some()),
        ("ratio", raw.ratio.is_some()),
        ("fresh", raw.fresh.is_some()),
        ("synthetic", raw.synthetic.is_some()),
        ("fraction", raw.fraction.is_some()),
    ];
    let kind = c.choice(
        &format!("{table}.kind"),
        &raw.kind,
        &[
            "replace",
            "accumulate",
            "accumulate_subsample",
            "augment",
            "fresh",
            "preserve",
            "real_only",
        ],
    )?;
    let key = |k: &str| format!("{table}.{k}");
    let default_samples = original as i64;
    let samples = c.count(
        &key("samples"),
        raw.samples,
        Some(default_samples),
        0,
        "samples = 100",
    );
    let fresh = c.count(&key("fresh"), raw.fresh, Some(0), 0, "fresh = 100");
    let regime_kind = match kind {
        "replace" => {
            c.only(table, kind, &given, &["samples", "fresh"]);
            RegimeKind::Replace
        }
        "accumulate" => {
            c.only(table, kind, &given, &["samples", "fresh"]);
            RegimeKind::Accumulate
        }
        "accumulate_subsample" => {
            c.only(table, kind, &given, &["samples", "budget", "fresh"]);
            let budget = c.count(
                &key("budget"),
                raw.budget,
                Some(samples as i64),
                1,
                "budget = 100",
            );
            RegimeKind::AccumulateSubsample { budget }
        }
        "augment" => {
            c.only(table, kind, &given, &["ratio", "fresh"]);
            let ratio = raw.ratio.unwrap_or(1.0);
            if !(ratio.is_finite() && ratio >= 0.0) {
                c.problem(
                    &key("ratio"),
                    ratio,
                    "must be ≥ 0 (synthetic records per original record)",
                    "e.g. ratio = 0.5",
                );
            }
            RegimeKind::Augment { ratio }
        }
        "fresh" => {
            c.only(table, kind, &given, &["fresh", "synthetic", "samples"]);
            let synthetic = c.count(
                &key("synthetic"),
                raw.synthetic.or(raw.samples),
                Some(default_samples),
                0,
                "synthetic = 100",
            );
            if raw.fresh.is_none() {
                c.problem(
                    &key("fresh"),
                    "",
                    "is required by the fresh regime",
                    "add fresh = 100 (fresh human records per generation)",
                );
            }
            RegimeKind::Fresh { synthetic }
        }
        "preserve" => {
            c.only(table, kind, &given, &["samples", "fraction", "fresh"]);
            let fraction = c.fraction(
                &key("fraction"),
                raw.fraction.unwrap_or(0.1),
                "fraction = 0.1",
            );
            RegimeKind::Preserve { fraction }
        }
        _ => {
            c.only(table, kind, &given, &["fresh"]);
            RegimeKind::RealOnly
        }
    };
    Some(RegimeSpec {
        kind: regime_kind,
        samples,
        fresh,
    })
}

fn check_sampling(c: &mut Checker, table: &str, raw: &RawSampling) -> Sampling {
    let d = Sampling::default();
    let bias = c.positive(
        &format!("{table}.bias"),
        raw.bias.unwrap_or(d.bias),
        "bias = 1.0",
    );
    let temperature = c.positive(
        &format!("{table}.temperature"),
        raw.temperature.unwrap_or(d.temperature),
        "temperature = 1.0",
    );
    let top_k = c.count(
        &format!("{table}.top_k"),
        raw.top_k,
        Some(0),
        0,
        "top_k = 0",
    );
    let top_p = raw.top_p.unwrap_or(d.top_p);
    if !(top_p > 0.0 && top_p <= 1.0) {
        c.problem(
            &format!("{table}.top_p"),
            top_p,
            "must be within (0, 1]",
            "e.g. top_p = 0.9",
        );
    }
    Sampling {
        bias,
        temperature,
        top_k,
        top_p,
    }
}

fn check_contamination(
    c: &mut Checker,
    table: &str,
    raw: &RawContamination,
) -> Option<ContaminationSpec> {
    let schedule = c.choice(
        &format!("{table}.schedule"),
        &raw.schedule,
        &["constant", "linear", "logistic"],
    )?;
    let mut allowed = vec!["start", "sources", "window"];
    if schedule != "constant" {
        allowed.push("end");
    }
    if schedule == "logistic" {
        allowed.extend(["midpoint", "steepness"]);
    }
    c.only(
        table,
        schedule,
        &[
            ("end", raw.end.is_some()),
            ("midpoint", raw.midpoint.is_some()),
            ("steepness", raw.steepness.is_some()),
        ],
        &allowed,
    );
    let start = match raw.start {
        Some(v) => c.fraction(&format!("{table}.start"), v, "start = 0.05"),
        None => {
            c.problem(
                &format!("{table}.start"),
                "",
                "is required: the machine share of the fresh data at generation 1",
                "e.g. start = 0.05",
            );
            0.0
        }
    };
    let end = match (schedule, raw.end) {
        ("constant", _) => start,
        (_, Some(v)) => c.fraction(&format!("{table}.end"), v, "end = 0.5"),
        (_, None) => {
            c.problem(
                &format!("{table}.end"),
                "",
                "is required: the machine share at the last generation",
                "e.g. end = 0.5",
            );
            0.0
        }
    };
    let schedule = match schedule {
        "constant" => Schedule::Constant,
        "linear" => Schedule::Linear,
        _ => {
            let midpoint = raw.midpoint.unwrap_or(0.5);
            let midpoint = c.fraction(&format!("{table}.midpoint"), midpoint, "midpoint = 0.5");
            let steepness = c.positive(
                &format!("{table}.steepness"),
                raw.steepness.unwrap_or(10.0),
                "steepness = 10",
            );
            Schedule::Logistic {
                midpoint,
                steepness,
            }
        }
    };
    let sources_key = format!("{table}.sources");
    let sources = raw.sources.as_deref().unwrap_or("all");
    let sources = match c.choice(&sources_key, sources, &["all", "latest", "window"]) {
        Some("latest") => SourceGenerations::Latest,
        Some("window") => {
            let n = c.count(
                &format!("{table}.window"),
                raw.window,
                None,
                1,
                "window = 3 (with sources = \"window\")",
            );
            SourceGenerations::Window(n as u32)
        }
        _ => SourceGenerations::All,
    };
    if raw.window.is_some() && !matches!(sources, SourceGenerations::Window(_)) {
        c.problem(
            &format!("{table}.window"),
            "",
            "applies only with sources = \"window\"",
            "remove it, or set sources = \"window\"",
        );
    }
    Some(ContaminationSpec {
        schedule,
        start,
        end,
        sources,
    })
}

/// Every filter kind a `[[filters]]` table may name (the tasks check their keys).
pub const FILTER_KINDS: [&str; 11] = [
    "gopher_quality",
    "gopher_repetition",
    "c4",
    "fineweb",
    "short_form",
    "length_bounds",
    "exact_dedup",
    "minhash",
    "perplexity",
    "detector",
    "verifier",
];

fn check_filters(c: &mut Checker, table: &str, raw: &[toml::Table]) -> Vec<FilterSpec> {
    let mut specs = Vec::new();
    for (i, entry) in raw.iter().enumerate() {
        let key = format!("{table}[{i}]");
        let mut rest = entry.clone();
        let pools = rest.remove("pools");
        match rest.remove("kind") {
            Some(toml::Value::String(kind)) => {
                if c.choice(&format!("{key}.kind"), &kind, &FILTER_KINDS)
                    .is_some()
                {
                    let pools = check_filter_pools(c, &key, &kind, pools);
                    specs.push(FilterSpec {
                        kind,
                        key,
                        pools,
                        table: rest,
                    });
                }
            }
            Some(other) => c.problem(
                &format!("{key}.kind"),
                other,
                "must be a string",
                &format!("use one of: {}", FILTER_KINDS.join(", ")),
            ),
            None => c.problem(
                &format!("{key}.kind"),
                "",
                "is required",
                &format!("use one of: {}", FILTER_KINDS.join(", ")),
            ),
        }
    }
    specs
}

/// The channels a filter judges: `pools = ["fresh", "synthetic"]`, or the kind's
/// default (model-based filters skip the original data their reference was fitted
/// on).
fn check_filter_pools(
    c: &mut Checker,
    key: &str,
    kind: &str,
    raw: Option<toml::Value>,
) -> Vec<Pool> {
    let judged = [Pool::Original, Pool::Fresh, Pool::Synthetic];
    let Some(raw) = raw else {
        return match kind {
            "perplexity" | "detector" | "verifier" => vec![Pool::Fresh, Pool::Synthetic],
            _ => judged.to_vec(),
        };
    };
    let names = ["original", "fresh", "synthetic"];
    let fix = "e.g. pools = [\"fresh\", \"synthetic\"]";
    let Some(items) = raw.as_array() else {
        c.problem(&format!("{key}.pools"), raw, "must be a list of pools", fix);
        return Vec::new();
    };
    let mut pools = Vec::new();
    for item in items {
        match item
            .as_str()
            .and_then(|s| c.choice(&format!("{key}.pools"), s, &names))
        {
            Some(name) => pools.extend(judged.iter().filter(|p| p.as_str() == name)),
            None if item.as_str().is_none() => {
                c.problem(&format!("{key}.pools"), item, "must name a pool", fix)
            }
            None => {}
        }
    }
    if pools.is_empty() && !items.is_empty() {
        return pools;
    }
    if items.is_empty() {
        c.problem(
            &format!("{key}.pools"),
            "[]",
            "must name at least one pool",
            fix,
        );
    }
    pools
}

fn check_gate(c: &mut Checker, table: &str, raw: &RawGate, default_metric: &str) -> GateSpec {
    let kind = raw.kind.as_deref().unwrap_or("none");
    match c.choice(&format!("{table}.kind"), kind, &["none", "holdout"]) {
        Some("holdout") => {
            let metric = raw
                .metric
                .clone()
                .unwrap_or_else(|| default_metric.to_string());
            match metrics::by_name(&metric) {
                None => c.problem(
                    &format!("{table}.metric"),
                    format!("\"{metric}\""),
                    "is not a known metric",
                    &format!(
                        "use one of: {}",
                        metrics::ALL
                            .iter()
                            .map(|m| m.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                Some(m) if matches!(m.direction, Direction::Target(_) | Direction::Neutral) => c
                    .problem(
                        &format!("{table}.metric"),
                        format!("\"{metric}\""),
                        "has no better direction, so a gate cannot rank it",
                        "gate on a loss such as holdout_nll",
                    ),
                Some(_) => {}
            }
            let tolerance = raw.tolerance.unwrap_or(0.02);
            if !(tolerance.is_finite() && tolerance >= 0.0) {
                c.problem(
                    &format!("{table}.tolerance"),
                    tolerance,
                    "must be ≥ 0 (relative)",
                    "e.g. tolerance = 0.02",
                );
            }
            GateSpec::Holdout { metric, tolerance }
        }
        _ => {
            if raw.metric.is_some() || raw.tolerance.is_some() {
                c.problem(
                    &format!("{table}.kind"),
                    "\"none\"",
                    "takes no metric or tolerance",
                    "set kind = \"holdout\" or remove them",
                );
            }
            GateSpec::None
        }
    }
}

/// Source/model compatibility and sizes each model needs.
fn check_pairing(
    c: &mut Checker,
    source: &SourceSpec,
    model: &ModelSpec,
    settings: &RunSettings,
    arms: &[Arm],
) {
    let compatible = match model {
        ModelSpec::Gaussian { .. } | ModelSpec::Mixture { .. } | ModelSpec::Kde { .. } => {
            matches!(
                source,
                SourceSpec::Gaussian { .. } | SourceSpec::Mixture { .. }
            )
        }
        ModelSpec::Categorical { .. } => matches!(source, SourceSpec::Categorical { .. }),
        ModelSpec::Linear { .. } => matches!(source, SourceSpec::Linear { .. }),
        ModelSpec::Ngram(_) => matches!(source, SourceSpec::Corpus(_) | SourceSpec::Language(_)),
    };
    if !compatible {
        let fits = match model {
            ModelSpec::Categorical { .. } => "categorical",
            ModelSpec::Linear { .. } => "linear",
            ModelSpec::Ngram(_) => "corpus or language",
            _ => "gaussian or mixture",
        };
        c.problem(
            "model.kind",
            format!("\"{}\"", model.kind()),
            &format!(
                "cannot be fitted to data from source kind `{}`",
                source.kind()
            ),
            &format!("use a {fits} source"),
        );
        return;
    }
    let dim = source.dim();
    let (needed, why): (usize, String) = match model {
        ModelSpec::Gaussian { estimator } => {
            let n = (dim + 1).max(2);
            let why = match estimator {
                VarianceEstimator::Unbiased => format!("the unbiased estimator divides by M − 1 and a full {dim}-d covariance needs {n} records"),
                VarianceEstimator::Mle => format!("a full {dim}-d covariance needs {n} records"),
            };
            (n, why)
        }
        ModelSpec::Mixture { components, .. } => (
            *components,
            format!("{components} components need as many records"),
        ),
        ModelSpec::Kde { .. } => (2, "a bandwidth rule needs at least 2 records".into()),
        ModelSpec::Categorical { .. } => (1, "a categorical fit needs a record".into()),
        ModelSpec::Linear { .. } => (
            dim + 2,
            format!(
                "the OLS error E‖ŵ − w*‖² = σ²d/(T−d−1) needs T > d + 1 = {}",
                dim + 1
            ),
        ),
        ModelSpec::Ngram(_) => (1, "a language model needs at least one token".into()),
    };
    if settings.original < needed {
        c.problem(
            "data.original",
            settings.original,
            &format!("is too small: {why}"),
            &format!("use original ≥ {needed}"),
        );
    }
    for arm in arms {
        let smallest = smallest_training_set(&arm.regime, settings.original);
        if smallest < needed && settings.generations > 1 {
            c.problem(
                &format!("arm `{}` regime", arm.name),
                format!("{} records per generation", smallest),
                &format!("is too small: {why}"),
                &format!("raise samples/fresh so each training set has ≥ {needed} records"),
            );
        }
    }
}

/// The smallest training set a regime builds over the run (in records).
pub fn smallest_training_set(regime: &RegimeSpec, original: usize) -> usize {
    let synthetic = regime.synthetic_per_generation(original);
    match regime.kind {
        RegimeKind::Replace | RegimeKind::Fresh { .. } => synthetic + regime.fresh,
        RegimeKind::Accumulate | RegimeKind::RealOnly => original,
        RegimeKind::AccumulateSubsample { budget } => {
            budget.min(original + synthetic + regime.fresh)
        }
        RegimeKind::Augment { .. } => original + synthetic + regime.fresh,
        RegimeKind::Preserve { fraction } => {
            (fraction * original as f64).round() as usize + synthetic + regime.fresh
        }
    }
}

impl ModelSpec {
    /// The config table that checks back into this spec (config round-trip).
    pub fn to_raw(&self) -> RawModel {
        let mut raw = RawModel {
            kind: self.kind().to_string(),
            ..RawModel::default()
        };
        match self {
            ModelSpec::Gaussian { estimator } => {
                raw.estimator = Some(match estimator {
                    VarianceEstimator::Mle => "mle".into(),
                    VarianceEstimator::Unbiased => "unbiased".into(),
                });
            }
            ModelSpec::Mixture {
                components,
                max_iterations,
                tolerance,
                inits,
                reg_covar,
            } => {
                raw.components = Some(*components as i64);
                raw.max_iterations = Some(*max_iterations as i64);
                raw.tolerance = Some(*tolerance);
                raw.inits = Some(*inits as i64);
                raw.reg_covar = Some(*reg_covar);
            }
            ModelSpec::Kde { bandwidth } => {
                raw.bandwidth = Some(match bandwidth {
                    Bandwidth::Scott => RawBandwidth::Rule("scott".into()),
                    Bandwidth::Silverman => RawBandwidth::Rule("silverman".into()),
                    Bandwidth::Fixed(h) => RawBandwidth::Value(*h),
                });
            }
            ModelSpec::Categorical { smoothing } => {
                raw.smoothing = Some(RawSmoothing::Count(*smoothing))
            }
            ModelSpec::Ngram(spec) => spec.fill_raw(&mut raw),
            ModelSpec::Linear { design, noise } => {
                raw.design = Some(match design {
                    Design::Fixed => "fixed".into(),
                    Design::Fresh => "fresh".into(),
                });
                raw.noise = Some(match noise {
                    NoiseMode::Known => "known".into(),
                    NoiseMode::Estimated => "estimated".into(),
                });
            }
        }
        raw
    }

    /// Check a model table on its own (used by the round-trip tests and tools).
    pub fn from_raw(raw: &RawModel) -> Result<ModelSpec, Vec<Problem>> {
        let mut c = Checker::default();
        let spec = check_model(&mut c, raw);
        match (spec, c.problems.is_empty()) {
            (Some(spec), true) => Ok(spec),
            _ => Err(c.problems),
        }
    }
}
