//! The `genloop` binary: arguments → settings → one function per command. Errors are
//! printed on stderr; bad input exits with 2, other failures with 1.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the loop allocates a few small buffers per generation (samples, fitted
/// parameters); glibc's allocator made that a fifth of the 1-D theory runs' time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = genloop_cli::args::Cli::parse();
    genloop_cli::interrupt::install();
    match genloop_cli::commands::execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`genloop export … | head`) is not a failure.
        Err(error) if genloop_cli::broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            // Each cause once: errors that quote their source are not repeated.
            let mut parts: Vec<String> = Vec::new();
            for cause in error.chain() {
                let text = cause.to_string();
                if !parts
                    .last()
                    .is_some_and(|previous| previous.contains(&text))
                {
                    parts.push(text);
                }
            }
            eprintln!("error: {}", parts.join(": "));
            ExitCode::from(genloop_cli::exit_code(&error))
        }
    }
}
