//! Experiment configs: the TOML shape users write ([`RawConfig`]) and the checked
//! [`Experiment`] the loop runs. Checking names the key, the value and the fix, and
//! reports every problem at once ([`Problem`]).
//!
//! One file per section: [`run`] (name, seed, sizes), [`source`], [`data`],
//! [`model`], [`tokenizer`], [`regime`], [`sampling`], [`gate`], [`contamination`],
//! [`filters`], [`arms`], [`output`]; [`patch`] sets a key by its dotted name
//! (`regime.fresh`, `arm.1.regime.kind`) before checking; [`sweep`] expands a grid of
//! such keys into checked cells.
//!
//! Pluggable parts (`source`, `model`, `regime`, `gate`) are tables with a `kind`;
//! each kind accepts its own keys, and a key that does not apply to the kind is an
//! error, not silently ignored. Checked values are the types of the crates that use
//! them: models' estimator options, text's corpus, language, tokenizer and n-gram
//! specs, core's regime, gate, contamination, filter and sampling specs.
//!
//! ```
//! let experiment = genloop_config::from_toml(
//!     r#"
//! name = "small"
//! generations = 3
//! [source]
//! kind = "gaussian"
//! [data]
//! original = 20
//! [model]
//! kind = "gaussian"
//! [regime]
//! kind = "replace"
//! "#,
//!     "small.toml",
//! )
//! .unwrap();
//! assert_eq!(experiment.arms[0].name, "replace");
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use genloop_core::pipeline::{Arm, RunSettings};
use genloop_core::provenance::CompositionDetail;
use genloop_text::tokenize::TokenizerSpec;

pub mod arms;
pub mod contamination;
pub mod data;
pub mod filters;
pub mod gate;
pub mod memory;
pub mod model;
pub mod output;
mod pairing;
pub mod patch;
pub mod prediction;
mod problem;
pub mod regime;
pub mod run;
pub mod sampling;
pub mod source;
pub mod sweep;
pub mod tokenizer;

pub use model::ModelSpec;
pub use problem::{ConfigError, Problem, MAX_COUNT};
pub use source::SourceSpec;

use problem::Checker;

/// A config as written: every key optional where the kind decides.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub name: String,
    pub seed: Option<i64>,
    pub replicates: Option<i64>,
    pub generations: Option<i64>,
    pub source: source::RawSource,
    pub data: data::RawData,
    pub model: model::RawModel,
    pub regime: Option<regime::RawRegime>,
    #[serde(default)]
    pub sampling: sampling::RawSampling,
    #[serde(default)]
    pub gate: gate::RawGate,
    /// Several policies compared on the same draws; each overrides regime, sampling
    /// or gate.
    #[serde(default)]
    pub arm: Vec<arms::RawArm>,
    #[serde(default)]
    pub output: output::RawOutput,
    /// Text runs: how text becomes tokens.
    pub tokenizer: Option<tokenizer::RawTokenizer>,
    /// Machine text inside the fresh stream (every arm unless it sets its own).
    pub contamination: Option<contamination::RawContamination>,
    /// The curation chain between mix and fit (every arm unless it sets its own).
    #[serde(default)]
    pub filters: Vec<toml::Table>,
}

/// A checked experiment: what the loop runs.
#[derive(Clone, Debug)]
pub struct Experiment {
    pub name: String,
    /// Text runs: the tokenizer of corpus sources.
    pub tokenizer: Option<TokenizerSpec>,
    /// Sampled documents stored per generation (text runs).
    pub sample_texts: usize,
    /// Relative paths in the config (corpora) are resolved against this folder: the
    /// config file's.
    pub base_dir: std::path::PathBuf,
    pub settings: RunSettings,
    pub source: SourceSpec,
    pub model: ModelSpec,
    pub arms: Vec<Arm>,
    pub composition: CompositionDetail,
    /// Bootstrap resamples of the mean's interval; 0: the Student t interval.
    pub bootstrap: usize,
    /// Transformer runs: which fitted models stay in the run folder's `checkpoints/`.
    pub checkpoints: genloop_core::pipeline::checkpoints::KeepCheckpoints,
}

impl RawConfig {
    /// Parse TOML text; `path` names the file in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| parse_error(path, e))
    }

    /// Check every key; all problems are reported together. Sizes are checked
    /// against this machine's memory ([`memory::Budget::machine`]).
    pub fn check(&self) -> Result<Experiment, Vec<Problem>> {
        self.check_within(memory::Budget::machine())
    }

    /// [`RawConfig::check`] against a given memory budget (`None`: no memory check).
    pub fn check_within(&self, budget: Option<memory::Budget>) -> Result<Experiment, Vec<Problem>> {
        let mut c = Checker::default();
        let mut settings = run::check_run(&mut c, self);
        let source = source::check_source(&mut c, &self.source);
        let model = model::check_model(&mut c, &self.model);
        let arms = arms::check_arms(&mut c, self, model.as_ref(), settings.original);
        let output = output::check_output(&mut c, &self.output);
        let tokenizer =
            tokenizer::check_tokenizer(&mut c, self.tokenizer.as_ref(), source.as_ref());
        arms::measure(&mut settings, &arms);
        // Size checks only make sense once the sizes themselves are valid.
        if let (Some(source), Some(model), true) = (&source, &model, c.is_clean()) {
            pairing::check_pairing(&mut c, source, model, &settings, &arms);
        }
        let experiment = match (source, model, c.is_clean()) {
            (Some(source), Some(model), true) => Experiment {
                name: self.name.clone(),
                tokenizer,
                sample_texts: output.sample_texts,
                base_dir: std::path::PathBuf::from("."),
                settings,
                source,
                model,
                arms,
                composition: output.composition,
                bootstrap: output.bootstrap,
                checkpoints: output.checkpoints,
            },
            _ => return Err(c.problems),
        };
        memory::check(&mut c, &experiment, &self.regime_tables(), budget);
        if c.is_clean() {
            Ok(experiment)
        } else {
            Err(c.problems)
        }
    }
}

impl RawConfig {
    /// The table each arm's regime comes from, in the arms' order.
    fn regime_tables(&self) -> Vec<String> {
        if self.arm.is_empty() {
            vec!["regime".to_string()]
        } else {
            (0..self.arm.len())
                .map(|i| format!("arm[{i}].regime"))
                .collect()
        }
    }
}

/// A TOML syntax error in the config at `path`.
pub fn parse_error(path: &str, e: toml::de::Error) -> ConfigError {
    ConfigError::Parse {
        path: path.to_string(),
        message: e.to_string().trim_end().to_string(),
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
    check_raw(&raw, path)
}

/// Parse config text, set the dotted `patches` (`("regime.fresh", "100")`, values in
/// TOML syntax) and check the result.
pub fn from_toml_patched(
    text: &str,
    path: &str,
    patches: &[(&str, &str)],
) -> Result<Experiment, ConfigError> {
    let mut table: toml::Table = text.parse().map_err(|e| parse_error(path, e))?;
    for (key, value) in patches {
        patch::set_str(&mut table, key, value).map_err(|e| ConfigError::Parse {
            path: path.to_string(),
            message: e.to_string(),
        })?;
    }
    let raw: RawConfig = table.try_into().map_err(|e| parse_error(path, e))?;
    check_raw(&raw, path)
}

fn check_raw(raw: &RawConfig, path: &str) -> Result<Experiment, ConfigError> {
    raw.check().map_err(|problems| ConfigError::Invalid {
        path: path.to_string(),
        problems,
    })
}

#[cfg(test)]
mod tests;
