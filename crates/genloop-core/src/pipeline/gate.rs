//! The gate: accept a new generation, or reject it and roll back to the best
//! accepted model. Decisions are data (STYLE.md 6): the loop stores them with the
//! generation and acts on them; the gate itself does no I/O.

use std::borrow::Cow;

use serde::Serialize;

use crate::metrics::{Direction, MetricSpec};

/// A checked gate.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GateSpec {
    /// Accept every generation.
    None,
    /// Compare a holdout metric with the best accepted value: reject when it is worse
    /// by more than `tolerance` (relative).
    Holdout { metric: String, tolerance: f64 },
}

/// The gate's decision about one generation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub accepted: bool,
    pub reason: Cow<'static, str>,
}

impl Decision {
    pub fn accept(reason: impl Into<Cow<'static, str>>) -> Self {
        Decision {
            accepted: true,
            reason: reason.into(),
        }
    }

    pub fn reject(reason: impl Into<Cow<'static, str>>) -> Self {
        Decision {
            accepted: false,
            reason: reason.into(),
        }
    }
}

/// A holdout gate bound to the metric it reads.
#[derive(Clone, Debug)]
pub struct HoldoutGate {
    pub metric: MetricSpec,
    pub tolerance: f64,
}

impl HoldoutGate {
    /// Decide on a candidate value given the best accepted value so far.
    pub fn decide(&self, candidate: f64, best: f64) -> Decision {
        let name = self.metric.name;
        let slack = self.tolerance * best.abs();
        let (ok, bound, op) = match self.metric.direction {
            Direction::HigherIsBetter => (candidate >= best - slack, best - slack, "<"),
            // Gate metrics are checked to have a direction; target metrics never reach here.
            Direction::LowerIsBetter | Direction::Target(_) | Direction::Neutral => {
                (candidate <= best + slack, best + slack, ">")
            }
        };
        if !candidate.is_finite() {
            return Decision::reject(format!("{name} is not finite ({candidate})"));
        }
        if ok {
            Decision::accept(format!(
                "{name} {candidate:.6} within {:.1} % of best accepted {best:.6}",
                self.tolerance * 100.0
            ))
        } else {
            Decision::reject(format!(
                "{name} {candidate:.6} {op} {bound:.6} (best accepted {best:.6}, tolerance {:.1} %)",
                self.tolerance * 100.0
            ))
        }
    }

    /// Whether `candidate` is better than `best`.
    pub fn improves(&self, candidate: f64, best: f64) -> bool {
        match self.metric.direction {
            Direction::HigherIsBetter => candidate > best,
            _ => candidate < best,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::HOLDOUT_NLL;

    #[test]
    fn rejects_a_worse_generation_beyond_tolerance() {
        let gate = HoldoutGate {
            metric: HOLDOUT_NLL,
            tolerance: 0.02,
        };
        assert!(gate.decide(1.41, 1.40).accepted);
        let d = gate.decide(1.50, 1.40);
        assert!(!d.accepted);
        assert!(d.reason.contains("holdout_nll"), "{}", d.reason);
        assert!(!gate.decide(f64::NAN, 1.40).accepted);
    }
}
