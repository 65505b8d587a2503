//! Every statistic against its definition, computed by brute force on small random
//! inputs with many ties, plus the edge cases the docs promise.

use super::*;

/// A small deterministic generator (xorshift64*), so the tests need no rand crate.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Scores on a coarse grid (many ties) with random labels.
fn random_case(rng: &mut Xorshift) -> (Vec<f64>, Vec<bool>) {
    let n = 1 + rng.below(40) as usize;
    let levels = 1 + rng.below(8);
    let scores = (0..n)
        .map(|_| rng.below(levels) as f64 * 0.5 - 1.0)
        .collect();
    let machine = (0..n).map(|_| rng.below(2) == 1).collect();
    (scores, machine)
}

fn brute_auroc(scores: &[f64], machine: &[bool]) -> f64 {
    let (mut wins, mut pairs) = (0.0, 0usize);
    for (i, &m) in machine.iter().enumerate() {
        for (j, &h) in machine.iter().enumerate() {
            if m && !h {
                pairs += 1;
                if scores[i] > scores[j] {
                    wins += 1.0;
                } else if scores[i] == scores[j] {
                    wins += 0.5;
                }
            }
        }
    }
    wins / pairs as f64
}

/// (FPR, TPR) of "flag score > threshold".
fn rates(scores: &[f64], machine: &[bool], threshold: f64) -> (f64, f64) {
    let flagged: Vec<bool> = scores.iter().map(|&s| s > threshold).collect();
    let confusion = Confusion::from_flags(&flagged, machine);
    (confusion.fpr(), confusion.recall())
}

#[test]
fn auroc_matches_the_pair_count_with_ties_as_halves() {
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    for _ in 0..2000 {
        let (scores, machine) = random_case(&mut rng);
        let both = machine.iter().any(|&m| m) && machine.iter().any(|&m| !m);
        let got = auroc(&scores, &machine);
        if both {
            let want = brute_auroc(&scores, &machine);
            assert!(
                (got - want).abs() < 1e-12,
                "{scores:?} {machine:?}: {got} vs {want}"
            );
            checked += 1;
        } else {
            assert!(got.is_nan());
        }
    }
    assert!(checked > 1500);
}

#[test]
fn auroc_edge_cases() {
    let machine = [false, false, true, true];
    assert_eq!(auroc(&[0.0, 1.0, 2.0, 3.0], &machine), 1.0);
    assert_eq!(auroc(&[3.0, 2.0, 1.0, 0.0], &machine), 0.0);
    assert_eq!(auroc(&[1.0; 4], &machine), 0.5);
    assert_eq!(auroc(&[-0.0, 0.0, 0.0, -0.0], &machine), 0.5);
    assert_eq!(
        auroc(&[f64::NEG_INFINITY, 0.0, 1.0, f64::INFINITY], &machine),
        1.0
    );
    assert!(auroc(&[0.0, f64::NAN, 1.0, 2.0], &machine).is_nan());
    assert!(auroc(&[1.0, 2.0], &[true, true]).is_nan());
    assert!(auroc(&[], &[]).is_nan());
}

#[test]
#[should_panic(expected = "3 scores but 2 labels")]
fn auroc_rejects_mismatched_lengths() {
    auroc(&[1.0, 2.0, 3.0], &[true, false]);
}

#[test]
fn tpr_at_fpr_is_the_best_roc_point_within_the_budget() {
    let mut rng = Xorshift(7);
    for _ in 0..2000 {
        let (scores, machine) = random_case(&mut rng);
        let budget = rng.below(11) as f64 / 10.0;
        let got = tpr_at_fpr(&scores, &machine, budget);
        if !(machine.iter().any(|&m| m) && machine.iter().any(|&m| !m)) {
            assert!(got.is_nan());
            continue;
        }
        // Every point of the curve: flag nothing (+∞), everything (−∞ is below every
        // finite score here), or the documents above each score.
        let want = scores
            .iter()
            .copied()
            .chain([f64::INFINITY, f64::NEG_INFINITY])
            .map(|t| rates(&scores, &machine, t))
            .filter(|&(fpr, _)| fpr <= budget)
            .map(|(_, tpr)| tpr)
            .fold(0.0, f64::max);
        assert_eq!(got, want, "{scores:?} {machine:?} at {budget}");
    }
}

#[test]
fn tpr_at_fpr_edge_cases() {
    let machine = [false, true, true, false];
    // The top group mixes a human and a machine document: at FPR 0 nothing is flagged.
    assert_eq!(tpr_at_fpr(&[5.0, 5.0, 1.0, 0.0], &machine, 0.0), 0.0);
    // Flagging down to 1.0 costs one human of two.
    assert_eq!(tpr_at_fpr(&[5.0, 5.0, 1.0, 0.0], &machine, 0.5), 1.0);
    assert_eq!(tpr_at_fpr(&[5.0, 5.0, 1.0, 0.0], &machine, 0.49), 0.0);
    assert_eq!(tpr_at_fpr(&[5.0, 5.0, 1.0, 0.0], &machine, 1.0), 1.0);
    assert!(tpr_at_fpr(&[0.0, 1.0], &[false, false], 0.1).is_nan());
    assert!(tpr_at_fpr(&[f64::NAN, 1.0], &[false, true], 0.1).is_nan());
}

#[test]
fn calibration_is_the_smallest_human_score_within_the_target() {
    let mut rng = Xorshift(11);
    for _ in 0..2000 {
        let (scores, _) = random_case(&mut rng);
        let target = rng.below(21) as f64 / 20.0;
        let calibration = calibrate(&scores, target);
        let fpr_of =
            |t: f64| scores.iter().filter(|&&s| s > t).count() as f64 / scores.len() as f64;
        let want = scores
            .iter()
            .copied()
            .filter(|&t| fpr_of(t) <= target)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(calibration.threshold, want, "{scores:?} at {target}");
        assert_eq!(calibration.achieved_fpr, fpr_of(want));
        assert!(calibration.achieved_fpr <= target);
        assert_eq!(calibration.target_fpr, target);
    }
}

#[test]
fn calibration_edge_cases() {
    let empty = calibrate(&[], 0.05);
    assert_eq!(empty.threshold, f64::INFINITY);
    assert!(empty.achieved_fpr.is_nan());
    // A tie group at the quantile stays unflagged: 0.4 instead of the 0.5 asked for.
    let tied = calibrate(&[0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0.5);
    assert_eq!((tied.threshold, tied.achieved_fpr), (2.0, 0.4));
    let zero = calibrate(&[3.0, 1.0, 2.0], 0.0);
    assert_eq!((zero.threshold, zero.achieved_fpr), (3.0, 0.0));
    let one = calibrate(&[3.0, 1.0, 2.0], 1.0);
    assert_eq!(one.threshold, 1.0);
    assert!((one.achieved_fpr - 2.0 / 3.0).abs() < 1e-15);
    assert!(calibrate(&[1.0, f64::NAN], 0.1).threshold.is_nan());
    // 100 distinct scores at 5 %: exactly 5 above the threshold.
    let scores: Vec<f64> = (0..100).map(f64::from).collect();
    let five = calibrate(&scores, 0.05);
    assert_eq!((five.threshold, five.achieved_fpr), (94.0, 0.05));
}

#[test]
#[should_panic(expected = "target_fpr = 1.5")]
fn calibration_rejects_a_rate_above_one() {
    calibrate(&[1.0], 1.5);
}

#[test]
fn confusion_counts_and_rates() {
    let flagged = [true, true, false, false, true];
    let machine = [true, false, false, true, true];
    let confusion = Confusion::from_flags(&flagged, &machine);
    assert_eq!(
        confusion,
        Confusion {
            tp: 2,
            fp: 1,
            tn: 1,
            fn_: 1
        }
    );
    assert_eq!(confusion.precision(), 2.0 / 3.0);
    assert_eq!(confusion.recall(), 2.0 / 3.0);
    assert_eq!(confusion.fpr(), 0.5);
    let nothing_flagged = Confusion::from_flags(&[false, false], &[true, false]);
    assert!(nothing_flagged.precision().is_nan());
    assert_eq!(nothing_flagged.recall(), 0.0);
    let humans_only = Confusion::from_flags(&[true], &[false]);
    assert!(humans_only.recall().is_nan());
    assert_eq!(humans_only.fpr(), 1.0);
    assert!(Confusion::from_flags(&[true], &[true]).fpr().is_nan());
}

#[test]
fn groups_share_their_mean_score() {
    let scores = [1.0, 2.0, 10.0, 3.0, -4.0];
    let authors = ["ann", "bob", "cat", "ann", "bob"];
    assert_eq!(
        aggregate_by_group(&scores, &authors),
        vec![2.0, -1.0, 10.0, 2.0, -1.0]
    );
    assert!(aggregate_by_group::<u32>(&[], &[]).is_empty());
    let with_nan = aggregate_by_group(&[1.0, f64::NAN, 3.0], &[0, 0, 1]);
    assert!(with_nan[0].is_nan() && with_nan[1].is_nan());
    assert_eq!(with_nan[2], 3.0);
}

#[test]
fn grouping_sharpens_a_noisy_score() {
    // Ten posts per author; a post scores its author's class (0 or 1) plus noise of
    // spread 4, so single posts overlap heavily and author means barely.
    let mut rng = Xorshift(3);
    let authors: Vec<u32> = (0..400).map(|i| i / 10).collect();
    let machine: Vec<bool> = authors.iter().map(|a| a % 2 == 1).collect();
    let scores: Vec<f64> = machine
        .iter()
        .map(|&m| f64::from(u8::from(m)) + (rng.below(1001) as f64 / 1000.0 - 0.5) * 4.0)
        .collect();
    let single = auroc(&scores, &machine);
    let grouped = auroc(&aggregate_by_group(&scores, &authors), &machine);
    assert!(single < 0.8 && grouped > 0.9, "{single} → {grouped}");
}
