//! The model contract suite (feature `contract`): the checks every model passes,
//! written once and run by each model crate's tests (`genloop-models/tests/contract.rs`
//! for the numeric models, `genloop-text/tests/contract.rs` for the n-gram model), so
//! a new model family reuses them instead of copying them.
//!
//! [`Contract::check`] fits an [`Estimator`] on data drawn from a ground truth and
//! asserts, for two seeds:
//! - a fitted model has parameters, `sample(n)` draws n units (records, or tokens
//!   for documents), and it scores records with finite log-probabilities, its own
//!   samples and the truth's alike;
//! - `log_prob` is per record: scoring a selection gives the same values as selecting
//!   from the scores of the whole batch;
//! - two large samples of the model agree with each other (5 standard errors), and
//!   with the training data (6 standard errors plus 2 %, for smoothing bias);
//! - refitted on its own samples, the model recovers what it was fitted on (6
//!   standard errors of the three draws involved plus 4 %, two smoothing biases);
//! - fitting and sampling are reproducible from the seed streams, and different
//!   streams give different samples.
//!
//! What "agree" compares is [`Moments::stats`]: statistics with their standard errors,
//! implemented here for every [`Dataset`] of genloop. [`king_james`] finds the real
//! corpus for the tests that need one.
//!
//! ```
//! use genloop_core::contract::{rng, Moments};
//! use genloop_core::data::Symbols;
//!
//! let symbols = Symbols { categories: 2, values: vec![0, 1, 1, 1] };
//! let stats = symbols.stats();
//! assert_eq!(stats[1].0, 0.75);
//! let _stream = rng("truth", 1);
//! ```

use std::fmt::Debug;
use std::path::PathBuf;

use crate::data::{Dataset, Documents, Labeled, Symbols, TrainingSet, Vectors};
use crate::model::{Estimator, FittedModel, Sampling};
use crate::provenance::{Pool, Provenance};
use crate::seed::{Rng, RootSeed};

/// Summary statistics a model's samples must reproduce, with their standard errors.
pub trait Moments: Dataset {
    /// (statistic, standard error of the statistic) pairs, in a fixed order.
    fn stats(&self) -> Vec<(f64, f64)>;
}

/// The mean, the (MLE) variance and the standard error of the mean of `values`.
fn mean_and_error(values: &[f64]) -> (f64, f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var, (var / n).sqrt())
}

impl Moments for Vectors {
    /// Per coordinate: the mean and the variance.
    fn stats(&self) -> Vec<(f64, f64)> {
        let n = self.len() as f64;
        (0..self.dim)
            .flat_map(|i| {
                let xs: Vec<f64> = self.rows().map(|r| r[i]).collect();
                let (mean, var, mean_error) = mean_and_error(&xs);
                let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
                [(mean, mean_error), (var, ((m4 - var * var) / n).sqrt())]
            })
            .collect()
    }
}

impl Moments for Symbols {
    /// The frequency of each category.
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
    /// The mean label and the mean of x₀·y (a covariance the weights determine).
    fn stats(&self) -> Vec<(f64, f64)> {
        let (y_mean, _, y_error) = mean_and_error(&self.y);
        let xy: Vec<f64> = (0..self.len())
            .map(|i| self.row(i)[0] * self.y[i])
            .collect();
        let (xy_mean, _, xy_error) = mean_and_error(&xy);
        vec![(y_mean, y_error), (xy_mean, xy_error)]
    }
}

impl Moments for Documents {
    /// The mean document length, then the mean number of occurrences of each token id
    /// per document (ids up to the largest seen). Documents are the independent units,
    /// so the standard errors hold whatever the dependence between tokens.
    fn stats(&self) -> Vec<(f64, f64)> {
        let n = self.len() as f64;
        let lengths: Vec<f64> = self.iter().map(|doc| doc.len() as f64).collect();
        let (length, _, length_error) = mean_and_error(&lengths);
        let ids = self.tokens.iter().max().map_or(0, |&max| max as usize + 1);
        let mut stats = vec![(length, length_error.max(1.0 / n))];
        let mut counts = vec![0.0; self.len()];
        for id in 0..ids {
            for (count, doc) in counts.iter_mut().zip(self.iter()) {
                *count = doc.iter().filter(|&&t| t as usize == id).count() as f64;
            }
            let (mean, _, error) = mean_and_error(&counts);
            stats.push((mean, error.max(1.0 / n)));
        }
        stats
    }
}

/// `data` as a training set of original records.
pub fn train<D: Dataset>(data: D) -> TrainingSet<D> {
    TrainingSet::single(Provenance::new(Pool::Original, 0), data)
}

/// The stream `name` of root seed `seed` (replicate 0, generation 0).
pub fn rng(name: &str, seed: u64) -> Rng {
    RootSeed(seed).stream(name, 0, 0)
}

/// The sizes of one contract run, in units of the data (records, or tokens for
/// documents), as `Source::draw` and `FittedModel::sample` count them.
#[derive(Clone, Copy, Debug)]
pub struct Contract {
    /// Units drawn from the truth to fit on (and refit on, from the model).
    pub records: usize,
    /// Units of each large sample whose statistics are compared.
    pub draws: usize,
    /// Root seeds; the whole contract runs once per seed.
    pub seeds: [u64; 2],
}

impl Default for Contract {
    fn default() -> Self {
        Contract {
            records: 4000,
            draws: 20_000,
            seeds: [1, 2],
        }
    }
}

impl Contract {
    /// Runs the contract (module docs) on `estimator`; `truth(n, rng)` draws `n`
    /// units of the ground truth. Panics, naming the check, on the first failure.
    pub fn check<E>(&self, estimator: &E, truth: &dyn Fn(usize, &mut Rng) -> E::Data)
    where
        E: Estimator,
        E::Data: Moments + PartialEq + Debug,
    {
        for seed in self.seeds {
            let data = truth(self.records, &mut rng("truth", seed));
            let model = estimator
                .fit(&train(data.clone()), &mut rng("fit", seed))
                .expect("fits");
            assert!(model.parameter_count() > 0, "a fitted model has parameters");
            let own = model.sample(self.records, &Sampling::default(), &mut rng("sample", seed));
            check_size(&own, self.records);
            check_finite(&model, &own, &data);
            check_per_record(&model, &data);
            let a = model.sample(self.draws, &Sampling::default(), &mut rng("a", seed));
            let b = model.sample(self.draws, &Sampling::default(), &mut rng("b", seed));
            check_agree(&a, &b, "sample statistic", 5.0, 0.0);
            check_agree(&data, &a, "train vs samples", 6.0, 0.02);
            self.check_refit(estimator, &own, &data, seed);
            check_reproducible(estimator, &model, &data, seed);
        }
    }

    /// Refitted on its own samples `own`, the model's samples still match `data`.
    fn check_refit<E>(&self, estimator: &E, own: &E::Data, data: &E::Data, seed: u64)
    where
        E: Estimator,
        E::Data: Moments,
    {
        let refit = estimator
            .fit(&train(own.clone()), &mut rng("refit", seed))
            .expect("refits on its own samples");
        let c = refit.sample(self.draws, &Sampling::default(), &mut rng("c", seed));
        let stats = data.stats().into_iter().zip(own.stats()).zip(c.stats());
        for (((st, se_t), (_, se_o)), (sc, se_c)) in stats {
            let se = (se_t * se_t + se_o * se_o + se_c * se_c).sqrt();
            assert!(
                (st - sc).abs() <= 6.0 * se + 0.04 * st.abs(),
                "refit on own samples: train {st} vs refit samples {sc} (se {se})"
            );
        }
    }
}

/// [`Contract::check`] with the default sizes.
pub fn check_model<E>(estimator: &E, truth: &dyn Fn(usize, &mut Rng) -> E::Data)
where
    E: Estimator,
    E::Data: Moments + PartialEq + Debug,
{
    Contract::default().check(estimator, truth);
}

/// `sample(n)` draws records until they hold `n` units (records, or tokens for
/// documents), and stops there: without its last record the sample holds fewer.
fn check_size<D: Dataset>(sample: &D, n: usize) {
    let units = sample.units();
    let last = sample
        .len()
        .checked_sub(1)
        .map_or(0, |i| sample.units_of(i));
    assert!(
        units >= n && units - last < n,
        "sample({n}) holds {units} units in {} records, the last of {last}",
        sample.len()
    );
}

/// Finite log-probabilities on the model's own samples and on truth data.
fn check_finite<M: FittedModel>(model: &M, own: &M::Data, data: &M::Data) {
    let scores = model.log_prob(own);
    assert_eq!(scores.len(), own.len(), "one log-probability per record");
    for lp in scores.into_iter().chain(model.log_prob(data)) {
        assert!(lp.is_finite(), "log-probability {lp}");
    }
}

/// Scoring every third record alone gives what scoring the whole batch gave them.
fn check_per_record<M: FittedModel>(model: &M, data: &M::Data) {
    let all = model.log_prob(data);
    let indices: Vec<usize> = (0..data.len()).step_by(3).collect();
    let picked: Vec<f64> = indices.iter().map(|&i| all[i]).collect();
    assert_eq!(
        model.log_prob(&data.select(&indices)),
        picked,
        "log_prob of a record does not depend on the batch"
    );
}

/// The statistics of `a` and `b` differ by at most `sigmas` standard errors plus
/// `relative` of the first.
fn check_agree<D: Moments>(a: &D, b: &D, what: &str, sigmas: f64, relative: f64) {
    for ((sa, se_a), (sb, se_b)) in a.stats().into_iter().zip(b.stats()) {
        let se = (se_a * se_a + se_b * se_b).sqrt();
        assert!(
            (sa - sb).abs() <= sigmas * se + 1e-12 + relative * sa.abs(),
            "{what}: {sa} vs {sb} (se {se})"
        );
    }
}

/// Same streams, same fit and same samples; other streams, other samples.
fn check_reproducible<E>(estimator: &E, model: &E::Model, data: &E::Data, seed: u64)
where
    E: Estimator,
    E::Data: PartialEq + Debug,
{
    let again = estimator
        .fit(&train(data.clone()), &mut rng("fit", seed))
        .expect("fits");
    assert_eq!(again.log_prob(data), model.log_prob(data));
    let s1 = model.sample(100, &Sampling::default(), &mut rng("d", seed));
    let s2 = again.sample(100, &Sampling::default(), &mut rng("d", seed));
    assert_eq!(s1, s2);
    let s3 = model.sample(100, &Sampling::default(), &mut rng("d", seed + 10));
    assert_ne!(s1, s3, "different streams give different samples");
}

/// The King James text for the tests that need a real corpus: the file `GENLOOP_KJV`
/// names (written by `scripts/fetch-kjv.sh`). Without it the test is skipped with a
/// notice, except under `CI=true`, where a test that would test nothing fails.
pub fn king_james() -> Option<PathBuf> {
    let path = std::env::var_os("GENLOOP_KJV").map(PathBuf::from);
    let missing = match &path {
        Some(path) if path.is_file() => return Some(path.clone()),
        Some(path) => format!("GENLOOP_KJV names {}, which is not a file", path.display()),
        None => "GENLOOP_KJV is not set".to_owned(),
    };
    missing_data(&format!(
        "{missing}; set it to the King James text (bash scripts/fetch-kjv.sh data/kjv.txt)"
    ));
    None
}

/// Says that a test (or part of one) is skipped for want of a data file, described by
/// `notice`; under `CI=true` panics instead, so that CI never passes a test that
/// tested nothing.
pub fn missing_data(notice: &str) {
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("CI=true and a test's data are missing: {notice}");
    }
    eprintln!("skipped: {notice}");
}
