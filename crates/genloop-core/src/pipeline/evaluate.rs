//! Evaluate: what is measured on the holdout (the model in service, after every
//! generation) and, for the gate, on the validation draw (each candidate).

use super::gate::Gate;
use crate::provenance::Pool;
use crate::seed::RootSeed;
use crate::task::{Artifact, Evaluation, ModelOf, Task};

/// What one replicate measures its models on.
pub struct Measures<T: Task> {
    /// The holdout and its statistics: the test of the models in service.
    pub truth: T::Truth,
    /// The gate's own validation draw, so the holdout metrics stay an unbiased test
    /// of the selected models (`None` when the gate measures nothing).
    pub validation: Option<T::Truth>,
}

impl<T: Task> Measures<T> {
    /// Draw `units` of holdout (the `holdout` stream) and, when `gate` measures, as
    /// many for validation (the `validation` stream).
    pub fn draw(
        task: &T,
        gate: &dyn Gate,
        original: &T::Data,
        units: usize,
        seed: RootSeed,
        replicate: u64,
    ) -> Self {
        let holdout = task.draw_pool(
            Pool::Holdout,
            0,
            units,
            &mut seed.stream("holdout", replicate, 0),
        );
        let truth = task.truth(holdout, original);
        let validation = gate.metric().map(|_| {
            let draw = task.draw_pool(
                Pool::Holdout,
                1,
                units,
                &mut seed.stream("validation", replicate, 0),
            );
            task.truth(draw, original)
        });
        Measures { truth, validation }
    }

    /// The gate's value of `model` on the validation draw (`None` without one).
    pub fn gate_value(
        &self,
        task: &T,
        gate: &dyn Gate,
        model: &ModelOf<T>,
        model0: &ModelOf<T>,
    ) -> Option<f64> {
        let index = gate.metric()?;
        let truth = self.validation.as_ref()?;
        let mut values = Vec::new();
        task.evaluate(
            &Evaluation {
                model,
                truth,
                generation0: model0,
                samples: None,
            },
            &mut values,
        );
        Some(values[index])
    }
}

/// Measure the model of `evaluation` after `generation`: its metrics are appended to
/// `metrics`, the task's artifacts to `artifacts`.
pub fn measure<T: Task>(
    task: &T,
    evaluation: &Evaluation<'_, T>,
    replicate: u64,
    generation: u32,
    metrics: &mut Vec<f64>,
    artifacts: &mut Vec<(u32, Artifact)>,
) {
    let mut values = Vec::new();
    task.evaluate(evaluation, &mut values);
    metrics.extend_from_slice(&values);
    for artifact in task.artifacts(evaluation, replicate) {
        artifacts.push((generation, artifact));
    }
}
