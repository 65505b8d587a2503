//! `genloop report` as a user runs it: `run` ends with report.html and plots/, the
//! report regenerates byte for byte from the store, user text is escaped, and
//! `--no-report` and `--format` do what they say.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::genloop;

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A small run whose config name and arm names carry markup.
const HOSTILE: &str = r#"
name = "<script>alert(1)</script>"
seed = 5
replicates = 8
generations = 5
[source]
kind = "gaussian"
dim = 1
[data]
original = 20
holdout = 200
[model]
kind = "gaussian"
[regime]
kind = "replace"
samples = 20
[[arm]]
name = "<script>alert(1)</script>"
[[arm]]
name = '"><img src=x onerror=alert(1)>'
regime = { kind = "accumulate", samples = 20 }
[[arm]]
name = "gated"
gate = { kind = "holdout", metric = "holdout_nll", tolerance = 0.0 }
"#;

fn run(dir: &Path, config: &str, extra: &[&str]) -> PathBuf {
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let mut args = vec!["run", "config.toml", "--out", "run"];
    args.extend_from_slice(extra);
    ok(&genloop(&args, dir));
    dir.join("run")
}

/// Every file under `dir/plots`, sorted, with its bytes.
fn plots(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("plots"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read(&p).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn run_writes_a_report_that_regenerates_identically_from_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), HOSTILE, &[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let first_plots = plots(&out);
    let names: Vec<&str> = first_plots.iter().map(|(n, _)| n.as_str()).collect();
    for stem in [
        "metric-variance_ratio",
        "metric-mean_sq_error",
        "metric-holdout_nll",
        "composition-0-_script_alert_1___script_",
        "composition-1-___img_src_x_onerror_alert_1__",
        "composition-2-gated",
    ] {
        assert!(
            names.contains(&format!("{stem}.svg").as_str()),
            "{stem}.svg in {names:?}"
        );
        assert!(
            names.contains(&format!("{stem}.png").as_str()),
            "{stem}.png in {names:?}"
        );
    }
    // Every SVG plot is inline in the report, and every PNG is a PNG.
    for (name, bytes) in &first_plots {
        if let Some(stem) = name.strip_suffix(".svg") {
            assert!(
                html.contains(&format!("id=\"plot-{stem}\"")),
                "{stem} inline"
            );
            assert!(bytes.starts_with(b"<svg"));
        } else {
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
        }
    }
    assert!(html.contains("<table id=\"summary-table\">"));
    // User text is text, never markup.
    assert!(!html.contains("<script") && !html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    // Provenance: the run's stored times, not the time of rendering.
    let conn = rusqlite::Connection::open(out.join("results.sqlite")).unwrap();
    let (started, finished): (String, String) = conn
        .query_row(
            "SELECT MIN(started_at), MAX(finished_at) FROM experiments",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        html.contains(&format!("<dd>{started}</dd>"))
            && html.contains(&format!("<dd>{finished}</dd>"))
    );
    drop(conn);

    // Regenerated from the store alone (after the clock has moved on): the same bytes.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::remove_file(out.join("report.html")).unwrap();
    std::fs::remove_dir_all(out.join("plots")).unwrap();
    ok(&genloop(&["report", "run"], tmp.path()));
    assert_eq!(
        std::fs::read_to_string(out.join("report.html")).unwrap(),
        html
    );
    assert_eq!(plots(&out), first_plots);
}

#[test]
fn no_report_skips_it_and_format_picks_the_plots() {
    let tmp = tempfile::tempdir().unwrap();
    // Pools-only composition: the charts fall back to the pool totals.
    let config = HOSTILE.replacen("[[arm]]", "[output]\ncomposition = \"pools\"\n[[arm]]", 1);
    let out = run(tmp.path(), &config, &["--no-report"]);
    assert!(!out.join("report.html").exists() && !out.join("plots").exists());
    ok(&genloop(&["report", "run", "--format", "svg"], tmp.path()));
    let svgs = plots(&out);
    assert!(
        !svgs.is_empty() && svgs.iter().all(|(n, _)| n.ends_with(".svg")),
        "{svgs:?}"
    );
    assert!(
        svgs.iter().any(|(n, _)| n.starts_with("composition-")),
        "composition from pool totals"
    );
    assert!(!out.join("report.html").exists());
    ok(&genloop(&["report", "run", "--format", "png"], tmp.path()));
    assert_eq!(plots(&out).len(), 2 * svgs.len(), "one PNG per SVG");
}

#[test]
fn report_of_a_folder_without_a_store_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let output = genloop(&["report", "nowhere"], tmp.path());
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("nowhere") && message.contains("results.sqlite"),
        "{message}"
    );
}
