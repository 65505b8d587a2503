//! `[sampling]` (or an arm's `sampling = { … }`): how the model in service samples.

use serde::{Deserialize, Serialize};

use genloop_core::model::Sampling;

use crate::problem::Checker;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSampling {
    pub bias: Option<f64>,
    pub temperature: Option<f64>,
    pub top_k: Option<i64>,
    pub top_p: Option<f64>,
}

pub(crate) fn check_sampling(c: &mut Checker, table: &str, raw: &RawSampling) -> Sampling {
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
    let top_k = c.count_or(&format!("{table}.top_k"), raw.top_k, 0, 0);
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
