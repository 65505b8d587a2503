//! Scores pooled per author or thread: a short post holds too few tokens for a
//! reliable score, and an author's posts are usually all human or all machine
//! (docs/formulas.md §7).

use std::collections::HashMap;
use std::hash::Hash;

/// Each document's score replaced by the mean score of its group (`groups[i]` is
/// document i's author or thread). A NaN score makes its group's mean NaN. Panics
/// when the slices differ in length.
pub fn aggregate_by_group<K: Eq + Hash>(scores: &[f64], groups: &[K]) -> Vec<f64> {
    assert_eq!(
        scores.len(),
        groups.len(),
        "{} scores but {} group keys",
        scores.len(),
        groups.len()
    );
    let mut sums: HashMap<&K, (f64, usize)> = HashMap::new();
    for (&score, group) in scores.iter().zip(groups) {
        let entry = sums.entry(group).or_insert((0.0, 0));
        entry.0 += score;
        entry.1 += 1;
    }
    groups
        .iter()
        .map(|group| {
            let (sum, count) = sums[group];
            sum / count as f64
        })
        .collect()
}
