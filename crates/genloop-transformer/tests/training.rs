//! Training, determinism and checkpoints of a tiny model.

use genloop_core::seed::{Rng, RootSeed};
use genloop_transformer::{
    checkpoint, clip_grad_norm, learning_rate, AdamW, AdamWConfig, Gpt2, Gpt2Config, Params,
};
use rand::Rng as _;

const TIME: usize = 8;
const BATCH: usize = 4;

/// A repetitive stream over 8 tokens: a fixed phrase with one random slot.
fn stream(len: usize, rng: &mut Rng) -> Vec<u32> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        out.extend_from_slice(&[0, 1, 2, 0, 3]);
        out.push(rng.random_range(4..8));
    }
    out.truncate(len);
    out
}

fn unigram_entropy(tokens: &[u32]) -> f64 {
    let mut counts = [0usize; 8];
    tokens.iter().for_each(|&t| counts[t as usize] += 1);
    let n = tokens.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| -(c as f64 / n) * (c as f64 / n).ln())
        .sum()
}

/// Random windows of `TIME + 1` tokens: inputs and next-token targets.
fn batch(tokens: &[u32], rng: &mut Rng) -> (Vec<u32>, Vec<u32>) {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for _ in 0..BATCH {
        let at = rng.random_range(0..tokens.len() - TIME - 1);
        x.extend_from_slice(&tokens[at..at + TIME]);
        y.extend_from_slice(&tokens[at + 1..at + TIME + 1]);
    }
    (x, y)
}

fn tiny_model(seed: u64) -> Gpt2 {
    let config = Gpt2Config::new(8, TIME, 16, 2, 2);
    Gpt2::new(Params::init(&config, &mut RootSeed(seed).stream("init", 0, 0)).unwrap())
}

/// Trains for `steps` and returns the training losses.
fn train(model: &mut Gpt2, tokens: &[u32], steps: usize, seed: u64) -> Vec<f32> {
    let mut adam = AdamW::new(AdamWConfig::default(), &model.params.layout);
    let mut rng = RootSeed(seed).stream("batches", 0, 0);
    let mut losses = Vec::new();
    for step in 0..steps {
        let (x, y) = batch(tokens, &mut rng);
        losses.push(model.forward(&x, Some(&y), BATCH, TIME).unwrap().unwrap());
        model.backward().unwrap();
        clip_grad_norm(&mut model.grads, 1.0);
        adam.step(
            &mut model.params.data,
            &model.grads,
            learning_rate(step, 1e-2, 20, steps),
        );
    }
    losses
}

#[test]
fn a_tiny_model_learns_below_the_unigram_entropy() {
    let mut rng = RootSeed(5).stream("corpus", 0, 0);
    let train_tokens = stream(3000, &mut rng);
    let holdout = stream(600, &mut rng);
    let mut model = tiny_model(5);
    train(&mut model, &train_tokens, 200, 5);
    let mut eval_rng = RootSeed(6).stream("eval", 0, 0);
    let mut total = 0.0;
    for _ in 0..10 {
        let (x, y) = batch(&holdout, &mut eval_rng);
        total += f64::from(model.forward(&x, Some(&y), BATCH, TIME).unwrap().unwrap());
    }
    let holdout_loss = total / 10.0;
    let entropy = unigram_entropy(&holdout);
    assert!(
        holdout_loss < entropy,
        "holdout loss {holdout_loss} is not below the unigram entropy {entropy}"
    );
}

#[test]
fn the_same_seed_gives_the_same_losses() {
    let tokens = stream(500, &mut RootSeed(1).stream("corpus", 0, 0));
    let a = train(&mut tiny_model(9), &tokens, 5, 9);
    let b = train(&mut tiny_model(9), &tokens, 5, 9);
    assert_eq!(a, b);
    let c = train(&mut tiny_model(10), &tokens, 5, 9);
    assert_ne!(a, c);
}

#[test]
fn a_checkpoint_round_trip_gives_identical_logits() {
    let tokens = stream(500, &mut RootSeed(2).stream("corpus", 0, 0));
    let mut model = tiny_model(3);
    train(&mut model, &tokens, 3, 3);
    let dir = tempfile::tempdir().unwrap();
    checkpoint::save(dir.path(), &model.params).unwrap();
    let mut loaded = Gpt2::new(checkpoint::load(dir.path()).unwrap());
    assert_eq!(loaded.params.config, model.params.config);
    let x = &tokens[..2 * TIME];
    model.forward(x, None, 2, TIME).unwrap();
    loaded.forward(x, None, 2, TIME).unwrap();
    assert_eq!(model.logits(), loaded.logits());
}

#[test]
fn hugging_face_names_with_the_transformer_prefix_load() {
    use safetensors::tensor::TensorView;
    let model = tiny_model(4);
    let dir = tempfile::tempdir().unwrap();
    checkpoint::save(dir.path(), &model.params).unwrap();
    // Rewrite the weights as BF16 under `transformer.` names, with an extra mask buffer.
    let p = &model.params;
    let round = |x: f32| ((x.to_bits() >> 16) as u16).to_le_bytes();
    let bytes: Vec<Vec<u8>> = p
        .layout
        .tensors
        .iter()
        .map(|s| p.data[s.range()].iter().flat_map(|&x| round(x)).collect())
        .collect();
    let mask = vec![0u8; 4 * TIME * TIME];
    let mut views = vec![(
        "h.0.attn.bias".to_string(),
        TensorView::new(safetensors::Dtype::F32, vec![1, 1, TIME, TIME], &mask).unwrap(),
    )];
    for (spec, data) in p.layout.tensors.iter().zip(&bytes) {
        views.push((
            format!("transformer.{}", spec.name),
            TensorView::new(safetensors::Dtype::BF16, spec.shape.clone(), data).unwrap(),
        ));
    }
    safetensors::serialize_to_file(views, &None, &dir.path().join(checkpoint::WEIGHTS_FILE))
        .unwrap();
    let loaded = checkpoint::load(dir.path()).unwrap();
    for (a, b) in loaded.data.iter().zip(&p.data) {
        assert_eq!(a.to_bits(), b.to_bits() & 0xffff_0000);
    }
}

#[test]
fn bad_inputs_get_typed_errors() {
    use genloop_transformer::InputError;
    let mut model = tiny_model(4);
    assert_eq!(model.backward(), Err(InputError::NoTargets));
    assert_eq!(
        model.forward(&[0; 9], None, 1, 9),
        Err(InputError::Time {
            time: 9,
            n_positions: TIME
        })
    );
    assert_eq!(
        model.forward(&[0; 7], None, 1, 8),
        Err(InputError::Length {
            expected: 8,
            got: 7
        })
    );
    assert_eq!(
        model.forward(&[8; 8], None, 1, 8),
        Err(InputError::Token {
            id: 8,
            vocab_size: 8
        })
    );
}

#[test]
fn the_trainer_keeps_the_best_validation_weights() {
    use genloop_transformer::{evaluate, train as fit, TrainConfig, TrainError};
    let mut rng = RootSeed(12).stream("corpus", 0, 0);
    let (train_tokens, valid) = (stream(2000, &mut rng), stream(200, &mut rng));
    let config = TrainConfig {
        steps: 60,
        batch_size: 4,
        context: TIME,
        learning_rate: 1e-2,
        warmup_steps: 10,
        eval_every: 20,
        ..TrainConfig::default()
    };
    let mut model = tiny_model(12);
    let report = fit(
        &mut model,
        &train_tokens,
        &valid,
        &config,
        &mut RootSeed(12).stream("batches", 0, 0),
    )
    .unwrap();
    assert_eq!(report.losses.len(), 60);
    assert_eq!(
        report.validation.iter().map(|v| v.0).collect::<Vec<_>>(),
        vec![20, 40, 60]
    );
    let best = report
        .validation
        .iter()
        .map(|v| v.1)
        .fold(f32::INFINITY, f32::min);
    assert_eq!(report.best_validation, best);
    assert_eq!(evaluate(&mut model, &valid, TIME, 4).unwrap(), best);
    assert!(best < unigram_entropy(&valid) as f32);
    assert!(report.tokens_per_second > 0.0);
    let short = fit(
        &mut tiny_model(12),
        &train_tokens,
        &valid[..TIME],
        &config,
        &mut RootSeed(12).stream("batches", 0, 0),
    );
    assert_eq!(
        short,
        Err(TrainError::TooShort {
            split: "validation",
            tokens: TIME,
            needed: TIME + 1
        })
    );
}

#[test]
fn gradients_agree_across_thread_counts() {
    // 16 × 8 rows: the matrix products run in several row blocks.
    let tokens = stream(16 * TIME + 1, &mut RootSeed(3).stream("corpus", 0, 0));
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut model = tiny_model(13);
            let loss = model
                .forward(&tokens[..16 * TIME], Some(&tokens[1..]), 16, TIME)
                .unwrap();
            model.backward().unwrap();
            (loss, model.grads)
        })
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn training_with_dropout_validates_without_it() {
    use genloop_transformer::{evaluate, train as fit, TrainConfig};
    let mut rng = RootSeed(14).stream("corpus", 0, 0);
    let (train_tokens, valid) = (stream(2000, &mut rng), stream(200, &mut rng));
    let config = TrainConfig {
        steps: 40,
        batch_size: 4,
        context: TIME,
        learning_rate: 1e-2,
        warmup_steps: 5,
        eval_every: 20,
        dropout: 0.1,
        ..TrainConfig::default()
    };
    let mut model = tiny_model(14);
    let report = fit(
        &mut model,
        &train_tokens,
        &valid,
        &config,
        &mut RootSeed(14).stream("batches", 0, 0),
    )
    .unwrap();
    assert!(
        model.dropout.is_none(),
        "dropout is switched off again after training"
    );
    assert_eq!(
        evaluate(&mut model, &valid, TIME, 4).unwrap(),
        report.best_validation
    );
    let again = fit(
        &mut tiny_model(14),
        &train_tokens,
        &valid,
        &config,
        &mut RootSeed(14).stream("batches", 0, 0),
    )
    .unwrap();
    assert_eq!(report.losses, again.losses);
    let plain = TrainConfig {
        dropout: 0.0,
        ..config
    };
    let without = fit(
        &mut tiny_model(14),
        &train_tokens,
        &valid,
        &plain,
        &mut RootSeed(14).stream("batches", 0, 0),
    )
    .unwrap();
    assert_ne!(report.losses, without.losses);
}
