//! `[output]`: what a run stores besides the metrics.

use serde::{Deserialize, Serialize};

use genloop_core::pipeline::checkpoints::KeepCheckpoints;
use genloop_core::provenance::CompositionDetail;

use crate::problem::Checker;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    /// `full` (by pool and generation of origin) or `pools` (by pool only).
    pub composition: Option<String>,
    /// Bootstrap resamples for the 95 % interval of the mean; 0 (the default): the
    /// Student t interval.
    pub bootstrap: Option<i64>,
    /// Text runs: sampled documents stored per generation (replicate 0).
    pub sample_texts: Option<i64>,
    /// Transformer runs: which fitted models stay in `checkpoints/` (`accepted`, `last`,
    /// `none`).
    pub checkpoints: Option<String>,
}

/// The checked `[output]` table.
pub(crate) struct Output {
    pub composition: CompositionDetail,
    pub bootstrap: usize,
    pub sample_texts: usize,
    pub checkpoints: KeepCheckpoints,
}

pub(crate) fn check_output(c: &mut Checker, raw: &RawOutput) -> Output {
    let composition = match raw.composition.as_deref() {
        None => CompositionDetail::Full,
        Some(v) => match c.choice("output.composition", v, &["full", "pools"]) {
            Some("pools") => CompositionDetail::Pools,
            _ => CompositionDetail::Full,
        },
    };
    let bootstrap = c.count_or(
        "output.bootstrap",
        raw.bootstrap,
        genloop_core::aggregate::DEFAULT_RESAMPLES as i64,
        0,
    );
    let sample_texts = c.count_or("output.sample_texts", raw.sample_texts, 5, 0);
    let checkpoints = match raw.checkpoints.as_deref() {
        None => KeepCheckpoints::Accepted,
        Some(v) => match c.choice("output.checkpoints", v, &["accepted", "last", "none"]) {
            Some("last") => KeepCheckpoints::Last,
            Some("none") => KeepCheckpoints::None,
            _ => KeepCheckpoints::Accepted,
        },
    };
    Output {
        composition,
        bootstrap,
        sample_texts,
        checkpoints,
    }
}
