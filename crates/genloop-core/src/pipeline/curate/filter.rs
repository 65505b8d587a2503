//! One filter of the curation chain: the [`Filter`] trait, the checked `[[filters]]`
//! table it is built from ([`FilterSpec`], its parameters behind [`FilterParams`]),
//! what it may use besides the records ([`FilterContext`]) and its answer
//! ([`FilterOutcome`]).

use std::borrow::Cow;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::view::CandidateView;
use crate::provenance::Pool;
use crate::seed::RootSeed;
use crate::task::{ModelOf, Task};

/// The checked parameters of one `[[filters]]` table. Core cannot name the filter
/// kinds (they live in `genloop_curate::filters::FilterConfig`, above core); tasks
/// downcast through [`FilterParams::as_any`] to the type they build from.
pub trait FilterParams: std::fmt::Debug + Send + Sync + 'static {
    /// The `kind` of the table.
    fn kind(&self) -> &'static str;
    /// The parameters as `Any`, for the task to downcast.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// A checked `[[filters]]` table: its typed parameters, the channels it judges and
/// the table as written. `key` names the table in errors (`filters[2]`,
/// `arm[1].filters[0]`).
#[derive(Clone, Debug)]
pub struct FilterSpec {
    pub key: String,
    /// The channels whose records the filter judges (`pools = [...]`); records of
    /// other channels pass it untouched. Model-based filters default to `fresh`
    /// and `synthetic`: the reference model was fitted on the original data, so
    /// judging the archive with it is meaningless.
    pub pools: Vec<Pool>,
    /// The parameters, checked when the config was.
    pub config: Arc<dyn FilterParams>,
    /// The table as written, without `kind` and `pools`; kept only for the stored
    /// record of the arm.
    pub table: toml::Table,
}

impl FilterSpec {
    /// The `kind` of the table.
    pub fn kind(&self) -> &'static str {
        self.config.kind()
    }
}

/// Stored as `{kind, key, pools, table}`, the fields in that order.
impl Serialize for FilterSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("FilterSpec", 4)?;
        out.serialize_field("kind", self.kind())?;
        out.serialize_field("key", &self.key)?;
        out.serialize_field("pools", &self.pools)?;
        out.serialize_field("table", &self.table)?;
        out.end()
    }
}

/// A filter the task cannot build.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{key}`: {message}")]
pub struct FilterError {
    pub key: String,
    pub message: String,
}

/// The error for a filter kind a task does not offer; `offered` says what it does.
pub fn unsupported(spec: &FilterSpec, offered: &str) -> FilterError {
    FilterError {
        key: format!("{}.kind", spec.key),
        message: format!(
            "filter `{}` does not apply to this model's data; {offered}",
            spec.kind()
        ),
    }
}

/// Why a record was dropped. `rule` is a stable name (`gopher_quality.min_words`,
/// `minhash.history`) that counts group by; `detail` is for people.
#[derive(Clone, Debug, PartialEq)]
pub struct DropReason {
    pub rule: Cow<'static, str>,
    pub detail: String,
}

impl DropReason {
    pub fn new(rule: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        DropReason {
            rule: rule.into(),
            detail: detail.into(),
        }
    }
}

/// A filter's answer for every record of the view, in order.
#[derive(Clone, Debug, Default)]
pub struct FilterOutcome {
    pub drops: Vec<Option<DropReason>>,
    /// Detector scores (higher = more machine-like), one per record, for the
    /// detector metrics.
    pub scores: Option<Vec<f64>>,
}

/// What a filter may use besides the records.
pub struct FilterContext<'a, T: Task> {
    pub task: &'a T,
    pub replicate: u64,
    pub generation: u32,
    /// The generation-0 model, fitted on the trusted original data.
    pub reference: &'a ModelOf<T>,
    /// The model in service when this training set was built (it produced the
    /// newest synthetic batch).
    pub deployed: &'a ModelOf<T>,
    /// Held-out human data for calibration (never trained on, never tested on).
    pub calibration: &'a T::Data,
    pub seed: RootSeed,
}

/// One stage of the curation chain. A filter lives for one replicate, so it may
/// keep state across generations (the dedup index of earlier pools).
pub trait Filter<T: Task>: Send {
    /// The `kind` of its `[[filters]]` table.
    fn kind(&self) -> &'static str;

    /// Keep or drop each record of `view`.
    fn judge(
        &mut self,
        context: &FilterContext<'_, T>,
        view: &CandidateView<'_, T::Data>,
    ) -> FilterOutcome;

    /// Called with the records of the final training set (after every filter), so
    /// stateful filters can index what was trained on.
    fn admitted(&mut self, _task: &T, _view: &CandidateView<'_, T::Data>) {}
}

/// A task whose data the loop can curate: it builds the filters that make sense
/// for its data from their `[[filters]]` tables. The default offers none.
pub trait BuildFilter: Task + Sized {
    /// Build one filter of the curation chain from its `[[filters]]` table.
    fn build_filter(&self, spec: &FilterSpec) -> Result<Box<dyn Filter<Self>>, FilterError> {
        Err(unsupported(spec, "this task offers no filters"))
    }
}
