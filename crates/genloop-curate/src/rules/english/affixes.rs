//! Where a chunk of text is cut, following the punctuation rules spaCy 3 documents for
//! English: prefixes (opening brackets and quotes, currency signs, symbols), suffixes
//! (closing punctuation, `'s`, a final period after a lowercase letter, a digit or
//! punctuation, units after a number), infixes (ellipses, hyphens and `/ : < > =`
//! between letters, a period between a lowercase and an uppercase letter, a comma
//! between letters, arithmetic between digits) and URLs, which are never cut inside.

use unicode_categories::UnicodeCategories;

/// Punctuation that is a prefix, a suffix, and (for '.' lookbehind) counts as punctuation.
fn is_punct_mark(c: char) -> bool {
    matches!(
        c,
        '…' | ','
            | ':'
            | ';'
            | '!'
            | '?'
            | '¿'
            | '؟'
            | '¡'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '<'
            | '>'
            | '_'
            | '#'
            | '*'
            | '&'
            | '。'
            | '？'
            | '！'
            | '，'
            | '、'
            | '；'
            | '：'
            | '～'
            | '·'
            | '।'
            | '،'
            | '۔'
            | '؛'
            | '٪'
    )
}

/// Quotes and CJK brackets, split off either end.
pub(super) fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\'' | '"'
            | '”'
            | '“'
            | '`'
            | '‘'
            | '´'
            | '’'
            | '‚'
            | ','
            | '„'
            | '»'
            | '«'
            | '「'
            | '」'
            | '『'
            | '』'
            | '（'
            | '）'
            | '〔'
            | '〕'
            | '【'
            | '】'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '⟦'
            | '⟧'
    )
}

/// Symbols ("Symbol, other": ©, °, box drawing, emoji), split off anywhere.
fn is_icon(c: char) -> bool {
    !c.is_ascii() && c.is_symbol_other()
}

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '£' | '€' | '¥' | '฿' | '﷼') || ('\u{20A0}'..='\u{20BF}').contains(&c)
}

pub(super) fn is_alpha(c: char) -> bool {
    c.is_alphabetic()
}

/// Lowercase or uncased letters (CJK, Arabic... count as both cases).
fn is_alpha_lower(c: char) -> bool {
    c.is_alphabetic() && !c.is_uppercase()
}

fn is_alpha_upper(c: char) -> bool {
    c.is_alphabetic() && !c.is_lowercase()
}

/// Units that split off a number: `10km` → `10` `km`, `50%` → `50` `%`.
const UNITS: [&str; 48] = [
    "km", "km²", "km³", "m", "m²", "m³", "dm", "dm²", "dm³", "cm", "cm²", "cm³", "mm", "mm²",
    "mm³", "ha", "µm", "nm", "yd", "in", "ft", "kg", "g", "mg", "µg", "t", "lb", "oz", "m/s",
    "km/h", "kmh", "mph", "hPa", "Pa", "mbar", "mb", "MB", "kb", "KB", "gb", "GB", "tb", "TB", "T",
    "G", "M", "K", "%",
];

/// Length in bytes of the prefix to split off `s`, 0 if none.
pub(super) fn prefix_len(s: &str) -> usize {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return 0;
    };
    if s.starts_with("..") {
        return s.len() - s.trim_start_matches('.').len();
    }
    if s.starts_with("US$") {
        return 3;
    }
    if s.starts_with("C$") || s.starts_with("A$") {
        return 2;
    }
    let splits = match first {
        '§' | '%' | '=' | '—' | '–' => true,
        '+' => !chars.next().is_some_and(|c| c.is_ascii_digit()),
        c => is_punct_mark(c) || is_quote(c) || is_currency(c) || is_icon(c),
    };
    if splits {
        first.len_utf8()
    } else {
        0
    }
}

/// Length in bytes of the suffix to split off `s`, 0 if none: the longest one, as a
/// regex search finds the leftmost match ending at the end.
pub(super) fn suffix_len(s: &str) -> usize {
    let mut before = ['\0', '\0'];
    for (index, c) in s.char_indices() {
        if is_suffix(&s[index..], before) {
            return s.len() - index;
        }
        before = [before[1], c];
    }
    0
}

/// `tail` (a non-empty end of the chunk) is a suffix, after the characters `before`
/// (second to last, last; '\0' at the start).
fn is_suffix(tail: &str, before: [char; 2]) -> bool {
    let mut chars = tail.chars();
    let first = chars.next().unwrap_or('\0');
    let single = chars.next().is_none();
    let after_digit = before[1].is_ascii_digit();
    if single && (is_punct_mark(first) || is_quote(first) || is_icon(first)) {
        return true;
    }
    if single && matches!(first, '—' | '–') || tail == "……" || tail == "…" {
        return true;
    }
    if tail.len() >= 2 && tail.bytes().all(|b| b == b'.') {
        return true;
    }
    if matches!(tail, "'s" | "'S" | "’s" | "’S") {
        return true;
    }
    if after_digit && (tail == "+" || is_currency_suffix(tail) || UNITS.contains(&tail)) {
        return true;
    }
    tail == "." && period_splits_after(before)
}

fn is_currency_suffix(tail: &str) -> bool {
    let mut chars = tail.chars();
    let single = chars.next().is_some_and(is_currency) && chars.next().is_none();
    single || matches!(tail, "US$" | "C$" | "A$")
}

/// A final period splits off after a digit, a lowercase letter, `% ² - +`,
/// punctuation or a quote, two uppercase letters, or a temperature (`°C.`).
fn period_splits_after(before: [char; 2]) -> bool {
    let [second, last] = before;
    last.is_ascii_digit()
        || is_alpha_lower(last)
        || matches!(last, '%' | '²' | '-' | '+' | '|')
        || is_punct_mark(last)
        || is_quote(last)
        || (is_alpha_upper(second) && is_alpha_upper(last))
        || (second == '°' && matches!(last, 'F' | 'f' | 'C' | 'c' | 'K' | 'k'))
}

/// Byte ranges of the infixes of `s`, left to right, not overlapping.
pub(super) fn infixes(s: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut found = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        match infix_at(&chars, index) {
            Some(length) => {
                let end = chars.get(index + length).map_or(s.len(), |&(at, _)| at);
                found.push((chars[index].0, end));
                index += length;
            }
            None => index += 1,
        }
    }
    found
}

/// Hyphen-like infixes between letters or a digit and a letter, longest first tried as
/// the rule lists them.
const HYPHENS: [&str; 7] = ["-", "–", "—", "--", "---", "——", "~"];

/// Length in characters of an infix starting at `chars[index]`.
fn infix_at(chars: &[(usize, char)], index: usize) -> Option<usize> {
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let c = at(index)?;
    let previous = index.checked_sub(1).and_then(at);
    let next = at(index + 1);
    if c == '.' && next == Some('.') {
        return Some(
            (index..chars.len())
                .take_while(|&i| at(i) == Some('.'))
                .count(),
        );
    }
    if c == '…' || is_icon(c) {
        return Some(1);
    }
    let previous = previous?;
    let next = next?;
    let infix = match c {
        '+' | '-' | '*' | '^' if previous.is_ascii_digit() => next.is_ascii_digit() || next == '-',
        '.' => {
            (is_alpha_lower(previous) || is_quote(previous))
                && (is_alpha_upper(next) || is_quote(next))
        }
        ',' => is_alpha(previous) && is_alpha(next),
        ':' | '<' | '>' | '=' | '/' => {
            (is_alpha(previous) || previous.is_ascii_digit()) && is_alpha(next)
        }
        _ => false,
    };
    if infix {
        return Some(1);
    }
    if !(is_alpha(previous) || previous.is_ascii_digit()) {
        return None;
    }
    HYPHENS.iter().find_map(|hyphen| {
        let length = hyphen.chars().count();
        let matches = hyphen
            .chars()
            .enumerate()
            .all(|(k, h)| at(index + k) == Some(h));
        (matches && at(index + length).is_some_and(is_alpha)).then_some(length)
    })
}

/// A URL or host name (`https://example.com/a`, `user@host.org`, `docs.rs`): an
/// optional scheme, an optional user before '@', dot-separated labels ending in a
/// lowercase top-level name of 2 to 63 letters, an optional port, and an optional
/// path after '/', '?' or '#'; or a public IPv4 address instead of the labels.
pub(super) fn is_url(s: &str) -> bool {
    // Every host has a dot.
    if !s.contains('.') {
        return false;
    }
    let mut starts = vec![s];
    if let Some(at) = s.find("://") {
        let scheme_ok = at >= 2
            && s[..at]
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '+' | '-' | '.'));
        if scheme_ok {
            starts.push(&s[at + 3..]);
        }
    }
    starts.into_iter().any(|start| {
        host_port_path(start)
            || start
                .match_indices('@')
                .any(|(at, _)| at > 0 && host_port_path(&start[at + 1..]))
    })
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ('\u{a1}'..='\u{ffff}').contains(&c)
}

fn host_port_path(s: &str) -> bool {
    let host_end = s
        .find(|c: char| !(is_label_char(c) || matches!(c, '-' | '_' | '.')))
        .unwrap_or(s.len());
    let (host, rest) = s.split_at(host_end);
    let tail_ok = match rest.strip_prefix(':') {
        Some(port) => {
            let digits = port.len() - port.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            (2..=5).contains(&digits)
                && matches!(port[digits..].chars().next(), None | Some('/' | '?' | '#'))
        }
        None => matches!(rest.chars().next(), None | Some('/' | '?' | '#')),
    };
    tail_ok && (is_domain(host) || is_public_ipv4(host))
}

/// Four dotted numbers, 1–223 first, 1–254 last, outside the private and loopback
/// networks (10/8, 127/8, 169.254/16, 172.16/12, 192.168/16).
fn is_public_ipv4(host: &str) -> bool {
    let octets: Vec<u32> = host
        .split('.')
        .map(|part| match part.len() {
            1..=3 if part.bytes().all(|b| b.is_ascii_digit()) => part.parse().unwrap_or(256),
            _ => 256,
        })
        .collect();
    let [a, b, c, d] = octets[..] else {
        return false;
    };
    let private = a == 10
        || a == 127
        || (a == 169 && b == 254)
        || (a == 192 && b == 168)
        || (a == 172 && (16..=31).contains(&b));
    (1..=223).contains(&a) && b <= 255 && c <= 255 && (1..=254).contains(&d) && !private
}

fn is_domain(host: &str) -> bool {
    let Some((labels, top)) = host.rsplit_once('.') else {
        return false;
    };
    let top_length = top.chars().count();
    let top_ok = (2..=63).contains(&top_length) && top.chars().all(is_alpha_lower);
    top_ok
        && labels.split('.').all(|label| {
            let first = label.chars().next();
            let last = label.chars().next_back();
            label.chars().count() <= 64
                && first.is_some_and(is_label_char)
                && last.is_some_and(is_label_char)
                && label
                    .chars()
                    .all(|c| is_label_char(c) || matches!(c, '-' | '_'))
        })
}
