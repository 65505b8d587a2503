//! `genloop plan` as a user runs it, checked against a dense grid of the same configs:
//! how much fresh data keeps a biased Gaussian loop's variance at 80 % of generation 0's.

mod common;

use std::path::Path;

use common::{genloop, stderr, stdout};

const CONFIG: &str = r#"name = "plan-fresh"
seed = 3
replicates = 100
generations = 10
[source]
kind = "gaussian"
[data]
original = 50
holdout = 200
[model]
kind = "gaussian"
[regime]
kind = "fresh"
fresh = 10
synthetic = 50
[sampling]
bias = 0.7
"#;

const TARGET: &str = "variance_ratio >= 0.8 * gen0";

/// The mean margin of the target at the final generation, for `fresh` fresh samples,
/// run in memory (the same seeds as the planner's cells).
fn grid_margin(fresh: i64) -> f64 {
    let experiment = genloop_config::from_toml_patched(
        CONFIG,
        "plan.toml",
        &[("regime.fresh", &fresh.to_string())],
    )
    .unwrap();
    let arms = genloop_cli::runner::run_in_memory(&experiment).unwrap();
    let last = experiment.settings.generations - 1;
    let gen0 = arms[0].values("variance_ratio", 0);
    let end = arms[0].values("variance_ratio", last);
    let margins: Vec<f64> = gen0.iter().zip(&end).map(|(g, e)| e - 0.8 * g).collect();
    margins.iter().sum::<f64>() / margins.len() as f64
}

fn plan(dir: &Path, out: &str) -> serde_json::Value {
    let o = genloop(
        &[
            "plan",
            "plan.toml",
            "--target",
            TARGET,
            "--vary",
            "regime.fresh",
            "--to",
            "100",
            "--max-replicates",
            "100",
            "--out",
            out,
            "--json",
            "--threads",
            "2",
        ],
        dir,
    );
    assert!(o.status.success(), "plan failed: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn the_planner_agrees_with_a_dense_grid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), CONFIG).unwrap();
    let answer = plan(dir.path(), "plan");
    let value = answer["value"].as_f64().unwrap() as i64;
    let [lo, hi] = [0, 1].map(|i| answer["interval"][i].as_f64().unwrap() as i64);
    let probes = answer["probes"].as_array().unwrap();
    assert!(probes.len() <= 2 + 7 + 2 * 7, "{} probes", probes.len());
    // The grid: every value from 0 to 100.
    let margins: Vec<f64> = (0..=100).map(grid_margin).collect();
    let first_kept = margins.iter().position(|m| *m >= 0.0).unwrap() as i64;
    // The planner's probes are the grid's runs: the answer keeps the target, the value
    // below it does not, and the grid's first crossing lies in the answer's interval.
    assert!(margins[value as usize] >= 0.0, "{value}: {margins:?}");
    assert!(margins[value as usize - 1] < 0.0, "{value}: {margins:?}");
    for probe in probes {
        let v = probe["value"].as_f64().unwrap() as usize;
        let m = probe["margin"].as_f64().unwrap();
        assert!(
            (m - margins[v]).abs() < 1e-12,
            "probe {v}: {m} vs grid {}",
            margins[v]
        );
    }
    assert!(
        lo <= first_kept && first_kept <= value && value <= hi,
        "grid's first kept {first_kept}, plan {value} in [{lo}, {hi}]"
    );
    assert!(
        hi < 100 && lo > 0,
        "an interval that says something: [{lo}, {hi}]"
    );
    // A rerun into the same folder reuses every cell and gives the same answer.
    let again = plan(dir.path(), "plan");
    assert_eq!(again["value"], answer["value"]);
    assert_eq!(again["interval"], answer["interval"]);
}

#[test]
fn bad_plans_exit_2_naming_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), CONFIG).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--target", "no_such_metric <= 1", "--vary", "regime.fresh"],
            "does not measure `no_such_metric`",
        ),
        (
            &["--target", "variance_ratio =< 1", "--vary", "regime.fresh"],
            "--target \"variance_ratio =< 1\"",
        ),
        (
            &["--target", TARGET, "--vary", "sampling.temperature"],
            "--vary sampling.temperature",
        ),
        (
            &[
                "--target",
                TARGET,
                "--vary",
                "regime.fresh",
                "--from",
                "20",
                "--to",
                "10",
            ],
            "is empty",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["plan", "plan.toml", "--out", "p"];
        all.extend_from_slice(args);
        let o = genloop(&all, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(!dir.path().join("p").exists(), "{args:?} left a folder");
    }
}
