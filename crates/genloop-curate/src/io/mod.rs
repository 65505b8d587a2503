//! Reading corpus files, once for every reader: `genloop curate` (the `pipeline` module)
//! and the corpora of a run config (`genloop_text::corpus`).
//!
//! - [`LineReader`] (`lines.rs`): physical lines of a plain, `.gz` or `.zst` file
//!   (by name), streamed, terminators (`\n`, `\r\n`) and a byte-order mark dropped;
//! - `record.rs`: one JSONL record, either its text field alone without building the
//!   object ([`parse_record`], with [`with_curation`] to annotate a rejected line), or
//!   its text and every other field ([`parse_document`]);
//! - [`RecordProblem`] (`problem.rs`): what is wrong with one record.
//!
//! ```
//! use genloop_curate::io::{parse_document, RecordProblem};
//!
//! let (text, metadata) = parse_document(r#"{"text": "hi", "lang": "en"}"#, "text").unwrap();
//! assert_eq!((text.as_str(), metadata.len()), ("hi", 1));
//! let problem = parse_document("[1]", "text").unwrap_err();
//! assert_eq!(problem, RecordProblem::NotAnObject { found: "an array" });
//! ```

mod lines;
mod problem;
mod record;

pub use lines::{Compression, LineReader, BUFFER_BYTES};
pub use problem::{json_kind, Reader, RecordProblem, Worded};
pub use record::{parse_document, parse_record, with_curation, Fields};
