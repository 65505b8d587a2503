//! The curation chain of text runs: the `[[filters]]` kinds of REFERENCE.md §3–5 as
//! [`Filter`]s of the loop. Documents are token ids in the loop; rule and dedup
//! filters judge their decoded text, the perplexity filter and the detector score
//! the ids with the run's own models.
//!
//! Models: the **reference** is the generation-0 model, fitted on the trusted
//! original data; the detector's **observer** is the reference and its
//! **performer** the model in service (the one whose samples are the newest
//! machine text). Thresholds that are not fixed are calibrated on held-out human
//! documents the loop draws for curation only (never trained or tested on).
//!
//! Dedup keep policy inside a cluster (REFERENCE.md §4), using only what a pipeline
//! knows: the channel a document arrived through (original > fresh > synthetic),
//! then its arrival generation, then its position. Machine text inside the fresh
//! stream therefore counts as fresh, as it would in a real crawl.

use std::collections::{HashMap, HashSet};

use genloop_core::data::Documents;
use genloop_core::pipeline::curate::{
    lower_quantile, CandidateView, DropReason, Filter, FilterContext, FilterError, FilterOutcome,
    FilterSpec, Record,
};
use genloop_core::provenance::Pool;
use genloop_curate::dedup::{dedup, exact_hash, DedupIndex, DedupRecord, Origin, ValidDedupParams};
use genloop_curate::detect::calibrate;
use genloop_curate::filters::{DetectorConfig, FilterConfig, PerplexityConfig};
use genloop_curate::rules::{Rule, Verdict};

use crate::detect::score_documents;
use crate::ngram::NgramModel;
use crate::task::TextTask;

type Outcome = FilterOutcome;

/// Build one text filter from its `[[filters]]` table.
pub fn build(spec: &FilterSpec) -> Result<Box<dyn Filter<TextTask>>, FilterError> {
    let error = |message: String| FilterError {
        key: spec.key.clone(),
        message,
    };
    let config: FilterConfig = toml::Value::Table(spec.full_table())
        .try_into()
        .map_err(|e: toml::de::Error| error(e.message().to_string()))?;
    if let Some(rule) = config.rule() {
        return Ok(Box::new(RuleFilter {
            kind: config.kind(),
            rule: rule.build(),
        }));
    }
    Ok(match config {
        FilterConfig::ExactDedup(c) => Box::new(ExactDedupFilter {
            history: c.history,
            seen: HashSet::new(),
            judged: HashMap::new(),
        }),
        FilterConfig::Minhash(c) => {
            let params = c.params.check().map_err(|e| error(e.to_string()))?;
            Box::new(MinhashFilter {
                history: c.history.then(|| DedupIndex::new(params.clone())),
                params,
                judged: HashMap::new(),
            })
        }
        FilterConfig::Perplexity(c) => Box::new(PerplexityFilter::new(c).map_err(error)?),
        FilterConfig::Detector(c) => {
            if !(c.target_fpr > 0.0 && c.target_fpr < 1.0) {
                return Err(error(format!(
                    "target_fpr = {} must lie in (0, 1), e.g. 0.05",
                    c.target_fpr
                )));
            }
            if c.calibration == 0 {
                return Err(error("`calibration` must be at least 1".into()));
            }
            Box::new(DetectorFilter { config: c })
        }
        FilterConfig::Verifier(_) => {
            return Err(genloop_core::pipeline::curate::unsupported(
                spec,
                "the verifier is for numeric models; text runs take perplexity or detector",
            ))
        }
        _ => unreachable!("rule kinds handled above"),
    })
}

/// The decoded text of every record of the view.
fn texts(task: &TextTask, view: &CandidateView<'_, Documents>) -> Vec<String> {
    (0..view.len()).map(|i| text(task, view, i)).collect()
}

fn text(task: &TextTask, view: &CandidateView<'_, Documents>, i: usize) -> String {
    let (docs, index) = view.data(i);
    task.decode(docs.doc(index))
}

/// The documents of the view, as one batch.
fn documents(view: &CandidateView<'_, Documents>) -> Documents {
    Documents::from_docs((0..view.len()).map(|i| {
        let (docs, index) = view.data(i);
        docs.doc(index)
    }))
}

fn origin_of(channel: Pool) -> Origin {
    match channel {
        Pool::Original => Origin::Original,
        Pool::Synthetic => Origin::Synthetic,
        Pool::Fresh | Pool::Holdout => Origin::Fresh,
    }
}

/// A quality rule set (Gopher, C4, FineWeb, short-form, length bounds).
struct RuleFilter {
    kind: &'static str,
    rule: Box<dyn Rule>,
}

impl Filter<TextTask> for RuleFilter {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, TextTask>,
        view: &CandidateView<'_, Documents>,
    ) -> Outcome {
        let drops = texts(context.task, view)
            .iter()
            .map(|text| match self.rule.check(text) {
                Verdict::Keep => None,
                Verdict::Drop { rule, reason } => Some(DropReason::new(rule, reason)),
            })
            .collect();
        Outcome {
            drops,
            scores: None,
        }
    }
}

/// Exact dedup on normalised text, within the training set and (with `history`)
/// of new batches against everything trained on before.
struct ExactDedupFilter {
    history: bool,
    seen: HashSet<u64>,
    /// Hashes of the records last judged, for `admitted`.
    judged: HashMap<Record, u64>,
}

impl Filter<TextTask> for ExactDedupFilter {
    fn kind(&self) -> &'static str {
        "exact_dedup"
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, TextTask>,
        view: &CandidateView<'_, Documents>,
    ) -> Outcome {
        let hashes: Vec<u64> = texts(context.task, view)
            .iter()
            .map(|t| exact_hash(t))
            .collect();
        if self.history {
            self.judged = view
                .records
                .iter()
                .copied()
                .zip(hashes.iter().copied())
                .collect();
        }
        let mut order: Vec<usize> = (0..view.len()).collect();
        order.sort_by_key(|&i| (origin_of(view.channel(i)), view.arrived(i), i));
        let mut drops = vec![None; view.len()];
        let mut kept = HashSet::new();
        for i in order {
            if self.history && self.seen.contains(&hashes[i]) {
                drops[i] = Some(DropReason::new(
                    "exact_dedup.history",
                    "same normalised text as a document of an earlier training set",
                ));
            } else if !kept.insert(hashes[i]) {
                drops[i] = Some(DropReason::new(
                    "exact_dedup.duplicate",
                    "same normalised text as a kept document of this training set",
                ));
            }
        }
        Outcome {
            drops,
            scores: None,
        }
    }

    fn admitted(&mut self, task: &TextTask, view: &CandidateView<'_, Documents>) {
        if self.history {
            // Hashes of this generation's survivors come from `judge`; generation 0's
            // original data were never judged.
            for (i, record) in view.records.iter().enumerate() {
                let hash = match self.judged.get(record) {
                    Some(&hash) => hash,
                    None => exact_hash(&text(task, view, i)),
                };
                self.seen.insert(hash);
            }
            self.judged.clear();
        }
    }
}

/// MinHash-LSH near-dedup with verified Jaccard, within the training set and (with
/// `history`) of new batches against an index of earlier training sets.
struct MinhashFilter {
    params: ValidDedupParams,
    history: Option<DedupIndex>,
    /// The records last judged, for `admitted` (with `history`).
    judged: HashMap<Record, DedupRecord>,
}

impl Filter<TextTask> for MinhashFilter {
    fn kind(&self) -> &'static str {
        "minhash"
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, TextTask>,
        view: &CandidateView<'_, Documents>,
    ) -> Outcome {
        let records: Vec<DedupRecord> = texts(context.task, view)
            .into_iter()
            .enumerate()
            .map(|(i, text)| dedup_record(view, i, text))
            .collect();
        let mut drops = vec![None; view.len()];
        if let Some(index) = &self.history {
            for (id, _, similarity) in index.check_new(&records).removed {
                drops[id as usize] = Some(DropReason::new(
                    "minhash.history",
                    format!("Jaccard {similarity:.2} with a document of an earlier training set"),
                ));
            }
        }
        let rest: Vec<DedupRecord> = records
            .iter()
            .filter(|r| drops[r.id as usize].is_none())
            .cloned()
            .collect();
        for (id, instead, similarity) in dedup(&rest, &self.params).dropped {
            drops[id as usize] = Some(DropReason::new(
                "minhash.duplicate",
                format!("Jaccard {similarity:.2} with kept document {instead}"),
            ));
        }
        if self.history.is_some() {
            self.judged = view.records.iter().copied().zip(records).collect();
        }
        Outcome {
            drops,
            scores: None,
        }
    }

    fn admitted(&mut self, task: &TextTask, view: &CandidateView<'_, Documents>) {
        if let Some(index) = &mut self.history {
            // Survivors of this generation come from `judge`; generation 0's original
            // data were never judged.
            let records: Vec<DedupRecord> = view
                .records
                .iter()
                .enumerate()
                .map(|(i, record)| {
                    self.judged
                        .remove(record)
                        .unwrap_or_else(|| dedup_record(view, i, text(task, view, i)))
                })
                .collect();
            index.add_pool(&records);
            self.judged.clear();
        }
    }
}

/// Record `i` of the view for the dedup module: keep policy by channel, then arrival.
fn dedup_record(view: &CandidateView<'_, Documents>, i: usize, text: String) -> DedupRecord {
    DedupRecord {
        id: i as u64,
        text,
        origin: origin_of(view.channel(i)),
        created: u64::from(view.arrived(i)),
    }
}

/// Drops documents the reference model finds too surprising (or, optionally, too
/// predictable), CCNet-style.
struct PerplexityFilter {
    config: PerplexityConfig,
    /// (low, high) perplexity bounds, fixed once per replicate.
    bounds: Option<(f64, f64)>,
}

impl PerplexityFilter {
    fn new(config: PerplexityConfig) -> Result<Self, String> {
        match (config.threshold, config.percentile) {
            (Some(_), Some(_)) => return Err("give `threshold` or `percentile`, not both".into()),
            (None, None) => {
                return Err(
                    "needs `threshold` (a perplexity) or `percentile` (e.g. percentile = 0.9)"
                        .into(),
                )
            }
            (Some(t), None) if !(t.is_finite() && t > 1.0) => {
                return Err(format!("threshold = {t} must be a perplexity above 1"))
            }
            (None, Some(p)) if !(p > 0.0 && p <= 1.0) => {
                return Err(format!("percentile = {p} must lie in (0, 1]"))
            }
            _ => {}
        }
        if let Some(low) = config.low_percentile {
            if !(0.0..1.0).contains(&low) {
                return Err(format!("low_percentile = {low} must lie in [0, 1)"));
            }
        }
        if config.calibration == 0 {
            return Err("`calibration` must be at least 1".into());
        }
        Ok(PerplexityFilter {
            config,
            bounds: None,
        })
    }
}

/// Perplexity of one document under `model` (end of document included).
fn perplexity(model: &NgramModel, doc: &[u32]) -> f64 {
    let lp = model.token_log_probs(doc);
    (-lp.iter().sum::<f64>() / lp.len() as f64).exp()
}

impl Filter<TextTask> for PerplexityFilter {
    fn kind(&self) -> &'static str {
        "perplexity"
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, TextTask>,
        view: &CandidateView<'_, Documents>,
    ) -> Outcome {
        let config = &self.config;
        let (low, high) = *self.bounds.get_or_insert_with(|| {
            let mut human: Vec<f64> = context
                .calibration
                .iter()
                .take(config.calibration)
                .map(|doc| perplexity(context.reference, doc))
                .collect();
            let high = match config.threshold {
                Some(t) => t,
                None => {
                    let p = config.percentile.unwrap_or(1.0);
                    // Upper quantile: the value at or above which 1 − p of humans lie.
                    let mut negated: Vec<f64> = human.iter().map(|v| -v).collect();
                    -lower_quantile(&mut negated, 1.0 - p)
                }
            };
            let low = config
                .low_percentile
                .map_or(0.0, |q| lower_quantile(&mut human, q));
            (low, high)
        });
        let drops = (0..view.len())
            .map(|i| {
                let (docs, index) = view.data(i);
                let ppl = perplexity(context.reference, docs.doc(index));
                if ppl > high {
                    Some(DropReason::new(
                        "perplexity.high",
                        format!("perplexity {ppl:.1} > {high:.1} under the reference model"),
                    ))
                } else if ppl < low {
                    Some(DropReason::new(
                        "perplexity.low",
                        format!("perplexity {ppl:.1} < {low:.1} under the reference model"),
                    ))
                } else {
                    None
                }
            })
            .collect();
        Outcome {
            drops,
            scores: None,
        }
    }
}

/// A machine-text detector from the reference (observer) and the model in service
/// (performer), calibrated every generation at the target false-positive rate on
/// held-out human documents.
struct DetectorFilter {
    config: DetectorConfig,
}

impl Filter<TextTask> for DetectorFilter {
    fn kind(&self) -> &'static str {
        "detector"
    }

    fn judge(
        &mut self,
        context: &FilterContext<'_, TextTask>,
        view: &CandidateView<'_, Documents>,
    ) -> Outcome {
        let kind = self.config.score;
        let human = Documents::from_docs(context.calibration.iter().take(self.config.calibration));
        let human_scores = score_documents(kind, context.reference, context.deployed, &human);
        let calibration = calibrate(&human_scores, self.config.target_fpr);
        let scores = score_documents(kind, context.reference, context.deployed, &documents(view));
        let drops = scores
            .iter()
            .map(|&s| {
                (s > calibration.threshold).then(|| {
                    DropReason::new(
                        "detector.machine",
                        format!(
                            "{} score {s:.3} > {:.3} (calibrated at FPR {})",
                            kind.as_str(),
                            calibration.threshold,
                            self.config.target_fpr
                        ),
                    )
                })
            })
            .collect();
        Outcome {
            drops,
            scores: Some(scores),
        }
    }
}
