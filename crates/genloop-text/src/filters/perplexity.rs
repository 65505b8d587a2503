//! The perplexity filter: drops documents the reference model finds too surprising
//! (or, optionally, too predictable), CCNet-style. It needs the loop's models, so it
//! has no counterpart in `genloop curate`.

use genloop_core::data::Documents;
use genloop_core::pipeline::curate::{
    lower_quantile, CandidateView, DropReason, Filter, FilterContext, FilterOutcome,
};
use genloop_curate::filters::PerplexityConfig;

use super::TextFilterTask;
use crate::lm::{LanguageModel, TextModel};

pub(super) struct PerplexityFilter {
    config: PerplexityConfig,
    /// (low, high) perplexity bounds, fixed once per replicate.
    bounds: Option<(f64, f64)>,
}

impl PerplexityFilter {
    /// A filter of checked parameters ([`PerplexityConfig::check`]).
    pub(super) fn new(config: PerplexityConfig) -> Self {
        PerplexityFilter {
            config,
            bounds: None,
        }
    }

    /// (low, high) bounds from the calibration documents under the reference model.
    fn calibrate(&self, reference: &TextModel, calibration: &Documents) -> (f64, f64) {
        let config = &self.config;
        let human = Documents::from_docs(calibration.iter().take(config.calibration));
        let mut human = perplexities(reference, &human);
        let high = match config.threshold {
            Some(t) => t,
            None => {
                let p = config.percentile.unwrap_or(1.0);
                // Upper quantile: the value at or above which 1 − p of humans lie.
                let mut negated: Vec<f64> = human.iter().map(|v| -v).collect();
                -lower_quantile(&mut negated, 1.0 - p)
            }
        };
        let low = config
            .low_percentile
            .map_or(0.0, |q| lower_quantile(&mut human, q));
        (low, high)
    }
}

/// Perplexity of each document under `model` (end of document included).
fn perplexities(model: &TextModel, docs: &Documents) -> Vec<f64> {
    model
        .documents_log_probs(docs)
        .iter()
        .map(|lp| (-lp.iter().sum::<f64>() / lp.len() as f64).exp())
        .collect()
}

/// The drop of a document of perplexity `ppl` outside `[low, high]`.
fn judge_one(ppl: f64, (low, high): (f64, f64)) -> Option<DropReason> {
    if ppl > high {
        Some(DropReason::new(
            "perplexity.high",
            format!("perplexity {ppl:.1} > {high:.1} under the reference model"),
        ))
    } else if ppl < low {
        Some(DropReason::new(
            "perplexity.low",
            format!("perplexity {ppl:.1} < {low:.1} under the reference model"),
        ))
    } else {
        None
    }
}

impl<T: TextFilterTask> Filter<T> for PerplexityFilter {
    fn kind(&self) -> &'static str {
        "perplexity"
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, Documents>,
    ) -> FilterOutcome {
        let bounds = match self.bounds {
            Some(bounds) => bounds,
            None => *self
                .bounds
                .insert(self.calibrate(context.reference, context.calibration)),
        };
        let docs = Documents::from_docs((0..view.len()).map(|i| {
            let (docs, index) = view.data(i);
            docs.doc(index)
        }));
        let drops = perplexities(context.reference, &docs)
            .into_iter()
            .map(|ppl| judge_one(ppl, bounds))
            .collect();
        FilterOutcome {
            drops,
            scores: None,
        }
    }
}
