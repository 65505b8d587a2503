//! Benchmark of the n-gram model on a real text, one thread, as JSON lines.
//!
//! ```text
//! cargo run --release -p genloop-text --example ngram_bench -- /tmp/kjv.txt \
//!     [--orders 3,5] [--sample-tokens 1000000] [--arpa-dir DIR]
//! ```
//!
//! The text is whitespace-tokenised, one document per line (blank lines skipped);
//! words get ids in order of first appearance, and one more id, spelled `<unk>`,
//! stands for the tokenizer's unknown token (never in the text). The uniform base
//! of the unigrams is then over the same outcomes as lmplz's (the types, `<unk>`
//! and `</s>`), so the ARPA files can be compared entry by entry with lmplz's
//! (`bench/kenlm_compare.py --reference`). For each order it reports the
//! estimation time (counting included, reading excluded), n-grams stored, bytes
//! per n-gram, query throughput (cross-entropy over the whole text, `</s>`
//! counted) and sampling throughput (unbiased, seeded). With `--arpa-dir` it also
//! writes `order{N}.arpa` and `vocab.txt` there for `bench/kenlm_compare.py`.

use std::collections::HashMap;
use std::time::Instant;

use genloop_core::data::{Dataset, Documents};
use genloop_core::model::{FittedModel, Sampling};
use genloop_core::seed::RootSeed;
use genloop_text::ngram::{NgramEstimator, Smoothing};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut path = None;
    let mut orders = vec![3usize, 5];
    let mut sample_tokens = 1_000_000usize;
    let mut arpa_dir = None;
    let mut i = 0;
    while i < args.len() {
        let value = || {
            args.get(i + 1)
                .unwrap_or_else(|| usage(&format!("{} needs a value", args[i])))
        };
        match args[i].as_str() {
            "--orders" => {
                orders = value()
                    .split(',')
                    .map(|o| {
                        o.parse()
                            .unwrap_or_else(|_| usage(&format!("bad order {o:?}")))
                    })
                    .collect();
                i += 1;
            }
            "--sample-tokens" => {
                sample_tokens = value()
                    .parse()
                    .unwrap_or_else(|_| usage("bad --sample-tokens"));
                i += 1;
            }
            "--arpa-dir" => {
                arpa_dir = Some(std::path::PathBuf::from(value()));
                i += 1;
            }
            other if path.is_none() && !other.starts_with("--") => path = Some(other.to_owned()),
            other => usage(&format!("unknown argument {other:?}")),
        }
        i += 1;
    }
    let path = path.unwrap_or_else(|| usage("no text file given"));

    let started = Instant::now();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| usage(&format!("{path}: {e}")));
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut words: Vec<&str> = Vec::new();
    let mut docs = Documents::new();
    let mut doc = Vec::new();
    for line in text.lines() {
        doc.clear();
        for word in line.split_whitespace() {
            let next = words.len() as u32;
            let id = *ids.entry(word).or_insert_with(|| {
                words.push(word);
                next
            });
            doc.push(id);
        }
        if !doc.is_empty() {
            docs.push(&doc);
        }
    }
    let read_seconds = started.elapsed().as_secs_f64();
    let types = words.len();
    words.push("<unk>");
    eprintln!(
        "{path}: {} documents, {} tokens, {} types, read in {read_seconds:.2} s",
        docs.len(),
        docs.units(),
        types
    );
    if let Some(dir) = &arpa_dir {
        std::fs::create_dir_all(dir).expect("create the ARPA folder");
        std::fs::write(dir.join("vocab.txt"), words.join("\n") + "\n").expect("write vocab.txt");
    }

    for order in orders {
        let estimator = NgramEstimator::new(order, Smoothing::KneserNey, words.len())
            .unwrap_or_else(|e| usage(&e.to_string()));
        let started = Instant::now();
        let model = estimator.fit_documents(&[&docs]).expect("fit");
        let estimation_seconds = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let (nats_per_token, tokens_scored) = model.cross_entropy(&docs);
        let query_seconds = started.elapsed().as_secs_f64();

        let mut rng = RootSeed(1).stream("sample", 0, 0);
        let started = Instant::now();
        let sample = model.sample(sample_tokens, &Sampling::default(), &mut rng);
        let sampling_seconds = started.elapsed().as_secs_f64();
        // Tokens, not counting </s> (one more per document).
        let sampled = sample.units();

        // Biased sampling builds the full distribution at every step: slower.
        let biased = Sampling {
            temperature: 0.8,
            top_p: 0.95,
            ..Sampling::default()
        };
        let started = Instant::now();
        let biased_sample = model.sample(sample_tokens / 20, &biased, &mut rng);
        let biased_seconds = started.elapsed().as_secs_f64();

        let mut arpa_seconds = None;
        if let Some(dir) = &arpa_dir {
            let started = Instant::now();
            let file =
                std::fs::File::create(dir.join(format!("order{order}.arpa"))).expect("create ARPA");
            let mut out = std::io::BufWriter::new(file);
            model
                .write_arpa(&mut out, &|id| words[id as usize].to_owned())
                .expect("write ARPA");
            arpa_seconds = Some(started.elapsed().as_secs_f64());
        }

        let line = serde_json::json!({
            "order": order,
            "documents": docs.len(),
            "tokens": docs.units(),
            "types": types,
            "vocab_size": words.len(),
            "estimation_seconds": estimation_seconds,
            "ngrams": model.ngram_count(),
            "ngrams_per_order": model.ngram_counts(),
            "memory_bytes": model.memory_bytes(),
            "bytes_per_ngram": model.bytes_per_ngram(),
            "discounts": model.discounts().iter().map(|d| [d.d1, d.d2, d.d3_plus]).collect::<Vec<_>>(),
            "cross_entropy_nats": nats_per_token,
            "perplexity": nats_per_token.exp(),
            "query_tokens": tokens_scored,
            "query_tokens_per_second": tokens_scored as f64 / query_seconds,
            "sampled_tokens": sampled,
            "sampled_documents": sample.len(),
            "sampling_tokens_per_second": sampled as f64 / sampling_seconds,
            "biased_sampling": "temperature 0.8, top_p 0.95",
            "biased_sampling_tokens_per_second": biased_sample.units() as f64 / biased_seconds,
            "arpa_write_seconds": arpa_seconds,
        });
        println!("{line}");
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("ngram_bench: {problem}");
    eprintln!("usage: ngram_bench TEXT_FILE [--orders 3,5] [--sample-tokens N] [--arpa-dir DIR]");
    std::process::exit(2)
}
