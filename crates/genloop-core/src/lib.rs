//! genloop-core: records, provenance, seeds, the model and task traits, the
//! generational loop as its stages (pools, mix, curate, fit, evaluate, gate, sample),
//! aggregation and the closed-form theory.
//!
//! One generation: pools → mix (regime) → curate → fit → evaluate → gate → sample
//! (docs/). The loop ([`pipeline::run_arm`]) is generic over a [`task::Task`], which
//! binds a ground-truth source to a model family and its metrics.
//!
//! ```
//! use genloop_core::seed::RootSeed;
//! use rand::Rng;
//! // Every random draw comes from a named stream of the run's root seed.
//! let mut rng = RootSeed(1).stream("original", 0, 0);
//! let x: f64 = rng.random();
//! assert!((0.0..1.0).contains(&x));
//! ```

pub mod aggregate;
#[cfg(feature = "contract")]
pub mod contract;
pub mod data;
pub mod metrics;
pub mod model;
#[cfg(feature = "contract")]
pub mod mutate;
pub mod normal;
pub mod output;
pub mod pipeline;
pub mod provenance;
pub mod seed;
pub mod task;
pub mod theory;
