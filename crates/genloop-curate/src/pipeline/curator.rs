//! The chain of stream filters with its per-filter counts, and how a `[[filters]]`
//! table becomes a stream filter.

use crate::dedup::{ExactDedup, NearDupIndex};
use crate::filters::FilterConfig;

use super::dedup::DedupStream;
use super::error::PipelineError;
use super::stats::FilterStats;
use super::stream::{Document, Rejection, RuleStream, StreamFilter};

/// What the chain decided about one document.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Keep,
    Drop(Rejection),
}

/// The stream filter of one filter table; model-based kinds are refused.
pub fn build_stream_filter(config: &FilterConfig) -> Result<Box<dyn StreamFilter>, PipelineError> {
    let kind = config.kind();
    if let Some(rule) = config.rule() {
        return Ok(Box::new(RuleStream::new(kind, rule)));
    }
    // Exhaustive on purpose: a new filter kind must decide how it runs here.
    match config {
        FilterConfig::ExactDedup(_) => Ok(Box::new(DedupStream::new(ExactDedup::new()))),
        FilterConfig::Minhash(minhash) => {
            let params = minhash
                .params
                .clone()
                .check()
                .map_err(|source| PipelineError::Dedup { kind, source })?;
            Ok(Box::new(DedupStream::new(NearDupIndex::new(params))))
        }
        FilterConfig::Perplexity(_) | FilterConfig::Detector(_) | FilterConfig::Verifier(_) => {
            Err(PipelineError::NeedsModels { kind })
        }
        FilterConfig::GopherQuality(_)
        | FilterConfig::GopherRepetition(_)
        | FilterConfig::C4(_)
        | FilterConfig::FineWeb(_)
        | FilterConfig::ShortForm(_)
        | FilterConfig::LengthBounds(_) => unreachable!("rule kinds are built above"),
    }
}

/// The filter chain with its per-filter counts.
pub struct Curator {
    filters: Vec<Box<dyn StreamFilter>>,
    stats: Vec<FilterStats>,
}

impl Curator {
    /// Build the chain; model-based filter kinds and bad dedup parameters are refused.
    pub fn new(filters: &[FilterConfig]) -> Result<Curator, PipelineError> {
        let filters = filters
            .iter()
            .map(build_stream_filter)
            .collect::<Result<Vec<_>, _>>()?;
        let stats = filters
            .iter()
            .map(|filter| FilterStats::new(filter.kind()))
            .collect();
        Ok(Curator { filters, stats })
    }

    /// Whether a filter names kept documents (dedup), so their ids are worth keeping.
    pub fn has_dedup(&self) -> bool {
        self.filters
            .iter()
            .any(|filter| matches!(filter.kind(), "exact_dedup" | "minhash"))
    }

    /// Run the filters in order on one document; the first drop wins. A kept document
    /// is recorded by the dedup filters, so later copies are dropped against it.
    pub fn decide(&mut self, document: &Document<'_>) -> Decision {
        for (filter, stats) in self.filters.iter_mut().zip(&mut self.stats) {
            stats.checked += 1;
            if let Some(rejection) = filter.check(document) {
                stats.dropped += 1;
                *stats.by_rule.entry(rejection.rule.to_string()).or_default() += 1;
                return Decision::Drop(rejection);
            }
        }
        for filter in &mut self.filters {
            filter.commit();
        }
        Decision::Keep
    }

    /// Counts per filter so far, in chain order.
    pub fn filter_stats(&self) -> &[FilterStats] {
        &self.stats
    }

    /// The counts, once the stream has ended.
    pub fn into_stats(self) -> Vec<FilterStats> {
        self.stats
    }
}
