//! Which closed form of [`crate::theory`] applies to an arm, metric and generation.
//!
//! A prediction is shown only where the run matches the closed form's assumptions:
//! the right source and model, no gate, no fresh data, and M synthetic records per
//! generation where M is the original size.

use crate::config::{Design, Experiment, ModelSpec, NoiseMode, SourceSpec, VarianceEstimator};
use crate::pipeline::gate::GateSpec;
use crate::pipeline::mix::RegimeKind;
use crate::pipeline::settings::Arm;
use crate::theory::{self, GaussianReplace};

/// The expected value of `metric` at `generation` (n = generation + 1 fits), or None
/// when no closed form covers this arm.
pub fn expected(
    experiment: &Experiment,
    arm: &Arm,
    metric: &str,
    generation: usize,
) -> Option<f64> {
    let settings = &experiment.settings;
    let n = generation + 1;
    let m = settings.original;
    let plain = arm.gate == GateSpec::None
        && arm.regime.fresh == 0
        && arm.sampling.temperature == 1.0
        && arm.regime.synthetic_per_generation(m) == m;
    if !plain {
        return None;
    }
    let replace = matches!(arm.regime.kind, RegimeKind::Replace);
    let accumulate = matches!(arm.regime.kind, RegimeKind::Accumulate);
    match (&experiment.source, &experiment.model) {
        (SourceSpec::Gaussian { mean, covariance }, ModelSpec::Gaussian { estimator }) => {
            let d = mean.len();
            let trace: f64 = (0..d).map(|i| covariance[i * d + i]).sum();
            let one_d = d == 1;
            let unbiased = *estimator == VarianceEstimator::Unbiased;
            if replace {
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
            } else if accumulate && !unbiased && arm.sampling.bias == 1.0 {
                match metric {
                    "variance_ratio" => Some(theory::gaussian_accumulate_variance(m as f64, n)),
                    "mean_sq_error" => {
                        Some(theory::gaussian_accumulate_mean_sq_error(m as f64, n) * trace)
                    }
                    _ => None,
                }
            } else {
                None
            }
        }
        (
            SourceSpec::Linear { dim, noise_std, .. },
            ModelSpec::Linear {
                design: Design::Fixed,
                noise: NoiseMode::Known,
            },
        ) if (replace || accumulate) && arm.sampling.bias == 1.0 && m > dim + 1 => {
            let error = theory::linear_param_error(
                noise_std * noise_std,
                *dim as f64,
                m as f64,
                n,
                accumulate,
            );
            match metric {
                "param_error" => Some(error),
                // x ~ N(0, I): E[(x·(ŵ − w*))²] = ‖ŵ − w*‖², plus the label noise.
                "test_mse" => Some(error + noise_std * noise_std),
                _ => None,
            }
        }
        _ => None,
    }
}
