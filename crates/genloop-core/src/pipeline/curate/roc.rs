//! Ranking quality of a score: the area under the ROC curve and the true-positive
//! rate at a false-positive budget.

/// Area under the ROC curve: the probability that a random machine document scores
/// above a random human one, ties counting ½ (the Mann–Whitney U statistic divided
/// by the number of pairs; Hanley & McNeil 1982). O(n log n).
///
/// NaN when either class is empty or any score is NaN. Panics when the slices
/// differ in length.
pub fn auroc(scores: &[f64], machine: &[bool]) -> f64 {
    let Some(groups) = tie_groups(scores, machine) else {
        return f64::NAN;
    };
    let (machine_total, human_total) = totals(&groups);
    if machine_total == 0 || human_total == 0 {
        return f64::NAN;
    }
    // Ascending scores: each machine document beats every human one below its tie
    // group and draws with the humans inside it.
    let mut humans_below = 0usize;
    let mut wins = 0.0;
    for group in &groups {
        wins += group.machine as f64 * (humans_below as f64 + 0.5 * group.human as f64);
        humans_below += group.human;
    }
    wins / (machine_total as f64 * human_total as f64)
}

/// The ROC curve's true-positive rate at the largest false-positive rate that does
/// not exceed `fpr`. The curve's points flag the documents in the top k tie groups of
/// scores, k = 0 (nothing, the point (0, 0)) to all (the point (1, 1)); a tie group
/// is never split. So 0 when even the top group holds too many humans.
///
/// NaN when either class is empty or any score is NaN. Panics when the slices
/// differ in length.
pub fn tpr_at_fpr(scores: &[f64], machine: &[bool], fpr: f64) -> f64 {
    let Some(groups) = tie_groups(scores, machine) else {
        return f64::NAN;
    };
    let (machine_total, human_total) = totals(&groups);
    if machine_total == 0 || human_total == 0 {
        return f64::NAN;
    }
    // Lower the threshold one tie group at a time from the top; the false-positive
    // rate never decreases, so the last point within budget has the highest TPR.
    let (mut true_positives, mut false_positives) = (0usize, 0usize);
    let mut best = 0usize;
    for group in groups.iter().rev() {
        true_positives += group.machine;
        false_positives += group.human;
        if false_positives as f64 / human_total as f64 > fpr {
            break;
        }
        best = true_positives;
    }
    best as f64 / machine_total as f64
}

/// Documents sharing one score value.
struct TieGroup {
    machine: usize,
    human: usize,
}

/// Tie groups in ascending score order; `None` when a score is NaN.
fn tie_groups(scores: &[f64], machine: &[bool]) -> Option<Vec<TieGroup>> {
    assert_eq!(
        scores.len(),
        machine.len(),
        "{} scores but {} labels",
        scores.len(),
        machine.len()
    );
    if scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut groups: Vec<TieGroup> = Vec::new();
    let mut previous = None;
    for index in order {
        // -0.0 and 0.0 are one value here, unlike in total_cmp.
        if previous != Some(scores[index]) {
            groups.push(TieGroup {
                machine: 0,
                human: 0,
            });
            previous = Some(scores[index]);
        }
        let group = groups.last_mut().expect("pushed above");
        if machine[index] {
            group.machine += 1;
        } else {
            group.human += 1;
        }
    }
    Some(groups)
}

fn totals(groups: &[TieGroup]) -> (usize, usize) {
    groups
        .iter()
        .fold((0, 0), |(m, h), g| (m + g.machine, h + g.human))
}
