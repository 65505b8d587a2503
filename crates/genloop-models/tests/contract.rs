//! The model contract (`genloop_core::contract`, written once and run on every model,
//! STYLE.md 14) on the numeric models: finite and per-record log-probabilities, samples
//! that match the fit within statistical tolerance, refits on own samples, seeded
//! determinism. (Each model's config table is checked in `genloop-config`.)

use genloop_core::contract::{check_model, rng, train, Moments};
use genloop_core::model::{Estimator, FittedModel, Sampling, Source};
use genloop_core::seed::Rng;
use genloop_models::categorical::CategoricalEstimator;
use genloop_models::gaussian::{GaussianEstimator, VarianceEstimator};
use genloop_models::kde::{Bandwidth, KdeEstimator};
use genloop_models::linear::{Design, LinearEstimator, NoiseMode};
use genloop_models::mixture::MixtureEstimator;
use genloop_models::sources::{CategoricalSource, GaussianSource, LinearSource, MixtureSource};

macro_rules! model_contract {
    ($name:ident, $estimator:expr, $truth:expr) => {
        #[test]
        fn $name() {
            let truth = $truth;
            check_model(&$estimator, &|n, rng: &mut Rng| truth.draw(n, rng));
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
