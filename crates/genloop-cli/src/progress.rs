//! Where a run is: a progress bar when stderr is a terminal, otherwise a plain line
//! every few seconds (logs, Slurm, pipes): the arm, its replicates done, every arm's
//! together, the time elapsed and an estimate of the time left over every arm, from
//! the replicates this process has finished (resumed ones do not count towards the
//! rate). `GENLOOP_PROGRESS_SECONDS` sets the interval of the lines (default 5).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How a run shows its progress.
pub enum Progress {
    Bar(ProgressBar),
    Lines(Lines),
    Hidden,
}

/// The counters the line printer reads.
struct State {
    total: u64,
    arms: usize,
    done: AtomicU64,
    /// Finished before this process started (resumed).
    resumed: AtomicU64,
    /// The arm running: name, position, when it started here, replicates it had
    /// finished before.
    arm: Mutex<(String, usize, Instant, u64)>,
    per_arm: u64,
    arm_done: AtomicU64,
    started: Instant,
}

pub struct Lines {
    state: Arc<State>,
    stop: Sender<()>,
    printer: Option<JoinHandle<()>>,
}

impl Progress {
    /// Progress over `arms` arms of `per_arm` replicates each; hidden when `show` is false.
    pub fn new(show: bool, arms: usize, per_arm: u64) -> Progress {
        if !show {
            return Progress::Hidden;
        }
        let total = per_arm * arms as u64;
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg:>24} [{bar:30}] {pos}/{len} replicates ({elapsed}, eta {eta})",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            return Progress::Bar(bar);
        }
        Progress::Lines(Lines::start(total, arms, per_arm))
    }

    /// Arm `position` (from 0) starts, with `resumed` replicates finished before.
    pub fn arm(&self, name: &str, position: usize, resumed: u64) {
        match self {
            Progress::Bar(bar) => {
                bar.set_message(name.to_string());
                bar.inc(resumed);
            }
            Progress::Lines(lines) => {
                let state = &lines.state;
                *state.arm.lock().expect("progress lock") =
                    (name.to_string(), position, Instant::now(), resumed);
                state.arm_done.store(resumed, Ordering::SeqCst);
                state.done.fetch_add(resumed, Ordering::SeqCst);
                state.resumed.fetch_add(resumed, Ordering::SeqCst);
            }
            Progress::Hidden => {}
        }
    }

    /// One more replicate finished.
    pub fn replicate_done(&self) {
        match self {
            Progress::Bar(bar) => bar.inc(1),
            Progress::Lines(lines) => {
                lines.state.done.fetch_add(1, Ordering::SeqCst);
                lines.state.arm_done.fetch_add(1, Ordering::SeqCst);
            }
            Progress::Hidden => {}
        }
    }

    /// The run ended (or failed): clear the bar, stop the lines.
    pub fn finish(self) {
        match self {
            Progress::Bar(bar) => bar.finish_and_clear(),
            Progress::Lines(mut lines) => lines.stop(),
            Progress::Hidden => {}
        }
    }
}

impl Lines {
    fn start(total: u64, arms: usize, per_arm: u64) -> Lines {
        let state = Arc::new(State {
            total,
            arms,
            done: AtomicU64::new(0),
            resumed: AtomicU64::new(0),
            arm: Mutex::new((String::new(), 0, Instant::now(), 0)),
            per_arm,
            arm_done: AtomicU64::new(0),
            started: Instant::now(),
        });
        let interval = std::env::var("GENLOOP_PROGRESS_SECONDS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(Duration::from_secs(5), Duration::from_secs_f64);
        let (stop, stopped) = channel::<()>();
        let shared = Arc::clone(&state);
        let printer = std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                eprintln!("{}", shared.line());
            }
        });
        Lines {
            state,
            stop,
            printer: Some(printer),
        }
    }

    fn stop(&mut self) {
        let _ = self.stop.send(());
        if let Some(printer) = self.printer.take() {
            let _ = printer.join();
        }
    }
}

impl Drop for Lines {
    fn drop(&mut self) {
        self.stop();
    }
}

impl State {
    /// `progress: arm replace (1 of 3): 350/1000 replicates; all arms 350/3000, 12 s
    /// elapsed, about 1 min 30 s left`.
    fn line(&self) -> String {
        let (arm, position, arm_started, arm_resumed) =
            self.arm.lock().expect("progress lock").clone();
        let done = self.done.load(Ordering::SeqCst);
        let arm_done = self.arm_done.load(Ordering::SeqCst);
        let elapsed = self.started.elapsed().as_secs_f64();
        let left = match self.seconds_left(done, arm_done, arm_resumed, arm_started, position) {
            Some(seconds) => format!("about {} left", duration(seconds)),
            None => "no estimate yet".to_string(),
        };
        format!(
            "progress: arm {arm} ({} of {}): {arm_done}/{} replicates; all arms {done}/{}, {} elapsed, {left}",
            position + 1,
            self.arms,
            self.per_arm,
            self.total,
            duration(elapsed)
        )
    }

    /// The rest of this arm at this arm's rate, the arms after it at the rate of
    /// everything this process has run (arms differ: accumulate slows as data grow).
    fn seconds_left(
        &self,
        done: u64,
        arm_done: u64,
        arm_resumed: u64,
        arm_started: Instant,
        position: usize,
    ) -> Option<f64> {
        let here = done.saturating_sub(self.resumed.load(Ordering::SeqCst));
        if here == 0 {
            return None;
        }
        let overall = self.started.elapsed().as_secs_f64() / here as f64;
        let arm_here = arm_done.saturating_sub(arm_resumed);
        let arm_rate = if arm_here > 0 {
            arm_started.elapsed().as_secs_f64() / arm_here as f64
        } else {
            overall
        };
        let later_arms = self.arms.saturating_sub(position + 1) as u64 * self.per_arm;
        Some(arm_rate * self.per_arm.saturating_sub(arm_done) as f64 + overall * later_arms as f64)
    }
}

/// `42 s`, `3 min 5 s`, `2 h 10 min`.
fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_estimate_over_every_arm() {
        let state = State {
            total: 300,
            arms: 3,
            done: AtomicU64::new(150),
            resumed: AtomicU64::new(50),
            arm: Mutex::new((
                "accumulate".into(),
                1,
                Instant::now() - Duration::from_secs(5),
                0,
            )),
            per_arm: 100,
            arm_done: AtomicU64::new(50),
            started: Instant::now() - Duration::from_secs(10),
        };
        let line = state.line();
        assert!(
            line.starts_with("progress: arm accumulate (2 of 3): 50/100 replicates; all arms 150/300, 10 s elapsed, about 15 s left"),
            "{line}"
        );
        assert_eq!(duration(185.0), "3 min 5 s");
        assert_eq!(duration(7800.0), "2 h 10 min");
    }
}
