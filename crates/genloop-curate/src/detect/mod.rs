//! Statistics of machine-text detection (docs/formulas.md §7): how well a score separates
//! machine from human documents, and the threshold that flags them at a chosen
//! false-positive rate. Pure statistics over scores; the scores themselves come from
//! the run's models (`genloop_text::detect`).
//!
//! Convention everywhere: a **higher score is more machine-like**, and a document is
//! flagged when `score > threshold`.
//!
//! - [`auroc`] and [`tpr_at_fpr`] (`genloop_core::pipeline::curate::roc`): ranking quality over labelled scores;
//! - [`calibrate`] (`calibrate.rs`): the threshold for a target false-positive rate on
//!   held-out human scores (published thresholds belong to other model pairs);
//! - [`Confusion`] (`calibrate.rs`): counts, precision and recall of a flagging;
//! - [`aggregate_by_group`] (`group.rs`): one score per author or thread, since short
//!   posts score noisily one by one.
//!
//! ```
//! use genloop_curate::detect::{auroc, calibrate, tpr_at_fpr, Confusion};
//!
//! let scores = [0.1, 0.4, 0.35, 0.8, 0.9, 0.2];
//! let machine = [false, false, true, true, true, false];
//! assert!((auroc(&scores, &machine) - 8.0 / 9.0).abs() < 1e-12);
//! assert_eq!(tpr_at_fpr(&scores, &machine, 0.0), 2.0 / 3.0);
//!
//! let human_held_out = [0.0, 0.1, 0.2, 0.3, 0.5];
//! let calibration = calibrate(&human_held_out, 0.2);
//! assert_eq!(calibration.threshold, 0.3); // flags 0.5 only: FPR 1/5
//! let flagged: Vec<bool> = scores.iter().map(|&s| s > calibration.threshold).collect();
//! let confusion = Confusion::from_flags(&flagged, &machine);
//! assert_eq!((confusion.tp, confusion.fp), (3, 1));
//! ```

mod calibrate;
mod group;
#[cfg(test)]
mod tests;

pub use calibrate::{calibrate, Calibration, Confusion};
/// AUROC and TPR at a fixed FPR live in the loop's core (it measures the detector
/// against true provenance); the same functions serve the corpus pipeline.
pub use genloop_core::pipeline::curate::roc::{auroc, tpr_at_fpr};
pub use group::aggregate_by_group;
