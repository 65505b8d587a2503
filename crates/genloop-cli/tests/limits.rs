//! Issue 12: inputs that made genloop panic, abort or overload the machine. Each is
//! refused (exit 2, the key named, no run folder left) or capped with a note.

mod common;

use std::path::Path;
use std::process::Command;

use common::{genloop, stderr};

const BASE: &str = r#"name = "limits"
replicates = 5
generations = 3
[source]
kind = "gaussian"
dim = 1
[data]
original = 30
[model]
kind = "gaussian"
[regime]
kind = "replace"
"#;

/// `genloop run` of `config` into `dir/out`: exit code and stderr.
fn run(dir: &Path, config: &str, extra: &[&str]) -> (Option<i32>, String) {
    std::fs::write(dir.join("c.toml"), config).unwrap();
    let mut args = vec!["run", "c.toml", "--out", "out"];
    args.extend_from_slice(extra);
    let output = genloop(&args, dir);
    (output.status.code(), stderr(&output))
}

fn refused(config: &str, key: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = run(dir.path(), config, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&format!("`{key}`")), "{key}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!dir.path().join("out").exists(), "no run folder is left");
}

#[test]
fn non_finite_source_numbers_exit_2_without_a_panic() {
    // `[[nan]]` panicked in genloop-models' sources.rs ("checked positive definite").
    refused(
        &BASE.replace("dim = 1", "dim = 1\ncovariance = [[nan]]"),
        "source.covariance",
    );
    refused(
        &BASE.replace("dim = 1", "dim = 1\ncovariance = [[inf]]"),
        "source.covariance",
    );
    refused(
        &BASE.replace("dim = 1", "dim = 1\nmean = [inf]"),
        "source.mean",
    );
}

#[test]
fn huge_sizes_exit_2_instead_of_overflowing_or_aborting() {
    // i64::MAX panicked with "capacity overflow"; 2³² aborted with SIGABRT.
    for value in [i64::MAX, 1 << 32] {
        let holdout = BASE.replace(
            "original = 30",
            &format!("original = 30\nholdout = {value}"),
        );
        refused(&holdout, "data.holdout");
        refused(
            &BASE.replace("generations = 3", &format!("generations = {value}")),
            "generations",
        );
        let fresh = BASE.replace(
            "kind = \"replace\"",
            &format!("kind = \"replace\"\nfresh = {value}"),
        );
        refused(&fresh, "regime.fresh");
        refused(
            &format!("{BASE}[output]\nbootstrap = {value}\n"),
            "output.bootstrap",
        );
    }
}

#[test]
fn a_run_beyond_the_memory_limit_is_refused_before_it_allocates() {
    // 2²⁵ holdout records: about 0.5 GB per worker, over half of a 1 GB `ulimit -v`.
    let dir = tempfile::tempdir().unwrap();
    let config = BASE.replace("original = 30", "original = 30\nholdout = 33554432");
    std::fs::write(dir.path().join("c.toml"), config).unwrap();
    let script = format!(
        "ulimit -v 1000000 && exec '{}' run c.toml --out out --threads 1",
        env!("CARGO_BIN_EXE_genloop")
    );
    let output = Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("`data.holdout`"), "{err}");
    assert!(err.contains("address-space limit (ulimit -v)"), "{err}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_thread_count_beyond_the_cores_is_capped_with_a_note() {
    // --threads 100000 started 1,795 threads and drove the load to 400.
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = run(dir.path(), BASE, &["--threads", "100000"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("note: --threads 100000 capped at"), "{err}");
}

#[test]
fn the_t_interval_of_bootstrap_0_contains_the_mean() {
    // `[output] bootstrap = 0` gave a degenerate interval that did not hold the mean.
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = run(dir.path(), &format!("{BASE}[output]\nbootstrap = 0\n"), &[]);
    assert_eq!(code, Some(0), "{err}");
    let text = std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for generation in summary["arms"][0]["generations"].as_array().unwrap() {
        for metric in generation["metrics"].as_object().unwrap().values() {
            let (Some(mean), Some(lo), Some(hi)) = (
                metric["mean"].as_f64(),
                metric["ci95"][0].as_f64(),
                metric["ci95"][1].as_f64(),
            ) else {
                continue;
            };
            assert!(lo < mean && mean < hi, "{metric}");
            checked += 1;
        }
    }
    assert!(checked >= 12, "{checked} intervals");
}

#[test]
fn lm_train_names_the_flag_that_is_wrong() {
    // `--k=-1` was reported as a problem of `--order 3`.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.txt"), "a b c\nb c d\n").unwrap();
    let args = [
        "lm",
        "train",
        "c.txt",
        "--smoothing",
        "add-k",
        "--k=-1",
        "--out",
        "m",
    ];
    let output = genloop(&args, dir.path());
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("--k -1"), "{err}");
    assert!(!err.contains("--order"), "{err}");
    let output = genloop(
        &["lm", "train", "c.txt", "--order", "9", "--out", "m"],
        dir.path(),
    );
    assert!(stderr(&output).contains("--order 9"), "{}", stderr(&output));
}
