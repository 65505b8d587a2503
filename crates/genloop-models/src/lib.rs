//! genloop-models: the generative models and ground-truth sources of genloop, and the
//! tasks that bind them to metrics.
//!
//! Every model implements the core traits [`genloop_core::model::Estimator`] (checked
//! hyper-parameters → fit) and [`genloop_core::model::FittedModel`] (sample,
//! log-probability). One folder per model: `gaussian/`, `mixture/`, `kde/`,
//! `categorical/`, `linear/`.
//!
//! ```
//! use genloop_core::model::FittedModel;
//! use genloop_models::gaussian::Gaussian;
//! let g = Gaussian::new(vec![0.0], vec![1.0]).unwrap();
//! let lp = g.log_prob(&genloop_core::data::Vectors::new(1, vec![0.0]));
//! assert!((lp[0] + 0.918_938_533).abs() < 1e-6);
//! ```

pub mod categorical;
pub mod gaussian;
pub mod kde;
pub mod linalg;
pub mod linear;
pub mod mixture;
pub mod moments;
pub mod sources;
pub mod tasks;
pub mod vector;
