//! The quality rule sets (Gopher, C4, FineWeb, short-form, length bounds) of
//! `genloop_curate::rules` as a loop filter over decoded documents.

use genloop_core::data::Documents;
use genloop_core::pipeline::curate::{
    CandidateView, DropReason, Filter, FilterContext, FilterOutcome,
};
use genloop_curate::rules::{Rule, Verdict};

use super::{texts, TextFilterTask};

/// A quality rule set.
pub(super) struct RuleFilter {
    kind: &'static str,
    rule: Box<dyn Rule>,
}

impl RuleFilter {
    pub(super) fn new(kind: &'static str, rule: Box<dyn Rule>) -> Self {
        RuleFilter { kind, rule }
    }
}

impl<T: TextFilterTask> Filter<T> for RuleFilter {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, Documents>,
    ) -> FilterOutcome {
        let drops = texts(context.task, view)
            .iter()
            .map(|text| match self.rule.check(text) {
                Verdict::Keep => None,
                Verdict::Drop { rule, reason } => Some(DropReason::new(rule, reason)),
            })
            .collect();
        FilterOutcome {
            drops,
            scores: None,
        }
    }
}
