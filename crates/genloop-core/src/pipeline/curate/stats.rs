//! Detector metrics against true provenance. Scores are oriented so that higher =
//! more machine-like.

use super::roc::{auroc, tpr_at_fpr};

/// Precision and recall of `flagged` against `machine`, AUROC and TPR at 1 % FPR of
/// `scores`: the detector metrics, in that order.
pub fn detector_metrics(scores: &[f64], flagged: &[bool], machine: &[bool]) -> [f64; 4] {
    let (mut tp, mut fp, mut positives) = (0usize, 0usize, 0usize);
    for (&f, &m) in flagged.iter().zip(machine) {
        tp += usize::from(f && m);
        fp += usize::from(f && !m);
        positives += usize::from(m);
    }
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    [
        ratio(tp, tp + fp),
        ratio(tp, positives),
        auroc(scores, machine),
        tpr_at_fpr(scores, machine, 0.01),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_and_recall_count_flags() {
        let m = detector_metrics(
            &[0.0, 1.0, 2.0, 3.0],
            &[false, true, true, false],
            &[false, false, true, true],
        );
        assert_eq!(m[0], 0.5);
        assert_eq!(m[1], 0.5);
        let none = detector_metrics(&[0.0, 1.0], &[false, false], &[false, true]);
        assert!(none[0].is_nan());
        assert_eq!(none[1], 0.0);
    }
}
