//! The loop against the closed forms of docs/formulas.md §3, at two root seeds each.
//! Tolerance: 4 standard errors of the replicate mean (docs/formulas.md §3, "Tolerances"),
//! from the stated per-run sd where one exists, else from the replicates' own spread.

use genloop_cli::runner::run_in_memory;
use genloop_config::from_toml;
use genloop_core::theory::{self, GaussianReplace};

fn mean_and_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

fn check(label: &str, values: &[f64], expected: f64, known_sd: Option<f64>) {
    let (mean, se) = mean_and_se(values);
    let se = known_sd.map_or(se, |sd| sd / (values.len() as f64).sqrt());
    assert!(
        (mean - expected).abs() <= 4.0 * se,
        "{label}: measured {mean:.5} vs closed form {expected:.5} (4 SE = {:.5})",
        4.0 * se
    );
}

fn gaussian_config(
    seed: u64,
    replicates: usize,
    generations: usize,
    m: usize,
    estimator: &str,
    regime: &str,
) -> String {
    format!(
        "name = \"theory\"\nseed = {seed}\nreplicates = {replicates}\ngenerations = {generations}\n\
         [source]\nkind = \"gaussian\"\ndim = 1\n[data]\noriginal = {m}\nholdout = 100\n\
         [model]\nkind = \"gaussian\"\nestimator = \"{estimator}\"\n[regime]\nkind = \"{regime}\"\nsamples = {m}\n"
    )
}

#[test]
fn gaussian_replace_mle() {
    for seed in [1, 2] {
        let exp = from_toml(
            &gaussian_config(seed, 600, 50, 100, "mle", "replace"),
            "test",
        )
        .unwrap();
        let arm = &run_in_memory(&exp).unwrap()[0];
        let law = GaussianReplace {
            m: 100.0,
            unbiased: false,
            bias: 1.0,
        };
        for g in [9, 49] {
            let n = (g + 1) as f64;
            check(
                "E[ln σ²]",
                &arm.values("log_variance_ratio", g),
                law.log_variance(n),
                Some(law.log_variance_sd(n)),
            );
            check(
                "E[σ²]",
                &arm.values("variance_ratio", g),
                law.variance_ratio(n),
                None,
            );
            check(
                "E[(μ − μ₀)²]",
                &arm.values("mean_sq_error", g),
                law.mean_sq_error(n),
                None,
            );
            check(
                "E[W₂²]",
                &arm.values("w2_squared", g),
                law.w2_squared(n),
                None,
            );
        }
        // the reference figures at M = 100, n = 50.
        assert!((law.log_variance(50.0) + 1.0093).abs() < 1e-3);
    }
}

#[test]
fn gaussian_replace_unbiased() {
    for seed in [3, 4] {
        let exp = from_toml(
            &gaussian_config(seed, 600, 50, 100, "unbiased", "replace"),
            "test",
        )
        .unwrap();
        let arm = &run_in_memory(&exp).unwrap()[0];
        check(
            "E[σ²] = 1 (martingale)",
            &arm.values("variance_ratio", 49),
            1.0,
            None,
        );
        check(
            "E[(μ − μ₀)²] = n/M",
            &arm.values("mean_sq_error", 49),
            0.5,
            None,
        );
        check("E[W₂²]", &arm.values("w2_squared", 49), 0.7372, None);
        let law = GaussianReplace {
            m: 100.0,
            unbiased: true,
            bias: 1.0,
        };
        check(
            "E[ln σ²]",
            &arm.values("log_variance_ratio", 49),
            law.log_variance(50.0),
            Some(law.log_variance_sd(50.0)),
        );
    }
}

#[test]
fn gaussian_accumulate_mle() {
    for seed in [5, 6] {
        let exp = from_toml(
            &gaussian_config(seed, 1500, 100, 10, "mle", "accumulate"),
            "test",
        )
        .unwrap();
        let arm = &run_in_memory(&exp).unwrap()[0];
        // M = 10: E[σ²] = 0.8515 at n = 10, 0.8443 at n = 100; E[(μ − μ₀)²] = 0.1557 at n = 100.
        check("E[σ²] n=10", &arm.values("variance_ratio", 9), 0.8515, None);
        check(
            "E[σ²] n=100",
            &arm.values("variance_ratio", 99),
            0.8443,
            None,
        );
        check(
            "E[(μ − μ₀)²] n=100",
            &arm.values("mean_sq_error", 99),
            0.1557,
            None,
        );
        check(
            "E[σ²] n=50",
            &arm.values("variance_ratio", 49),
            theory::gaussian_accumulate_variance(10.0, 50),
            None,
        );
    }
}

fn linear_config(seed: u64, replicates: usize, generations: usize, regime: &str) -> String {
    format!(
        "name = \"linear\"\nseed = {seed}\nreplicates = {replicates}\ngenerations = {generations}\n\
         [source]\nkind = \"linear\"\ndim = 10\nnoise_std = 1.0\n[data]\noriginal = 100\nholdout = 200\n\
         [model]\nkind = \"linear\"\ndesign = \"fixed\"\nnoise = \"known\"\n[regime]\nkind = \"{regime}\"\nsamples = 100\n"
    )
}

#[test]
fn linear_regression_replace() {
    for seed in [7, 8] {
        let exp = from_toml(&linear_config(seed, 400, 50, "replace"), "test").unwrap();
        let arm = &run_in_memory(&exp).unwrap()[0];
        // σ² = 1, d = 10, T = 100: 1.1236 at n = 10, 5.618 at n = 50.
        check(
            "‖ŵ − w*‖² n=10",
            &arm.values("param_error", 9),
            1.1236,
            None,
        );
        check(
            "‖ŵ − w*‖² n=50",
            &arm.values("param_error", 49),
            5.618,
            None,
        );
    }
}

#[test]
fn linear_regression_accumulate() {
    for seed in [9, 10] {
        let exp = from_toml(&linear_config(seed, 400, 20, "accumulate"), "test").unwrap();
        let arm = &run_in_memory(&exp).unwrap()[0];
        check(
            "‖ŵ − w*‖² n=10",
            &arm.values("param_error", 9),
            0.17413,
            None,
        );
        let n20 = theory::linear_param_error(1.0, 10.0, 100.0, 20, true);
        check("‖ŵ − w*‖² n=20", &arm.values("param_error", 19), n20, None);
        // Accumulate stays below the π²/6 bound; replace would be 20× the first error.
        assert!(n20 < 0.18482);
    }
}
