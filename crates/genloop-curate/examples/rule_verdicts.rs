//! Keep/drop decisions of one quality rule set (default parameters) on a JSONL corpus,
//! for `bench/compare_datatrove.sh`.
//!
//! ```text
//! cargo run --release -p genloop-curate --example rule_verdicts -- RULE CORPUS.jsonl [--words]
//! ```
//!
//! RULE is a `[[filters]]` kind (`gopher_quality`, `gopher_repetition`, `c4`, `fineweb`)
//! or a TOML table for one (`kind = "c4"\nmin_num_sentences = 3`). CORPUS.jsonl holds
//! one {"text": ...} object per line. Prints one {"keep", "reason"} line per document,
//! then {"seconds"}: the thread's CPU time over all decisions, reading excluded. With
//! `--words`, prints each document's word tokens instead ({"words": [...]}).

use std::io::{BufRead, Write};

use genloop_curate::filters::FilterConfig;
use genloop_curate::rules::english::split_words;

/// CPU time of this thread in seconds (/proc/thread-self/schedstat); wall time where
/// that file is missing.
fn cpu_seconds(started: std::time::Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|stat| stat.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| started.elapsed().as_secs_f64(), |ns| ns / 1e9)
}

fn read_texts(path: &str) -> Vec<String> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    std::io::BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(index, line)| {
            let line = line.unwrap_or_else(|e| panic!("{path}: {e}"));
            let value: serde_json::Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("{path} line {}: {e}", index + 1));
            value["text"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(rule), Some(corpus)) = (args.first(), args.get(1)) else {
        eprintln!("usage: rule_verdicts RULE CORPUS.jsonl [--words]");
        std::process::exit(2);
    };
    let texts = read_texts(corpus);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.iter().any(|a| a == "--words") {
        for text in &texts {
            let words = serde_json::json!({ "words": split_words(text) });
            writeln!(out, "{words}").expect("write");
        }
        return;
    }
    let table = if rule.contains('=') {
        rule.clone()
    } else {
        format!("kind = \"{rule}\"")
    };
    let config: FilterConfig = toml::from_str(&table).unwrap_or_else(|e| {
        eprintln!("rule {rule:?}: {e}");
        std::process::exit(2);
    });
    let Some(rule_set) = config.rule() else {
        eprintln!("{} is not a rule kind", config.kind());
        std::process::exit(2);
    };
    let started = std::time::Instant::now();
    let before = cpu_seconds(started);
    let verdicts: Vec<_> = texts.iter().map(|text| rule_set.check(text)).collect();
    let seconds = cpu_seconds(started) - before;
    for verdict in verdicts {
        let line = serde_json::json!({ "keep": verdict.is_keep(), "reason": verdict.rule() });
        writeln!(out, "{line}").expect("write");
    }
    writeln!(out, "{}", serde_json::json!({ "seconds": seconds })).expect("write");
}
