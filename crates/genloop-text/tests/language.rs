//! The synthetic language against its own definition: normalised rows, geometric
//! document lengths, cross-entropy of its samples at the exact entropy rate, and
//! determinism. Statistical checks use 4.5 standard errors of the estimate, on
//! several seeds (STYLE.md: honest tolerances), so a correct implementation fails
//! about once in 10⁵ runs per check.

use genloop_core::data::Dataset;
use genloop_core::model::Source;
use genloop_core::seed::{Rng, RootSeed};
use genloop_text::language::{Language, LanguageSpec};

const SEEDS: [u64; 4] = [1, 2, 3, 4];
const Z: f64 = 4.5;

fn language(spec: &LanguageSpec, seed: u64) -> Language {
    Language::new(spec, &mut RootSeed(seed).global("language")).unwrap()
}

fn sample_stream(seed: u64) -> Rng {
    RootSeed(seed).stream("original", 0, 0)
}

/// A small tabulated language of each order and a large order-2 one whose rows are
/// made on demand ((3001)² contexts).
fn specs() -> Vec<LanguageSpec> {
    vec![
        LanguageSpec {
            vocab: 300,
            order: 1,
            mean_length: 20.0,
            ..LanguageSpec::default()
        },
        LanguageSpec {
            vocab: 300,
            order: 2,
            exponent: 1.2,
            mean_length: 12.0,
            branching: 16,
        },
        LanguageSpec {
            vocab: 3000,
            order: 2,
            mean_length: 40.0,
            ..LanguageSpec::default()
        },
    ]
}

#[test]
fn next_token_probabilities_sum_to_one_over_the_whole_vocabulary() {
    for spec in specs() {
        let language = language(&spec, 1);
        let docs = language.draw(200, &mut sample_stream(1));
        let mut prefixes: Vec<&[u32]> = vec![&[]];
        for doc in docs.iter().take(5) {
            for end in 0..doc.len().min(4) {
                prefixes.push(&doc[..=end]);
            }
        }
        for prefix in prefixes {
            let total: f64 = (0..=language.end_id())
                .map(|next| language.prob(prefix, next))
                .sum();
            assert!((total - 1.0).abs() < 1e-12, "{spec:?} {prefix:?}: {total}");
            let sparse: f64 = language
                .next_distribution(prefix)
                .iter()
                .map(|&(next, p)| {
                    assert_eq!(p, language.prob(prefix, next));
                    p
                })
                .sum();
            assert!((sparse - 1.0).abs() < 1e-12);
        }
    }
}

#[test]
fn sampled_first_tokens_follow_the_begin_row() {
    let spec = LanguageSpec {
        vocab: 300,
        order: 2,
        branching: 8,
        mean_length: 5.0,
        ..LanguageSpec::default()
    };
    for seed in SEEDS {
        let language = language(&spec, seed);
        let mut rng = sample_stream(seed);
        let draws = 40_000;
        let mut counts = vec![0usize; spec.vocab + 1];
        for _ in 0..draws {
            let doc = language.draw_document(&mut rng);
            let first = doc.first().copied().unwrap_or(language.end_id());
            counts[first as usize] += 1;
        }
        for (next, p) in language.next_distribution(&[]) {
            let observed = counts[next as usize] as f64 / draws as f64;
            let standard_error = (p * (1.0 - p) / draws as f64).sqrt();
            assert!(
                (observed - p).abs() <= Z * standard_error,
                "seed {seed}, token {next}: {observed} vs {p}"
            );
        }
    }
}

#[test]
fn document_lengths_are_geometric_with_the_mean_length() {
    for spec in specs() {
        let q = 1.0 / (spec.mean_length + 1.0);
        // Geometric on {0, 1, …}: variance (1 − q)/q².
        let sd = ((1.0 - q) / (q * q)).sqrt();
        for seed in SEEDS {
            let language = language(&spec, seed);
            let docs = language.draw(100_000, &mut sample_stream(seed));
            let n = docs.len() as f64;
            let mean = docs.units() as f64 / n;
            let tolerance = Z * sd / n.sqrt();
            assert!(
                (mean - spec.mean_length).abs() <= tolerance,
                "{spec:?} seed {seed}: mean length {mean} ± {tolerance}"
            );
        }
    }
}

#[test]
fn cross_entropy_of_own_samples_is_the_entropy_rate() {
    for spec in specs() {
        for seed in SEEDS {
            let language = language(&spec, seed);
            let docs = language.draw(60_000, &mut sample_stream(seed));
            let mut losses = Vec::new();
            for doc in docs.iter() {
                for log_prob in language.log_prob_tokens(doc) {
                    assert!(log_prob.is_finite(), "a sampled token has probability 0");
                    losses.push(-log_prob);
                }
            }
            let n = losses.len() as f64;
            let mean = losses.iter().sum::<f64>() / n;
            let variance = losses.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let rate = language.entropy_rate();
            let standard_error = (language.log_loss_variance() / n).sqrt();
            assert!(
                (mean - rate).abs() <= Z * standard_error,
                "{spec:?} seed {seed}: cross-entropy {mean} vs entropy rate {rate} (se {standard_error})"
            );
            // The closed-form variance is the one the samples show.
            let expected = language.log_loss_variance();
            assert!(
                (variance / expected - 1.0).abs() < 0.1,
                "{variance} vs {expected}"
            );
        }
    }
}

#[test]
fn log_density_is_the_sum_of_token_log_probabilities() {
    let language = language(&specs()[1], 5);
    let docs = language.draw(500, &mut sample_stream(5));
    assert!(docs.units() >= 500);
    let densities = language.log_density(&docs).unwrap();
    for (doc, density) in docs.iter().zip(densities) {
        let sum: f64 = language.log_prob_tokens(doc).iter().sum();
        assert_eq!(sum, density);
    }
    // A word outside the row has probability 0; an id outside the vocabulary too.
    let row: Vec<u32> = language
        .next_distribution(&[])
        .iter()
        .map(|&(id, _)| id)
        .collect();
    let absent = (0..300).find(|id| !row.contains(id)).unwrap();
    assert_eq!(language.log_prob(&[], absent), f64::NEG_INFINITY);
    assert_eq!(language.log_prob(&[], 10_000), f64::NEG_INFINITY);
}

#[test]
fn frequent_proposal_words_are_frequent_in_samples() {
    let language = language(&specs()[0], 6);
    let docs = language.draw(100_000, &mut sample_stream(6));
    let mut counts = vec![0usize; 300];
    for &token in &docs.tokens {
        counts[token as usize] += 1;
    }
    let head: usize = counts[..10].iter().sum();
    let middle: usize = counts[100..110].iter().sum();
    assert!(head > 5 * middle, "head {head}, middle {middle}");
}

#[test]
fn same_seed_same_language_and_samples() {
    for spec in specs() {
        let a = language(&spec, 9);
        let b = language(&spec, 9);
        let other = language(&spec, 10);
        let docs_a = a.draw(2_000, &mut sample_stream(1));
        let docs_b = b.draw(2_000, &mut sample_stream(1));
        assert_eq!(docs_a, docs_b);
        assert_eq!(a.log_density(&docs_a), b.log_density(&docs_a));
        assert_ne!(other.draw(2_000, &mut sample_stream(1)), docs_a);
        assert_ne!(a.next_distribution(&[]), other.next_distribution(&[]));
    }
}

#[test]
fn draws_whole_documents_until_the_token_count() {
    let language = language(&specs()[0], 11);
    assert_eq!(language.draw(0, &mut sample_stream(1)).len(), 0);
    let docs = language.draw(1_000, &mut sample_stream(1));
    let before_last = docs.units() - docs.doc(docs.len() - 1).len();
    assert!(docs.units() >= 1_000 && before_last < 1_000);
    assert!(docs.tokens.iter().all(|&t| t < language.end_id()));
    assert_eq!(language.token_text(0), "ba");
    assert_eq!(language.token_text(7), "di");
    assert_eq!(language.token_text(70), "baba");
    assert_eq!(language.document_text(&[3, 0]), "bo ba");
    // Every id has its own letters-only spelling.
    let words: std::collections::HashSet<String> =
        (0..10_000).map(genloop_text::language::spell).collect();
    assert_eq!(words.len(), 10_000);
    assert!(words
        .iter()
        .all(|w| w.bytes().all(|b| b.is_ascii_lowercase())));
}

#[test]
fn invalid_specs_name_the_key() {
    let cases = [
        (
            LanguageSpec {
                order: 3,
                ..LanguageSpec::default()
            },
            "language.order = 3",
        ),
        (
            LanguageSpec {
                vocab: 0,
                ..LanguageSpec::default()
            },
            "language.vocab = 0",
        ),
        (
            LanguageSpec {
                mean_length: 0.0,
                ..LanguageSpec::default()
            },
            "language.mean_length = 0",
        ),
        (
            LanguageSpec {
                exponent: f64::NAN,
                ..LanguageSpec::default()
            },
            "language.exponent = NaN",
        ),
        (
            LanguageSpec {
                branching: 0,
                ..LanguageSpec::default()
            },
            "language.branching = 0",
        ),
    ];
    for (spec, message) in cases {
        let error = Language::new(&spec, &mut sample_stream(1)).unwrap_err();
        assert!(error.to_string().starts_with(message), "{error}");
    }
}
