//! The curation chain of text runs: the `[[filters]]` kinds of docs/formulas.md §5–7 as
//! [`Filter`]s of the loop. Documents are token ids in the loop; the rule and dedup
//! adapters judge their decoded text with `genloop_curate`'s implementations (the
//! ones `genloop curate` runs), the perplexity filter and the detector score the ids
//! with the run's own models.
//!
//! Models: the **reference** is the generation-0 model, fitted on the trusted
//! original data; the detector's **observer** is the reference and its
//! **performer** the model in service (the one whose samples are the newest
//! machine text). Thresholds that are not fixed are calibrated on held-out human
//! documents the loop draws for curation only (never trained or tested on).
//!
//! The filters work for any task over documents of a text model that can decode
//! them ([`TextFilterTask`]), so they do not depend on the text task itself.

mod dedup;
mod detector;
mod perplexity;
mod rules;

use genloop_core::data::Documents;
use genloop_core::model::Estimator;
use genloop_core::pipeline::curate::{unsupported, CandidateView, Filter, FilterError, FilterSpec};
use genloop_core::task::Task;
use genloop_curate::filters::FilterConfig;

use crate::lm::TextModel;

/// What the text filters need of a task: documents of token ids, a [`TextModel`],
/// and readable text.
pub trait TextFilterTask:
    Task<Data = Documents, Estimator: Estimator<Model = TextModel>> + 'static
{
    /// Readable text of a token sequence.
    fn decode_text(&self, doc: &[u32]) -> String;
}

/// Build one text filter from its checked `[[filters]]` table.
pub fn build<T: TextFilterTask>(spec: &FilterSpec) -> Result<Box<dyn Filter<T>>, FilterError> {
    let Some(config) = spec.config.as_any().downcast_ref::<FilterConfig>() else {
        return Err(unsupported(
            spec,
            "text runs take the kinds of `[[filters]]` tables",
        ));
    };
    if let Some(rule) = config.rule() {
        return Ok(Box::new(rules::RuleFilter::new(config.kind(), rule)));
    }
    Ok(match config {
        FilterConfig::ExactDedup(c) => Box::new(dedup::exact(c.history)),
        FilterConfig::Minhash(c) => {
            let params = c.params.clone().check().map_err(|e| FilterError {
                key: spec.key.clone(),
                message: e.to_string(),
            })?;
            Box::new(dedup::minhash(params, c.history))
        }
        FilterConfig::Perplexity(c) => Box::new(perplexity::PerplexityFilter::new(c.clone())),
        FilterConfig::Detector(c) => Box::new(detector::DetectorFilter::new(c.clone())),
        FilterConfig::Verifier(_) => {
            return Err(unsupported(
                spec,
                "the verifier is for numeric models; text runs take perplexity or detector",
            ))
        }
        _ => unreachable!("rule kinds handled above"),
    })
}

/// The decoded text of every record of the view.
fn texts<T: TextFilterTask>(task: &T, view: &CandidateView<'_, Documents>) -> Vec<String> {
    (0..view.len()).map(|i| text(task, view, i)).collect()
}

/// The decoded text of record `i` of the view.
fn text<T: TextFilterTask>(task: &T, view: &CandidateView<'_, Documents>, i: usize) -> String {
    let (docs, index) = view.data(i);
    task.decode_text(docs.doc(index))
}
