//! `genloop plan CONFIG --target "METRIC OP VALUE" --vary KEY`: the smallest (or
//! largest) value of one config key that keeps a target at the final generation,
//! found by bisection ([`search`]) on the sweep machinery. Each value tried is a cell
//! of a sweep folder (`cells/<id>/`, listed in `cells.json`, so `genloop collect` and
//! `genloop report` work on a plan folder too), run with the config's replicates and,
//! while the 95 % interval of the target's margin straddles zero, with twice as many
//! up to `--max-replicates`. A rerun into the same folder reuses the finished cells.
//! `plan.json` records the question, every probe and the answer.

pub mod search;
pub mod target;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use genloop_config::sweep::{Cell, Sweep};
use genloop_config::{patch, Experiment};
use genloop_core::aggregate::Aggregator;
use genloop_core::pipeline::curate::BuildFilter;
use genloop_core::pipeline::metric_specs;
use genloop_core::seed::RootSeed;
use genloop_store::Store;

use super::sweep::{folder, local};
use crate::args::PlanArgs;
use crate::dispatch::{dispatch, TaskVisitor};
use crate::files::write_atomic;
use crate::runner::STORE_FILE;
use crate::UsageError;
use search::{Outcome, Probe, Range, Verdict};
use target::Target;

pub const PLAN_FILE: &str = "plan.json";
/// What the plan folder answers, written first; a rerun must ask the same.
pub const QUESTION_FILE: &str = "question.json";

/// The question a plan folder answers; a rerun must ask the same one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Question {
    config_hash: String,
    arm: String,
    target: String,
    vary: String,
    find: String,
    from: f64,
    to: f64,
    integer: bool,
    tolerance: f64,
    replicates: usize,
    max_replicates: usize,
}

/// `plan.json`.
#[derive(Serialize)]
struct PlanRecord<'a> {
    #[serde(flatten)]
    question: &'a Question,
    config: String,
    generation: Option<usize>,
    probes: &'a [Probe],
    /// The value found, or null when even the good end of the range breaks the target.
    value: Option<f64>,
    interval: Option<[f64; 2]>,
}

/// One planning run: the config, what it asks, where it writes.
struct Planner {
    dir: PathBuf,
    sweep: Sweep,
    target: Target,
    question: Question,
    threads: usize,
    cells: Vec<Cell>,
    generation: Option<usize>,
}

pub fn execute(args: &PlanArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.config)
        .map_err(|e| UsageError(format!("cannot read config {}: {e}", args.config.display())))?;
    let origin = args.config.display().to_string();
    let target: Target = args
        .target
        .parse()
        .map_err(|e: target::TargetError| UsageError(e.to_string()))?;
    let mut table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| genloop_config::parse_error(&origin, e))?;
    let arm = keep_one_arm(&mut table, args.arm.as_deref(), &origin)?;
    let experiment = checked(&table, &origin)?;
    check_metric(&experiment, &target)?;
    let range = range(args, &table)?;
    let replicates = args.replicates.unwrap_or(experiment.settings.replicates);
    let max_replicates = args
        .max_replicates
        .unwrap_or(4 * replicates)
        .max(replicates);
    let arm = arm.unwrap_or_else(|| experiment.arms[0].name.clone());
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| crate::runner::default_out(&format!("plan-{}", experiment.name)));
    let question = Question {
        config_hash: genloop_store::config_hash(&text),
        arm,
        target: target.to_string(),
        vary: args.vary.clone(),
        find: format!("{:?}", range.find).to_lowercase(),
        from: range.from,
        to: range.to,
        integer: range.integer,
        tolerance: range.tolerance,
        replicates,
        max_replicates,
    };
    claim_folder(&dir, &question)?;
    let _lock = crate::files::FolderLock::claim(&dir)?;
    let base_dir = args.config.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut planner = Planner {
        dir,
        sweep: Sweep {
            path: origin,
            base_dir,
            base: table,
            dimensions: Vec::new(),
        },
        target,
        question,
        threads: crate::threads::resolve(args.threads),
        cells: Vec::new(),
        generation: None,
    };
    planner.run(&range, args.json)
}

impl Planner {
    fn run(&mut self, range: &Range, json: bool) -> anyhow::Result<()> {
        crate::interrupt::on_interrupt(format!(
            "interrupted: the same `genloop plan` command with `--out {}` continues the plan; finished probes are reused",
            self.dir.display()
        ));
        eprintln!(
            "plan: the {} value of {} in [{}, {}] that keeps {} at the final generation (arm {}); plan folder {}",
            self.question.find,
            self.question.vary,
            range.from,
            range.to,
            self.target,
            self.question.arm,
            self.dir.display()
        );
        let (outcome, probes) = search::bisect(range, |value| self.probe(value))?;
        let (value, interval) = match outcome {
            Outcome::Found { value, interval } => (Some(value), Some(interval)),
            Outcome::NeverKept => (None, None),
        };
        let record = PlanRecord {
            question: &self.question,
            config: self.sweep.path.clone(),
            generation: self.generation,
            probes: &probes,
            value,
            interval,
        };
        let document = serde_json::to_string_pretty(&record)?;
        write_atomic(&self.dir.join(PLAN_FILE), document.as_bytes())?;
        self.report(value, interval, &probes, json.then_some(&document))
    }

    /// Print the answer; fail when no value of the range keeps the target.
    fn report(
        &self,
        value: Option<f64>,
        interval: Option<[f64; 2]>,
        probes: &[Probe],
        json: Option<&String>,
    ) -> anyhow::Result<()> {
        let q = &self.question;
        let generation = self.generation.map_or("?".into(), |g| g.to_string());
        let (Some(value), Some([lo, hi])) = (value, interval) else {
            let end = &probes[0];
            anyhow::bail!(
                "no value of {} in [{}, {}] keeps {} at generation {generation}: at {} the mean margin is {:.4} [{:.4}, {:.4}]; widen the range (--from/--to) or relax the target",
                q.vary, q.from, q.to, self.target, end.value, end.margin, end.margin_interval[0], end.margin_interval[1]
            );
        };
        let mut stdout = std::io::stdout().lock();
        match json {
            Some(document) => writeln!(stdout, "{document}")?,
            None => writeln!(
                stdout,
                "{} = {value} keeps {} at generation {generation} (arm {}); 95 % interval [{lo}, {hi}]; {} probes in {}",
                q.vary,
                self.target,
                q.arm,
                probes.len(),
                self.dir.display()
            )?,
        }
        Ok(())
    }

    /// Run `value` with the question's replicates, doubling them while the margin's
    /// interval straddles zero and the budget allows.
    fn probe(&mut self, value: f64) -> anyhow::Result<Probe> {
        let mut replicates = self.question.replicates;
        loop {
            let started = Instant::now();
            let cell = self.cell(value, replicates)?;
            local::run_cell(&self.dir, &self.sweep, &cell, self.threads)?;
            let probe = self.measure(&cell, value, replicates)?;
            eprintln!(
                "probe {}: {} = {value}, {replicates} replicates: margin {:.4} [{:.4}, {:.4}], {} ({:.1} s)",
                cell.index,
                self.question.vary,
                probe.margin,
                probe.margin_interval[0],
                probe.margin_interval[1],
                verdict_words(&probe),
                started.elapsed().as_secs_f64()
            );
            if probe.verdict != Verdict::Undecided || 2 * replicates > self.question.max_replicates
            {
                return Ok(probe);
            }
            replicates *= 2;
        }
    }

    /// The checked cell for `value` at `replicates`, listed in `cells.json`.
    fn cell(&mut self, value: f64, replicates: usize) -> anyhow::Result<Cell> {
        let number = if self.question.integer {
            Value::Integer(value as i64)
        } else {
            Value::Float(value)
        };
        self.sweep.dimensions = vec![
            (self.question.vary.clone(), vec![number]),
            ("replicates".into(), vec![Value::Integer(replicates as i64)]),
        ];
        let mut cell = self.sweep.cell(0)?;
        match self.cells.iter().find(|c| c.id == cell.id) {
            Some(known) => cell.index = known.index,
            None => {
                cell.index = self.cells.len();
                self.cells.push(cell.clone());
                let keys = vec![self.question.vary.clone(), "replicates".into()];
                let record = folder::SweepRecord::new(keys, &self.cells)?;
                write_atomic(
                    &self.dir.join(folder::CELLS_FILE),
                    serde_json::to_string_pretty(&record)?.as_bytes(),
                )?;
            }
        }
        Ok(cell)
    }

    /// The target's margin in every replicate of a finished cell.
    fn measure(&mut self, cell: &Cell, value: f64, replicates: usize) -> anyhow::Result<Probe> {
        let store = Store::open(&folder::cell_dir(&self.dir, &cell.id).join(STORE_FILE))?;
        let row = store
            .experiments()?
            .into_iter()
            .find(|row| row.arm == self.question.arm)
            .ok_or_else(|| anyhow::anyhow!("{cell} has no arm `{}`", self.question.arm))?;
        let matrix = store.metric_matrix(row.id, &self.target.metric)?;
        let (Some(first), Some(last)) = (matrix.first(), matrix.last()) else {
            anyhow::bail!("{cell} stored no `{}` values", self.target.metric);
        };
        self.generation = Some(matrix.len() - 1);
        let margins: Vec<f64> = first
            .iter()
            .zip(last)
            .map(|(&gen0, &end)| self.target.margin(gen0, end))
            .collect();
        Ok(probe_of(
            &self.target,
            value,
            replicates,
            &margins,
            &cell.id,
        ))
    }
}

/// A probe from the replicates' margins: their mean, its t interval and the verdict.
fn probe_of(target: &Target, value: f64, replicates: usize, margins: &[f64], cell: &str) -> Probe {
    // The run's own aggregate (mean and its t interval); a NaN margin (the metric
    // undefined in a replicate) breaks the target instead of being left out.
    let (mean, interval) = if margins.iter().any(|m| m.is_nan()) {
        (f64::NAN, [f64::NAN; 2])
    } else {
        let summary = Aggregator::new(0).summarize(margins, false, || RootSeed(0).global("plan"));
        (summary.mean, summary.ci95)
    };
    let keeps = target.comparison.keeps(mean);
    let verdict = if target.comparison.keeps(interval[0]) {
        Verdict::Keeps
    } else if !target.comparison.keeps(interval[1]) {
        Verdict::Breaks
    } else {
        Verdict::Undecided
    };
    Probe {
        value,
        replicates,
        margin: mean,
        margin_interval: interval,
        keeps,
        verdict,
        cell: cell.to_string(),
    }
}

fn verdict_words(probe: &Probe) -> &'static str {
    match (probe.verdict, probe.keeps) {
        (Verdict::Keeps, _) => "keeps the target",
        (Verdict::Breaks, _) => "breaks the target",
        (Verdict::Undecided, true) => "undecided, keeps it by its mean",
        (Verdict::Undecided, false) => "undecided, breaks it by its mean",
    }
}

/// Keep only the arm the target is judged on (the others would run for nothing);
/// returns its name when the config lists arms.
fn keep_one_arm(
    table: &mut Table,
    arm: Option<&str>,
    origin: &str,
) -> anyhow::Result<Option<String>> {
    let Some(Value::Array(arms)) = table.get_mut("arm") else {
        return match arm {
            Some(name) => Err(UsageError(format!(
                "--arm {name}: {origin} has no [[arm]] tables; leave --arm out"
            ))
            .into()),
            None => Ok(None),
        };
    };
    let name_of = |a: &Value| {
        a.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let names: Vec<String> = arms.iter().map(name_of).collect();
    let chosen = match arm {
        Some(name) => names.iter().position(|n| n == name).ok_or_else(|| {
            UsageError(format!(
                "--arm {name}: {origin} has no arm of that name (arms: {})",
                names.join(", ")
            ))
        })?,
        None if names.len() == 1 => 0,
        None => {
            return Err(UsageError(format!(
                "{origin} has {} arms; name the one the target is judged on with --arm (arms: {})",
                names.len(),
                names.join(", ")
            ))
            .into())
        }
    };
    let kept = arms.swap_remove(chosen);
    *arms = vec![kept];
    Ok(Some(names[chosen].clone()))
}

/// The config as an experiment, checked.
fn checked(table: &Table, origin: &str) -> anyhow::Result<Experiment> {
    let text = toml::to_string(table)?;
    Ok(genloop_config::from_toml(&text, origin)?)
}

/// Refuse a target on a metric the run does not measure, before anything runs.
fn check_metric(experiment: &Experiment, target: &Target) -> anyhow::Result<()> {
    struct Names<'a>(&'a Experiment);
    impl TaskVisitor for Names<'_> {
        type Output = Vec<&'static str>;
        fn visit<T: BuildFilter>(self, task: &T) -> Vec<&'static str> {
            metric_specs(task, &self.0.settings)
                .iter()
                .map(|m| m.name)
                .collect()
        }
    }
    let names = dispatch(experiment, None, Names(experiment))?;
    if names.contains(&target.metric.as_str()) {
        return Ok(());
    }
    Err(UsageError(format!(
        "--target: this run does not measure `{}`; it measures {}",
        target.metric,
        names.join(", ")
    ))
    .into())
}

/// The range to search: `--from` (default 0) to `--to` (default: the key's value in
/// the config), integers when both ends are.
fn range(args: &PlanArgs, table: &Table) -> anyhow::Result<Range> {
    let usage = |message: String| anyhow::Error::from(UsageError(message));
    let number = |text: &str, flag: &str| -> anyhow::Result<Value> {
        match text.parse::<i64>() {
            Ok(i) => Ok(Value::Integer(i)),
            Err(_) => text
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Value::Float)
                .ok_or_else(|| usage(format!("{flag} {text}: give a finite number"))),
        }
    };
    let to = match &args.to {
        Some(text) => number(text, "--to")?,
        None => match patch::get(table, &args.vary) {
            Some(v @ (Value::Integer(_) | Value::Float(_))) => v,
            Some(other) => {
                return Err(usage(format!(
                    "--vary {}: the config sets it to {other}, not a number",
                    args.vary
                )))
            }
            None => {
                return Err(usage(format!(
                "--vary {}: the config does not set it; give the range's ends with --from and --to",
                args.vary
            )))
            }
        },
    };
    let from = match &args.from {
        Some(text) => number(text, "--from")?,
        None if to.is_integer() => Value::Integer(0),
        None => Value::Float(0.0),
    };
    let as_f64 = |v: &Value| {
        v.as_float()
            .or(v.as_integer().map(|i| i as f64))
            .unwrap_or(f64::NAN)
    };
    let (lo, hi) = (as_f64(&from), as_f64(&to));
    if lo >= hi {
        return Err(usage(format!(
            "the range [{lo}, {hi}] is empty: --from must be below --to"
        )));
    }
    let integer = from.is_integer() && to.is_integer();
    let tolerance = args
        .tolerance
        .unwrap_or(if integer { 1.0 } else { (hi - lo) / 100.0 });
    if !(tolerance.is_finite() && tolerance > 0.0) {
        return Err(usage(format!(
            "--tolerance {tolerance}: give a positive number"
        )));
    }
    Ok(Range {
        from: lo,
        to: hi,
        integer,
        tolerance,
        find: args.find,
    })
}

/// Create the plan folder, or check that an existing one asks the same question.
fn claim_folder(dir: &Path, question: &Question) -> anyhow::Result<()> {
    let question_file = dir.join(QUESTION_FILE);
    if let Ok(text) = std::fs::read_to_string(&question_file) {
        let stored: Question = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!("{} is not a plan's question: {e}", question_file.display())
        })?;
        if &stored != question {
            return Err(UsageError(format!(
                "{} holds a plan for another question (config, arm, target, key, range or replicates differ); choose another --out",
                dir.display()
            ))
            .into());
        }
        return Ok(());
    }
    if crate::files::occupied(dir) {
        return Err(UsageError(format!(
            "{} exists and is not a plan folder (no {QUESTION_FILE}); choose another --out",
            dir.display()
        ))
        .into());
    }
    std::fs::create_dir_all(dir)?;
    write_atomic(
        &question_file,
        serde_json::to_string_pretty(question)?.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_judge_by_the_interval_and_decide_by_the_mean() {
        let t: Target = "m <= 1.0".parse().unwrap();
        // Values below 1 keep; all margins positive and tight: surely kept.
        let kept = probe_of(&t, 5.0, 4, &[0.5, 0.52, 0.48, 0.5], "c");
        assert_eq!((kept.keeps, kept.verdict), (true, Verdict::Keeps));
        let unsure = probe_of(&t, 5.0, 4, &[0.5, -0.4, 0.3, -0.3], "c");
        assert_eq!((unsure.keeps, unsure.verdict), (true, Verdict::Undecided));
        let broken = probe_of(&t, 5.0, 3, &[-1.0, -1.1, -0.9], "c");
        assert_eq!((broken.keeps, broken.verdict), (false, Verdict::Breaks));
        let undefined = probe_of(&t, 5.0, 2, &[f64::NAN, 0.3], "c");
        assert_eq!(
            (undefined.keeps, undefined.verdict),
            (false, Verdict::Breaks)
        );
    }

    #[test]
    fn one_arm_is_kept() {
        let mut table: Table = "[[arm]]\nname = \"a\"\n[[arm]]\nname = \"b\"\n"
            .parse()
            .unwrap();
        assert!(keep_one_arm(&mut table.clone(), None, "c.toml").is_err());
        assert!(keep_one_arm(&mut table.clone(), Some("z"), "c.toml").is_err());
        assert_eq!(
            keep_one_arm(&mut table, Some("b"), "c.toml")
                .unwrap()
                .as_deref(),
            Some("b")
        );
        assert_eq!(table["arm"].as_array().unwrap().len(), 1);
        assert_eq!(table["arm"][0]["name"].as_str(), Some("b"));
    }
}
