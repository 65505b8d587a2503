//! ARPA import, second half: the parsed n-grams laid out as a trie, with every
//! n-gram's context and suffix checked.

use crate::ngram::errors::NgramError;
use crate::ngram::tables::{Level, Tables};
use crate::ngram::MAX_ORDER;

/// One n-gram line.
pub(super) struct Entry {
    pub(super) line: usize,
    pub(super) log10_prob: f32,
    pub(super) log10_backoff: f32,
}

/// The n-grams of one order as read: `n` ids per entry, flattened.
#[derive(Default)]
pub(super) struct Order {
    pub(super) ids: Vec<u32>,
    pub(super) entries: Vec<Entry>,
    pub(super) declared: usize,
    pub(super) listed: usize,
}

/// Lays the n-grams out as a trie and derives the sampler's discounted
/// probabilities u(w | h) = p(w | h) − b(h) p(w | h′).
pub(super) fn build(
    orders: Vec<Order>,
    unk: Option<f32>,
    vocab_size: usize,
) -> Result<Tables, NgramError> {
    let order = orders.len();
    let ids = vocab_size + 2;
    let mut levels = vec![unigram_level(&orders[0], unk, vocab_size, order)?];
    // Each order's n-grams in trie (lexicographic) order, flattened.
    let mut lower_sorted: Vec<u32> = (0..ids as u32).collect();
    for n in 2..=order {
        let current = &orders[n - 1];
        let sorted = sorted_entries(current, n);
        levels[n - 2].children = child_offsets(current, n, &sorted, &lower_sorted)?;
        let mut next = Level::default();
        let mut flat = Vec::with_capacity(current.ids.len());
        for &i in &sorted {
            let words = &current.ids[i * n..(i + 1) * n];
            flat.extend_from_slice(words);
            next.words.push(words[n - 1]);
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

/// The unigrams, over every id, `</s>` and `<s>`; ids the file does not list get the
/// probability of `<unk>`.
fn unigram_level(
    first: &Order,
    unk: Option<f32>,
    vocab_size: usize,
    order: usize,
) -> Result<Level, NgramError> {
    let ids = vocab_size + 2;
    let (eos, bos) = (vocab_size, vocab_size + 1);
    let mut unigram_line = vec![0usize; ids];
    let mut level = Level {
        log10_prob: vec![f32::NAN; ids],
        log10_backoff: vec![0.0; ids],
        ..Level::default()
    };
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
    Ok(level)
}

/// The entries of order `n` in trie (lexicographic) order.
fn sorted_entries(current: &Order, n: usize) -> Vec<usize> {
    let words = |i: usize| &current.ids[i * n..(i + 1) * n];
    let mut sorted: Vec<usize> = (0..current.entries.len()).collect();
    sorted.sort_unstable_by(|&a, &b| words(a).cmp(words(b)).then(a.cmp(&b)));
    sorted
}

/// The child ranges of the nodes of order n − 1 (`lower_sorted`, flattened) over the
/// `sorted` n-grams, as running offsets; an n-gram listed twice, or whose context is
/// not listed, is an error at its line.
fn child_offsets(
    current: &Order,
    n: usize,
    sorted: &[usize],
    lower_sorted: &[u32],
) -> Result<Vec<u32>, NgramError> {
    let words = |i: usize| &current.ids[i * n..(i + 1) * n];
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
    Ok(children)
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
