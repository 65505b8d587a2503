//! A contaminated fresh stream: the web fills up with model output, so a share c(g)
//! of the "human" data released at generation g is machine text the run's models
//! published at earlier generations.

use serde::Serialize;

use crate::data::{Dataset, Part};
use crate::pipeline::mix::subsample::subsample;
use crate::seed::Rng;

/// How the machine share of the fresh stream moves over generations 1..=last.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "schedule", rename_all = "snake_case")]
pub enum Schedule {
    /// c(g) = start.
    Constant,
    /// From `start` at generation 1 to `end` at the last generation, linearly.
    Linear,
    /// From `start` to `end` along a logistic curve in t = (g − 1)/(last − 1):
    /// σ(steepness·(t − midpoint)), rescaled to hit `start` and `end` exactly.
    Logistic { midpoint: f64, steepness: f64 },
}

/// Which published generations the machine text is drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceGenerations {
    /// Every generation published before g, uniformly over their records.
    All,
    /// Only generation g − 1 (the model in service at the start of generation g).
    Latest,
    /// The last `n` published generations.
    Window(u32),
}

/// `[contamination]` of a config, checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContaminationSpec {
    #[serde(flatten)]
    pub schedule: Schedule,
    pub start: f64,
    pub end: f64,
    pub sources: SourceGenerations,
}

impl ContaminationSpec {
    /// The machine share c(g) of the fresh data released at generation `g` ≥ 1 of a
    /// run whose last generation is `last`.
    pub fn share(&self, generation: u32, last: u32) -> f64 {
        let t = if last <= 1 {
            0.0
        } else {
            (f64::from(generation.max(1)) - 1.0) / (f64::from(last) - 1.0)
        };
        let (start, end) = (self.start, self.end);
        match self.schedule {
            Schedule::Constant => start,
            Schedule::Linear => start + (end - start) * t,
            Schedule::Logistic {
                midpoint,
                steepness,
            } => {
                let sigma = |x: f64| 1.0 / (1.0 + (-steepness * (x - midpoint)).exp());
                let (lo, hi) = (sigma(0.0), sigma(1.0));
                start + (end - start) * (sigma(t) - lo) / (hi - lo)
            }
        }
    }

    /// Whether a batch published at generation `published` may contaminate the
    /// fresh data of generation `generation`.
    pub fn draws_from(&self, published: u32, generation: u32) -> bool {
        if published >= generation {
            return false;
        }
        match self.sources {
            SourceGenerations::All => true,
            SourceGenerations::Latest => published + 1 == generation,
            SourceGenerations::Window(n) => generation - published <= n,
        }
    }
}

/// What the models in service published, kept for as long as later generations
/// may draw machine text from it.
#[derive(Clone, Debug)]
pub struct Web<D> {
    parts: Vec<Part<D>>,
}

impl<D> Default for Web<D> {
    fn default() -> Self {
        Web { parts: Vec::new() }
    }
}

impl<D: Dataset> Web<D> {
    /// Machine text for the fresh data of `generation`: `units` units drawn without
    /// replacement from the published batches `spec` lets it draw from.
    pub fn draw(
        &self,
        spec: &ContaminationSpec,
        generation: u32,
        units: usize,
        rng: &mut Rng,
    ) -> Vec<Part<D>> {
        let sources: Vec<Part<D>> = self
            .parts
            .iter()
            .filter(|p| spec.draws_from(p.provenance.generation, generation))
            .cloned()
            .collect();
        subsample(&sources, units, rng)
    }

    /// Publish the batch of `generation`, and forget what later generations may no
    /// longer draw from.
    pub fn publish(&mut self, spec: &ContaminationSpec, batch: Part<D>, generation: u32) {
        self.parts.push(batch);
        self.parts
            .retain(|p| spec.draws_from(p.provenance.generation, generation + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(schedule: Schedule) -> ContaminationSpec {
        ContaminationSpec {
            schedule,
            start: 0.05,
            end: 0.5,
            sources: SourceGenerations::All,
        }
    }

    #[test]
    fn schedules_run_from_start_to_end() {
        let last = 10;
        for schedule in [
            Schedule::Linear,
            Schedule::Logistic {
                midpoint: 0.5,
                steepness: 10.0,
            },
        ] {
            let s = spec(schedule);
            assert!((s.share(1, last) - 0.05).abs() < 1e-12);
            assert!((s.share(last, last) - 0.5).abs() < 1e-12);
            for g in 1..last {
                assert!(s.share(g + 1, last) > s.share(g, last));
            }
        }
        let linear = spec(Schedule::Linear);
        assert!((linear.share(4, 7) - 0.275).abs() < 1e-12);
        assert_eq!(spec(Schedule::Constant).share(9, last), 0.05);
    }

    #[test]
    fn source_generations() {
        let mut s = spec(Schedule::Constant);
        assert!(s.draws_from(0, 3) && s.draws_from(2, 3) && !s.draws_from(3, 3));
        s.sources = SourceGenerations::Latest;
        assert!(!s.draws_from(1, 3) && s.draws_from(2, 3));
        s.sources = SourceGenerations::Window(2);
        assert!(!s.draws_from(0, 3) && s.draws_from(1, 3));
    }
}
