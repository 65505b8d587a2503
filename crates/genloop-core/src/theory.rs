//! Closed forms of docs/formulas.md §3, used by the tests and shown beside measured
//! aggregates wherever a run matches their assumptions.
//!
//! Notation: M records per generation, n = number of fits with the first on real data
//! (generation g = n − 1), r = (M − 1)/M, σ₀ = 1 per dimension unless scaled.

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; ~15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = COEF[0];
    let t = x + 7.5;
    for (i, c) in COEF.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// ψ(x), the digamma function, for x > 0: recurrence up to x ≥ 10, then the
/// asymptotic series.
pub fn digamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    result + x.ln()
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))))
}

/// ψ′(x), the trigamma function, for x > 0.
pub fn trigamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    while x < 10.0 {
        result += 1.0 / (x * x);
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    result
        + 1.0 / x
        + f / 2.0
        + f / x * (1.0 / 6.0 - f * (1.0 / 30.0 - f * (1.0 / 42.0 - f * (1.0 / 30.0))))
}

/// c(k) = √(2/k)·Γ((k+1)/2)/Γ(k/2) = E[√(χ²ₖ/k)].
pub fn chi_mean_factor(k: f64) -> f64 {
    (2.0 / k).sqrt() * (ln_gamma((k + 1.0) / 2.0) - ln_gamma(k / 2.0)).exp()
}

/// Gaussian, replace, M per generation, sampling bias λ. Per-dimension expectations
/// relative to σ₀² = 1, so they hold for the trace ratio in any dimension.
#[derive(Clone, Copy, Debug)]
pub struct GaussianReplace {
    pub m: f64,
    pub unbiased: bool,
    pub bias: f64,
}

impl GaussianReplace {
    /// E[σ̂²]/σ₀² after n fits: each fit scales the expected variance by r (MLE) or
    /// 1 (unbiased), each sampling step by λ: rⁿ·λⁿ⁻¹.
    pub fn variance_ratio(&self, n: f64) -> f64 {
        self.shrink().powf(n) * self.bias.powf(n - 1.0)
    }

    fn shrink(&self) -> f64 {
        if self.unbiased {
            1.0
        } else {
            (self.m - 1.0) / self.m
        }
    }

    /// E[(μ̂ − μ₀)²]/σ₀² = Σ_{k<n} (rλ)ᵏ / M. For λ = 1: 1 − rⁿ (MLE), n/M (unbiased).
    pub fn mean_sq_error(&self, n: f64) -> f64 {
        let q = self.shrink() * self.bias;
        if (q - 1.0).abs() < 1e-15 {
            n / self.m
        } else {
            (1.0 - q.powf(n)) / (1.0 - q) / self.m
        }
    }

    /// E[ln σ̂²] in one dimension: n·(ψ((M−1)/2) + ln(2/M)) for MLE, ln(2/(M−1)) in
    /// place of ln(2/M) for unbiased, plus (n − 1)·ln λ.
    pub fn log_variance(&self, n: f64) -> f64 {
        let divisor = if self.unbiased { self.m - 1.0 } else { self.m };
        n * (digamma((self.m - 1.0) / 2.0) + (2.0 / divisor).ln()) + (n - 1.0) * self.bias.ln()
    }

    /// Per-run standard deviation of ln σ̂²: √(n·ψ′((M−1)/2)).
    pub fn log_variance_sd(&self, n: f64) -> f64 {
        (n * trigamma((self.m - 1.0) / 2.0)).sqrt()
    }

    /// E[σ̂]/σ₀ in one dimension: (c(M−1)·√(r λ))ⁿ / √λ.
    pub fn std(&self, n: f64) -> f64 {
        let c = chi_mean_factor(self.m - 1.0);
        (c * (self.shrink() * self.bias).sqrt()).powf(n) / self.bias.sqrt()
    }

    /// E[W₂²] in one dimension: E[(μ̂ − μ₀)²] + E[σ̂²] − 2E[σ̂] + 1.
    pub fn w2_squared(&self, n: f64) -> f64 {
        self.mean_sq_error(n) + self.variance_ratio(n) - 2.0 * self.std(n) + 1.0
    }
}

/// Gaussian, accumulate, MLE on the whole pool (Kazdan et al. 2024): fit t is on
/// t·M records. E[σ̂²] = ∏_{t=1..n}(1 − 1/(M t²)).
pub fn gaussian_accumulate_variance(m: f64, n: usize) -> f64 {
    (1..=n).map(|t| 1.0 - 1.0 / (m * (t * t) as f64)).product()
}

/// E[(μ̂ − μ₀)²] under accumulate: fit t moves the mean by (x̄ₜ − μ̂ₜ₋₁)/t, whose
/// variance is E[σ̂²ₜ₋₁]/(M t²) (σ̂²₀ = the truth).
pub fn gaussian_accumulate_mean_sq_error(m: f64, n: usize) -> f64 {
    (1..=n)
        .map(|t| gaussian_accumulate_variance(m, t - 1) / (m * (t * t) as f64))
        .sum()
}

/// Linear regression with a fixed design reused (Gerstgrasser et al. 2024; Dohmatob et
/// al. 2024): E‖ŵ − w*‖² after n fits. Replace: n·σ²d/(T−d−1); accumulate:
/// σ²d/(T−d−1)·Σ_{i≤n} 1/i².
pub fn linear_param_error(noise_var: f64, d: f64, t: f64, n: usize, accumulate: bool) -> f64 {
    let base = noise_var * d / (t - d - 1.0);
    if accumulate {
        base * (1..=n).map(|i| 1.0 / (i * i) as f64).sum::<f64>()
    } else {
        base * n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    #[test]
    fn special_functions() {
        close(ln_gamma(5.0), 24f64.ln(), 1e-12);
        close(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln(), 1e-12);
        close(digamma(1.0), -0.577_215_664_901_532_9, 1e-12);
        close(trigamma(1.0), std::f64::consts::PI.powi(2) / 6.0, 1e-10);
        close(
            chi_mean_factor(1.0),
            (2.0 / std::f64::consts::PI).sqrt(),
            1e-12,
        );
    }

    #[test]
    fn reference_figures() {
        // docs/formulas.md §3, M = 100, n = 50.
        let mle = GaussianReplace {
            m: 100.0,
            unbiased: false,
            bias: 1.0,
        };
        close(mle.log_variance(50.0), -1.0093, 1e-3);
        close(mle.log_variance_sd(50.0), 1.0101, 1e-3);
        close(mle.variance_ratio(50.0), 0.6050, 1e-4);
        close(mle.mean_sq_error(50.0), 0.3950, 1e-4);
        let unbiased = GaussianReplace {
            m: 100.0,
            unbiased: true,
            bias: 1.0,
        };
        close(unbiased.variance_ratio(50.0), 1.0, 1e-12);
        close(unbiased.mean_sq_error(50.0), 0.5, 1e-12);
        close(unbiased.std(50.0), 0.8814, 1e-4);
        close(unbiased.w2_squared(50.0), 0.7372, 1e-4);
        // Accumulate, M = 10.
        close(gaussian_accumulate_variance(10.0, 10), 0.8515, 1e-4);
        close(gaussian_accumulate_variance(10.0, 100), 0.8443, 1e-4);
        close(gaussian_accumulate_mean_sq_error(10.0, 100), 0.1557, 1e-4);
        // Linear regression, σ² = 1, d = 10, T = 100.
        close(
            linear_param_error(1.0, 10.0, 100.0, 10, false),
            1.1236,
            1e-4,
        );
        close(linear_param_error(1.0, 10.0, 100.0, 50, false), 5.618, 1e-3);
        close(
            linear_param_error(1.0, 10.0, 100.0, 10, true),
            0.17413,
            1e-5,
        );
        close(
            linear_param_error(1.0, 10.0, 100.0, 50, true),
            0.18260,
            1e-5,
        );
    }
}
