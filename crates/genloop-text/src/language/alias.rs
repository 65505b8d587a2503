//! Walker's alias method (Walker 1977), with Vose's stable construction (Vose 1991,
//! "A linear algorithm for generating random numbers with a given distribution"):
//! O(n) set-up, O(1) per draw.

/// Draws indices `0..n` with probabilities proportional to given weights.
#[derive(Clone, Debug)]
pub(crate) struct AliasTable {
    /// Probability of keeping column i rather than taking its alias.
    keep: Vec<f64>,
    alias: Vec<u32>,
}

impl AliasTable {
    /// `weights` must be finite, non-negative, with a positive sum.
    pub(crate) fn new(weights: &[f64]) -> AliasTable {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        assert!(n > 0 && total > 0.0 && total.is_finite(), "alias weights");
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut keep = vec![1.0; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            keep[s] = scaled[s];
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Whatever is left is 1 up to rounding: keep it always.
        for i in small.into_iter().chain(large) {
            keep[i] = 1.0;
        }
        AliasTable { keep, alias }
    }

    pub(crate) fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        let column = rng.random_range(0..self.keep.len());
        if rng.random::<f64>() < self.keep[column] {
            column as u32
        } else {
            self.alias[column]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn frequencies_match_weights() {
        let weights = [5.0, 1.0, 0.0, 3.0, 1.0];
        let table = AliasTable::new(&weights);
        let mut rng = genloop_core::seed::Rng::seed_from_u64(1);
        let draws = 200_000;
        let mut counts = [0usize; 5];
        for _ in 0..draws {
            counts[table.sample(&mut rng) as usize] += 1;
        }
        for (count, weight) in counts.iter().zip(weights) {
            let p = weight / 10.0;
            let standard_error = (p * (1.0 - p) / draws as f64).sqrt();
            let observed = *count as f64 / draws as f64;
            assert!(
                (observed - p).abs() <= 5.0 * standard_error + 1e-12,
                "{counts:?}"
            );
        }
    }
}
