//! Training throughput of a ~0.9 M-parameter model (d 128, 4 layers, 4 heads, context 128,
//! vocabulary 512, batch 8), then sampling speed with the key/value cache (64 sequences of
//! 127 tokens): `cargo run -p genloop-transformer --example throughput`.

use genloop_core::seed::RootSeed;
use genloop_transformer::{sample, AdamW, AdamWConfig, Gpt2, Gpt2Config, Params, SampleConfig};
use std::time::Instant;

fn main() {
    let (batch, time, steps) = (8, 128, 5);
    let config = Gpt2Config::new(512, time, 128, 4, 4);
    let mut model =
        Gpt2::new(Params::init(&config, &mut RootSeed(1).stream("init", 0, 0)).unwrap());
    let mut adam = AdamW::new(AdamWConfig::default(), &model.params.layout);
    let tokens: Vec<u32> = (0..batch * (time + 1))
        .map(|i| (i * 7 % 512) as u32)
        .collect();
    let (x, y) = (&tokens[..batch * time], &tokens[1..=batch * time]);
    let start = Instant::now();
    for _ in 0..steps {
        let loss = model.forward(x, Some(y), batch, time).unwrap().unwrap();
        model.backward().unwrap();
        adam.step(&mut model.params.data, &model.grads, 1e-3);
        println!("loss {loss:.4}");
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{} parameters, {:.0} tokens/s on {} threads",
        model.params.len(),
        (steps * batch * time) as f64 / seconds,
        rayon::current_num_threads()
    );
    let config = SampleConfig {
        max_tokens: time - 1,
        top_k: Some(50),
        ..SampleConfig::default()
    };
    let start = Instant::now();
    let out = sample(
        &model.params,
        &[0],
        64,
        &config,
        &mut RootSeed(1).stream("sample", 0, 0),
    )
    .unwrap();
    let drawn: usize = out.iter().map(|s| s.tokens.len()).sum();
    println!(
        "sampled {drawn} tokens, {:.0} tokens/s",
        drawn as f64 / start.elapsed().as_secs_f64()
    );
}
