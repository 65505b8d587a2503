//! One whitespace-free chunk of text cut into tokens (steps 2–4 of the module doc), and
//! the merging of special cases over the whole text's tokens (step 5).

use std::sync::OnceLock;

use super::super::text::FastMap;
use super::{affixes, exceptions};

/// The pieces of a special case, if `chunk` is one.
fn special(chunk: &str) -> Option<&'static [String]> {
    if chunk.len() > exceptions::longest_key() {
        return None;
    }
    exceptions::table().get(chunk).map(Vec::as_slice)
}

/// Pushes the special case's pieces as slices of `chunk` (they concatenate to it).
fn push_special<'a>(chunk: &'a str, pieces: &[String], out: &mut Vec<&'a str>) {
    let mut start = 0;
    for piece in pieces {
        out.push(&chunk[start..start + piece.len()]);
        start += piece.len();
    }
}

/// Most chunks are plain words, ASCII letters and digits, that no rule cuts: no prefix,
/// infix or URL applies, and the only suffix, a unit after a number (`2m`, `64KB`),
/// needs a digit somewhere before a final letter.
fn is_plain_word(chunk: &str) -> bool {
    let bytes = chunk.as_bytes();
    let alphanumeric = bytes.iter().all(u8::is_ascii_alphanumeric);
    let no_unit =
        !bytes.iter().any(u8::is_ascii_digit) || bytes.last().is_some_and(u8::is_ascii_digit);
    alphanumeric && no_unit
}

/// Pushes the tokens of `chunk` onto `out`.
pub(super) fn tokenize_chunk<'a>(chunk: &'a str, out: &mut Vec<&'a str>) {
    cut(chunk, true, out);
}

/// Steps 2–4: special case, affixes, then the core; `specials` false ignores the
/// special cases (to learn how a special case's own text would be cut).
fn cut<'a>(chunk: &'a str, specials: bool, out: &mut Vec<&'a str>) {
    let lookup = |s: &str| if specials { special(s) } else { None };
    if let Some(pieces) = lookup(chunk) {
        return push_special(chunk, pieces, out);
    }
    if is_plain_word(chunk) {
        return out.push(chunk);
    }
    let mut suffixes = Vec::new();
    let core = split_affixes(chunk, &lookup, out, &mut suffixes);
    if !core.is_empty() {
        attach_core(core, &lookup, out);
    }
    out.extend(suffixes.into_iter().rev());
}

/// Peels prefixes (pushed at once) and suffixes (collected, outermost first) off
/// `chunk`; returns what is left.
fn split_affixes<'a>(
    mut chunk: &'a str,
    lookup: &dyn Fn(&str) -> Option<&'static [String]>,
    out: &mut Vec<&'a str>,
    suffixes: &mut Vec<&'a str>,
) -> &'a str {
    let mut last_length = usize::MAX;
    while !chunk.is_empty() && chunk.len() != last_length && lookup(chunk).is_none() {
        last_length = chunk.len();
        let prefix = affixes::prefix_len(chunk);
        if prefix > 0 && chunk.len() > prefix && lookup(&chunk[prefix..]).is_some() {
            out.push(&chunk[..prefix]);
            return &chunk[prefix..];
        }
        let suffix = affixes::suffix_len(&chunk[prefix..]);
        let without_suffix = &chunk[..chunk.len() - suffix];
        if suffix > 0 && !without_suffix.is_empty() && lookup(without_suffix).is_some() {
            suffixes.push(&chunk[chunk.len() - suffix..]);
            return without_suffix;
        }
        if prefix > 0 {
            out.push(&chunk[..prefix]);
        }
        if suffix > 0 {
            suffixes.push(&chunk[chunk.len() - suffix..]);
        }
        chunk = &chunk[prefix..chunk.len() - suffix];
    }
    chunk
}

/// What is left after the affixes: a special case, a URL, or cut at its infixes (an
/// infix at the very start is not cut).
fn attach_core<'a>(
    core: &'a str,
    lookup: &dyn Fn(&str) -> Option<&'static [String]>,
    out: &mut Vec<&'a str>,
) {
    if let Some(pieces) = lookup(core) {
        return push_special(core, pieces, out);
    }
    if core.bytes().all(|b| b.is_ascii_alphanumeric()) || affixes::is_url(core) {
        return out.push(core);
    }
    let mut start = 0;
    for (infix_start, infix_end) in affixes::infixes(core) {
        if infix_start == 0 {
            continue;
        }
        if infix_start != start {
            out.push(&core[start..infix_start]);
        }
        out.push(&core[infix_start..infix_end]);
        start = infix_end;
    }
    if start < core.len() {
        out.push(&core[start..]);
    }
}

/// Special cases whose own text the punctuation rules would cut (`):` → `)` `:`,
/// `e.g.` → `e.g` `.`), as that cut, by its first token: spaCy finds them again as runs
/// of tokens after cutting.
fn cut_specials() -> &'static FastMap<&'static str, Vec<Vec<&'static str>>> {
    static CUT: OnceLock<FastMap<&'static str, Vec<Vec<&'static str>>>> = OnceLock::new();
    CUT.get_or_init(|| {
        let mut by_first: FastMap<&'static str, Vec<Vec<&'static str>>> = FastMap::default();
        for key in exceptions::table().keys() {
            let mut pieces = Vec::new();
            cut(key, false, &mut pieces);
            if pieces.len() > 1 {
                by_first.entry(pieces[0]).or_default().push(pieces);
            }
        }
        by_first
    })
}

/// Step 5, over the whole text's tokens (whitespace tokens included): runs of tokens
/// cut exactly as a special case's text is cut are found (also across a single space,
/// where they change nothing but still take their tokens); longer runs win, then
/// earlier ones, and a run is skipped when its first or last token already belongs to
/// a chosen run. Chosen runs without a space inside become their special case.
pub(super) fn merge_special_runs<'a>(text: &'a str, tokens: &mut Vec<(&'a str, bool)>) {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (start, &(token, _)) in tokens.iter().enumerate() {
        let Some(patterns) = cut_specials().get(token) else {
            continue;
        };
        for pattern in patterns {
            let end = start + pattern.len();
            let matches = tokens.get(start..end).is_some_and(|run| {
                run.iter()
                    .zip(pattern)
                    .all(|(&(token, _), &piece)| token == piece)
            });
            if matches {
                runs.push((start, end));
            }
        }
    }
    if runs.is_empty() {
        return;
    }
    runs.sort_by_key(|&(start, end)| (std::cmp::Reverse(end - start), start));
    let mut taken = vec![false; tokens.len()];
    let mut chosen = Vec::new();
    for (start, end) in runs {
        if !taken[start] && !taken[end - 1] {
            chosen.push((start, end));
        }
        taken[start..end].iter_mut().for_each(|t| *t = true);
    }
    chosen.sort_unstable();
    *tokens = replace_runs(text, tokens, &chosen);
}

/// The tokens with each chosen run that spells a special case (no space inside)
/// replaced by its pieces.
fn replace_runs<'a>(
    text: &'a str,
    tokens: &[(&'a str, bool)],
    runs: &[(usize, usize)],
) -> Vec<(&'a str, bool)> {
    let offset = |token: &str| token.as_ptr() as usize - text.as_ptr() as usize;
    let mut merged = Vec::with_capacity(tokens.len());
    let mut next = 0;
    let mut pieces = Vec::new();
    for &(start, end) in runs {
        merged.extend_from_slice(&tokens[next..start]);
        let from = offset(tokens[start].0);
        let to = offset(tokens[end - 1].0) + tokens[end - 1].0.len();
        let spelled = &text[from..to];
        match special(spelled) {
            Some(special) => {
                pieces.clear();
                push_special(spelled, special, &mut pieces);
                merged.extend(pieces.iter().map(|&piece| (piece, false)));
            }
            None => merged.extend_from_slice(&tokens[start..end]),
        }
        next = end;
    }
    merged.extend_from_slice(&tokens[next..]);
    merged
}
