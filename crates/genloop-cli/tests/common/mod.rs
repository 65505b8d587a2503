//! Helpers shared by the CLI's scenario tests: the real binary, run as a user runs it.
#![allow(dead_code)] // each test file uses some of them

use std::path::Path;
use std::process::{Command, Output};

/// `genloop ARGS` run in `cwd`.
pub fn genloop(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genloop"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("genloop runs")
}

/// The run's standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The run's standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A tiny Gaussian base config for sweeps: `replicates` × `generations` per arm.
pub fn tiny_gaussian(replicates: usize, generations: usize) -> String {
    format!(
        r#"name = "tiny"
seed = 1
replicates = {replicates}
generations = {generations}
[source]
kind = "gaussian"
[data]
original = 50
holdout = 200
[model]
kind = "gaussian"
[regime]
kind = "replace"
"#
    )
}

/// The lines of a file, sorted: results compared whatever order they were merged in.
pub fn sorted_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}
