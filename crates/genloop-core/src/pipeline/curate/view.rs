//! The view a filter sees of the records it judges: the data, the channel each
//! record arrived through and the generation it arrived at, never its true
//! provenance (so filters' precision and recall on machine text are honest).

use crate::data::{Dataset, Part};
use crate::provenance::Pool;

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
    /// The `records` of `parts` (the parts of a training set).
    pub fn new(parts: &'a [Part<D>], records: &'a [Record]) -> Self {
        CandidateView { parts, records }
    }

    /// The same parts, other records of them.
    pub fn subset<'b>(&self, records: &'b [Record]) -> CandidateView<'b, D>
    where
        'a: 'b,
    {
        CandidateView {
            parts: self.parts,
            records,
        }
    }

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
        self.part(i).channel
    }

    pub fn arrived(&self, i: usize) -> u32 {
        self.part(i).arrived
    }

    /// Size of record `i` in units.
    pub fn units_of(&self, i: usize) -> usize {
        let (data, index) = self.data(i);
        data.units_of(index)
    }

    /// The true pool of record `i`, for the chain's counts (filters never see it).
    pub(super) fn origin(&self, i: usize) -> Pool {
        self.part(i).provenance.pool
    }

    fn part(&self, i: usize) -> &'a Part<D> {
        &self.parts[self.records[i].part as usize]
    }
}
