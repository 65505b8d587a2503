//! The run-wide keys: `name`, `seed`, `replicates`, `generations` (with `[data]`,
//! the sizes every arm shares).

use genloop_core::pipeline::RunSettings;

use crate::problem::Checker;
use crate::RawConfig;

/// The run's name, seed and sizes; the `measure_*` flags are set once the arms are
/// known ([`crate::arms::measure`]).
pub(crate) fn check_run(c: &mut Checker, raw: &RawConfig) -> RunSettings {
    if raw.name.trim().is_empty() {
        c.problem(
            "name",
            "\"\"",
            "must not be empty",
            "e.g. name = \"gaussian-replace\"",
        );
    }
    let seed = match raw.seed {
        Some(s) if s < 0 => {
            c.problem("seed", s, "must not be negative", "e.g. seed = 1");
            0
        }
        Some(s) => s as u64,
        None => 1,
    };
    let replicates = c.count("replicates", raw.replicates, Some(1), 1, "replicates = 100");
    let generations = c.count("generations", raw.generations, None, 1, "generations = 50");
    let (original, holdout) = crate::data::check_data(c, &raw.data);
    RunSettings {
        seed,
        replicates,
        generations,
        original,
        holdout,
        measure_curation: false,
        measure_detector: false,
    }
}
