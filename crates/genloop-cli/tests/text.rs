//! Language models in the loop (the text issue's scenarios): the n-gram model on the
//! synthetic language, whose exact log-probabilities make `kl_to_truth` exact in
//! expectation, and on the King James text when it is available.

use genloop_cli::runner::{run_in_memory, ArmResults};
use genloop_config::from_toml;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

fn language_config(seed: u64, smoothing: &str, generations: usize) -> String {
    format!(
        r#"
name = "language"
seed = {seed}
replicates = 5
generations = {generations}
[source]
kind = "language"
vocab = 800
exponent = 1.1
order = 1
mean_length = 20
[data]
original = 20000
holdout = 10000
[model]
kind = "ngram"
order = 2
smoothing = "{smoothing}"
[regime]
kind = "replace"
samples = 20000
[[arm]]
name = "replace"
[[arm]]
name = "accumulate"
regime = {{ kind = "accumulate", samples = 20000 }}
"#
    )
}

fn arms(text: &str) -> Vec<ArmResults> {
    run_in_memory(&from_toml(text, "test").unwrap()).unwrap()
}

#[test]
fn replace_drifts_from_the_true_language_and_accumulate_far_less() {
    for seed in [1, 2, 3] {
        let results = arms(&language_config(seed, "kneser_ney", 6));
        let (replace, accumulate) = (&results[0], &results[1]);
        let kl = |arm: &ArmResults, g| median(arm.values("kl_to_truth", g));
        // Generation 0 is shared (common random numbers).
        assert_eq!(
            replace.values("kl_to_truth", 0),
            accumulate.values("kl_to_truth", 0)
        );
        for g in 1..6 {
            assert!(
                kl(replace, g) > kl(replace, g - 1),
                "seed {seed}: replace KL must rise at generation {g}"
            );
            let rise_replace = kl(replace, g) - kl(replace, 0);
            let rise_accumulate = kl(accumulate, g) - kl(accumulate, 0);
            assert!(
                rise_accumulate < 0.5 * rise_replace,
                "seed {seed}, generation {g}: accumulate rose {rise_accumulate:.4}, replace {rise_replace:.4}"
            );
        }
        // Holdout cross-entropy tells the same story (it is KL plus the entropy rate).
        let xent = |arm: &ArmResults, g| median(arm.values("holdout_cross_entropy", g));
        assert!(xent(replace, 5) > xent(accumulate, 5));
    }
}

#[test]
fn without_smoothing_the_vocabulary_dies_out_under_replace() {
    for seed in [4, 5] {
        let results = arms(&language_config(seed, "mle", 6));
        let survival = |g| median(results[0].values("vocab_survival", g));
        for g in 1..6 {
            assert!(
                survival(g) < survival(g - 1),
                "seed {seed}: survival must fall at generation {g}"
            );
        }
        // (tail_mass is not asserted: under MLE the expected share of the rare types is
        // a martingale — neutral drift — so it falls only in the long run, by
        // extinctions, while survival falls at once.)
    }
}

#[test]
fn cross_entropy_approaches_the_entropy_rate_as_data_grows() {
    // KL(truth ‖ model) per token shrinks with more training data.
    let mut previous = f64::INFINITY;
    let mut first = f64::NAN;
    for tokens in [5_000, 50_000, 400_000] {
        let text = language_config(7, "kneser_ney", 1)
            .replace("original = 20000", &format!("original = {tokens}"))
            .replace("replicates = 5", "replicates = 3");
        let kl = median(arms(&text)[0].values("kl_to_truth", 0));
        assert!(
            kl < previous,
            "{tokens} tokens: KL {kl} did not fall below {previous}"
        );
        assert!(kl > 0.0);
        if first.is_nan() {
            first = kl;
        }
        previous = kl;
    }
    // 80× the data: the gap to the entropy rate shrinks by far more than half.
    assert!(
        previous < 0.25 * first,
        "KL {first} with 5 k tokens, {previous} with 400 k"
    );
}

#[test]
fn king_james_text_in_the_loop() {
    let Some(path) = genloop_core::contract::king_james() else {
        return;
    };
    let path = path.display();
    let text = format!(
        r#"
name = "kjv"
seed = 1
replicates = 2
generations = 4
[source]
kind = "corpus"
path = "{path}"
format = "lines"
[data]
original = 100000
holdout = 20000
[tokenizer]
kind = "word"
[model]
kind = "ngram"
order = 3
[regime]
kind = "replace"
samples = 100000
[[arm]]
name = "replace"
[[arm]]
name = "accumulate"
regime = {{ kind = "accumulate", samples = 100000 }}
"#
    );
    let results = arms(&text);
    let xent = |arm: &ArmResults, g| median(arm.values("holdout_cross_entropy", g));
    for g in 1..4 {
        assert!(
            xent(&results[0], g) > xent(&results[0], g - 1),
            "replace: holdout cross-entropy rises"
        );
        assert!(
            xent(&results[1], g) < xent(&results[0], g),
            "accumulate stays below replace"
        );
    }
}
