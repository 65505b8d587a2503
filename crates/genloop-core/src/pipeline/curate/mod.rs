//! Curation inside the loop (DESIGN.md step 3): a contaminated fresh stream and a
//! chain of filters between mix and fit.
//!
//! - [`ContaminationSpec`]: a share c(g) of each generation's fresh human data is
//!   replaced by machine text the run's own models published earlier. Those records
//!   keep their true (synthetic) provenance, but arrive through the `fresh` channel.
//! - [`Filter`]: one stage of the chain. It sees records, their channel and arrival
//!   generation ([`CandidateView`]), never their provenance; it answers keep or
//!   drop-with-reason per record. Tasks build filters from `[[filters]]` tables
//!   ([`FilterSpec`]), so the loop never depends on what a record is.
//! - [`curate`]: runs the chain over a training set and counts every decision by
//!   filter, outcome, channel and true origin ([`CurationCount`]).

pub mod roc;
pub mod stats;
mod verifier;

pub use verifier::{lower_quantile, Verifier, VerifierConfig};

use std::borrow::Cow;

use serde::Serialize;

use crate::data::{Dataset, Part, TrainingSet};
use crate::provenance::Pool;
use crate::seed::RootSeed;
use crate::task::{ModelOf, Task};

/// A `[[filters]]` table as written: its `kind` and the rest of its keys, checked
/// by the task that builds the filter. `key` names the table in errors
/// (`filters[2]`, `arm[1].filters[0]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FilterSpec {
    pub kind: String,
    pub key: String,
    /// The channels whose records the filter judges (`pools = [...]`); records of
    /// other channels pass it untouched. Model-based filters default to `fresh`
    /// and `synthetic`: the reference model was fitted on the original data, so
    /// judging the archive with it is meaningless.
    pub pools: Vec<Pool>,
    pub table: toml::Table,
}

/// A built filter and the channels it judges.
pub struct Stage<T: Task> {
    pub filter: Box<dyn Filter<T>>,
    pub pools: Vec<Pool>,
}

impl FilterSpec {
    /// The table with its `kind`, as a filter config deserialises it.
    pub fn full_table(&self) -> toml::Table {
        let mut table = self.table.clone();
        table.insert("kind".into(), toml::Value::String(self.kind.clone()));
        table
    }
}

/// A filter the task cannot build.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{key}`: {message}")]
pub struct FilterError {
    pub key: String,
    pub message: String,
}

/// The error for a filter kind a task does not offer; `offered` says what it does.
pub fn unsupported(spec: &FilterSpec, offered: &str) -> FilterError {
    FilterError {
        key: format!("{}.kind", spec.key),
        message: format!(
            "filter `{}` does not apply to this model's data; {offered}",
            spec.kind
        ),
    }
}

/// One record of a training set: its part and its index within the part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Record {
    pub part: u32,
    pub index: u32,
}

/// What a filter may see of the records it judges (always records of batches new in
/// this generation): the data, the channel each arrived through and the generation
/// it arrived at. True provenance is deliberately absent.
pub struct CandidateView<'a, D> {
    parts: &'a [Part<D>],
    pub records: &'a [Record],
}

impl<'a, D: Dataset> CandidateView<'a, D> {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The batch holding record `i` of the view and the record's index in it.
    pub fn data(&self, i: usize) -> (&'a D, usize) {
        let r = self.records[i];
        (self.parts[r.part as usize].data.as_ref(), r.index as usize)
    }

    pub fn channel(&self, i: usize) -> Pool {
        self.parts[self.records[i].part as usize].channel
    }

    pub fn arrived(&self, i: usize) -> u32 {
        self.parts[self.records[i].part as usize].arrived
    }

    /// Size of record `i` in units.
    pub fn units_of(&self, i: usize) -> usize {
        let (data, index) = self.data(i);
        data.units_of(index)
    }
}

/// Why a record was dropped. `rule` is a stable name (`gopher_quality.min_words`,
/// `minhash.history`) that counts group by; `detail` is for people.
#[derive(Clone, Debug, PartialEq)]
pub struct DropReason {
    pub rule: Cow<'static, str>,
    pub detail: String,
}

impl DropReason {
    pub fn new(rule: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        DropReason {
            rule: rule.into(),
            detail: detail.into(),
        }
    }
}

/// A filter's answer for every record of the view, in order.
#[derive(Clone, Debug, Default)]
pub struct FilterOutcome {
    pub drops: Vec<Option<DropReason>>,
    /// Detector scores (higher = more machine-like), one per record, for the
    /// detector metrics.
    pub scores: Option<Vec<f64>>,
}

/// What a filter may use besides the records.
pub struct FilterContext<'a, T: Task> {
    pub task: &'a T,
    pub replicate: u64,
    pub generation: u32,
    /// The generation-0 model, fitted on the trusted original data.
    pub reference: &'a ModelOf<T>,
    /// The model in service when this training set was built (it produced the
    /// newest synthetic batch).
    pub deployed: &'a ModelOf<T>,
    /// Held-out human data for calibration (never trained on, never tested on).
    pub calibration: &'a T::Data,
    pub seed: RootSeed,
}

/// One stage of the curation chain. A filter lives for one replicate, so it may
/// keep state across generations (the dedup index of earlier pools).
pub trait Filter<T: Task>: Send {
    /// The `kind` of its `[[filters]]` table.
    fn kind(&self) -> &'static str;

    /// Keep or drop each record of `view`.
    fn judge(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, T::Data>,
    ) -> FilterOutcome;

    /// Called with the records of the final training set (after every filter), so
    /// stateful filters can index what was trained on.
    fn admitted(&mut self, _task: &T, _view: &CandidateView<'_, T::Data>) {}
}

/// How a filter's decision is counted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurationCount {
    /// Position of the filter in the chain.
    pub filter: u32,
    pub kind: &'static str,
    /// `kept`, or the stable rule name of the drop.
    pub outcome: Cow<'static, str>,
    /// The channel the records arrived through.
    pub pool: Pool,
    /// Their true pool (`synthetic` for machine text in the fresh stream).
    pub origin: Pool,
    pub records: u64,
    pub units: u64,
}

/// Curation of one training set: the result and its counts.
pub struct Curated<D> {
    pub set: TrainingSet<D>,
    /// Surviving record indices of every part of the input set.
    pub survivors: Vec<Vec<usize>>,
    pub counts: Vec<CurationCount>,
    /// The first detector's precision, recall, AUROC and TPR at 1 % FPR.
    pub detector: Option<[f64; 4]>,
}

/// Run the stages in order over `set`. A batch is judged once, when it is new
/// (`new[part]`): the loop writes the survivors of whole new batches back into its
/// pools (`persist[part]`), so later generations train on the curated batch and
/// nothing is judged twice. Each filter judges the records of new parts in its
/// channels that every earlier filter kept; everything else passes untouched.
/// Persisted parts are reported to [`Filter::admitted`] (the dedup history).
pub fn curate<T: Task>(
    stages: &mut [Stage<T>],
    context: &FilterContext<'_, T>,
    set: &TrainingSet<T::Data>,
    new: &[bool],
    persist: &[bool],
) -> Curated<T::Data> {
    let mut survivors = all_records(set);
    let mut counts: Vec<CurationCount> = Vec::new();
    let mut detector = None;
    for (position, stage) in stages.iter_mut().enumerate() {
        let filter = &mut stage.filter;
        // Records of old batches, or of channels the filter does not judge, pass it
        // untouched.
        let alive_before = std::mem::take(&mut survivors);
        let (alive, passed): (Vec<Record>, Vec<Record>) = alive_before.iter().partition(|r| {
            new[r.part as usize] && stage.pools.contains(&set.parts[r.part as usize].channel)
        });
        let view = CandidateView {
            parts: &set.parts,
            records: &alive,
        };
        let outcome = filter.judge(context, &view);
        assert_eq!(
            outcome.drops.len(),
            alive.len(),
            "filter `{}` must answer for every record",
            filter.kind()
        );
        let mut kept = Vec::with_capacity(alive.len());
        for (i, drop) in outcome.drops.iter().enumerate() {
            let part = &set.parts[alive[i].part as usize];
            let outcome_name = match drop {
                None => Cow::Borrowed("kept"),
                Some(reason) => reason.rule.clone(),
            };
            add_count(
                &mut counts,
                CurationCount {
                    filter: position as u32,
                    kind: filter.kind(),
                    outcome: outcome_name,
                    pool: part.channel,
                    origin: part.provenance.pool,
                    records: 1,
                    units: view.units_of(i) as u64,
                },
            );
            if drop.is_none() {
                kept.push(alive[i]);
            }
        }
        if let (None, Some(scores)) = (&detector, &outcome.scores) {
            let machine: Vec<bool> = alive
                .iter()
                .map(|r| set.parts[r.part as usize].provenance.pool == Pool::Synthetic)
                .collect();
            let flagged: Vec<bool> = outcome.drops.iter().map(Option::is_some).collect();
            detector = Some(stats::detector_metrics(scores, &flagged, &machine));
        }
        // Keep the training set's record order: part by part, index by index.
        kept.extend(passed);
        kept.sort_unstable_by_key(|r| (r.part, r.index));
        debug_assert!(kept.len() <= alive_before.len());
        survivors = kept;
    }
    let alive = survivors;
    let admitted: Vec<Record> = alive
        .iter()
        .filter(|r| persist[r.part as usize])
        .copied()
        .collect();
    let view = CandidateView {
        parts: &set.parts,
        records: &admitted,
    };
    for stage in stages.iter_mut() {
        stage.filter.admitted(context.task, &view);
    }
    let mut by_part: Vec<Vec<usize>> = vec![Vec::new(); set.parts.len()];
    for r in &alive {
        by_part[r.part as usize].push(r.index as usize);
    }
    Curated {
        set: select(set, &by_part),
        survivors: by_part,
        counts,
        detector,
    }
}

/// Tell every filter that the whole of `set` was trained on (generation 0's
/// original data start the history of the dedup filters).
pub fn admit_all<T: Task>(task: &T, stages: &mut [Stage<T>], set: &TrainingSet<T::Data>) {
    let records = all_records(set);
    let view = CandidateView {
        parts: &set.parts,
        records: &records,
    };
    for stage in stages.iter_mut() {
        stage.filter.admitted(task, &view);
    }
}

fn all_records<D: Dataset>(set: &TrainingSet<D>) -> Vec<Record> {
    set.parts
        .iter()
        .enumerate()
        .flat_map(|(p, part)| {
            (0..part.data.len()).map(move |i| Record {
                part: p as u32,
                index: i as u32,
            })
        })
        .collect()
}

fn add_count(counts: &mut Vec<CurationCount>, count: CurationCount) {
    match counts.iter_mut().find(|c| {
        c.filter == count.filter
            && c.outcome == count.outcome
            && c.pool == count.pool
            && c.origin == count.origin
    }) {
        Some(existing) => {
            existing.records += count.records;
            existing.units += count.units;
        }
        None => counts.push(count),
    }
}

/// The training set restricted to the surviving indices of each part.
fn select<D: Dataset>(set: &TrainingSet<D>, by_part: &[Vec<usize>]) -> TrainingSet<D> {
    let parts = set
        .parts
        .iter()
        .zip(by_part)
        .filter(|(_, indices)| !indices.is_empty())
        .map(|(part, indices)| {
            if indices.len() == part.data.len() {
                part.clone()
            } else {
                part.select(indices)
            }
        })
        .collect();
    TrainingSet::new(parts)
}

/// Share of `set`'s units with synthetic provenance (NaN for an empty set).
pub fn synthetic_share<D: Dataset>(set: &TrainingSet<D>) -> f64 {
    let units = set.units();
    if units == 0 {
        return f64::NAN;
    }
    set.units_from(Pool::Synthetic) as f64 / units as f64
}
