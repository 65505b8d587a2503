//! One function per command.

pub mod collect;
pub mod curate;
pub mod ingest;
pub mod lm;
pub mod lm_transformer;
pub mod plan;
pub mod sweep;

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use genloop_config as config;
use genloop_report::file_safe;
use genloop_store::Store;

use crate::args::{Cli, Command, ExportFormat, RunOptions};
use crate::files::{write_atomic, write_atomic_with, write_user_file};
use crate::runner::{self, RunRequest, STORE_FILE, SUMMARY_FILE};
use crate::summary;
use crate::{UsageError, DEMO_CONFIG, DEMO_CURATION_CONFIG, DEMO_LANGUAGE_CONFIG};

pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo { options } => demo(&options),
        Command::Run { config, options } => {
            let text = std::fs::read_to_string(&config)
                .map_err(|e| UsageError(format!("cannot read config {}: {e}", config.display())))?;
            let base = config.parent().unwrap_or(Path::new("."));
            let summary = run_config(&text, &config.display().to_string(), base, &options)?;
            print_summary(&summary, options.json)
        }
        Command::Export {
            dir,
            format: ExportFormat::Csv,
            arm,
            out,
            force,
        } => export(&dir, arm.as_deref(), out.as_deref(), force),
        Command::Report { dir, format } => {
            let written = crate::report::write(&dir, format)?;
            eprintln!("wrote {} files in {}", written.len(), dir.display());
            Ok(())
        }
        Command::Lm { command } => lm::execute(command),
        Command::Curate(args) => curate::execute(&args),
        Command::Ingest { command } => ingest::execute(command),
        Command::Sweep(args) => sweep::execute(&args),
        Command::Plan(args) => plan::execute(&args),
        Command::Collect { dir } => collect::execute(&dir),
        Command::Summary { dir, json } => {
            let store = Store::open(&dir.join(STORE_FILE))?;
            let (summary, _) = summary::from_store(&store)?;
            if let Some(unfinished) = &summary.unfinished {
                eprintln!("warning: {}: {unfinished}", dir.display());
            }
            print_summary(&summary, json)
        }
    }
}

fn print_summary(summary: &summary::RunSummary, json: bool) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut stdout, summary)?;
        writeln!(stdout)?;
    } else {
        write!(stdout, "{}", summary::render_text(summary))?;
    }
    Ok(())
}

/// `genloop demo`: the Gaussian under every data policy, the n-gram model on the
/// synthetic language, and the seed's recipe with a contaminated fresh stream and
/// filters; three run folders under one.
fn demo(options: &RunOptions) -> anyhow::Result<()> {
    let root = options
        .out
        .clone()
        .unwrap_or_else(|| runner::default_out("demo"));
    let mut summaries = Vec::new();
    for (part, text) in [
        ("gaussian", DEMO_CONFIG),
        ("language", DEMO_LANGUAGE_CONFIG),
        ("curation", DEMO_CURATION_CONFIG),
    ] {
        let out = root.join(part);
        let part_options = RunOptions {
            // A demo interrupted before this part started has nothing of it to resume.
            resume: options.resume && out.join(STORE_FILE).is_file(),
            out: Some(out),
            resume_hint: Some(format!("genloop demo --out {} --resume", root.display())),
            ..options.clone()
        };
        summaries.push(run_config(
            text,
            &format!("built-in demo config ({part})"),
            Path::new("."),
            &part_options,
        )?);
    }
    if options.json {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer(&mut stdout, &summaries)?;
        writeln!(stdout)?;
    } else {
        for summary in &summaries {
            print_summary(summary, false)?;
            println!();
        }
    }
    Ok(())
}

/// Check the config (nothing is written when it is bad), run it, write the summary
/// and the report, and return the aggregates. The CSV is written only on request
/// (`genloop export`): the store holds every value.
pub fn run_config(
    text: &str,
    origin: &str,
    base_dir: &Path,
    options: &RunOptions,
) -> anyhow::Result<summary::RunSummary> {
    let mut experiment = config::from_toml(text, origin)?;
    experiment.base_dir = base_dir.to_path_buf();
    if options.threads == Some(0) {
        return Err(UsageError("--threads must be at least 1".into()).into());
    }
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| runner::default_out(&experiment.name));
    let started = std::time::Instant::now();
    if !options.cell {
        let hint = options
            .resume_hint
            .clone()
            .unwrap_or_else(|| format!("genloop run {origin} --out {} --resume", out.display()));
        crate::interrupt::on_interrupt(format!(
            "interrupted: `{hint}` continues it; finished replicates are kept"
        ));
    }
    runner::run(&RunRequest {
        experiment: &experiment,
        config_text: text,
        out: out.clone(),
        threads: options.threads,
        resume: options.resume,
        progress: !options.cell,
    })?;
    let store = Store::open(&out.join(STORE_FILE))?;
    let (summary, _) = summary::from_store(&store)?;
    // Compact, like `--json`: indentation made up half of a 1000-generation summary.
    write_atomic(
        &out.join(SUMMARY_FILE),
        serde_json::to_string(&summary)?.as_bytes(),
    )?;
    if !options.no_report {
        crate::report::write_with_summary(&out, &store, &summary, crate::args::ReportFormat::Html)?;
        eprintln!("report: {}", out.join(crate::report::REPORT_FILE).display());
    }
    eprintln!(
        "run folder: {} (config.toml, results.sqlite, summary.json) in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(summary)
}

/// CSV export: `arm,replicate,generation,metric,value`; one file per arm in
/// `DIR/csv/`, or every selected arm into `output` (`-`: stdout).
pub fn export(
    dir: &Path,
    arm: Option<&str>,
    output: Option<&Path>,
    force: bool,
) -> anyhow::Result<()> {
    let store = Store::open(&dir.join(STORE_FILE))?;
    if let Some(unfinished) = summary::unfinished_run(&store)? {
        eprintln!("warning: {}: {unfinished}", dir.display());
    }
    let experiments = store.experiments()?;
    let selected: Vec<_> = match arm {
        Some(name) => {
            let found: Vec<_> = experiments.iter().filter(|e| e.arm == name).collect();
            if found.is_empty() {
                return Err(UsageError(format!(
                    "{}: no arm named `{name}`; arms: {}",
                    dir.display(),
                    experiments
                        .iter()
                        .map(|e| e.arm.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
            found
        }
        None => experiments.iter().collect(),
    };
    if let Some(path) = output {
        let ids: Vec<i64> = selected.iter().map(|e| e.id).collect();
        if path == Path::new("-") {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            store.export_csv(&ids, &mut stdout)?;
            stdout.flush()?;
        } else {
            write_user_file(path, force, |w| {
                store.export_csv(&ids, w).map_err(Into::into)
            })?;
        }
        return Ok(());
    }
    for experiment in selected {
        let path = dir
            .join("csv")
            .join(format!("{}.csv", file_safe(&experiment.arm)));
        write_atomic_with(&path, |w| {
            store.export_csv(&[experiment.id], w).map_err(Into::into)
        })
        .with_context(|| format!("exporting arm `{}`", experiment.arm))?;
    }
    eprintln!("wrote {}", dir.join("csv").display());
    Ok(())
}
