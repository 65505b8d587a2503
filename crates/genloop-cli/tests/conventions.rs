//! One exit-code scheme (0 success, 1 failure of the work, 2 bad input or usage) and
//! one flag vocabulary across commands; a broken pipe ends quietly.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{genloop, stderr, stdout, tiny_gaussian};

/// A small corpus of sentences written for these tests.
fn corpus() -> String {
    let words = [
        "river", "stone", "lamp", "window", "garden", "letter", "bridge", "candle",
    ];
    (0..200)
        .map(|i| {
            format!(
                "the {} near the {} holds a {} today\n",
                words[i % 8],
                words[(i / 8) % 8],
                words[(i * 3 + 1) % 8]
            )
        })
        .collect()
}

#[test]
fn lm_train_refuses_bad_corpora_and_values_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("empty.txt"), "").unwrap();
    std::fs::write(dir.join("good.txt"), corpus()).unwrap();
    let noise: String = (0..2000).map(|i| format!("{{not json {i}\n")).collect();
    std::fs::write(
        dir.join("noise.jsonl"),
        format!("{{\"text\": \"one fine line\"}}\n{noise}"),
    )
    .unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["lm", "train", "empty.txt", "--out", "m1"], "empty.txt"),
        (
            &["lm", "train", "noise.jsonl", "--skip-errors", "--out", "m2"],
            "2000 of 2001 records are malformed",
        ),
        (
            &[
                "lm",
                "train",
                "good.txt",
                "--smoothing",
                "add-k",
                "--k=-1",
                "--out",
                "m3",
            ],
            "--k -1",
        ),
        (
            &["lm", "train", "good.txt", "--order", "0", "--out", "m4"],
            "--order 0",
        ),
    ];
    for (args, expected) in cases {
        let o = genloop(args, dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
    // Configs spell the smoothing kneser_ney; the command line takes that spelling too.
    let o = genloop(
        &[
            "lm",
            "train",
            "good.txt",
            "--smoothing",
            "kneser_ney",
            "--out",
            "m5",
            "--json",
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = genloop(&["lm", "sample", "m5", "-n", "3", "--json"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let sampled: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(sampled["samples"].as_array().unwrap().len(), 3);
    assert_eq!(sampled["settings"]["count"], 3);
}

#[test]
fn a_reader_that_stops_early_ends_the_export_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("t.toml"), tiny_gaussian(200, 200)).unwrap();
    assert!(
        genloop(&["run", "t.toml", "--out", "r", "--no-report"], dir)
            .status
            .success()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_genloop"))
        .args(["export", "r", "--out", "-"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone now (like `| head -1`).
    let out = child.wait_with_output().unwrap();
    assert_eq!(first.trim(), "arm,replicate,generation,metric,value");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Broken pipe"), "{}", stderr(&out));
}

#[test]
fn one_long_line_is_named_as_the_problem_not_the_size() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let line: String = corpus().replace('\n', " ");
    std::fs::write(dir.join("one-line.txt"), line).unwrap();
    std::fs::write(
        dir.join("c.toml"),
        "name = \"one\"\ngenerations = 2\nreplicates = 1\n[source]\nkind = \"corpus\"\npath = \"one-line.txt\"\n[data]\noriginal = 100\nholdout = 100\n[model]\nkind = \"ngram\"\norder = 2\n[regime]\nkind = \"replace\"\n",
    )
    .unwrap();
    let o = genloop(&["run", "c.toml", "--out", "o"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("in only 1 document"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("add text"), "{}", stderr(&o));
}
