//! Sweeps as a user runs them: a grid of tiny Gaussian configs expanded, run locally
//! (killed and rerun), submitted to a real single-node Slurm cluster, and collected.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{genloop, sorted_lines, stderr, stdout, tiny_gaussian};

/// A sweep file in `dir`: the base config beside it, two regimes × two seeds.
fn write_sweep(dir: &Path, replicates: usize, generations: usize) -> PathBuf {
    std::fs::write(
        dir.join("base.toml"),
        tiny_gaussian(replicates, generations),
    )
    .unwrap();
    let sweep = dir.join("sweep.toml");
    std::fs::write(
        &sweep,
        "base = \"base.toml\"\nseeds = [1, 2]\n[grid]\n\"regime.kind\" = [\"replace\", \"accumulate\"]\n",
    )
    .unwrap();
    sweep
}

fn run_ok(args: &[&str], cwd: &Path) -> std::process::Output {
    let o = genloop(args, cwd);
    assert!(
        o.status.success(),
        "genloop {args:?} failed: {}",
        stderr(&o)
    );
    o
}

/// Sweep and collect into `out`; the collected CSV, sorted.
fn sweep_and_collect(dir: &Path, out: &str) -> Vec<String> {
    run_ok(
        &["sweep", "sweep.toml", "--out", out, "--threads", "2"],
        dir,
    );
    run_ok(&["collect", out], dir);
    sorted_lines(&dir.join(out).join("results.csv"))
}

fn done_cells(out: &Path) -> usize {
    std::fs::read_dir(out.join("cells"))
        .map(|entries| {
            entries
                .filter(|e| e.as_ref().unwrap().path().join("cell.done").is_file())
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_sweep_killed_and_rerun_collects_what_an_uninterrupted_one_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_sweep(dir, 200, 40);
    let whole = sweep_and_collect(dir, "whole");
    assert!(whole
        .iter()
        .any(|l| l == "cell,regime.kind,seed,arm,replicate,generation,metric,value"));
    // Killed (SIGKILL) once the first cell has a store, rerun to the end.
    let out = dir.join("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_genloop"))
        .args(["sweep", "sweep.toml", "--out", "killed", "--threads", "2"])
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !has_store(&out) && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done = done_cells(&out);
    assert!(
        done < 4,
        "the sweep was killed before its end ({done} of 4 cells done)"
    );
    let rerun = run_ok(
        &["sweep", "sweep.toml", "--out", "killed", "--threads", "2"],
        dir,
    );
    assert!(
        stderr(&rerun).contains(&format!("{done} finished before")),
        "{}",
        stderr(&rerun)
    );
    run_ok(&["collect", "killed"], dir);
    assert_eq!(sorted_lines(&out.join("results.csv")), whole);
    // The cell list (ids, parameters, configs) is the same in both folders.
    let cells = |name: &str| std::fs::read_to_string(dir.join(name).join("cells.json")).unwrap();
    assert_eq!(cells("whole"), cells("killed"));
    // Rerunning a finished sweep runs nothing.
    let again = run_ok(&["sweep", "sweep.toml", "--out", "whole"], dir);
    assert!(
        stderr(&again).contains("4 finished before, 0 to run"),
        "{}",
        stderr(&again)
    );
}

fn has_store(out: &Path) -> bool {
    std::fs::read_dir(out.join("cells")).is_ok_and(|mut entries| {
        entries.any(|e| e.unwrap().path().join("results.sqlite").is_file())
    })
}

#[test]
fn collect_names_missing_and_failed_cells_and_merges_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_sweep(dir, 3, 2);
    run_ok(&["sweep", "sweep.toml", "--out", "s"], dir);
    let cells: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("s/cells.json")).unwrap()).unwrap();
    let id = |i: usize| cells["cells"][i]["id"].as_str().unwrap().to_string();
    std::fs::remove_dir_all(dir.join("s/cells").join(id(1))).unwrap();
    let o = genloop(&["collect", "s"], dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("1 of 4 cells are not finished"), "{e}");
    assert!(
        e.contains(&format!(
            "cell 1 {} (regime.kind = \"replace\", seed = 2): missing",
            id(1)
        )),
        "{e}"
    );
    assert!(!dir.join("s/results.csv").exists(), "nothing is merged");
    // The sweep's report shows what is finished and says the rest is not.
    let report = run_ok(&["report", "s"], dir);
    assert!(
        stderr(&report).starts_with("warning: s: unfinished sweep: 3 of 4 cells are finished"),
        "{}",
        stderr(&report)
    );
    // A failed cell is named with its error; status counts it.
    std::fs::remove_file(dir.join("s/cells").join(id(2)).join("cell.done")).unwrap();
    std::fs::write(
        dir.join("s/cells").join(id(2)).join("cell.failed"),
        "disk full",
    )
    .unwrap();
    let e = stderr(&genloop(&["collect", "s"], dir));
    assert!(
        e.contains(&format!(
            "cell 2 {} (regime.kind = \"accumulate\", seed = 1): failed: disk full",
            id(2)
        )),
        "{e}"
    );
    let status = stdout(&run_ok(
        &["sweep", "sweep.toml", "--out", "s", "--status"],
        dir,
    ));
    assert!(
        status.starts_with("4 cells: 2 finished, 1 failed, 0 partial, 1 not started"),
        "{status}"
    );
    // A rerun finishes both; then collect merges every cell.
    run_ok(&["sweep", "sweep.toml", "--out", "s"], dir);
    run_ok(&["collect", "s"], dir);
    let conn = rusqlite::Connection::open(dir.join("s/results.sqlite")).unwrap();
    let (cells, rows): (i64, i64) = conn
        .query_row("SELECT COUNT(DISTINCT cell), COUNT(*) FROM results WHERE \"regime.kind\" = 'accumulate' AND seed = 2", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(cells, 1);
    // The report plots each swept key (not the seeds) against every metric.
    run_ok(&["report", "s"], dir);
    let page = std::fs::read_to_string(dir.join("s/report.html")).unwrap();
    assert!(
        page.contains("<h2>regime.kind: replace, accumulate</h2>"),
        "{page}"
    );
    assert!(!page.contains("unfinished sweep"));
    for ext in ["svg", "png"] {
        assert!(dir
            .join(format!("s/plots/sweep-regime.kind-variance_ratio.{ext}"))
            .is_file());
    }
    assert!(!std::fs::read_dir(dir.join("s/plots")).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("seed")));
    assert_eq!(
        rows as usize,
        sorted_lines(&dir.join("s/results.csv"))
            .iter()
            .filter(|l| l.split(',').skip(1).take(2).eq(["accumulate", "2"]))
            .count()
    );
}

#[test]
fn a_bad_cell_exits_2_naming_its_key_and_value_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_sweep(dir, 3, 2);
    std::fs::write(
        dir.join("bad.toml"),
        "base = \"base.toml\"\n[grid]\n\"regime.kind\" = [\"replace\", \"bogus\"]\n\"sampling.bias\" = [1.0]\n",
    )
    .unwrap();
    let o = genloop(&["sweep", "bad.toml", "--out", "bad"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("1 of 2 cells are not valid configs"), "{e}");
    assert!(e.contains("regime.kind = \"bogus\""), "{e}");
    assert!(!dir.join("bad").exists(), "nothing is written");
    // Another sweep into the same folder is refused.
    run_ok(&["sweep", "sweep.toml", "--out", "s"], dir);
    std::fs::write(
        dir.join("other.toml"),
        "base = \"base.toml\"\nseeds = [7]\n",
    )
    .unwrap();
    let o = genloop(&["sweep", "other.toml", "--out", "s"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds another sweep"), "{}", stderr(&o));
}

/// A running single-node cluster: `.ci/run` starts one (scripts/slurm-single-node.sh)
/// and sets SLURM_CONF.
fn slurm_cluster() -> bool {
    let found = std::env::var_os("SLURM_CONF").is_some()
        && Command::new("sinfo")
            .arg("-h")
            .output()
            .is_ok_and(|o| o.status.success());
    if !found {
        genloop_core::contract::missing_data(
            "no Slurm cluster (SLURM_CONF unset or sinfo fails); start one with scripts/slurm-single-node.sh start DIR",
        );
    }
    found
}

#[test]
fn a_sweep_through_slurm_equals_the_same_sweep_run_locally() {
    if !slurm_cluster() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_sweep(dir, 20, 5);
    let local = sweep_and_collect(dir, "local");
    let o = run_ok(
        &[
            "sweep",
            "sweep.toml",
            "--out",
            "slurm",
            "--slurm",
            "--throttle",
            "2",
        ],
        dir,
    );
    let job = stdout(&o).trim().to_string();
    assert!(
        !job.is_empty() && job.chars().all(|c| c.is_ascii_digit()),
        "job id {job:?}"
    );
    let script = std::fs::read_to_string(dir.join("slurm/slurm/sweep.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-3%2"), "{script}");
    let started = Instant::now();
    while done_cells(&dir.join("slurm")) < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the job array did not finish in 120 s: {}",
            stdout(&genloop(
                &["sweep", "sweep.toml", "--out", "slurm", "--status"],
                dir
            ))
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    run_ok(&["collect", "slurm"], dir);
    assert_eq!(sorted_lines(&dir.join("slurm/results.csv")), local);
    for task in 0..4 {
        assert!(
            dir.join(format!("slurm/slurm/logs/{task}.err")).is_file(),
            "task {task} has its log"
        );
    }
}
