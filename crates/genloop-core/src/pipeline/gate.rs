//! The gate: accept a new generation, or reject it and roll back to the best
//! accepted model. Decisions are data (STYLE.md 6): the loop stores them with the
//! generation and acts on them; the gate itself does no I/O.
//!
//! A [`Gate`] compares a candidate's value of one task metric, measured on the
//! validation draw, with the best accepted value ([`HoldoutGate`]); [`AcceptAll`]
//! is no gate. [`Service`] keeps the model in service and the best accepted one,
//! and rolls back to the latter on a rejection.

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

/// Accepts or rejects candidate models, beside [`Filter`](super::curate::Filter)
/// for records.
pub trait Gate: Send + Sync {
    /// The task metric (an index into `Task::metrics`) the gate compares, measured
    /// on the validation draw; `None` when it measures nothing (the loop then makes
    /// no validation draw).
    fn metric(&self) -> Option<usize>;

    /// Decide on a candidate value given the best accepted value so far.
    fn decide(&self, candidate: f64, best: f64) -> Decision;

    /// Whether `candidate` is better than `best`.
    fn improves(&self, candidate: f64, best: f64) -> bool;
}

/// No gate: every generation is accepted.
#[derive(Clone, Copy, Debug, Default)]
pub struct AcceptAll;

impl Gate for AcceptAll {
    fn metric(&self) -> Option<usize> {
        None
    }

    fn decide(&self, _candidate: f64, _best: f64) -> Decision {
        Decision::accept("no gate")
    }

    fn improves(&self, _candidate: f64, _best: f64) -> bool {
        false
    }
}

/// A holdout gate bound to the metric it reads (`index` into the task's metrics).
#[derive(Clone, Debug)]
pub struct HoldoutGate {
    pub index: usize,
    pub metric: MetricSpec,
    pub tolerance: f64,
}

impl Gate for HoldoutGate {
    fn metric(&self) -> Option<usize> {
        Some(self.index)
    }

    fn decide(&self, candidate: f64, best: f64) -> Decision {
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

    fn improves(&self, candidate: f64, best: f64) -> bool {
        match self.metric.direction {
            Direction::HigherIsBetter => candidate > best,
            _ => candidate < best,
        }
    }
}

/// The model in service and the best accepted model so far, each with its
/// generation, and the best accepted gate value.
#[derive(Clone, Debug)]
pub struct Service<M> {
    pub deployed: (u32, M),
    pub best: (u32, M),
    /// `None` without a gate.
    pub best_value: Option<f64>,
}

impl<M: Clone> Service<M> {
    /// Generation 0's model in service, with its gate value.
    pub fn new(model0: M, value0: Option<f64>) -> Self {
        Service {
            best: (0, model0.clone()),
            deployed: (0, model0),
            best_value: value0,
        }
    }

    /// Let `gate` judge the candidate of `generation` by its gate `value`: accepted,
    /// it goes into service (and becomes the best when it improves on it); rejected,
    /// the best accepted model returns to service.
    pub fn judge(
        &mut self,
        gate: &dyn Gate,
        generation: u32,
        candidate: M,
        value: Option<f64>,
    ) -> Decision {
        let decision = match (self.best_value, value) {
            (Some(best_so_far), Some(value)) => {
                let decision = gate.decide(value, best_so_far);
                if decision.accepted && gate.improves(value, best_so_far) {
                    self.best_value = Some(value);
                    self.best = (generation, candidate.clone());
                }
                decision
            }
            _ => Decision::accept("no gate"),
        };
        self.deployed = if decision.accepted {
            (generation, candidate)
        } else {
            // Roll back to the best accepted model.
            self.best.clone()
        };
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::HOLDOUT_NLL;

    #[test]
    fn rejects_a_worse_generation_beyond_tolerance() {
        let gate = HoldoutGate {
            index: 0,
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
