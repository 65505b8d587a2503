//! `[gate]` (or an arm's `gate = { … }`): `none`, or `holdout` with a metric and a
//! relative tolerance.

use serde::{Deserialize, Serialize};

use genloop_core::metrics::{self, Direction};
use genloop_core::pipeline::gate::GateSpec;

use crate::problem::Checker;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGate {
    pub kind: Option<String>,
    pub metric: Option<String>,
    pub tolerance: Option<f64>,
}

pub(crate) fn check_gate(
    c: &mut Checker,
    table: &str,
    raw: &RawGate,
    default_metric: &str,
) -> GateSpec {
    let kind = raw.kind.as_deref().unwrap_or("none");
    match c.choice(&format!("{table}.kind"), kind, &["none", "holdout"]) {
        Some("holdout") => {
            let metric = raw
                .metric
                .clone()
                .unwrap_or_else(|| default_metric.to_string());
            check_metric(c, table, &metric);
            let tolerance = raw.tolerance.unwrap_or(0.02);
            if !(tolerance.is_finite() && tolerance >= 0.0) {
                c.problem(
                    &format!("{table}.tolerance"),
                    tolerance,
                    "must be ≥ 0 (relative)",
                    "e.g. tolerance = 0.02",
                );
            }
            GateSpec::Holdout { metric, tolerance }
        }
        _ => {
            if raw.metric.is_some() || raw.tolerance.is_some() {
                c.problem(
                    &format!("{table}.kind"),
                    "\"none\"",
                    "takes no metric or tolerance",
                    "set kind = \"holdout\" or remove them",
                );
            }
            GateSpec::None
        }
    }
}

/// A gate ranks by a known metric with a better direction.
fn check_metric(c: &mut Checker, table: &str, metric: &str) {
    match metrics::by_name(metric) {
        None => c.problem(
            &format!("{table}.metric"),
            format!("\"{metric}\""),
            "is not a known metric",
            &format!(
                "use one of: {}",
                metrics::ALL
                    .iter()
                    .map(|m| m.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Some(m) if matches!(m.direction, Direction::Target(_) | Direction::Neutral) => c.problem(
            &format!("{table}.metric"),
            format!("\"{metric}\""),
            "has no better direction, so a gate cannot rank it",
            "gate on a loss such as holdout_nll",
        ),
        Some(_) => {}
    }
}
