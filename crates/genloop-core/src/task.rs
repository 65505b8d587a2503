//! A task binds a ground-truth source to a model family and its metrics: what the
//! loop needs to draw human data, fit, and measure, for one kind of data.

use crate::data::Dataset;
use crate::metrics::MetricSpec;
use crate::model::{Estimator, FittedModel};
use crate::provenance::Pool;
use crate::seed::Rng;

/// The fitted model type of a task.
pub type ModelOf<T> = <<T as Task>::Estimator as Estimator>::Model;

/// Source + model family + metrics. The loop is generic over tasks, so adding a model
/// or a data kind never touches the loop.
pub trait Task: Send + Sync {
    type Data: Dataset;
    type Estimator: Estimator<Data = Self::Data>;
    /// What metrics need besides the model: the holdout set and its statistics.
    type Truth: Send + Sync;

    /// The metrics `evaluate` writes, in order.
    fn metrics(&self) -> &[MetricSpec];

    /// Human data from the ground truth (original, holdout and fresh pools).
    fn draw(&self, n: usize, rng: &mut Rng) -> Self::Data;

    /// Human data for one pool: `Pool::Holdout` with generation 1 is the gate's
    /// validation draw; `Pool::Fresh` the batch released at `generation`. Sources
    /// with a distribution draw; fixed corpora override this to hand out their
    /// splits and their time-ordered fresh stream.
    fn draw_pool(&self, _pool: Pool, _generation: u32, n: usize, rng: &mut Rng) -> Self::Data {
        self.draw(n, rng)
    }

    /// Prepare the evaluation context of one replicate from its holdout (or
    /// validation) set; `original` is the replicate's original data (for metrics
    /// relative to it, such as vocabulary survival).
    fn truth(&self, holdout: Self::Data, original: &Self::Data) -> Self::Truth;

    /// The estimator of one replicate. Some models bind to the original data here
    /// (linear regression with a fixed design reuses the original inputs).
    fn estimator(&self, original: &Self::Data) -> Self::Estimator;

    /// Write one value per metric of `metrics()` into `out` (cleared first).
    fn evaluate(&self, evaluation: &Evaluation<'_, Self>, out: &mut Vec<f64>)
    where
        Self: Sized;

    /// Write the task's own files into the run folder (a corpus run's
    /// `tokenizer.json`).
    fn save_files(
        &self,
        _dir: &std::path::Path,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Ok(())
    }

    /// Where fitted models are kept on disk, for models worth keeping (a neural model's
    /// checkpoints; the runner sets the folder). `None`: the loop keeps none.
    fn checkpoints(&self) -> Option<&dyn crate::pipeline::checkpoints::Checkpoints<ModelOf<Self>>> {
        None
    }

    /// Whether metrics need samples of the model (text metrics do; the loop then
    /// samples even where the regime uses no synthetic data).
    fn needs_samples(&self) -> bool {
        false
    }

    /// Records to keep beside the metrics (sample texts, per-sample scores); the task
    /// caps how many.
    fn artifacts(&self, _evaluation: &Evaluation<'_, Self>, _replicate: u64) -> Vec<Artifact>
    where
        Self: Sized,
    {
        Vec::new()
    }
}

/// What a task measures a model with.
pub struct Evaluation<'a, T: Task> {
    /// The model in service.
    pub model: &'a ModelOf<T>,
    /// The holdout (or, for the gate, the validation draw) and its statistics.
    pub truth: &'a T::Truth,
    /// The generation-0 model (fitted on the original data).
    pub generation0: &'a ModelOf<T>,
    /// Samples of `model` (the next generation's synthetic batch), when drawn.
    pub samples: Option<&'a T::Data>,
}

/// A per-generation record beyond scalar metrics.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum Artifact {
    /// One value per sample, e.g. each sampled document's perplexity under the
    /// generation-0 model (the report's histograms).
    Scores {
        kind: &'static str,
        values: Vec<f64>,
    },
    /// Sampled texts, capped.
    Texts {
        kind: &'static str,
        texts: Vec<String>,
    },
}

/// Convenience: the model's mean log-probability on `data`, negated.
pub fn mean_nll<M: FittedModel>(model: &M, data: &M::Data) -> f64 {
    let lp = model.log_prob(data);
    if lp.is_empty() {
        return f64::NAN;
    }
    -lp.iter().sum::<f64>() / lp.len() as f64
}
