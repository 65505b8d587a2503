//! The verifier of Feng et al. (2024) for numeric models: drop records whose
//! log-density under the reference model (fitted on the trusted original data) is
//! too low. Works for any task, since every model gives log-probabilities.

use serde::{Deserialize, Serialize};

use super::filter::{DropReason, Filter, FilterContext, FilterOutcome};
use super::view::CandidateView;
use crate::data::Dataset;
use crate::model::FittedModel;
use crate::task::Task;

/// `kind = "verifier"`: a fixed log-density `threshold`, or the `quantile` of the
/// reference's log-densities on held-out human records (at most `calibration` of
/// them), not both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierConfig {
    pub threshold: Option<f64>,
    pub quantile: Option<f64>,
    #[serde(default = "default_calibration")]
    pub calibration: usize,
}

fn default_calibration() -> usize {
    500
}

impl VerifierConfig {
    /// Check the parameters (the config does, when it reads the table).
    pub fn check(&self) -> Result<(), String> {
        let problem = |message: &str| Err(message.to_string());
        match (self.threshold, self.quantile) {
            (Some(_), Some(_)) => problem("give `threshold` or `quantile`, not both"),
            (None, None) => {
                problem("needs `threshold` (a log-density) or `quantile` (e.g. quantile = 0.01)")
            }
            (Some(t), None) if !t.is_finite() => {
                problem("`threshold` must be a finite log-density")
            }
            (None, Some(q)) if !(q > 0.0 && q < 1.0) => {
                problem("`quantile` must lie in (0, 1), e.g. 0.01")
            }
            _ if self.calibration == 0 => problem("`calibration` must be at least 1"),
            _ => Ok(()),
        }
    }
}

/// The verifier filter; its threshold is fixed once per replicate.
pub struct Verifier {
    config: VerifierConfig,
    threshold: Option<f64>,
}

impl Verifier {
    pub fn new(config: VerifierConfig) -> Self {
        Verifier {
            threshold: config.threshold,
            config,
        }
    }
}

/// The `q`-quantile of `values` (lower interpolation: an observed value).
pub fn lower_quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NEG_INFINITY;
    }
    values.sort_by(f64::total_cmp);
    let index = ((q * values.len() as f64).floor() as usize).min(values.len() - 1);
    values[index]
}

impl<T: Task> Filter<T> for Verifier {
    fn kind(&self) -> &'static str {
        "verifier"
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, T::Data>,
    ) -> FilterOutcome {
        let threshold = *self.threshold.get_or_insert_with(|| {
            let n = context.calibration.len().min(self.config.calibration);
            let human = context.calibration.select(&(0..n).collect::<Vec<_>>());
            let mut values = context.reference.log_prob(&human);
            lower_quantile(&mut values, self.config.quantile.unwrap_or(0.0))
        });
        let mut cache: Vec<(usize, Vec<f64>)> = Vec::new();
        let mut drops = Vec::with_capacity(view.len());
        for i in 0..view.len() {
            let part = view.records[i].part as usize;
            if !cache.iter().any(|(p, _)| *p == part) {
                let (data, _) = view.data(i);
                cache.push((part, context.reference.log_prob(data)));
            }
            let (_, values) = cache.iter().find(|(p, _)| *p == part).expect("cached");
            let value = values[view.records[i].index as usize];
            drops.push((value < threshold).then(|| {
                DropReason::new(
                    "verifier.low_density",
                    format!("log-density {value:.3} < {threshold:.3} under the reference model"),
                )
            }));
        }
        FilterOutcome {
            drops,
            scores: None,
        }
    }
}
