//! Exact and MinHash dedup throughput of the curation pipeline on short documents, one
//! thread: documents/s, MB/s of text and peak resident memory, one JSON line per stage.
//!
//! ```sh
//! cargo run --release -p genloop-curate --example dedup_throughput -- \
//!     --docs 1000000 --seed 0 --write /tmp/short.jsonl
//! cargo run --release -p genloop-curate --example dedup_throughput -- --read /tmp/short.jsonl
//! ```
//!
//! Options: `--docs N` (1 000 000), `--seed S` (0), `--exact-share F` (0.05) and
//! `--near-share F` (0.10): the share of generated documents that copy an earlier
//! original exactly (up to case and punctuation) or with one word replaced,
//! `--write PATH` (also write the corpus as JSONL `{"id", "text"}`), `--read PATH`
//! (use a JSONL corpus with a `text` field instead of generating), `--stages
//! exact,minhash`.
//!
//! The generated corpus: 20–40 words per document from a 20 000-word vocabulary drawn
//! with Zipf-like (1/rank) frequencies. A one-word change in an n-word document leaves
//! at least n − 5 of its n − 2 three-word shingles, so every planted near-duplicate has
//! Jaccard ≥ 15/21 ≈ 0.71 with its original, above the 0.7 threshold; the LSH with 14 ×
//! 8 bands finds such a pair with probability 1 − (1 − 0.71⁸)¹⁴ ≈ 0.62 at 20 words and
//! 0.97 at 40 (Jaccard 0.86), so `near_recall` below 1 is the LSH, not a bug.
//!
//! `seconds` is wall time, `cpu_seconds` the thread's time on a CPU (the per-core
//! figure on a shared machine). Timing covers the pipeline's work per document (normalise, hash, shingle, sign,
//! look up, verify, index); generating or reading the corpus is outside it.

use std::io::{BufRead, BufWriter, Write};
use std::time::Instant;

use genloop_curate::filters::{ExactDedupConfig, FilterConfig, MinhashConfig};
use genloop_curate::pipeline::{Curator, Decision, Document};

const VOCABULARY: usize = 20_000;

/// SplitMix64 (Steele, Lea & Flood 2014): a seeded, dependency-free generator.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }
}

/// Pronounceable words from syllables, all distinct (the index is spelled in base 24).
fn vocabulary() -> Vec<String> {
    const SYLLABLES: [&str; 24] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ba", "de", "fi", "go", "ha", "je", "ku",
        "la", "mo", "na", "pe", "ri", "so", "tu", "ve", "zo",
    ];
    (0..VOCABULARY)
        .map(|mut index| {
            let mut word = String::new();
            loop {
                word.push_str(SYLLABLES[index % 24]);
                index /= 24;
                if index == 0 {
                    break word;
                }
            }
        })
        .collect()
}

/// What a generated document is, to measure recall.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Original,
    ExactCopy,
    NearCopy,
}

struct Corpus {
    texts: Vec<String>,
    kinds: Vec<Kind>,
}

fn generate(docs: usize, seed: u64, exact_share: f64, near_share: f64) -> Corpus {
    let words = vocabulary();
    let mut rng = SplitMix64(seed);
    // 1/rank frequencies: rank = V^u for uniform u.
    let word = |rng: &mut SplitMix64| {
        let rank = (VOCABULARY as f64).powf(rng.unit()) as usize;
        words[rank.clamp(1, VOCABULARY) - 1].as_str()
    };
    let mut texts: Vec<String> = Vec::with_capacity(docs);
    let mut kinds = Vec::with_capacity(docs);
    let mut originals: Vec<usize> = Vec::new();
    for index in 0..docs {
        let draw = rng.unit();
        let kind = if originals.is_empty() || draw >= exact_share + near_share {
            Kind::Original
        } else if draw < exact_share {
            Kind::ExactCopy
        } else {
            Kind::NearCopy
        };
        let text = match kind {
            Kind::Original => {
                originals.push(index);
                let length = 20 + rng.below(21);
                let mut text = String::with_capacity(length * 8);
                for position in 0..length {
                    if position > 0 {
                        text.push_str(if rng.below(8) == 0 { ", " } else { " " });
                    }
                    text.push_str(word(&mut rng));
                }
                text.push('.');
                text
            }
            // Same normalised text: upper case and other punctuation.
            Kind::ExactCopy => {
                let source = &texts[originals[rng.below(originals.len())]];
                format!("{}!", source.trim_end_matches('.').to_uppercase())
            }
            Kind::NearCopy => {
                let source = &texts[originals[rng.below(originals.len())]];
                let mut tokens: Vec<&str> = source.split(' ').collect();
                let position = rng.below(tokens.len());
                tokens[position] = word(&mut rng);
                tokens.join(" ")
            }
        };
        texts.push(text);
        kinds.push(kind);
    }
    Corpus { texts, kinds }
}

fn read_corpus(path: &str) -> Corpus {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let texts: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(index, line)| {
            let line = line.unwrap_or_else(|e| panic!("{path}:{}: {e}", index + 1));
            let value: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("{path}:{}: {e}", index + 1));
            match value.get("text") {
                Some(serde_json::Value::String(text)) => text.clone(),
                _ => panic!("{path}:{}: no string field `text`", index + 1),
            }
        })
        .collect();
    let kinds = vec![Kind::Original; texts.len()];
    Corpus { texts, kinds }
}

fn write_corpus(corpus: &Corpus, path: &str) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    let mut out = BufWriter::new(file);
    for (id, text) in corpus.texts.iter().enumerate() {
        let line = serde_json::json!({ "id": id, "text": text });
        writeln!(out, "{line}").expect("write corpus");
    }
    out.flush().expect("write corpus");
}

/// CPU time of this thread in seconds (/proc/thread-self/schedstat, nanoseconds on the
/// CPU); `None` where unavailable. On a shared machine it is the fairer clock: "per
/// core" throughput is documents per CPU-second.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds / 1e9)
}

/// `VmHWM` (peak) and `VmRSS` (current) from /proc/self/status, in MB; 0 elsewhere.
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn run_stage(name: &str, filter: FilterConfig, corpus: &Corpus) -> serde_json::Value {
    let (_, rss_before) = memory_mb();
    let mut curator = Curator::new(&[filter]).expect("default dedup filters are valid");
    let (mut kept, mut dropped) = (0u64, 0u64);
    let (mut exact_found, mut near_found) = (0u64, 0u64);
    let cpu_started = thread_cpu_seconds();
    let started = Instant::now();
    for (index, text) in corpus.texts.iter().enumerate() {
        let document = Document {
            line: index as u64 + 1,
            text,
        };
        match curator.decide(&document) {
            Decision::Keep => kept += 1,
            Decision::Drop(_) => {
                dropped += 1;
                match corpus.kinds[index] {
                    Kind::ExactCopy => exact_found += 1,
                    Kind::NearCopy => near_found += 1,
                    Kind::Original => {}
                }
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = thread_cpu_seconds()
        .zip(cpu_started)
        .map(|(end, start)| end - start);
    let (peak_rss, _) = memory_mb();
    drop(curator);
    let bytes: usize = corpus.texts.iter().map(String::len).sum();
    let planted = |kind| corpus.kinds.iter().filter(|&&k| k == kind).count() as u64;
    let recall = |found: u64, kind| {
        let planted = planted(kind);
        (planted > 0).then(|| found as f64 / planted as f64)
    };
    serde_json::json!({
        "tool": "genloop",
        "stage": name,
        "docs": corpus.texts.len(),
        "text_mb": bytes as f64 / 1e6,
        "seconds": seconds,
        "docs_per_s": corpus.texts.len() as f64 / seconds,
        "mb_per_s": bytes as f64 / 1e6 / seconds,
        "cpu_seconds": cpu_seconds,
        "docs_per_cpu_s": cpu_seconds.map(|cpu| corpus.texts.len() as f64 / cpu),
        "mb_per_cpu_s": cpu_seconds.map(|cpu| bytes as f64 / 1e6 / cpu),
        "kept": kept,
        "dropped": dropped,
        "exact_recall": recall(exact_found, Kind::ExactCopy),
        "near_recall": recall(near_found, Kind::NearCopy),
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss,
        "threads": 1,
    })
}

fn main() {
    let mut docs = 1_000_000usize;
    let mut seed = 0u64;
    let mut exact_share = 0.05;
    let mut near_share = 0.10;
    let mut write: Option<String> = None;
    let mut read: Option<String> = None;
    let mut stages = "exact,minhash".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| panic!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--docs" => docs = value().parse().expect("--docs: a count"),
            "--seed" => seed = value().parse().expect("--seed: an integer"),
            "--exact-share" => exact_share = value().parse().expect("--exact-share: a share"),
            "--near-share" => near_share = value().parse().expect("--near-share: a share"),
            "--write" => write = Some(value()),
            "--read" => read = Some(value()),
            "--stages" => stages = value(),
            other => panic!("unknown option {other}; see the file header for the options"),
        }
    }
    let corpus = match &read {
        Some(path) => read_corpus(path),
        None => generate(docs, seed, exact_share, near_share),
    };
    if let Some(path) = &write {
        write_corpus(&corpus, path);
        eprintln!("wrote {} documents to {path}", corpus.texts.len());
    }
    for stage in stages.split(',').filter(|s| !s.is_empty()) {
        let filter = match stage {
            "exact" => FilterConfig::ExactDedup(ExactDedupConfig::default()),
            "minhash" => FilterConfig::Minhash(MinhashConfig::default()),
            other => panic!("unknown stage {other}; stages: exact, minhash"),
        };
        println!("{}", run_stage(stage, filter, &corpus));
    }
}
