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

/// Fewest bootstrap resamples: the 2.5 % and 97.5 % points of fewer resamples are
/// the extreme one or two (with 1 resample the "interval" is one resampled mean,
/// which need not contain the mean).
pub const MIN_BOOTSTRAP: i64 = 200;
/// Most bootstrap resamples: each cell (arm × metric × generation) draws this many
/// means of `replicates` values.
pub const MAX_BOOTSTRAP: i64 = 100_000;
/// Most sampled documents stored per generation.
pub const MAX_SAMPLE_TEXTS: i64 = 10_000;

/// 0 (the t interval) or [`MIN_BOOTSTRAP`]..=[`MAX_BOOTSTRAP`] resamples.
fn check_bootstrap(c: &mut Checker, raw: Option<i64>) -> usize {
    let default = genloop_core::aggregate::DEFAULT_RESAMPLES as i64;
    match raw {
        Some(v) if v != 0 && !(MIN_BOOTSTRAP..=MAX_BOOTSTRAP).contains(&v) => {
            c.problem(
                "output.bootstrap",
                v,
                &format!("must be 0 (the Student t interval) or within {MIN_BOOTSTRAP}..={MAX_BOOTSTRAP} resamples"),
                "e.g. bootstrap = 2000, or remove it for the t interval",
            );
            0
        }
        _ => raw.unwrap_or(default) as usize,
    }
}

pub(crate) fn check_output(c: &mut Checker, raw: &RawOutput) -> Output {
    let composition = match raw.composition.as_deref() {
        None => CompositionDetail::Full,
        Some(v) => match c.choice("output.composition", v, &["full", "pools"]) {
            Some("pools") => CompositionDetail::Pools,
            _ => CompositionDetail::Full,
        },
    };
    let bootstrap = check_bootstrap(c, raw.bootstrap);
    let sample_texts = c.count_within(
        "output.sample_texts",
        raw.sample_texts,
        Some(5),
        0..=MAX_SAMPLE_TEXTS,
        "sample_texts = 5",
    );
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
