use super::*;
use genloop_core::provenance::{Pool, Provenance};
use genloop_core::seed::RootSeed;

fn kde(dim: usize, values: &[f64], bandwidth: Bandwidth) -> Kde {
    Kde::new(Arc::new(Vectors::new(dim, values.to_vec())), bandwidth).unwrap()
}

fn assert_close(got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < tolerance, "got {got:?}, want {want:?}");
    }
}

#[test]
fn density_of_two_points_matches_a_hand_computation() {
    // Points (0, 0) and (2, 0), kernel 0.5²·I. At (1, 1) both are 2 units² away:
    // p = N₂(0; 0, 0.25 I) · exp(−2 / (2 · 0.25)) = exp(−4) / (2π · 0.25).
    let model = kde(2, &[0.0, 0.0, 2.0, 0.0], Bandwidth::Fixed(0.5));
    let want_far = -4.0 - (2.0 * std::f64::consts::PI * 0.25).ln();
    // At (0, 0): ½[1 + exp(−4 / 0.5)] / (2π · 0.25).
    let want_near = (0.5 * (1.0 + (-8.0f64).exp())).ln() - (2.0 * std::f64::consts::PI * 0.25).ln();
    let lp = model.log_prob(&Vectors::new(2, vec![1.0, 1.0, 0.0, 0.0]));
    assert_close(&lp, &[want_far, want_near], 1e-12);
    assert_close(&model.kernel_covariance(), &[0.25, 0.0, 0.0, 0.25], 1e-15);
}

#[test]
fn bandwidth_rules_match_scipy_gaussian_kde() {
    // Reference: scipy 1.17.1, `gaussian_kde(X, bw_method=rule).factor` and `.logpdf(Q)`.
    let one = [0.0, 1.0, 2.5, -1.0, 0.3, 4.0];
    let query = Vectors::new(1, vec![0.0, 1.7, -3.0]);
    let scott = kde(1, &one, Bandwidth::Scott);
    assert!((scott.factor() - 0.698_827_118_771_579_2).abs() < 1e-14);
    assert_close(
        &scott.kernel_covariance(),
        &[1.624_608_744_155_752_6],
        1e-12,
    );
    assert_close(
        &scott.log_prob(&query),
        &[
            -1.673_450_411_400_719_4,
            -1.874_398_574_644_888_3,
            -3.877_055_634_465_396_6,
        ],
        1e-12,
    );
    let silverman = kde(1, &one, Bandwidth::Silverman);
    assert!((silverman.factor() - 0.740_214_344_974_306_6).abs() < 1e-14);
    assert_close(
        &silverman.log_prob(&query),
        &[
            -1.705_708_181_455_626_5,
            -1.873_161_260_852_381,
            -3.741_588_737_986_446_8,
        ],
        1e-12,
    );

    let two = [0.0, 0.0, 1.0, 0.5, 2.0, -1.0, 0.5, 2.0, -1.0, 1.0];
    let scott = kde(2, &two, Bandwidth::Scott);
    assert_close(
        &scott.kernel_covariance(),
        &[
            0.731_004_434_553_216_5,
            -0.402_052_439_004_269_1,
            -0.402_052_439_004_269_1,
            0.731_004_434_553_216_7,
        ],
        1e-12,
    );
    assert_close(
        &scott.log_prob(&Vectors::new(2, vec![0.0, 0.0, 0.7, 0.3, 3.0, 3.0])),
        &[
            -2.450_445_871_929_458_6,
            -2.414_797_509_754_071,
            -12.756_601_146_386_506,
        ],
        1e-11,
    );

    let three = [
        0.0, 0.0, 0.0, 1.0, 0.5, 0.2, 2.0, -1.0, 1.0, 0.5, 2.0, -0.5, -1.0, 1.0, 0.3, 0.2, 0.1, 2.0,
    ];
    let query = Vectors::new(3, vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    let silverman = kde(3, &three, Bandwidth::Silverman);
    assert!((silverman.factor() - 0.749_879_097_598_139_1).abs() < 1e-14);
    assert_close(
        &silverman.log_prob(&query),
        &[-3.008_404_938_472_977_6, -4.743_205_330_338_178],
        1e-11,
    );
    let scott = kde(3, &three, Bandwidth::Scott);
    assert_close(
        &scott.log_prob(&query),
        &[-3.078_818_853_053_765_5, -4.667_319_572_460_856_5],
        1e-11,
    );
}

#[test]
fn density_integrates_to_one() {
    let model = kde(1, &[-1.0, 0.0, 0.5, 3.0, 3.2], Bandwidth::Scott);
    // Trapezoid rule on [−12, 16] with step 0.001; the tails beyond hold < 1e-12.
    let step = 1e-3;
    let grid: Vec<f64> = (0..=28_000).map(|i| -12.0 + i as f64 * step).collect();
    let lp = model.log_prob(&Vectors::new(1, grid));
    let inner: f64 = lp.iter().map(|v| v.exp()).sum();
    let integral = step * (inner - 0.5 * (lp[0].exp() + lp[lp.len() - 1].exp()));
    assert!((integral - 1.0).abs() < 1e-9, "integral {integral}");
}

#[test]
fn moments_are_the_data_moments_plus_the_kernel() {
    let model = kde(2, &[0.0, 0.0, 2.0, 0.0, 1.0, 3.0], Bandwidth::Fixed(0.5));
    assert_close(&model.mean(), &[1.0, 1.0], 1e-15);
    // MLE covariance of the three points: [[2/3, 0], [0, 2]]; plus 0.25·I.
    assert_close(
        &model.covariance(),
        &[2.0 / 3.0 + 0.25, 0.0, 0.0, 2.25],
        1e-12,
    );
}

#[test]
fn sampling_is_seeded_and_zero_bias_returns_training_records() {
    let points = [0.0, 0.0, 2.0, 0.0, 1.0, 3.0];
    let estimator = KdeEstimator {
        bandwidth: Bandwidth::Scott,
        dim: 2,
    };
    let train = TrainingSet::single(
        Provenance::new(Pool::Original, 0),
        Vectors::new(2, points.to_vec()),
    );
    let model = estimator
        .fit(&train, &mut RootSeed(1).stream("fit", 0, 0))
        .unwrap();
    // The single training batch is shared, not copied.
    assert!(std::ptr::eq(model.points(), train.parts[0].data.as_ref()));
    let draw = |seed: u64, bias: f64| {
        let sampling = Sampling {
            bias,
            ..Sampling::default()
        };
        model.sample(50, &sampling, &mut RootSeed(seed).stream("sample", 0, 0))
    };
    assert_eq!(draw(3, 1.0), draw(3, 1.0));
    assert_ne!(draw(3, 1.0), draw(4, 1.0));
    for row in draw(3, 0.0).rows() {
        assert!(points.chunks_exact(2).any(|p| p == row));
    }
}

#[test]
fn degenerate_inputs_are_errors() {
    let rule = |values: &[f64], dim| {
        Kde::new(
            Arc::new(Vectors::new(dim, values.to_vec())),
            Bandwidth::Scott,
        )
    };
    assert!(matches!(
        rule(&[1.0], 1),
        Err(FitError::TooFew { needed: 2, .. })
    ));
    assert!(matches!(
        rule(&[0.0, 0.0, 1.0, 1.0, 2.0, 2.0], 2),
        Err(FitError::Numerical(_))
    ));
    assert!(matches!(
        rule(&[0.0, f64::NAN, 1.0], 1),
        Err(FitError::Numerical(_))
    ));
    let fixed = Kde::new(Arc::new(Vectors::new(1, vec![1.0])), Bandwidth::Fixed(0.0));
    assert!(matches!(fixed, Err(FitError::Numerical(_))));
    let empty = TrainingSet::<Vectors>::new(Vec::new());
    let estimator = KdeEstimator {
        bandwidth: Bandwidth::Fixed(1.0),
        dim: 1,
    };
    assert!(matches!(
        estimator.fit(&empty, &mut RootSeed(0).stream("fit", 0, 0)),
        Err(FitError::Empty)
    ));
}
