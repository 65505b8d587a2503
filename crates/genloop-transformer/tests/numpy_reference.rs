//! Logits of a saved checkpoint agree, within 1e-4, with an independent numpy forward pass
//! written from GPT-2's published definition (`tests/gpt2_numpy.py`) reading the same
//! `model.safetensors`.
//!
//! Skipped, with a notice, when `python3 -c 'import numpy, safetensors'` fails on a
//! developer machine; fails under `CI=true` (CI installs them with `pip install numpy
//! safetensors`).

use genloop_core::seed::RootSeed;
use genloop_transformer::{checkpoint, Gpt2, Gpt2Config, Params};
use rand::Rng as _;
use std::process::Command;

fn numpy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy, safetensors"])
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false)
}

#[test]
fn logits_agree_with_a_numpy_gpt2() {
    if !numpy_available() {
        genloop_core::contract::missing_data(
            "numpy_reference: `python3 -c 'import numpy, safetensors'` failed; `pip install numpy safetensors` to run it",
        );
        return;
    }
    let config = Gpt2Config::new(13, 16, 16, 2, 4);
    let mut rng = RootSeed(11).stream("init", 0, 0);
    let mut params = Params::init(&config, &mut rng).unwrap();
    // Weights well away from GPT-2's small initialisation, so every path shapes the logits.
    params
        .data
        .iter_mut()
        .for_each(|x| *x += 0.3 * (rng.random::<f32>() * 2.0 - 1.0));
    let tokens: Vec<u32> = (0..10).map(|_| rng.random_range(0..13)).collect();
    let dir = tempfile::tempdir().unwrap();
    checkpoint::save(dir.path(), &params).unwrap();
    let mut model = Gpt2::new(params);
    model.forward(&tokens, None, 1, tokens.len()).unwrap();
    let ids: Vec<String> = tokens.iter().map(u32::to_string).collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/gpt2_numpy.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(dir.path())
        .arg(ids.join(","))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reference.len(), model.logits().len());
    for (i, (&ours, &theirs)) in model.logits().iter().zip(&reference).enumerate() {
        assert!(
            (f64::from(ours) - theirs).abs() < 1e-4,
            "logit {i}: ours {ours}, numpy {theirs}"
        );
    }
}
