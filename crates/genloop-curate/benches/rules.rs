//! The quality rule sets (Gopher quality, Gopher repetition, C4, FineWeb) and the
//! English word splitter on 2 000 short documents (3–6 sentences of 6–14 words over
//! two or three lines, with contractions, abbreviations, commas and a URL now and
//! then), one thread. The documents are built once, outside the timed part, from a
//! fixed seed. Issue 16 asks for at least 20 000 short documents per second per core
//! from each rule set; the real-text comparison with datatrove is
//! `bench/compare_datatrove.sh`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use genloop_curate::rules::{FineWeb, GopherQuality, GopherRepetition, Rule, C4};

const DOCS: usize = 2_000;
const SEED: u64 = 11;

/// SplitMix64 (Steele, Lea & Flood 2014).
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const WORDS: [&str; 40] = [
    "the",
    "harbour",
    "ferry",
    "don't",
    "bread",
    "of",
    "and",
    "to",
    "with",
    "that",
    "have",
    "slowly",
    "morning",
    "Mr.",
    "gulls",
    "it's",
    "well-known",
    "town",
    "library",
    "winter",
    "be",
    "neighbours",
    "(quiet)",
    "light",
    "e.g.",
    "walk",
    "school",
    "they're",
    "nets",
    "tea",
    "U.S.",
    "children",
    "closed",
    "visitors",
    "3.5km",
    "weather,",
    "read",
    "talk",
    "sea",
    "a",
];

fn document(state: &mut u64) -> String {
    let mut text = String::new();
    let sentences = 3 + next(state) % 4;
    for sentence in 0..sentences {
        let length = 6 + next(state) % 9;
        let words: Vec<&str> = (0..length)
            .map(|_| WORDS[(next(state) % WORDS.len() as u64) as usize])
            .collect();
        let mut line = words.join(" ");
        line[..1].make_ascii_uppercase();
        if next(state).is_multiple_of(10) {
            line.push_str(" at https://example.org/news");
        }
        line.push(if next(state).is_multiple_of(5) {
            '!'
        } else {
            '.'
        });
        text.push_str(&line);
        text.push(if sentence % 2 == 1 { '\n' } else { ' ' });
    }
    text.trim_end().to_string()
}

fn rule_sets(c: &mut Criterion) {
    let mut state = SEED;
    let docs: Vec<String> = (0..DOCS).map(|_| document(&mut state)).collect();
    let rules: [Box<dyn Rule>; 4] = [
        Box::new(GopherQuality::default()),
        Box::new(GopherRepetition::default()),
        Box::new(C4::default()),
        Box::new(FineWeb::default()),
    ];
    let mut group = c.benchmark_group("rules_short_docs");
    group.throughput(Throughput::Elements(DOCS as u64));
    for rule in &rules {
        let id = BenchmarkId::new(rule.name(), format!("docs={DOCS}/seed={SEED}"));
        group.bench_function(id, |b| {
            b.iter(|| docs.iter().filter(|doc| rule.check(doc).is_keep()).count())
        });
    }
    group.finish();
}

criterion_group!(benches, rule_sets);
criterion_main!(benches);
