//! Shingles and band keys of MinHash-LSH: [`super::normalize_into`],
//! [`super::shingles_into`] and the MinHash signature with buffers reused from one
//! document to the next, so a post costs no allocation. The tests below compare every
//! output with the allocating functions.

use super::minhash::shingles_into;
use super::normalize::mix64;
use super::ValidDedupParams;

/// Shingle set and band keys of one document: what near-dedup computes once per
/// document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sketch {
    pub shingles: Vec<u64>,
    pub band_keys: Vec<u64>,
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
        let p = self.params.params();
        shingles_into(
            text,
            (p.shingle_words, p.short_shingle_words, p.short_text_words),
            &mut self.normalized,
            &mut self.words,
            shingles,
        );
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

    /// Shingles and band keys of a text into `sketch` (its buffers are reused).
    pub fn sketch_into(&mut self, text: &str, sketch: &mut Sketch) {
        self.shingles_into(text, &mut sketch.shingles);
        self.band_keys_into(&sketch.shingles, &mut sketch.band_keys);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::{exact_hash, normalize, normalize_into, DedupParams, ExactDedup};

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
        let mut exact = ExactDedup::new();
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
            assert_eq!(exact.hash(text), exact_hash(text), "{text:?}");
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
