//! Which closed form of `genloop_core::theory` applies to an arm, metric and
//! generation of a checked experiment (the formulas themselves stay in core).
//!
//! A prediction is shown only where the run matches the closed form's assumptions:
//! the right source and model, no gate, no fresh data, and M synthetic records per
//! generation where M is the original size.

use genloop_core::pipeline::gate::GateSpec;
use genloop_core::pipeline::mix::RegimeKind;
use genloop_core::pipeline::Arm;
use genloop_core::theory::{self, GaussianReplace};
use genloop_models::gaussian::VarianceEstimator;
use genloop_models::linear::{Design, NoiseMode};

use crate::{Experiment, ModelSpec, SourceSpec};

/// The expected value of `metric` at `generation` (n = generation + 1 fits), or None
/// when no closed form covers this arm.
pub fn expected(
    experiment: &Experiment,
    arm: &Arm,
    metric: &str,
    generation: usize,
) -> Option<f64> {
    let m = experiment.settings.original;
    let plain = arm.gate == GateSpec::None
        && arm.regime.fresh == 0
        && arm.sampling.temperature == 1.0
        && arm.regime.synthetic_per_generation(m) == m;
    if !plain {
        return None;
    }
    let n = generation + 1;
    match (&experiment.source, &experiment.model) {
        (SourceSpec::Gaussian { mean, covariance }, ModelSpec::Gaussian { estimator }) => {
            gaussian(arm, metric, m, n, mean.len(), covariance, *estimator)
        }
        (
            SourceSpec::Linear { dim, noise_std, .. },
            ModelSpec::Linear {
                design: Design::Fixed,
                noise: NoiseMode::Known,
            },
        ) => linear(arm, metric, m, n, *dim, *noise_std),
        _ => None,
    }
}

/// The Gaussian fitted to its own samples: replace (any d, bias λ) or accumulate
/// (MLE, λ = 1).
fn gaussian(
    arm: &Arm,
    metric: &str,
    m: usize,
    n: usize,
    d: usize,
    covariance: &[f64],
    estimator: VarianceEstimator,
) -> Option<f64> {
    let trace: f64 = (0..d).map(|i| covariance[i * d + i]).sum();
    let one_d = d == 1;
    let unbiased = estimator == VarianceEstimator::Unbiased;
    match arm.regime.kind {
        RegimeKind::Replace => {
            let law = GaussianReplace {
                m: m as f64,
                unbiased,
                bias: arm.sampling.bias,
            };
            let n = n as f64;
            match metric {
                "variance_ratio" => Some(law.variance_ratio(n)),
                "mean_sq_error" => Some(law.mean_sq_error(n) * trace),
                "log_variance_ratio" if one_d => Some(law.log_variance(n)),
                "w2_squared" if one_d => Some(law.w2_squared(n) * trace),
                _ => None,
            }
        }
        RegimeKind::Accumulate if !unbiased && arm.sampling.bias == 1.0 => match metric {
            "variance_ratio" => Some(theory::gaussian_accumulate_variance(m as f64, n)),
            "mean_sq_error" => Some(theory::gaussian_accumulate_mean_sq_error(m as f64, n) * trace),
            _ => None,
        },
        _ => None,
    }
}

/// OLS on a fixed design with known noise, replace or accumulate.
fn linear(arm: &Arm, metric: &str, m: usize, n: usize, dim: usize, noise_std: f64) -> Option<f64> {
    let accumulate = matches!(arm.regime.kind, RegimeKind::Accumulate);
    let replace = matches!(arm.regime.kind, RegimeKind::Replace);
    if !((replace || accumulate) && arm.sampling.bias == 1.0 && m > dim + 1) {
        return None;
    }
    let error =
        theory::linear_param_error(noise_std * noise_std, dim as f64, m as f64, n, accumulate);
    match metric {
        "param_error" => Some(error),
        // x ~ N(0, I): E[(x·(ŵ − w*))²] = ‖ŵ − w*‖², plus the label noise.
        "test_mse" => Some(error + noise_std * noise_std),
        _ => None,
    }
}
