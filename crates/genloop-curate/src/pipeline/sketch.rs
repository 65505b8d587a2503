//! Shingles, exact-dedup hashes and band keys for the stream, equal bit for bit to the
//! dedup module's ([`crate::dedup::normalize`], [`crate::dedup::exact_hash`],
//! [`ValidDedupParams::shingles`]) without their per-document allocations.
//!
//! Why not call those directly: on 30-word posts they cost about 4 µs per document
//! (a `String` per shingle for `join`, Unicode case tables for ASCII text), more than
//! the whole budget of the dedup throughput target (ten times a numpy implementation,
//! ≈ 4 µs per post). Two observations keep this exact:
//! - the normalised text has single spaces between words and none at the ends, so the
//!   joined words of a shingle are a substring of it and can be hashed in place;
//! - for ASCII text, normalisation is one pass over the bytes with a table (lowercase,
//!   digit runs → `0`, other bytes separate words) that also finds the words; any other
//!   text goes through [`crate::dedup::normalize`].
//!
//! The contract tests below compare every output with the dedup module's.

use crate::dedup::{normalize, ValidDedupParams};

/// FNV-1a 64-bit offset basis and prime (Fowler–Noll–Vo), as in the dedup module.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a followed by the SplitMix64 finaliser: the dedup module's byte hash.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hash = FNV_OFFSET;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    mix64(hash)
}

/// SplitMix64 finaliser (Steele, Lea & Flood 2014).
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What an ASCII byte becomes in normalised text: its lowercase letter, `0` for a
/// digit, 0 for a separator (everything else).
static ASCII_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        table[byte] = if b.is_ascii_digit() {
            b'0'
        } else if b.is_ascii_alphabetic() {
            b.to_ascii_lowercase()
        } else {
            0
        };
        byte += 1;
    }
    table
};

/// [`normalize`] into `out`, and the byte ranges of its words into `words`; one pass
/// over the bytes for ASCII text.
pub fn normalize_into(text: &str, out: &mut String, words: &mut Vec<(usize, usize)>) {
    words.clear();
    if !text.is_ascii() {
        out.clear();
        out.push_str(&normalize(text));
        let mut start = 0;
        for word in out.split(' ') {
            if !word.is_empty() {
                words.push((start, start + word.len()));
            }
            start += word.len() + 1;
        }
        return;
    }
    let mut bytes = std::mem::take(out).into_bytes();
    bytes.clear();
    bytes.reserve(text.len());
    let input = text.as_bytes();
    let mut position = 0;
    // Word by word: skip separators, then copy the word's mapped bytes; each loop
    // exit is the only hard-to-predict branch.
    while position < input.len() {
        while position < input.len() && ASCII_CLASS[usize::from(input[position])] == 0 {
            position += 1;
        }
        if position == input.len() {
            break;
        }
        if !bytes.is_empty() {
            bytes.push(b' ');
        }
        let start = bytes.len();
        let mut after_digit = false;
        while position < input.len() {
            let mapped = ASCII_CLASS[usize::from(input[position])];
            if mapped == 0 {
                break;
            }
            // A run of digits becomes one `0`.
            let digit = mapped == b'0';
            if !(digit && after_digit) {
                bytes.push(mapped);
            }
            after_digit = digit;
            position += 1;
        }
        words.push((start, bytes.len()));
    }
    *out = String::from_utf8(bytes).expect("ASCII bytes are UTF-8");
}

/// Reusable buffers turning texts into shingle sets, exact hashes and band keys.
#[derive(Debug, Clone)]
pub struct Sketcher {
    params: ValidDedupParams,
    normalized: String,
    /// Byte ranges of the words of `normalized`.
    words: Vec<(usize, usize)>,
    reduced: Vec<u64>,
    signature: Vec<u64>,
}

impl Sketcher {
    pub fn new(params: ValidDedupParams) -> Sketcher {
        let signature = vec![0; params.hasher().num_perm()];
        Sketcher {
            params,
            normalized: String::new(),
            words: Vec::new(),
            reduced: Vec::new(),
            signature,
        }
    }

    pub fn params(&self) -> &ValidDedupParams {
        &self.params
    }

    /// Sorted, de-duplicated shingle hashes of `text` into `shingles`; equal to
    /// [`ValidDedupParams::shingles`].
    pub fn shingles_into(&mut self, text: &str, shingles: &mut Vec<u64>) {
        normalize_into(text, &mut self.normalized, &mut self.words);
        shingles.clear();
        if self.words.is_empty() {
            return;
        }
        let p = self.params.params();
        let size = if self.words.len() < p.short_text_words {
            p.short_shingle_words
        } else {
            p.shingle_words
        };
        let size = size.clamp(1, self.words.len());
        let bytes = self.normalized.as_bytes();
        shingles.extend(
            self.words
                .windows(size)
                .map(|window| hash_bytes(&bytes[window[0].0..window[size - 1].1])),
        );
        shingles.sort_unstable();
        shingles.dedup();
    }

    /// LSH band keys of a shingle set into `keys`, one per band: the band's rows
    /// folded by multiply-xor from the band index (so equal rows in different bands
    /// land in different buckets), then SplitMix64's finaliser. A key collision only
    /// adds a candidate, which verification then rejects.
    pub fn band_keys_into(&mut self, shingles: &[u64], keys: &mut Vec<u64>) {
        self.params
            .hasher()
            .sign_into(shingles, &mut self.reduced, &mut self.signature);
        keys.clear();
        let rows = self.params.params().rows;
        keys.extend(
            self.signature
                .chunks(rows)
                .enumerate()
                .map(|(band, values)| {
                    // Multiply-xor over the rows, then one full finaliser: the rows
                    // are already uniform hashes, so only the final bits need mixing.
                    let folded = values.iter().fold(band as u64 + 1, |hash, &value| {
                        (hash ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                    });
                    mix64(folded)
                }),
        );
    }

    /// Hash of the normalised text; equal to [`crate::dedup::exact_hash`].
    pub fn exact_hash(&mut self, text: &str) -> u64 {
        normalize_into(text, &mut self.normalized, &mut self.words);
        hash_bytes(self.normalized.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::{exact_hash, DedupParams};

    /// Texts that exercise every branch of normalisation and shingling.
    const TEXTS: [&str; 14] = [
        "",
        "   ",
        "One",
        "Two words",
        "  Café, 2024-11!  Déjà vu\n",
        "the quick brown fox jumps over the lazy dog again and again",
        "abc123def 45.67 -- 8 9 10x",
        "UPPER lower MiXeD; punctuation: (parens) [brackets] {braces} 'quotes' \"double\"",
        "tabs\tand\nnewlines\r\nand\u{a0}no-break spaces",
        "combining e\u{301} and precomposed é; ł stays; Ω and ß and İ",
        "@mention #hashtag https://example.org/path?q=1 email@example.com",
        "日本語のテキスト 混在 text 123",
        "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n \
         o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u v w x y z",
        "0 00 000 1 11 111 2.5 3,000,000",
    ];

    #[test]
    fn normalisation_and_exact_hashes_equal_the_dedup_module() {
        let mut sketcher = Sketcher::new(DedupParams::default().check().unwrap());
        let (mut out, mut words) = (String::new(), Vec::new());
        let check = |text: &str, out: &String, words: &Vec<(usize, usize)>| {
            assert_eq!(*out, normalize(text), "{text:?}");
            let split: Vec<&str> = out.split(' ').filter(|w| !w.is_empty()).collect();
            let ranges: Vec<&str> = words.iter().map(|&(s, e)| &out[s..e]).collect();
            assert_eq!(ranges, split, "{text:?}");
        };
        for text in TEXTS {
            normalize_into(text, &mut out, &mut words);
            check(text, &out, &words);
            assert_eq!(sketcher.exact_hash(text), exact_hash(text), "{text:?}");
        }
        // Every printable ASCII byte next to letters and digits.
        for byte in 0x20u8..0x7f {
            let c = byte as char;
            let text = format!("a{c}b 1{c}2 {c}x{c} 9{c}");
            normalize_into(&text, &mut out, &mut words);
            check(&text, &out, &words);
        }
    }

    #[test]
    fn shingles_equal_the_dedup_module_for_every_shingle_size() {
        for (shingle_words, short_shingle_words, short_text_words) in
            [(5, 3, 50), (5, 3, 3), (1, 1, 0), (2, 4, 10), (9, 9, 0)]
        {
            let params = DedupParams {
                shingle_words,
                short_shingle_words,
                short_text_words,
                ..DedupParams::default()
            }
            .check()
            .unwrap();
            let mut sketcher = Sketcher::new(params.clone());
            let mut shingles = Vec::new();
            for text in TEXTS {
                sketcher.shingles_into(text, &mut shingles);
                assert_eq!(shingles, params.shingles(text), "{text:?}");
            }
        }
    }
}
