//! Criterion benchmarks of the generational loop (no store): Gaussian replace and
//! accumulate in 1-D, M = 100 records per generation. Data are drawn inside the loop,
//! as in a real run; parameters are in the benchmark id. The comparison with Python
//! lives in bench/compare_loop.sh.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use genloop_cli::dispatch::{dispatch, TaskVisitor};
use genloop_config::{from_toml, Experiment};
use genloop_core::pipeline::curate::BuildFilter;
use genloop_core::pipeline::{run_arm, Silent};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn experiment(regime: &str, replicates: usize, generations: usize) -> Experiment {
    let text = format!(
        "name = \"bench\"\nseed = 0\nreplicates = {replicates}\ngenerations = {generations}\n\
         [source]\nkind = \"gaussian\"\ndim = 1\n[data]\noriginal = 100\nholdout = 10000\n\
         [model]\nkind = \"gaussian\"\n[regime]\nkind = \"{regime}\"\nsamples = 100\n"
    );
    from_toml(&text, "bench").expect("valid config")
}

struct RunOnce<'a>(&'a Experiment);

impl TaskVisitor for RunOnce<'_> {
    type Output = ();
    fn visit<T: BuildFilter>(self, task: &T) {
        let replicates: Vec<u64> = (0..self.0.settings.replicates as u64).collect();
        run_arm(
            task,
            &self.0.settings,
            &self.0.arms[0],
            &replicates,
            &Silent,
        )
        .expect("loop runs");
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("gaussian_1d_M100");
    group.sample_size(10);
    for (regime, replicates, generations) in [("replace", 100, 1000), ("accumulate", 20, 100)] {
        let exp = experiment(regime, replicates, generations);
        group.bench_with_input(
            BenchmarkId::new(regime, format!("{replicates}x{generations}")),
            &exp,
            |b, exp| b.iter(|| dispatch(exp, None, RunOnce(exp)).expect("task builds")),
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
