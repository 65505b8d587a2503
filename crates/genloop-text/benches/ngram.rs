//! Criterion benchmarks of the n-gram model on a seeded synthetic corpus: fitting
//! (Kneser-Ney, orders 3 and 5), scoring (cross-entropy over the corpus) and
//! sampling (plain and with temperature + nucleus). The corpus is drawn once,
//! outside the timed part: 40 000 documents of 1–40 tokens over 5 000 ids, each
//! token drawn from a Zipf-like law p(rank r) ∝ 1/(r + 1) conditioned on the
//! previous token's parity, so that there are real contexts. The real-text
//! benchmark, with KenLM's lmplz beside it, is `bench/compare_ngram.sh`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::Rng as _;

use genloop_core::data::{Dataset, Documents};
use genloop_core::model::{FittedModel, Sampling};
use genloop_core::seed::RootSeed;
use genloop_text::ngram::{NgramEstimator, Smoothing};

const VOCAB: usize = 5_000;

fn corpus() -> Documents {
    let mut rng = RootSeed(0).stream("bench-corpus", 0, 0);
    // Inverse-CDF table of p(r) ∝ 1/(r + 1).
    let weights: Vec<f64> = (0..VOCAB).map(|r| 1.0 / (r as f64 + 1.0)).collect();
    let total: f64 = weights.iter().sum();
    let mut running = 0.0;
    let cumulative: Vec<f64> = weights
        .iter()
        .map(|w| {
            running += w / total;
            running
        })
        .collect();
    let mut docs = Documents::new();
    let mut doc = Vec::new();
    for _ in 0..40_000 {
        doc.clear();
        let mut previous = 0u32;
        for _ in 0..rng.random_range(1..=40) {
            let rank = cumulative
                .partition_point(|&c| c < rng.random::<f64>())
                .min(VOCAB - 1) as u32;
            // Odd previous tokens shift the ranks: a different distribution.
            let token = (rank + (previous % 2) * 7) % VOCAB as u32;
            doc.push(token);
            previous = token;
        }
        docs.push(&doc);
    }
    docs
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let mut group = c.benchmark_group("ngram");
    group.sample_size(10);
    group.throughput(Throughput::Elements(docs.units() as u64));
    for order in [3, 5] {
        let estimator = NgramEstimator::new(order, Smoothing::KneserNey, VOCAB).expect("valid");
        group.bench_with_input(
            BenchmarkId::new("fit_kneser_ney", order),
            &estimator,
            |b, e| b.iter(|| black_box(e.fit_documents(&[&docs]).expect("fits"))),
        );
    }
    let model = NgramEstimator::new(3, Smoothing::KneserNey, VOCAB)
        .expect("valid")
        .fit_documents(&[&docs])
        .expect("fits");
    group.bench_function(BenchmarkId::new("cross_entropy", 3), |b| {
        b.iter(|| black_box(model.cross_entropy(&docs)))
    });
    // Biased sampling visits every continuation of the matched contexts: fewer tokens.
    for (name, sampling, tokens) in [
        ("plain", Sampling::default(), 200_000),
        (
            "t0.8_p0.95",
            Sampling {
                temperature: 0.8,
                top_p: 0.95,
                ..Sampling::default()
            },
            20_000,
        ),
    ] {
        group.throughput(Throughput::Elements(tokens as u64));
        group.bench_function(BenchmarkId::new("sample", name), |b| {
            let mut rng = RootSeed(1).stream("sample", 0, 0);
            b.iter(|| black_box(model.sample(tokens, &sampling, &mut rng)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
