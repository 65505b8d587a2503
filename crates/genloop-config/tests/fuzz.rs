//! Robustness of the config reader and checker (issue 12): mutated copies of every
//! example config and sweep must give a checked experiment or a typed error, never
//! a panic. Inputs that ever failed are kept in `fixtures/regressions.txt` and
//! checked on every run. The time budget is a few seconds per target
//! (`GENLOOP_FUZZ_SECONDS` raises it).

use std::path::{Path, PathBuf};

use genloop_config::sweep::Sweep;
use genloop_core::mutate::{budget, panics, run_for};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The example configs, the demo's, and the sweep files.
fn seeds(extension_folder: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let folders: &[&str] = match extension_folder {
        "configs" => &["configs", "crates/genloop-cli/src"],
        _ => &["configs/sweeps"],
    };
    let mut found = Vec::new();
    for folder in folders {
        for entry in std::fs::read_dir(Path::new(ROOT).join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                found.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    assert!(!found.is_empty(), "seed configs in {folders:?}");
    found
}

/// Parse and check `bytes` as a config; a panic's message, if any.
fn config_panics(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    panics(|| genloop_config::from_toml(&text, "mutant.toml").map(|_| ()))
}

/// Parse a sweep and check its first cells.
fn sweep_panics(bytes: &[u8], path: &Path) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    panics(|| {
        let Ok(sweep) = Sweep::parse(&text, path) else {
            return;
        };
        for index in 0..4 {
            let _ = sweep.cell(index);
        }
    })
}

#[test]
fn mutated_configs_never_panic() {
    let seeds = seeds("configs");
    let inputs: Vec<Vec<u8>> = seeds.iter().map(|(_, bytes)| bytes.clone()).collect();
    let mut failures = Vec::new();
    let count = run_for(&inputs, 12, 1_000_000, budget(5), |index, mutant| {
        if let Some(message) = config_panics(mutant) {
            failures.push(format!(
                "{} mutated:\n{}\n=> {message}",
                seeds[index].0.display(),
                String::from_utf8_lossy(mutant)
            ));
        }
    });
    assert!(
        failures.is_empty(),
        "{} of {count} panicked:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{count} mutated configs checked");
    assert!(count >= 100, "only {count} mutants in the budget");
}

#[test]
fn mutated_sweeps_never_panic() {
    let seeds = seeds("sweeps");
    let inputs: Vec<Vec<u8>> = seeds.iter().map(|(_, bytes)| bytes.clone()).collect();
    let mut failures = Vec::new();
    let count = run_for(&inputs, 13, 1_000_000, budget(3), |index, mutant| {
        if let Some(message) = sweep_panics(mutant, &seeds[index].0) {
            failures.push(format!("{}: {message}", String::from_utf8_lossy(mutant)));
        }
    });
    assert!(
        failures.is_empty(),
        "{} of {count} panicked:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Each case of `fixtures/regressions.txt`: `#### what it was` then the config.
fn regressions() -> Vec<(String, String)> {
    let text = include_str!("fixtures/regressions.txt");
    text.split("#### ")
        .skip(1) // the file's header
        .map(|case| {
            let (title, config) = case.split_once('\n').unwrap_or((case, ""));
            (title.trim().to_string(), config.to_string())
        })
        .collect()
}

#[test]
fn inputs_that_once_failed_are_refused_with_a_typed_error() {
    let cases = regressions();
    assert!(cases.len() >= 10, "{} cases", cases.len());
    for (title, config) in cases {
        let mut refused = false;
        let panic = panics(|| refused = genloop_config::from_toml(&config, "r.toml").is_err());
        assert_eq!(panic, None, "{title}");
        assert!(refused, "{title}: accepted");
    }
}
