//! `[regime]` (or an arm's `regime = { … }`): how the training set of generation g
//! is built from the pools (`genloop_core::pipeline::mix`).

use serde::{Deserialize, Serialize};

use genloop_core::pipeline::mix::{RegimeKind, RegimeSpec};

use crate::problem::Checker;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegime {
    pub kind: String,
    pub samples: Option<i64>,
    pub budget: Option<i64>,
    pub ratio: Option<f64>,
    pub fresh: Option<i64>,
    pub synthetic: Option<i64>,
    pub fraction: Option<f64>,
}

const KINDS: [&str; 7] = [
    "replace",
    "accumulate",
    "accumulate_subsample",
    "augment",
    "fresh",
    "preserve",
    "real_only",
];

/// Most synthetic records per original record of `augment`: 1e300 asked for
/// usize::MAX records and overflowed the size checks.
pub const MAX_RATIO: f64 = 1000.0;

/// The keys each kind takes besides `kind`.
fn allowed(kind: &str) -> &'static [&'static str] {
    match kind {
        "replace" | "accumulate" => &["samples", "fresh"],
        "accumulate_subsample" => &["samples", "budget", "fresh"],
        "augment" => &["ratio", "fresh"],
        "fresh" => &["fresh", "synthetic", "samples"],
        "preserve" => &["samples", "fraction", "fresh"],
        _ => &["fresh"],
    }
}

pub(crate) fn check_regime(
    c: &mut Checker,
    table: &str,
    raw: &RawRegime,
    original: usize,
) -> Option<RegimeSpec> {
    let kind = c.choice(&format!("{table}.kind"), &raw.kind, &KINDS)?;
    let key = |k: &str| format!("{table}.{k}");
    let samples = c.count(
        &key("samples"),
        raw.samples,
        Some(original as i64),
        0,
        "samples = 100",
    );
    let fresh = c.count(&key("fresh"), raw.fresh, Some(0), 0, "fresh = 100");
    c.only(table, kind, raw, allowed(kind));
    let kind = regime_kind(c, table, kind, raw, samples, original);
    Some(RegimeSpec {
        kind,
        samples,
        fresh,
    })
}

/// The kind's own parameters.
fn regime_kind(
    c: &mut Checker,
    table: &str,
    kind: &str,
    raw: &RawRegime,
    samples: usize,
    original: usize,
) -> RegimeKind {
    let key = |k: &str| format!("{table}.{k}");
    match kind {
        "replace" => RegimeKind::Replace,
        "accumulate" => RegimeKind::Accumulate,
        "accumulate_subsample" => RegimeKind::AccumulateSubsample {
            budget: c.count(
                &key("budget"),
                raw.budget,
                Some(samples as i64),
                1,
                "budget = 100",
            ),
        },
        "augment" => {
            let ratio = raw.ratio.unwrap_or(1.0);
            if !(ratio.is_finite() && (0.0..=MAX_RATIO).contains(&ratio)) {
                c.problem(
                    &key("ratio"),
                    ratio,
                    &format!(
                        "must be within 0..={MAX_RATIO} (synthetic records per original record)"
                    ),
                    "e.g. ratio = 0.5",
                );
            }
            RegimeKind::Augment { ratio }
        }
        "fresh" => fresh_kind(c, table, raw, original),
        "preserve" => RegimeKind::Preserve {
            fraction: c.fraction(
                &key("fraction"),
                raw.fraction.unwrap_or(0.1),
                "fraction = 0.1",
            ),
        },
        _ => RegimeKind::RealOnly,
    }
}

fn fresh_kind(c: &mut Checker, table: &str, raw: &RawRegime, original: usize) -> RegimeKind {
    let synthetic = c.count(
        &format!("{table}.synthetic"),
        raw.synthetic.or(raw.samples),
        Some(original as i64),
        0,
        "synthetic = 100",
    );
    if raw.fresh.is_none() {
        c.problem(
            &format!("{table}.fresh"),
            "",
            "is required by the fresh regime",
            "add fresh = 100 (fresh human records per generation)",
        );
    }
    RegimeKind::Fresh { synthetic }
}
