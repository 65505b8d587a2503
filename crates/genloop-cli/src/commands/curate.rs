//! `genloop curate`: the curation pipeline on a JSONL corpus (genloop_curate::pipeline).
//! Settings come from `--profile` or a `--filters` TOML file; kept records go to
//! `--out`, dropped ones to `--rejects`; the statistics go to stderr, or to stdout as
//! JSON with `--json`.

use std::io::Write;
use std::path::Path;

use serde::Deserialize;

use genloop_curate::filters::FilterConfig;
use genloop_curate::pipeline::{self, CurateFiles, PipelineError, Profile};

use crate::args::{CurateArgs, CurateProfile};
use crate::UsageError;

/// The `--filters` file: `[[filters]]` tables, each with a `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FiltersFile {
    filters: Vec<FilterConfig>,
}

/// Read a `--filters` file; every error names the file (and, from the TOML reader, the
/// line and the offending key).
pub fn read_filters(path: &Path) -> Result<Vec<FilterConfig>, UsageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read filters file {}: {e}", path.display())))?;
    let file: FiltersFile = toml::from_str(&text)
        .map_err(|e| UsageError(format!("filters file {}: {e}", path.display())))?;
    if file.filters.is_empty() {
        return Err(UsageError(format!(
            "filters file {}: no [[filters]] tables; add at least one, such as \
             [[filters]] kind = \"exact_dedup\"",
            path.display()
        )));
    }
    Ok(file.filters)
}

fn profile(profile: CurateProfile) -> Profile {
    match profile {
        CurateProfile::Web => Profile::Web,
        CurateProfile::Short => Profile::Short,
    }
}

/// Input and settings errors exit with 2, failures of the machine with 1.
fn classify(error: PipelineError) -> anyhow::Error {
    if error.is_input_error() {
        UsageError(error.to_string()).into()
    } else {
        error.into()
    }
}

pub fn execute(args: &CurateArgs) -> anyhow::Result<()> {
    let filters = match &args.filters {
        Some(path) => read_filters(path)?,
        None => profile(args.profile).filters(),
    };
    let stats = pipeline::curate(
        &filters,
        &CurateFiles {
            input: &args.input,
            out: &args.out,
            rejects: args.rejects.as_deref(),
            text_field: &args.text_field,
        },
    )
    .map_err(classify)?;
    if args.json {
        for warning in &stats.warnings {
            eprintln!("warning: {warning}");
        }
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer(&mut stdout, &stats)?;
        writeln!(stdout)?;
    } else {
        eprint!("{}", pipeline::render_text(&stats));
        eprintln!(
            "kept records: {}{}",
            args.out.display(),
            args.rejects
                .as_deref()
                .map(|path| format!("; dropped records: {}", path.display()))
                .unwrap_or_default()
        );
    }
    Ok(())
}
