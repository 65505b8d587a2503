//! Aggregates across replicates: mean, median, mean of log, the 95 % interval of the
//! mean (Student t, or a seeded percentile bootstrap on request) and the exact 95 %
//! percentile-bootstrap interval of the median (from order statistics, no resampling).
//!
//! Under `replace` fitted variances are roughly log-normal across seeds (docs/architecture.md,
//! "Heavy tails"), so the median and the mean of the log are reported beside the
//! mean.
//!
//! Both default intervals depend on the data only through the sorted values, the mean
//! and the standard error; their constants (t_{0.975, n−1}, the median's ranks) depend
//! only on n and are computed once per n ([`Aggregator`]), so a run of 1000
//! generations × 6 metrics costs a sort per cell, not 1000 resamples.

mod intervals;
mod student_t;

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

use crate::seed::Rng;

pub use intervals::{
    bootstrap_mean_ci, bootstrap_median_ci, median_ci_indices, quantile, t_interval,
};
pub use student_t::{incomplete_beta, two_sided_critical};

/// Summary of one metric at one generation across replicates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Replicates with a finite value.
    pub n: usize,
    pub mean: f64,
    pub median: f64,
    /// Mean of ln(value); None unless the metric is positive and every value is > 0.
    pub mean_log: Option<f64>,
    /// Standard error of the mean, s/√n.
    pub std_error: f64,
    /// 95 % interval of the mean: mean ± t_{0.975, n−1}·s/√n ([`t_interval`]), or
    /// the percentile bootstrap when the aggregator resamples.
    pub ci95: [f64; 2],
    /// 95 % percentile-bootstrap interval of the median, computed exactly
    /// ([`bootstrap_median_ci`]).
    pub median_ci95: [f64; 2],
}

/// What one filter did to records of one channel and true origin, summed over
/// generations ≥ 1 and averaged over the stored replicates: the store's
/// `curation_totals`, read by the summary, `--json` and the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurationTotal {
    /// Position of the filter in the chain.
    pub filter: u32,
    pub kind: String,
    /// `kept`, or the stable name of the rule that dropped the records.
    pub outcome: String,
    /// The channel the records arrived through.
    pub pool: String,
    /// Their true pool.
    pub origin: String,
    pub records: f64,
    /// Records for numeric data, tokens for text.
    pub units: f64,
}

/// Default number of bootstrap resamples of the mean: none, the t interval.
pub const DEFAULT_RESAMPLES: usize = 0;

/// Summarises cells of values across replicates, remembering the constants of each
/// replicate count. Shared by threads.
pub struct Aggregator {
    resamples: usize,
    constants: Mutex<HashMap<usize, Constants>>,
}

/// What the intervals of n values need, computed once per n.
#[derive(Clone, Copy, Debug)]
struct Constants {
    /// t_{0.975, n−1}.
    t_critical: f64,
    /// 0-based indices of the median interval's ends in the sorted values.
    median_indices: [usize; 2],
}

impl Aggregator {
    /// `resamples` = 0: the t interval of the mean; otherwise a percentile bootstrap
    /// with that many resamples.
    pub fn new(resamples: usize) -> Self {
        Aggregator {
            resamples,
            constants: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the interval of the mean resamples (and so needs a random stream).
    pub fn resamples(&self) -> usize {
        self.resamples
    }

    fn constants(&self, n: usize) -> Constants {
        let mut cache = self.constants.lock().unwrap_or_else(|e| e.into_inner());
        *cache.entry(n).or_insert_with(|| Constants {
            t_critical: if n > 1 {
                two_sided_critical(0.05, (n - 1) as f64)
            } else {
                f64::NAN
            },
            median_indices: median_ci_indices(n),
        })
    }

    /// Summarise `values`. NaN (not measured) is left out and not counted; infinities
    /// are real outcomes (a categorical model that lost a category has infinite KL to
    /// the truth) and carry into the mean, its interval and the median. `rng` is called
    /// only when the aggregator resamples.
    pub fn summarize(&self, values: &[f64], positive: bool, rng: impl FnOnce() -> Rng) -> Summary {
        let mut finite: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        let n = finite.len();
        if n == 0 {
            return Summary {
                n,
                mean: f64::NAN,
                median: f64::NAN,
                mean_log: None,
                std_error: f64::NAN,
                ci95: [f64::NAN, f64::NAN],
                median_ci95: [f64::NAN, f64::NAN],
            };
        }
        let mean = finite.iter().sum::<f64>() / n as f64;
        let var = if n > 1 && mean.is_finite() {
            finite.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else if n > 1 {
            f64::NAN
        } else {
            0.0
        };
        let std_error = (var / n as f64).sqrt();
        let mean_log = (positive && finite.iter().all(|v| *v > 0.0))
            .then(|| finite.iter().map(|v| v.ln()).sum::<f64>() / n as f64);
        let constants = self.constants(n);
        let ci95 = if self.resamples > 0 {
            bootstrap_mean_ci(&finite, self.resamples, &mut rng())
        } else {
            t_interval(mean, std_error, n, constants.t_critical)
        };
        // Only four order statistics are needed: select them instead of sorting.
        let [lo, hi] = constants.median_indices;
        let middle = [(n - 1) / 2, n / 2];
        let mut at = [lo, middle[0], middle[1], hi];
        at.sort_unstable();
        let mut picked = [0.0; 4];
        select_order_statistics(&mut finite, &at, &mut picked);
        let value = |index: usize| picked[at.iter().position(|&i| i == index).unwrap_or(0)];
        Summary {
            n,
            mean,
            median: if n % 2 == 1 {
                value(middle[0])
            } else {
                0.5 * (value(middle[0]) + value(middle[1]))
            },
            mean_log,
            std_error,
            ci95,
            median_ci95: [value(lo), value(hi)],
        }
    }
}

/// The values that would stand at the sorted positions `at` (ascending) of `values`,
/// into `out`, by repeated selection (O(n) per distinct position, not a sort);
/// `values` is reordered.
fn select_order_statistics(values: &mut [f64], at: &[usize], out: &mut [f64]) {
    let Some(&first) = at.first() else {
        return;
    };
    let (_, pivot, right) = values.select_nth_unstable_by(first, f64::total_cmp);
    out[0] = *pivot;
    // Later positions lie to the right of `first`.
    let offset = first + 1;
    let mut rest = 1;
    while rest < at.len() && at[rest] == first {
        out[rest] = out[0];
        rest += 1;
    }
    let shifted: Vec<usize> = at[rest..].iter().map(|&i| i - offset).collect();
    select_order_statistics(right, &shifted, &mut out[rest..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::RootSeed;

    #[test]
    fn summary_of_known_values() {
        let aggregator = Aggregator::new(0);
        let s = aggregator.summarize(&[1.0, 2.0, 3.0, 4.0, f64::NAN], true, || {
            unreachable!("the t interval draws nothing")
        });
        assert_eq!(s.n, 4);
        assert_eq!(s.mean, 2.5);
        assert_eq!(s.median, 2.5);
        let expected_log = (24f64).ln() / 4.0;
        assert!((s.mean_log.unwrap() - expected_log).abs() < 1e-12);
        // s² = 5/3, se = √(5/12), t_{0.975, 3} = 3.182446305284263.
        let half = 3.182_446_305_284_263 * (5.0f64 / 12.0).sqrt();
        assert!((s.ci95[0] - (2.5 - half)).abs() < 1e-9, "{:?}", s.ci95);
        assert!((s.ci95[1] - (2.5 + half)).abs() < 1e-9, "{:?}", s.ci95);
        assert_eq!(s.median_ci95, bootstrap_median_ci(&[1.0, 2.0, 3.0, 4.0]));
        let negative = aggregator.summarize(&[-1.0, 2.0], true, || unreachable!());
        assert_eq!(negative.mean_log, None);
        let one = aggregator.summarize(&[7.0], false, || unreachable!());
        assert_eq!((one.ci95, one.median_ci95), ([7.0, 7.0], [7.0, 7.0]));
        let infinite = aggregator.summarize(&[1.0, f64::INFINITY, 2.0], true, || unreachable!());
        assert_eq!(infinite.ci95, [f64::INFINITY, f64::INFINITY]);
        assert!(aggregator
            .summarize(&[f64::NAN], true, || unreachable!())
            .mean
            .is_nan());
    }

    #[test]
    fn selected_order_statistics_equal_the_sorted_values() {
        let aggregator = Aggregator::new(0);
        let mut x = 12_345u64;
        for n in [1usize, 2, 3, 4, 5, 10, 51, 200, 1001] {
            let values: Vec<f64> = (0..n)
                .map(|i| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    // Ties and infinities too.
                    match i % 17 {
                        3 => 0.5,
                        11 if n > 20 => f64::INFINITY,
                        _ => (x >> 11) as f64 / (1u64 << 53) as f64,
                    }
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let s = aggregator.summarize(&values, false, || unreachable!());
            let median = if n % 2 == 1 {
                sorted[n / 2]
            } else {
                0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
            };
            assert_eq!(s.median.to_bits(), median.to_bits(), "n = {n}");
            assert_eq!(s.median_ci95, bootstrap_median_ci(&sorted), "n = {n}");
        }
    }

    #[test]
    fn the_bootstrap_of_the_mean_on_request() {
        let aggregator = Aggregator::new(500);
        assert_eq!(aggregator.resamples(), 500);
        let s = aggregator.summarize(&[1.0, 2.0, 3.0, 4.0], true, || {
            RootSeed(3).global("bootstrap")
        });
        assert!(s.ci95[0] < 2.5 && s.ci95[1] > 2.5);
        assert!(s.ci95[0] >= 1.0 && s.ci95[1] <= 4.0);
    }
}
