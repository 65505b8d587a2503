//! Contract tests of the n-gram model: normalisation, hand-computed Kneser-Ney,
//! MLE and add-k, sampling, and ARPA round trips.

use rand::Rng as _;

use genloop_core::data::{Dataset, Documents};
use genloop_core::model::{FittedModel, Sampling};
use genloop_core::seed::{Rng, RootSeed};

use super::sample::{bias, draw_weighted};
use super::*;

fn fit(order: usize, smoothing: Smoothing, vocab_size: usize, docs: &Documents) -> NgramModel {
    NgramEstimator::new(order, smoothing, vocab_size)
        .unwrap()
        .fit_documents(&[docs])
        .unwrap()
}

/// Documents of random length over ids `0..used` (ids `used..vocab` stay unseen).
fn random_corpus(rng: &mut Rng, documents: usize, used: u32) -> Documents {
    Documents::from_docs((0..documents).map(|_| {
        let length = rng.random_range(0..12);
        // A skewed draw, so that counts of counts are all non-zero.
        (0..length)
            .map(|_| {
                let u: f64 = rng.random();
                ((u * u) * f64::from(used)) as u32
            })
            .collect::<Vec<u32>>()
    }))
}

/// The corpus of the hand-computed examples: a = 0, b = 1, c = 2 (d = 3 unseen).
fn abc_corpus() -> Documents {
    let (a, b, c) = (0, 1, 2);
    Documents::from_docs([
        vec![a, b],
        vec![a, b],
        vec![a, b],
        vec![b],
        vec![b],
        vec![c, a, b],
    ])
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-6 * expected.abs().max(1e-12),
        "{what}: got {actual}, expected {expected}"
    );
}

#[test]
fn every_context_sums_to_one() {
    let mut rng = RootSeed(11).stream("test-corpus", 0, 0);
    let vocab_size = 14;
    let docs = random_corpus(&mut rng, 300, 12);
    for order in 1..=5 {
        for smoothing in [Smoothing::KneserNey, Smoothing::Mle, Smoothing::AddK(0.3)] {
            let model = fit(order, smoothing, vocab_size, &docs);
            for trial in 0..60 {
                // Random contexts, mostly from the corpus, some with unseen ids.
                let context: Vec<u32> = if trial % 3 == 0 {
                    (0..rng.random_range(0..7))
                        .map(|_| rng.random_range(0..vocab_size as u32))
                        .collect()
                } else {
                    let doc = docs.doc(rng.random_range(0..docs.len()));
                    doc[..rng.random_range(0..=doc.len())].to_vec()
                };
                let p = model.prob_distribution(&context);
                assert_eq!(p.len(), vocab_size + 1);
                let total: f64 = p.iter().sum();
                assert!(
                    (total - 1.0).abs() < 1e-5,
                    "order {order} {smoothing:?} context {context:?}: sum {total}"
                );
                assert!(p.iter().all(|&x| (0.0..=1.0 + 1e-6).contains(&x)));
            }
        }
    }
}

#[test]
fn scores_agree_with_distributions() {
    let mut rng = RootSeed(12).stream("test-corpus", 0, 0);
    let docs = random_corpus(&mut rng, 200, 10);
    for order in 1..=5 {
        let model = fit(order, Smoothing::KneserNey, 12, &docs);
        let probe = random_corpus(&mut rng, 20, 12);
        for doc in probe.iter() {
            let scores = model.token_log_probs(doc);
            assert_eq!(scores.len(), doc.len() + 1);
            for (i, score) in scores.iter().enumerate() {
                let p = model.prob_distribution(&doc[..i]);
                let token = doc.get(i).map_or(12, |&t| t as usize);
                assert_close(score.exp(), p[token], "token probability");
            }
        }
        let total: f64 = model.log_prob(&probe).iter().sum();
        let (nats, tokens) = model.cross_entropy(&probe);
        assert_eq!(tokens, probe.units() + probe.len());
        assert_close(nats, -total / tokens as f64, "cross-entropy");
    }
}

#[test]
fn kneser_ney_bigram_by_hand() {
    let model = fit(2, Smoothing::KneserNey, 3, &abc_corpus());
    // Bigram counts: <s>a 3, ab 4, b</s> 6, <s>b 2, <s>c 1, ca 1, so n1 = 2, n2 = 1,
    // n3 = 1, n4 = 1; Y = 2/(2 + 2) = 1/2, D1 = 1 − 2Y·1/2 = 1/2,
    // D2 = 2 − 3Y·1/1 = 1/2, D3+ = 3 − 4Y·1/1 = 1.
    // Unigram continuation counts: a 2 ({<s>, c}), b 2 ({<s>, a}), c 1, </s> 1:
    // n3 = 0, so lmplz's fallback D = (0.5, 1, 1.5).
    let discounts = model.discounts();
    assert!(discounts[0].fallback);
    assert_eq!(
        (
            discounts[1].d1,
            discounts[1].d2,
            discounts[1].d3_plus,
            discounts[1].fallback
        ),
        (0.5, 0.5, 1.0, false)
    );
    // Unigrams: Σa = 6, u(a) = u(b) = (2 − 1)/6, u(c) = u(</s>) = (1 − 0.5)/6,
    // γ = (0.5·2 + 1·2)/6 = 1/2, uniform over 4 outcomes: p(a) = 1/6 + 1/8 = 7/24,
    // p(b) = 7/24, p(c) = p(</s>) = 1/12 + 1/8 = 5/24.
    let unigram = model.unigram_probs();
    for (p, expected) in unigram
        .iter()
        .zip([7.0 / 24.0, 7.0 / 24.0, 5.0 / 24.0, 5.0 / 24.0])
    {
        assert_close(*p, expected, "unigram");
    }
    // Context <s>: a 3, b 2, c 1, Σ 6, γ = (1/2 + 1/2 + 1)/6 = 1/3:
    // p(a) = 2/6 + 7/72 = 31/72, p(b) = 1.5/6 + 7/72 = 25/72, p(c) = 0.5/6 + 5/72 =
    // 11/72, p(</s>) = 5/72.
    let first = model.prob_distribution(&[]);
    for (p, expected) in first.iter().zip([31.0, 25.0, 11.0, 5.0]) {
        assert_close(*p, expected / 72.0, "p(· | <s>)");
    }
    // p(c | <s>) p(a | c) p(b | a) p(</s> | b):
    // context c: a 1, u = 1/2, γ = 1/2: p(a | c) = 1/2 + 7/48 = 31/48;
    // context a: b 4, u = 3/4, γ = 1/4: p(b | a) = 3/4 + 7/96 = 79/96;
    // context b: </s> 6, u = 5/6, γ = 1/6: p(</s> | b) = 5/6 + 5/144 = 125/144.
    let expected: f64 = (11.0 / 72.0) * (31.0 / 48.0) * (79.0 / 96.0) * (125.0 / 144.0);
    let got = model.log_prob(&Documents::from_docs([vec![2u32, 0, 1]]))[0];
    assert_close(got, expected.ln(), "log p(c a b)");
}

#[test]
fn kneser_ney_trigram_by_hand() {
    let model = fit(3, Smoothing::KneserNey, 3, &abc_corpus());
    // Trigrams: <s>ab 3, ab</s> 4, <s>b</s> 2, <s>ca 1, cab 1: D = (1/2, 1/2, 1) as
    // for the bigram model. Bigrams (order 2 < 3): those starting with <s> keep raw
    // counts (<s>a 3, <s>b 2, <s>c 1), the others count left extensions (ab 2,
    // b</s> 2, ca 1): n1 = 2, n2 = 3, n3 = 1, n4 = 0, Y = 2/8 = 1/4,
    // D1 = 1 − 2Y·3/2 = 1/4, D2 = 2 − 3Y·1/3 = 7/4, D3+ = 3 − 4Y·0 = 3.
    let discounts = model.discounts();
    assert_eq!(
        (discounts[1].d1, discounts[1].d2, discounts[1].d3_plus),
        (0.25, 1.75, 3.0)
    );
    // Unigrams as in the bigram model: 7/24, 7/24, 5/24, 5/24.
    // Context <s>: u(a) = (3 − 3)/6 = 0, u(b) = (2 − 7/4)/6 = 1/24,
    // u(c) = (1 − 1/4)/6 = 1/8, γ = (1/4 + 7/4 + 3)/6 = 5/6:
    // p(a | <s>) = 35/144, p(b | <s>) = 41/144, p(c | <s>) = 43/144, p(</s> | <s>) = 25/144.
    let first = model.prob_distribution(&[]);
    for (p, expected) in first.iter().zip([35.0, 41.0, 43.0, 25.0]) {
        assert_close(*p, expected / 144.0, "p(· | <s>)");
    }
    // Context a: b 2, u = 1/8, γ = 7/8: p(b | a) = 1/8 + 7/8·7/24 = 73/192.
    // Context b: </s> 2: p(</s> | b) = 1/8 + 7/8·5/24 = 59/192.
    // Context c: a 1, u = 3/4, γ = 1/4: p(a | c) = 3/4 + 7/96 = 79/96.
    // Trigram contexts (D = 1/2, 1/2, 1):
    // <s> a: b 3, u = 2/3, γ = 1/3: p(b | <s> a) = 2/3 + 73/576 = 457/576;
    // a b: </s> 4, u = 3/4, γ = 1/4: p(</s> | a b) = 3/4 + 59/768 = 635/768;
    // <s> c: a 1, u = 1/2, γ = 1/2: p(a | <s> c) = 1/2 + 79/192 = 175/192;
    // c a: b 1: p(b | c a) = 1/2 + 73/384 = 265/384.
    let docs = Documents::from_docs([vec![0u32, 1], vec![2, 0, 1], vec![1, 0]]);
    let scores = model.log_prob(&docs);
    let a_b: f64 = (35.0 / 144.0) * (457.0 / 576.0) * (635.0 / 768.0);
    let c_a_b = (43.0 / 144.0) * (175.0 / 192.0) * (265.0 / 384.0) * (635.0 / 768.0);
    // Unseen "b a": p(b | <s>) = 41/144; p(a | <s> b) backs off twice:
    // γ(<s> b) = 1/4 (</s> 2: u = 3/4), γ(b) = 7/8, p(a) = 7/24: 1/4·7/8·7/24 = 49/768;
    // p(</s> | b a): "b a" is no context, γ(a) = 7/8, p(</s>) = 5/24: 35/192.
    let b_a = (41.0 / 144.0) * (49.0 / 768.0) * (35.0 / 192.0);
    for (got, expected) in scores.iter().zip([a_b, c_a_b, b_a]) {
        assert_close(*got, expected.ln(), "log p(doc)");
    }
}

#[test]
fn mle_is_relative_frequency() {
    let model = fit(2, Smoothing::Mle, 4, &abc_corpus());
    // Context <s>: a 3, b 2, c 1 of 6.
    let first = model.prob_distribution(&[]);
    assert_eq!(first.len(), 5);
    for (p, expected) in first
        .iter()
        .zip([3.0 / 6.0, 2.0 / 6.0, 1.0 / 6.0, 0.0, 0.0])
    {
        assert_close(*p, expected, "p(· | <s>)");
    }
    // c a b: 1/6 · 1 · 1 · 1.
    let scores = model.log_prob(&Documents::from_docs([vec![2u32, 0, 1], vec![1, 0]]));
    assert_close(scores[0], (1.0f64 / 6.0).ln(), "log p(c a b)");
    assert_eq!(scores[1], f64::NEG_INFINITY, "b is never followed by a");
    // The unseen id d = 3 is no context: back to the unigram frequencies
    // a 4, b 6, c 1, </s> 6 of 17.
    let after_d = model.prob_distribution(&[3]);
    for (p, expected) in after_d.iter().zip([4.0, 6.0, 1.0, 0.0, 6.0]) {
        assert_close(*p, expected / 17.0, "p(· | d)");
    }
}

#[test]
fn add_k_by_hand() {
    let model = fit(2, Smoothing::AddK(1.0), 4, &abc_corpus());
    // Unigrams (c + 1)/(17 + 5): a 5, b 7, c 2, d 1, </s> 7 over 22 — add-one.
    let unigram = model.unigram_probs();
    for (p, expected) in unigram.iter().zip([5.0, 7.0, 2.0, 1.0, 7.0]) {
        assert_close(*p, expected / 22.0, "unigram");
    }
    // p(w | a) = (c(a w) + 5 p(w)) / (4 + 5): p(b | a) = (4 + 35/22)/9 = 123/198,
    // p(d | a) = (5/22)/9 = 5/198.
    let after_a = model.prob_distribution(&[0]);
    assert_close(after_a[1], 123.0 / 198.0, "p(b | a)");
    assert_close(after_a[3], 5.0 / 198.0, "p(d | a)");
    // Order 1 add-k is the categorical model.
    let unigram_model = fit(1, Smoothing::AddK(0.5), 4, &abc_corpus());
    let p = unigram_model.prob_distribution(&[2, 2]);
    // a 4, b 6, c 1, d 0, </s> 6 of 17, plus 0.5 each over 5 outcomes.
    for (p, expected) in p.iter().zip([4.5, 6.5, 1.5, 0.5, 6.5]) {
        assert_close(*p, expected / 19.5, "add-k unigram");
    }
}

#[test]
fn sampling_is_deterministic_and_sized() {
    let mut rng = RootSeed(13).stream("test-corpus", 0, 0);
    let docs = random_corpus(&mut rng, 300, 10);
    let model = fit(3, Smoothing::KneserNey, 12, &docs);
    let draw = |seed: u64, sampling: &Sampling| {
        model.sample(500, sampling, &mut RootSeed(seed).stream("sample", 0, 1))
    };
    for sampling in [
        Sampling::default(),
        Sampling {
            temperature: 0.7,
            top_k: 5,
            top_p: 0.9,
            ..Sampling::default()
        },
    ] {
        let first = draw(1, &sampling);
        assert_eq!(first, draw(1, &sampling));
        assert_ne!(first, draw(2, &sampling));
        assert!(first.units() >= 500);
        // Whole documents: the last one starts below 500 tokens.
        let before_last = first.units() - first.units_of(first.len() - 1);
        assert!(before_last < 500);
        assert!(first.tokens.iter().all(|&t| t < 12));
    }
    let short = model.clone().with_max_length(2);
    let capped = short.sample(
        300,
        &Sampling::default(),
        &mut RootSeed(3).stream("sample", 0, 1),
    );
    assert!(capped.iter().all(|d| d.len() <= 2));
}

/// Draws `draws` first tokens and second tokens after a fixed first token, and
/// checks each frequency against p within 4 standard errors.
fn check_frequencies(model: &NgramModel, sampling: &Sampling, expected_first: &[f64], seed: u64) {
    let draws = 20_000;
    let one_token = model.clone().with_max_length(1);
    let sample = one_token.sample(draws, sampling, &mut RootSeed(seed).stream("sample", 0, 0));
    let mut counts = vec![0usize; expected_first.len()];
    let mut documents = 0usize;
    for doc in sample.iter() {
        counts[doc
            .first()
            .map_or(expected_first.len() - 1, |&t| t as usize)] += 1;
        documents += 1;
    }
    for (outcome, (&count, &p)) in counts.iter().zip(expected_first).enumerate() {
        let frequency = count as f64 / documents as f64;
        let standard_error = (p * (1.0 - p) / documents as f64).sqrt().max(1e-9);
        assert!(
            (frequency - p).abs() <= 4.0 * standard_error + 1e-12,
            "outcome {outcome}: frequency {frequency}, probability {p} ({sampling:?})"
        );
    }
}

#[test]
fn samples_follow_the_distribution() {
    let mut rng = RootSeed(14).stream("test-corpus", 0, 0);
    let docs = random_corpus(&mut rng, 400, 8);
    let model = fit(3, Smoothing::KneserNey, 10, &docs);
    let first = model.prob_distribution(&[]);
    // The mixture sampler, and the full-distribution path (top_k = all outcomes
    // forces it without changing the distribution).
    check_frequencies(&model, &Sampling::default(), &first, 1);
    let all = Sampling {
        top_k: first.len(),
        ..Sampling::default()
    };
    check_frequencies(&model, &all, &first, 2);
    // Temperature 0.5: p² renormalised.
    let squared: Vec<f64> = first.iter().map(|p| p * p).collect();
    let total: f64 = squared.iter().sum();
    let cold: Vec<f64> = squared.iter().map(|p| p / total).collect();
    check_frequencies(
        &model,
        &Sampling {
            temperature: 0.5,
            ..Sampling::default()
        },
        &cold,
        3,
    );
}

#[test]
fn temperature_top_k_top_p() {
    let p = [0.05, 0.5, 0.15, 0.3];
    let mut scratch = Vec::new();
    let run = |sampling: Sampling, scratch: &mut Vec<u32>| {
        let mut w = p.to_vec();
        bias(&mut w, &sampling, scratch);
        let total: f64 = w.iter().sum();
        w.iter().map(|x| x / total).collect::<Vec<f64>>()
    };
    let base = Sampling::default();
    let cold = run(
        Sampling {
            temperature: 0.5,
            ..base
        },
        &mut scratch,
    );
    let squares = [0.0025, 0.25, 0.0225, 0.09];
    for (got, expected) in cold.iter().zip(squares) {
        assert_close(*got, expected / 0.365, "temperature 0.5");
    }
    assert_eq!(
        run(
            Sampling {
                temperature: 0.0,
                ..base
            },
            &mut scratch
        ),
        vec![0.0, 1.0, 0.0, 0.0]
    );
    let top2 = run(Sampling { top_k: 2, ..base }, &mut scratch);
    assert_close(top2[1], 0.5 / 0.8, "top-k");
    assert_eq!((top2[0], top2[2]), (0.0, 0.0));
    // Nucleus 0.7: 0.5 < 0.7 ≤ 0.5 + 0.3.
    let nucleus = run(Sampling { top_p: 0.7, ..base }, &mut scratch);
    assert_eq!(nucleus, top2);
    let nucleus = run(Sampling { top_p: 0.5, ..base }, &mut scratch);
    assert_eq!(nucleus, vec![0.0, 1.0, 0.0, 0.0]);
    // Top-k then top-p on the survivors, renormalised: {0.5, 0.3} → 0.625 ≥ 0.6.
    let both = run(
        Sampling {
            top_k: 2,
            top_p: 0.6,
            ..base
        },
        &mut scratch,
    );
    assert_eq!(both, vec![0.0, 1.0, 0.0, 0.0]);
    // Ties go to the lower id.
    let mut tied = vec![0.25; 4];
    bias(&mut tied, &Sampling { top_k: 1, ..base }, &mut scratch);
    assert_eq!(tied, vec![0.25, 0.0, 0.0, 0.0]);
    let mut rng = RootSeed(5).stream("sample", 0, 0);
    assert_eq!(draw_weighted(&[0.0, 0.0, 2.0], &mut rng), 2);
}

#[test]
fn greedy_sampling_follows_the_most_probable_path() {
    let model = fit(2, Smoothing::KneserNey, 3, &abc_corpus());
    let greedy = Sampling {
        top_k: 1,
        ..Sampling::default()
    };
    let docs = model.sample(6, &greedy, &mut RootSeed(1).stream("sample", 0, 0));
    // p(a | <s>) = 31/72 is the largest, then p(b | a) = 79/96, p(</s> | b) = 125/144.
    assert!(docs.iter().all(|d| d == [0, 1]));
}

fn word(id: u32) -> String {
    format!("w{id}")
}

fn id(word: &str) -> Option<u32> {
    word.strip_prefix('w')?.parse().ok()
}

fn arpa_text(model: &NgramModel) -> String {
    let mut out = Vec::new();
    model.write_arpa(&mut out, &word).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn arpa_round_trip_is_exact() {
    let mut rng = RootSeed(15).stream("test-corpus", 0, 0);
    let docs = random_corpus(&mut rng, 250, 10);
    let probe = random_corpus(&mut rng, 40, 12);
    for (order, smoothing) in [
        (1, Smoothing::KneserNey),
        (3, Smoothing::KneserNey),
        (5, Smoothing::KneserNey),
        (3, Smoothing::Mle),
        (4, Smoothing::AddK(0.1)),
    ] {
        let model = fit(order, smoothing, 12, &docs);
        let text = arpa_text(&model);
        assert!(
            text.starts_with("\\data\\\nngram 1=15\n"),
            "12 ids, </s>, <s>, <unk>"
        );
        assert!(text.contains("\t<unk>"));
        let read = NgramModel::read_arpa(text.as_bytes(), 12, &id).unwrap();
        assert_eq!(read.order(), order);
        assert_eq!(read.ngram_counts(), model.ngram_counts());
        for doc in probe.iter() {
            assert_eq!(
                read.token_log_probs(doc),
                model.token_log_probs(doc),
                "{smoothing:?}"
            );
        }
        assert_eq!(arpa_text(&read), text, "export → import → export");
        // Sampling from the imported model follows the same distribution.
        let a = read.sample(
            200,
            &Sampling::default(),
            &mut RootSeed(1).stream("s", 0, 0),
        );
        assert!(a.units() >= 200);
    }
}

#[test]
fn arpa_errors_name_the_line() {
    let model = fit(2, Smoothing::KneserNey, 3, &abc_corpus());
    let text = arpa_text(&model);
    let broken = text.replacen("\tw1\t", "\tw9\t", 1);
    let line = broken.lines().position(|l| l.contains("\tw9\t")).unwrap() + 1;
    let error = NgramModel::read_arpa(broken.as_bytes(), 3, &id)
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        format!("ARPA line {line}: word \"w9\" maps to id 9, outside the vocabulary (size 3)")
    );
    let broken = text.replacen("\tw1\t", "\tbanana\t", 1);
    let error = NgramModel::read_arpa(broken.as_bytes(), 3, &id)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!(
            "line {line}: word \"banana\" is not in the vocabulary"
        )),
        "{error}"
    );
    let broken = text.replace("ngram 2=", "ngram 2=1");
    let error = NgramModel::read_arpa(broken.as_bytes(), 3, &id)
        .unwrap_err()
        .to_string();
    assert!(error.contains("declares"), "{error}");
    let truncated: String = text.lines().take(8).map(|l| format!("{l}\n")).collect();
    let error = NgramModel::read_arpa(truncated.as_bytes(), 3, &id)
        .unwrap_err()
        .to_string();
    assert!(error.contains("no \\end\\"), "{error}");
    let error = model.write_arpa(&mut Vec::new(), &|i| {
        if i == 1 {
            "a b".into()
        } else {
            word(i)
        }
    });
    assert!(error
        .unwrap_err()
        .to_string()
        .contains("token id 1 is written as \"a b\", which contains whitespace"));
}

#[test]
fn fit_errors_name_the_value() {
    let docs = Documents::from_docs([vec![0u32, 7]]);
    let error = NgramEstimator::new(3, Smoothing::KneserNey, 5)
        .unwrap()
        .fit_documents(&[&docs]);
    assert_eq!(
        error.unwrap_err().to_string(),
        "token id 7 in training document 0 is outside the vocabulary (size 5); the tokenizer and the model must agree on the vocabulary size"
    );
    assert!(NgramEstimator::new(7, Smoothing::Mle, 5)
        .unwrap_err()
        .to_string()
        .contains("order 7"));
    assert!(NgramEstimator::new(2, Smoothing::AddK(-1.0), 5).is_err());
    let empty = Documents::new();
    assert!(matches!(
        NgramEstimator::new(2, Smoothing::Mle, 5)
            .unwrap()
            .fit_documents(&[&empty]),
        Err(NgramError::Empty)
    ));
}

#[test]
fn wide_keys_and_empty_documents() {
    // 300 types: 9 bits × 6 = 54 (u64 keys); 3000 types at order 6: 12 × 6 = 72 (u128).
    let mut rng = RootSeed(16).stream("test-corpus", 0, 0);
    for types in [300u32, 3000] {
        let docs = random_corpus(&mut rng, 400, types);
        let model = fit(6, Smoothing::KneserNey, types as usize, &docs);
        let p = model.prob_distribution(docs.doc(0));
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-5);
    }
    let empties = Documents::from_docs([Vec::<u32>::new(), Vec::new()]);
    let model = fit(3, Smoothing::KneserNey, 2, &empties);
    let sample = model.sample(1, &Sampling::default(), &mut RootSeed(1).stream("s", 0, 0));
    assert!(sample.units() >= 1 || sample.len() == sample::MAX_EMPTY_RUN);
}

#[test]
fn biased_draws_match_the_full_vocabulary_reference() {
    let mut rng = RootSeed(17).stream("test-corpus", 0, 0);
    let docs = random_corpus(&mut rng, 300, 9);
    let seen = docs.doc((0..docs.len()).find(|&i| docs.doc(i).len() >= 3).unwrap());
    for smoothing in [Smoothing::KneserNey, Smoothing::Mle] {
        check_biased_draws(&fit(3, smoothing, 11, &docs), seen);
    }
}

fn check_biased_draws(model: &NgramModel, seen: &[u32]) {
    use super::biased::Biased;
    let tables = &*model.tables;
    let contexts: [&[u32]; 3] = [&[], &seen[..2], &[10, 10]];
    let settings = [
        Sampling {
            temperature: 0.5,
            ..Sampling::default()
        },
        Sampling {
            temperature: 1.7,
            ..Sampling::default()
        },
        Sampling {
            top_k: 3,
            ..Sampling::default()
        },
        Sampling {
            top_p: 0.8,
            ..Sampling::default()
        },
        Sampling {
            temperature: 0.8,
            top_k: 5,
            top_p: 0.9,
            ..Sampling::default()
        },
        Sampling {
            temperature: 0.0,
            ..Sampling::default()
        },
    ];
    let draws = 20_000;
    let mut candidates = Vec::new();
    for context in contexts {
        let state = tables.state_after(context);
        for sampling in &settings {
            let mut expected = model.prob_distribution(context);
            bias(&mut expected, sampling, &mut candidates);
            let total: f64 = expected.iter().sum();
            let mut biased = Biased::new(tables, sampling);
            let mut counts = vec![0usize; expected.len()];
            let mut draw_rng = RootSeed(3).stream("sample", 0, 0);
            for _ in 0..draws {
                counts[biased.draw(tables, &state, &mut draw_rng) as usize] += 1;
            }
            for (outcome, (&count, &weight)) in counts.iter().zip(&expected).enumerate() {
                let p = weight / total;
                let frequency = count as f64 / draws as f64;
                let standard_error = (p * (1.0 - p) / draws as f64).sqrt();
                assert!(
                    (frequency - p).abs() <= 4.0 * standard_error + 1e-12,
                    "context {context:?}, {sampling:?}, outcome {outcome}: {frequency} vs {p}"
                );
            }
        }
    }
}

#[test]
fn non_interpolated_arpa_samples_exactly() {
    // A backoff (not interpolated) bigram model, as SRILM writes by default:
    // p(w0 | <s>) = 0.1 is below b(<s>) p(w0) = 1.5 × 0.5, so the mixture
    // decomposition fails and sampling must use the explicit distribution.
    let text = "\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n\
        -0.30103\tw0\t0\n-0.5228787\tw1\t0\n-0.69897\t</s>\n-99\t<s>\t0.17609126\n\n\
        \\2-grams:\n-1\t<s> w0\n-0.22184875\t<s> w1\n\n\\end\\\n";
    let model = NgramModel::read_arpa(text.as_bytes(), 2, &id).unwrap();
    assert!(!model.tables.mixture_exact);
    let first = model.prob_distribution(&[]);
    for (p, expected) in first.iter().zip([0.1, 0.6, 0.3]) {
        assert!((p - expected).abs() < 1e-6, "{first:?}");
    }
    check_frequencies(&model, &Sampling::default(), &first, 4);
}
