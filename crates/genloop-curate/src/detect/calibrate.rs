//! Thresholds calibrated on held-out human scores, and the confusion counts of a
//! flagging. Published detector thresholds belong to specific model pairs
//! (docs/formulas.md §7), so every run calibrates its own.

/// A threshold chosen on human scores: flag a document when `score > threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    pub threshold: f64,
    /// The false-positive rate asked for.
    pub target_fpr: f64,
    /// The false-positive rate of `threshold` on the calibration scores themselves;
    /// at most `target_fpr` (below it when ties or a small pool make the target
    /// unreachable), NaN when there were no scores.
    pub achieved_fpr: f64,
}

/// The smallest threshold among `human_scores` whose false-positive rate on them,
/// #{h > threshold} / n, is at most `target_fpr`: the most documents flagged while
/// staying within the target on the calibration pool.
///
/// - Ties: a threshold equal to a tied value leaves the whole tie group unflagged, so
///   the achieved rate can fall well below the target when a large tie group sits at
///   the quantile; it never exceeds it.
/// - On fresh human documents the rate of this threshold scatters around the target
///   with standard deviation about √(target·(1 − target)·(1/n_calibration +
///   1/n_evaluation)); its mean is about (⌊target·n⌋ + 1)/(n + 1) for continuous
///   scores (the order statistic's Beta law), a hair above the target.
/// - Empty `human_scores`: threshold +∞ (flag nothing), achieved rate NaN.
/// - A NaN human score: threshold and achieved rate NaN (nothing can be calibrated).
///
/// Panics when `target_fpr` is not in [0, 1].
pub fn calibrate(human_scores: &[f64], target_fpr: f64) -> Calibration {
    assert!(
        (0.0..=1.0).contains(&target_fpr),
        "target_fpr = {target_fpr}: use a false-positive rate in [0, 1]"
    );
    let calibration = |threshold, achieved_fpr| Calibration {
        threshold,
        target_fpr,
        achieved_fpr,
    };
    if human_scores.is_empty() {
        return calibration(f64::INFINITY, f64::NAN);
    }
    if human_scores.iter().any(|s| s.is_nan()) {
        return calibration(f64::NAN, f64::NAN);
    }
    let mut sorted = human_scores.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    // Candidates in ascending order; the first within the target is the answer. The
    // maximum always qualifies (nothing lies above it).
    let mut start = 0;
    while start < n {
        let value = sorted[start];
        let end = start + sorted[start..].partition_point(|&s| s <= value);
        let above = n - end;
        let fpr = above as f64 / n as f64;
        if fpr <= target_fpr {
            return calibration(value, fpr);
        }
        start = end;
    }
    unreachable!("the largest score flags nothing")
}

/// Counts of a flagging against the truth (machine = positive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Confusion {
    /// Machine documents flagged.
    pub tp: usize,
    /// Human documents flagged.
    pub fp: usize,
    /// Human documents kept.
    pub tn: usize,
    /// Machine documents kept.
    pub fn_: usize,
}

impl Confusion {
    /// Panics when the slices differ in length.
    pub fn from_flags(flagged: &[bool], machine: &[bool]) -> Confusion {
        assert_eq!(
            flagged.len(),
            machine.len(),
            "{} flags but {} labels",
            flagged.len(),
            machine.len()
        );
        let mut counts = Confusion::default();
        for (&flag, &is_machine) in flagged.iter().zip(machine) {
            match (flag, is_machine) {
                (true, true) => counts.tp += 1,
                (true, false) => counts.fp += 1,
                (false, false) => counts.tn += 1,
                (false, true) => counts.fn_ += 1,
            }
        }
        counts
    }

    /// Share of flagged documents that are machine; NaN when nothing is flagged.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Share of machine documents flagged (the TPR); NaN when there is no machine
    /// document.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Share of human documents flagged; NaN when there is no human document.
    pub fn fpr(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        f64::NAN
    } else {
        numerator as f64 / denominator as f64
    }
}
