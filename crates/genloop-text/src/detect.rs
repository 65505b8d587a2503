//! Machine-text scores of documents from two of the run's own language models (n-gram or
//! transformer, any [`LanguageModel`]) with the
//! same vocabulary (docs/formulas.md §7): an **observer** and a **performer**. Every
//! score is oriented so that **higher is more machine-like**, ready for
//! `genloop_curate::detect` (AUROC, calibration at a target false-positive rate).
//!
//! Per position t (every token, then `</s>`), with p = the performer's next-token
//! distribution and q = the observer's, both given `<s>` and x_<t:
//!
//! - [`DetectorScore::LogLikelihood`]: (1/T) Σₜ ln p(xₜ) (Solaiman et al. 2019).
//! - [`DetectorScore::LogRank`]: −(1/T) Σₜ ln rankₚ(xₜ), rank 1 = the most probable
//!   outcome (GLTR, Gehrmann et al. 2019; the DetectGPT baselines, Mitchell et al.
//!   2023). Machine text picks top-ranked tokens, so its mean log-rank is *low*;
//!   the minus sign turns that into a high score. Tied probabilities share their
//!   mid-rank: 1 + #{v : p(v) > p(xₜ)} + ½·#{v ≠ xₜ : p(v) = p(xₜ)}.
//! - [`DetectorScore::FastDetectgpt`], the analytic sampling discrepancy (Bao et al.,
//!   ICLR 2024, eq. 5 and `get_sampling_discrepancy_analytic` in
//!   baoguangsheng/fast-detect-gpt): the observer is the *sampling* (reference)
//!   model q and the performer the *scoring* model p:
//!   μₜ = Σᵥ q(v) ln p(v), σ²ₜ = Σᵥ q(v) (ln p(v))² − μₜ²,
//!   D = (Σₜ ln p(xₜ) − Σₜ μₜ) / √(Σₜ σ²ₜ). Text the performer wrote is more probable
//!   under it than the tokens q would have drawn in its place, so D is higher for
//!   machine text (the paper's orientation, kept).
//! - [`DetectorScore::Binoculars`] (Hans et al., ICML 2024):
//!   B = [(1/T) Σₜ −ln p(xₜ)] / [(1/T) Σₜ −Σᵥ q(v) ln p(v)], the performer's
//!   log-perplexity over the observer-to-performer cross-perplexity. Machine text
//!   has *lower* B, so the score is **−B**. The denominator is −Σₜ μₜ, shared with
//!   Fast-DetectGPT.
//!
//! "Higher = machine" assumes, as these papers do, that the performer's text is less
//! surprising to it than human text. A run can break that: a Kneser-Ney replace loop
//! drifts to *noisier* text each generation, and `tests/detect.rs` measures these
//! scores ranking human text as the more machine-like (AUROC 0.2–0.45); an add-k
//! loop that loses rare transitions gives AUROC 0.8–0.93. Check AUROC on labelled
//! pools before trusting a threshold.
//!
//! Both distributions are renormalised at every position (the tables store f32 and
//! sum to 1 within about 10⁻⁶), as log-softmax does in the papers' code. A zero
//! probability (MLE smoothing) is raised to [`MIN_PROBABILITY`] so scores stay
//! finite; Kneser-Ney never gives zero. Cost: O(V) per position and model, with one
//! [`LanguageModel::distributions`] per document per model (none for log-likelihood).
//!
//! Panics when the two models' vocabularies differ or a document holds an id
//! outside the vocabulary (as [`LanguageModel::token_log_probs`] does). An empty
//! document is scored on its `</s>` alone.
//!
//! ```
//! use genloop_core::data::Documents;
//! use genloop_curate::filters::DetectorScore;
//! use genloop_text::detect::score_documents;
//! use genloop_text::ngram::{NgramEstimator, Smoothing};
//!
//! let estimator = NgramEstimator::new(2, Smoothing::KneserNey, 4)?;
//! let observer = estimator.fit_documents(&[&Documents::from_docs([[0u32, 1, 2, 3]])])?;
//! let performer = estimator.fit_documents(&[&Documents::from_docs([[0u32, 0, 0]])])?;
//! let docs = Documents::from_docs([vec![0u32, 0], vec![3, 2, 1], vec![]]);
//! let scores = score_documents(DetectorScore::Binoculars, &observer, &performer, &docs);
//! assert!(scores[0] > scores[1]); // the performer's own habit looks machine-made
//! assert!(scores.iter().all(|s| s.is_finite()));
//! # Ok::<(), genloop_text::ngram::NgramError>(())
//! ```

use genloop_core::data::Documents;
use genloop_curate::filters::DetectorScore;

use crate::lm::LanguageModel;

/// Floor on a probability before its logarithm (ln 10⁻³⁰ ≈ −69 nats).
pub const MIN_PROBABILITY: f64 = 1e-30;

/// All four scores of one document (each oriented higher = machine).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DocumentScores {
    pub log_likelihood: f64,
    pub log_rank: f64,
    pub fast_detectgpt: f64,
    pub binoculars: f64,
}

impl DocumentScores {
    pub fn get(&self, kind: DetectorScore) -> f64 {
        match kind {
            DetectorScore::LogLikelihood => self.log_likelihood,
            DetectorScore::LogRank => self.log_rank,
            DetectorScore::FastDetectgpt => self.fast_detectgpt,
            DetectorScore::Binoculars => self.binoculars,
        }
    }
}

/// The `kind` score of every document of `docs`, in order (module docs).
pub fn score_documents<M: LanguageModel + ?Sized>(
    kind: DetectorScore,
    observer: &M,
    performer: &M,
    docs: &Documents,
) -> Vec<f64> {
    if kind == DetectorScore::LogLikelihood {
        // One batched pass of the performer over every document.
        check_vocabularies(observer, performer);
        return performer
            .documents_log_probs(docs)
            .iter()
            .map(|lp| mean_floored(lp))
            .collect();
    }
    docs.iter()
        .map(|doc| score_document(kind, observer, performer, doc))
        .collect()
}

/// Mean of per-token log-probabilities, each floored at ln [`MIN_PROBABILITY`].
fn mean_floored(log_probs: &[f64]) -> f64 {
    let floor = MIN_PROBABILITY.ln();
    log_probs.iter().map(|lp| lp.max(floor)).sum::<f64>() / log_probs.len() as f64
}

/// The `kind` score of one document (token ids, no markers; module docs).
pub fn score_document<M: LanguageModel + ?Sized>(
    kind: DetectorScore,
    observer: &M,
    performer: &M,
    doc: &[u32],
) -> f64 {
    check_vocabularies(observer, performer);
    if kind == DetectorScore::LogLikelihood {
        // No distribution needed: the performer scores the tokens directly.
        return mean_floored(&performer.token_log_probs(doc));
    }
    let needs = Needs {
        rank: kind == DetectorScore::LogRank,
        observer: matches!(
            kind,
            DetectorScore::FastDetectgpt | DetectorScore::Binoculars
        ),
    };
    Sums::of(observer, performer, doc, needs).get(kind)
}

/// Every score of one document in one pass over its positions (two distributions
/// per position, instead of five for the four scores one by one).
pub fn all_scores<M: LanguageModel + ?Sized>(
    observer: &M,
    performer: &M,
    doc: &[u32],
) -> DocumentScores {
    let needs = Needs {
        rank: true,
        observer: true,
    };
    let sums = Sums::of(observer, performer, doc, needs);
    DocumentScores {
        log_likelihood: sums.get(DetectorScore::LogLikelihood),
        log_rank: sums.get(DetectorScore::LogRank),
        fast_detectgpt: sums.get(DetectorScore::FastDetectgpt),
        binoculars: sums.get(DetectorScore::Binoculars),
    }
}

fn check_vocabularies<M: LanguageModel + ?Sized>(observer: &M, performer: &M) {
    assert_eq!(
        observer.vocab_size(),
        performer.vocab_size(),
        "the observer's vocabulary ({}) differs from the performer's ({}); \
         detection needs two models of one tokenizer",
        observer.vocab_size(),
        performer.vocab_size()
    );
}

/// Which per-position statistics a score needs beyond ln p(xₜ).
#[derive(Clone, Copy)]
struct Needs {
    rank: bool,
    observer: bool,
}

/// Sums over the positions of one document.
#[derive(Default)]
struct Sums {
    /// T: the tokens and `</s>`.
    positions: usize,
    /// Σₜ ln p(xₜ).
    log_likelihood: f64,
    /// Σₜ ln rankₚ(xₜ).
    log_rank: f64,
    /// Σₜ μₜ = Σₜ Σᵥ q(v) ln p(v): minus the summed cross-entropy of q to p.
    expected_log_likelihood: f64,
    /// Σₜ σ²ₜ.
    variance: f64,
}

impl Sums {
    fn of<M: LanguageModel + ?Sized>(
        observer: &M,
        performer: &M,
        doc: &[u32],
        needs: Needs,
    ) -> Sums {
        check_vocabularies(observer, performer);
        let vocab_size = performer.vocab_size();
        if let Some(&bad) = doc.iter().find(|&&t| t as usize >= vocab_size) {
            panic!("token id {bad} is outside the models' vocabulary (size {vocab_size})");
        }
        let floor = MIN_PROBABILITY;
        let mut sums = Sums {
            positions: doc.len() + 1,
            ..Sums::default()
        };
        let width = vocab_size + 1;
        let performer_rows = performer.distributions(doc);
        let observer_rows = needs.observer.then(|| observer.distributions(doc));
        for t in 0..=doc.len() {
            // The target's index in the distribution: an id, or `</s>` (index V).
            let target = doc.get(t).map_or(vocab_size, |&id| id as usize);
            let p = &performer_rows[t * width..(t + 1) * width];
            let log_norm = p.iter().sum::<f64>().ln();
            let log_p = |value: f64| value.max(floor).ln() - log_norm;
            let p_target = p[target];
            sums.log_likelihood += log_p(p_target);
            if needs.rank {
                let (mut above, mut tied) = (0usize, 0usize);
                for &value in p {
                    if value > p_target {
                        above += 1;
                    } else if value == p_target {
                        tied += 1;
                    }
                }
                // `tied` counts the target itself.
                sums.log_rank += (1.0 + above as f64 + 0.5 * (tied - 1) as f64).ln();
            }
            if let Some(rows) = &observer_rows {
                let q = &rows[t * width..(t + 1) * width];
                let q_total: f64 = q.iter().sum();
                let (mut mean, mut second_moment) = (0.0, 0.0);
                for (&q_value, &p_value) in q.iter().zip(p) {
                    if q_value > 0.0 {
                        let lp = log_p(p_value);
                        mean += q_value * lp;
                        second_moment += q_value * lp * lp;
                    }
                }
                let (mean, second_moment) = (mean / q_total, second_moment / q_total);
                sums.expected_log_likelihood += mean;
                // Rounding can push a near-zero variance below 0.
                sums.variance += (second_moment - mean * mean).max(0.0);
            }
        }
        sums
    }

    fn get(&self, kind: DetectorScore) -> f64 {
        let positions = self.positions as f64;
        match kind {
            DetectorScore::LogLikelihood => self.log_likelihood / positions,
            DetectorScore::LogRank => -self.log_rank / positions,
            DetectorScore::FastDetectgpt => {
                let discrepancy = self.log_likelihood - self.expected_log_likelihood;
                if self.variance > 0.0 {
                    discrepancy / self.variance.sqrt()
                } else if discrepancy == 0.0 {
                    // The performer is certain wherever the observer looks, and the
                    // text agrees: no evidence either way.
                    0.0
                } else {
                    discrepancy.signum() * f64::INFINITY
                }
            }
            // −B = −(Σ −ln p(xₜ)) / (Σ −μₜ); the 1/T factors cancel. B's denominator
            // is 0 only when q sits where p is certain; then B is 0/0 or ∞.
            DetectorScore::Binoculars => {
                if self.expected_log_likelihood < 0.0 {
                    -self.log_likelihood / self.expected_log_likelihood
                } else if self.log_likelihood < 0.0 {
                    f64::NEG_INFINITY
                } else {
                    -1.0
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ngram::{NgramEstimator, NgramModel, Smoothing};

    fn models(smoothing: Smoothing) -> (NgramModel, NgramModel) {
        let estimator = NgramEstimator::new(2, smoothing, 5).unwrap();
        let observer = estimator
            .fit_documents(&[&Documents::from_docs([
                vec![0u32, 1, 2, 3],
                vec![4, 3, 2],
                vec![1, 1, 0],
            ])])
            .unwrap();
        let performer = estimator
            .fit_documents(&[&Documents::from_docs([vec![0u32, 0, 1], vec![0, 1]])])
            .unwrap();
        (observer, performer)
    }

    /// The module-doc formulas written out position by position, without
    /// renormalisation (the tables sum to 1 within 10⁻⁵).
    fn reference(observer: &NgramModel, performer: &NgramModel, doc: &[u32]) -> DocumentScores {
        let eos = performer.vocab_size();
        let (mut ll, mut lr, mut mu, mut var) = (0.0, 0.0, 0.0, 0.0);
        for t in 0..=doc.len() {
            let p = performer.prob_distribution(&doc[..t]);
            let q = observer.prob_distribution(&doc[..t]);
            let x = doc.get(t).map_or(eos, |&id| id as usize);
            ll += p[x].ln();
            let mut sorted = p.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            let first = sorted.iter().position(|&v| v == p[x]).unwrap();
            let last = sorted.iter().rposition(|&v| v == p[x]).unwrap();
            lr += (1.0 + (first + last) as f64 / 2.0).ln();
            let m: f64 = q.iter().zip(&p).map(|(q, p)| q * p.ln()).sum();
            let m2: f64 = q.iter().zip(&p).map(|(q, p)| q * p.ln().powi(2)).sum();
            mu += m;
            var += m2 - m * m;
        }
        let n = (doc.len() + 1) as f64;
        DocumentScores {
            log_likelihood: ll / n,
            log_rank: -lr / n,
            fast_detectgpt: (ll - mu) / var.sqrt(),
            binoculars: -((-ll / n) / (-mu / n)),
        }
    }

    #[test]
    fn scores_follow_their_formulas() {
        let (observer, performer) = models(Smoothing::KneserNey);
        for doc in [vec![], vec![0u32], vec![0, 0, 1], vec![4, 3, 2, 1, 0, 2]] {
            let want = reference(&observer, &performer, &doc);
            let all = all_scores(&observer, &performer, &doc);
            for kind in [
                DetectorScore::LogLikelihood,
                DetectorScore::LogRank,
                DetectorScore::FastDetectgpt,
                DetectorScore::Binoculars,
            ] {
                let one = score_document(kind, &observer, &performer, &doc);
                assert!(one.is_finite(), "{kind:?} {doc:?}");
                assert!(
                    (one - want.get(kind)).abs() < 1e-4 * (1.0 + want.get(kind).abs()),
                    "{kind:?} {doc:?}: {one} vs {}",
                    want.get(kind)
                );
                // Log-likelihood alone reads the f32 tables without renormalising.
                assert!((all.get(kind) - one).abs() < 1e-5, "{kind:?} {doc:?}");
            }
        }
    }

    #[test]
    fn the_performers_habits_score_as_machine() {
        let (observer, performer) = models(Smoothing::KneserNey);
        let machine_like = [0u32, 0, 1];
        let human_like = [4u32, 3, 2];
        let machine = all_scores(&observer, &performer, &machine_like);
        let human = all_scores(&observer, &performer, &human_like);
        assert!(machine.log_likelihood > human.log_likelihood);
        assert!(machine.log_rank > human.log_rank);
        assert!(machine.fast_detectgpt > human.fast_detectgpt);
        assert!(machine.binoculars > human.binoculars);
    }

    #[test]
    fn zero_probabilities_stay_finite() {
        let (observer, performer) = models(Smoothing::Mle);
        // Bigrams the MLE performer never saw, and an observer mass where p = 0.
        let scores = all_scores(&observer, &performer, &[4, 3, 2]);
        for value in [
            scores.log_likelihood,
            scores.log_rank,
            scores.fast_detectgpt,
            scores.binoculars,
        ] {
            assert!(value.is_finite(), "{scores:?}");
        }
        let ll = score_document(DetectorScore::LogLikelihood, &observer, &performer, &[4, 3]);
        assert!(ll.is_finite() && ll >= MIN_PROBABILITY.ln());
    }

    #[test]
    #[should_panic(expected = "token id 5 is outside the models' vocabulary (size 5)")]
    fn an_id_outside_the_vocabulary_panics() {
        let (observer, performer) = models(Smoothing::KneserNey);
        score_document(DetectorScore::Binoculars, &observer, &performer, &[0, 5]);
    }

    #[test]
    #[should_panic(expected = "differs from the performer's")]
    fn models_of_different_vocabularies_panic() {
        let (observer, _) = models(Smoothing::KneserNey);
        let other = NgramEstimator::new(2, Smoothing::KneserNey, 6)
            .unwrap()
            .fit_documents(&[&Documents::from_docs([[5u32, 1]])])
            .unwrap();
        score_document(DetectorScore::FastDetectgpt, &observer, &other, &[0]);
    }
}
