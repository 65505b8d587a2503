//! genloop-curate: the curation stage of the loop (pools → mix → **curate** → fit):
//! quality rules (`rules/`) and deduplication (`dedup/`). Every filter returns keep or
//! drop-with-reason (REFERENCE.md §3–4).

pub mod dedup;
pub mod detect;
pub mod filters;
pub mod io;
pub mod pipeline;
pub mod rules;
