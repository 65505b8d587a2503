//! The `genloop` command line as a library: argument parsing ([`args`]), one function
//! per command ([`commands`]), config kinds → tasks ([`dispatch`]), the run driver
//! ([`runner`]), the summary of a run folder ([`summary`]) and its report ([`report`]).
//!
//! ```
//! use clap::Parser;
//! use genloop_cli::args::{Cli, Command};
//!
//! let cli = Cli::try_parse_from(["genloop", "run", "configs/replace.toml", "--out", "runs/r"]).unwrap();
//! assert!(matches!(cli.command, Command::Run { .. }));
//! // The demo's configs are checked configs.
//! assert!(genloop_config::from_toml(genloop_cli::DEMO_CONFIG, "demo.toml").is_ok());
//! ```

pub mod args;
pub mod commands;
pub mod dispatch;
pub mod files;
pub mod interrupt;
pub mod progress;
pub mod report;
pub mod runner;
pub mod summary;
pub mod threads;

/// The config text of `genloop demo`.
pub const DEMO_CONFIG: &str = include_str!("demo.toml");

/// The config text of the demo's text part (the synthetic language).
pub const DEMO_LANGUAGE_CONFIG: &str = include_str!("demo_language.toml");

/// The config text of the demo's curation part (contaminated fresh stream, filters).
pub const DEMO_CURATION_CONFIG: &str = include_str!("demo_curation.toml");

/// Bad input that is the user's to fix (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Exit code for an error: 2 for bad input (config, arguments, existing folders), 1
/// otherwise.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    let usage = error.chain().any(|e| {
        e.is::<UsageError>()
            || e.is::<genloop_config::ConfigError>()
            || e.is::<genloop_config::sweep::SweepError>()
            || e.is::<genloop_text::task::TextTaskError>()
            || matches!(
                e.downcast_ref::<genloop_store::StoreError>(),
                Some(
                    genloop_store::StoreError::Exists(_)
                        | genloop_store::StoreError::Missing(_)
                        | genloop_store::StoreError::Version { .. }
                )
            )
    });
    if usage {
        2
    } else {
        1
    }
}

/// Whether `error` is a write to a pipe whose reader has gone: the command ends
/// quietly, like any Unix filter.
pub fn broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
