//! Text normalisation and the exact-dedup hash (docs/formulas.md §6, "Exact"); the index
//! of kept hashes is [`super::ExactDedup`].
//!
//! Normalisation: lowercase; strip diacritics; digit runs → `0`; punctuation → space;
//! collapse whitespace. Diacritics: the reference asks for Unicode NFD followed by
//! dropping combining marks. Without a Unicode-tables dependency we approximate NFD with
//! a hand-written table of the precomposed Latin letters in Latin-1 Supplement and
//! Latin Extended-A that NFD decomposes into base letter + mark (é → e, ł stays ł,
//! as NFD leaves it), and we drop combining marks U+0300–U+036F when the input is
//! already decomposed. Letters outside those blocks (Vietnamese, Greek tonos, …) keep
//! their marks: two texts differing only there are not exact duplicates.

/// FNV-1a 64-bit offset basis and prime (Fowler–Noll–Vo, public domain).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a over bytes followed by the SplitMix64 finaliser, so that short inputs still
/// spread over all 64 bits. Stable across platforms and Rust versions (unlike
/// `DefaultHasher`), which keeps results reproducible.
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

/// Normalise text for exact hashing and shingling (docs/formulas.md §6).
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

/// [`normalize`] into `out` (buffers reused), and the byte ranges of its words into
/// `words`; one pass over the bytes with a table for ASCII text (lowercase, digit runs
/// → `0`, other bytes separate words), [`normalize`] for any other text.
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

/// 64-bit hash of the normalised text.
pub fn exact_hash(text: &str) -> u64 {
    let (mut normalized, mut words) = (String::new(), Vec::new());
    normalize_into(text, &mut normalized, &mut words);
    hash_bytes(normalized.as_bytes())
}
