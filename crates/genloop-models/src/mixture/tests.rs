use super::*;
use crate::gaussian::Gaussian;
use genloop_core::provenance::{Pool, Provenance};
use genloop_core::seed::RootSeed;

/// Two well-separated 2-D components with unequal weights and correlated covariances.
fn separated_truth() -> GaussianMixture {
    GaussianMixture::new(
        2,
        vec![0.3, 0.7],
        vec![-4.0, 0.0, 4.0, 1.0],
        vec![1.0, 0.3, 0.3, 0.5, 0.5, 0.0, 0.0, 1.5],
    )
    .unwrap()
}

fn train(data: Vectors) -> TrainingSet<Vectors> {
    TrainingSet::single(Provenance::new(Pool::Original, 0), data)
}

fn rng(name: &str, seed: u64) -> Rng {
    RootSeed(seed).stream(name, 0, 0)
}

#[test]
fn em_recovers_well_separated_components() {
    let truth = separated_truth();
    let n = 4000;
    for seed in 0..3 {
        let data = truth.sample(n, &Sampling::default(), &mut rng("data", seed));
        let estimator = MixtureEstimator::new(2, 2);
        let (model, summary) = estimator.fit_vectors(&data, &mut rng("fit", seed)).unwrap();
        assert!(summary.converged, "{summary:?}");
        // Match components by the sign of the first coordinate of the mean.
        let order: Vec<usize> = if model.means()[0] < model.means()[2] {
            vec![0, 1]
        } else {
            vec![1, 0]
        };
        for (truth_j, &j) in order.iter().enumerate() {
            let w = truth.weights()[truth_j];
            // Standard error of a mean coordinate: σ/√(nw) ≤ √(1.5/1200) ≈ 0.035; of a
            // weight √(w(1−w)/n) ≈ 0.007; of a variance ≈ σ²√(2/(nw)) ≤ 0.06.
            assert!((model.weights()[j] - w).abs() < 0.03);
            for i in 0..2 {
                let got = model.means()[j * 2 + i];
                let want = truth.means()[truth_j * 2 + i];
                assert!(
                    (got - want).abs() < 0.15,
                    "seed {seed}: mean {got} vs {want}"
                );
            }
            for e in 0..4 {
                let got = model.covariances()[j * 4 + e];
                let want = truth.covariances()[truth_j * 4 + e];
                assert!(
                    (got - want).abs() < 0.25,
                    "seed {seed}: covariance {got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn log_likelihood_never_decreases_over_em_iterations() {
    // Three overlapping components: EM takes many iterations. Without reg_covar the
    // M-step is the exact maximiser, so the likelihood is monotone (Dempster et al.
    // 1977, Theorem 1) up to rounding.
    let truth = GaussianMixture::new(
        2,
        vec![0.4, 0.35, 0.25],
        vec![0.0, 0.0, 1.5, 0.5, -0.5, 1.5],
        vec![1.0, 0.2, 0.2, 1.0, 0.6, 0.0, 0.0, 0.6, 0.8, -0.3, -0.3, 0.5],
    )
    .unwrap();
    for seed in 0..3 {
        let data = truth.sample(1500, &Sampling::default(), &mut rng("data", seed));
        let estimator = MixtureEstimator {
            tolerance: 0.0,
            max_iterations: 60,
            reg_covar: 0.0,
            ..MixtureEstimator::new(3, 2)
        };
        let (model, summary) = estimator.fit_vectors(&data, &mut rng("fit", seed)).unwrap();
        assert_eq!(summary.lower_bounds.len(), 60);
        for pair in summary.lower_bounds.windows(2) {
            assert!(
                pair[1] >= pair[0] - 1e-12 * pair[0].abs(),
                "{:?}",
                summary.lower_bounds
            );
        }
        // The lower bound is the likelihood before the last M-step, so the returned
        // model is at least as good.
        let final_mean = model.log_prob(&data).iter().sum::<f64>() / 1500.0;
        assert!(final_mean >= summary.lower_bound - 1e-12);
    }
}

#[test]
fn fits_and_samples_are_seeded() {
    let data = separated_truth().sample(500, &Sampling::default(), &mut rng("data", 1));
    let estimator = MixtureEstimator {
        inits: 3,
        ..MixtureEstimator::new(3, 2)
    };
    let fit = |seed| {
        estimator
            .fit(&train(data.clone()), &mut rng("fit", seed))
            .unwrap()
    };
    let (a, b) = (fit(5), fit(5));
    assert_eq!(a, b);
    let sample = |model: &GaussianMixture, seed| {
        model.sample(100, &Sampling::default(), &mut rng("sample", seed))
    };
    assert_eq!(sample(&a, 2), sample(&b, 2));
    assert_ne!(sample(&a, 2), sample(&a, 3));
}

#[test]
fn more_inits_never_lower_the_kept_bound() {
    let data = separated_truth().sample(800, &Sampling::default(), &mut rng("data", 2));
    let single = MixtureEstimator::new(4, 2);
    let many = MixtureEstimator { inits: 5, ..single };
    let (_, one) = single.fit_vectors(&data, &mut rng("fit", 9)).unwrap();
    let (_, best) = many.fit_vectors(&data, &mut rng("fit", 9)).unwrap();
    // The first init draws the same k-means++ centres in both fits.
    assert!(best.lower_bound >= one.lower_bound);
    assert!(best.init < 5);
}

#[test]
fn log_prob_is_the_log_of_the_weighted_gaussian_densities() {
    let model = separated_truth();
    let parts: Vec<Gaussian> = (0..2)
        .map(|j| {
            Gaussian::new(
                model.means()[j * 2..j * 2 + 2].to_vec(),
                model.covariances()[j * 4..j * 4 + 4].to_vec(),
            )
            .unwrap()
        })
        .collect();
    let points = Vectors::new(2, vec![0.0, 0.0, -4.0, 0.1, 3.0, 2.0, 40.0, -40.0]);
    for (x, got) in points.rows().zip(model.log_prob(&points)) {
        let direct: f64 = (0..2)
            .map(|j| model.weights()[j] * parts[j].log_density(x).exp())
            .sum();
        if direct > 0.0 {
            assert!((got - direct.ln()).abs() < 1e-12);
        } else {
            // Far out the densities underflow; log-sum-exp must stay finite and match
            // the dominant component.
            let dominant = (0..2)
                .map(|j| model.weights()[j].ln() + parts[j].log_density(x))
                .fold(f64::NEG_INFINITY, f64::max);
            assert!(got.is_finite() && (got - dominant).abs() < 1e-6);
        }
    }
}

#[test]
fn moments_follow_the_law_of_total_covariance() {
    // ½N(−1, 1) + ½N(1, 1): mean 0, variance 1 + 1.
    let model = GaussianMixture::new(1, vec![0.5, 0.5], vec![-1.0, 1.0], vec![1.0, 1.0]).unwrap();
    assert!(model.mean()[0].abs() < 1e-15);
    assert!((model.covariance()[0] - 2.0).abs() < 1e-15);
    assert!(model.as_gaussian().is_none());
    assert_eq!(model.parameter_count(), 5);
    // Bias λ = 0 draws the component means only.
    let zero = Sampling {
        bias: 0.0,
        ..Sampling::default()
    };
    let draws = model.sample(200, &zero, &mut rng("sample", 0));
    assert!(draws.values.iter().all(|v| v.abs() == 1.0));
    let ones = draws.values.iter().filter(|v| **v > 0.0).count();
    // Binomial(200, ½): 4 SE ≈ 28.
    assert!((ones as i64 - 100).abs() < 28);
}

#[test]
fn serde_round_trip_rebuilds_the_caches() {
    let model = separated_truth();
    let text = serde_json::to_string(&model).unwrap();
    let back: GaussianMixture = serde_json::from_str(&text).unwrap();
    assert_eq!(back, model);
    assert!(serde_json::from_str::<GaussianMixture>(&text.replace("0.3,", "-0.3,")).is_err());
}

#[test]
fn degenerate_training_sets_are_errors_not_panics() {
    let estimator = MixtureEstimator::new(3, 2);
    let two = Vectors::new(2, vec![0.0, 0.0, 1.0, 1.0]);
    let fit = |e: &MixtureEstimator, data: &Vectors| e.fit_vectors(data, &mut rng("fit", 0));
    assert!(matches!(
        fit(&estimator, &two),
        Err(FitError::TooFew {
            needed: 3,
            have: 2,
            ..
        })
    ));
    let empty = TrainingSet::<Vectors>::new(Vec::new());
    assert!(matches!(
        estimator.fit(&empty, &mut rng("fit", 0)),
        Err(FitError::Empty)
    ));
    // All records equal: with reg_covar the fit succeeds, without it the covariance is
    // singular and the error says what to change.
    let same = Vectors::new(2, [1.0, 2.0].repeat(10));
    assert!(fit(&estimator, &same).is_ok());
    let bare = MixtureEstimator {
        reg_covar: 0.0,
        ..estimator
    };
    match fit(&bare, &same) {
        Err(FitError::Numerical(message)) => assert!(message.contains("reg_covar"), "{message}"),
        other => panic!("expected a numerical error, got {other:?}"),
    }
    let nan = Vectors::new(2, vec![0.0, 0.0, 1.0, f64::NAN, 2.0, 2.0, 3.0, 3.0]);
    assert!(matches!(fit(&estimator, &nan), Err(FitError::Numerical(_))));
    let wrong_dim = Vectors::new(1, vec![0.0; 10]);
    assert!(matches!(
        fit(&estimator, &wrong_dim),
        Err(FitError::Numerical(_))
    ));
}

/// 1 000 records of `separated_truth()`, drawn with a generator of the test's own
/// (SplitMix64 and Box–Muller), so that reference values computed elsewhere do not
/// move when genloop's random streams change.
fn fixed_records() -> Vectors {
    let truth = separated_truth();
    let mut state: u64 = 0x5eed;
    let mut uniform = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / 9_007_199_254_740_992.0
    };
    let factors: Vec<Vec<f64>> = (0..2)
        .map(|j| crate::linalg::cholesky(&truth.covariances()[j * 4..j * 4 + 4], 2).unwrap())
        .collect();
    let mut values = Vec::with_capacity(2000);
    for _ in 0..1000 {
        let j = usize::from(uniform() >= truth.weights()[0]);
        let (radius, angle) = (
            (-2.0 * uniform().ln()).sqrt(),
            std::f64::consts::TAU * uniform(),
        );
        let z = [radius * angle.cos(), radius * angle.sin()];
        let l = &factors[j];
        values.push(truth.means()[2 * j] + l[0] * z[0]);
        values.push(truth.means()[2 * j + 1] + l[2] * z[0] + l[3] * z[1]);
    }
    Vectors::new(2, values)
}

#[test]
fn fits_reach_scikit_learns_optimum() {
    // Reference: scikit-learn 1.9.1, `GaussianMixture(n_components=k,
    // covariance_type="full", reg_covar=1e-6, n_init=10, init_params="k-means++",
    // random_state=0).fit(X).score(X)` on these 1 000 records (written out with 17
    // significant digits): k = 2 with tol 1e-3 (4 iterations), and k = 3 with tol 1e-10,
    // max_iter 1000.
    let data = fixed_records();
    let mean_log_likelihood = |estimator: MixtureEstimator| {
        let (model, _) = estimator.fit_vectors(&data, &mut rng("fit", 0)).unwrap();
        model.log_prob(&data).iter().sum::<f64>() / 1000.0
    };
    let two = MixtureEstimator {
        inits: 10,
        ..MixtureEstimator::new(2, 2)
    };
    assert!((mean_log_likelihood(two) - -3.209_633_458_745_561).abs() < 1e-9);
    // Three components for two clusters: the likelihood is flat and EM can stop at
    // different local optima; the best of 10 starts must be at least as good.
    let three = MixtureEstimator {
        inits: 10,
        tolerance: 1e-10,
        max_iterations: 1000,
        ..MixtureEstimator::new(3, 2)
    };
    assert!(mean_log_likelihood(three) >= -3.203_188_515_548_339_5 - 1e-9);
}

#[test]
fn every_dimension_takes_the_same_path_to_the_same_answer() {
    // Dimensions 1–4 run compile-time-specialised loops, larger ones generic loops:
    // both must give the exact log-density, and recover separated components.
    for d in [1, 3, 4, 5, 7] {
        let means: Vec<f64> = (0..2 * d).map(|i| if i < d { -3.0 } else { 3.0 }).collect();
        let mut covariances = vec![0.0; 2 * d * d];
        for j in 0..2 {
            for a in 0..d {
                for b in 0..d {
                    covariances[j * d * d + a * d + b] =
                        if a == b { 1.0 + 0.1 * j as f64 } else { 0.2 };
                }
            }
        }
        let truth = GaussianMixture::new(d, vec![0.4, 0.6], means, covariances).unwrap();
        let parts: Vec<Gaussian> = (0..2)
            .map(|j| {
                Gaussian::new(
                    truth.means()[j * d..(j + 1) * d].to_vec(),
                    truth.covariances()[j * d * d..(j + 1) * d * d].to_vec(),
                )
                .unwrap()
            })
            .collect();
        let data = truth.sample(3000, &Sampling::default(), &mut rng("data", d as u64));
        let log_prob = truth.log_prob(&data);
        for (x, got) in data.rows().zip(&log_prob).take(300) {
            let direct: f64 = (0..2)
                .map(|j| truth.weights()[j] * parts[j].log_density(x).exp())
                .sum();
            assert!((got - direct.ln()).abs() < 1e-10, "d = {d}");
        }
        let (model, summary) = MixtureEstimator::new(2, d)
            .fit_vectors(&data, &mut rng("fit", 0))
            .unwrap();
        assert!(summary.converged, "d = {d}: {summary:?}");
        let truth_mean = log_prob.iter().sum::<f64>() / 3000.0;
        let fitted_mean = model.log_prob(&data).iter().sum::<f64>() / 3000.0;
        // The maximum-likelihood fit is at least as likely as the truth, and not by much.
        assert!(
            fitted_mean > truth_mean - 1e-3 && fitted_mean < truth_mean + 0.02,
            "d = {d}"
        );
    }
}
