//! The detector filter: a machine-text detector from the reference (observer) and the
//! model in service (performer), scored by `crate::detect` and calibrated every
//! generation by `genloop_curate::detect` at the target false-positive rate on
//! held-out human documents.

use genloop_core::data::Documents;
use genloop_core::pipeline::curate::{
    CandidateView, DropReason, Filter, FilterContext, FilterOutcome,
};
use genloop_curate::detect::calibrate;
use genloop_curate::filters::DetectorConfig;

use super::TextFilterTask;
use crate::detect::score_documents;

pub(super) struct DetectorFilter {
    config: DetectorConfig,
}

impl DetectorFilter {
    /// A detector of checked parameters ([`DetectorConfig::check`]).
    pub(super) fn new(config: DetectorConfig) -> Self {
        DetectorFilter { config }
    }
}

/// The documents of the view, as one batch.
fn documents(view: &CandidateView<'_, Documents>) -> Documents {
    Documents::from_docs((0..view.len()).map(|i| {
        let (docs, index) = view.data(i);
        docs.doc(index)
    }))
}

impl<T: TextFilterTask> Filter<T> for DetectorFilter {
    fn kind(&self) -> &'static str {
        "detector"
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, Documents>,
    ) -> FilterOutcome {
        let kind = self.config.score;
        let human = Documents::from_docs(context.calibration.iter().take(self.config.calibration));
        let human_scores = score_documents(kind, context.reference, context.deployed, &human);
        let calibration = calibrate(&human_scores, self.config.target_fpr);
        let scores = score_documents(kind, context.reference, context.deployed, &documents(view));
        let drops = scores
            .iter()
            .map(|&s| {
                (s > calibration.threshold).then(|| {
                    DropReason::new(
                        "detector.machine",
                        format!(
                            "{} score {s:.3} > {:.3} (calibrated at FPR {})",
                            kind.as_str(),
                            calibration.threshold,
                            self.config.target_fpr
                        ),
                    )
                })
            })
            .collect();
        FilterOutcome {
            drops,
            scores: Some(scores),
        }
    }
}
