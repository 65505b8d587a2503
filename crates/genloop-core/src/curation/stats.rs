//! Detector statistics against true provenance: AUROC, TPR at a fixed FPR,
//! precision and recall. Scores are oriented so that higher = more machine-like.

/// Area under the ROC curve (Mann–Whitney, ties count ½); NaN when a class is empty.
pub fn auroc(scores: &[f64], machine: &[bool]) -> f64 {
    assert_eq!(scores.len(), machine.len());
    let positives = machine.iter().filter(|&&m| m).count();
    let negatives = machine.len() - positives;
    if positives == 0 || negatives == 0 {
        return f64::NAN;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the positives' mid-ranks.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mid_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if machine[k] {
                rank_sum += mid_rank;
            }
        }
        i = j + 1;
    }
    let p = positives as f64;
    (rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64)
}

/// True-positive rate at the strictest threshold whose false-positive rate on the
/// human records is at most `fpr` (records flagged when score > threshold); NaN when
/// a class is empty.
pub fn tpr_at_fpr(scores: &[f64], machine: &[bool], fpr: f64) -> f64 {
    let mut human: Vec<f64> = scores
        .iter()
        .zip(machine)
        .filter(|(_, &m)| !m)
        .map(|(&s, _)| s)
        .collect();
    let positives = machine.iter().filter(|&&m| m).count();
    if human.is_empty() || positives == 0 {
        return f64::NAN;
    }
    human.sort_by(|a, b| b.total_cmp(a));
    // Allowed false positives; the threshold sits at the next human score down, so
    // scores tied with it are not flagged.
    let allowed = (fpr * human.len() as f64).floor() as usize;
    let threshold = if allowed >= human.len() {
        f64::NEG_INFINITY
    } else {
        human[allowed]
    };
    let caught = scores
        .iter()
        .zip(machine)
        .filter(|(&s, &m)| m && s > threshold)
        .count();
    caught as f64 / positives as f64
}

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
    fn auroc_of_perfect_random_and_tied_scores() {
        let machine = [false, false, true, true];
        assert_eq!(auroc(&[0.1, 0.2, 0.8, 0.9], &machine), 1.0);
        assert_eq!(auroc(&[0.9, 0.8, 0.2, 0.1], &machine), 0.0);
        assert_eq!(auroc(&[0.5; 4], &machine), 0.5);
        assert_eq!(auroc(&[0.1, 0.5, 0.5, 0.9], &machine), 0.875);
        assert!(auroc(&[0.1, 0.2], &[true, true]).is_nan());
    }

    #[test]
    fn tpr_at_fpr_respects_the_human_budget() {
        // 100 human scores 0..99, machine scores 50..149.
        let mut scores: Vec<f64> = (0..100).map(f64::from).collect();
        scores.extend((50..150).map(f64::from));
        let machine: Vec<bool> = (0..200).map(|i| i >= 100).collect();
        // 1 % of 100 humans: one false positive allowed, threshold at 98.
        assert_eq!(tpr_at_fpr(&scores, &machine, 0.01), 51.0 / 100.0);
        assert_eq!(tpr_at_fpr(&scores, &machine, 0.0), 50.0 / 100.0);
        assert_eq!(tpr_at_fpr(&scores, &machine, 1.0), 1.0);
    }

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
