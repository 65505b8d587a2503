//! Nothing genloop writes replaces a file the user did not name as genloop's own,
//! nothing it leaves after a failure blocks the retry, and one folder has one writer.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{genloop, stderr, tiny_gaussian};

fn run_tiny(dir: &Path) {
    std::fs::write(dir.join("tiny.toml"), tiny_gaussian(3, 2)).unwrap();
    let o = genloop(&["run", "tiny.toml", "--out", "run", "--no-report"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn user_outputs_are_never_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_tiny(dir);
    std::fs::write(dir.join("mine.csv"), "my data").unwrap();
    for flag in ["--out", "--output"] {
        let o = genloop(&["export", "run", flag, "mine.csv"], dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("mine.csv exists") && stderr(&o).contains("--force"));
        assert_eq!(
            std::fs::read_to_string(dir.join("mine.csv")).unwrap(),
            "my data"
        );
    }
    let o = genloop(&["export", "run", "--out", "mine.csv", "--force"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(dir.join("mine.csv"))
        .unwrap()
        .starts_with("arm,replicate,generation,metric,value"));
    // The default per-arm files are genloop's own: a second export rewrites them.
    for _ in 0..2 {
        assert!(genloop(&["export", "run"], dir).status.success());
    }
}

#[cfg(unix)]
#[test]
fn symlinks_are_written_through_and_devices_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_tiny(dir);
    std::fs::write(dir.join("target.csv"), "old").unwrap();
    std::os::unix::fs::symlink(dir.join("target.csv"), dir.join("link.csv")).unwrap();
    let o = genloop(&["export", "run", "--out", "link.csv", "--force"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let link = std::fs::symlink_metadata(dir.join("link.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    assert!(std::fs::read_to_string(dir.join("target.csv"))
        .unwrap()
        .starts_with("arm,"));
    // A device is written into: /dev/full refuses (exit 1) and stays a device.
    let o = genloop(&["export", "run", "--out", "/dev/full", "--force"], dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
    let o = genloop(&["export", "run", "--out", "/dev/zero", "--force"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::metadata("/dev/zero")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn leftover_temporaries_are_removed_by_resume_and_do_not_block_a_new_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_tiny(dir);
    let left = [
        dir.join("run/.summary.json.genloop-tmp-999999999"),
        dir.join("run/plots/.metric-x.svg.genloop-tmp-999999999"),
    ];
    std::fs::create_dir_all(dir.join("run/plots")).unwrap();
    for path in &left {
        std::fs::write(path, "half").unwrap();
    }
    let o = genloop(
        &[
            "run",
            "tiny.toml",
            "--out",
            "run",
            "--resume",
            "--no-report",
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(left.iter().all(|p| !p.exists()), "resume cleaned up");
    // A folder holding only what a killed process left half-written is free.
    std::fs::create_dir_all(dir.join("fresh")).unwrap();
    std::fs::write(dir.join("fresh/.config.toml.genloop-tmp-999999999"), "half").unwrap();
    let o = genloop(&["run", "tiny.toml", "--out", "fresh", "--no-report"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn two_runs_into_one_new_folder_one_wins_and_the_other_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("a.toml"),
        tiny_gaussian(40, 20).replace("\"tiny\"", "\"a\""),
    )
    .unwrap();
    std::fs::write(
        dir.join("b.toml"),
        tiny_gaussian(40, 20).replace("\"tiny\"", "\"b\""),
    )
    .unwrap();
    for attempt in 0..8 {
        let out = format!("race-{attempt}");
        let spawn = |config: &str| {
            Command::new(env!("CARGO_BIN_EXE_genloop"))
                .args([
                    "run",
                    config,
                    "--out",
                    &out,
                    "--no-report",
                    "--threads",
                    "1",
                ])
                .current_dir(dir)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("a.toml"), spawn("b.toml"));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let codes = [a.status.code(), b.status.code()];
        assert!(
            codes == [Some(0), Some(2)] || codes == [Some(2), Some(0)],
            "attempt {attempt}: {codes:?}\n{}\n{}",
            stderr(&a),
            stderr(&b)
        );
        let winner = if a.status.success() { "\"a\"" } else { "\"b\"" };
        let config = std::fs::read_to_string(dir.join(&out).join("config.toml")).unwrap();
        assert!(
            config.contains(winner),
            "attempt {attempt}: the folder holds the winner"
        );
    }
}

#[test]
fn resume_while_another_run_writes_is_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("long.toml"), tiny_gaussian(2000, 400)).unwrap();
    let mut writer = Command::new(env!("CARGO_BIN_EXE_genloop"))
        .args([
            "run",
            "long.toml",
            "--out",
            "o",
            "--no-report",
            "--threads",
            "1",
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while !dir.join("o/results.sqlite").exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = genloop(&["run", "long.toml", "--out", "o", "--resume"], dir);
    let still_running = writer.try_wait().unwrap().is_none();
    writer.kill().ok();
    writer.wait().unwrap();
    assert!(
        still_running,
        "the first run ended before the test could race it"
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is being written by another genloop"),
        "{}",
        stderr(&o)
    );
}
