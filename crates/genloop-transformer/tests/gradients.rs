//! The backward pass against the forward pass: every parameter gets a gradient, and the
//! gradient agrees with finite differences of the loss.

use genloop_core::seed::{Rng, RootSeed};
use genloop_transformer::{Dropout, Gpt2, Gpt2Config, Params};
use rand::Rng as _;

const BATCH: usize = 2;
const TIME: usize = 5;

fn tiny(seed: u64, init_std: f32) -> (Gpt2, Vec<u32>, Vec<u32>) {
    let config = Gpt2Config::new(11, TIME, 8, 2, 2);
    let mut rng: Rng = RootSeed(seed).stream("init", 0, 0);
    let mut params = Params::init(&config, &mut rng).unwrap();
    // Larger weights than GPT-2's 0.02 so every gradient is well above f32 rounding.
    if init_std > 0.0 {
        for x in &mut params.data {
            *x += init_std * (rng.random::<f32>() * 2.0 - 1.0);
        }
    }
    let tokens = (0..BATCH * TIME).map(|_| rng.random_range(0..11)).collect();
    let targets = (0..BATCH * TIME).map(|_| rng.random_range(0..11)).collect();
    (Gpt2::new(params), tokens, targets)
}

fn loss(model: &mut Gpt2, tokens: &[u32], targets: &[u32]) -> f64 {
    f64::from(
        model
            .forward(tokens, Some(targets), BATCH, TIME)
            .unwrap()
            .unwrap(),
    )
}

#[test]
fn every_parameter_gets_a_gradient() {
    let (mut model, tokens, targets) = tiny(1, 0.0);
    loss(&mut model, &tokens, &targets);
    model.backward().unwrap();
    let d = model.params.config.n_embd;
    for spec in &model.params.layout.tensors {
        let g = &model.grads[spec.range()];
        for (i, &x) in g.iter().enumerate() {
            // Adding one constant to every key of a query shifts all its scores equally, so
            // the key bias's gradient is zero in exact arithmetic.
            let key_bias = spec.name.ends_with("c_attn.bias") && (d..2 * d).contains(&i);
            if key_bias {
                assert!(x.abs() < 1e-6, "{}[{i}] = {x} should be ~0", spec.name);
            } else {
                assert!(
                    x != 0.0 && x.is_finite(),
                    "{}[{i}] has gradient {x}",
                    spec.name
                );
            }
        }
    }
}

/// Compares the analytic gradient with central differences for 4 parameters of every
/// tensor; `prepare` runs before every forward pass (to fix the dropout masks). Relative
/// tolerance 1 %, on at least 2e-3. The difference is the five-point stencil
/// (f(x − 2h) − 8 f(x − h) + 8 f(x + h) − f(x + 2h)) / 12h, whose error is O(h⁴), with
/// h = 4e-2: the f32 loss carries a rounding noise of a few 1e-7 that a two-point
/// difference over 2e-2 turns into ~2e-5, a visible share of 1 % of 2e-3 (a change of
/// summation order in the forward pass alone could fail it); this stencil divides that
/// noise by about 3.
fn check_against_finite_differences(
    model: &mut Gpt2,
    tokens: &[u32],
    targets: &[u32],
    prepare: impl Fn(&mut Gpt2),
) {
    prepare(model);
    loss(model, tokens, targets);
    model.backward().unwrap();
    let analytic = model.grads.clone();
    let mut rng: Rng = RootSeed(3).stream("sample", 0, 0);
    let h = 4e-2f32;
    for spec in model.params.layout.tensors.clone() {
        for _ in 0..4 {
            let at = spec.offset + rng.random_range(0..spec.len());
            let orig = model.params.data[at];
            let mut shifted = |steps: f32| {
                model.params.data[at] = orig + steps * h;
                prepare(model);
                loss(model, tokens, targets)
            };
            let (down2, down, up, up2) = (shifted(-2.0), shifted(-1.0), shifted(1.0), shifted(2.0));
            model.params.data[at] = orig;
            let numeric = (down2 - 8.0 * down + 8.0 * up - up2) / (12.0 * f64::from(h));
            let exact = f64::from(analytic[at]);
            let scale = numeric.abs().max(exact.abs()).max(2e-3);
            assert!(
                (numeric - exact).abs() <= 1e-2 * scale,
                "{} at {}: analytic {exact}, numeric {numeric}",
                spec.name,
                at - spec.offset
            );
        }
    }
}

#[test]
fn gradient_agrees_with_finite_differences() {
    let (mut model, tokens, targets) = tiny(2, 0.3);
    check_against_finite_differences(&mut model, &tokens, &targets, |_| {});
}

#[test]
fn gradient_with_dropout_agrees_with_finite_differences() {
    let (mut model, tokens, targets) = tiny(4, 0.3);
    // The same masks on every pass: the stream is reset before each forward.
    let masks: Rng = RootSeed(4).stream("dropout", 0, 0);
    let prepare = |m: &mut Gpt2| {
        m.dropout = Some(Dropout {
            p: 0.25,
            rng: masks.clone(),
        })
    };
    check_against_finite_differences(&mut model, &tokens, &targets, prepare);
    let with = loss(&mut model, &tokens, &targets);
    model.dropout = None;
    assert_ne!(
        with,
        loss(&mut model, &tokens, &targets),
        "dropout changed nothing"
    );
}
