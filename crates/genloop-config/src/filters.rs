//! `[[filters]]` (or an arm's `filters = [...]`): the curation chain between mix and
//! fit. The kind must be one of `genloop_curate::filters::FILTER_KINDS`; the rest of
//! the table is read into that kind's `genloop_curate::filters::FilterConfig` and its
//! parameters checked here. Whether the run's task offers the kind is checked when
//! the task builds the filter.

use std::sync::Arc;

use genloop_core::pipeline::curate::FilterSpec;
use genloop_core::provenance::Pool;
use genloop_curate::filters::{FilterConfig, FILTER_KINDS};

use crate::problem::Checker;

pub(crate) fn check_filters(c: &mut Checker, table: &str, raw: &[toml::Table]) -> Vec<FilterSpec> {
    let mut specs = Vec::new();
    for (i, entry) in raw.iter().enumerate() {
        let key = format!("{table}[{i}]");
        let mut rest = entry.clone();
        let pools = rest.remove("pools");
        let Some(kind) = check_kind(c, &key, rest.remove("kind")) else {
            continue;
        };
        let pools = check_filter_pools(c, &key, &kind, pools);
        let Some(config) = check_params(c, &key, kind, &rest) else {
            continue;
        };
        specs.push(FilterSpec {
            key,
            pools,
            config: Arc::new(config),
            table: rest,
        });
    }
    specs
}

/// The table (without `pools`) read as its kind's settings, and those checked.
fn check_params(
    c: &mut Checker,
    key: &str,
    kind: String,
    rest: &toml::Table,
) -> Option<FilterConfig> {
    let mut table = rest.clone();
    table.insert("kind".into(), toml::Value::String(kind));
    let checked = toml::Value::Table(table)
        .try_into::<FilterConfig>()
        .map_err(|e| e.message().to_string())
        .and_then(|config| config.check().map(|()| config));
    match checked {
        Ok(config) => Some(config),
        Err(message) => {
            c.problem(key, "", &message, "");
            None
        }
    }
}

/// The table's `kind`, when it names a known filter.
fn check_kind(c: &mut Checker, key: &str, kind: Option<toml::Value>) -> Option<String> {
    let fix = format!("use one of: {}", FILTER_KINDS.join(", "));
    match kind {
        Some(toml::Value::String(kind)) => c
            .choice(&format!("{key}.kind"), &kind, &FILTER_KINDS)
            .map(|_| kind),
        Some(other) => {
            c.problem(&format!("{key}.kind"), other, "must be a string", &fix);
            None
        }
        None => {
            c.problem(&format!("{key}.kind"), "", "is required", &fix);
            None
        }
    }
}

/// The channels a filter judges: `pools = ["fresh", "synthetic"]`, or the kind's
/// default (model-based filters skip the original data their reference was fitted
/// on).
fn check_filter_pools(
    c: &mut Checker,
    key: &str,
    kind: &str,
    raw: Option<toml::Value>,
) -> Vec<Pool> {
    let judged = [Pool::Original, Pool::Fresh, Pool::Synthetic];
    let Some(raw) = raw else {
        return match kind {
            "perplexity" | "detector" | "verifier" => vec![Pool::Fresh, Pool::Synthetic],
            _ => judged.to_vec(),
        };
    };
    let names = ["original", "fresh", "synthetic"];
    let fix = "e.g. pools = [\"fresh\", \"synthetic\"]";
    let Some(items) = raw.as_array() else {
        c.problem(&format!("{key}.pools"), raw, "must be a list of pools", fix);
        return Vec::new();
    };
    let mut pools = Vec::new();
    for item in items {
        match item
            .as_str()
            .and_then(|s| c.choice(&format!("{key}.pools"), s, &names))
        {
            Some(name) => pools.extend(judged.iter().filter(|p| p.as_str() == name)),
            None if item.as_str().is_none() => {
                c.problem(&format!("{key}.pools"), item, "must name a pool", fix)
            }
            None => {}
        }
    }
    if items.is_empty() {
        c.problem(
            &format!("{key}.pools"),
            "[]",
            "must name at least one pool",
            fix,
        );
    }
    pools
}
