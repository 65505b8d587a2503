//! Subsampling without replacement across parts, keeping each part's provenance.

use rand::seq::index;

use crate::data::{Dataset, Part};
use crate::seed::Rng;

/// Records drawn uniformly without replacement from `parts` until `budget` units are
/// reached (all of them when the parts hold fewer). Each part's selection keeps its
/// provenance; selected records keep their order within a part.
pub fn subsample<D: Dataset>(parts: &[Part<D>], budget: usize, rng: &mut Rng) -> Vec<Part<D>> {
    let total_units: usize = parts.iter().map(|p| p.data.units()).sum();
    if budget >= total_units {
        return parts.to_vec();
    }
    let total_records: usize = parts.iter().map(|p| p.data.len()).sum();
    let chosen: Vec<usize> = if parts.iter().all(|p| p.data.unit_records()) {
        index::sample(rng, total_records, budget).into_vec()
    } else {
        // Variable-size records (documents): walk a random permutation until the
        // budget in units is met.
        let lookup = |mut i: usize| {
            for part in parts {
                if i < part.data.len() {
                    return part.data.units_of(i);
                }
                i -= part.data.len();
            }
            unreachable!("record index within the pool")
        };
        let mut taken = 0;
        let mut chosen = Vec::new();
        for i in index::sample(rng, total_records, total_records).into_iter() {
            if taken >= budget {
                break;
            }
            taken += lookup(i);
            chosen.push(i);
        }
        chosen
    };
    let mut by_part: Vec<Vec<usize>> = vec![Vec::new(); parts.len()];
    let starts: Vec<usize> = parts
        .iter()
        .scan(0, |acc, p| {
            let start = *acc;
            *acc += p.data.len();
            Some(start)
        })
        .collect();
    for i in chosen {
        let part = starts.partition_point(|&s| s <= i) - 1;
        by_part[part].push(i - starts[part]);
    }
    parts
        .iter()
        .zip(by_part)
        .filter(|(_, idx)| !idx.is_empty())
        .map(|(part, mut idx)| {
            idx.sort_unstable();
            part.select(&idx)
        })
        .collect()
}
