//! One stage per `[[filters]]` table. A stage decides about one document at a time;
//! dedup stages also remember the documents the whole chain kept, so the check is
//! split in two: [`Stage::check`] decides, [`Stage::commit`] records a kept document.
//! Without the split, a document dropped by a later stage would still be indexed, and a
//! later copy of it would be reported as a duplicate of a record that is not in the
//! output.

use crate::filters::FilterConfig;
use crate::rules::{Rule, Verdict};

use super::error::PipelineError;
use super::exact::ExactStage;
use super::near_dup::NearDupStage;

/// The kept document a dropped one duplicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Duplicate {
    /// Input line of the kept document.
    pub line: u64,
    /// Exact Jaccard of the shingle sets (1 for exact duplicates).
    pub jaccard: f64,
}

/// Why a stage dropped a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The filter kind, such as `c4` or `minhash`.
    pub filter: &'static str,
    /// Stable rule name, such as `gopher_quality.min_words` or `minhash.near_duplicate`.
    pub rule: &'static str,
    /// The measured value against its threshold.
    pub reason: String,
    pub duplicate: Option<Duplicate>,
}

/// A document as the stages see it.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// 1-based input line; dedup stages name kept documents by it.
    pub line: u64,
    pub text: &'a str,
}

/// One step of the curation chain.
pub trait Stage: Send {
    /// The filter kind, as configs spell it.
    fn kind(&self) -> &'static str;

    /// Keep (`None`) or drop the document. Dedup stages keep what they computed for it
    /// until the next call, for [`Stage::commit`].
    fn check(&mut self, document: &Document<'_>) -> Option<Rejection>;

    /// The document last checked was kept by every stage. Rule stages have nothing to
    /// remember.
    fn commit(&mut self) {}
}

/// A quality rule set as a stage.
pub struct RuleStage {
    kind: &'static str,
    rule: Box<dyn Rule>,
}

impl Stage for RuleStage {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn check(&mut self, document: &Document<'_>) -> Option<Rejection> {
        match self.rule.check(document.text) {
            Verdict::Keep => None,
            Verdict::Drop { rule, reason } => Some(Rejection {
                filter: self.kind,
                rule,
                reason,
                duplicate: None,
            }),
        }
    }
}

/// The stage of one filter table; model-based kinds are refused.
pub fn build_stage(config: &FilterConfig) -> Result<Box<dyn Stage>, PipelineError> {
    let kind = config.kind();
    if config.needs_models() {
        return Err(PipelineError::NeedsModels { kind });
    }
    // Exhaustive on purpose: a new filter kind must decide how it runs here.
    match config {
        FilterConfig::GopherQuality(_)
        | FilterConfig::GopherRepetition(_)
        | FilterConfig::C4(_)
        | FilterConfig::FineWeb(_)
        | FilterConfig::ShortForm(_)
        | FilterConfig::LengthBounds(_) => {
            let rule = config.rule().expect("rule kinds have a rule config");
            Ok(Box::new(RuleStage {
                kind,
                rule: rule.build(),
            }))
        }
        FilterConfig::ExactDedup(_) => Ok(Box::new(ExactStage::default())),
        FilterConfig::Minhash(minhash) => {
            let params = minhash
                .params
                .clone()
                .check()
                .map_err(|source| PipelineError::Dedup { kind, source })?;
            Ok(Box::new(NearDupStage::new(params)))
        }
        FilterConfig::Perplexity(_) | FilterConfig::Detector(_) | FilterConfig::Verifier(_) => {
            Err(PipelineError::NeedsModels { kind })
        }
    }
}
