//! Curate: the chain of filters between mix and fit (docs/architecture.md).
//!
//! - [`Filter`] (`filter.rs`): one filter. It sees records, their channel and arrival
//!   generation ([`CandidateView`], `view.rs`), never their provenance; it answers
//!   keep or drop-with-reason per record. Tasks build filters from checked
//!   `[[filters]]` tables ([`FilterSpec`], whose typed parameters sit behind
//!   [`FilterParams`]; [`BuildFilter`]), so the loop never depends on what a record
//!   is.
//! - [`Chain`] (`chain.rs`): the filters in order, itself a filter; it counts every
//!   decision by filter, outcome, channel and true origin ([`CurationCount`]).
//! - [`curate`] and [`Curation`] (here): which batches of a training set are judged
//!   (each once, when it first reaches a training set) and how the survivors go back
//!   into the pools.
//! - The verifier (`verifier.rs`), the numeric runs' filter; the detector metrics
//!   (`stats.rs`, `roc.rs`).

pub mod chain;
pub mod filter;
pub mod roc;
pub mod stats;
mod verifier;
pub mod view;

pub use chain::{Chain, CurationCount, Link, Tally};
pub use filter::{
    unsupported, BuildFilter, DropReason, Filter, FilterContext, FilterError, FilterOutcome,
    FilterParams, FilterSpec,
};
pub use verifier::{lower_quantile, Verifier, VerifierConfig};
pub use view::{CandidateView, Record};

use std::collections::HashSet;

use crate::data::{Dataset, Part, TrainingSet};
use crate::pipeline::pools::Pools;
use crate::provenance::{Pool, Provenance};
use crate::task::Task;

/// Curation of one training set: the result and its counts.
pub struct Curated<D> {
    pub set: TrainingSet<D>,
    /// Surviving record indices of every part of the input set.
    pub survivors: Vec<Vec<usize>>,
    pub counts: Vec<CurationCount>,
    /// The first detector's precision, recall, AUROC and TPR at 1 % FPR.
    pub detector: Option<[f64; 4]>,
}

/// Run the chain over `set`. A batch is judged once, when it is new (`new[part]`):
/// the loop writes the survivors of whole new batches back into its pools
/// (`persist[part]`), so later generations train on the curated batch and nothing is
/// judged twice. Each filter judges the records of new parts in its channels that
/// every earlier filter kept; everything else passes untouched. Persisted parts are
/// reported to [`Filter::admitted`] (the dedup history).
pub fn curate<T: Task>(
    chain: &mut Chain<T>,
    context: &FilterContext<'_, T>,
    set: &TrainingSet<T::Data>,
    new: &[bool],
    persist: &[bool],
) -> Curated<T::Data> {
    let (judged, passed): (Vec<Record>, Vec<Record>) = all_records(set)
        .into_iter()
        .partition(|r| new[r.part as usize]);
    let mut tally = Tally::default();
    let drops = chain.judge_counted(
        context,
        &CandidateView::new(&set.parts, &judged),
        &mut tally,
    );
    // Keep the training set's record order: part by part, index by index.
    let mut alive: Vec<Record> = judged
        .iter()
        .zip(&drops)
        .filter(|(_, drop)| drop.is_none())
        .map(|(r, _)| *r)
        .chain(passed)
        .collect();
    alive.sort_unstable_by_key(|r| (r.part, r.index));
    let admitted: Vec<Record> = alive
        .iter()
        .filter(|r| persist[r.part as usize])
        .copied()
        .collect();
    chain.admitted(context.task, &CandidateView::new(&set.parts, &admitted));
    let mut by_part: Vec<Vec<usize>> = vec![Vec::new(); set.parts.len()];
    for r in &alive {
        by_part[r.part as usize].push(r.index as usize);
    }
    Curated {
        set: select(set, &by_part),
        survivors: by_part,
        counts: tally.counts,
        detector: tally.detector,
    }
}

/// Identity of a batch for the curation history.
type BatchKey = (Pool, u32, Provenance);

fn batch_key<D>(part: &Part<D>) -> BatchKey {
    (part.channel, part.arrived, part.provenance)
}

/// The curation of one replicate: its chain and the batches the chain has judged
/// (dedup checks new ones against that history).
pub struct Curation<T: Task> {
    pub chain: Chain<T>,
    seen: HashSet<BatchKey>,
}

impl<T: Task> Curation<T> {
    pub fn new(chain: Chain<T>) -> Self {
        Curation {
            chain,
            seen: HashSet::new(),
        }
    }

    /// Generation 0: the original data, trained on whole, start the history.
    pub fn admit_original(
        &mut self,
        task: &T,
        train: &TrainingSet<T::Data>,
        original: &Part<T::Data>,
    ) {
        let records = all_records(train);
        self.chain
            .admitted(task, &CandidateView::new(&train.parts, &records));
        self.seen.insert(batch_key(original));
    }

    /// Curate a training set: each batch is judged when it first reaches a training
    /// set, and the survivors of whole batches replace them in `pools`.
    pub fn curate(
        &mut self,
        context: &FilterContext<'_, T>,
        train: &TrainingSet<T::Data>,
        pools: &mut Pools<T::Data>,
    ) -> Curated<T::Data> {
        let new: Vec<bool> = train
            .parts
            .iter()
            .map(|p| !self.seen.contains(&batch_key(p)))
            .collect();
        let persist: Vec<bool> = train
            .parts
            .iter()
            .zip(&new)
            .map(|(p, &new)| new && pools.holds(p))
            .collect();
        let curated = curate(&mut self.chain, context, train, &new, &persist);
        for ((part, survivors), _) in train
            .parts
            .iter()
            .zip(&curated.survivors)
            .zip(&persist)
            .filter(|(_, &persist)| persist)
        {
            self.seen.insert(batch_key(part));
            if survivors.len() < part.data.len() {
                pools.replace(part, part.select(survivors));
            }
        }
        curated
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
