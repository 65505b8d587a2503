//! `[data]`: the sizes of the original pool and of the holdout (records, or tokens
//! for text runs).

use serde::{Deserialize, Serialize};

use crate::problem::Checker;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    pub original: Option<i64>,
    pub holdout: Option<i64>,
}

/// (original, holdout).
pub(crate) fn check_data(c: &mut Checker, raw: &RawData) -> (usize, usize) {
    let original = c.count("data.original", raw.original, None, 1, "original = 100");
    let holdout = c.count(
        "data.holdout",
        raw.holdout,
        Some(1000),
        1,
        "holdout = 10000",
    );
    (original, holdout)
}
