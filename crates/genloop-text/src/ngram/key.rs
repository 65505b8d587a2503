//! N-grams packed into one integer during estimation.
//!
//! Words are dense ranks (training types, then `</s>`, then `<s>`) of `bits` bits
//! each. An n-gram `w1 … wn` is packed *reversed*: the last word is the most
//! significant, the first the least (KenLM's "suffix order", Heafield et al. 2013,
//! §3.1). Sorting packed keys then groups n-grams by suffix, and dropping the first
//! word (`>> bits`) keeps a sorted array sorted, which turns the continuation
//! counts of every lower order into one linear pass. u64 keys are used when
//! `order × bits ≤ 64`, u128 otherwise (KJV words, order 5: 14 bits × 5 = 70).

/// An unsigned integer holding up to `order` packed words.
pub(crate) trait Key:
    Copy + Ord + Eq + Default + Send + Sync + std::fmt::Debug + 'static
{
    fn from_word(word: u32) -> Self;
    fn shl(self, bits: u32) -> Self;
    fn shr(self, bits: u32) -> Self;
    fn or(self, other: Self) -> Self;
    /// Keeps the lowest `bits` bits.
    fn low(self, bits: u32) -> Self;
    /// The lowest 32 bits (a word, after masking).
    fn low_word(self) -> u32;
}

macro_rules! impl_key {
    ($t:ty) => {
        impl Key for $t {
            #[inline]
            fn from_word(word: u32) -> Self {
                word as $t
            }
            #[inline]
            fn shl(self, bits: u32) -> Self {
                if bits >= Self::BITS {
                    0
                } else {
                    self << bits
                }
            }
            #[inline]
            fn shr(self, bits: u32) -> Self {
                if bits >= Self::BITS {
                    0
                } else {
                    self >> bits
                }
            }
            #[inline]
            fn or(self, other: Self) -> Self {
                self | other
            }
            #[inline]
            fn low(self, bits: u32) -> Self {
                if bits >= Self::BITS {
                    self
                } else {
                    self & ((1 as $t << bits) - 1)
                }
            }
            #[inline]
            fn low_word(self) -> u32 {
                self as u32
            }
        }
    };
}

impl_key!(u64);
impl_key!(u128);

/// Packing geometry of one estimation: `bits` per word.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Packing {
    pub bits: u32,
}

impl Packing {
    /// Word `position` (0 = first) of a packed n-gram of `length` words.
    #[inline]
    pub fn word<K: Key>(self, key: K, position: usize) -> u32 {
        key.shr(self.bits * position as u32)
            .low(self.bits)
            .low_word()
    }

    /// The last word (the most significant) of an n-gram of `length` words.
    #[inline]
    pub fn last<K: Key>(self, key: K, length: usize) -> u32 {
        self.word(key, length - 1)
    }

    /// The first `length - 1` words: the context of an n-gram of `length` words.
    #[inline]
    pub fn context<K: Key>(self, key: K, length: usize) -> K {
        key.low(self.bits * (length as u32 - 1))
    }

    /// Words 2…n: the suffix an n-gram backs off to.
    #[inline]
    pub fn suffix<K: Key>(self, key: K) -> K {
        key.shr(self.bits)
    }

    #[cfg(test)]
    /// Unpacks an n-gram of `length` words into `out` (first word first).
    pub fn unpack<K: Key>(self, key: K, length: usize, out: &mut Vec<u32>) {
        out.clear();
        out.extend((0..length).map(|position| self.word(key, position)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips_and_orders_by_suffix() {
        let packing = Packing { bits: 5 };
        let pack = |words: &[u32]| -> u64 {
            words
                .iter()
                .enumerate()
                .fold(0u64, |key, (i, &w)| key | u64::from(w) << (5 * i as u32))
        };
        let key = pack(&[3, 7, 1]);
        let mut words = Vec::new();
        packing.unpack(key, 3, &mut words);
        assert_eq!(words, vec![3, 7, 1]);
        assert_eq!(packing.last(key, 3), 1);
        assert_eq!(packing.context(key, 3), pack(&[3, 7]));
        assert_eq!(packing.suffix(key), pack(&[7, 1]));
        // Suffix order: the last word decides first.
        assert!(pack(&[9, 9, 1]) < pack(&[0, 0, 2]));
    }
}
