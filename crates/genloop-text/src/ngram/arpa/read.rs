//! ARPA import: parsing with line-numbered errors, then the trie (`trie.rs`).

use std::io::BufRead;

use super::trie::{build, Entry, Order};
use crate::ngram::errors::NgramError;
use crate::ngram::tables::{Tables, ARPA_ZERO};
use crate::ngram::MAX_ORDER;

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
    let mut parser = Parser {
        vocab_size,
        vocab,
        orders: Vec::new(),
        unk: None,
        section: 0,
        ids: Vec::with_capacity(MAX_ORDER),
    };
    let mut number = 0usize;
    for line in reader.lines() {
        number += 1;
        let line = line.map_err(|e| NgramError::arpa(number, format!("cannot read: {e}")))?;
        parser.line(number, line.trim())?;
    }
    parser.finish(number)
}

/// The state of a parse, fed one trimmed line at a time.
struct Parser<'v> {
    vocab_size: usize,
    vocab: &'v dyn Fn(&str) -> Option<u32>,
    orders: Vec<Order>,
    /// The log10 probability of an `<unk>` unigram the vocabulary does not map.
    unk: Option<f32>,
    /// 0: before \data\; 1: the counts; n + 1: section n; MAX: after \end\.
    section: usize,
    /// Scratch: the ids of the current n-gram.
    ids: Vec<u32>,
}

impl Parser<'_> {
    fn line(&mut self, number: usize, text: &str) -> Result<(), NgramError> {
        if self.section == usize::MAX {
            if !text.is_empty() {
                return Err(NgramError::arpa(number, "text after \\end\\"));
            }
            return Ok(());
        }
        if text == "\\data\\" {
            if self.section != 0 {
                return Err(NgramError::arpa(number, "a second \\data\\ header"));
            }
            self.section = 1;
            return Ok(());
        }
        if self.section == 0 || text.is_empty() {
            return Ok(()); // comments before \data\, blank lines
        }
        if text.starts_with('\\') {
            self.header(number, text)
        } else if self.section == 1 {
            self.count(number, text)
        } else {
            self.entry(number, text)
        }
    }

    /// `\N-grams:` or `\end\`: the next section, after checking the one it closes.
    fn header(&mut self, number: usize, text: &str) -> Result<(), NgramError> {
        let section = self.section;
        let next = if text == "\\end\\" {
            self.orders.len() + 1
        } else {
            text.strip_prefix('\\')
                .and_then(|t| t.strip_suffix("-grams:"))
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| NgramError::arpa(number, format!("unknown section {text:?}")))?
        };
        if next != section.max(1) || next > self.orders.len() + 1 {
            return Err(NgramError::arpa(
                number,
                format!("{text} where section {} was expected", section.max(1)),
            ));
        }
        // A section of n-grams that \data\ does not declare (a mutated file reached
        // the entries of `\1-grams:` with no `ngram 1=` and indexed past the counts).
        if text != "\\end\\" && next > self.orders.len() {
            return Err(NgramError::arpa(
                number,
                format!("{text} but \\data\\ declares no {next}-grams"),
            ));
        }
        if section > 1 {
            let done = &self.orders[section - 2];
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
        self.section = if text == "\\end\\" {
            usize::MAX
        } else {
            next + 1
        };
        Ok(())
    }

    /// `ngram N=COUNT` in the `\data\` section.
    fn count(&mut self, number: usize, text: &str) -> Result<(), NgramError> {
        let (n, count) = text
            .strip_prefix("ngram ")
            .and_then(|t| t.split_once('='))
            .and_then(|(n, c)| Some((n.trim().parse::<usize>().ok()?, c.trim().parse().ok()?)))
            .ok_or_else(|| {
                NgramError::arpa(number, format!("expected `ngram N=COUNT`, found {text:?}"))
            })?;
        if n != self.orders.len() + 1 || n > MAX_ORDER {
            return Err(NgramError::arpa(
                number,
                format!("`ngram {n}=` is out of sequence or above order {MAX_ORDER}"),
            ));
        }
        self.orders.push(Order {
            declared: count,
            ..Order::default()
        });
        Ok(())
    }

    /// One n-gram line: log10 probability, n words, optional log10 backoff.
    fn entry(&mut self, number: usize, text: &str) -> Result<(), NgramError> {
        let n = self.section - 1;
        self.orders[n - 1].listed += 1;
        let mut fields = text.split_whitespace();
        let log10_prob = read_number(fields.next(), number, "probability")?;
        if log10_prob > 0.0 {
            return Err(NgramError::arpa(
                number,
                format!("log10 probability {log10_prob} is above 0"),
            ));
        }
        let unmapped_unk = self.words(number, n, &mut fields)?;
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
                self.unk = Some(log10_prob);
            }
            return Ok(());
        }
        let order = &mut self.orders[n - 1];
        order.ids.extend_from_slice(&self.ids);
        order.entries.push(Entry {
            line: number,
            log10_prob,
            log10_backoff,
        });
        Ok(())
    }

    /// Reads the n words of an n-gram into `ids`; true when one is an `<unk>` the
    /// vocabulary does not map.
    fn words<'t>(
        &mut self,
        number: usize,
        n: usize,
        fields: &mut impl Iterator<Item = &'t str>,
    ) -> Result<bool, NgramError> {
        let (eos, bos) = (self.vocab_size as u32, self.vocab_size as u32 + 1);
        self.ids.clear();
        let mut unmapped_unk = false;
        for position in 0..n {
            let word = fields
                .next()
                .ok_or_else(|| NgramError::arpa(number, format!("a {n}-gram needs {n} words")))?;
            let id = match word {
                "<s>" => bos,
                "</s>" => eos,
                _ => self.word_id(number, word)?.unwrap_or_else(|| {
                    unmapped_unk = true;
                    0
                }),
            };
            if id == bos && position > 0 {
                return Err(NgramError::arpa(number, "<s> can only begin an n-gram"));
            }
            if id == eos && position + 1 < n {
                return Err(NgramError::arpa(number, "</s> can only end an n-gram"));
            }
            self.ids.push(id);
        }
        Ok(unmapped_unk)
    }

    /// The id of a word other than `<s>` and `</s>`; `None` for an `<unk>` the
    /// vocabulary does not map.
    fn word_id(&self, number: usize, word: &str) -> Result<Option<u32>, NgramError> {
        let vocab_size = self.vocab_size;
        match (self.vocab)(word) {
            Some(id) if (id as usize) < vocab_size => Ok(Some(id)),
            Some(id) => Err(NgramError::arpa(
                number,
                format!(
                    "word {word:?} maps to id {id}, outside the vocabulary (size {vocab_size})"
                ),
            )),
            None if word == "<unk>" => Ok(None),
            None => Err(NgramError::arpa(
                number,
                format!("word {word:?} is not in the vocabulary"),
            )),
        }
    }

    fn finish(self, number: usize) -> Result<(Vec<Order>, Option<f32>), NgramError> {
        if self.orders.is_empty() {
            return Err(NgramError::ArpaFile(
                "no \\data\\ section with n-gram counts".into(),
            ));
        }
        if self.section != usize::MAX {
            return Err(NgramError::ArpaFile(format!(
                "no \\end\\ (the file stops at line {number})"
            )));
        }
        Ok((self.orders, self.unk))
    }
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
