//! The generational loop as its stages:
//!
//! ```text
//! pools ──> mix (regime) ──> curate ──> fit ──> evaluate ──> gate ──> sample ──┐
//!   ^                                                                          │
//!   └──────────── the accepted model's samples become the synthetic pool ──────┘
//! ```
//!
//! | stage | module |
//! | --- | --- |
//! | pools | [`pools`] (fresh releases), [`pools::contamination`] |
//! | mix | [`mix`] (regimes), [`mix::subsample`] |
//! | curate | [`curate`] (the chain, the view filters see, counts; the verifier) |
//! | fit | [`fit`] |
//! | evaluate | [`evaluate`] |
//! | gate | [`gate`] (`Gate`, `HoldoutGate`, rollback) |
//! | (checkpoints) | [`checkpoints`] (fitted models kept on disk, resume mid-replicate) |
//! | sample | [`sample`] |
//!
//! [`replicate::run_replicate`] runs one replicate, one call per stage over a
//! [`replicate::ReplicateState`]; [`run::run_arm`] runs an arm's replicates in
//! parallel and hands them to [`observer::Observer`]s. What a run is told is in
//! [`settings`], what it hands back in [`results`].

pub mod checkpoints;
pub mod curate;
pub mod evaluate;
pub mod fit;
pub mod gate;
pub mod mix;
pub mod observer;
pub mod pools;
pub mod replicate;
pub mod results;
pub mod run;
pub mod sample;
pub mod settings;

pub use observer::{Collect, Observer, Silent};
pub use replicate::{run_replicate, ReplicateState};
pub use results::{GenerationResult, LoopError, ObserverError, ReplicateResult};
pub use run::{bind_gate, check_filters, run_arm, DEFAULT_CHUNK};
pub use settings::{metric_specs, Arm, RunSettings};
