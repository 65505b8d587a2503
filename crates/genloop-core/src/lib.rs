//! genloop-core: records, provenance, seeds, the model and task traits, regimes,
//! the gate, the generational loop, aggregation and the closed-form theory.
//!
//! One generation: pools → mix (regime) → curate → fit → evaluate → gate → sample
//! (DESIGN.md). The loop ([`engine::run_arm`]) is generic over a [`task::Task`], which
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
pub mod curation;
pub mod data;
pub mod engine;
pub mod gate;
pub mod metrics;
pub mod model;
pub mod normal;
pub mod provenance;
pub mod regime;
pub mod seed;
pub mod task;
pub mod theory;
