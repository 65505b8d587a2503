//! Hash maps keyed by values that are already 64-bit hashes (normalised-text hashes,
//! LSH band keys): re-hashing them with SipHash would only cost time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Passes a `u64` key through unchanged.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for keys other than u64; fold them in so it stays a hash.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// A map whose `u64` keys are already well-mixed hashes.
pub type PrehashedMap<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;
