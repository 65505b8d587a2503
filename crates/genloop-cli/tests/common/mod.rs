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
