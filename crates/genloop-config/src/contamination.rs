//! `[contamination]` (or an arm's `contamination = { … }` / `false`): machine text
//! inside the fresh stream, its schedule c(g) and which generations it is drawn from.

use serde::{Deserialize, Serialize};

use genloop_core::pipeline::pools::contamination::{
    ContaminationSpec, Schedule, SourceGenerations,
};

use crate::problem::Checker;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawContamination {
    pub schedule: String,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub midpoint: Option<f64>,
    pub steepness: Option<f64>,
    pub sources: Option<String>,
    pub window: Option<i64>,
}

/// An arm's `contamination`: `false` turns the top-level table off for it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawArmContamination {
    Off(bool),
    Spec(RawContamination),
}

pub(crate) fn check_contamination(
    c: &mut Checker,
    table: &str,
    raw: &RawContamination,
) -> Option<ContaminationSpec> {
    let schedule = c.choice(
        &format!("{table}.schedule"),
        &raw.schedule,
        &["constant", "linear", "logistic"],
    )?;
    let mut allowed = vec!["start", "sources", "window"];
    if schedule != "constant" {
        allowed.push("end");
    }
    if schedule == "logistic" {
        allowed.extend(["midpoint", "steepness"]);
    }
    c.only(table, schedule, raw, &allowed);
    let (start, end) = check_shares(c, table, schedule, raw);
    let schedule = match schedule {
        "constant" => Schedule::Constant,
        "linear" => Schedule::Linear,
        _ => logistic(c, table, raw),
    };
    let sources = check_sources(c, table, raw);
    Some(ContaminationSpec {
        schedule,
        start,
        end,
        sources,
    })
}

/// The machine shares at generation 1 and at the last generation.
fn check_shares(
    c: &mut Checker,
    table: &str,
    schedule: &str,
    raw: &RawContamination,
) -> (f64, f64) {
    let start = match raw.start {
        Some(v) => c.fraction(&format!("{table}.start"), v, "start = 0.05"),
        None => {
            c.problem(
                &format!("{table}.start"),
                "",
                "is required: the machine share of the fresh data at generation 1",
                "e.g. start = 0.05",
            );
            0.0
        }
    };
    let end = match (schedule, raw.end) {
        ("constant", _) => start,
        (_, Some(v)) => c.fraction(&format!("{table}.end"), v, "end = 0.5"),
        (_, None) => {
            c.problem(
                &format!("{table}.end"),
                "",
                "is required: the machine share at the last generation",
                "e.g. end = 0.5",
            );
            0.0
        }
    };
    (start, end)
}

fn logistic(c: &mut Checker, table: &str, raw: &RawContamination) -> Schedule {
    let midpoint = c.fraction(
        &format!("{table}.midpoint"),
        raw.midpoint.unwrap_or(0.5),
        "midpoint = 0.5",
    );
    let steepness = c.positive(
        &format!("{table}.steepness"),
        raw.steepness.unwrap_or(10.0),
        "steepness = 10",
    );
    Schedule::Logistic {
        midpoint,
        steepness,
    }
}

/// Which earlier generations the machine text comes from.
fn check_sources(c: &mut Checker, table: &str, raw: &RawContamination) -> SourceGenerations {
    let sources_key = format!("{table}.sources");
    let sources = raw.sources.as_deref().unwrap_or("all");
    let sources = match c.choice(&sources_key, sources, &["all", "latest", "window"]) {
        Some("latest") => SourceGenerations::Latest,
        Some("window") => {
            let n = c.count(
                &format!("{table}.window"),
                raw.window,
                None,
                1,
                "window = 3 (with sources = \"window\")",
            );
            SourceGenerations::Window(n as u32)
        }
        _ => SourceGenerations::All,
    };
    if raw.window.is_some() && !matches!(sources, SourceGenerations::Window(_)) {
        c.problem(
            &format!("{table}.window"),
            "",
            "applies only with sources = \"window\"",
            "remove it, or set sources = \"window\"",
        );
    }
    sources
}
