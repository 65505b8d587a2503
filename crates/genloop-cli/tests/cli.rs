//! The `genloop` command as a user runs it: scenarios over the real binary.

use std::path::{Path, PathBuf};

mod common;
use common::{genloop, stderr};

const SMALL: &str = r#"
name = "small"
seed = 3
replicates = 12
generations = 6
[source]
kind = "gaussian"
dim = 2
[data]
original = 30
holdout = 200
[model]
kind = "gaussian"
[regime]
kind = "replace"
samples = 30
[[arm]]
name = "replace"
[[arm]]
name = "subsample"
regime = { kind = "accumulate_subsample", samples = 30, budget = 40, fresh = 5 }
[[arm]]
name = "preserve"
regime = { kind = "preserve", fraction = 0.2, samples = 30 }
[[arm]]
name = "gated"
gate = { kind = "holdout", metric = "holdout_nll", tolerance = 0.0 }
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `config` and expects a clear error naming `needles`, exit code 2 and no run
/// folder.
fn rejects(config: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.toml", config);
    let out = genloop(&["run", path.to_str().unwrap(), "--out", "run"], dir.path());
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert!(message.contains("bad.toml"), "names the file: {message}");
    for needle in needles {
        assert!(
            message.contains(needle),
            "expected `{needle}` in: {message}"
        );
    }
    assert!(
        !dir.path().join("run").exists(),
        "nothing is written for bad input"
    );
}

#[test]
fn bad_input_names_the_key_the_value_and_the_fix() {
    let base = SMALL.split("[[arm]]").next().unwrap().to_string();
    rejects(
        &format!("{base}\nfoo = 1\n"),
        &["unknown field `foo`", "line"],
    );
    rejects(
        &base.replace("replicates = 12", "replicates = \"many\""),
        &["replicates", "invalid type"],
    );
    rejects(
        &base.replace("replicates = 12", "replicates = 0"),
        &["`replicates` = 0", "at least 1"],
    );
    rejects(
        &base.replace("original = 30", "original = -5"),
        &["`data.original` = -5", "e.g. original"],
    );
    rejects(
        &base.replace(
            "kind = \"replace\"\nsamples = 30",
            "kind = \"preserve\"\nfraction = 1.5",
        ),
        &["`regime.fraction` = 1.5", "within [0, 1]"],
    );
    rejects(
        &base.replace(
            "kind = \"replace\"\nsamples = 30",
            "kind = \"replace\"\nratio = 2.0",
        ),
        &["`regime.ratio`", "does not apply to regime kind `replace`"],
    );
    rejects(
        &base
            .replace("dim = 2", "dim = 1")
            .replace(
                "kind = \"gaussian\"\n[regime]",
                "kind = \"gaussian\"\nestimator = \"unbiased\"\n[regime]",
            )
            .replace("samples = 30", "samples = 1"),
        &["unbiased estimator", "≥ 2"],
    );
    let regression = r#"
name = "ols"
generations = 3
[source]
kind = "linear"
dim = 10
[data]
original = 11
[model]
kind = "linear"
[regime]
kind = "replace"
"#;
    rejects(regression, &["`data.original` = 11", "T > d + 1"]);
    rejects(
        &base.replace(
            "kind = \"gaussian\"\ndim = 2",
            "kind = \"gaussian\"\ndim = 2\ncategories = 5",
        ),
        &["`source.categories`"],
    );
    rejects(
        &base.replace(
            "[model]\nkind = \"gaussian\"",
            "[model]\nkind = \"categorical\"",
        ),
        &["cannot be fitted"],
    );
}

#[test]
fn a_run_writes_its_folder_and_never_overwrites_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "small.toml", SMALL);
    let out = genloop(
        &[
            "run",
            config.to_str().unwrap(),
            "--out",
            "run",
            "--json",
            "--threads",
            "2",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let run = dir.path().join("run");
    for file in ["config.toml", "results.sqlite", "summary.json"] {
        assert!(run.join(file).is_file(), "{file} written");
    }
    // The store holds every value; the CSV is written only when asked for.
    assert!(!run.join("csv").exists());
    assert_eq!(
        std::fs::read_to_string(run.join("config.toml")).unwrap(),
        SMALL
    );

    // --json: one document with the documented shape.
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(doc["name"], "small");
    let generations = doc["generations"].as_array().unwrap();
    assert_eq!(generations.len(), 6);
    assert_eq!(generations[0]["generation"], 0);
    let ratio = &generations[3]["metrics"]["variance_ratio"];
    for key in ["mean", "median", "mean_log", "ci95", "theory"] {
        assert!(ratio.get(key).is_some(), "{key} in {ratio}");
    }
    assert!(
        ratio["theory"].is_number(),
        "replace with M records has a closed form"
    );
    let ci = ratio["ci95"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= ratio["mean"].as_f64().unwrap());
    assert_eq!(doc["arms"].as_array().unwrap().len(), 4);
    assert!(doc["arms"][1]["generations"][3]["metrics"]["variance_ratio"]["theory"].is_null());

    // CSV on request: one row per replicate × generation × metric, with the arm.
    let export = genloop(&["export", "run"], dir.path());
    assert!(export.status.success(), "{}", stderr(&export));
    let csv = std::fs::read_to_string(run.join("csv/replace.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("arm,replicate,generation,metric,value"));
    assert_eq!(lines.count(), 12 * 6 * 6);
    assert!(run.join("csv/gated.csv").is_file());
    let export = genloop(
        &[
            "export", "run", "--format", "csv", "--arm", "gated", "--output", "-",
        ],
        dir.path(),
    );
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(String::from_utf8_lossy(&export.stdout)
        .starts_with("arm,replicate,generation,metric,value\ngated,0,0,"));
    // Every arm into one file, told apart by the arm column.
    let all = genloop(&["export", "run", "--output", "all.csv"], dir.path());
    assert!(all.status.success(), "{}", stderr(&all));
    let all = std::fs::read_to_string(dir.path().join("all.csv")).unwrap();
    assert_eq!(all.lines().count(), 1 + 4 * 12 * 6 * 6);
    assert!(all.lines().any(|l| l.starts_with("subsample,11,5,")));

    // The same folder again: refused, untouched.
    let before = std::fs::read(run.join("results.sqlite")).unwrap();
    let again = genloop(
        &["run", config.to_str().unwrap(), "--out", "run"],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read(run.join("results.sqlite")).unwrap(), before);
}

fn dump(run: &Path) -> Vec<String> {
    genloop_store::Store::open(&run.join("results.sqlite"))
        .unwrap()
        .canonical_dump()
        .unwrap()
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "small.toml", SMALL);
    for threads in ["1", "2"] {
        let out = genloop(
            &[
                "run",
                config.to_str().unwrap(),
                "--out",
                &format!("t{threads}"),
                "--threads",
                threads,
            ],
            dir.path(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let one = dump(&dir.path().join("t1"));
    assert!(one.len() > 1000);
    assert_eq!(one, dump(&dir.path().join("t2")));
}

#[test]
fn an_interrupted_run_resumes_to_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "small.toml", SMALL);
    let full = genloop(
        &["run", config.to_str().unwrap(), "--out", "full"],
        dir.path(),
    );
    assert!(full.status.success());
    let partial = genloop(
        &["run", config.to_str().unwrap(), "--out", "partial"],
        dir.path(),
    );
    assert!(partial.status.success());
    // Simulate an interruption: forget the later replicates of two arms.
    {
        let conn = rusqlite::Connection::open(dir.path().join("partial/results.sqlite")).unwrap();
        for table in [
            "metric_series",
            "sample_scores",
            "sample_texts",
            "replicates",
        ] {
            conn.execute(
                &format!("DELETE FROM {table} WHERE replicate >= 5 AND experiment_id >= 3"),
                [],
            )
            .unwrap();
        }
    }
    assert_ne!(
        dump(&dir.path().join("full")),
        dump(&dir.path().join("partial"))
    );
    let resumed = genloop(
        &[
            "run",
            config.to_str().unwrap(),
            "--out",
            "partial",
            "--resume",
        ],
        dir.path(),
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(
        dump(&dir.path().join("full")),
        dump(&dir.path().join("partial"))
    );

    // Resuming with another config is refused.
    let other = write(
        dir.path(),
        "other.toml",
        &SMALL.replace("seed = 3", "seed = 4"),
    );
    let refused = genloop(
        &[
            "run",
            other.to_str().unwrap(),
            "--out",
            "partial",
            "--resume",
        ],
        dir.path(),
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("different config"));
}

#[test]
fn the_gate_rejects_and_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "small.toml", SMALL);
    assert!(genloop(
        &["run", config.to_str().unwrap(), "--out", "run"],
        dir.path()
    )
    .status
    .success());
    let conn = rusqlite::Connection::open(dir.path().join("run/results.sqlite")).unwrap();
    let gated: i64 = conn
        .query_row("SELECT id FROM experiments WHERE arm = 'gated'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let (rejected, rolled_back): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), SUM(deployed < generation) FROM generations WHERE experiment_id = ?1 AND accepted = 0",
            [gated],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        rejected > 0,
        "a zero-tolerance gate rejects some generations"
    );
    assert_eq!(
        rejected, rolled_back,
        "every rejection rolls back to an earlier model"
    );
    let reason: String = conn
        .query_row(
            "SELECT reason FROM generations WHERE experiment_id = ?1 AND accepted = 0 LIMIT 1",
            [gated],
            |r| r.get(0),
        )
        .unwrap();
    assert!(reason.contains("holdout_nll"), "{reason}");
    // The ungated arms never reject.
    let ungated: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM generations WHERE experiment_id <> ?1 AND accepted = 0",
            [gated],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ungated, 0);
    // Common random numbers: generation 0 is identical in every arm.
    let distinct: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM (SELECT DISTINCT replicate, metric, value FROM metrics WHERE generation = 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(distinct, 12 * 6);
    // Composition is stored by pool and generation of origin.
    let sub: i64 = conn
        .query_row(
            "SELECT id FROM experiments WHERE arm = 'subsample'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let total: i64 = conn
        .query_row("SELECT SUM(units) FROM composition WHERE experiment_id = ?1 AND replicate = 0 AND generation = 5", [sub], |r| r.get(0))
        .unwrap();
    assert_eq!(total, 40, "accumulate_subsample keeps its budget");
    let pools: i64 = conn
        .query_row("SELECT COUNT(DISTINCT pool) FROM composition WHERE experiment_id = ?1 AND generation = 5", [sub], |r| r.get(0))
        .unwrap();
    assert_eq!(pools, 3, "original, fresh and synthetic all present");
}

#[test]
fn every_example_config_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs");
    let mut count = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut experiment = genloop_config::from_toml(&text, &path.display().to_string())
                .unwrap_or_else(|e| panic!("{e}"));
            experiment.base_dir = root.clone();
            if let genloop_config::SourceSpec::Corpus(corpus) = &experiment.source {
                if !root.join(&corpus.path).is_file() {
                    genloop_core::contract::missing_data(&format!(
                        "{}: {} is missing (bash scripts/fetch-kjv.sh data/kjv.txt)",
                        path.display(),
                        corpus.path
                    ));
                    continue;
                }
            }
            // Run each example shrunk to a few replicates and generations.
            let mut small = experiment.clone();
            small.settings.replicates = 2;
            small.settings.generations = small.settings.generations.min(3);
            if let genloop_config::ModelSpec::Transformer(spec) = &mut small.model {
                // A transformer's training, scoring and sampling are the time of its
                // run: a few steps of a tiny model of the same kind on a few thousand
                // tokens show the config runs.
                if spec.checkpoint.is_none() {
                    (spec.layers, spec.heads, spec.d_model) = (1, 2, 32);
                }
                spec.context = spec.context.min(32);
                spec.max_length = spec.max_length.min(31);
                spec.steps = 4;
                spec.warmup_steps = 1;
                spec.eval_every = 2;
                small.settings.replicates = 1;
                small.settings.generations = 2;
                small.settings.original = small.settings.original.min(4000);
                small.settings.holdout = small.settings.holdout.min(1000);
                for arm in &mut small.arms {
                    arm.regime.samples = arm.regime.samples.min(4000);
                    arm.regime.fresh = arm.regime.fresh.min(2000);
                }
            }
            let start = std::time::Instant::now();
            genloop_cli::runner::run_in_memory(&small)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            eprintln!("{}: {:.1} s", path.display(), start.elapsed().as_secs_f64());
            count += 1;
        }
    }
    assert!(count >= 7, "one example per regime at least");
}

/// The ```sql blocks of the README, each statement run as written on a real store.
#[test]
fn the_readme_sql_examples_run_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let blocks: Vec<&str> = readme
        .split("```sql\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert!(!blocks.is_empty(), "the README has SQL examples");
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "small.toml", SMALL);
    let out = genloop(
        &[
            "run",
            config.to_str().unwrap(),
            "--out",
            "run",
            "--no-report",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(dir.path().join("run/results.sqlite")).unwrap();
    let mut statements = 0;
    for block in blocks {
        let sql: String = block
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let mut stmt = conn
                .prepare(statement)
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
            let rows = stmt
                .query_map([], |_| Ok(()))
                .unwrap_or_else(|e| panic!("{statement}: {e}"))
                .count();
            assert!(rows > 0, "{statement}: no rows");
            statements += 1;
        }
    }
    assert!(statements >= 3, "{statements} statements");
}

#[test]
fn a_store_of_the_old_layout_is_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("old");
    std::fs::create_dir(&run).unwrap();
    {
        let conn = rusqlite::Connection::open(run.join("results.sqlite")).unwrap();
        conn.execute_batch(
            "CREATE TABLE experiments (id INTEGER PRIMARY KEY, genloop_version TEXT);
             INSERT INTO experiments VALUES (1, '0.1.0');
             CREATE TABLE metrics (experiment_id, replicate, generation, name, value);",
        )
        .unwrap();
    }
    for args in [
        &["summary", "old"][..],
        &["report", "old"],
        &["export", "old"],
    ] {
        let out = genloop(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let message = stderr(&out);
        assert!(
            message.contains("results.sqlite") && message.contains("schema version 1"),
            "{args:?}: {message}"
        );
    }
}

#[test]
fn lm_train_of_an_ngram_model_prints_its_summary_with_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lines.txt"),
        "the cat sat\nthe dog ran\na cat ran\n",
    )
    .unwrap();
    let out = genloop(
        &[
            "lm",
            "train",
            "lines.txt",
            "--order",
            "2",
            "--out",
            "model",
            "--json",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(summary["order"], 2);
    assert_eq!(summary["training_documents"], 3);
    assert!(summary["ngrams"].as_u64().unwrap() > 0);
    assert!(dir.path().join("model/model.arpa").is_file());
}
