//! Sampling throughput of a saved model: `batch` sequences of `length` tokens each, decoded
//! together with the key/value cache from the last vocabulary id (the end-of-text id of
//! `genloop lm train --model transformer` folders), temperature 1, no truncation. Prints
//! one JSON object. bench/compare_transformer.sh runs it against PyTorch.
//!
//! `cargo run --release -p genloop-transformer --example sample_throughput -- MODEL_DIR
//! [--batch 32] [--length 63] [--threads 2] [--seed 1]`
use genloop_core::seed::RootSeed;
use genloop_transformer::{checkpoint, sample, SampleConfig};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or(
        "usage: sample_throughput MODEL_DIR [--batch N] [--length N] [--threads N] [--seed N]",
    )?;
    let (mut batch, mut length, mut threads, mut seed) = (32usize, 0usize, 2usize, 1u64);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--batch" => batch = value.parse()?,
            "--length" => length = value.parse()?,
            "--threads" => threads = value.parse()?,
            "--seed" => seed = value.parse()?,
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    let params = checkpoint::load(std::path::Path::new(&dir))?;
    let context = params.config.n_positions;
    let length = if length == 0 { context - 1 } else { length };
    let prompt = [params.config.vocab_size as u32 - 1];
    let config = SampleConfig {
        max_tokens: length,
        ..SampleConfig::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut rng = RootSeed(seed).global("sample-throughput");
    let start = Instant::now();
    let drawn = pool.install(|| sample(&params, &prompt, batch, &config, &mut rng))?;
    let seconds = start.elapsed().as_secs_f64();
    let tokens: usize = drawn.iter().map(|s| s.tokens.len()).sum();
    println!(
        "{{\"tool\": \"genloop\", \"sample_tokens_per_second\": {:.1}, \"sample_batch\": {batch}, \"sample_length\": {length}, \"threads\": {threads}, \"seconds\": {seconds:.4}}}",
        tokens as f64 / seconds
    );
    Ok(())
}
