//! ARPA import: parsing with line-numbered errors, then the trie.

use std::io::BufRead;

use crate::ngram::errors::NgramError;
use crate::ngram::tables::{Level, Tables, ARPA_ZERO};
use crate::ngram::MAX_ORDER;

/// One n-gram line.
struct Entry {
    line: usize,
    log10_prob: f32,
    log10_backoff: f32,
}

/// The n-grams of one order as read: `n` ids per entry, flattened.
#[derive(Default)]
struct Order {
    ids: Vec<u32>,
    entries: Vec<Entry>,
    declared: usize,
    listed: usize,
}

/// Reads ARPA text into tables over the ids `0..vocab_size`.
pub(crate) fn read(
    reader: impl BufRead,
    vocab_size: usize,
    vocab: &dyn Fn(&str) -> Option<u32>,
) -> Result<Tables, NgramError> {
    let (orders, unk) = parse(reader, vocab_size, vocab)?;
    build(orders, unk, vocab_size)
}

fn parse(
    reader: impl BufRead,
    vocab_size: usize,
    vocab: &dyn Fn(&str) -> Option<u32>,
) -> Result<(Vec<Order>, Option<f32>), NgramError> {
    let (eos, bos) = (vocab_size as u32, vocab_size as u32 + 1);
    let mut orders: Vec<Order> = Vec::new();
    let mut unk = None;
    // 0: before \data\; 1: the counts; n + 1: section n; MAX: after \end\.
    let mut section = 0usize;
    let mut ids = Vec::with_capacity(MAX_ORDER);
    let mut number = 0usize;
    for line in reader.lines() {
        number += 1;
        let line = line.map_err(|e| NgramError::arpa(number, format!("cannot read: {e}")))?;
        let text = line.trim();
        if section == usize::MAX {
            if !text.is_empty() {
                return Err(NgramError::arpa(number, "text after \\end\\"));
            }
            continue;
        }
        if text == "\\data\\" {
            if section != 0 {
                return Err(NgramError::arpa(number, "a second \\data\\ header"));
            }
            section = 1;
            continue;
        }
        if section == 0 || text.is_empty() {
            continue; // comments before \data\, blank lines
        }
        if text == "\\end\\" || text.starts_with('\\') {
            let next = if text == "\\end\\" {
                orders.len() + 1
            } else {
                text.strip_prefix('\\')
                    .and_then(|t| t.strip_suffix("-grams:"))
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| NgramError::arpa(number, format!("unknown section {text:?}")))?
            };
            if next != section.max(1) || next > orders.len() + 1 {
                return Err(NgramError::arpa(
                    number,
                    format!("{text} where section {} was expected", section.max(1)),
                ));
            }
            if section > 1 {
                let done = &orders[section - 2];
                if done.listed != done.declared {
                    return Err(NgramError::arpa(
                        number,
                        format!(
                            "\\data\\ declares {} {}-grams but the section lists {}",
                            done.declared,
                            section - 1,
                            done.listed
                        ),
                    ));
                }
            }
            section = if text == "\\end\\" {
                usize::MAX
            } else {
                next + 1
            };
            continue;
        }
        if section == 1 {
            let (n, count) = text
                .strip_prefix("ngram ")
                .and_then(|t| t.split_once('='))
                .and_then(|(n, c)| Some((n.trim().parse::<usize>().ok()?, c.trim().parse().ok()?)))
                .ok_or_else(|| {
                    NgramError::arpa(number, format!("expected `ngram N=COUNT`, found {text:?}"))
                })?;
            if n != orders.len() + 1 || n > MAX_ORDER {
                return Err(NgramError::arpa(
                    number,
                    format!("`ngram {n}=` is out of sequence or above order {MAX_ORDER}"),
                ));
            }
            orders.push(Order {
                declared: count,
                ..Order::default()
            });
            continue;
        }
        let n = section - 1;
        orders[n - 1].listed += 1;
        let mut fields = text.split_whitespace();
        let log10_prob = read_number(fields.next(), number, "probability")?;
        if log10_prob > 0.0 {
            return Err(NgramError::arpa(
                number,
                format!("log10 probability {log10_prob} is above 0"),
            ));
        }
        ids.clear();
        let mut unmapped_unk = false;
        for position in 0..n {
            let word = fields
                .next()
                .ok_or_else(|| NgramError::arpa(number, format!("a {n}-gram needs {n} words")))?;
            let id = match word {
                "<s>" => bos,
                "</s>" => eos,
                _ => match vocab(word) {
                    Some(id) if (id as usize) < vocab_size => id,
                    Some(id) => {
                        return Err(NgramError::arpa(
                            number,
                            format!("word {word:?} maps to id {id}, outside the vocabulary (size {vocab_size})"),
                        ))
                    }
                    None if word == "<unk>" => {
                        unmapped_unk = true;
                        0
                    }
                    None => {
                        return Err(NgramError::arpa(number, format!("word {word:?} is not in the vocabulary")))
                    }
                },
            };
            if id == bos && position > 0 {
                return Err(NgramError::arpa(number, "<s> can only begin an n-gram"));
            }
            if id == eos && position + 1 < n {
                return Err(NgramError::arpa(number, "</s> can only end an n-gram"));
            }
            ids.push(id);
        }
        let log10_backoff = match fields.next() {
            Some(field) => read_number(Some(field), number, "backoff")?,
            None => 0.0,
        };
        if fields.next().is_some() {
            return Err(NgramError::arpa(
                number,
                format!("too many fields for a {n}-gram"),
            ));
        }
        if unmapped_unk {
            // Only reachable through words outside the vocabulary: not needed.
            if n == 1 {
                unk = Some(log10_prob);
            }
            continue;
        }
        let order = &mut orders[n - 1];
        order.ids.extend_from_slice(&ids);
        order.entries.push(Entry {
            line: number,
            log10_prob,
            log10_backoff,
        });
    }
    if orders.is_empty() {
        return Err(NgramError::ArpaFile(
            "no \\data\\ section with n-gram counts".into(),
        ));
    }
    if section != usize::MAX {
        return Err(NgramError::ArpaFile(format!(
            "no \\end\\ (the file stops at line {number})"
        )));
    }
    Ok((orders, unk))
}

fn read_number(field: Option<&str>, line: usize, what: &str) -> Result<f32, NgramError> {
    let text = field.ok_or_else(|| NgramError::arpa(line, format!("missing {what}")))?;
    let value: f32 = text
        .parse()
        .map_err(|_| NgramError::arpa(line, format!("{what} {text:?} is not a number")))?;
    if value.is_nan() {
        return Err(NgramError::arpa(line, format!("{what} is NaN")));
    }
    Ok(if value <= ARPA_ZERO {
        f32::NEG_INFINITY
    } else {
        value
    })
}

/// Lays the n-grams out as a trie and derives the sampler's discounted
/// probabilities u(w | h) = p(w | h) − b(h) p(w | h′).
fn build(orders: Vec<Order>, unk: Option<f32>, vocab_size: usize) -> Result<Tables, NgramError> {
    let order = orders.len();
    let ids = vocab_size + 2;
    let (eos, bos) = (vocab_size, vocab_size + 1);
    let mut unigram_line = vec![0usize; ids];
    let mut level = Level {
        log10_prob: vec![f32::NAN; ids],
        log10_backoff: vec![0.0; ids],
        ..Level::default()
    };
    let first = &orders[0];
    for (entry, &id) in first.entries.iter().zip(&first.ids) {
        let id = id as usize;
        if unigram_line[id] != 0 {
            return Err(NgramError::arpa(
                entry.line,
                format!("duplicate unigram (first on line {})", unigram_line[id]),
            ));
        }
        unigram_line[id] = entry.line;
        level.log10_prob[id] = entry.log10_prob;
        level.log10_backoff[id] = entry.log10_backoff;
    }
    if unigram_line[eos] == 0 {
        return Err(NgramError::ArpaFile("no </s> unigram".into()));
    }
    if order > 1 && unigram_line[bos] == 0 {
        return Err(NgramError::ArpaFile("no <s> unigram".into()));
    }
    level.log10_prob[bos] = f32::NEG_INFINITY; // <s> is never predicted
    for id in 0..vocab_size {
        if unigram_line[id] == 0 {
            level.log10_prob[id] = unk.ok_or_else(|| {
                NgramError::ArpaFile(format!(
                    "id {id} has no unigram and the file has no <unk> to stand for it"
                ))
            })?;
        }
    }
    let mut levels = vec![level];
    // Each order's n-grams in trie (lexicographic) order, flattened.
    let mut lower_sorted: Vec<u32> = (0..ids as u32).collect();
    for n in 2..=order {
        let current = &orders[n - 1];
        let words = |i: usize| &current.ids[i * n..(i + 1) * n];
        let mut sorted: Vec<usize> = (0..current.entries.len()).collect();
        sorted.sort_unstable_by(|&a, &b| words(a).cmp(words(b)).then(a.cmp(&b)));
        let mut children = vec![0u32; lower_sorted.len() / (n - 1) + 1];
        let mut parent = 0usize;
        for (position, &i) in sorted.iter().enumerate() {
            let line = current.entries[i].line;
            if position > 0 && words(sorted[position - 1]) == words(i) {
                return Err(NgramError::arpa(line, format!("duplicate {n}-gram")));
            }
            let context = &words(i)[..n - 1];
            while parent * (n - 1) < lower_sorted.len()
                && &lower_sorted[parent * (n - 1)..(parent + 1) * (n - 1)] < context
            {
                parent += 1;
            }
            if parent * (n - 1) >= lower_sorted.len()
                || &lower_sorted[parent * (n - 1)..(parent + 1) * (n - 1)] != context
            {
                return Err(NgramError::arpa(
                    line,
                    format!(
                        "the context of this {n}-gram (its first {} words) is not listed",
                        n - 1
                    ),
                ));
            }
            children[parent + 1] += 1;
        }
        for i in 1..children.len() {
            children[i] += children[i - 1];
        }
        levels[n - 2].children = children;
        let mut next = Level::default();
        let mut flat = Vec::with_capacity(current.ids.len());
        for &i in &sorted {
            flat.extend_from_slice(words(i));
            next.words.push(words(i)[n - 1]);
            next.log10_prob.push(current.entries[i].log10_prob);
            if n < order {
                next.log10_backoff.push(current.entries[i].log10_backoff);
            }
        }
        levels.push(next);
        lower_sorted = flat;
    }
    let unknown_log10 = unk.unwrap_or(f32::NEG_INFINITY);
    let mut tables = Tables::new(order, vocab_size, levels, true, unknown_log10);
    tables.mixture_exact = discounted_sums(&mut tables, &orders)?;
    Ok(tables)
}

/// Fills each order's running sums of u(w | h) = p(w | h) − b(h) p(w | h′), and
/// checks that every n-gram's suffix is listed. Returns whether every u is
/// non-negative (an interpolated model), which makes the mixture sampler exact.
fn discounted_sums(tables: &mut Tables, orders: &[Order]) -> Result<bool, NgramError> {
    let mut exact = true;
    let mut path = Vec::with_capacity(MAX_ORDER);
    for n in 2..=tables.order {
        let mut cumulative = vec![0f32; tables.levels[n - 1].words.len()];
        // Walk the groups: each node of order n − 1 and its continuations.
        let parents = tables.levels[n - 2].log10_prob.len();
        let mut stack: Vec<u32> = Vec::new();
        for parent in 0..parents as u32 {
            let range = tables.children(n - 1, parent);
            if range.is_empty() {
                continue;
            }
            let backoff = 10f64.powf(f64::from(
                tables.levels[n - 2].log10_backoff[parent as usize],
            ));
            // The words of the parent: follow it back through its ancestors.
            path.clear();
            parent_words(tables, n - 1, parent, &mut path, &mut stack);
            let mut running = 0.0f64;
            for child in range {
                let word = tables.levels[n - 1].words[child];
                let p = 10f64.powf(f64::from(tables.levels[n - 1].log10_prob[child]));
                // p(w | h′): the n-gram of the parent's last n − 2 words and w.
                let mut suffix = path[1..].iter().copied().chain([word]);
                let mut node = suffix.next().expect("at least one word");
                let mut found = true;
                for (depth, w) in suffix.enumerate() {
                    match tables.child(depth + 1, node, w) {
                        Some(next) => node = next,
                        None => {
                            found = false;
                            break;
                        }
                    }
                }
                if !found {
                    let line = line_of(orders, n, &path, word);
                    return Err(NgramError::arpa(
                        line,
                        format!(
                            "the suffix of this {n}-gram (its last {} words) is not listed",
                            n - 1
                        ),
                    ));
                }
                let lower = 10f64.powf(f64::from(tables.levels[n - 2].log10_prob[node as usize]));
                let u = p - backoff * lower;
                if u < -1e-5 * p {
                    exact = false;
                }
                running += u.max(0.0);
                cumulative[child] = running as f32;
            }
        }
        tables.levels[n - 1].cumulative = cumulative;
    }
    Ok(exact)
}

/// The words of node `index` of order `order`, first word first, by searching
/// each ancestor's children (import only; `stack` is scratch).
fn parent_words(
    tables: &Tables,
    order: usize,
    index: u32,
    path: &mut Vec<u32>,
    stack: &mut Vec<u32>,
) {
    stack.clear();
    let (mut o, mut i) = (order, index);
    while o > 1 {
        stack.push(tables.levels[o - 1].words[i as usize]);
        let offsets = &tables.levels[o - 2].children;
        // The parent is the node whose child range contains i.
        i = (offsets.partition_point(|&start| start <= i) - 1) as u32;
        o -= 1;
    }
    stack.push(i);
    path.extend(stack.iter().rev());
}

/// The line of the n-gram `path` + `word` of order n, for an error message.
fn line_of(orders: &[Order], n: usize, path: &[u32], word: u32) -> usize {
    let current = &orders[n - 1];
    (0..current.entries.len())
        .find(|&i| {
            let words = &current.ids[i * n..(i + 1) * n];
            words[..n - 1] == *path && words[n - 1] == word
        })
        .map_or(0, |i| current.entries[i].line)
}
