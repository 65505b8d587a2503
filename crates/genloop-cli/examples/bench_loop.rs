//! Times the generational loop alone (no store, no aggregation) for the comparison
//! with the Python loops in bench/: Gaussian replace, d = 1, MLE.
//!
//! cargo run --release -p genloop-cli --example bench_loop -- --replicates 1000 --generations 1000 --samples 100 --threads 2
//! Prints {"seconds": …, "final_variance_mean": …, "final_log_variance_mean": …}.

use genloop_config as config;
use std::sync::Mutex;

use genloop_cli::dispatch::{dispatch, TaskVisitor};
use genloop_core::pipeline::curate::BuildFilter;
use genloop_core::pipeline::{run_arm, Arm, Observer, ObserverError, ReplicateResult};

/// The same allocator as the `genloop` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Bench<'a>(&'a config::Experiment);

/// Keeps each replicate's final variance ratio, as the Python scripts keep their
/// metric arrays; the loop computes and reports every metric of every generation.
struct Finals {
    index: usize,
    values: Mutex<Vec<f64>>,
}

impl Observer for Finals {
    fn replicate_done(&self, _arm: &Arm, result: &ReplicateResult) {
        let last = result.generations.len() - 1;
        self.values
            .lock()
            .unwrap()
            .push(result.metrics_at(last)[self.index]);
    }
    fn chunk_done(&self, _arm: &Arm, _results: &[ReplicateResult]) -> Result<(), ObserverError> {
        Ok(())
    }
}

impl TaskVisitor for Bench<'_> {
    type Output = (f64, f64, f64);

    fn visit<T: BuildFilter>(self, task: &T) -> (f64, f64, f64) {
        let exp = self.0;
        let replicates: Vec<u64> = (0..exp.settings.replicates as u64).collect();
        let index = task
            .metrics()
            .iter()
            .position(|m| m.name == "variance_ratio")
            .unwrap();
        let observer = Finals {
            index,
            values: Mutex::new(Vec::new()),
        };
        let start = std::time::Instant::now();
        run_arm(task, &exp.settings, &exp.arms[0], &replicates, &observer).expect("loop runs");
        let seconds = start.elapsed().as_secs_f64();
        let finals = observer.values.into_inner().unwrap();
        let n = finals.len() as f64;
        (
            seconds,
            finals.iter().sum::<f64>() / n,
            finals.iter().map(|v| v.ln()).sum::<f64>() / n,
        )
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut replicates, mut generations, mut samples, mut threads) = (1000, 1000, 100, 0);
    while let Some(flag) = args.next() {
        let value: usize = args
            .next()
            .and_then(|v| v.parse().ok())
            .expect("flag value");
        match flag.as_str() {
            "--replicates" => replicates = value,
            "--generations" => generations = value,
            "--samples" => samples = value,
            "--threads" => threads = value,
            other => panic!("unknown flag {other}"),
        }
    }
    let text = format!(
        "name = \"bench\"\nseed = 0\nreplicates = {replicates}\ngenerations = {generations}\n\
         [source]\nkind = \"gaussian\"\ndim = 1\n[data]\noriginal = {samples}\nholdout = 10000\n\
         [model]\nkind = \"gaussian\"\nestimator = \"mle\"\n[regime]\nkind = \"replace\"\nsamples = {samples}\n"
    );
    let experiment = config::from_toml(&text, "bench").expect("valid config");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let (seconds, variance, log_variance) = pool
        .install(|| dispatch(&experiment, None, Bench(&experiment)))
        .expect("task builds");
    println!(
        "{}",
        serde_json::json!({
            "seconds": seconds,
            "final_variance_mean": variance,
            "final_log_variance_mean": log_variance,
        })
    );
}
