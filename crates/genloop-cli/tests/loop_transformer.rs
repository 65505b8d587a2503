//! `[model] kind = "transformer"` in the loop, through the real binary: a tiny model on
//! the synthetic language for two or three generations, its filters, its checkpoints,
//! resuming after a kill, and the config errors that name their key.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{genloop, stderr, stdout};

/// A tiny transformer on a small synthetic language; `model` holds `[model]` keys that
/// replace or join the tiny defaults, `rest` follows the arm.
fn config(generations: u32, model: &str, rest: &str) -> String {
    let defaults = [
        ("layers", "1"),
        ("heads", "2"),
        ("d_model", "16"),
        ("context", "24"),
        ("steps", "40"),
        ("batch_size", "4"),
    ];
    let given = |key: &str| model.lines().any(|l| l.starts_with(&format!("{key} =")));
    // A checkpoint brings its own shape.
    let shape = |key: &str| matches!(key, "layers" | "heads" | "d_model");
    let mut keys: Vec<String> = defaults
        .iter()
        .filter(|(key, _)| !(given(key) || given("checkpoint") && shape(key)))
        .map(|(key, value)| format!("{key} = {value}"))
        .collect();
    keys.push(model.to_string());
    let model = keys.join("\n");
    format!(
        r#"name = "transformer-loop"
seed = 5
replicates = 1
generations = {generations}

[source]
kind = "language"
vocab = 120
exponent = 1.1
order = 1
mean_length = 12

[data]
original = 3000
holdout = 1000

[model]
kind = "transformer"
{model}

[regime]
kind = "replace"
samples = 3000

[[arm]]
name = "replace"
{rest}
"#
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The arm's stored measurements as CSV.
fn exported(dir: &Path, run: &str) -> String {
    let out = genloop(&["export", run, "--arm", "replace", "--output", "-"], dir);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn generations_kept(dir: &Path) -> Vec<String> {
    let replicate = dir.join("checkpoints/replace/replicate-0");
    let mut names: Vec<String> = std::fs::read_dir(&replicate)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_two_generation_transformer_loop_runs_with_filters_and_keeps_its_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let filters = r#"
[[filters]]
kind = "perplexity"
percentile = 0.95

[[filters]]
kind = "detector"
score = "binoculars"
target_fpr = 0.1
"#;
    write(dir.path(), "run.toml", &config(2, "", filters));
    let out = genloop(
        &["run", "run.toml", "--out", "run", "--threads", "2"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("run/summary.json")).unwrap(),
    )
    .unwrap();
    let text = summary.to_string();
    for metric in [
        "holdout_cross_entropy",
        "kl_to_truth",
        "sample_xent_gen0",
        "distinct_2",
    ] {
        assert!(text.contains(metric), "summary lacks {metric}");
    }
    let csv = exported(dir.path(), "run");
    assert!(csv.contains("holdout_cross_entropy"), "{csv}");
    // Both generations accepted (no gate): both kept, each a folder other tools open.
    assert_eq!(
        generations_kept(&dir.path().join("run")),
        ["generation-0", "generation-1"]
    );
    let kept = dir
        .path()
        .join("run/checkpoints/replace/replicate-0/generation-1");
    for file in ["config.json", "model.safetensors", "genloop.json"] {
        assert!(kept.join(file).is_file(), "{file} missing");
    }
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(kept.join("config.json")).unwrap()).unwrap();
    // The language's 120 ids plus the end of text.
    assert_eq!(config["vocab_size"], 121);
    assert_eq!(config["n_embd"], 16);
}

#[test]
fn checkpoint_policy_keeps_the_last_model_or_none() {
    let dir = tempfile::tempdir().unwrap();
    for (name, policy, expected) in [
        ("last", "last", vec!["generation-1"]),
        ("none", "none", vec![]),
    ] {
        let rest = format!("\n[output]\ncheckpoints = \"{policy}\"\n");
        // [output] must come before [[arm]]: put it in the model's slot's tail instead.
        let text = config(2, "", "").replace("[regime]", &format!("{rest}\n[regime]"));
        write(dir.path(), &format!("{name}.toml"), &text);
        let out = genloop(&["run", &format!("{name}.toml"), "--out", name], dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            generations_kept(&dir.path().join(name)),
            expected,
            "{policy}"
        );
    }
}

#[test]
fn a_killed_transformer_run_resumes_at_its_last_finished_generation_with_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "run.toml", &config(4, "steps = 80", ""));
    let whole = genloop(&["run", "run.toml", "--out", "whole"], dir.path());
    assert!(whole.status.success(), "{}", stderr(&whole));

    let mut child = Command::new(env!("CARGO_BIN_EXE_genloop"))
        .args(["run", "run.toml", "--out", "killed"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let marker = dir
        .path()
        .join("killed/checkpoints/replace/replicate-0/generation-1");
    let start = Instant::now();
    while !marker.is_dir() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(marker.is_dir(), "generation 1 was never kept");
    let resumed = genloop(
        &["run", "run.toml", "--out", "killed", "--resume"],
        dir.path(),
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(
        exported(dir.path(), "whole"),
        exported(dir.path(), "killed")
    );
    assert_eq!(
        generations_kept(&dir.path().join("killed")),
        generations_kept(&dir.path().join("whole"))
    );
}

#[test]
fn bad_transformer_keys_exit_2_naming_the_key_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "heads = 3\nd_model = 16",
            "model.heads",
            "must divide d_model",
        ),
        ("init = \"warm\"", "model.init", "scratch"),
        ("dropout = 1.5", "model.dropout", "below 1"),
        ("max_length = 24", "model.max_length", "at most 23"),
        (
            "checkpoint = \"nowhere\"\nlayers = 1",
            "model.layers",
            "checkpoint",
        ),
        ("checkpoint = \"nowhere\"", "model.checkpoint", "nowhere"),
    ];
    for (i, (keys, key, fix)) in cases.iter().enumerate() {
        let text = config(2, keys, "");
        let name = format!("bad{i}.toml");
        write(dir.path(), &name, &text);
        let out = genloop(&["run", &name, "--out", &format!("bad{i}")], dir.path());
        assert_eq!(out.status.code(), Some(2), "{keys}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(key) && err.contains(fix), "{keys}: {err}");
    }
}

/// Lines of plain sentences, enough for an original pool, a holdout and a checkpoint.
fn sentences() -> String {
    let subjects = [
        "the cat",
        "a dog",
        "the old man",
        "my sister",
        "the bird",
        "our king",
    ];
    let verbs = ["sees", "likes", "follows", "finds", "calls", "keeps"];
    let objects = [
        "the river",
        "a red ball",
        "the garden",
        "her friend",
        "the moon",
        "bread",
    ];
    let mut lines = Vec::new();
    for round in 0..12 {
        for (i, s) in subjects.iter().enumerate() {
            for (j, v) in verbs.iter().enumerate() {
                let o = objects[(i + 2 * j + round) % objects.len()];
                lines.push(format!("{s} {v} {o} ."));
            }
        }
    }
    lines.join("\n") + "\n"
}

/// A corpus run that fine-tunes `checkpoint` (a folder `genloop lm train` wrote).
fn fine_tune_config(model: &str) -> String {
    format!(
        r#"name = "fine-tune"
seed = 3
replicates = 1
generations = 2

[source]
kind = "corpus"
path = "lines.txt"
format = "lines"

[data]
original = 700
holdout = 200

[model]
kind = "transformer"
checkpoint = "base"
init = "base"
steps = 20
batch_size = 4
{model}

[regime]
kind = "replace"
samples = 700

[[arm]]
name = "replace"
"#
    )
}

#[test]
fn a_checkpoint_is_fine_tuned_each_generation_with_its_own_tokenizer_and_its_folders_serve_lm() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lines.txt", &sentences());
    let trained = genloop(
        &[
            "lm",
            "train",
            "lines.txt",
            "--model",
            "transformer",
            "--layers",
            "1",
            "--heads",
            "2",
            "--d-model",
            "16",
            "--context",
            "32",
            "--steps",
            "30",
            "--batch-size",
            "4",
            "--out",
            "base",
        ],
        dir.path(),
    );
    assert!(trained.status.success(), "{}", stderr(&trained));

    write(dir.path(), "tune.toml", &fine_tune_config("context = 24"));
    let out = genloop(&["run", "tune.toml", "--out", "tuned"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let kept = dir
        .path()
        .join("tuned/checkpoints/replace/replicate-0/generation-1");
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    // The checkpoint's shape and vocabulary, the checkpoint's end-of-text id.
    let base = read(&dir.path().join("base/config.json"));
    let tuned = read(&kept.join("config.json"));
    for key in ["vocab_size", "n_embd", "n_layer", "n_positions"] {
        assert_eq!(base[key], tuned[key], "{key}");
    }
    assert_eq!(
        read(&dir.path().join("base/genloop.json"))["end_of_text"],
        read(&kept.join("genloop.json"))["end_of_text"]
    );
    // The loop's checkpoint folder serves `lm eval` and `lm sample` like `lm train`'s.
    let kept_arg = kept.to_str().unwrap();
    let eval = genloop(&["lm", "eval", kept_arg, "lines.txt", "--json"], dir.path());
    assert!(eval.status.success(), "{}", stderr(&eval));
    assert!(stdout(&eval).contains("perplexity"), "{}", stdout(&eval));
    let sample = genloop(&["lm", "sample", kept_arg, "-n", "3"], dir.path());
    assert!(sample.status.success(), "{}", stderr(&sample));
    assert_eq!(stdout(&sample).lines().count(), 3);

    // A context beyond the checkpoint's 32 positions: exit 2, naming the key and the fix.
    write(dir.path(), "long.toml", &fine_tune_config("context = 64"));
    let out = genloop(&["run", "long.toml", "--out", "long"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("model.context") && err.contains("at most 32"),
        "{err}"
    );

    // Without its tokenizer the run trains one of its own, of another vocabulary.
    std::fs::create_dir(dir.path().join("bare")).unwrap();
    for file in ["config.json", "model.safetensors", "genloop.json"] {
        std::fs::copy(
            dir.path().join("base").join(file),
            dir.path().join("bare").join(file),
        )
        .unwrap();
    }
    let text = fine_tune_config("context = 24\n[tokenizer]\nkind = \"bpe\"\nvocab_size = 300")
        .replace("checkpoint = \"base\"", "checkpoint = \"bare\"");
    write(dir.path(), "bare.toml", &text);
    let out = genloop(&["run", "bare.toml", "--out", "bare-run"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("model.checkpoint") && err.contains("vocabulary"),
        "{err}"
    );
}

#[test]
fn the_same_seed_gives_the_same_store_at_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "run.toml", &config(2, "dropout = 0.1", ""));
    for threads in ["1", "2"] {
        let out = genloop(
            &["run", "run.toml", "--out", threads, "--threads", threads],
            dir.path(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(exported(dir.path(), "1"), exported(dir.path(), "2"));
}
