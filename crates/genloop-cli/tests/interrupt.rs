//! Long work tells the user where it is: progress lines on stderr when it is not a
//! terminal, a word on how to continue after Ctrl-C, and `summary`, `export` and
//! `report` on the unfinished run say so first.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::Duration;

use common::{genloop, stderr, stdout};

const CONFIG: &str = r#"name = "long"
seed = 1
replicates = 300
generations = 1000
[source]
kind = "gaussian"
[data]
original = 100
holdout = 500
[model]
kind = "gaussian"
[regime]
kind = "replace"
[[arm]]
name = "replace"
[[arm]]
name = "biased"
sampling = { bias = 0.9 }
"#;

#[test]
fn an_interrupted_run_says_how_to_continue_and_its_outputs_say_it_is_unfinished() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("long.toml"), CONFIG).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_genloop"))
        .args(["run", "long.toml", "--out", "o", "--threads", "1"])
        .current_dir(dir.path())
        .env("GENLOOP_PROGRESS_SECONDS", "0.2")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, received) = channel();
    let reader = BufReader::new(child.stderr.take().unwrap());
    let collector = std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    // Wait for two progress lines (stderr is a pipe here, not a terminal).
    let mut seen = Vec::new();
    while seen
        .iter()
        .filter(|l: &&String| l.starts_with("progress: "))
        .count()
        < 2
    {
        seen.push(
            received
                .recv_timeout(Duration::from_secs(60))
                .expect("progress lines"),
        );
    }
    let progress = seen.iter().find(|l| l.starts_with("progress: ")).unwrap();
    assert!(
        progress.contains("arm replace (1 of 2)")
            && progress.contains("all arms ")
            && progress.contains("elapsed"),
        "{progress}"
    );
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    collector.join().unwrap();
    seen.extend(received.try_iter());
    assert_eq!(status.code(), Some(130), "{seen:?}");
    let said = seen.join("\n");
    assert!(
        said.contains("interrupted: `genloop run long.toml --out o --resume` continues it"),
        "{said}"
    );

    // The interrupt released the folder's lock and left no half-written file.
    let left: Vec<String> = std::fs::read_dir(dir.path().join("o"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let summary = genloop(&["summary", "o"], dir.path());
    assert!(summary.status.success(), "{}", stderr(&summary));
    let first = stdout(&summary).lines().next().unwrap_or("").to_string();
    assert!(first.starts_with("unfinished run: arm "), "{first}");
    // Interrupted inside an arm, or between the two.
    assert!(
        first.contains(" of 300 replicates") || first.contains("arm biased has not started"),
        "{first}"
    );
    for args in [&["export", "o", "--output", "-"][..], &["report", "o"][..]] {
        let o = genloop(args, dir.path());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("warning: o: unfinished run: "),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let report = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(report.contains("class=\"unfinished\""));

    let resumed = genloop(
        &["run", "long.toml", "--out", "o", "--resume", "--no-report"],
        dir.path(),
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let summary = genloop(&["summary", "o", "--json"], dir.path());
    assert!(!stdout(&summary).contains("\"unfinished\""));
    assert!(stderr(&summary).is_empty(), "{}", stderr(&summary));
}
