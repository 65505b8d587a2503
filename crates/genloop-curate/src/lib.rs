//! genloop-curate: the filters of the curation stage (pools → mix → **curate** → fit),
//! each written once and used by the loop and by `genloop curate` alike: quality rules
//! (`rules/`), exact and MinHash deduplication with one keep policy (`dedup/`), detector
//! calibration (`detect/`), the `[[filters]]` tables as one serde enum ([`filters`]), the
//! one JSONL/gz/zst reader ([`io`]) and the corpus pipeline ([`pipeline`]). Every filter
//! returns keep or drop-with-reason (docs/formulas.md §3–4).
//!
//! ```
//! use genloop_curate::filters::FilterConfig;
//! use genloop_curate::pipeline::{Curator, Decision, Document};
//!
//! // The same tables a loop config's `[[filters]]` holds.
//! let filters: Vec<FilterConfig> = vec![
//!     toml::from_str(r#"kind = "length_bounds"
//! min_words = 3
//! max_words = 1000"#).unwrap(),
//!     toml::from_str(r#"kind = "exact_dedup""#).unwrap(),
//! ];
//! let mut curator = Curator::new(&filters).unwrap();
//! let text = "The tide came in early and the boats were pulled up the shingle.";
//! assert!(matches!(curator.decide(&Document { line: 1, text }), Decision::Keep));
//! let Decision::Drop(again) = curator.decide(&Document { line: 2, text }) else {
//!     unreachable!()
//! };
//! assert_eq!(again.filter, "exact_dedup");
//! let Decision::Drop(short) = curator.decide(&Document { line: 3, text: "Too short." }) else {
//!     unreachable!()
//! };
//! assert_eq!(short.rule, "length_bounds.min_words");
//! ```

pub mod dedup;
pub mod detect;
pub mod filters;
pub mod io;
pub mod pipeline;
pub mod rules;
