//! The generational loop as its stages (docs/, "One generation"):
//!
//! ```text
//! pools ──> mix (regime) ──> curate ──> fit ──> evaluate ──> gate ──> sample ──┐
//!   ^                                                                          │
//!   └──────────── the accepted model's samples become the synthetic pool ──────┘
//! ```
//!
//! - [`pools`]: what a replicate draws from; fresh releases and contamination.
//! - [`mix`]: how a regime builds the training set of generation g.
//! - [`curate`]: the filter chain between mix and fit.
//! - [`gate`]: accept a candidate model or roll back to the best one.
//! - [`run`]: the replicates of one arm, in parallel, reported to observers.

pub mod curate;
pub mod gate;
pub mod mix;
pub mod pools;
pub mod run;

pub use run::{
    check_filters, metric_specs, run_arm, run_replicate, Arm, Collect, GenerationResult, LoopError,
    Observer, ObserverError, ReplicateResult, RunSettings, Silent, DEFAULT_CHUNK,
};
