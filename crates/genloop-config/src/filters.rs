//! `[[filters]]` (or an arm's `filters = [...]`): the curation chain between mix and
//! fit. The kind must be one of `genloop_curate::filters::FILTER_KINDS`; the task
//! that builds a filter checks the rest of its keys.

use genloop_core::pipeline::curate::FilterSpec;
use genloop_core::provenance::Pool;
use genloop_curate::filters::FILTER_KINDS;

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
        specs.push(FilterSpec {
            kind,
            key,
            pools,
            table: rest,
        });
    }
    specs
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
