//! Text normalisation and exact deduplication (REFERENCE.md §4, "Exact").
//!
//! Normalisation: lowercase; strip diacritics; digit runs → `0`; punctuation → space;
//! collapse whitespace. Diacritics: the reference asks for Unicode NFD followed by
//! dropping combining marks. Without a Unicode-tables dependency we approximate NFD with
//! a hand-written table of the precomposed Latin letters in Latin-1 Supplement and
//! Latin Extended-A that NFD decomposes into base letter + mark (é → e, ł stays ł,
//! as NFD leaves it), and we drop combining marks U+0300–U+036F when the input is
//! already decomposed. Letters outside those blocks (Vietnamese, Greek tonos, …) keep
//! their marks: two texts differing only there are not exact duplicates.

use std::collections::HashMap;

/// FNV-1a 64-bit offset basis and prime (Fowler–Noll–Vo, public domain).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a over bytes followed by the SplitMix64 finaliser, so that short inputs still
/// spread over all 64 bits. Stable across platforms and Rust versions (unlike
/// `DefaultHasher`), which keeps results reproducible.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hash = FNV_OFFSET;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    mix64(hash)
}

/// SplitMix64 finaliser (Steele, Lea & Flood 2014).
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Base letter of a lowercase precomposed Latin letter whose NFD form is base + marks.
fn strip_diacritic(c: char) -> Option<char> {
    let base = match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' => 'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' => 'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò'..='ö' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => return None,
    };
    Some(base)
}

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036f}').contains(&c)
}

/// Normalise text for exact hashing and shingling (REFERENCE.md §4).
///
/// ```
/// use genloop_curate::dedup::normalize;
/// assert_eq!(normalize("  Café, 2024-11!  Déjà vu\n"), "cafe 0 0 deja vu");
/// ```
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // What the last pushed character was, to collapse digit runs and separators.
    let mut in_digits = false;
    let mut pending_space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            continue;
        }
        let c = strip_diacritic(c).unwrap_or(c);
        if c.is_numeric() {
            if !in_digits {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push('0');
                in_digits = true;
            }
        } else if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            in_digits = false;
            out.push(c);
        } else {
            // Whitespace, punctuation and symbols all separate words.
            pending_space = true;
            in_digits = false;
        }
    }
    out
}

/// 64-bit hash of the normalised text.
pub fn exact_hash(text: &str) -> u64 {
    hash_bytes(normalize(text).as_bytes())
}

/// Exact deduplication by the hash of the normalised text.
///
/// A 64-bit hash over n documents collides with probability about n²/2⁶⁵ (≈ 3·10⁻⁸ for
/// a million documents), so the hash alone stands for the text.
#[derive(Debug, Clone, Default)]
pub struct ExactDedup {
    first_by_hash: HashMap<u64, u64>,
}

impl ExactDedup {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record `text` under `id`; returns the id of the first document with the same
    /// normalised text, or `None` when this is the first.
    pub fn insert(&mut self, id: u64, text: &str) -> Option<u64> {
        let hash = exact_hash(text);
        match self.first_by_hash.get(&hash) {
            Some(&first) => Some(first),
            None => {
                self.first_by_hash.insert(hash, id);
                None
            }
        }
    }

    /// Number of distinct normalised texts seen.
    pub fn len(&self) -> usize {
        self.first_by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first_by_hash.is_empty()
    }
}
