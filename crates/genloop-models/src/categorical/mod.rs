//! The categorical model: maximum likelihood (smoothing = 0) or add-k smoothing; the
//! unigram special case of the n-gram model. Sampling uses temperature: p^(1/T),
//! renormalised.

use serde::{Deserialize, Serialize};

use genloop_core::data::{Symbols, TrainingSet};
use genloop_core::model::{Estimator, FitError, FittedModel, Sampling};
use genloop_core::seed::Rng;

use crate::sources::{cumulative, draw_categorical};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoricalEstimator {
    pub categories: usize,
    /// Pseudo-count added to every category (0 = MLE).
    pub smoothing: f64,
}

/// A fitted categorical distribution; serialised as its probabilities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "CategoricalParams", into = "CategoricalParams")]
pub struct Categorical {
    pub probs: Vec<f64>,
    cumulative: Vec<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CategoricalParams {
    pub probs: Vec<f64>,
}

impl From<CategoricalParams> for Categorical {
    fn from(p: CategoricalParams) -> Self {
        Categorical::new(p.probs)
    }
}

impl From<Categorical> for CategoricalParams {
    fn from(c: Categorical) -> Self {
        CategoricalParams { probs: c.probs }
    }
}

impl Categorical {
    pub fn new(probs: Vec<f64>) -> Self {
        Categorical {
            cumulative: cumulative(&probs),
            probs,
        }
    }
}

impl Estimator for CategoricalEstimator {
    type Data = Symbols;
    type Model = Categorical;
    const USES_RNG: bool = false;

    fn fit(&self, train: &TrainingSet<Symbols>, _rng: &mut Rng) -> Result<Categorical, FitError> {
        let mut counts = vec![0.0; self.categories];
        for chunk in train.chunks() {
            for &v in &chunk.values {
                counts[v as usize] += 1.0;
            }
        }
        let total: f64 = counts.iter().sum::<f64>() + self.smoothing * self.categories as f64;
        if total <= 0.0 {
            return Err(FitError::Empty);
        }
        Ok(Categorical::new(
            counts
                .iter()
                .map(|c| (c + self.smoothing) / total)
                .collect(),
        ))
    }
}

impl FittedModel for Categorical {
    type Data = Symbols;

    fn sample(&self, n: usize, sampling: &Sampling, rng: &mut Rng) -> Symbols {
        let tempered;
        let cumulative = if sampling.temperature == 1.0 {
            &self.cumulative
        } else {
            let weights: Vec<f64> = self
                .probs
                .iter()
                .map(|p| p.powf(1.0 / sampling.temperature))
                .collect();
            let total: f64 = weights.iter().sum();
            tempered = cumulative(&weights.iter().map(|w| w / total).collect::<Vec<_>>());
            &tempered
        };
        Symbols {
            categories: self.probs.len(),
            values: (0..n).map(|_| draw_categorical(cumulative, rng)).collect(),
        }
    }

    fn log_prob(&self, data: &Symbols) -> Vec<f64> {
        data.values
            .iter()
            .map(|&v| self.probs[v as usize].ln())
            .collect()
    }

    fn parameter_count(&self) -> usize {
        self.probs.len().saturating_sub(1)
    }
}

/// Entropy −Σ p ln p (nats).
pub fn entropy(probs: &[f64]) -> f64 {
    -probs
        .iter()
        .filter(|p| **p > 0.0)
        .map(|p| p * p.ln())
        .sum::<f64>()
}

/// KL(q ‖ p) = Σ q ln(q/p); infinite when p drops a category q keeps.
pub fn kl(q: &[f64], p: &[f64]) -> f64 {
    q.iter()
        .zip(p)
        .filter(|(qi, _)| **qi > 0.0)
        .map(|(qi, pi)| {
            if *pi > 0.0 {
                qi * (qi / pi).ln()
            } else {
                f64::INFINITY
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use genloop_core::provenance::{Pool, Provenance};

    #[test]
    fn mle_and_add_k() {
        let data = Symbols {
            categories: 3,
            values: vec![0, 0, 1, 0],
        };
        let train = TrainingSet::single(Provenance::new(Pool::Original, 0), data);
        let mut rng = genloop_core::seed::RootSeed(1).stream("fit", 0, 0);
        let mle = CategoricalEstimator {
            categories: 3,
            smoothing: 0.0,
        }
        .fit(&train, &mut rng)
        .unwrap();
        assert_eq!(mle.probs, vec![0.75, 0.25, 0.0]);
        let add1 = CategoricalEstimator {
            categories: 3,
            smoothing: 1.0,
        }
        .fit(&train, &mut rng)
        .unwrap();
        assert_eq!(add1.probs, vec![4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0]);
        assert!(kl(&add1.probs, &mle.probs).is_infinite());
        assert!((entropy(&[0.5, 0.5]) - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn low_temperature_concentrates_samples() {
        let model = Categorical::new(vec![0.6, 0.3, 0.1]);
        let mut rng = genloop_core::seed::RootSeed(2).stream("sample", 0, 0);
        let cold = Sampling {
            temperature: 0.2,
            ..Sampling::default()
        };
        let s = model.sample(2000, &cold, &mut rng);
        let top = s.values.iter().filter(|v| **v == 0).count() as f64 / 2000.0;
        // p^(1/0.2) renormalised gives the top category ≈ 0.97.
        assert!(top > 0.93, "{top}");
    }
}
