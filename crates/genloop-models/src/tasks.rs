//! Tasks: a ground-truth source, a model family and the metrics that compare them.

use genloop_core::data::{Labeled, Symbols, Vectors};
use genloop_core::metrics::{self, MetricSpec};
use genloop_core::model::{Estimator, Source};
use genloop_core::pipeline::curate::{
    self, BuildFilter, Filter, FilterError, FilterSpec, Verifier,
};
use genloop_core::seed::Rng;
use genloop_core::task::{Evaluation, Task};
use genloop_curate::filters::FilterConfig;

use crate::categorical::{self, Categorical, CategoricalEstimator};
use crate::gaussian::{kl_divergence, w2_squared};
use crate::linalg;
use crate::linear::{Design, LinearEstimator, LinearModel, NoiseMode};
use crate::moments::VectorHoldout;
use crate::sources::{CategoricalSource, GaussianSource, LinearSource, MixtureSource};
use crate::vector::VectorModel;

/// The truth of a vector task.
#[derive(Clone, Debug)]
pub enum VectorSource {
    Gaussian(GaussianSource),
    Mixture(MixtureSource),
}

impl VectorSource {
    fn moments(&self) -> (Vec<f64>, Vec<f64>) {
        match self {
            VectorSource::Gaussian(g) => (g.truth.mean.clone(), g.truth.covariance.clone()),
            VectorSource::Mixture(m) => (m.mean(), m.covariance()),
        }
    }
}

/// Any model of vectors against a Gaussian or mixture truth.
pub struct VectorTask<E> {
    source: VectorSource,
    estimator: E,
    truth_mean: Vec<f64>,
    truth_trace: f64,
    metrics: Vec<MetricSpec>,
    /// W₂ and KL in closed form: a Gaussian truth and a Gaussian model.
    gaussian_pair: bool,
}

impl<E> VectorTask<E>
where
    E: Estimator<Data = Vectors> + Clone,
    E::Model: VectorModel,
{
    pub fn new(source: VectorSource, estimator: E, model_is_gaussian: bool) -> Self {
        let (truth_mean, covariance) = source.moments();
        let d = truth_mean.len();
        let gaussian_pair = model_is_gaussian && matches!(source, VectorSource::Gaussian(_));
        let mut metrics = vec![
            metrics::MEAN_SQ_ERROR,
            metrics::VARIANCE_RATIO,
            metrics::LOG_VARIANCE_RATIO,
        ];
        if gaussian_pair {
            metrics.extend([metrics::W2_SQUARED, metrics::KL_TO_TRUTH]);
        }
        metrics.push(metrics::HOLDOUT_NLL);
        VectorTask {
            source,
            estimator,
            truth_mean,
            truth_trace: linalg::trace(&covariance, d),
            metrics,
            gaussian_pair,
        }
    }
}

impl<E> Task for VectorTask<E>
where
    E: Estimator<Data = Vectors> + Clone,
    E::Model: VectorModel,
{
    type Data = Vectors;
    type Estimator = E;
    type Truth = VectorHoldout;

    fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }

    fn draw(&self, n: usize, rng: &mut Rng) -> Vectors {
        match &self.source {
            VectorSource::Gaussian(g) => g.draw(n, rng),
            VectorSource::Mixture(m) => m.draw(n, rng),
        }
    }

    fn truth(&self, holdout: Vectors, _original: &Vectors) -> VectorHoldout {
        VectorHoldout::new(holdout)
    }

    fn estimator(&self, _original: &Vectors) -> E {
        self.estimator.clone()
    }

    fn evaluate(&self, evaluation: &Evaluation<'_, Self>, out: &mut Vec<f64>) {
        let (model, truth) = (evaluation.model, evaluation.truth);
        out.clear();
        let d = model.dim();
        let owned;
        let (mean, covariance): (&[f64], &[f64]) = match model.as_gaussian() {
            Some(g) => (&g.mean, &g.covariance),
            None => {
                owned = (model.mean(), model.covariance());
                (&owned.0, &owned.1)
            }
        };
        let mse: f64 = mean
            .iter()
            .zip(&self.truth_mean)
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        let ratio = linalg::trace(covariance, d) / self.truth_trace;
        out.extend([mse, ratio, ratio.ln()]);
        if self.gaussian_pair {
            if let (VectorSource::Gaussian(g), Some(fitted)) = (&self.source, model.as_gaussian()) {
                out.push(w2_squared(
                    mean,
                    covariance,
                    &g.truth.mean,
                    &g.truth.covariance,
                    &g.covariance_sqrt,
                ));
                out.push(kl_divergence(&g.truth, fitted));
            }
        }
        out.push(model.holdout_nll(truth));
    }
}

/// The categorical model against a uniform or Zipf truth.
pub struct CategoricalTask {
    source: CategoricalSource,
    estimator: CategoricalEstimator,
    truth_entropy: f64,
}

impl CategoricalTask {
    const METRICS: [MetricSpec; 6] = [
        metrics::PROB_SQ_ERROR,
        metrics::KL_TO_TRUTH,
        metrics::ENTROPY,
        metrics::GINI_IMPURITY,
        metrics::SUPPORT_SIZE,
        metrics::HOLDOUT_NLL,
    ];

    pub fn new(source: CategoricalSource, smoothing: f64) -> Self {
        let truth_entropy = categorical::entropy(&source.probs);
        CategoricalTask {
            estimator: CategoricalEstimator {
                categories: source.probs.len(),
                smoothing,
            },
            source,
            truth_entropy,
        }
    }

    pub fn truth_entropy(&self) -> f64 {
        self.truth_entropy
    }
}

impl Task for CategoricalTask {
    type Data = Symbols;
    type Estimator = CategoricalEstimator;
    /// Holdout category frequencies.
    type Truth = Vec<f64>;

    fn metrics(&self) -> &[MetricSpec] {
        &Self::METRICS
    }

    fn draw(&self, n: usize, rng: &mut Rng) -> Symbols {
        self.source.draw(n, rng)
    }

    fn truth(&self, holdout: Symbols, _original: &Symbols) -> Vec<f64> {
        let mut freq = vec![0.0; holdout.categories];
        for &v in &holdout.values {
            freq[v as usize] += 1.0;
        }
        let n = holdout.values.len().max(1) as f64;
        freq.iter_mut().for_each(|f| *f /= n);
        freq
    }

    fn estimator(&self, _original: &Symbols) -> CategoricalEstimator {
        self.estimator
    }

    fn evaluate(&self, evaluation: &Evaluation<'_, Self>, out: &mut Vec<f64>) {
        let (model, holdout_freq): (&Categorical, &Vec<f64>) = (evaluation.model, evaluation.truth);
        out.clear();
        let p = &model.probs;
        let q = &self.source.probs;
        out.push(p.iter().zip(q).map(|(a, b)| (a - b).powi(2)).sum());
        out.push(categorical::kl(q, p));
        out.push(categorical::entropy(p));
        out.push(1.0 - p.iter().map(|v| v * v).sum::<f64>());
        out.push(p.iter().filter(|v| **v > 0.0).count() as f64);
        // Holdout NLL from the holdout's category frequencies: −Σ f ln p.
        out.push(
            holdout_freq
                .iter()
                .zip(p)
                .filter(|(f, _)| **f > 0.0)
                .map(|(f, pi)| {
                    if *pi > 0.0 {
                        -f * pi.ln()
                    } else {
                        f64::INFINITY
                    }
                })
                .sum(),
        );
    }
}

/// Linear regression against a linear truth.
pub struct LinearTask {
    source: LinearSource,
    design: Design,
    noise: NoiseMode,
}

impl LinearTask {
    const METRICS: [MetricSpec; 3] = [
        metrics::PARAM_ERROR,
        metrics::TEST_MSE,
        metrics::HOLDOUT_NLL,
    ];

    pub fn new(source: LinearSource, design: Design, noise: NoiseMode) -> Self {
        LinearTask {
            source,
            design,
            noise,
        }
    }
}

impl Task for LinearTask {
    type Data = Labeled;
    type Estimator = LinearEstimator;
    type Truth = Labeled;

    fn metrics(&self) -> &[MetricSpec] {
        &Self::METRICS
    }

    fn draw(&self, n: usize, rng: &mut Rng) -> Labeled {
        self.source.draw(n, rng)
    }

    fn truth(&self, holdout: Labeled, _original: &Labeled) -> Labeled {
        holdout
    }

    fn estimator(&self, original: &Labeled) -> LinearEstimator {
        LinearEstimator {
            dim: self.source.dim(),
            design: self.design,
            noise: self.noise,
            true_noise_std: self.source.noise_std,
            fixed_inputs: (self.design == Design::Fixed).then(|| original.x.clone()),
        }
    }

    fn evaluate(&self, evaluation: &Evaluation<'_, Self>, out: &mut Vec<f64>) {
        let (model, holdout): (&LinearModel, &Labeled) = (evaluation.model, evaluation.truth);
        out.clear();
        out.push(
            model
                .weights
                .iter()
                .zip(&self.source.weights)
                .map(|(a, b)| (a - b).powi(2))
                .sum(),
        );
        let n = holdout.y.len().max(1) as f64;
        let mse = (0..holdout.y.len())
            .map(|i| (holdout.y[i] - model.predict(holdout.row(i))).powi(2))
            .sum::<f64>()
            / n;
        out.push(mse);
        let var = model.noise_std.powi(2);
        out.push(0.5 * ((2.0 * std::f64::consts::PI * var).ln() + mse / var));
    }
}

/// Numeric tasks offer the verifier; the text filters do not apply to their data.
impl<E> BuildFilter for VectorTask<E>
where
    E: Estimator<Data = Vectors> + Clone,
    E::Model: VectorModel,
{
    fn build_filter(&self, spec: &FilterSpec) -> Result<Box<dyn Filter<Self>>, FilterError> {
        numeric_filter(spec)
    }
}

impl BuildFilter for CategoricalTask {
    fn build_filter(&self, spec: &FilterSpec) -> Result<Box<dyn Filter<Self>>, FilterError> {
        numeric_filter(spec)
    }
}

impl BuildFilter for LinearTask {
    fn build_filter(&self, spec: &FilterSpec) -> Result<Box<dyn Filter<Self>>, FilterError> {
        numeric_filter(spec)
    }
}

fn numeric_filter<T: Task>(spec: &FilterSpec) -> Result<Box<dyn Filter<T>>, FilterError> {
    match spec.config.as_any().downcast_ref::<FilterConfig>() {
        Some(FilterConfig::Verifier(config)) => Ok(Box::new(Verifier::new(config.clone()))),
        _ => Err(curate::unsupported(spec, "numeric models take `verifier`")),
    }
}
