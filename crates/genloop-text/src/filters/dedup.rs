//! Exact and MinHash dedup in the loop: `genloop_curate`'s indexes with its batch keep
//! policy ([`BatchDedup`]), using only what a pipeline knows of a record: the channel
//! it arrived through (original > fresh > synthetic), then its arrival generation,
//! then its position. Machine text inside the fresh stream therefore counts as fresh,
//! as it would in a real crawl. With `history`, new batches are also deduplicated
//! against everything trained on before; each record is sketched once, in `judge`.

use std::collections::HashMap;

use genloop_core::data::Documents;
use genloop_core::pipeline::curate::{
    CandidateView, DropReason, Filter, FilterContext, FilterOutcome, Record,
};
use genloop_core::provenance::Pool;
use genloop_curate::dedup::{
    BatchDedup, BatchDrop, DedupRecord, Deduplicator, ExactDedup, NearDupIndex, Origin,
    ValidDedupParams,
};

use super::{text, texts, TextFilterTask};

/// A dedup index with the keep policy of batches, as a loop filter.
pub(super) struct DedupFilter<D: Deduplicator> {
    kind: &'static str,
    dedup: BatchDedup<D>,
    /// How a drop reads in the curation counts.
    reason: fn(&BatchDrop) -> DropReason,
    /// Sketches of the records last judged, for `admitted` (with history).
    judged: HashMap<Record, D::Sketch>,
}

/// `kind = "exact_dedup"`: the hash of the normalised text.
pub(super) fn exact(history: bool) -> DedupFilter<ExactDedup> {
    DedupFilter::new(
        "exact_dedup",
        ExactDedup::new(),
        history,
        |drop| match drop {
            BatchDrop::History(_) => DropReason::new(
                "exact_dedup.history",
                "same normalised text as a document of an earlier training set",
            ),
            BatchDrop::Duplicate(_) => DropReason::new(
                "exact_dedup.duplicate",
                "same normalised text as a kept document of this training set",
            ),
        },
    )
}

/// `kind = "minhash"`: MinHash-LSH near-dedup with verified Jaccard.
pub(super) fn minhash(params: ValidDedupParams, history: bool) -> DedupFilter<NearDupIndex> {
    let index = NearDupIndex::new(params);
    DedupFilter::new("minhash", index, history, |drop| match drop {
        BatchDrop::History(found) => DropReason::new(
            "minhash.history",
            format!(
                "Jaccard {:.2} with a document of an earlier training set",
                found.jaccard
            ),
        ),
        BatchDrop::Duplicate(found) => DropReason::new(
            "minhash.duplicate",
            format!(
                "Jaccard {:.2} with kept document {}",
                found.jaccard, found.id
            ),
        ),
    })
}

impl<D: Deduplicator> DedupFilter<D> {
    fn new(
        kind: &'static str,
        index: D,
        history: bool,
        reason: fn(&BatchDrop) -> DropReason,
    ) -> Self {
        DedupFilter {
            kind,
            dedup: BatchDedup::new(index, history),
            reason,
            judged: HashMap::new(),
        }
    }
}

fn origin_of(channel: Pool) -> Origin {
    match channel {
        Pool::Original => Origin::Original,
        Pool::Synthetic => Origin::Synthetic,
        Pool::Fresh | Pool::Holdout => Origin::Fresh,
    }
}

/// The records of the view with their keep priority: channel, then arrival.
fn dedup_records<T: TextFilterTask>(
    task: &T,
    view: &CandidateView<'_, Documents>,
) -> Vec<DedupRecord> {
    texts(task, view)
        .into_iter()
        .enumerate()
        .map(|(i, text)| DedupRecord {
            id: i as u64,
            text,
            origin: origin_of(view.channel(i)),
            created: u64::from(view.arrived(i)),
        })
        .collect()
}

impl<T: TextFilterTask, D: Deduplicator + Send> Filter<T> for DedupFilter<D> {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, Documents>,
    ) -> FilterOutcome {
        let judgement = self.dedup.judge(&dedup_records(context.task, view));
        if self.dedup.has_history() {
            self.judged = view
                .records
                .iter()
                .copied()
                .zip(judgement.sketches)
                .collect();
        }
        let drops = judgement
            .drops
            .iter()
            .map(|drop| drop.as_ref().map(self.reason))
            .collect();
        FilterOutcome {
            drops,
            scores: None,
        }
    }

    fn admitted(&mut self, task: &T, view: &CandidateView<'_, Documents>) {
        if self.dedup.has_history() {
            // Sketches of this generation's survivors come from `judge`; generation
            // 0's original data were never judged.
            for (i, record) in view.records.iter().enumerate() {
                let sketch = match self.judged.remove(record) {
                    Some(sketch) => sketch,
                    None => self.dedup.sketch(&text(task, view, i)),
                };
                self.dedup.admit(i as u64, &sketch);
            }
            self.judged.clear();
        }
    }
}
