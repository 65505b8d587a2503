//! `genloop curate` as a user runs it: a small corpus of posts through the short
//! profile, a `--filters` file, and the mistakes that must exit with code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

fn genloop(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genloop"))
        .arg("curate")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("genloop runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn jsonl(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn ids(records: &[Value]) -> Vec<&str> {
    records.iter().map(|r| r["id"].as_str().unwrap()).collect()
}

const BICYCLE: &str = "Spent the morning repairing an old bicycle with my daughter, and she \
now knows how to fix a flat tyre by herself.";
const LIBRARY: &str = "The library in our town started lending tools as well as books, which \
is the best idea the council has had in years.";
const GARDEN: &str = "Rain all week, but the garden finally looks green again and the \
tomatoes are starting to climb the fence.";

/// Seven posts: three good ones, two the short-form rules drop, an exact and a near
/// copy.
fn posts() -> String {
    jsonl(&[
        json!({"id": "bicycle", "text": BICYCLE, "lang": "en"}),
        json!({"id": "library", "text": LIBRARY, "lang": "en"}),
        json!({"id": "mentions", "text": "@alice @bob https://example.org/thread/1"}),
        json!({"id": "tags", "text": "#sale #deals #cheap #watches #now #buy today"}),
        json!({"id": "bicycle-shouted", "text": BICYCLE.to_uppercase()}),
        json!({"id": "library-again", "text": format!("{LIBRARY} Highly recommended.")}),
        json!({"id": "garden", "text": GARDEN}),
    ])
}

#[test]
fn short_profile_curates_posts_and_reports_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts.jsonl", &posts());
    let args = [
        "posts.jsonl",
        "--profile",
        "short",
        "--out",
        "kept.jsonl",
        "--rejects",
        "rejects.jsonl",
    ];
    let output = genloop(&args, dir.path());
    let message = stderr(&output);
    assert!(output.status.success(), "{message}");
    assert!(output.stdout.is_empty());
    assert!(message.contains("7 documents, kept 3"), "{message}");
    assert!(message.contains("short_form.min_words"), "{message}");

    let kept = read_jsonl(&dir.path().join("kept.jsonl"));
    assert_eq!(ids(&kept), ["bicycle", "library", "garden"]);
    assert_eq!(kept[0]["lang"], "en");
    let rejects = read_jsonl(&dir.path().join("rejects.jsonl"));
    assert_eq!(
        ids(&rejects),
        ["mentions", "tags", "bicycle-shouted", "library-again"]
    );
    let curation: Vec<&Value> = rejects.iter().map(|r| &r["curation"]).collect();
    assert_eq!(curation[0]["rule"], "short_form.min_words");
    assert_eq!(curation[1]["filter"], "short_form");
    assert_eq!(curation[2]["filter"], "exact_dedup");
    assert_eq!(curation[2]["kept_id"], "bicycle");
    assert_eq!(curation[3]["filter"], "minhash");
    assert_eq!(curation[3]["kept_id"], "library");
    assert_eq!(curation[3]["kept_line"], 2);
}

#[test]
fn json_statistics_go_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts.jsonl", &posts());
    let args = [
        "posts.jsonl",
        "--profile",
        "short",
        "--out",
        "kept.jsonl",
        "--json",
    ];
    let output = genloop(&args, dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let stats: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(stats["documents"], 7);
    assert_eq!(stats["kept"], 3);
    assert_eq!(stats["dropped"], 4);
    let kinds: Vec<&str> = stats["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["short_form", "exact_dedup", "minhash"]);
    assert_eq!(stats["filters"][1]["by_rule"]["exact_dedup.duplicate"], 1);
    assert!(stats["elapsed_seconds"].as_f64().unwrap() >= 0.0);
}

#[test]
fn a_filters_file_replaces_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = jsonl(&[
        json!({"id": "a", "body": GARDEN}),
        json!({"id": "b", "body": "Too short."}),
        json!({"id": "c", "body": BICYCLE}),
        json!({"id": "d", "body": GARDEN.replace(',', ";")}),
    ]);
    write(dir.path(), "notes.jsonl", &corpus);
    write(
        dir.path(),
        "filters.toml",
        "[[filters]]\nkind = \"length_bounds\"\nmin_words = 5\nmax_words = 1000\n\n\
         [[filters]]\nkind = \"exact_dedup\"\n",
    );
    let args = [
        "notes.jsonl",
        "--filters",
        "filters.toml",
        "--text-field",
        "body",
        "--out",
        "kept.jsonl",
        "--rejects",
        "rejects.jsonl",
    ];
    let output = genloop(&args, dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(ids(&read_jsonl(&dir.path().join("kept.jsonl"))), ["a", "c"]);
    let rejects = read_jsonl(&dir.path().join("rejects.jsonl"));
    assert_eq!(rejects[0]["curation"]["rule"], "length_bounds.min_words");
    assert_eq!(rejects[1]["curation"]["kept_id"], "a");
}

/// Runs `args` in a folder holding posts.jsonl and `filters.toml` (when given); expects
/// exit code 2, a message with every needle and no output file.
fn refused(filters: Option<&str>, args: &[&str], needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts.jsonl", &posts());
    if let Some(filters) = filters {
        write(dir.path(), "filters.toml", filters);
    }
    let output = genloop(args, dir.path());
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    for needle in needles {
        assert!(message.contains(needle), "no {needle:?} in {message}");
    }
    assert!(!dir.path().join("kept.jsonl").exists());
}

#[test]
fn bad_filters_exit_with_2_and_name_the_key() {
    let with_filters = [
        "posts.jsonl",
        "--filters",
        "filters.toml",
        "--out",
        "kept.jsonl",
    ];
    refused(
        Some("[[filters]]\nkind = \"minhash\"\nthreshhold = 0.8\n"),
        &with_filters,
        &["filters.toml", "threshhold"],
    );
    refused(
        Some("[[filters]]\nkind = \"gopher_qualty\"\n"),
        &with_filters,
        &["filters.toml", "gopher_qualty"],
    );
    refused(
        Some("[[filters]]\nkind = \"detector\"\nscore = \"binoculars\"\n"),
        &with_filters,
        &["`detector`", "needs the loop's models"],
    );
    refused(
        Some("[[filters]]\nkind = \"minhash\"\nthreshold = 1.5\n"),
        &with_filters,
        &["minhash", "1.5"],
    );
    refused(
        None,
        &with_filters,
        &["cannot read filters file", "filters.toml"],
    );
}

#[test]
fn bad_input_exits_with_2_and_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n{{\"id\": \"x\", \"text\": \"cut off",
        posts().lines().next().unwrap()
    );
    write(dir.path(), "broken.jsonl", &text);
    let output = genloop(&["broken.jsonl", "--out", "kept.jsonl"], dir.path());
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("broken.jsonl:2: malformed JSON"),
        "{message}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "only the input is left: {left:?}");

    refused(
        None,
        &["missing.jsonl", "--out", "kept.jsonl"],
        &["missing.jsonl"],
    );
}

#[test]
fn an_existing_output_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts.jsonl", &posts());
    write(dir.path(), "kept.jsonl", "precious\n");
    let args = [
        "posts.jsonl",
        "--profile",
        "short",
        "--out",
        "kept.jsonl",
        "--rejects",
        "rejects.jsonl",
    ];
    let output = genloop(&args, dir.path());
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("kept.jsonl already exists"), "{message}");
    let kept = std::fs::read_to_string(dir.path().join("kept.jsonl")).unwrap();
    assert_eq!(kept, "precious\n");
    assert!(!dir.path().join("rejects.jsonl").exists());
}

#[test]
fn a_rule_that_drops_almost_everything_is_a_warning_on_stderr_and_in_the_stats() {
    // Issue 12: `--profile web` silently dropped every document of a corpus whose
    // paragraphs are single sentences (C4's rule of five sentences); here, short
    // posts that the web profile's Gopher rule of 50 words drops, all of them.
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<Value> = [BICYCLE, LIBRARY, GARDEN]
        .iter()
        .cycle()
        .take(12)
        .enumerate()
        .map(|(i, text)| json!({"id": format!("post-{i}"), "text": format!("{text} ({i})")}))
        .collect();
    write(dir.path(), "posts.jsonl", &jsonl(&records));
    let output = genloop(
        &[
            "posts.jsonl",
            "--profile",
            "web",
            "--out",
            "kept.jsonl",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.starts_with("warning: rule `gopher_quality.min_words` alone dropped 12 of 12"),
        "{message}"
    );
    let stats: Value = serde_json::from_slice(&output.stdout).unwrap();
    let warnings = stats["warnings"].as_array().unwrap();
    assert!(
        warnings[0].as_str().unwrap().contains("alone dropped"),
        "{warnings:?}"
    );
}
