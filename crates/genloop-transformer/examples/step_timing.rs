//! Time spent in each part of a training step (forward, backward, clipping, AdamW) on
//! random tokens, for profiling: `cargo run --release -p genloop-transformer --example
//! step_timing -- D LAYERS HEADS CONTEXT BATCH STEPS THREADS`.
use genloop_core::seed::RootSeed;
use genloop_transformer::{clip_grad_norm, AdamW, AdamWConfig, Gpt2, Gpt2Config, Params};
use rand::Rng;
use std::time::Instant;

fn main() {
    let a: Vec<usize> = std::env::args()
        .skip(1)
        .map(|s| s.parse().expect("numbers"))
        .collect();
    let [d, layers, heads, context, batch, steps, threads] = a[..] else {
        panic!("D LAYERS HEADS CONTEXT BATCH STEPS THREADS");
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .unwrap();
    let config = Gpt2Config::new(257, context, d, layers, heads);
    let params = Params::init(&config, &mut RootSeed(1).stream("init", 0, 0)).unwrap();
    let mut model = Gpt2::new(params);
    let mut adam = AdamW::new(AdamWConfig::default(), &model.params.layout);
    let mut rng = RootSeed(2).stream("tokens", 0, 0);
    let tokens: Vec<u32> = (0..batch * context + 1)
        .map(|_| rng.random_range(0..257))
        .collect();
    let (x, y) = (&tokens[..batch * context], &tokens[1..]);
    let mut t = [0.0f64; 4];
    let start = Instant::now();
    for _ in 0..steps {
        let s = Instant::now();
        model.forward(x, Some(y), batch, context).unwrap();
        t[0] += s.elapsed().as_secs_f64();
        let s = Instant::now();
        model.backward().unwrap();
        t[1] += s.elapsed().as_secs_f64();
        let s = Instant::now();
        clip_grad_norm(&mut model.grads, 1.0);
        t[2] += s.elapsed().as_secs_f64();
        let s = Instant::now();
        adam.step(&mut model.params.data, &model.grads, 1e-3);
        t[3] += s.elapsed().as_secs_f64();
    }
    let total = start.elapsed().as_secs_f64();
    let ms = |x: f64| 1e3 * x / steps as f64;
    println!(
        "{{\"tokens_per_second\": {:.0}, \"step_ms\": {:.2}, \"forward_ms\": {:.2}, \"backward_ms\": {:.2}, \"clip_ms\": {:.3}, \"adamw_ms\": {:.3}}}",
        (steps * batch * context) as f64 / total,
        ms(total),
        ms(t[0]),
        ms(t[1]),
        ms(t[2]),
        ms(t[3])
    );
}
