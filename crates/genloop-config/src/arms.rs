//! `[[arm]]`: several policies compared on the same draws. Each arm overrides the
//! top-level regime, sampling, gate, contamination or filters; without arms the
//! top-level `[regime]` is the one arm, named after its kind.

use serde::{Deserialize, Serialize};

use genloop_core::model::Sampling;
use genloop_core::pipeline::curate::FilterSpec;
use genloop_core::pipeline::gate::GateSpec;
use genloop_core::pipeline::pools::contamination::ContaminationSpec;
use genloop_core::pipeline::{Arm, RunSettings};

use crate::contamination::{check_contamination, RawArmContamination};
use crate::filters::check_filters;
use crate::gate::{check_gate, RawGate};
use crate::model::ModelSpec;
use crate::problem::Checker;
use crate::regime::{check_regime, RawRegime};
use crate::sampling::{check_sampling, RawSampling};
use crate::RawConfig;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawArm {
    pub name: String,
    pub regime: Option<RawRegime>,
    pub sampling: Option<RawSampling>,
    pub gate: Option<RawGate>,
    /// Overrides the top-level `[contamination]`; `contamination = false` turns it
    /// off for this arm.
    pub contamination: Option<RawArmContamination>,
    /// Overrides the top-level `[[filters]]` (`filters = []`: no curation).
    pub filters: Option<Vec<toml::Table>>,
}

/// What every arm gets unless it sets its own.
struct Defaults {
    sampling: Sampling,
    gate: GateSpec,
    contamination: Option<ContaminationSpec>,
    filters: Vec<FilterSpec>,
    /// The gate's metric when a holdout gate names none.
    metric: &'static str,
}

impl Defaults {
    fn check(c: &mut Checker, raw: &RawConfig, model: Option<&ModelSpec>) -> Defaults {
        let metric = match model.map(|m| m.kind()) {
            Some("linear") => "test_mse",
            _ => "holdout_nll",
        };
        Defaults {
            sampling: check_sampling(c, "sampling", &raw.sampling),
            gate: check_gate(c, "gate", &raw.gate, metric),
            contamination: raw
                .contamination
                .as_ref()
                .and_then(|raw| check_contamination(c, "contamination", raw)),
            filters: check_filters(c, "filters", &raw.filters),
            metric,
        }
    }
}

/// The arms of a run: the top-level `[regime]` alone, or every `[[arm]]`.
pub(crate) fn check_arms(
    c: &mut Checker,
    raw: &RawConfig,
    model: Option<&ModelSpec>,
    original: usize,
) -> Vec<Arm> {
    let defaults = Defaults::check(c, raw, model);
    if raw.arm.is_empty() {
        return single_arm(c, raw.regime.as_ref(), defaults, original)
            .into_iter()
            .collect();
    }
    (0..raw.arm.len())
        .filter_map(|i| check_arm(c, raw, i, &defaults, original))
        .collect()
}

fn single_arm(
    c: &mut Checker,
    regime: Option<&RawRegime>,
    defaults: Defaults,
    original: usize,
) -> Option<Arm> {
    let Some(raw) = regime else {
        c.problem(
            "regime",
            "",
            "is required (or give [[arm]] tables)",
            "add [regime] with kind = \"replace\"",
        );
        return None;
    };
    Some(Arm {
        name: raw.kind.clone(),
        regime: check_regime(c, "regime", raw, original)?,
        sampling: defaults.sampling,
        gate: defaults.gate,
        contamination: defaults.contamination,
        filters: defaults.filters,
    })
}

/// Arm `i`: its name, then each part it overrides.
fn check_arm(
    c: &mut Checker,
    raw: &RawConfig,
    i: usize,
    defaults: &Defaults,
    original: usize,
) -> Option<Arm> {
    let arm = &raw.arm[i];
    let prefix = format!("arm[{i}]");
    check_name(c, &prefix, &raw.arm[..i], arm);
    let regime = match arm.regime.as_ref().or(raw.regime.as_ref()) {
        Some(r) => check_regime(c, &format!("{prefix}.regime"), r, original),
        None => {
            c.problem(
                &format!("{prefix}.regime"),
                "",
                "is required when there is no top-level [regime]",
                "add regime = { kind = \"replace\" }",
            );
            None
        }
    };
    let sampling = match &arm.sampling {
        Some(s) => check_sampling(c, &format!("{prefix}.sampling"), s),
        None => defaults.sampling,
    };
    let gate = match &arm.gate {
        Some(g) => check_gate(c, &format!("{prefix}.gate"), g, defaults.metric),
        None => defaults.gate.clone(),
    };
    let contamination = arm_contamination(c, &prefix, arm.contamination.as_ref(), defaults);
    let filters = match &arm.filters {
        None => defaults.filters.clone(),
        Some(tables) => check_filters(c, &format!("{prefix}.filters"), tables),
    };
    Some(Arm {
        name: arm.name.clone(),
        regime: regime?,
        sampling,
        gate,
        contamination,
        filters,
    })
}

/// Every arm has its own, non-empty name.
fn check_name(c: &mut Checker, prefix: &str, earlier: &[RawArm], arm: &RawArm) {
    if arm.name.trim().is_empty() {
        c.problem(
            &format!("{prefix}.name"),
            "\"\"",
            "must not be empty",
            "name each arm",
        );
    }
    if earlier.iter().any(|a| a.name == arm.name) {
        c.problem(
            &format!("{prefix}.name"),
            format!("\"{}\"", arm.name),
            "is used by an earlier arm",
            "give every arm its own name",
        );
    }
}

fn arm_contamination(
    c: &mut Checker,
    prefix: &str,
    raw: Option<&RawArmContamination>,
    defaults: &Defaults,
) -> Option<ContaminationSpec> {
    match raw {
        None => defaults.contamination.clone(),
        Some(RawArmContamination::Off(false)) => None,
        Some(RawArmContamination::Off(true)) => {
            c.problem(
                &format!("{prefix}.contamination"),
                "true",
                "cannot turn contamination on without a schedule",
                "give a table, e.g. contamination = { schedule = \"constant\", start = 0.1 }, or false",
            );
            None
        }
        Some(RawArmContamination::Spec(raw)) => {
            check_contamination(c, &format!("{prefix}.contamination"), raw)
        }
    }
}

/// Which curation metrics the run measures, from what its arms do.
pub(crate) fn measure(settings: &mut RunSettings, arms: &[Arm]) {
    settings.measure_curation = arms
        .iter()
        .any(|a| a.contamination.is_some() || !a.filters.is_empty());
    settings.measure_detector = arms
        .iter()
        .any(|a| a.filters.iter().any(|f| f.kind() == "detector"));
}
