//! Seeded mutation of inputs, for the parsers' robustness tests (issue 12): every
//! reader and checker of genloop is fed mutated copies of valid inputs and must
//! answer `Ok` or a typed error, never panic. Stable Rust and no fuzzing engine: a
//! seeded loop over [`Mutator::mutate`], bounded by a count and a time
//! ([`run_for`]), so a failure is reproduced by its seed and iteration.
//!
//! Mutations are byte edits (flip, delete, duplicate, truncate) and splices of
//! tokens that broke parsers before: extreme numbers (`nan`, `inf`, `-1`, 2⁶³ − 1,
//! 2³²), empty and deeply nested values, invalid UTF-8.

use std::time::{Duration, Instant};

use rand::{Rng as _, SeedableRng};

use crate::seed::Rng;

/// Tokens spliced into inputs: the values that broke genloop's checks before, and
/// structure that stresses parsers.
pub const INTERESTING: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "1e-320",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967296",
    "4000000000",
    "18446744073709551615",
    "\"\"",
    "[]",
    "{}",
    "[[nan]]",
    "[[inf]]",
    "[inf]",
    "null",
    "true",
    "\"\u{0}\"",
    "\\",
    "\"",
    "\n",
    "\r\n",
    "[[[[[[[[[[[[[[[[",
    "}}}}",
    "\u{feff}",
    "é",
    "\u{10ffff}",
];

/// Mutates byte strings with its own seeded stream.
pub struct Mutator {
    rng: Rng,
}

impl Mutator {
    pub fn new(seed: u64) -> Mutator {
        Mutator {
            rng: Rng::seed_from_u64(seed),
        }
    }

    /// A copy of `input` with 1 to 4 mutations.
    pub fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut bytes = input.to_vec();
        for _ in 0..self.rng.random_range(1..=4) {
            self.mutate_once(&mut bytes);
        }
        bytes
    }

    fn mutate_once(&mut self, bytes: &mut Vec<u8>) {
        let at = self.rng.random_range(0..=bytes.len());
        match self.rng.random_range(0..6) {
            0 if at < bytes.len() => bytes[at] ^= 1 << self.rng.random_range(0..8),
            1 if at < bytes.len() => {
                let end = (at + self.rng.random_range(1..16)).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => bytes.truncate(at),
            3 if at < bytes.len() => {
                let end = (at + self.rng.random_range(1..64)).min(bytes.len());
                let chunk = bytes[at..end].to_vec();
                bytes.splice(at..at, chunk);
            }
            4 => bytes.insert(at, self.rng.random()),
            _ => self.splice_token(bytes, at),
        }
    }

    /// Replaces the number or word at `at` (or inserts there) by an
    /// [`INTERESTING`] token.
    fn splice_token(&mut self, bytes: &mut Vec<u8>, at: usize) {
        let token = INTERESTING[self.rng.random_range(0..INTERESTING.len())].as_bytes();
        let word = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_');
        let start = bytes[..at]
            .iter()
            .rposition(|b| !word(b))
            .map_or(0, |i| i + 1);
        let end = bytes[at..]
            .iter()
            .position(|b| !word(b))
            .map_or(bytes.len(), |i| at + i);
        if self.rng.random_bool(0.7) {
            bytes.splice(start..end, token.iter().copied());
        } else {
            bytes.splice(at..at, token.iter().copied());
        }
    }
}

/// Runs `check` on mutants of `seeds` (round robin) until `iterations` are done or
/// `budget` has passed; returns the count run. `check` gets the iteration's seed
/// index and the mutant; it panics on a failure (the caller names the input).
pub fn run_for(
    seeds: &[Vec<u8>],
    seed: u64,
    iterations: usize,
    budget: Duration,
    mut check: impl FnMut(usize, &[u8]),
) -> usize {
    let start = Instant::now();
    let mut mutator = Mutator::new(seed);
    for i in 0..iterations {
        if start.elapsed() > budget {
            return i;
        }
        let index = i % seeds.len();
        let mutant = mutator.mutate(&seeds[index]);
        check(index, &mutant);
    }
    iterations
}

/// The time budget of one target: `GENLOOP_FUZZ_SECONDS` (CI may raise it), else
/// `default_seconds`.
pub fn budget(default_seconds: u64) -> Duration {
    let seconds = std::env::var("GENLOOP_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_seconds);
    Duration::from_secs(seconds)
}

/// Whether calling `f` panics, with the panic's message; the default hook's output
/// is kept (it names the place).
pub fn panics<T>(f: impl FnOnce() -> T) -> Option<String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(_) => None,
        Err(payload) => Some(
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutants_are_reproducible_from_the_seed() {
        let input = b"holdout = 1000\nname = \"a\"\n";
        let a: Vec<Vec<u8>> = (0..20)
            .map({
                let mut m = Mutator::new(7);
                move |_| m.mutate(input)
            })
            .collect();
        let b: Vec<Vec<u8>> = (0..20)
            .map({
                let mut m = Mutator::new(7);
                move |_| m.mutate(input)
            })
            .collect();
        assert_eq!(a, b);
        assert!(a.iter().any(|m| m != input));
    }

    #[test]
    fn a_panic_is_caught_with_its_message() {
        assert_eq!(panics(|| 1), None);
        assert_eq!(panics(|| panic!("boom {}", 1)).as_deref(), Some("boom 1"));
    }
}
