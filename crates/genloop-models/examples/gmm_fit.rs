//! Fits genloop's Gaussian mixture to a CSV of points, as `bench/compare_gmm.sh` does
//! with scikit-learn, and prints one JSON line:
//! `{"seconds_per_fit": …, "mean_log_likelihood": …, "log_likelihood_sd": …,
//! "iterations": …, …}`.
//!
//! Usage: `cargo run --release -p genloop-models --example gmm_fit -- POINTS.csv K
//! [REPETITIONS=10] [SEED=0]`. The CSV has one point per line, comma-separated (a
//! first line that is not numeric is taken for a header). Settings match the
//! comparison: tolerance 1e-3, one init, reg_covar 1e-6, at most 100 iterations.
//! Repetition r fits with the stream `"fit"` of seed SEED, replicate r; the time is
//! the mean over the repetitions (after one untimed warm-up fit), the log-likelihood
//! the mean over repetitions of the fitted model's mean log-likelihood per point on the
//! same data (scikit-learn's `score`).

use std::time::Instant;

use genloop_core::data::Vectors;
use genloop_core::model::FittedModel;
use genloop_core::seed::RootSeed;
use genloop_models::mixture::MixtureEstimator;

fn read_points(path: &str) -> Result<Vectors, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut dim = 0;
    let mut values = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Result<Vec<f64>, _> = line.split(',').map(|v| v.trim().parse::<f64>()).collect();
        let row = match row {
            Ok(row) => row,
            Err(_) if number == 0 => continue,
            Err(e) => return Err(format!("{path}:{}: {e}", number + 1)),
        };
        if dim == 0 {
            dim = row.len();
        } else if row.len() != dim {
            return Err(format!(
                "{path}:{}: {} columns, expected {dim}",
                number + 1,
                row.len()
            ));
        }
        values.extend(row);
    }
    if dim == 0 {
        return Err(format!("{path}: no points"));
    }
    Ok(Vectors::new(dim, values))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: gmm_fit POINTS.csv K [REPETITIONS=10] [SEED=0]");
        std::process::exit(2);
    }
    let parse = |index: usize, default: u64| -> u64 {
        args.get(index).map_or(default, |v| {
            v.parse().unwrap_or_else(|_| {
                eprintln!(
                    "gmm_fit: argument {} must be a non-negative integer, got {v:?}",
                    index + 1
                );
                std::process::exit(2)
            })
        })
    };
    let data = read_points(&args[0]).unwrap_or_else(|e| {
        eprintln!("gmm_fit: {e}");
        std::process::exit(1)
    });
    let k = parse(1, 0) as usize;
    let repetitions = parse(2, 10).max(1);
    let seed = RootSeed(parse(3, 0));
    let estimator = MixtureEstimator {
        components: k,
        max_iterations: 100,
        tolerance: 1e-3,
        inits: 1,
        reg_covar: 1e-6,
        dim: data.dim,
    };
    let n = data.values.len() / data.dim;
    let fit = |r: u64| {
        estimator
            .fit_vectors(&data, &mut seed.stream("fit", r, 0))
            .unwrap_or_else(|e| {
                eprintln!("gmm_fit: {e}");
                std::process::exit(1)
            })
    };
    fit(u64::MAX);
    let (mut seconds, mut iterations, mut converged) = (0.0, 0.0, 0);
    let mut log_likelihoods = Vec::new();
    for r in 0..repetitions {
        let start = Instant::now();
        let (model, summary) = fit(r);
        seconds += start.elapsed().as_secs_f64();
        log_likelihoods.push(model.log_prob(&data).iter().sum::<f64>() / n as f64);
        iterations += summary.iterations as f64;
        converged += usize::from(summary.converged);
    }
    let reps = repetitions as f64;
    let mean = log_likelihoods.iter().sum::<f64>() / reps;
    let variance = log_likelihoods
        .iter()
        .map(|v| (v - mean).powi(2))
        .sum::<f64>()
        / (reps - 1.0).max(1.0);
    println!(
        "{}",
        serde_json::json!({
            "seconds_per_fit": seconds / reps,
            "mean_log_likelihood": mean,
            "log_likelihood_sd": variance.sqrt(),
            "iterations": iterations / reps,
            "converged": converged,
            "repetitions": repetitions,
            "points": n,
            "components": k,
        })
    );
}
