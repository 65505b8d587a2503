//! The model contract, written once and run on every model (STYLE.md 14): finite
//! log-probabilities, samples that match the fit within statistical tolerance, seeded
//! determinism. (Config tables of each model are checked in `genloop-config`.)

use genloop_core::data::{Dataset, Labeled, Symbols, TrainingSet, Vectors};
use genloop_core::model::{Estimator, FittedModel, Sampling, Source};
use genloop_core::provenance::{Pool, Provenance};
use genloop_core::seed::{Rng, RootSeed};
use genloop_models::categorical::CategoricalEstimator;
use genloop_models::gaussian::{GaussianEstimator, VarianceEstimator};
use genloop_models::kde::{Bandwidth, KdeEstimator};
use genloop_models::linear::{Design, LinearEstimator, NoiseMode};
use genloop_models::mixture::MixtureEstimator;
use genloop_models::sources::{CategoricalSource, GaussianSource, LinearSource, MixtureSource};

/// Summary statistics a model's samples must reproduce, with their standard errors.
trait Moments: Dataset {
    /// (statistic, standard error of one draw's statistic) pairs.
    fn stats(&self) -> Vec<(f64, f64)>;
}

impl Moments for Vectors {
    fn stats(&self) -> Vec<(f64, f64)> {
        let n = self.len() as f64;
        (0..self.dim)
            .flat_map(|i| {
                let xs: Vec<f64> = self.rows().map(|r| r[i]).collect();
                let mean = xs.iter().sum::<f64>() / n;
                let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
                let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
                [
                    (mean, (var / n).sqrt()),
                    (var, ((m4 - var * var) / n).sqrt()),
                ]
            })
            .collect()
    }
}

impl Moments for Symbols {
    fn stats(&self) -> Vec<(f64, f64)> {
        let n = self.len() as f64;
        (0..self.categories)
            .map(|c| {
                let p = self.values.iter().filter(|v| **v as usize == c).count() as f64 / n;
                (p, (p * (1.0 - p) / n).sqrt().max(1.0 / n))
            })
            .collect()
    }
}

impl Moments for Labeled {
    fn stats(&self) -> Vec<(f64, f64)> {
        // Mean label and mean of x₀·y (a covariance the weights determine).
        let n = self.len() as f64;
        let y_mean = self.y.iter().sum::<f64>() / n;
        let y_var = self.y.iter().map(|y| (y - y_mean).powi(2)).sum::<f64>() / n;
        let xy: Vec<f64> = (0..self.len())
            .map(|i| self.row(i)[0] * self.y[i])
            .collect();
        let xy_mean = xy.iter().sum::<f64>() / n;
        let xy_var = xy.iter().map(|v| (v - xy_mean).powi(2)).sum::<f64>() / n;
        vec![(y_mean, (y_var / n).sqrt()), (xy_mean, (xy_var / n).sqrt())]
    }
}

fn train<D: Dataset>(data: D) -> TrainingSet<D> {
    TrainingSet::single(Provenance::new(Pool::Original, 0), data)
}

fn rng(name: &str, seed: u64) -> Rng {
    RootSeed(seed).stream(name, 0, 0)
}

/// The contract every model passes.
fn contract<E>(estimator: &E, truth: &dyn Fn(usize, &mut Rng) -> E::Data)
where
    E: Estimator,
    E::Data: Moments + PartialEq + std::fmt::Debug,
{
    for seed in [1, 2] {
        let data = truth(4000, &mut rng("truth", seed));
        let model = estimator
            .fit(&train(data.clone()), &mut rng("fit", seed))
            .expect("fits");
        assert!(model.parameter_count() > 0);

        // Finite log-probabilities on its own samples and on truth data.
        let own = model.sample(4000, &Sampling::default(), &mut rng("sample", seed));
        assert_eq!(own.len(), 4000);
        for lp in model
            .log_prob(&own)
            .into_iter()
            .chain(model.log_prob(&data))
        {
            assert!(lp.is_finite(), "log-probability {lp}");
        }

        // Samples match the fit: refit on the samples and compare statistics of a
        // second large sample with those of the first, within 5 standard errors.
        let a = model.sample(20_000, &Sampling::default(), &mut rng("a", seed));
        let b = model.sample(20_000, &Sampling::default(), &mut rng("b", seed));
        for ((sa, se_a), (sb, se_b)) in a.stats().into_iter().zip(b.stats()) {
            let se = (se_a * se_a + se_b * se_b).sqrt();
            assert!(
                (sa - sb).abs() <= 5.0 * se + 1e-12,
                "sample statistic {sa} vs {sb} (se {se})"
            );
        }
        // …and the samples reproduce the training data's statistics (the model is
        // fitted well), within 6 standard errors (allowing for smoothing bias).
        for ((st, se_t), (ss, se_s)) in data.stats().into_iter().zip(a.stats()) {
            let se = (se_t * se_t + se_s * se_s).sqrt();
            assert!(
                (st - ss).abs() <= 6.0 * se + 0.02 * st.abs(),
                "train {st} vs samples {ss} (se {se})"
            );
        }

        // Seeded determinism: same streams, same fit, same samples.
        let again = estimator
            .fit(&train(data.clone()), &mut rng("fit", seed))
            .expect("fits");
        assert_eq!(again.log_prob(&data), model.log_prob(&data));
        let s1 = model.sample(100, &Sampling::default(), &mut rng("d", seed));
        let s2 = again.sample(100, &Sampling::default(), &mut rng("d", seed));
        assert_eq!(s1, s2);
        let s3 = model.sample(100, &Sampling::default(), &mut rng("d", seed + 10));
        assert_ne!(s1, s3, "different streams give different samples");
    }
}

macro_rules! model_contract {
    ($name:ident, $estimator:expr, $truth:expr) => {
        #[test]
        fn $name() {
            let truth = $truth;
            contract(&$estimator, &|n, rng: &mut Rng| truth.draw(n, rng));
        }
    };
}

fn gaussian_truth(d: usize) -> GaussianSource {
    let mut cov = vec![0.0; d * d];
    for i in 0..d {
        cov[i * d + i] = 1.0 + i as f64;
        if i > 0 {
            cov[i * d + i - 1] = 0.3;
            cov[(i - 1) * d + i] = 0.3;
        }
    }
    GaussianSource::new((0..d).map(|i| i as f64 - 1.0).collect(), cov)
}

model_contract!(
    gaussian_mle_1d,
    GaussianEstimator {
        estimator: VarianceEstimator::Mle,
        dim: 1
    },
    gaussian_truth(1)
);
model_contract!(
    gaussian_unbiased_3d,
    GaussianEstimator {
        estimator: VarianceEstimator::Unbiased,
        dim: 3
    },
    gaussian_truth(3)
);
model_contract!(
    mixture_2d,
    MixtureEstimator {
        components: 3,
        max_iterations: 100,
        tolerance: 1e-3,
        inits: 2,
        reg_covar: 1e-6,
        dim: 2
    },
    MixtureSource::new(2, 3, 4.0, &mut rng("source", 5))
);
model_contract!(
    kde_scott_2d,
    KdeEstimator {
        bandwidth: Bandwidth::Scott,
        dim: 2
    },
    gaussian_truth(2)
);
model_contract!(
    kde_fixed_1d,
    KdeEstimator {
        bandwidth: Bandwidth::Fixed(0.05),
        dim: 1
    },
    gaussian_truth(1)
);
model_contract!(
    categorical_mle,
    CategoricalEstimator {
        categories: 20,
        smoothing: 0.0
    },
    CategoricalSource::new(20, 1.1)
);
model_contract!(
    categorical_add_half,
    CategoricalEstimator {
        categories: 20,
        smoothing: 0.5
    },
    CategoricalSource::new(20, 0.0)
);
model_contract!(
    linear_fresh_design,
    LinearEstimator {
        dim: 4,
        design: Design::Fresh,
        noise: NoiseMode::Estimated,
        true_noise_std: 0.5,
        fixed_inputs: None
    },
    LinearSource::new(
        4,
        Some(vec![1.0, -0.5, 0.25, 2.0]),
        0.5,
        &mut rng("source", 1)
    )
);

#[test]
fn linear_fixed_design_reuses_the_original_inputs() {
    let source = LinearSource::new(3, Some(vec![1.0, 2.0, 3.0]), 1.0, &mut rng("source", 1));
    let original = source.draw(50, &mut rng("original", 1));
    let estimator = LinearEstimator {
        dim: 3,
        design: Design::Fixed,
        noise: NoiseMode::Known,
        true_noise_std: 1.0,
        fixed_inputs: Some(original.x.clone()),
    };
    let model = estimator
        .fit(&train(original.clone()), &mut rng("fit", 1))
        .unwrap();
    let synthetic = model.sample(50, &Sampling::default(), &mut rng("sample", 1));
    assert_eq!(synthetic.x, original.x);
    assert_ne!(synthetic.y, original.y);
}

#[test]
fn sampling_bias_shrinks_the_spread() {
    let truth = gaussian_truth(1);
    let data = truth.draw(2000, &mut rng("t", 3));
    let model = GaussianEstimator {
        estimator: VarianceEstimator::Mle,
        dim: 1,
    }
    .fit(&train(data), &mut rng("f", 3))
    .unwrap();
    let biased = Sampling {
        bias: 0.25,
        ..Sampling::default()
    };
    let narrow = model.sample(20_000, &biased, &mut rng("s", 3)).stats();
    let wide = model
        .sample(20_000, &Sampling::default(), &mut rng("s", 4))
        .stats();
    let ratio = narrow[1].0 / wide[1].0;
    assert!((ratio - 0.25).abs() < 0.02, "variance ratio {ratio}");
}
