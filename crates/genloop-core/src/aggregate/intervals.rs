//! The intervals of [`super::Aggregator`]: Student t for the mean, the exact
//! percentile bootstrap of the median from order statistics, and the resampled
//! percentile bootstrap of the mean for runs that ask for it.

use rand::Rng as _;

use crate::seed::Rng;

/// 95 % t interval of the mean: mean ± t_{0.975, n−1}·s/√n (Student 1908; exact for
/// normal values, and by the central limit theorem close to 95 % for any finite
/// variance once n is large; heavy tails need more replicates for the same coverage).
/// With one value, or an infinite mean, the interval is the mean itself.
pub fn t_interval(mean: f64, std_error: f64, n: usize, t_critical: f64) -> [f64; 2] {
    if n < 2 || !mean.is_finite() {
        return [mean, mean];
    }
    let half = t_critical * std_error;
    [mean - half, mean + half]
}

/// Percentile bootstrap interval (95 %) of the median of sorted `values`, computed
/// exactly instead of by resampling (Efron 1982, §10.3; Maritz & Jarrett 1978): the
/// r-th order statistic of a resample is ≤ x₍ₖ₎ exactly when at least r of the n draws
/// are ≤ x₍ₖ₎, so P(Y₍ᵣ₎ ≤ x₍ₖ₎) = P(Binomial(n, k/n) ≥ r). For odd n the median is
/// Y₍₍ₙ₊₁₎/₂₎; for even n it is the mean of Y₍ₙ/₂₎ and Y₍ₙ/₂₊₁₎, and the interval runs from
/// the 2.5 % point of the lower one to the 97.5 % point of the upper one (slightly
/// conservative). No random numbers; the ranks depend only on n ([`median_ci_indices`]), so
/// a run computes them once per replicate count and each cell costs its sort.
pub fn bootstrap_median_ci(sorted: &[f64]) -> [f64; 2] {
    let [lo, hi] = median_ci_indices(sorted.len());
    match (sorted.get(lo), sorted.get(hi)) {
        (Some(a), Some(b)) => [*a, *b],
        _ => [f64::NAN, f64::NAN],
    }
}

/// The 0-based indices in n sorted values of the ends of [`bootstrap_median_ci`]
/// (both 0 for n < 2). O(n log n) in n alone.
pub fn median_ci_indices(n: usize) -> [usize; 2] {
    if n < 2 {
        return [0, 0];
    }
    let ln_factorial: Vec<f64> = std::iter::once(0.0)
        .chain((1..=n).scan(0.0, |acc, i| {
            *acc += (i as f64).ln();
            Some(*acc)
        }))
        .collect();
    // P(Binomial(n, k/n) ≥ r), summed in log space term by term.
    let tail = |k: usize, r: usize| -> f64 {
        if k >= n {
            return 1.0;
        }
        let p = k as f64 / n as f64;
        let (ln_p, ln_q) = (p.ln(), (1.0 - p).ln());
        (r..=n)
            .map(|j| {
                let ln_choose = ln_factorial[n] - ln_factorial[j] - ln_factorial[n - j];
                (ln_choose + j as f64 * ln_p + (n - j) as f64 * ln_q).exp()
            })
            .sum::<f64>()
            .min(1.0)
    };
    // The smallest k with P(Y₍ᵣ₎ ≤ x₍ₖ₎) ≥ level; the tail grows with k.
    let point = |r: usize, level: f64| -> usize {
        let (mut lo, mut hi) = (1, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if tail(mid, r) >= level {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo - 1
    };
    let (lower_rank, upper_rank) = if n % 2 == 1 {
        (n.div_ceil(2), n.div_ceil(2))
    } else {
        (n / 2, n / 2 + 1)
    };
    [point(lower_rank, 0.025), point(upper_rank, 0.975)]
}

/// Percentile bootstrap of the mean (Efron & Tibshirani 1993, §13.3). No resamples
/// give no interval (NaN): 0 resamples once returned the first value twice, an
/// "interval" that need not contain the mean (issue 12); the aggregator uses the t
/// interval then.
pub fn bootstrap_mean_ci(values: &[f64], resamples: usize, rng: &mut Rng) -> [f64; 2] {
    let n = values.len();
    if resamples == 0 {
        return [f64::NAN, f64::NAN];
    }
    if n < 2 {
        let v = values.first().copied().unwrap_or(f64::NAN);
        return [v, v];
    }
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            let mut sum = 0.0;
            for _ in 0..n {
                sum += values[rng.random_range(0..n)];
            }
            sum / n as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    [quantile(&means, 0.025), quantile(&means, 0.975)]
}

/// Linear-interpolated quantile of sorted values (type 7, as numpy's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (a, b) = (sorted[lo], sorted[hi]);
    let t = pos - lo as f64;
    if a == b || t == 0.0 {
        a
    } else if a.is_infinite() || b.is_infinite() {
        // No interpolation towards an infinity: take the nearer value.
        if t < 0.5 {
            a
        } else {
            b
        }
    } else {
        a + (b - a) * t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_resamples_is_no_interval_not_the_first_value() {
        let values = [1.0, 2.0, 3.0, 10.0];
        let ci = bootstrap_mean_ci(&values, 0, &mut crate::seed::RootSeed(1).stream("b", 0, 0));
        assert!(ci.iter().all(|v| v.is_nan()), "{ci:?}");
    }
    use crate::aggregate::two_sided_critical;
    use crate::seed::RootSeed;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn exact_median_interval_matches_resampling() {
        // The exact percentile points against 20 000 resamples, for odd and even n: the
        // simulated points land on the same order statistic or a neighbour.
        let seed = RootSeed(5);
        for n in [51usize, 50] {
            let mut rng = seed.stream("data", n as u64, 0);
            let mut values: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
            values.sort_by(f64::total_cmp);
            let exact = bootstrap_median_ci(&values);
            let mut boot = seed.stream("boot", n as u64, 0);
            let mut medians: Vec<f64> = (0..20_000)
                .map(|_| {
                    let mut resample: Vec<f64> =
                        (0..n).map(|_| values[boot.random_range(0..n)]).collect();
                    resample.sort_by(f64::total_cmp);
                    if n % 2 == 1 {
                        resample[n / 2]
                    } else {
                        0.5 * (resample[n / 2 - 1] + resample[n / 2])
                    }
                })
                .collect();
            medians.sort_by(f64::total_cmp);
            let rank = |v: f64| values.partition_point(|x| *x < v) as i64;
            for (bound, q) in [(exact[0], 0.025), (exact[1], 0.975)] {
                let simulated = quantile(&medians, q);
                assert!(
                    (rank(bound) - rank(simulated)).abs() <= 1,
                    "n = {n}, q = {q}: exact {bound}, simulated {simulated}"
                );
            }
            let median = if n % 2 == 1 {
                values[n / 2]
            } else {
                0.5 * (values[n / 2 - 1] + values[n / 2])
            };
            assert!(exact[0] < median && median < exact[1]);
        }
        assert_eq!(bootstrap_median_ci(&[2.0]), [2.0, 2.0]);
        assert_eq!(bootstrap_median_ci(&[1.0, 1.0, 1.0]), [1.0, 1.0]);
        assert!(bootstrap_median_ci(&[]).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn t_interval_covers_the_mean_at_the_stated_rate() {
        // Normal values, where the t interval is exact: over 20 000 seeded samples per
        // n, the share of intervals that cover the true mean is 0.95 within 4 standard
        // errors of a proportion, √(0.95·0.05/20 000) = 0.0015, so ±0.0062.
        let seed = RootSeed(17);
        let trials = 20_000u64;
        for n in [2usize, 5, 30, 200] {
            let t = two_sided_critical(0.05, (n - 1) as f64);
            let mut covered = 0;
            for trial in 0..trials {
                let mut rng = seed.stream("t-coverage", trial, n as u64);
                let values: Vec<f64> = (0..n)
                    .map(|_| {
                        let z: f64 = StandardNormal.sample(&mut rng);
                        3.0 + 2.0 * z
                    })
                    .collect();
                let mean = values.iter().sum::<f64>() / n as f64;
                let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
                let [lo, hi] = t_interval(mean, (var / n as f64).sqrt(), n, t);
                if lo <= 3.0 && 3.0 <= hi {
                    covered += 1;
                }
            }
            let share = covered as f64 / trials as f64;
            assert!((share - 0.95).abs() < 0.0062, "n = {n}: coverage {share}");
        }
    }

    #[test]
    fn bootstrap_interval_covers_about_95_percent() {
        // Normal data, n = 50: the interval should cover the true mean ~95 % of the
        // time (a little less: the percentile bootstrap is too narrow by about the
        // factor √((n − 1)/n) and z for t); with 400 trials, 4 SE of a proportion is
        // about ±0.044.
        let seed = RootSeed(11);
        let trials = 400;
        let mut covered = 0;
        for t in 0..trials {
            let mut rng = seed.stream("data", t, 0);
            let values: Vec<f64> = (0..50).map(|_| StandardNormal.sample(&mut rng)).collect();
            let ci = bootstrap_mean_ci(&values, 400, &mut seed.stream("boot", t, 0));
            if ci[0] <= 0.0 && 0.0 <= ci[1] {
                covered += 1;
            }
        }
        let share = covered as f64 / trials as f64;
        assert!((share - 0.95).abs() < 0.05, "coverage {share}");
    }
}
