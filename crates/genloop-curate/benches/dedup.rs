//! Exact and MinHash dedup of the curation pipeline on 10 000 short documents (20–40
//! words, 5 % exact and 10 % near copies), one thread; the dedup module's batch
//! `dedup` beside them for reference, and the MinHash signature alone (allocating
//! `MinHasher::signature` and buffer-reusing `MinHasher::sign_into`). The corpus is built once,
//! outside the timed part, from a fixed seed. The million-document figures and the Python comparison come from
//! `examples/dedup_throughput.rs` and `bench/compare_minhash.sh`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use genloop_curate::dedup::{dedup, DedupParams, DedupRecord, Origin};
use genloop_curate::filters::{ExactDedupConfig, FilterConfig, MinhashConfig};
use genloop_curate::pipeline::{Curator, Decision, Document};

const DOCS: usize = 10_000;
const SEED: u64 = 7;

/// SplitMix64 (Steele, Lea & Flood 2014).
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Short documents over a 4 000-word vocabulary with 1/rank frequencies.
fn corpus() -> Vec<String> {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ba", "de", "fi", "go", "ha", "je", "ku",
        "la",
    ];
    let word = |rank: usize| -> String {
        let (mut rank, mut word) = (rank, String::new());
        loop {
            word.push_str(SYLLABLES[rank % 16]);
            rank /= 16;
            if rank == 0 {
                return word;
            }
        }
    };
    let vocabulary: Vec<String> = (0..4_000).map(word).collect();
    let mut state = SEED;
    let unit = |state: &mut u64| (next(state) >> 11) as f64 / (1u64 << 53) as f64;
    let mut texts: Vec<String> = Vec::with_capacity(DOCS);
    for _ in 0..DOCS {
        let draw = unit(&mut state);
        let source = (!texts.is_empty()).then(|| (next(&mut state) % texts.len() as u64) as usize);
        let text = match source {
            Some(source) if draw < 0.05 => texts[source].to_uppercase(),
            Some(source) if draw < 0.15 => {
                let mut words: Vec<&str> = texts[source].split(' ').collect();
                let position = (next(&mut state) % words.len() as u64) as usize;
                words[position] = "zuzu";
                words.join(" ")
            }
            _ => {
                let length = 20 + (next(&mut state) % 21) as usize;
                (0..length)
                    .map(|_| {
                        let rank = 4_000f64.powf(unit(&mut state)) as usize;
                        vocabulary[rank.clamp(1, 4_000) - 1].as_str()
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        };
        texts.push(text);
    }
    texts
}

fn run_pipeline(filter: &FilterConfig, texts: &[String]) -> usize {
    let mut curator = Curator::new(std::slice::from_ref(filter)).expect("valid filter");
    texts
        .iter()
        .enumerate()
        .filter(|(index, text)| {
            let document = Document {
                line: *index as u64 + 1,
                text,
            };
            matches!(curator.decide(&document), Decision::Keep)
        })
        .count()
}

fn dedup_benches(c: &mut Criterion) {
    let texts = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("dedup");
    group.sample_size(10);
    group.throughput(Throughput::Elements(DOCS as u64));

    let exact = FilterConfig::ExactDedup(ExactDedupConfig::default());
    group.bench_function(
        BenchmarkId::new("pipeline_exact", format!("docs={DOCS}")),
        |b| b.iter(|| run_pipeline(&exact, &texts)),
    );
    let minhash = FilterConfig::Minhash(MinhashConfig::default());
    group.bench_function(
        BenchmarkId::new("pipeline_minhash", format!("docs={DOCS},bands=14,rows=8")),
        |b| b.iter(|| run_pipeline(&minhash, &texts)),
    );

    let params = DedupParams::default().check().expect("default parameters");
    let records: Vec<DedupRecord> = texts
        .iter()
        .enumerate()
        .map(|(id, text)| DedupRecord {
            id: id as u64,
            text: text.clone(),
            origin: Origin::Fresh,
            created: 0,
        })
        .collect();
    group.bench_function(
        BenchmarkId::new("batch_dedup_module", format!("docs={DOCS},bands=14,rows=8")),
        |b| b.iter(|| dedup(&records, &params).kept.len()),
    );
    group.finish();

    // The signature alone, over the corpus's shingle sets: allocating, and into reused
    // buffers.
    let sets: Vec<Vec<u64>> = texts.iter().map(|text| params.shingles(text)).collect();
    let signer = params.hasher();
    let mut group = c.benchmark_group("signature");
    group.sample_size(10);
    group.throughput(Throughput::Elements(DOCS as u64));
    group.bench_function(BenchmarkId::new("minhasher", "perms=112"), |b| {
        b.iter(|| {
            sets.iter()
                .map(|set| params.hasher().signature(set)[0])
                .fold(0, |acc, x| acc ^ x)
        })
    });
    group.bench_function(BenchmarkId::new("sign_into", "perms=112"), |b| {
        let (mut reduced, mut signature) = (Vec::new(), vec![0; signer.num_perm()]);
        b.iter(|| {
            sets.iter().fold(0, |acc, set| {
                signer.sign_into(set, &mut reduced, &mut signature);
                acc ^ signature[0]
            })
        })
    });
    group.finish();
    eprintln!(
        "corpus: {DOCS} documents, {:.2} MB of text",
        bytes as f64 / 1e6
    );
}

criterion_group!(benches, dedup_benches);
criterion_main!(benches);
