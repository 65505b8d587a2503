//! Ctrl-C and SIGTERM (what Slurm sends at a time limit): the command in progress says
//! how to continue what it was doing, and the process ends with 128 + the signal.
//! Stores commit chunk by chunk, so an interrupted run keeps every finished chunk and
//! `--resume` continues from there.

use std::sync::Mutex;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// What to print when interrupted; set by the command that is running.
static ON_INTERRUPT: Mutex<Option<String>> = Mutex::new(None);

/// Watch for SIGINT and SIGTERM on a thread of their own. A failure to install the
/// handler leaves the default (the process ends without a word).
pub fn install() {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let message = ON_INTERRUPT
                .lock()
                .ok()
                .and_then(|m| m.clone())
                .unwrap_or_else(|| "interrupted".into());
            // Half-written files and this process's folder locks go first.
            genloop_core::output::remove_temporaries_in_flight();
            eprintln!("\n{message}");
            std::process::exit(128 + signal);
        }
    });
}

/// Say `message` if interrupted from now on.
pub fn on_interrupt(message: String) {
    if let Ok(mut slot) = ON_INTERRUPT.lock() {
        *slot = Some(message);
    }
}
