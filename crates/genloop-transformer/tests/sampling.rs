//! Sampling stays inside the top-k / top-p set, and the sampler's log-probabilities are
//! the model's.

use genloop_core::seed::RootSeed;
use genloop_transformer::sample::candidates;
use genloop_transformer::{log_probs, sample, Gpt2, Gpt2Config, InputError, Params, SampleConfig};
use rand::Rng as _;

fn model() -> Gpt2 {
    let config = Gpt2Config::new(20, 24, 16, 2, 2);
    let mut rng = RootSeed(8).stream("init", 0, 0);
    let mut params = Params::init(&config, &mut rng).unwrap();
    // Spread-out logits, so truncation matters.
    params
        .data
        .iter_mut()
        .for_each(|x| *x += 0.5 * (rng.random::<f32>() * 2.0 - 1.0));
    Gpt2::new(params)
}

#[test]
fn samples_stay_inside_the_top_k_and_top_p_set() {
    let mut m = model();
    let prompt = [3, 1, 4];
    for config in [
        SampleConfig {
            top_k: Some(3),
            max_tokens: 12,
            ..Default::default()
        },
        SampleConfig {
            top_p: Some(0.6),
            temperature: 0.8,
            max_tokens: 12,
            ..Default::default()
        },
    ] {
        let out = sample(
            &m.params,
            &prompt,
            4,
            &config,
            &mut RootSeed(1).stream("sample", 0, 0),
        )
        .unwrap();
        for drawn in out.iter().map(|s| &s.tokens) {
            let text: Vec<u32> = prompt
                .iter()
                .copied()
                .chain(drawn.iter().copied())
                .collect();
            m.forward(&text, None, 1, text.len()).unwrap();
            for (i, &id) in drawn.iter().enumerate() {
                let at = prompt.len() + i - 1;
                let allowed = candidates(&m.logits()[at * 20..][..20], &config);
                assert!(
                    allowed.iter().any(|&(a, _)| a == id),
                    "token {id} at {i} outside {allowed:?}"
                );
            }
        }
    }
}

#[test]
fn sampler_log_probabilities_are_the_models() {
    let mut m = model();
    let prompt = [7, 2];
    let config = SampleConfig {
        max_tokens: 15,
        ..Default::default()
    };
    let out = sample(
        &m.params,
        &prompt,
        3,
        &config,
        &mut RootSeed(2).stream("sample", 0, 0),
    )
    .unwrap();
    for seq in &out {
        let (drawn, scores) = (&seq.tokens, &seq.log_probs);
        let text: Vec<u32> = prompt
            .iter()
            .copied()
            .chain(drawn.iter().copied())
            .collect();
        let scored = log_probs(&mut m, &text).unwrap();
        let ours: f64 = scored[prompt.len() - 1..]
            .iter()
            .map(|&x| f64::from(x))
            .sum();
        let sampler: f64 = scores.iter().map(|&x| f64::from(x)).sum();
        assert!((ours - sampler).abs() < 1e-4, "{ours} vs {sampler}");
    }
    let again = sample(
        &m.params,
        &prompt,
        3,
        &config,
        &mut RootSeed(2).stream("sample", 0, 0),
    )
    .unwrap();
    assert_eq!(out, again);
    assert_eq!(
        sample(
            &m.params,
            &[],
            1,
            &config,
            &mut RootSeed(2).stream("sample", 0, 0)
        ),
        Err(InputError::EmptyPrompt)
    );
}

#[test]
fn long_texts_are_scored_in_windows() {
    let mut m = model();
    let text: Vec<u32> = (0..60).map(|i| (i * 7 % 20) as u32).collect();
    let scores = log_probs(&mut m, &text).unwrap();
    assert_eq!(scores.len(), 59);
    assert!(scores.iter().all(|&s| s.is_finite() && s <= 0.0));
    // The first window's scores are those of a single forward pass.
    let first = log_probs(&mut m, &text[..24]).unwrap();
    assert_eq!(&scores[..23], &first[..]);
}

#[test]
fn cached_decoding_matches_the_full_forward_pass() {
    use genloop_transformer::Decoder;
    let mut m = model();
    let seqs: [Vec<u32>; 2] = [
        (0..24).map(|i| (i * 3 % 20) as u32).collect(),
        (0..24).map(|i| (i * 11 % 19) as u32).collect(),
    ];
    let flat: Vec<u32> = seqs.concat();
    m.forward(&flat, None, 2, 24).unwrap();
    let mut decoder = Decoder::new(&m.params, 2, 24).unwrap();
    for t in 0..24 {
        let logits = decoder
            .step(&m.params, &[seqs[0][t], seqs[1][t]])
            .unwrap()
            .to_vec();
        for b in 0..2 {
            let full = &m.logits()[(b * 24 + t) * 20..][..20];
            for (x, y) in logits[b * 20..][..20].iter().zip(full) {
                assert!(
                    (x - y).abs() < 1e-5,
                    "sequence {b} position {t}: cached {x}, full {y}"
                );
            }
        }
    }
    assert!(decoder.step(&m.params, &[0, 0]).is_err());
}
