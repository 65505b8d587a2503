//! The LSH bucket table of the near-dup index: band key → newest entry of its bucket,
//! in one flat open-addressing array of 8-byte slots (32-bit key fingerprint, 32-bit
//! entry).
//!
//! Why not a `HashMap<u64, u32>`: at a million short documents the table holds 14 M
//! band keys, far beyond the caches, so each lookup costs a memory access; hashbrown
//! keeps control bytes and slots in two arrays (two misses per lookup) and 16-byte
//! slots. Here one probe touches one cache line, and the table is half the size.
//!
//! Fingerprints keep 32 bits of the 64-bit band key, so two different band keys may
//! share a bucket (probability ≈ keys / 2³² per lookup, 0.3 % at 14 M keys). That only
//! adds a candidate, and every candidate is verified with exact Jaccard.

/// Slot value of an empty slot; occupied slots hold `fingerprint << 32 | (entry + 1)`.
const EMPTY: u64 = 0;

#[derive(Debug, Clone)]
pub struct BandBuckets {
    slots: Vec<u64>,
    /// Occupied slots.
    len: usize,
}

impl Default for BandBuckets {
    fn default() -> Self {
        BandBuckets {
            slots: vec![EMPTY; 1 << 10],
            len: 0,
        }
    }
}

fn fingerprint(key: u64) -> u64 {
    key >> 32
}

impl BandBuckets {
    /// Slot holding `key`'s bucket, or the empty slot where it would go (linear
    /// probing from the fingerprint's low bits; the table is at most half full).
    fn position(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let fingerprint = fingerprint(key);
        let mut position = fingerprint as usize & mask;
        loop {
            let slot = self.slots[position];
            if slot == EMPTY || slot >> 32 == fingerprint {
                return position;
            }
            position = (position + 1) & mask;
        }
    }

    /// Newest entry of `key`'s bucket.
    pub fn head(&self, key: u64) -> Option<u32> {
        match self.slots[self.position(key)] {
            EMPTY => None,
            slot => Some((slot as u32).wrapping_sub(1)),
        }
    }

    /// Newest entries of the buckets of `keys`, into `heads`. Every key's first slot is
    /// read before any is examined: the reads are independent, so their cache misses
    /// overlap instead of queueing behind one another's probe loop (a third of the
    /// lookup time at a million documents).
    pub fn heads(&self, keys: &[u64], heads: &mut Vec<Option<u32>>) {
        let mask = self.slots.len() - 1;
        heads.clear();
        for keys in keys.chunks(32) {
            let mut first_slots = [EMPTY; 32];
            for (first, &key) in first_slots.iter_mut().zip(keys) {
                *first = self.slots[fingerprint(key) as usize & mask];
            }
            heads.extend(first_slots.iter().zip(keys).map(|(&first, &key)| {
                if first == EMPTY {
                    None
                } else if first >> 32 == fingerprint(key) {
                    Some((first as u32).wrapping_sub(1))
                } else {
                    self.head(key)
                }
            }));
        }
    }

    /// Make `entry` the newest of `key`'s bucket; returns the previous newest.
    ///
    /// # Panics
    /// When `entry` is `u32::MAX` (no room for the empty marker).
    pub fn push(&mut self, key: u64, entry: u32) -> Option<u32> {
        let stored = u64::from(entry.checked_add(1).expect("entry below u32::MAX"));
        let position = self.position(key);
        let previous = match self.slots[position] {
            EMPTY => {
                self.len += 1;
                None
            }
            slot => Some((slot as u32).wrapping_sub(1)),
        };
        self.slots[position] = fingerprint(key) << 32 | stored;
        if 2 * self.len > self.slots.len() {
            self.grow();
        }
        previous
    }

    fn grow(&mut self) {
        let doubled = vec![EMPTY; 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|&slot| slot != EMPTY) {
            let mut position = (slot >> 32) as usize & mask;
            while self.slots[position] != EMPTY {
                position = (position + 1) & mask;
            }
            self.slots[position] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_chain_entries_and_survive_growth() {
        let mut buckets = BandBuckets::default();
        let key = |i: u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (i << 7);
        for i in 0..5_000u64 {
            assert_eq!(buckets.push(key(i), i as u32), None, "{i}");
        }
        assert_eq!(buckets.len, 5_000);
        assert_eq!(buckets.push(key(17), 9_000), Some(17));
        for i in (0..5_000u64).filter(|&i| i != 17) {
            assert_eq!(buckets.head(key(i)), Some(i as u32));
        }
        assert_eq!(buckets.head(key(17)), Some(9_000));
        assert_eq!(buckets.head(key(123_456)), None);
        let keys = [key(3), key(123_456), key(17), key(4_999)];
        let mut heads = Vec::new();
        buckets.heads(&keys, &mut heads);
        assert_eq!(heads, [Some(3), None, Some(9_000), Some(4_999)]);
        // Entry 0 is stored as 1: distinct from an empty slot.
        let mut small = BandBuckets::default();
        small.push(42 << 32, 0);
        assert_eq!(small.head(42 << 32), Some(0));
    }
}
