//! The curation chain: filters in order, each judging the records of its channels
//! that every earlier filter kept, with every decision counted. A chain is itself a
//! [`Filter`].

use std::borrow::Cow;

use serde::Serialize;

use super::filter::{
    BuildFilter, DropReason, Filter, FilterContext, FilterError, FilterOutcome, FilterSpec,
};
use super::stats::detector_metrics;
use super::view::{CandidateView, Record};
use crate::data::Dataset;
use crate::provenance::Pool;
use crate::task::Task;

/// A built filter and the channels it judges.
pub struct Link<T: Task> {
    pub filter: Box<dyn Filter<T>>,
    pub pools: Vec<Pool>,
}

/// The filters of one arm, in order. It lives for one replicate, like its filters.
pub struct Chain<T: Task> {
    links: Vec<Link<T>>,
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

/// What a chain counted while judging: every decision by filter, outcome, channel
/// and true origin, and the first detector's precision, recall, AUROC and TPR at
/// 1 % FPR.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub counts: Vec<CurationCount>,
    pub detector: Option<[f64; 4]>,
}

impl<T: Task> Chain<T> {
    pub fn new(links: Vec<Link<T>>) -> Self {
        Chain { links }
    }

    /// Build the chain of `specs` with the task's filters.
    pub fn build(task: &T, specs: &[FilterSpec]) -> Result<Self, FilterError>
    where
        T: BuildFilter,
    {
        let links = specs
            .iter()
            .map(|spec| {
                task.build_filter(spec).map(|filter| Link {
                    filter,
                    pools: spec.pools.clone(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Chain::new(links))
    }

    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// Run the filters in order over `view`: each judges the records of its channels
    /// that every earlier filter kept; the others pass it untouched. Returns each
    /// record's drop (the reason of the filter that dropped it) and counts every
    /// decision into `tally`.
    pub fn judge_counted(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, T::Data>,
        tally: &mut Tally,
    ) -> Vec<Option<DropReason>> {
        let mut drops: Vec<Option<DropReason>> = vec![None; view.len()];
        // Indices into `view` of the records every filter so far kept, in order.
        let mut alive: Vec<usize> = (0..view.len()).collect();
        for (position, link) in self.links.iter_mut().enumerate() {
            let judged: Vec<usize> = alive
                .iter()
                .copied()
                .filter(|&i| link.pools.contains(&view.channel(i)))
                .collect();
            let records: Vec<Record> = judged.iter().map(|&i| view.records[i]).collect();
            let outcome = link.judge(context, &view.subset(&records));
            tally.add(
                position as u32,
                link.filter.kind(),
                &view.subset(&records),
                &outcome,
            );
            for (&i, drop) in judged.iter().zip(outcome.drops) {
                drops[i] = drop;
            }
            alive.retain(|&i| drops[i].is_none());
        }
        drops
    }
}

impl<T: Task> Link<T> {
    fn judge(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, T::Data>,
    ) -> FilterOutcome {
        let outcome = self.filter.judge(context, view);
        assert_eq!(
            outcome.drops.len(),
            view.len(),
            "filter `{}` must answer for every record",
            self.filter.kind()
        );
        outcome
    }
}

impl<T: Task> Filter<T> for Chain<T> {
    fn kind(&self) -> &'static str {
        "chain"
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, T::Data>,
    ) -> FilterOutcome {
        FilterOutcome {
            drops: self.judge_counted(context, view, &mut Tally::default()),
            scores: None,
        }
    }

    /// Every filter of the chain hears what was trained on.
    fn admitted(&mut self, task: &T, view: &CandidateView<'_, T::Data>) {
        for link in &mut self.links {
            link.filter.admitted(task, view);
        }
    }
}

impl Tally {
    /// Count the decisions of the filter at `position` over `view`.
    fn add<D: Dataset>(
        &mut self,
        position: u32,
        kind: &'static str,
        view: &CandidateView<'_, D>,
        outcome: &FilterOutcome,
    ) {
        for (i, drop) in outcome.drops.iter().enumerate() {
            self.count(CurationCount {
                filter: position,
                kind,
                outcome: match drop {
                    None => Cow::Borrowed("kept"),
                    Some(reason) => reason.rule.clone(),
                },
                pool: view.channel(i),
                origin: view.origin(i),
                records: 1,
                units: view.units_of(i) as u64,
            });
        }
        if let (None, Some(scores)) = (&self.detector, &outcome.scores) {
            let machine: Vec<bool> = (0..view.len())
                .map(|i| view.origin(i) == Pool::Synthetic)
                .collect();
            let flagged: Vec<bool> = outcome.drops.iter().map(Option::is_some).collect();
            self.detector = Some(detector_metrics(scores, &flagged, &machine));
        }
    }

    fn count(&mut self, count: CurationCount) {
        match self.counts.iter_mut().find(|c| {
            c.filter == count.filter
                && c.outcome == count.outcome
                && c.pool == count.pool
                && c.origin == count.origin
        }) {
            Some(existing) => {
                existing.records += count.records;
                existing.units += count.units;
            }
            None => self.counts.push(count),
        }
    }
}
