//! ARPA back-off files (Paul & Baker 1992; the SRILM `ngram-format(5)` manual):
//! export readable by KenLM and SRILM, and import.
//!
//! Export follows lmplz: log10 probabilities and backoffs, a backoff column on
//! every n-gram below the top order (0 when it is not a context), `<s>` as a
//! unigram with log10 probability 0 and a backoff (lmplz gives `<s>` probability 1
//! so that scoring it explicitly changes nothing; it is never predicted, and the
//! import ignores the value; SRILM writes −99 there and reads either).
//! Every vocabulary id is written, seen or not; unseen ids carry the uniform share
//! γ(ε)/(V + 1). `<unk>` is required by KenLM: when no id is spelled `<unk>` an
//! extra `<unk>` unigram gets that same share, as `lmplz --vocab_pad` would give it
//! (the file then sums to slightly more than 1 over its unigrams, one share, because
//! KenLM's `<unk>` stands for words outside the vocabulary, which the model cannot
//! see). Numbers are written with the shortest text that reads back to the same
//! f32, so export → import is bit-exact.
//!
//! Import needs every n-gram's context (its first n − 1 words) and suffix (its
//! last n − 1 words) to be listed, as lmplz writes them; pruned SRILM models that
//! drop them are refused with the line at fault. `<unk>` entries that map to no
//! id are skipped, and ids without a unigram get `<unk>`'s probability (KenLM's
//! behaviour for words outside its vocabulary). Values at or below −99 read as
//! log10 0.

use std::collections::HashMap;
use std::io::{BufWriter, Write};

mod read;
mod trie;

pub(crate) use read::read;

use super::errors::NgramError;
use super::tables::{Tables, ARPA_ZERO};

/// Writes `tables` as ARPA text.
pub(crate) fn write(
    tables: &Tables,
    out: &mut impl Write,
    vocab: &dyn Fn(u32) -> String,
) -> Result<(), NgramError> {
    let (words, extra_unk) = spellings(tables.vocab_size, vocab)?;
    let mut out = BufWriter::new(out);
    let mut counts = tables.counts();
    counts[0] += usize::from(extra_unk);
    writeln!(out, "\\data\\")?;
    for (n, count) in counts.iter().enumerate() {
        writeln!(out, "ngram {}={}", n + 1, count)?;
    }
    for n in 1..=tables.order {
        writeln!(out, "\n\\{n}-grams:")?;
        if n == 1 && extra_unk {
            let mut line = String::new();
            push_number(&mut line, tables.unknown_log10);
            line.push_str("\t<unk>");
            if tables.order > 1 {
                line.push_str("\t0");
            }
            writeln!(out, "{line}")?;
        }
        write_order(tables, n, &words, &mut out)?;
    }
    writeln!(out, "\n\\end\\")?;
    out.flush()?;
    Ok(())
}

/// The spelling of every id, then `</s>` and `<s>`, and whether an extra `<unk>`
/// unigram is needed (no id is spelled `<unk>`). An id spelled empty, with
/// whitespace, as a sentence marker or like another id is an error.
fn spellings(
    vocab_size: usize,
    vocab: &dyn Fn(u32) -> String,
) -> Result<(Vec<String>, bool), NgramError> {
    let mut words: Vec<String> = Vec::with_capacity(vocab_size + 2);
    let mut first_id: HashMap<String, u32> = HashMap::with_capacity(vocab_size);
    for id in 0..vocab_size as u32 {
        let word = vocab(id);
        let problem = if word.is_empty() {
            Some("is empty")
        } else if word.chars().any(char::is_whitespace) {
            Some("contains whitespace")
        } else if word == "<s>" || word == "</s>" {
            Some("is reserved for the model's own sentence markers")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(NgramError::BadWord { id, word, problem });
        }
        if let Some(&first) = first_id.get(&word) {
            return Err(NgramError::DuplicateWord {
                first,
                second: id,
                word,
            });
        }
        first_id.insert(word.clone(), id);
        words.push(word);
    }
    words.push("</s>".to_owned());
    words.push("<s>".to_owned());
    Ok((words, !first_id.contains_key("<unk>")))
}

/// The n-grams of order `n`, in trie order, one line each.
fn write_order(
    tables: &Tables,
    n: usize,
    words: &[String],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let vocab_size = tables.vocab_size;
    let mut line = String::new();
    let mut path = Vec::with_capacity(n);
    let bos = vocab_size as u32 + 1;
    let mut emit = |path: &[u32], log10_prob: f32, log10_backoff: Option<f32>| {
        line.clear();
        push_number(&mut line, if path == [bos] { 0.0 } else { log10_prob });
        line.push('\t');
        for (i, &w) in path.iter().enumerate() {
            if i > 0 {
                line.push(' ');
            }
            line.push_str(&words[w as usize]);
        }
        if let Some(backoff) = log10_backoff {
            line.push('\t');
            push_number(&mut line, backoff);
        }
        writeln!(out, "{line}")
    };
    for id in 0..vocab_size as u32 + 2 {
        path.clear();
        path.push(id);
        walk(tables, 1, id, n, &mut path, &mut emit)?;
    }
    Ok(())
}

/// Depth-first walk from node `index` of order `order` down to order `target`,
/// emitting the n-grams of order `target` in trie order.
fn walk(
    tables: &Tables,
    order: usize,
    index: u32,
    target: usize,
    path: &mut Vec<u32>,
    emit: &mut impl FnMut(&[u32], f32, Option<f32>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let level = &tables.levels[order - 1];
    if order == target {
        let backoff = (target < tables.order).then(|| level.log10_backoff[index as usize]);
        return emit(path, level.log10_prob[index as usize], backoff);
    }
    if order >= tables.order {
        return Ok(());
    }
    for child in tables.children(order, index) {
        path.push(tables.levels[order].words[child]);
        walk(tables, order + 1, child as u32, target, path, emit)?;
        path.pop();
    }
    Ok(())
}

/// Shortest decimal that reads back to the same f32; log10 0 as −99.
fn push_number(line: &mut String, value: f32) {
    use std::fmt::Write as _;
    if value == f32::NEG_INFINITY || value <= ARPA_ZERO {
        line.push_str("-99");
    } else if value == 0.0 {
        line.push('0');
    } else {
        write!(line, "{value}").expect("writing to a String");
    }
}
